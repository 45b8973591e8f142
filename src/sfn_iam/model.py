"""The data that flows between the stages: frozen, slotted, hashable."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Provenance:
    """Why a grant exists: the state (its path through Parallel/Map), the parameter whose
    value produced the resource, and the catalogue rule with its reference document."""

    state_path: tuple[str, ...]
    rule: str
    parameter: str | None = None
    doc: str | None = None
    note: str | None = None

    @property
    def state(self) -> str:
        return " > ".join(self.state_path)


@dataclass(frozen=True, slots=True)
class Grant:
    """One permission the execution role needs: actions on resources, with provenance."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    why: Provenance
    condition: Condition = ()
    effect: str = "Allow"
    dynamic: bool = False

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "effect": self.effect,
            "actions": list(self.actions),
            "resources": list(self.resources),
            "state": self.why.state,
            "rule": self.why.rule,
        }
        if self.condition:
            out["condition"] = condition_json(self.condition)
        if self.why.parameter:
            out["parameter"] = self.why.parameter
        if self.why.doc:
            out["doc"] = self.why.doc
        if self.why.note:
            out["note"] = self.why.note
        if self.dynamic:
            out["dynamic"] = True
        return out


def normalize_action(action: str) -> str:
    """IAM action names are case-insensitive; emit the canonical ``service:PascalCase`` form
    (the templates mix ``athena:startQueryExecution`` and ``databrew:startJobRun``)."""
    service, _, name = action.partition(":")
    if not name or name == "*":
        return action
    return f"{service.lower()}:{name[0].upper()}{name[1:]}"
