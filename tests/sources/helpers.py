"""Helpers for the template tests: write files, read every machine, summarise a policy."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from sfn_iam.generate import GenerateResult
from sfn_iam.sources import generate_state_machine, load_state_machines

REGION, ACCOUNT = "us-east-1", "123456789012"


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        f = folder / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(textwrap.dedent(text).lstrip("\n"))
    return folder


def generate(path: Path | str, name: str | None = None, *, region: str | None = REGION,
             account: str | None = ACCOUNT, **kw: Any) -> GenerateResult:
    params = kw.pop("parameters", None)
    machines = load_state_machines(str(path), parameters=params, region=region, account=account)
    if name is not None:
        machines = [m for m in machines if m.name == name]
    assert len(machines) == 1, [m.name for m in machines]
    return generate_state_machine(machines[0], region=region, account=account, **kw)


def grants(result: GenerateResult) -> dict[str, set[str]]:
    """action -> resources, over every Allow statement."""
    out: dict[str, set[str]] = {}
    for st in result.document["Statement"]:
        if st["Effect"] != "Allow":
            continue
        for action in st["Action"]:
            out.setdefault(action, set()).update(st["Resource"])
    return out


def codes(result: GenerateResult) -> list[str]:
    return [f.code for f in result.warnings]


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sfn_iam", *args], capture_output=True,
                          text=True, timeout=timeout, check=False)


def refused(p: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def policy_of(p: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 0, (p.returncode, p.stderr)
    doc: dict[str, Any] = json.loads(p.stdout)
    return doc
