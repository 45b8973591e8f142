"""Real templates written by other people (tests/fixtures/templates/<kind>/, each noted with
its repository, path, commit and license in SOURCES.md): every state machine of each gives
the policy pinned in tests/sources/golden/<kind>/<fixture>.json. Regenerate with
``pytest --update-golden`` and review the diff like code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_iam.sources import generate_state_machine, load_state_machines

from .helpers import ACCOUNT, REGION

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
GOLDEN = Path(__file__).resolve().parent / "golden"


def _cases() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for p in sorted((FIXTURES / "sam").iterdir()):
        if p.is_dir():
            out.append(("sam", p / "template.yaml"))
    for p in sorted((FIXTURES / "cloudformation").iterdir()):
        if p.suffix in (".yml", ".yaml", ".json"):
            out.append(("cloudformation", p))
    for p in sorted((FIXTURES / "cdk").iterdir()):
        if p.name.endswith(".template.json") or (p / "manifest.json").is_file():
            out.append(("cdk", p))
    for p in sorted((FIXTURES / "serverless").iterdir()):
        if (p / "serverless.yml").is_file():
            out.append(("serverless", p))
    for p in sorted((FIXTURES / "terraform").iterdir()):
        if (p / "examples" / "complete").is_dir():  # a module and the example that calls it
            out.append(("terraform", p / "examples" / "complete"))
        elif p.is_dir():
            out.append(("terraform", p))
    return out


CASES = _cases()


def _golden(kind: str, path: Path) -> Path:
    name = path.relative_to(FIXTURES / kind).parts[0]
    return GOLDEN / kind / f"{name}.json"


def render(path: Path) -> str:
    out = {}
    for m in load_state_machines(str(path), region=REGION, account=ACCOUNT):
        result = generate_state_machine(m, region=REGION, account=ACCOUNT)
        out[m.name] = {
            "kind": m.kind,
            "settings": {"xray": m.xray, "logging": m.logging, "kms_key": m.kms_key},
            "policy": result.document,
            "warnings": [str(f) for f in result.warnings],
        }
    return json.dumps(out, indent=2) + "\n"


def test_a_dozen_fixtures_of_each_kind_or_all_there_are() -> None:
    kinds: dict[str, int] = {}
    for kind, _ in CASES:
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["sam"] >= 12 and kinds["cloudformation"] >= 12 and kinds["serverless"] >= 12
    assert kinds["terraform"] >= 11 and kinds["cdk"] >= 12
    for kind in kinds:
        assert (FIXTURES / kind / "SOURCES.md").is_file(), kind


@pytest.mark.parametrize(("kind", "path"), CASES,
                         ids=[f"{k}/{p.relative_to(FIXTURES / k)}" for k, p in CASES])
def test_fixture_policy(kind: str, path: Path, update_golden: bool) -> None:
    golden = _golden(kind, path)
    text = render(path)
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    elif not golden.exists():
        pytest.fail(f"{golden} is missing: run 'pytest --update-golden' and review it")
    assert text == golden.read_text(), f"{path}: output differs from {golden}"


def test_no_orphan_golden_files() -> None:
    expected = {_golden(k, p) for k, p in CASES}
    assert set(GOLDEN.rglob("*.json")) <= expected
