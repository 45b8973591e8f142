"""Whole-policy golden files: every bundled example in examples/ has its expected policy and
warnings in tests/golden/<example>.json. Regenerate with ``pytest --update-golden`` and
review the diff like code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_iam import generate_policy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if ".asl." in p.name)
GOLDEN = Path(__file__).resolve().parent / "golden"
# The machine's own ARN gives the region and account too (Distributed Map, HTTP Task need it).
ENV = {"state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:Example"}


def _golden_name(example: Path) -> str:
    return example.name.split(".asl.")[0] + ".json"


def render(example: Path) -> str:
    result = generate_policy(example.read_text(), source=example.name, **ENV)
    out = {
        "policy": result.document,
        "warnings": [str(f) for f in result.warnings],
        "recognised": f"{result.recognised}/{result.task_states} Task states",
    }
    if result.target_policies:
        out["target_policies"] = result.target_policies
    return json.dumps(out, indent=2, sort_keys=False) + "\n"


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_golden(example: Path, update_golden: bool) -> None:
    golden = GOLDEN / _golden_name(example)
    text = render(example)
    if update_golden:
        golden.write_text(text)
    elif not golden.exists():
        pytest.fail(f"{golden.name} is missing: run 'pytest --update-golden' and review it")
    assert text == golden.read_text(), f"{example.name}: output differs from {golden.name}"


def test_no_orphan_golden_files() -> None:
    expected = {_golden_name(e) for e in EXAMPLES}
    assert {p.name for p in GOLDEN.glob("*.json")} <= expected
