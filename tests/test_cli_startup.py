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
