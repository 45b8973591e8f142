"""The command-line contract for templates: --state-machine, --parameter, several machines,
--jsonl lines with "state_machine", no abbreviated options, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import ACCOUNT, cli, policy_of, refused, write

TWO = {
    "template.yaml": """
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      TableName: {Type: String, Default: items}
    Resources:
      First:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: A
            States:
              A:
                Type: Task
                Resource: arn:aws:states:::dynamodb:getItem
                Parameters: {TableName: !Ref TableName, Key: {}}
                End: true
      Second:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: A
            States:
              A: {Type: Pass, End: true}
    """,
}
ENV = ["--region", "us-east-1", "--account", ACCOUNT]


def test_several_machines_need_state_machine(tmp_path: Path) -> None:
    write(tmp_path, TWO)
    t = str(tmp_path / "template.yaml")
    refused(cli("generate", t, *ENV), "2 state machines", "First, Second", "--state-machine")
    doc = policy_of(cli("generate", t, "--state-machine", "First", *ENV))
    assert doc["Statement"][0]["Resource"] == [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/items"]
    doc = policy_of(cli("generate", t, "--state-machine", "First", "--parameter", "TableName=x",
                        *ENV))
    assert doc["Statement"][0]["Resource"] == [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/x"]
    refused(cli("generate", t, "--state-machine", "Third", *ENV), "no state machine named 'Third'",
            "First, Second")


def test_the_folder_is_read_too(tmp_path: Path) -> None:
    write(tmp_path, TWO)
    doc = policy_of(cli("generate", str(tmp_path), "--state-machine", "Second", *ENV))
    assert doc["Statement"][0]["Effect"] == "Deny"  # no Task: the deny-all policy


def test_abbreviated_options_are_refused(tmp_path: Path) -> None:
    write(tmp_path, TWO)
    t = str(tmp_path / "template.yaml")
    for argv in (["--state-mach", "First", *ENV], ["--state-machine", "First", "--reg", "x"]):
        p = cli("generate", t, *argv)
        assert p.returncode == 2 and p.stdout == "", p.stderr
        assert f"unrecognized arguments: {argv[0] if argv[0] != '--state-machine' else '--reg'}" \
            in p.stderr
    # --state-machine is never --state-machine-arn
    p = cli("generate", t, "--state-machine=First", *ENV)
    assert p.returncode == 0, p.stderr


def test_jsonl_one_line_per_machine(tmp_path: Path) -> None:
    write(tmp_path, TWO)
    asl = tmp_path / "plain.asl.json"
    asl.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    p = cli("generate", "--jsonl", str(tmp_path / "template.yaml"), str(asl), *ENV)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert [x.get("state_machine") for x in lines] == ["First", "Second", None]
    assert all("policy" in x for x in lines)
    p = cli("generate", "--jsonl", str(tmp_path / "template.yaml"), "--state-machine", "Second",
            *ENV)
    assert [json.loads(x)["state_machine"] for x in p.stdout.splitlines()] == ["Second"]


def test_bad_template_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n"
                                     "    Properties:\n      Definition: !Bogus x\n")
    refused(cli("generate", str(tmp_path / "t.yaml")), "t.yaml", "resource M",
            "unknown intrinsic function Fn::Bogus")
    (tmp_path / "u.yaml").write_text("Resources:\n  M: [unclosed\n")
    refused(cli("generate", str(tmp_path / "u.yaml")), "u.yaml", "not valid")


def test_yaml_alias_bomb_in_a_template_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    lines += ["Resources:", "  M:", "    Type: AWS::StepFunctions::StateMachine",
              "    Properties: {Definition: !Ref a8}"]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    refused(cli("generate", str(tmp_path / "bomb.yaml"), timeout=20), "alias bomb")


def test_size_cap_holds_for_templates(tmp_path: Path) -> None:
    write(tmp_path, TWO)
    refused(cli("generate", str(tmp_path / "template.yaml"), "--max-bytes", "100"),
            "larger than the limit")
