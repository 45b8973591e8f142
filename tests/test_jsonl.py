"""Batch mode: ``sfn-iam generate FILE... --jsonl`` prints one JSON line per input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sfn_iam.cli import main

ROOT = Path(__file__).resolve().parent.parent
LAMBDA = str(ROOT / "examples" / "lambda.asl.json")
YAML = str(ROOT / "examples" / "messaging.asl.yaml")
ENV = ["--region", "us-east-1", "--account", "123456789012"]
DYNAMIC = {"StartAt": "Q", "States": {"Q": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
    "Parameters": {"QueueUrl.$": "$.queue", "MessageBody": "x"}, "End": True}}}


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_one_line_per_input_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--jsonl", LAMBDA, YAML, LAMBDA, *ENV]) == 0
    out, err = capsys.readouterr()
    got = lines(out)
    assert [g["file"] for g in got] == [LAMBDA, YAML, LAMBDA]
    assert err == ""
    for g in got:
        assert set(g) == {"file", "policy", "warnings", "size"}
        assert g["size"] > 0
        assert g["policy"]["Version"] == "2012-10-17"
    assert got[0] == got[2]
    # each line is the policy the single-file command prints
    assert main(["generate", LAMBDA, *ENV]) == 0
    assert json.loads(capsys.readouterr().out) == got[0]["policy"]


def test_errors_are_lines_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"StartAt": "A", "States": {"A": {"Type": "Bogus"}}}')
    rc = main(["generate", "--jsonl", LAMBDA, str(tmp_path / "missing.json"), str(bad), LAMBDA,
               *ENV])
    out, err = capsys.readouterr()
    assert rc == 2
    got = lines(out)
    assert len(got) == 4
    assert "policy" in got[0] and "policy" in got[3]
    assert got[1] == {"file": str(tmp_path / "missing.json"), "error": "no such file"}
    assert set(got[2]) == {"file", "error"}
    assert "state 'A'" in str(got[2]["error"]) and "Bogus" in str(got[2]["error"])
    assert err == ""


def test_warnings_are_in_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps(DYNAMIC))
    assert main(["generate", "--jsonl", str(f), *ENV]) == 0
    (line,) = lines(capsys.readouterr().out)
    assert line["policy"]
    (w,) = line["warnings"]
    assert w["code"] == "dynamic-resource"
    assert w["state"] == "Q"
    assert w["parameter"] == "Parameters.QueueUrl.$"


def test_strict_exit_1_and_no_policy_for_a_file_with_warnings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps(DYNAMIC))
    assert main(["generate", "--jsonl", "--strict", LAMBDA, str(f), *ENV]) == 1
    got = lines(capsys.readouterr().out)
    assert "policy" in got[0] and got[0]["warnings"] == []
    assert "policy" not in got[1] and got[1]["warnings"]
    # an unusable input wins over warnings
    assert main(["generate", "--jsonl", "--strict", str(f), "/no/such.json", *ENV]) == 2


def test_provenance_adds_grants(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--jsonl", "--provenance", LAMBDA, *ENV]) == 0
    (line,) = lines(capsys.readouterr().out)
    assert {g["state"] for g in line["grants"]} == {
        "Validate", "Price", "WaitForApproval", "Ship"}


def test_several_definitions_without_jsonl_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", LAMBDA, YAML]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--jsonl" in err and len(err.strip().splitlines()) == 1


def test_bad_option_is_one_usage_error_not_a_line_per_file(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--jsonl", LAMBDA, YAML, "--region", "nowhere"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--region" in err


def test_substitute_values_then_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--substitute A=1 B=2 FILE...`` keeps working: the files are taken back."""
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "${Invoke}",
        "Parameters": {"FunctionName": "${Fn}"}, "End": True}}}))
    assert main(["generate", "--jsonl", *ENV, "--substitute",
                 "Invoke=arn:aws:states:::lambda:invoke", "Fn=w2", str(f), LAMBDA]) == 0
    got = lines(capsys.readouterr().out)
    assert [g["file"] for g in got] == [str(f), LAMBDA]
    assert got[0]["policy"]["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:w2"]


def test_subprocess_many_files_with_stdin(tmp_path: Path) -> None:
    files = []
    for i in range(50):
        f = tmp_path / f"d{i}.json"
        f.write_text(json.dumps({"StartAt": "A", "States": {"A": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": f"fn{i}"}, "End": True}}}))
        files.append(str(f))
    p = subprocess.run([sys.executable, "-m", "sfn_iam", "generate", "--jsonl", *files, "-",
                        *ENV], input=json.dumps(DYNAMIC), capture_output=True, text=True,
                       timeout=60, check=False)
    assert p.returncode == 0, p.stderr
    got = lines(p.stdout)
    assert len(got) == 51
    assert got[7]["policy"]["Statement"][0]["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:fn7"]
    assert got[-1]["file"] == "<stdin>"
    assert "Traceback" not in p.stderr


def test_an_internal_error_is_a_line_and_the_batch_goes_on(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sfn_iam.generate as gen

    real = gen.generate_policy

    def flaky(definition: Any, **kw: Any) -> Any:
        if kw.get("source") == YAML:
            raise RuntimeError("boom")
        return real(definition, **kw)

    monkeypatch.setattr(gen, "generate_policy", flaky)
    assert main(["generate", "--jsonl", LAMBDA, YAML, LAMBDA, *ENV]) == 3
    got = lines(capsys.readouterr().out)
    assert "policy" in got[0] and "policy" in got[2]
    assert got[1]["error"] == "internal error: RuntimeError: boom (please report this)"
