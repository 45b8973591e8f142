"""Size report and --split on the command line (the split itself: tests/test_policy_size.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_iam.cli import main
from sfn_iam.policy import MANAGED_LIMIT, policy_size
from tests.iam_eval import is_allowed
from tests.util import machine, task

ENV = ["--region", "us-east-1", "--account", "123456789012"]


def big(tmp_path: Path, n: int) -> Path:
    states = [task(f"arn:aws:lambda:us-east-1:123456789012:function:fn-{i:04d}-with-a-rather-long-name")
              for i in range(n)]
    f = tmp_path / "big.json"
    f.write_text(json.dumps(machine(*states)))
    return f


def test_split_writes_managed_policies_that_fit(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    f = big(tmp_path, 200)
    out_dir = tmp_path / "parts"
    assert main(["generate", str(f), *ENV, "--split", str(out_dir)]) == 0
    out, err = capsys.readouterr()
    full = json.loads(out)
    parts = sorted(out_dir.glob("policy-*.json"))
    assert len(parts) > 1
    docs = [json.loads(p.read_text()) for p in parts]
    assert all(policy_size(d) <= MANAGED_LIMIT for d in docs)
    # the parts together allow exactly what the whole policy allows
    for i in range(200):
        arn = f"arn:aws:lambda:us-east-1:123456789012:function:fn-{i:04d}-with-a-rather-long-name"
        assert is_allowed(full, "lambda:InvokeFunction", arn)
        assert sum(is_allowed(d, "lambda:InvokeFunction", arn) for d in docs) == 1
    assert f"written as {len(parts)} managed policies" in err


def test_size_note_without_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", str(big(tmp_path, 200)), *ENV]) == 0
    assert "--split DIR" in capsys.readouterr().err


def test_too_large_for_inline_is_a_warning(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", str(big(tmp_path, 300)), *ENV, "--strict"]) == 1
    assert "policy-too-large" in capsys.readouterr().err


def test_small_policy_has_no_size_note(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    assert main(["generate", str(root / "examples" / "lambda.asl.json"), *ENV]) == 0
    assert capsys.readouterr().err == ""
