"""The README's integrations table is generated from the catalogue; keep them in step.
Regenerate with ``python -m sfn_iam.catalogue._table``."""

from __future__ import annotations

from pathlib import Path

from sfn_iam.catalogue import known_services, service_module
from sfn_iam.catalogue._table import table
from sfn_iam.findings import CODES

ROOT = Path(__file__).resolve().parent.parent


def test_readme_generated_blocks_are_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_readme",
                                                  ROOT / "scripts" / "update_readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "README.md").read_text()
    assert module.render(text) == text, "README is stale: run python scripts/update_readme.py"
    assert table() in text


def test_every_catalogue_module_has_rules_and_a_test_file() -> None:
    services = known_services()
    assert len(services) >= 17
    for service in services:
        module = service_module(service)
        assert module is not None and module.RULES, service
        stem = {"elasticmapreduce": "emr"}.get(service, service).replace("-", "_")
        assert (ROOT / "tests" / "catalogue" / f"test_{stem}.py").exists(), service


def test_every_finding_code_is_documented_in_readme() -> None:
    text = (ROOT / "README.md").read_text()
    for code in CODES:
        assert f"`{code}`" in text, code
