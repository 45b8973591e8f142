"""``sfn-iam audit`` and ``sfn-iam explain`` on the command line: exit codes, the four
formats (SARIF located at the state's line), one-line errors, start-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfn_iam.audit.render import state_line
from sfn_iam.cli import main
from tests.test_cli_startup import HEAVY, imported

ROOT = Path(__file__).resolve().parents[2]
ECS = str(ROOT / "examples" / "ecs.asl.json")
ENV = ["--region", "us-east-1", "--account", "123456789012"]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, value: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(value, indent=2))
    return str(path)


@pytest.fixture
def generated(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    code, out, _ = cli(capsys, "generate", ECS, *ENV)
    assert code == 0
    return write(tmp_path, "role.json", json.loads(out))


def _without(policy_file: str, action: str, tmp_path: Path) -> str:
    doc = json.loads(Path(policy_file).read_text())
    doc["Statement"] = [s for s in doc["Statement"] if action not in s["Action"]]
    return write(tmp_path, "partial.json", doc)


def test_exit_codes(capsys: pytest.CaptureFixture[str], generated: str, tmp_path: Path) -> None:
    assert cli(capsys, "audit", ECS, "--policy", generated, *ENV)[0] == 0
    partial = _without(generated, "events:PutRule", tmp_path)
    code, out, _ = cli(capsys, "audit", ECS, "--policy", partial, *ENV)
    assert code == 1 and "events:PutRule" in out and "execution waits" in out
    broad = write(tmp_path, "broad.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*:*", "Resource": "*"}]})
    assert cli(capsys, "audit", ECS, "--policy", broad, *ENV)[0] == 0
    assert cli(capsys, "audit", ECS, "--policy", broad, "--strict", *ENV)[0] == 1
    # two files together: the partial one and the missing statement in another
    rest = write(tmp_path, "rest.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["events:PutRule", "events:PutTargets",
                                       "events:DescribeRule"],
         "Resource": "arn:aws:events:us-east-1:123456789012:rule/"
                     "StepFunctionsGetEventsForECSTaskRule"}]})
    assert cli(capsys, "audit", ECS, "--policy", partial, "--policy", rest, *ENV)[0] == 0


@pytest.mark.parametrize("argv", [
    ["audit", ECS],  # no role
    ["audit", "missing.json", "--policy", "x.json"],
    ["audit", ECS, "--policy", ECS],  # a definition is not a policy
    ["audit", ECS, "--policy", str(ROOT / "pyproject.toml")],
    ["audit", ECS, "--state-machine", "M", "--policy", ECS],
])
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str],
                                      argv: list[str]) -> None:
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("sfn-iam: error:"), err


def test_json_format(capsys: pytest.CaptureFixture[str], generated: str,
                     tmp_path: Path) -> None:
    partial = _without(generated, "ecs:StopTask", tmp_path)
    code, out, _ = cli(capsys, "audit", ECS, "--policy", partial, "--format", "json", *ENV)
    data = json.loads(out)
    assert code == 1 and set(data) == {"missing", "excess", "undecided", "not_evaluated"}
    (m,) = [m for m in data["missing"] if m["action"] == "ecs:StopTask"]
    assert {"action", "resource", "condition", "states", "consequence"} <= set(m)
    assert m["states"] == ["BuildReport", "Migrate"] and "billing" in m["consequence"]


def test_text_is_plain_off_a_terminal(capsys: pytest.CaptureFixture[str], generated: str,
                                      tmp_path: Path) -> None:
    partial = _without(generated, "ecs:StopTask", tmp_path)
    _, out, _ = cli(capsys, "audit", ECS, "--policy", partial, *ENV)
    assert "\x1b[" not in out
    assert out.splitlines()[0].split() == ["KIND", "ACTION", "RESOURCE", "STATES", "DETAIL"]
    # ecs:StopTask and ecs:DescribeTasks share the statement taken out
    assert out.splitlines()[-1].startswith("2 missing, 0 excess, 0 undecided")


def test_colour_on_a_terminal() -> None:
    from sfn_iam import generate_policy
    from sfn_iam.audit import audit
    from sfn_iam.audit.render import text

    report = audit(Path(ECS).read_bytes(), [{"Version": "2012-10-17", "Statement": []}])
    coloured = text(report, colour=True)
    assert "\x1b[31m" in coloured and "\x1b[0m" in coloured
    assert generate_policy  # the same report uncoloured has no escapes
    assert "\x1b[" not in text(report)


def test_sarif_locations_point_at_the_state(capsys: pytest.CaptureFixture[str],
                                            generated: str, tmp_path: Path) -> None:
    partial = _without(generated, "ecs:StopTask", tmp_path)
    code, out, _ = cli(capsys, "audit", ECS, "--policy", partial, "--format", "sarif", *ENV)
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "sfn-iam"
    (result,) = [r for r in run["results"] if "ecs:StopTask" in r["message"]["text"]]
    assert result["ruleId"] == "missing-permission" and result["level"] == "error"
    lines = Path(ECS).read_text().splitlines()
    for loc in result["locations"]:
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"] == ECS
        state = loc["logicalLocations"][0]["name"]
        assert f'"{state}"' in lines[phys["region"]["startLine"] - 1]


def test_state_line_json_yaml_and_nesting() -> None:
    text = '{\n "StartAt": "A",\n "States": {\n  "A": {\n   "Type": "Parallel",\n' \
           '   "Branches": [{"StartAt": "B", "States": {\n    "B": {"Type": "Pass"}}}]}}}'
    assert state_line(text, ("A",)) == 4
    assert state_line(text, ("A", "branch 1", "B")) == 7
    yaml = "StartAt: A\nStates:\n  A:\n    Type: Map\n    ItemProcessor:\n      States:\n" \
           "        Inner:\n          Type: Pass\n"
    assert state_line(yaml, ("A", "Inner")) == 7
    assert state_line(yaml, ("Nope",)) is None


def test_markdown(capsys: pytest.CaptureFixture[str], generated: str, tmp_path: Path) -> None:
    partial = _without(generated, "ecs:StopTask", tmp_path)
    _, out, _ = cli(capsys, "audit", ECS, "--policy", partial, "--format", "markdown", *ENV)
    assert out.startswith("### sfn-iam audit")
    assert "#### Missing" in out and "| `ecs:StopTask` |" in out


def test_template_role_on_the_command_line(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    template = {"Resources": {
        "M": {"Type": "AWS::StepFunctions::StateMachine",
              "Properties": {"RoleArn": {"Fn::GetAtt": ["R", "Arn"]}}},
        "R": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{
            "PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "lambda:InvokeFunction",
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:"
                                        "${AWS::AccountId}:function:price-order:live"}}]}}]}}}}
    path = write(tmp_path, "template.json", template)
    code, out, _ = cli(capsys, "audit", str(ROOT / "examples" / "lambda.asl.json"),
                       "--template-role", path, "--format", "json", *ENV)
    data = json.loads(out)
    assert code == 1
    assert "arn:aws:lambda:us-east-1:123456789012:function:price-order:live" not in {
        m["resource"] for m in data["missing"]}
    assert {m["resource"].rsplit(":", 1)[-1] for m in data["missing"]} == {
        "validate-order", "ship-order", "request-approval"}


def test_explain_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "explain", ECS, *ENV)
    assert code == 0
    assert "Statement 1: Allow" in out and "needed by state 'Migrate'" in out
    assert "[unknown-passed-role]" in out
    _, out, _ = cli(capsys, "explain", ECS, "--format", "json", *ENV)
    data = json.loads(out)
    assert all(item["needed_by"] for item in data["statements"])
    assert {w["code"] for w in data["warnings"]} == {"unknown-passed-role"}
    _, out, _ = cli(capsys, "explain", ECS, "--format", "markdown", *ENV)
    assert out.startswith("### sfn-iam explain") and "| Migrate |" in out


def test_generate_does_not_import_the_audit(tmp_path: Path) -> None:
    mods = imported("generate", ECS)
    assert not [m for m in mods if m.startswith(("sfn_iam.audit", "sfn_iam.evaluate",
                                                 "sfn_iam.commands.audit"))]
    assert not [m for m in imported("audit", "--help") if m.startswith(HEAVY)]
    # the SAM data is read only for --template-role
    plain = imported("audit", ECS, "--policy", ECS)
    assert "samtranslator" not in {m.split(".")[0] for m in plain}
    # the template readers (the role's resolver) only for a file with template functions
    assert not [m for m in plain if m.startswith("sfn_iam.sources")]


def test_sarif_excess_points_at_the_action_in_the_policy_file(
        capsys: pytest.CaptureFixture[str], generated: str, tmp_path: Path) -> None:
    doc = json.loads(Path(generated).read_text())
    doc["Statement"].append({"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "*"})
    path = write(tmp_path, "role.json", doc)
    code, out, _ = cli(capsys, "audit", ECS, "--policy", path, "--format", "sarif", *ENV)
    (result,) = json.loads(out)["runs"][0]["results"]
    assert code == 0 and result["ruleId"] == "excess-permission"
    phys = result["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == path
    line = Path(path).read_text().splitlines()[phys["region"]["startLine"] - 1]
    assert '"s3:DeleteBucket"' in line


@pytest.mark.parametrize("policy", [
    # a condition value nested 100,000 deep
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", '
    '"Resource": "*", "Condition": {"StringEquals": {"k": ' + "[" * 100000 + "]" * 100000
    + "}}}]}",
    # a YAML alias bomb
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
])
def test_hostile_policy_files_are_one_line_errors(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path, policy: str) -> None:
    path = tmp_path / ("p.yaml" if policy.startswith("a:") else "p.json")
    path.write_text(policy)
    code, out, err = cli(capsys, "audit", ECS, "--policy", str(path), *ENV)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("sfn-iam: error:"), err[:300]


def test_deep_template_values_are_read_safely(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    """A parameter nested 50,000 deep: the template readers' resolver refuses it as they
    refuse such a definition (exit 2, one line naming the file), no internal error."""
    deep = "[" * 50000 + "]" * 50000
    text = ('{"Resources": {"M": {"Type": "AWS::Serverless::StateMachine", "Properties": '
            '{"Policies": [{"LambdaInvokePolicy": {"FunctionName": ' + deep + '}}]}}}}')
    path = tmp_path / "t.json"
    path.write_text(text)
    code, out, err = cli(capsys, "audit", ECS, "--template-role", str(path), *ENV)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and str(path) in err
    assert "nested too deeply" in err


def test_managed_policy_documents_are_evaluated(capsys: pytest.CaptureFixture[str],
                                                 generated: str, tmp_path: Path) -> None:
    """A role naming a managed policy by ARN: undecided until its document is given."""
    managed = "arn:aws:iam::aws:policy/ExampleEcsPolicy"
    doc = json.loads(Path(generated).read_text())
    role = write(tmp_path, "role.json", {"Type": "AWS::IAM::Role", "Properties": {
        "Policies": [], "ManagedPolicyArns": [managed]}})
    code, out, _ = cli(capsys, "audit", ECS, "--policy", role, "--format", "json", *ENV)
    data = json.loads(out)
    assert code == 0 and data["missing"] == [] and data["not_evaluated"] == [managed]
    assert len(data["undecided"]) == 11
    version = write(tmp_path, "v.json", {"PolicyVersion": {"Document": doc, "VersionId": "v1"}})
    code, out, _ = cli(capsys, "audit", ECS, "--policy", role, "--managed-policy",
                       f"{managed}={version}", "--format", "json", *ENV)
    data = json.loads(out)
    assert code == 0 and data == {"missing": [], "excess": [], "undecided": [],
                                  "not_evaluated": []}
    code, _, err = cli(capsys, "audit", ECS, "--policy", role, "--managed-policy", "x", *ENV)
    assert code == 2 and "ARN=FILE" in err


def test_short_form_tags_in_a_template_are_read(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """--template-role reads YAML's short-form tags with the template readers' loader: the
    same report as the long form."""
    head = "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
    path = tmp_path / "template.yaml"
    path.write_text(head + "      Policies:\n        - LambdaInvokePolicy:\n"
                    "            FunctionName: {Ref: Fn}\n")
    code, long_out, err = cli(capsys, "audit", ECS, "--template-role", str(path), *ENV)
    assert code == 1 and err == "" and "ecs:RunTask" in long_out
    path.write_text(head + "      Policies:\n        - LambdaInvokePolicy:\n"
                    "            FunctionName: !Ref Fn\n")
    code, short_out, err = cli(capsys, "audit", ECS, "--template-role", str(path), *ENV)
    assert code == 1 and err == "" and short_out == long_out
    # a role the audit cannot read (an unknown function) is not evaluated: undecided, never
    # "missing" nor "allowed"
    path.write_text(head + "      Role: !NoSuchFunction R.Arn\n")
    code, out, err = cli(capsys, "audit", ECS, "--template-role", str(path), *ENV)
    assert code == 0 and err == "" and "0 missing" in out and "not evaluated" in out


def test_markdown_cells_cannot_carry_html_or_break_the_table() -> None:
    from sfn_iam.audit import audit
    from sfn_iam.audit.render import markdown

    hostile = "x|<img src=x onerror=alert(1)>`\n"
    definition = {"StartAt": hostile, "States": {hostile: {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"}, "End": True}}}
    report = audit(definition, [{"Version": "2012-10-17", "Statement": []}],
                   region="us-east-1", account="123456789012")
    out = markdown(report)
    assert "<img" not in out and "&lt;img" in out
    rows = [line for line in out.splitlines() if line.startswith("| `lambda")]
    assert len(rows) == 1 and rows[0].count(" | ") == 3  # four cells, the pipe escaped


def test_json_keys_in_the_issue_order(capsys: pytest.CaptureFixture[str], generated: str,
                                      tmp_path: Path) -> None:
    doc = json.loads(Path(_without(generated, "ecs:StopTask", tmp_path)).read_text())
    doc["Statement"].append({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    path = write(tmp_path, "role2.json", doc)
    _, out, _ = cli(capsys, "audit", ECS, "--policy", path, "--format", "json", *ENV)
    data = json.loads(out)
    assert list(data)[:3] == ["missing", "excess", "undecided"]
    assert list(data["missing"][0])[:5] == ["action", "resource", "condition", "states",
                                            "consequence"]
    assert list(data["excess"][0])[:4] == ["action", "resource", "statement", "narrower"]


SAM_MACHINE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: worker, Handler: a.b, Runtime: python3.12, CodeUri: .}
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Work
        States:
          Work:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: !Ref Worker}
            Next: Queue
          Queue:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters: {QueueUrl: !Ref Jobs, MessageBody: x}
            End: true
      Policies:
        - LambdaInvokePolicy: {FunctionName: !Ref Worker}
"""


def test_a_template_definition_is_audited_against_its_own_role(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """DEFINITION may be the template itself: the machine is read with the template readers
    and, with no --policy, its own role (SAM Policies) is audited."""
    path = tmp_path / "template.yaml"
    path.write_text(SAM_MACHINE)
    code, out, err = cli(capsys, "audit", str(path), "--format", "json", *ENV)
    assert code == 1, err
    missing = json.loads(out)["missing"]
    assert [(m["action"], m["resource"]) for m in missing] == [
        ("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")]
    assert missing[0]["states"] == ["Queue"]
    # the role fixed with SQSSendMessagePolicy: nothing missing
    path.write_text(SAM_MACHINE + "        - SQSSendMessagePolicy: {QueueName: jobs}\n")
    code, out, err = cli(capsys, "audit", str(path), "--format", "json", *ENV)
    assert code == 0, err
    assert json.loads(out)["missing"] == []
    # --policy instead of the template's role
    policy = write(tmp_path, "p.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})
    code, out, _ = cli(capsys, "audit", str(path), "--policy", policy, "--format", "json", *ENV)
    report = json.loads(out)
    assert code == 1 and [m["action"] for m in report["missing"]] == ["lambda:InvokeFunction"]


def test_a_role_file_is_resolved_with_the_run_s_environment(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A role as CloudFormation writes it, given with --policy: its pseudo parameters take
    --region/--account/--partition, as the definition's do; without them they stay unknown."""
    arn = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:{n}"
    role = {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{
        "PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "lambda:InvokeFunction",
            "Resource": [{"Fn::Sub": arn.replace("{n}", n)} for n in (
                "validate-order", "ship-order", "price-order:live")] + [
                "arn:aws:lambda:us-east-1:111122223333:function:request-approval"]}]}}]}}
    path = write(tmp_path, "role.json", role)
    lam = str(ROOT / "examples" / "lambda.asl.json")
    code, out, _ = cli(capsys, "audit", lam, "--policy", path, "--format", "json", *ENV)
    data = json.loads(out)
    assert code == 0 and data["missing"] == [] and data["undecided"] == []
    code, out, _ = cli(capsys, "audit", lam, "--policy", path, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["missing"] == [] and data["undecided"]
