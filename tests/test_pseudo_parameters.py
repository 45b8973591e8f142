"""CloudFormation pseudo parameters in a definition (issue 9, point 2): ``${AWS::Partition}``,
``${AWS::Region}``, ``${AWS::AccountId}``, ``${AWS::URLSuffix}`` are filled from --partition,
--region and --account wherever they are (the Task Resource included); ``${AWS::StackName}``
only when given. An unknown region or account follows the unknown-region/account rules: that
field is ``*`` and a warning says so (no dynamic-resource warning, no unresolved placeholder).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sfn_iam import generate_policy
from sfn_iam.cli import main
from tests.util import assert_policy, codes, machine, run, stmt, task

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BATCH = "arn:${AWS::Partition}:states:::batch:submitJob"
FN = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:translate"
QUEUE = "https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/jobs"


def test_partition_in_the_resource_is_classified() -> None:
    r = run(task(BATCH, {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"}))
    assert r.recognised == 1
    assert "unknown-integration" not in codes(r)
    assert "unresolved-placeholder" not in codes(r)
    assert any(a.startswith("batch:SubmitJob") for g in r.grants for a in g.actions)


def test_function_arn_resource_filled_from_the_environment() -> None:
    r = run(task(FN), region="eu-west-1", account="111122223333")
    assert_policy(r, stmt("lambda:InvokeFunction",
                          "arn:aws:lambda:eu-west-1:111122223333:function:translate"))
    assert r.warnings == []


def test_partition_follows_the_region() -> None:
    r = run(task(FN), region="cn-north-1", account="111122223333")
    assert_policy(r, stmt("lambda:InvokeFunction",
                          "arn:aws-cn:lambda:cn-north-1:111122223333:function:translate"))


def test_url_suffix_and_parameters() -> None:
    r = run(task("arn:${AWS::Partition}:states:::sqs:sendMessage",
                 {"QueueUrl": QUEUE, "MessageBody": "x"}), region="cn-north-1",
            account="111122223333")
    assert_policy(r, stmt("sqs:SendMessage", "arn:aws-cn:sqs:cn-north-1:111122223333:jobs"))
    assert r.warnings == []


def test_unknown_region_and_account_are_the_unknown_rules() -> None:
    r = run(task(FN), region=None, account=None)
    assert_policy(r, stmt("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:translate"))
    assert sorted(codes(r)) == ["unknown-account", "unknown-region"]
    r = run(task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": QUEUE, "MessageBody": "x"}),
            region=None, account="111122223333")
    assert_policy(r, stmt("sqs:SendMessage", "arn:aws:sqs:*:111122223333:jobs"))
    assert codes(r) == ["unknown-region"]
    assert not any(g.dynamic for g in r.grants)


def test_unknown_account_in_a_name_prefix() -> None:
    r = run(task("arn:aws:states:::dynamodb:getItem",
                 {"TableName": "orders-${AWS::AccountId}", "Key": {}}), account=None)
    assert_policy(r, stmt("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:*:table/orders-*"))
    assert codes(r) == ["unknown-account"]


def test_stack_name_only_when_given() -> None:
    t = task("arn:aws:states:::dynamodb:getItem",
             {"TableName": "${AWS::StackName}-orders", "Key": {}})
    r = run(t, substitutions={"AWS::StackName": "shop"})
    assert_policy(r, stmt("dynamodb:GetItem",
                          "arn:aws:dynamodb:us-east-1:123456789012:table/shop-orders"))
    assert r.warnings == []
    r = run(t)
    assert "unresolved-placeholder" in codes(r)
    assert all(g.dynamic for g in r.grants)


def test_substitutions_win_over_the_environment() -> None:
    r = run(task(FN), substitutions={"AWS::Region": "ap-south-1"})
    assert_policy(r, stmt("lambda:InvokeFunction",
                          "arn:aws:lambda:ap-south-1:123456789012:function:translate"))


def test_cli_fills_pseudo_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {"A": task(FN)}}))
    rc = main(["generate", str(f), "--region", "us-west-2", "--account", "111122223333",
               "--partition", "aws"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert json.loads(out)["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-west-2:111122223333:function:translate"]


@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="no corpus")
def test_corpus_resources_with_pseudo_parameters_are_recognised() -> None:
    """Every corpus Task whose Resource holds only pseudo-parameter placeholders is now
    classified (before: no permission at all for these states)."""
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    seen = 0
    for row in rows:
        (path,) = sorted((CORPUS / row["id"]).glob("definition.asl.*"))
        text = path.read_text(encoding="utf-8")
        if "arn:${AWS::Partition}:states:::" not in text:
            continue
        try:
            r = generate_policy(path.read_bytes(), region="us-east-1", account="123456789012")
        except Exception:  # refused definitions: test_corpus's business
            continue
        seen += 1
        bad = [w for w in r.warnings if w.parameter == "Resource"
               and w.code == "unresolved-placeholder" and "AWS::" in w.message]
        assert not bad, (path, bad)
    assert seen >= 8


@pytest.mark.parametrize("as_text", [True, False])
def test_text_written_like_a_marker_never_becomes_a_wildcard(as_text: bool) -> None:
    """An unknown region or account is read as a reserved value while the definition is read
    (then made "*"): a definition that writes that value itself keeps it as written."""
    from sfn_iam.params import MARKERS

    region, account = MARKERS[0]
    fn = f"arn:aws:lambda:{region}:{account}:function:f"
    definition = machine(task(FN), task("arn:aws:states:::lambda:invoke", {"FunctionName": fn}))
    r = generate_policy(json.dumps(definition) if as_text else definition)
    resources = {res for s in r.document["Statement"] for res in s["Resource"]}
    assert resources == {fn, "arn:aws:lambda:*:*:function:translate"}


def test_every_marker_written_is_refused_without_region() -> None:
    from sfn_iam.errors import DefinitionError
    from sfn_iam.params import MARKERS

    text = json.dumps({"StartAt": "A", "Comment": " ".join(a + b for a, b in MARKERS),
                       "States": {"A": task(FN)}})
    with pytest.raises(DefinitionError, match="reserves"):
        generate_policy(text)
    assert generate_policy(text, region="us-east-1", account="123456789012").recognised == 1


def test_a_dict_that_shares_branches_is_refused_quickly_without_region() -> None:
    """Looking for the reserved values reads every object once: a dict sharing branches
    2**30 times over is still the walk's to refuse, at once."""
    import time

    from sfn_iam.errors import DefinitionError

    level = machine(task(FN))
    for _ in range(30):
        level = machine({"Type": "Parallel", "End": True, "Branches": [level, level]})
    start = time.monotonic()
    with pytest.raises(DefinitionError):
        generate_policy(level)
    assert time.monotonic() - start < 10


def test_a_placeholder_for_the_partition_of_an_integration_is_the_machines_partition() -> None:
    """``arn:${Partition}:states:::sns:publish`` (a DefinitionSubstitutions name standing for
    ${AWS::Partition}, 14 corpus states): the integration is recognised, in the state
    machine's partition, with a warning that names the placeholder."""
    t = task("arn:${Partition}:states:::sns:publish",
             {"TopicArn": "arn:aws-cn:sns:cn-north-1:123456789012:alerts", "Message": "x"})
    r = generate_policy({"StartAt": "A", "States": {"A": t}}, region="cn-north-1",
                        account="123456789012")
    assert_policy(r, stmt("sns:Publish", "arn:aws-cn:sns:cn-north-1:123456789012:alerts"))
    assert r.recognised == 1
    (w,) = r.warnings
    assert w.code == "partition-placeholder" and "${Partition}" in w.message
    assert "read as aws-cn" in w.message
    # a value given wins; a placeholder anywhere else still grants nothing
    r = run(t, substitutions={"Partition": "aws"})
    assert r.warnings == [] and r.recognised == 1
    for resource in ("arn:${Partition}:states:::${Service}:publish",
                     "arn:${Partition}:lambda:us-east-1:123456789012:function:f",
                     "${SnsPublish}"):
        r = run(task(resource, {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}))
        assert r.recognised == 0 and r.document["Statement"] == [], resource
        assert codes(r) == ["unresolved-placeholder", "no-permissions"], resource
