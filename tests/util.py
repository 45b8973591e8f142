"""Test helpers: build one-Task definitions and compare policies as sets of statements."""

from __future__ import annotations

import json
from typing import Any

from sfn_iam import generate_policy
from sfn_iam.generate import GenerateResult

REGION = "us-east-1"
ACCOUNT = "123456789012"


def task(resource: str, params: dict[str, Any] | None = None, *, jsonata: bool = False,
         **extra: Any) -> dict[str, Any]:
    """A Task state body with ``Parameters`` (or ``Arguments`` when ``jsonata``)."""
    body: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True}
    if params is not None:
        body["Arguments" if jsonata else "Parameters"] = params
    if jsonata:
        body["QueryLanguage"] = "JSONata"
    body.update(extra)
    return body


def machine(*states: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A definition whose states run in sequence: S0 -> S1 -> ..."""
    named = {}
    for i, state in enumerate(states):
        body = dict(state)
        if i + 1 < len(states):
            body.pop("End", None)
            body["Next"] = f"S{i + 1}"
        named[f"S{i}"] = body
    return {"StartAt": "S0", "States": named, **top}


def run(*states: dict[str, Any], region: str | None = REGION, account: str | None = ACCOUNT,
        **kw: Any) -> GenerateResult:
    return generate_policy(machine(*states), region=region, account=account, **kw)


Stmt = tuple[str, frozenset[str], frozenset[str], str]


def canon(statements: list[dict[str, Any]]) -> set[Stmt]:
    """Statements as a set, actions lowercased (IAM is case-insensitive there)."""
    out = set()
    for st in statements:
        acts = st["Action"]
        res = st["Resource"]
        out.add((
            st["Effect"],
            frozenset(a.lower() for a in ([acts] if isinstance(acts, str) else acts)),
            frozenset([res] if isinstance(res, str) else res),
            json.dumps(st.get("Condition"), sort_keys=True),
        ))
    return out


def stmt(actions: list[str] | str, resources: list[str] | str,
         condition: dict[str, Any] | None = None, effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Action": actions, "Resource": resources,
            **({"Condition": condition} if condition else {})}


Atom = tuple[str, str, str, str]


def atoms(statements: list[dict[str, Any]]) -> set[Atom]:
    """Statements as (effect, action, resource, condition) atoms, actions lowercased: equal
    atom sets grant exactly the same, however the statements are grouped."""
    out = set()
    for effect, acts, res, cond in canon(statements):
        out.update((effect, a, r, cond) for a in acts for r in res)
    return out


def assert_policy(result: GenerateResult, *expected: dict[str, Any]) -> None:
    """The policy grants exactly ``expected``: nothing missing, nothing extra."""
    got = atoms(result.document["Statement"])
    want = atoms(list(expected))
    assert got == want, (
        "policy differs\n  missing: " + "\n    ".join(map(repr, sorted(want - got)))
        + "\n  extra:   " + "\n    ".join(map(repr, sorted(got - want)))
    )


def codes(result: GenerateResult) -> list[str]:
    return [f.code for f in result.warnings]
