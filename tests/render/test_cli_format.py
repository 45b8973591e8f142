"""``sfn-iam generate --format json|cfn|sam|terraform``: json is today's output byte for
byte; the others are the writers' text; the writers are imported only when asked for."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
import pytest
import yaml

from sfn_iam import generate_policy
from sfn_iam.cli import main
from sfn_iam.render import dumps, to_cloudformation, to_sam, to_terraform
from tests.test_cli_startup import imported_as_script

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "distributed-map.asl.json"
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["generate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["lambda.asl.json", "distributed-map.asl.json",
                                  "messaging.asl.yaml"])
def test_format_json_is_the_default_output_byte_for_byte(
        capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = str(ROOT / "examples" / name)
    plain = run(capsys, path, "--region", "us-east-1", "--account", "123456789012")
    assert run(capsys, path, "--region", "us-east-1", "--account", "123456789012",
               "--format", "json") == plain
    assert plain[0] == 0 and json.loads(plain[1])["Statement"]


def test_format_cfn_sam_terraform_print_the_writers_text(capsys: pytest.CaptureFixture[str]) -> None:
    result = generate_policy(EXAMPLE.read_text(), state_machine_arn=ARN)
    code, out, _ = run(capsys, str(EXAMPLE), "--state-machine-arn", ARN, "--format", "cfn")
    assert code == 0 and out == dumps(to_cloudformation(result, state_machine_arn=ARN))
    assert yaml.safe_load(out)["Resources"]["StateMachineRole"]["Type"] == "AWS::IAM::Role"
    code, out, _ = run(capsys, str(EXAMPLE), "--state-machine-arn", ARN, "--format", "sam")
    assert code == 0 and yaml.safe_load(out) == to_sam(result, state_machine_arn=ARN)
    code, out, _ = run(capsys, str(EXAMPLE), "--state-machine-arn", ARN, "--format", "terraform")
    assert code == 0 and out == to_terraform(result, state_machine_arn=ARN)
    assert hcl2.loads(out)["resource"]


def test_warnings_stay_on_stderr_and_strict_still_holds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(ROOT / "examples" / "lambda.asl.json"), "--format", "cfn")
    assert code == 0 and "[unknown-account]" in err and "unknown-account" not in out
    code, out, err = run(capsys, str(ROOT / "examples" / "lambda.asl.json"), "--format", "cfn",
                         "--strict")
    assert code == 1 and out == ""


@pytest.mark.parametrize("extra", [["--provenance"], ["--jsonl"]])
def test_json_only_options_are_refused_with_other_formats(
        capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    code, out, err = run(capsys, str(EXAMPLE), "--format", "terraform", *extra)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "--format json" in err


def test_the_writers_are_imported_only_when_asked_for() -> None:
    plain = imported_as_script("generate", "examples/lambda.asl.json", "--region", "us-east-1")
    assert not [m for m in plain if m.startswith(("sfn_iam.render", "sfn_iam.live", "yaml",
                                                  "boto3", "botocore", "hcl2"))]
    assert "argparse" not in plain  # --format is read by fast_parse too
    terraform = imported_as_script("generate", "examples/lambda.asl.json", "--format",
                                   "terraform")
    assert "sfn_iam.render.terraform" in terraform and "argparse" not in terraform
    assert not [m for m in terraform if m.startswith(("yaml", "boto3", "botocore", "hcl2"))]


def test_the_writers_are_part_of_the_library() -> None:
    import sfn_iam

    result = sfn_iam.generate_policy(EXAMPLE.read_text(), state_machine_arn=ARN)
    assert sfn_iam.to_cloudformation(result, state_machine_arn=ARN) == to_cloudformation(
        result, state_machine_arn=ARN)
    assert sfn_iam.to_sam is to_sam and sfn_iam.to_terraform is to_terraform


def test_more_than_ten_managed_policies_is_a_warning(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.render.test_cloudformation import _big_definition

    big = tmp_path / "big.json"
    big.write_text(json.dumps(_big_definition(1500)))
    code, out, err = run(capsys, str(big), "--state-machine-arn", ARN, "--format", "cfn")
    template = yaml.safe_load(out)
    attached = template["Resources"]["StateMachineRole"]["Properties"]["ManagedPolicyArns"]
    assert code == 0 and len(attached) > 10
    assert "more than 10 managed policies" in err
    code, out, err = run(capsys, str(EXAMPLE), "--state-machine-arn", ARN, "--format", "cfn")
    assert "managed policies" not in err
