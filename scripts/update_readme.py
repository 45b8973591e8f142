"""Rewrite the generated blocks of README.md (integrations table, warning codes) from the
code. ``python scripts/update_readme.py``; tests/test_docs.py fails when they are stale."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sfn_iam.catalogue._table import findings_table, table  # noqa: E402

BLOCKS = {"integrations-table": table, "findings-table": findings_table}


def render(text: str) -> str:
    for name, make in BLOCKS.items():
        text = re.sub(rf"(<!-- {name} -->\n).*?(<!-- /{name} -->)",
                      lambda m, make=make: m.group(1) + make() + m.group(2), text, flags=re.S)
    return text


if __name__ == "__main__":
    readme = ROOT / "README.md"
    readme.write_text(render(readme.read_text()))
