"""A small IAM policy evaluator for the tests. It shares no code with sfn_iam on purpose:
the property tests check the generator's policies with it.

Covers what identity policies for an execution role use: Effect Allow/Deny, Action and
Resource with ``*``/``?`` wildcards (actions case-insensitive, resources case-sensitive),
the policy-variable escapes ``${*}``, ``${?}``, ``${$}``, and the condition operators
StringEquals, StringLike, ArnLike, ArnEquals (with ForAnyValue:/ForAllValues: prefixes).
A request is allowed when some Allow statement matches and no Deny does.
"""

from __future__ import annotations

import re
from typing import Any


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _wild_to_regex(pattern: str, case_insensitive: bool = False) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("${*}", i):
            out.append(re.escape("*"))
            i += 4
        elif pattern.startswith("${?}", i):
            out.append(re.escape("?"))
            i += 4
        elif pattern.startswith("${$}", i):
            out.append(re.escape("$"))
            i += 4
        elif pattern[i] == "*":
            out.append(".*")
            i += 1
        elif pattern[i] == "?":
            out.append(".")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), (re.IGNORECASE if case_insensitive else 0) | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    return _wild_to_regex(pattern, case_insensitive=True).fullmatch(action) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    # IAM compares the first five ARN fields separately; the resource part as a whole.
    p, r = pattern.split(":", 5), resource.split(":", 5)
    if len(p) != 6 or len(r) != 6:
        return _wild_to_regex(pattern).fullmatch(resource) is not None
    return all(_wild_to_regex(a).fullmatch(b) is not None for a, b in zip(p, r, strict=True))


def _unescape(value: str) -> str:
    """The policy-variable escapes ``${*}``, ``${?}``, ``${$}`` stand for the literal char."""
    return value.replace("${*}", "*").replace("${?}", "?").replace("${$}", "$")


def _cond_op(op: str, expected: list[str], actual: str) -> bool:
    if op in ("StringEquals", "ArnEquals"):
        return actual in [_unescape(e) for e in expected]
    if op in ("StringLike", "ArnLike"):
        return any(_wild_to_regex(e).fullmatch(actual) is not None for e in expected)
    raise NotImplementedError(op)


def conditions_hold(block: dict[str, Any] | None, context: dict[str, Any]) -> bool:
    for op, keys in (block or {}).items():
        qualifier, _, base = op.rpartition(":")
        for key, expected in keys.items():
            exp = [str(e) for e in _as_list(expected)]
            if key not in context:
                return False
            actual = _as_list(context[key])
            if qualifier == "ForAllValues":
                ok = all(_cond_op(base, exp, str(a)) for a in actual)
            else:  # plain operators on single values, ForAnyValue on sets
                ok = any(_cond_op(base, exp, str(a)) for a in actual)
            if not ok:
                return False
    return True


def _statement_matches(st: dict[str, Any], action: str, resource: str,
                       context: dict[str, Any]) -> bool:
    return (
        any(action_matches(a, action) for a in _as_list(st.get("Action", [])))
        and any(resource_matches(r, resource) for r in _as_list(st.get("Resource", [])))
        and conditions_hold(st.get("Condition"), context)
    )


def is_allowed(policy: dict[str, Any], action: str, resource: str,
               context: dict[str, Any] | None = None) -> bool:
    ctx = context or {}
    statements = _as_list(policy.get("Statement", []))
    if any(st.get("Effect") == "Deny" and _statement_matches(st, action, resource, ctx)
           for st in statements):
        return False
    return any(st.get("Effect") == "Allow" and _statement_matches(st, action, resource, ctx)
               for st in statements)
