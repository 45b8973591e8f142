"""The CLI contract: stdout is the policy only, warnings on stderr, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sfn_iam.cli import main

ROOT = Path(__file__).resolve().parent.parent
LAMBDA = str(ROOT / "examples" / "lambda.asl.json")

DYNAMIC = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {"StartAt": "M2", "States": {"M2": {
                    "Type": "Map",
                    "Iterator": {"StartAt": "Q", "States": {"Q": {
                        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl.$": "$.queue", "MessageBody": "x"},
                        "End": True}}},
                    "End": True}}},
            ],
            "End": True,
        }
    },
}


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sfn_iam", *args], input=stdin,
                          check=False, capture_output=True, text=True, timeout=60)


def test_generate_prints_only_the_policy_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["generate", LAMBDA, "--region", "us-east-1", "--account", "123456789012"])
    out, err = capsys.readouterr()
    assert rc == 0
    doc = json.loads(out)
    assert doc["Version"] == "2012-10-17"
    assert doc["Statement"][0]["Action"] == ["lambda:InvokeFunction"]
    assert err == ""


def test_warning_names_state_path_and_parameter(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps(DYNAMIC))
    assert main(["generate", str(f), "--region", "us-east-1", "--account", "123456789012"]) == 0
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "Fan > branch 2 > M2 > Q" in lines[0]
    assert "Parameters.QueueUrl.$" in lines[0]
    assert lines[0].startswith("sfn-iam: warning:")
    assert json.loads(out)["Statement"][0]["Resource"] == ["*"]


def test_strict_turns_warnings_into_exit_1(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps(DYNAMIC))
    assert main(["generate", str(f), "--strict", "--region", "us-east-1",
                 "--account", "123456789012"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "sfn-iam: error:" in err


def test_strict_without_warnings_is_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", LAMBDA, "--strict", "--region", "us-east-1",
                 "--account", "123456789012"]) == 0


def test_stdin() -> None:
    p = cli("generate", "-", "--region", "eu-west-1", "--account", "111122223333",
            stdin=json.dumps(DYNAMIC))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Statement"]


def test_substitute(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "${Invoke}",
        "Parameters": {"FunctionName": "${Fn}"}, "End": True}}}))
    rc = main(["generate", str(f), "--region", "us-east-1", "--account", "123456789012",
               "--substitute", "Invoke=arn:aws:states:::lambda:invoke",
               "--substitute", "Fn=worker"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert json.loads(out)["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:worker"]


def test_substitute_takes_several_values_before_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "${Invoke}",
        "Parameters": {"FunctionName": "${Fn}"}, "End": True}}}))
    rc = main(["generate", "--region", "us-east-1", "--account", "123456789012",
               "--substitute", "Invoke=arn:aws:states:::lambda:invoke", "Fn=w2", str(f)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert json.loads(out)["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:w2"]


def test_xray(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", LAMBDA, "--xray", "--region", "us-east-1",
                 "--account", "123456789012"]) == 0
    doc = json.loads(capsys.readouterr().out)
    xray = [s for s in doc["Statement"] if s["Action"][0].startswith("xray:")]
    assert xray == [{"Effect": "Allow", "Action": [
        "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords",
        "xray:PutTraceSegments"], "Resource": ["*"]}]


@pytest.mark.parametrize(
    ("region", "partition"),
    [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("eu-west-1", "aws")],
)
def test_partition_follows_region(region: str, partition: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", LAMBDA, "--region", region, "--account", "123456789012"]) == 0
    doc = json.loads(capsys.readouterr().out)
    built = [r for r in doc["Statement"][0]["Resource"] if "validate-order" in r]
    assert built == [f"arn:{partition}:lambda:{region}:123456789012:function:validate-order"]


def test_explicit_partition_wins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", LAMBDA, "--region", "us-east-1", "--partition", "aws-iso",
                 "--account", "123456789012"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "arn:aws-iso:lambda:us-east-1:123456789012:function:validate-order" in \
        doc["Statement"][0]["Resource"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("", "is empty"),
        ("[1, 2]", "top level must be an object"),
        ('{"StartAt": "A"}', '"States"'),
        ('{"StartAt": "A", "States": {"A": {"End": true}}}', 'state \'A\': has no "Type"'),
        ('{"StartAt": "A", "States": {"A": {"Type": "Task", "End": true}}}', '"Resource"'),
        ('{"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [{"StartAt": "B",'
         ' "States": {"B": {"Type": "Task", "Resource": 5, "End": true}}}], "End": true}}}',
         "A > branch 1 > B"),
        ('{"StartAt": "A", "States": {"A": {"Type": "Bogus"}}}', "Bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, content: str, needle: str) -> None:
    f = tmp_path / "bad.json"
    f.write_text(content)
    p = cli("generate", str(f))
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("sfn-iam: error:")
    assert str(f) in lines[0]
    assert needle in lines[0]
    assert "Traceback" not in p.stderr


def test_binary_input_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "bin.json"
    f.write_bytes(b"\xff\xfe\x00garbage\x80")
    p = cli("generate", str(f))
    assert p.returncode == 2
    assert "not UTF-8" in p.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["generate"],
        ["generate", "x.json", "--region", "nowhere"],
        ["generate", "x.json", "--account", "12"],
        ["generate", "x.json", "--substitute", "novalue"],
        ["frobnicate"],
        ["generate", "/no/such/file.json"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_unknown_integration_is_a_warning_and_rest_is_produced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::frob:nicate", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f"}, "End": True}}}))
    assert main(["generate", str(f), "--region", "us-east-1", "--account", "123456789012"]) == 0
    out, err = capsys.readouterr()
    assert "state 'A', Resource" in err and "unknown-integration" in err
    assert json.loads(out)["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:f"]


def test_help_lists_generate() -> None:
    p = cli("--help")
    assert p.returncode == 0
    assert "generate" in p.stdout


def test_provenance_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", LAMBDA, "--provenance", "--region", "us-east-1",
                 "--account", "123456789012"]) == 0
    out = json.loads(capsys.readouterr().out)
    states = {g["state"] for g in out["grants"]}
    assert states == {"Validate", "Price", "WaitForApproval", "Ship"}
    assert all(g["rule"].startswith("lambda:") for g in out["grants"])
    assert {g.get("parameter") for g in out["grants"]} == {"Parameters.FunctionName", "Resource"}


def test_sdk_integrations_are_granted_from_the_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:startSyncExecution",
              "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:"
                                                "stateMachine:M"}, "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2",
              "Parameters": {"Bucket": "b"}, "End": True}}}))
    assert main(["generate", str(f), "--region", "us-east-1", "--account", "123456789012"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out)["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::b"]},
        {"Effect": "Allow", "Action": ["states:StartSyncExecution"],
         "Resource": ["arn:aws:states:us-east-1:123456789012:stateMachine:M"]},
    ]


def test_version_says_which_build_is_installed() -> None:
    """--version names the build: compiled with mypyc (pip install .) or pure Python."""
    import sfn_iam
    import sfn_iam.walk

    p = cli("--version")
    assert p.returncode == 0
    compiled = sfn_iam.walk.__file__.endswith((".so", ".pyd"))
    kind = "compiled with mypyc" if compiled else "pure Python"
    assert p.stdout.strip() == f"sfn-iam {sfn_iam.__version__} ({kind})"
