"""Templates cost nothing to plain ASL input (the readers are imported only for templates,
hcl2 only for Terraform), and the hostile-input guarantees hold for every format."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli_startup import imported_as_script

from .helpers import cli, refused

ROOT = Path(__file__).resolve().parents[2]


def test_plain_asl_does_not_import_the_template_readers() -> None:
    mods = imported_as_script("generate", "examples/lambda.asl.json", "--region", "us-east-1")
    assert not [m for m in mods if m.startswith("sfn_iam.sources")]
    assert "yaml" not in mods and "hcl2" not in mods


def test_a_template_imports_its_reader_only() -> None:
    mods = imported_as_script("generate", "examples/sam-app/template.yaml")
    assert "sfn_iam.sources.cloudformation" in mods and "yaml" in mods
    assert "hcl2" not in mods and "sfn_iam.sources.terraform" not in mods
    mods = imported_as_script("generate", "examples/terraform")
    assert "hcl2" in mods and "yaml" not in mods


def test_deep_template_is_refused_in_one_line(tmp_path: Path) -> None:
    deep = '{"Fn::Join": ["", [' * 3000 + '"x"' + "]]}" * 3000  # deeper than json.dumps goes
    (tmp_path / "deep.json").write_text(
        '{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {'
        '"Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": '
        + deep + "}}}}}}}")
    refused(cli("generate", str(tmp_path / "deep.json")), "deep.json", "nested too deeply")


def test_deep_terraform_is_refused_in_one_line(tmp_path: Path) -> None:
    expr = "[" * 400 + "1" + "]" * 400
    (tmp_path / "main.tf").write_text(
        f'resource "aws_sfn_state_machine" "m" {{\n  definition = jsonencode({expr})\n}}\n')
    p = cli("generate", str(tmp_path / "main.tf"), timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.splitlines()) == 1


def test_template_from_stdin(tmp_path: Path) -> None:
    import subprocess
    import sys

    text = (ROOT / "tests" / "fixtures" / "templates" / "cdk" /
            "aws-stepfunctions-tasks-sqs-send-message-integ.template.json").read_bytes()
    p = subprocess.run([sys.executable, "-m", "sfn_iam", "generate", "-", "--region", "us-east-1",
                        "--account", "123456789012"], input=text, capture_output=True, timeout=60,
                       check=False)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Statement"][0]["Action"] == ["sqs:SendMessage"]


def test_a_file_holding_a_token_text_is_refused_not_widened(tmp_path: Path) -> None:
    template = {"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "Definition": {"StartAt": "A", "States": {"A": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:999988887777:function:f",
            "End": True}}}}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    refused(cli("generate", str(tmp_path / "t.json")), "999988887777", "--account")
    p = cli("generate", str(tmp_path / "t.json"), "--account", "123456789012")
    assert p.returncode == 0 and "999988887777:function:f" in p.stdout


def test_a_terraform_folder_has_a_size_cap_too(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"f{i}.tf").write_text(f'locals {{\n  x{i} = "{"a" * 260}"\n}}\n')
    refused(cli("generate", str(tmp_path), "--max-bytes", "300"), "four times --max-bytes")
