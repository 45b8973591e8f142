"""The CI integrations: the hooks of ``.pre-commit-hooks.yaml`` and the README's GitHub
Actions step, run as pre-commit and the runner would run them."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from sfn_iam.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def hooks() -> dict[str, dict[str, object]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return {h["id"]: h for h in data}


def run_hook(hook: dict[str, object], args: list[str], files: list[str]) -> int:
    """What pre-commit runs: entry + args + the matching file names (unless
    pass_filenames is false)."""
    assert hook["language"] == "python"
    entry = shlex.split(str(hook["entry"]))
    assert entry[0] == "sfn-iam"  # the console script of this package
    pattern = re.compile(str(hook["files"]))
    matching = [f for f in files if pattern.search(f)]
    passed = matching if hook.get("pass_filenames", True) else []
    return main([*entry[1:], *args, *passed])


def test_generate_strict_hook(capsys: pytest.CaptureFixture[str]) -> None:
    hook = hooks()["sfn-iam-generate-strict"]
    clean = str(EXAMPLES / "lambda.asl.json")
    warned = str(EXAMPLES / "ecs.asl.json")  # unknown-passed-role
    env = ["--region", "us-east-1", "--account", "123456789012"]  # the hook's args
    assert run_hook(hook, env, [clean, "README.md", "pyproject.toml"]) == 0
    assert run_hook(hook, env, [clean, warned]) == 1
    assert run_hook(hook, [], [clean]) == 1  # without them: unknown-region/account
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [Path(x["file"]).name for x in lines] == [
        "lambda.asl.json", "lambda.asl.json", "ecs.asl.json", "lambda.asl.json"]
    assert "policy" in lines[0] and "policy" not in lines[2]


def test_audit_hook(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    hook = hooks()["sfn-iam-audit"]
    definition = str(EXAMPLES / "lambda.asl.json")
    env = ["--region", "us-east-1", "--account", "123456789012"]
    assert main(["generate", definition, *env]) == 0
    role = tmp_path / "role.json"
    role.write_text(capsys.readouterr().out)
    args = [definition, "--policy", str(role), *env]
    assert run_hook(hook, args, ["a.json", "b.yaml"]) == 0
    role.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}))
    assert run_hook(hook, args, ["a.json"]) == 1


def _readme_step() -> list[dict[str, object]]:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- github-actions-step -->", 1)[1]
    body = block.split("```yaml\n", 1)[1].split("```", 1)[0]
    steps = yaml.safe_load(body)
    assert isinstance(steps, list)
    return steps


def test_readme_github_actions_step(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    steps = _readme_step()
    upload = steps[1]
    assert str(upload["uses"]).startswith("github/codeql-action/upload-sarif@")
    run = str(steps[0]["run"]).replace("\\\n", " ")
    commands = [shlex.split(line) for line in run.splitlines() if line.strip()]
    assert commands[0][:2] == ["pip", "install"]
    (audit,) = [c for c in commands if c[0] == "sfn-iam"]
    argv, redirect = audit[1:audit.index(">")], audit[audit.index(">") + 1]
    # the repository layout of the example: a definition and its role's policy
    definition = tmp_path / argv[1]
    definition.parent.mkdir(parents=True)
    definition.write_text((EXAMPLES / "lambda.asl.json").read_text())
    policy = tmp_path / argv[argv.index("--policy") + 1]
    policy.parent.mkdir(parents=True)
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    argv = [str(tmp_path / a) if a in (argv[1], argv[argv.index("--policy") + 1]) else a
            for a in argv]
    code = main(argv)
    (tmp_path / redirect).write_text(capsys.readouterr().out)
    sarif = json.loads((tmp_path / redirect).read_text())
    assert code == 1 and sarif["version"] == "2.1.0"
    assert upload["with"] == {"sarif_file": redirect}
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"missing-permission"}
