"""ruff and strict mypy are part of the test suite, so that CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return found


def test_ruff() -> None:
    p = subprocess.run([_tool("ruff"), "check", "src", "tests"], cwd=ROOT,
                       capture_output=True, text=True, check=False, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr


def test_mypy_strict() -> None:
    p = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True,
                       check=False, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
