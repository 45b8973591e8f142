"""The README's examples of the writers and the live reader are what the code prints."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

from sfn_iam.cli import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
#: a ```sh block with one `sfn-iam generate examples/...` command, then the block it prints
EXAMPLE = re.compile(r"```sh\n(sfn-iam generate examples/[^`]*?)\n```\n\n```(yaml|hcl)\n(.*?)```",
                     re.S)


def test_the_readme_shows_the_three_formats() -> None:
    formats = {shlex.split(m.group(1).replace("\\\n", " "))[4] for m in EXAMPLE.finditer(README)}
    assert formats == {"cfn", "sam", "terraform"}


@pytest.mark.parametrize("match", list(EXAMPLE.finditer(README)), ids=lambda m: m.group(2))
def test_each_format_example_prints_what_the_readme_shows(
        match: re.Match[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = shlex.split(match.group(1).replace("\\\n", " ").split(">")[0])
    monkeypatch.chdir(ROOT)
    assert main(argv[1:]) == 0
    assert capsys.readouterr().out == match.group(3)


def test_the_reader_policy_block_is_the_scripts_output() -> None:
    spec = importlib.util.spec_from_file_location("reader_policy",
                                                  ROOT / "scripts" / "reader_policy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    block = re.search(r"<!-- reader-policy -->\n```json\n(.*?)\n```\n<!-- /reader-policy -->",
                      README, re.S)
    assert block, "README: the reader-policy block is missing"
    assert block.group(1) == module.main([]), "README is stale: python scripts/reader_policy.py"
