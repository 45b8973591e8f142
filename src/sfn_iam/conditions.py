"""IAM condition blocks and action names in their canonical forms: what the merge groups and
sorts by. A module of its own, compiled with mypyc (hatch_build.py): the generator and the
merge call these for every grant. :mod:`sfn_iam.model` re-exports them."""

from __future__ import annotations

#: A canonical IAM condition block: ((operator, ((key, (values...)), ...)), ...), sorted.
Condition = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]


def make_condition(block: dict[str, dict[str, str | list[str]]] | None) -> Condition:
    """Turn ``{"StringEquals": {"iam:PassedToService": "x"}}`` into a hashable canonical form."""
    if not block:
        return ()
    out = []
    for op in sorted(block):
        keys = []
        for key in sorted(block[op]):
            raw = block[op][key]
            values = (raw,) if isinstance(raw, str) else tuple(raw)
            keys.append((key, tuple(sorted(set(values)))))
        out.append((op, tuple(keys)))
    return tuple(out)


def condition_json(cond: Condition) -> dict[str, dict[str, str | list[str]]]:
    return {
        op: {key: (vals[0] if len(vals) == 1 else list(vals)) for key, vals in keys}
        for op, keys in cond
    }


def normalize_action(action: str) -> str:
    """IAM action names are case-insensitive; emit the canonical ``service:PascalCase`` form
    (the templates mix ``athena:startQueryExecution`` and ``databrew:startJobRun``)."""
    known = _NORMALIZED.get(action)
    if known is not None:
        return known
    service, _, name = action.partition(":")
    out = action if not name or name == "*" else f"{service.lower()}:{name[0].upper()}{name[1:]}"
    if len(_NORMALIZED) < 4096:
        _NORMALIZED[action] = out
    return out


_NORMALIZED: dict[str, str] = {}
