"""The data that flows between the stages: frozen, slotted, hashable."""

from __future__ import annotations

from operator import attrgetter

from sfn_iam.conditions import Condition, condition_json

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time

if TYPE_CHECKING:
    from typing import TypeVar

    _F = TypeVar("_F", bound="type[_Frozen]")

class _Frozen:
    """Compared and hashed by its fields, with read-only public attributes: each field ``f``
    is stored in the slot ``_f`` and read through a property without a setter (see
    :func:`_read_only`), so ``grant.actions = ...`` raises ``AttributeError``. A plain class
    rather than a frozen dataclass: these are made for every grant, and a frozen dataclass
    pays a call per field to build one (and start-up pays for building the class)."""

    __slots__ = ()
    #: the public fields, in constructor order
    _fields: tuple[str, ...] = ()

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Copy and pickle through the constructor (the fields are in its order)."""
        return (self.__class__, self._key())

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"


class _Const(_Frozen):
    """Read-only after construction (what a frozen dataclass gives; these are catalogue data,
    built once at import): equality, hash, repr and pickling come from ``_Frozen``; fields are
    plain slots set through ``_set`` in ``__init__``."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")


_set = object.__setattr__


def _read_only(cls: _F) -> _F:
    """Give ``cls`` a read-only property per field, over the slot ``_<field>``."""
    for f in cls._fields:
        setattr(cls, f, property(attrgetter("_" + f)))
    return cls


@_read_only
class Provenance(_Frozen):
    """Why a grant exists: the state (its path through Parallel/Map), the parameter whose
    value produced the resource, and the catalogue rule with its reference document."""

    __slots__ = ("_doc", "_note", "_parameter", "_rule", "_state_path", "_template_only")
    _fields = ("state_path", "rule", "parameter", "doc", "note", "template_only")

    state_path: tuple[str, ...]
    rule: str
    parameter: str | None
    doc: str | None
    note: str | None
    #: True for a grant the AWS template gives but the call never checks (e.g.
    #: execute-api:Invoke for an API Gateway method with AuthType NO_AUTH): granted all the
    #: same, and an audit should not call it missing from a role that lacks it
    template_only: bool

    def __init__(self, state_path: tuple[str, ...], rule: str, parameter: str | None = None,
                 doc: str | None = None, note: str | None = None,
                 template_only: bool = False) -> None:
        self._state_path = state_path
        self._rule = rule
        self._parameter = parameter
        self._doc = doc
        self._note = note
        self._template_only = template_only

    def _key(self) -> tuple[object, ...]:
        return (self._state_path, self._rule, self._parameter, self._doc, self._note,
                self._template_only)

    @property
    def state(self) -> str:
        return " > ".join(self._state_path)


@_read_only
class Grant(_Frozen):
    """One permission the execution role needs: actions on resources, with provenance."""

    __slots__ = ("_actions", "_condition", "_dynamic", "_effect", "_resources", "_why")
    _fields = ("actions", "resources", "why", "condition", "effect", "dynamic")

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    why: Provenance
    condition: Condition
    effect: str
    dynamic: bool

    def __init__(self, actions: tuple[str, ...], resources: tuple[str, ...], why: Provenance,
                 condition: Condition = (), effect: str = "Allow", dynamic: bool = False) -> None:
        self._actions = actions
        self._resources = resources
        self._why = why
        self._condition = condition
        self._effect = effect
        self._dynamic = dynamic

    def _key(self) -> tuple[object, ...]:
        return (self._actions, self._resources, self._why, self._condition, self._effect,
                self._dynamic)

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
        if self.why.template_only:
            out["template_only"] = True
        return out


#: What the merge groups grants by: ``(effect, condition, actions)``.
GrantKey = tuple[str, Condition, tuple[str, ...]]

#: A grant as the generator collects it: a plain tuple, cheap to make for every grant of
#: every Task, ``(key, resources, dynamic, state_path, rule, parameter, doc, note,
#: template_only)`` with
#: ``key`` a :data:`GrantKey` (rules share one per grant). The merge reads only the key and
#: the resources; :func:`from_raw` makes the :class:`Grant` (with its :class:`Provenance`)
#: when someone asks for the grants.
RawGrant = tuple[GrantKey, tuple[str, ...], bool, tuple[str, ...], str, "str | None",
                 "str | None", "str | None", bool]


def raw(grant: Grant) -> RawGrant:
    why = grant.why
    return ((grant.effect, grant.condition, grant.actions), grant.resources, grant.dynamic,
            why.state_path, why.rule, why.parameter, why.doc, why.note, why.template_only)


def from_raw(r: RawGrant) -> Grant:
    (effect, cond, actions), resources, dynamic, path, rule, parameter, doc, note, only = r
    return Grant(actions, resources, Provenance(path, rule, parameter, doc, note, only), cond,
                 effect, dynamic)
