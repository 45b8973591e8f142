"""The live reader against a moto server (tests/live/conftest.py): state machines, versions,
aliases, every state machine of a region, a role's policies, and the one-line errors when
the reader lacks a permission (moto enforcing IAM)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from sfn_iam import generate_policy, live
from sfn_iam.cli import main
from tests.live.conftest import set_auth
from tests.live.helpers import (
    ACCOUNT,
    REGION,
    lambda_definition,
    role,
    state_machine,
    user_with_policy,
)

ONE = lambda_definition("validate-order")
TWO = lambda_definition("validate-order", "ship-order")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_arn_reads_the_definition_and_settings(
        aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    role_arn = role("OrdersRole")
    arn = state_machine("Orders", TWO, role_arn,
                        tracingConfiguration={"enabled": True})["stateMachineArn"]
    machine = live.describe(arn)
    assert machine.arn == arn and machine.role_arns == [role_arn]
    assert json.loads(machine.definitions[0][1]) == TWO
    code, out, err = run(capsys, "generate", arn)
    assert code == 0, err
    expected = generate_policy(TWO, state_machine_arn=arn, xray=machine.xray)
    assert json.loads(out) == expected.document
    assert f"function:{'ship-order'}" in out and f":{ACCOUNT}:" in out
    # the same in a template: the machine's own ARN gives region and account
    code, out, _ = run(capsys, "generate", arn, "--format", "terraform")
    assert code == 0 and "aws_iam_role" in out and ACCOUNT not in out


def test_a_version_arn_reads_that_version(aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    first = state_machine("Versioned", ONE, role("VRole"), publish=True)
    arn = first["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(TWO), publish=True)
    code, out, _ = run(capsys, "generate", f"{arn}:1")
    assert code == 0 and "ship-order" not in out and "validate-order" in out
    code, out, _ = run(capsys, "generate", f"{arn}:2")
    assert code == 0 and "ship-order" in out
    # the policy grants on the unqualified ARN (how AWS authorises versions)
    assert live.describe(f"{arn}:1").arn == arn


def test_an_alias_gets_the_policy_of_every_version_it_routes_to(
        aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    first = state_machine("Aliased", lambda_definition("old-fn"), role("ARole"), publish=True)
    arn = first["stateMachineArn"]
    second = sfn.update_state_machine(stateMachineArn=arn,
                                      definition=json.dumps(lambda_definition("new-fn")),
                                      publish=True)["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(name="prod", routingConfiguration=[
        {"stateMachineVersionArn": first["stateMachineVersionArn"], "weight": 90},
        {"stateMachineVersionArn": second, "weight": 10}])["stateMachineAliasArn"]
    machine = live.describe(alias)
    assert [v for v, _ in machine.definitions] == [f"{arn}:1", f"{arn}:2"]
    code, out, _ = run(capsys, "generate", alias)
    assert code == 0
    resources = [r for s in json.loads(out)["Statement"] for r in s["Resource"]]
    assert f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:old-fn" in resources
    assert f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:new-fn" in resources


def test_all_in_region_pages_through_every_state_machine(
        aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    role_arn = role("Many")
    arns = [state_machine(f"M{i}", lambda_definition(f"fn-{i}"), role_arn)["stateMachineArn"]
            for i in range(5)]
    assert sorted(live.list_state_machines(REGION, page_size=2)) == sorted(arns)
    code, out, err = run(capsys, "generate", "--all-in-region", REGION)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert sorted(line["arn"] for line in lines) == sorted(arns)
    for line in lines:
        name = line["arn"].rsplit(":", 1)[-1]
        assert line["role"] == role_arn
        assert line["policy"] == generate_policy(
            lambda_definition(f"fn-{name[1:]}"), state_machine_arn=line["arn"]).document
    assert err == ""  # no progress bar when stderr is not a terminal
    # the same with --jsonl, and a machine whose definition is unusable is one error line
    boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="Broken", definition='{"StartAt": "X", "States": {}}', roleArn=role_arn)
    code, out, err = run(capsys, "generate", "--all-in-region", REGION, "--jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and len(lines) == 6
    broken = next(line for line in lines if line["arn"].endswith(":Broken"))
    assert set(broken) == {"arn", "error"}


def test_role_policies_reads_inline_and_attached_managed_policies(aws: str) -> None:
    inline = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]}
    v1 = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    v2 = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}
    role_arn = role("Audited", inline={"inline-one": inline}, managed={"Managed": [v1, v2]})
    policies = live.role_policies(role_arn)
    assert policies == [
        {"name": "inline-one", "type": "inline", "document": inline},
        {"name": "Managed", "type": "managed",
         "arn": f"arn:aws:iam::{ACCOUNT}:policy/Managed", "document": v2},  # the default version
    ]


def test_a_missing_state_machine_is_one_line(aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Nope"
    code, out, err = run(capsys, "generate", arn)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and arn in err and "DescribeStateMachine" in err
    with pytest.raises(live.LiveError, match="Ghost"):
        live.role_policies(f"arn:aws:iam::{ACCOUNT}:role/Ghost")


def test_options_the_arn_gives_are_refused(aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:X"
    code, _, err = run(capsys, "generate", arn, "--region", "eu-west-1")
    assert code == 2 and "--region" in err and len(err.splitlines()) == 1


# --- permissions: moto enforcing IAM ----------------------------------------------------------


def _with(monkeypatch: pytest.MonkeyPatch, creds: dict[str, str]) -> None:
    for name, value in creds.items():
        monkeypatch.setenv(name, value)


def test_access_denied_names_the_action_the_reader_needs(
        aws: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    role_arn = role("Guarded")
    arn = state_machine("Guarded", ONE, role_arn)["stateMachineArn"]
    only_describe = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "states:DescribeStateMachine", "Resource": "*"}]}
    nothing = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}
    describer = user_with_policy("describer", only_describe)
    nobody = user_with_policy("nobody", nothing)
    set_auth(aws, enforced=True)
    _with(monkeypatch, nobody)
    code, out, err = run(capsys, "generate", arn)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert "access denied" in err and "states:DescribeStateMachine" in err
    code, out, err = run(capsys, "generate", "--all-in-region", REGION)
    assert code == 2 and "states:ListStateMachines" in err
    _with(monkeypatch, describer)
    assert live.describe(arn).role_arns == [role_arn]  # allowed
    with pytest.raises(live.LiveError, match="iam:GetRole"):
        live.role_policies(role_arn)


def _resource(operation: str, params: dict[str, Any]) -> str:
    """The resource a call is authorised on (Service Authorization Reference)."""
    for key in ("stateMachineArn", "stateMachineAliasArn", "PolicyArn"):
        if key in params:
            return str(params[key])
    if "RoleName" in params:
        return f"arn:aws:iam::{ACCOUNT}:role/{params['RoleName']}"
    assert operation == "ListStateMachines", operation
    return "*"


def test_the_readers_own_policy_is_enough_for_everything_it_does(
        aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user allowed the actions of :func:`live.reader_policy` reads machines, versions,
    aliases, the region and roles, with moto enforcing IAM (moto authorises those actions on
    ``*`` only, so the user has them on ``*``); every call is one of :data:`live.CALLS`, and
    the policy's own resources allow each call's resource (tests/iam_eval.py)."""
    from tests.iam_eval import is_allowed

    sfn = boto3.client("stepfunctions", region_name=REGION)
    v1 = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    role_arn = role("Read", inline={"i": v1}, managed={"M": [v1]})
    first = state_machine("Read", ONE, role_arn, publish=True)
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": first["stateMachineVersionArn"], "weight": 100}])
    policy = live.reader_policy(account=ACCOUNT)
    actions = sorted({a for st in policy["Statement"] for a in st["Action"]})
    reader = user_with_policy("reader", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    set_auth(aws, enforced=True)
    _with(monkeypatch, reader)
    calls: list[tuple[str, dict[str, Any]]] = []
    session = live.Session()
    for client in (session.client("stepfunctions", REGION), session.client("iam")):
        client.meta.events.register(
            "before-parameter-build", lambda model, params, **_: calls.append((model.name, params)))
    machine = live.describe(alias["stateMachineAliasArn"], session)
    assert list(live.list_state_machines(REGION, session)) == [first["stateMachineArn"]]
    assert [p["type"] for p in live.role_policies(machine.role_arns[0], session)] == [
        "inline", "managed"]
    assert {name for name, _ in calls} == set(live.CALLS)
    for name, params in calls:
        resource = _resource(name, params)
        assert is_allowed(policy, live.CALLS[name][0], resource), (name, resource)
    # and nothing broader: another account's roles are not readable with it
    assert not is_allowed(policy, "iam:GetRole", "arn:aws:iam::999999999999:role/X")


def test_reader_policy_uses_the_calls_table() -> None:
    policy = live.reader_policy(partition="aws", account=ACCOUNT)
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == {action for action, _ in live.CALLS.values()}
    assert all(a.split(":")[1].startswith(("Describe", "List", "Get")) for a in actions)
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert f"arn:aws:iam::{ACCOUNT}:role/*" in resources and "*" in resources


def test_the_reader_actions_are_those_the_sdk_methods_need() -> None:
    """Cross-check with iam-dataset's SDK-method -> IAM-action map (2023; aliases came later)."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "shared" / "data" / "iam-dataset-2023" / "map.json"
    if not path.exists():
        pytest.skip("../shared/data/iam-dataset-2023 is not here")
    mapping: dict[str, Any] = json.loads(path.read_text())["sdk_method_iam_mappings"]
    checked = 0
    for operation, (action, _) in live.CALLS.items():
        client = "IAM" if action.startswith("iam:") else "StepFunctions"
        known = mapping.get(f"{client}.{operation}")
        if known is None:
            assert operation == "DescribeStateMachineAlias"  # released in June 2023
            continue
        assert [m["action"] for m in known] == [action]
        checked += 1
    assert checked == len(live.CALLS) - 1


class _Terminal:
    """stderr as a terminal (what isatty says), recording what is written."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_all_in_region_shows_progress_on_a_terminal_only(
        aws: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    role_arn = role("Progress")
    for i in range(3):
        state_machine(f"P{i}", lambda_definition(f"p-{i}"), role_arn)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    code = main(["generate", "--all-in-region", REGION])
    out = capsys.readouterr().out
    assert code == 0 and len(out.splitlines()) == 3
    assert "[1/3]" in terminal.text and "[3/3]" in terminal.text
    assert terminal.text.endswith("3 state machine(s) in us-east-1\n")


def test_an_unknown_profile_or_no_credentials_is_one_line(
        aws: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:X"
    code, out, err = run(capsys, "generate", arn, "--profile", "nope")
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "nope" in err
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, out, err = run(capsys, "generate", arn)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "no AWS credentials" in err


def test_without_boto3_the_message_names_the_extra(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    for name in ("boto3", "botocore", "botocore.exceptions"):  # an install without the extra
        monkeypatch.setitem(sys.modules, name, None)
    code, out, err = run(capsys, "generate", f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:X")
    assert code == 2 and out == "" and "pip install 'sfn-iam[aws]'" in err


def test_a_bad_region_for_all_in_region_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "generate", "--all-in-region", "mars")
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "mars" in err


def test_all_in_region_strict_drops_the_policies_with_warnings(
        aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    role_arn = role("Strict")
    state_machine("Clean", ONE, role_arn)
    dynamic = {"StartAt": "D", "States": {"D": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Parameters": {"FunctionName.$": "$.fn"}}}}
    state_machine("Dynamic", dynamic, role_arn)
    code, out, _ = run(capsys, "generate", "--all-in-region", REGION, "--strict")
    lines = {json.loads(x)["arn"].rsplit(":", 1)[-1]: json.loads(x) for x in out.splitlines()}
    assert code == 1
    assert "policy" in lines["Clean"] and "policy" not in lines["Dynamic"]
    assert [w["code"] for w in lines["Dynamic"]["warnings"]] == ["dynamic-resource"]


def test_refused_credentials_are_not_a_missing_permission(
        aws: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    arn = state_machine("Keys", ONE, role("Keys"))["stateMachineArn"]
    set_auth(aws, enforced=True)
    _with(monkeypatch, {"AWS_ACCESS_KEY_ID": "AKIANOTAKEY000000000",
                        "AWS_SECRET_ACCESS_KEY": "wrong"})
    code, out, err = run(capsys, "generate", arn)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "credentials were refused" in err and "access denied" not in err


def test_a_customer_managed_key_adds_its_permissions(aws: str) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    arn = state_machine("Encrypted", ONE, role("Enc"), encryptionConfiguration={
        "type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key,
        "kmsDataKeyReusePeriodSeconds": 300})["stateMachineArn"]
    machine = live.describe(arn)
    assert machine.kms_key == key
    document = live.generate(machine).document
    kms = [s for s in document["Statement"] if "kms:Decrypt" in s["Action"]]
    assert kms and kms[0]["Resource"] == [key]


def test_logging_and_tracing_settings_add_their_permissions(aws: str) -> None:
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/x:*"
    arn = state_machine("Logged", ONE, role("Logged"), tracingConfiguration={"enabled": True},
                        loggingConfiguration={"level": "ALL", "includeExecutionData": True,
                                              "destinations": [{"cloudWatchLogsLogGroup": {
                                                  "logGroupArn": group}}]})["stateMachineArn"]
    machine = live.describe(arn)
    assert machine.logging and machine.xray
    actions = {a for s in live.generate(machine).document["Statement"] for a in s["Action"]}
    assert {"logs:CreateLogDelivery", "xray:PutTraceSegments", "lambda:InvokeFunction"} <= actions
    plain = live.describe(state_machine("Plain", ONE, role("Plain"))["stateMachineArn"])
    assert not plain.logging and not plain.xray


def test_roles_of_other_partitions_are_read_through_their_partitions_iam(aws: str) -> None:
    """IAM is global to a partition: a client without a region is aws-global (commercial),
    so an aws-cn role is read with a China region."""
    session = live.Session()
    regions: list[str] = []
    client = session.client("iam", "cn-north-1")
    client.meta.events.register("before-parameter-build",
                                lambda **_: regions.append(client.meta.region_name))
    with pytest.raises(live.LiveError, match="GetRole"):  # moto's aws-cn IAM has no such role
        live.role_policies("arn:aws-cn:iam::123456789012:role/China", session)
    assert regions == ["cn-north-1"]


def test_audit_arn_reads_the_machine_and_its_role(aws: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """``sfn-iam audit ARN``: the definition and the role (inline and attached managed
    policies, the default version) come from the account."""
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
    validate = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction",
         "Resource": f"{fn}:validate-order"}]}
    ship_old = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": f"{fn}:ship-order"}]}
    ship_now = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    role_arn = role("AuditedRole", inline={"validate": validate},
                    managed={"Ship": [ship_old, ship_now]})
    arn = state_machine("Audited", TWO, role_arn)["stateMachineArn"]
    code, out, err = run(capsys, "audit", arn, "--format", "json")
    assert code == 1, err  # ship-order is missing: the managed policy's default version dropped it
    report = json.loads(out)
    assert [(m["action"], m["resource"]) for m in report["missing"]] == [
        ("lambda:InvokeFunction", f"{fn}:ship-order")]
    assert [e["action"] for e in report["excess"]] == ["sqs:SendMessage"]
    # with the role fixed, nothing is missing
    boto3.client("iam", region_name=REGION).put_role_policy(
        RoleName="AuditedRole", PolicyName="ship", PolicyDocument=json.dumps(ship_old))
    code, out, err = run(capsys, "audit", arn, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["missing"] == []
    # the options the ARN gives are refused, as for generate
    code, _, err = run(capsys, "audit", arn, "--region", REGION)
    assert code == 2 and "its own region" in err
