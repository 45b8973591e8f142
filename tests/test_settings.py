"""State-machine settings: --xray, --logging, --kms-key (CURRENT-DOCS §7), the machine's own
ARN, and the trust policy (§8)."""

from __future__ import annotations

import json

import pytest

from sfn_iam import generate_policy
from sfn_iam.cli import main
from sfn_iam.commands.trust_policy import trust_policy
from sfn_iam.errors import UsageError
from tests.util import ACCOUNT, REGION, assert_policy, codes, machine, stmt, task

SM = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Orders"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LOGS = ["logs:CreateLogDelivery", "logs:CreateLogStream", "logs:GetLogDelivery",
        "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
        "logs:PutLogEvents", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups"]
FN = task("arn:aws:states:::lambda:invoke", {"FunctionName": "f"})
FN_STMT = stmt("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f")


def test_logging() -> None:
    r = generate_policy(machine(FN), region=REGION, account=ACCOUNT, logging=True)
    assert_policy(r, FN_STMT, stmt(LOGS, "*"))


def test_kms_key_with_machine_arn() -> None:
    r = generate_policy(machine(FN), state_machine_arn=SM, kms_key=KEY)
    assert_policy(r, FN_STMT, stmt(["kms:Decrypt", "kms:GenerateDataKey"], KEY, {
        "StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": SM}}))
    assert r.warnings == []


def test_kms_key_and_logging() -> None:
    r = generate_policy(machine(FN), state_machine_arn=SM, kms_key=KEY, logging=True)
    assert_policy(
        r, FN_STMT, stmt(LOGS, "*"),
        stmt(["kms:Decrypt", "kms:GenerateDataKey"], KEY,
             {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": SM}}),
        stmt("kms:GenerateDataKey", KEY,
             {"StringLike": {"kms:EncryptionContext:SourceArn":
                             f"arn:aws:logs:{REGION}:{ACCOUNT}:*"}}))


def test_kms_key_without_machine_arn_warns() -> None:
    r = generate_policy(machine(FN), region=REGION, account=ACCOUNT, kms_key=KEY)
    assert_policy(r, FN_STMT, stmt(["kms:Decrypt", "kms:GenerateDataKey"], KEY, {
        "StringLike": {"kms:EncryptionContext:aws:states:stateMachineArn":
                       f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:*"}}))
    assert codes(r) == ["unknown-state-machine"]


def test_kms_key_id_is_completed() -> None:
    r = generate_policy(machine(FN), state_machine_arn=SM,
                        kms_key="1234abcd-12ab-34cd-56ef-1234567890ab")
    assert KEY in json.dumps(r.document)


def test_bad_kms_key() -> None:
    with pytest.raises(UsageError):
        generate_policy(machine(FN), kms_key="not-a-key")


def test_xray_logging_kms_on_activity_only_machine() -> None:
    act = task(f"arn:aws:states:{REGION}:{ACCOUNT}:activity:a")
    r = generate_policy(machine(act), state_machine_arn=SM, xray=True)
    assert r.document["Statement"][0]["Effect"] == "Allow"
    assert r.document["Statement"][0]["Action"][0].startswith("xray:")


def test_state_machine_arn_gives_region_and_account() -> None:
    r = generate_policy(machine(FN), state_machine_arn=SM)
    assert_policy(r, FN_STMT)
    assert r.warnings == []


@pytest.mark.parametrize("kw", [
    {"state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:O:PROD"},
    {"state_machine_arn": "Orders"},
    {"state_machine_arn": SM, "region": "eu-west-1"},
    {"state_machine_arn": SM, "account": "111122223333"},
])
def test_bad_state_machine_arn(kw: dict[str, str]) -> None:
    with pytest.raises(UsageError):
        generate_policy(machine(FN), **kw)


def test_trust_policy_with_machine() -> None:
    doc, warnings = trust_policy(state_machine_arn=SM)
    assert warnings == []
    assert doc["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:SourceArn": SM},
                      "StringEquals": {"aws:SourceAccount": ACCOUNT}}}]


def test_trust_policy_account_and_region() -> None:
    doc, _ = trust_policy(region="cn-north-1", account=ACCOUNT)
    cond = doc["Statement"][0]["Condition"]
    assert cond["ArnLike"]["aws:SourceArn"] == f"arn:aws-cn:states:cn-north-1:{ACCOUNT}:stateMachine:*"


def test_trust_policy_without_account_warns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-policy"]) == 0
    out, err = capsys.readouterr()
    assert "Condition" not in json.loads(out)["Statement"][0]
    assert "confused-deputy" in err


def test_cli_settings_flags(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "d.json"
    f.write_text(json.dumps(machine(FN)))
    assert main(["generate", str(f), "--state-machine-arn", SM, "--logging", "--xray",
                 "--kms-key", KEY]) == 0
    actions = {a for s in json.loads(capsys.readouterr().out)["Statement"] for a in s["Action"]}
    assert {"logs:CreateLogDelivery", "xray:PutTraceSegments", "kms:Decrypt"} <= actions


def test_qualifier_condition() -> None:
    child = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Child"
    t = task("arn:aws:states:::states:startExecution", {"StateMachineArn": child + ":PROD"})
    plain = generate_policy(machine(t), state_machine_arn=SM)
    assert_policy(plain, stmt("states:StartExecution", child))
    scoped = generate_policy(machine(t), state_machine_arn=SM, qualifier_condition=True)
    assert_policy(scoped, stmt("states:StartExecution", child, {
        "ForAnyValue:StringEquals": {"states:StateMachineQualifier": "PROD"}}))
    unqualified = task("arn:aws:states:::states:startExecution", {"StateMachineArn": child})
    r = generate_policy(machine(unqualified), state_machine_arn=SM, qualifier_condition=True)
    assert_policy(r, stmt("states:StartExecution", child))
