"""Merge grants into a policy document: duplicates removed, a wildcard absorbs the
resources it covers, actions with the same resources and condition share one statement,
and everything is sorted so that the output is stable and diff-friendly."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sfn_iam.model import Condition, Grant, condition_json, normalize_action

VERSION = "2012-10-17"
DENY_ALL: dict[str, Any] = {
    "Version": VERSION,
    "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
}


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def covers(pattern: str, arn: str) -> bool:
    """Does the IAM resource ``pattern`` match every ARN the resource ``arn`` stands for?

    IAM matches the first five ARN fields one by one and the resource part as a whole;
    ``*`` covers everything. ``arn`` may itself hold wildcards: a literal match of the
    pattern against them is conservative (``cluster/*`` covers ``cluster/*``; ``a*`` does
    not claim to cover ``*``)."""
    if pattern == "*":
        return True
    if arn == "*":
        return False
    p = pattern.split(":", 5)
    a = arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return pattern == arn
    return all(_glob(pp).fullmatch(aa) is not None for pp, aa in zip(p, a, strict=True))


def _absorb(resources: set[str]) -> set[str]:
    wild = [r for r in resources if "*" in r or "?" in r]
    if not wild:
        return resources
    if "*" in resources:
        return {"*"}
    return {r for r in resources if not any(w != r and covers(w, r) for w in wild)}


def merge(grants: Iterable[Grant]) -> list[dict[str, Any]]:
    """Grants -> sorted policy statements."""
    by_action: dict[tuple[str, Condition, str], set[str]] = defaultdict(set)
    for gr in grants:
        for action in gr.actions:
            by_action[(gr.effect, gr.condition, normalize_action(action))].update(gr.resources)
    grouped: dict[tuple[str, Condition, tuple[str, ...]], set[str]] = defaultdict(set)
    for (effect, cond, action), arns in by_action.items():
        grouped[(effect, cond, tuple(sorted(_absorb(arns))))].add(action)
    statements = []
    for (effect, cond, resources), actions in grouped.items():
        st: dict[str, Any] = {
            "Effect": effect,
            "Action": sorted(actions, key=str.lower),
            "Resource": list(resources),
        }
        if cond:
            st["Condition"] = condition_json(cond)
        statements.append(st)
    statements.sort(key=_statement_key)
    return statements


def _statement_key(st: dict[str, Any]) -> tuple[Any, ...]:
    return (
        st["Effect"] != "Allow",
        [a.lower() for a in st["Action"]],
        st["Resource"],
        repr(st.get("Condition", "")),
    )


def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}
