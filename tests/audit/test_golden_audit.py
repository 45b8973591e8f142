"""Golden files for ``sfn-iam explain`` and ``sfn-iam audit`` (text, JSON, SARIF, markdown):
byte-stable output. Regenerate with ``pytest --update-golden`` and review the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_iam.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
ENV = ["--state-machine-arn", "arn:aws:states:us-east-1:123456789012:stateMachine:Example"]
EXPLAIN = ["ecs", "distributed-map", "http", "lambda"]
#: a hand-written role for examples/ecs.asl.json: too broad in places, short in others
ROLE = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Run", "Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*"},
    {"Sid": "Poll", "Effect": "Allow", "Action": "ecs:DescribeTasks", "Resource": "*"},
    {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole",
     "Resource": "arn:aws:iam::123456789012:role/*",
     "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
    {"Sid": "Everything", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
]}


def _check(name: str, text: str, update: bool) -> None:
    golden = GOLDEN / name
    if update:
        golden.write_text(text)
    elif not golden.exists():
        pytest.fail(f"{name} is missing: run 'pytest --update-golden' and review it")
    assert text == golden.read_text(), f"output differs from {name}"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


@pytest.mark.parametrize("example", EXPLAIN)
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_explain(capsys: pytest.CaptureFixture[str], update_golden: bool, example: str,
                 fmt: str) -> None:
    path = f"examples/{example}.asl.json"
    out = _run(capsys, "explain", str(ROOT / path), "--format", fmt, *ENV)
    suffix = {"text": "txt", "markdown": "md", "json": "json"}[fmt]
    _check(f"explain-{example}.{suffix}", out, update_golden)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown"])
def test_audit(capsys: pytest.CaptureFixture[str], update_golden: bool, fmt: str,
               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "ecs.asl.json").write_text(
        (ROOT / "examples" / "ecs.asl.json").read_text())
    (tmp_path / "role.json").write_text(json.dumps(ROLE, indent=2) + "\n")
    monkeypatch.chdir(tmp_path)  # relative names in the output, as in a repository
    out = _run(capsys, "audit", "examples/ecs.asl.json", "--policy", "role.json",
               "--format", fmt, *ENV)
    suffix = {"text": "txt", "markdown": "md", "json": "json", "sarif": "sarif"}[fmt]
    _check(f"audit-ecs.{suffix}", out, update_golden)


def test_no_orphan_golden_files() -> None:
    expected = {f"explain-{e}.{s}" for e in EXPLAIN for s in ("txt", "md", "json")}
    expected |= {f"audit-ecs.{s}" for s in ("txt", "json", "sarif", "md")}
    assert {p.name for p in GOLDEN.iterdir()} == expected
