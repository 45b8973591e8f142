"""Cross-account Tasks (Credentials.RoleArn, CURRENT-DOCS §9.1): the execution role gets only
sts:AssumeRole; the service permissions are the target role's, reported apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_iam.cli import main
from tests.util import ACCOUNT, REGION, assert_policy, codes, machine, run, stmt, task

TARGET = "arn:aws:iam::111122223333:role/Deployer"
CHILD = "arn:aws:states:us-east-1:111122223333:stateMachine:Child"


def sync_child(credentials: dict[str, str], jsonata: bool = False) -> dict[str, object]:
    return task("arn:aws:states:::states:startExecution.sync",
                {"StateMachineArn": CHILD}, jsonata=jsonata, Credentials=credentials)


def test_static_role() -> None:
    r = run(sync_child({"RoleArn": TARGET}),
            task("arn:aws:states:::lambda:invoke", {"FunctionName": "local"}))
    assert_policy(r, stmt("sts:AssumeRole", TARGET),
                  stmt("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:local"))
    assert list(r.target_policies) == [TARGET]
    actions = {a for s in r.target_policies[TARGET]["Statement"] for a in s["Action"]}
    assert actions == {"states:StartExecution", "states:DescribeExecution", "states:StopExecution",
                       "events:PutTargets", "events:PutRule", "events:DescribeRule"}
    assert r.warnings == []


@pytest.mark.parametrize(("creds", "jsonata"), [
    ({"RoleArn.$": "$.role"}, False),
    ({"RoleArn.$": "States.Format('arn:aws:iam::{}:role/R', $.acct)"}, False),
    ({"RoleArn.$": "$$.Execution.Input.role"}, False),
    ({"RoleArn.$": "$roleVar"}, False),
    ({"RoleArn": "{% $states.input.role %}"}, True),
])
def test_dynamic_role(creds: dict[str, str], jsonata: bool) -> None:
    r = run(sync_child(creds, jsonata))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter in ("Credentials.RoleArn.$", "Credentials.RoleArn")
    assert_policy(r, stmt("sts:AssumeRole", "arn:aws:iam::*:role/*"))
    assert list(r.target_policies) == ["*"]


def test_malformed_role() -> None:
    r = run(sync_child({"RoleArn": "Deployer"}))
    assert codes(r) == ["malformed-value"]
    assert_policy(r, stmt("sts:AssumeRole", "arn:aws:iam::*:role/*"))


def test_cli_writes_target_policies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps(machine(sync_child({"RoleArn": TARGET}))))
    out_dir = tmp_path / "targets"
    assert main(["generate", str(f), "--region", REGION, "--account", ACCOUNT,
                 "--target-policies", str(out_dir)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["Statement"] == [stmt(["sts:AssumeRole"], [TARGET])]
    written = json.loads((out_dir / "111122223333-Deployer.json").read_text())
    assert written["Version"] == "2012-10-17"
    assert "note:" in err and TARGET in err


def test_cli_notes_target_policies_without_dir(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps(machine(sync_child({"RoleArn": TARGET}))))
    assert main(["generate", str(f), "--region", REGION, "--account", ACCOUNT]) == 0
    assert "--target-policies" in capsys.readouterr().err


def test_names_in_a_cross_account_task_are_in_the_target_account() -> None:
    t = task("arn:aws:states:::codebuild:startBuild.sync", {"ProjectName": "web"},
             Credentials={"RoleArn": TARGET})
    r = run(t)
    resources = {res for s in r.target_policies[TARGET]["Statement"] for res in s["Resource"]}
    assert resources == {
        f"arn:aws:codebuild:{REGION}:111122223333:project/web",
        f"arn:aws:events:{REGION}:111122223333:rule/StepFunctionsGetEventForCodeBuildStartBuildRule",
    }


def test_names_of_a_dynamic_role_task_are_in_an_unknown_account() -> None:
    t = task("arn:aws:states:::codebuild:startBuild", {"ProjectName": "web"},
             Credentials={"RoleArn.$": "$.role"})
    r = run(t)
    resources = {res for s in r.target_policies["*"]["Statement"] for res in s["Resource"]}
    assert resources == {f"arn:aws:codebuild:{REGION}:*:project/web"}
    assert "unknown-account" not in codes(r)
