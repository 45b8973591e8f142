"""The small vocabulary the catalogue is written in.

A catalogue module (``sfn_iam/catalogue/<service>.py``) is data: ``RULES`` maps each API of
the integration to a :class:`Rule`, a list of :class:`G` grants. A grant names its actions,
the patterns it applies to, and a *resolver* that turns the Task's parameters into resource
ARNs. Resolvers are the only code, and the common ones live here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sfn_iam.arn import parse_arn
from sfn_iam.model import _Const, _set
from sfn_iam.params import ABSENT, DYNAMIC, STATIC, Value
from sfn_iam.task import RR, SYNC, WAIT, Task

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time

DOC_BASE = "https://docs.aws.amazon.com/step-functions/latest/dg/"

ALL = frozenset({RR, SYNC, WAIT})
#: ``.sync:2`` (JSON output) exists only for ``states:startExecution``; a rule opts in with it.
SYNC2 = "sync:2"
RR_ONLY = frozenset({RR})
RR_SYNC = frozenset({RR, SYNC})
RR_WAIT = frozenset({RR, WAIT})
ONLY_SYNC = frozenset({SYNC})


class Res:
    """A resource ARN (or ``*``) and where it came from. ``dynamic`` marks a wildcard forced
    by a value known only at run time; ``reason``/``expr`` say which.

    A plain slotted class, compared and hashed by its fields and read-only by convention (like
    :class:`~sfn_iam.params.Value`): one is made for every resource of every Task, and in the
    compiled build a plain class is a native one (its fields are read without a look-up)."""

    __slots__ = ("arn", "dynamic", "expr", "reason", "where")

    def __init__(self, arn: str, where: str | None = None, dynamic: bool = False,
                 reason: str | None = None, expr: str | None = None) -> None:
        self.arn = arn
        self.where = where
        self.dynamic = dynamic
        self.reason = reason
        self.expr = expr

    def _key(self) -> tuple[object, ...]:
        return (self.arn, self.where, self.dynamic, self.reason, self.expr)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Res:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Res(arn={self.arn!r}, where={self.where!r}, dynamic={self.dynamic!r}, "
                f"reason={self.reason!r}, expr={self.expr!r})")


Resolver = Callable[[Task], list[Res]]
if TYPE_CHECKING:
    from typing import Any, Optional, Union

    ConditionBlock = dict[str, dict[str, Any]]
    ConditionSpec = Union[ConditionBlock, Callable[[Task], Optional[ConditionBlock]], None]  # noqa: UP007, UP045




class G(_Const):
    """A grant: ``actions`` on the resources ``on`` resolves, for the patterns in ``when``."""

    __slots__ = ("actions", "condition", "note", "on", "when")
    _fields = ("actions", "on", "when", "condition", "note")

    actions: tuple[str, ...]
    on: Resolver
    when: frozenset[str]
    condition: ConditionSpec
    note: str | None

    def __init__(self, actions: tuple[str, ...], on: Resolver, when: frozenset[str] = ALL,
                 condition: ConditionSpec = None, note: str | None = None) -> None:
        _set(self, "actions", actions)
        _set(self, "on", on)
        _set(self, "when", when)
        _set(self, "condition", condition)
        _set(self, "note", note)


class Rule(_Const):
    """One API of an optimized integration (``arn:aws:states:::<service>:<api>[.pattern]``)."""

    __slots__ = ("doc", "grants", "hook", "patterns")
    _fields = ("patterns", "grants", "doc", "hook")

    patterns: frozenset[str]
    grants: tuple[G, ...]
    doc: str
    #: extra code for what the grants cannot say; returns more grants' (G, Res list) pairs.
    hook: Callable[[Task], list[tuple[G, list[Res]]]] | None

    def __init__(self, patterns: frozenset[str], grants: tuple[G, ...], doc: str,
                 hook: Callable[[Task], list[tuple[G, list[Res]]]] | None = None) -> None:
        _set(self, "patterns", patterns)
        _set(self, "grants", grants)
        _set(self, "doc", doc)
        _set(self, "hook", hook)


def g(
    actions: str | Sequence[str],
    on: Resolver,
    when: frozenset[str] = ALL,
    condition: ConditionSpec = None,
    note: str | None = None,
) -> G:
    acts = (actions,) if isinstance(actions, str) else tuple(actions)
    return G(acts, on, when, condition, note)


# --------------------------------------------------------------------------- resolvers


#: IAM reads ``*`` and ``?`` as wildcards in a resource (and in ``*Like`` condition values),
#: and ``${`` as the start of a policy variable. A ``$`` not followed by ``{`` is literal
#: (``function:fn:$LATEST``, the API Gateway stage ``$default``); a final ``$`` is escaped too,
#: so that nothing appended after the value can turn it into ``${``.
_IAM_SPECIAL = re.compile(r"[*?]|\$(?=\{|\Z)")


def escape(text: str) -> str:
    """A static value as a literal in an IAM resource or condition value: ``*``, ``?`` and the
    ``$`` of ``${`` become ``${*}``, ``${?}``, ``${$}`` (IAM's own escapes, "Special
    characters" in the policy-variables reference). Rules add their deliberate wildcards
    (``FAMILY:*``, ``NAME*``, ``/jobruns/*``) *after* escaping the value."""
    if "*" not in text and "?" not in text and "$" not in text:  # the common case
        return text
    return _IAM_SPECIAL.sub(_escape_match, text)


def _escape_match(m: re.Match[str]) -> str:
    return "${" + m.group(0) + "}"


def has_iam_special(text: str) -> bool:
    """Does ``text`` hold a character IAM would read as a wildcard or a policy variable?"""
    if "*" not in text and "?" not in text and "$" not in text:
        return False
    return _IAM_SPECIAL.search(text) is not None


def malformed(t: Task, v: Any, message: str, template: str) -> list[Res]:
    """A static value that is not the form the parameter takes: a ``malformed-value`` finding
    and the dynamic form ``template`` (the value may be a form sfn-iam does not know) -
    unless it holds IAM wildcard or policy-variable characters, which no name or ID the
    services take can contain: then nothing is granted for it, since the dynamic form would
    be exactly the widening those characters ask for."""
    text = v.value if isinstance(v.value, str) else ""
    if has_iam_special(text):
        t.finding("malformed-value",
                  f"{message}; it contains IAM wildcard or policy-variable characters "
                  "(*, ?, ${), so no permission is granted for it", v.where)
        return []
    t.finding("malformed-value", message, v.where)
    return [dynamic_res(t, v, template)]


def star(_: Task) -> list[Res]:
    return [Res("*")]


def fixed(template: str) -> Resolver:
    """A resource that depends only on where the machine runs, e.g. the managed rule
    ``arn:{partition}:events:{region}:{account}:rule/StepFunctionsGetEventsForECSTaskRule``."""

    def resolve(t: Task) -> list[Res]:
        return [Res(t.fmt(template))]

    return resolve


def events_rule(name: str) -> Resolver:
    """The EventBridge managed rule a ``.sync`` integration uses to learn a job finished."""
    return fixed("arn:{partition}:events:{region}:{account}:rule/" + name)


def dynamic_res(t: Task, v: Any, template: str, **names: str) -> Res:
    """The wildcard ``template`` for the value ``v`` that could not be resolved. ``template``
    is a format string: a static user value that completes it goes in ``names`` (escaped),
    never into the template itself, whose ``{`` ``}`` would be read as fields."""
    arn = "*" if template == "*" else t.fmt(template, **names)
    if v.kind == DYNAMIC:
        return Res(arn, v.where, True, v.reason, v.expr)
    return Res(arn, v.where, True, "a value sfn-iam cannot read", repr(v.value))


def param(
    path: str,
    name_template: str,
    dynamic: str,
    *,
    from_arn: Callable[[Task, str], str | None] | None = None,
    convert: Callable[[Task, str], str | None] | None = None,
    expected: str | None = None,
    required: bool = True,
    service: str | None = None,
) -> Resolver:
    """The resource named by the parameter at ``path`` (dotted, e.g. ``Overrides.TaskRoleArn``).

    - a static name fills ``{name}`` in ``name_template``
      (``arn:{partition}:sns:{region}:{account}:{name}``);
    - a static ARN is used as written (keeping its own partition, region and account), or
      passed through ``from_arn`` to normalise it; an ARN of another ``service`` is malformed;
    - ``convert`` instead turns every static string into the resource ARN itself (a queue
      URL, a Lambda partial ARN, ...); ``None`` from it means the value is not
      ``expected`` (a ``malformed-value`` finding and the dynamic form);
    - a dynamic value gives ``dynamic`` (``*`` or an ARN template) and a finding.

    Static values are literals: the name filled into the template and an ARN used as written
    are escaped (:func:`escape`), so that ``*``, ``?`` or ``${`` in them cannot widen the
    grant. ``from_arn`` and ``convert`` return a resource *pattern*: they escape the user's
    text themselves (and may add deliberate wildcards after it). A malformed value holding
    such characters is refused (:func:`malformed`).
    """
    keys = tuple(path.split("."))
    # the common case, read without making a Value: a top-level key holding a plain string
    single = keys[0] if len(keys) == 1 else None
    wheres: dict[str, str] = {}  # parameters field -> where the value is

    def bad(t: Task, v: Any, what: str) -> list[Res]:
        return malformed(t, v, what, dynamic)

    def resolve(t: Task) -> list[Res]:
        v: Value | None = None
        if single is not None:
            root = t.root  # the Task is its own Params
            if root.__class__ is dict:
                node = root.get(single)
                if node.__class__ is str and node:
                    where = wheres.get(t.field)
                    if where is None:
                        where = wheres[t.field] = f"{t.field}.{single}"
                    if "{%" not in node and "${" not in node:
                        return static(t, node, where, None)
                    v = t.leaf(node, where)  # a placeholder or JSONata: what t.value reads
        if v is None:
            v = t.value(*keys)
        kind = v.kind  # v.absent, v.dynamic and v.text, read once
        if kind == ABSENT:
            if required:
                t.finding(
                    "missing-parameter",
                    f"the {t.integration} integration needs {path}; no permission granted "
                    "for it (the call fails at run time without it)",
                    v.where,
                )
            return []
        if kind == DYNAMIC:
            return [dynamic_res(t, v, dynamic)]
        value = v.value
        text = value if kind == STATIC and isinstance(value, str) and value else None
        if text is None:
            return bad(t, v, f"{path} should be a non-empty string")
        return static(t, text, v.where, v)

    def static(t: Task, text: str, where: str, v: Value | None) -> list[Res]:
        """The resource of the static string ``text`` (``v``: its Value, made if needed)."""
        if convert is not None:
            arn = convert(t, text)
            if arn:
                return [Res(arn, where)]
            return bad(t, v or Value(STATIC, where, text),
                       f"{text!r} is not {expected or 'a value this parameter takes'}")
        if text.startswith("arn:"):
            parsed = parse_arn(text)
            if parsed is None or (service is not None and parsed.service != service):
                return bad(t, v or Value(STATIC, where, text),
                           f"{text!r} is not {f'an {service} ARN' if service else 'an ARN'}")
            arn = from_arn(t, text) if from_arn else escape(text)
            if arn is None:
                return bad(t, v or Value(STATIC, where, text),
                           f"{text!r} is not the ARN this parameter expects")
            return [Res(arn, where)]
        return [Res(t.named(name_template, escape(text)), where)]

    return resolve


def role(path: str, *, required: bool = False) -> Resolver:
    """An IAM role passed to a service (for ``iam:PassRole``): an ARN as written, a bare name
    completed in the account; dynamic gives every role in the account (roles can only be
    passed within their own account). The resolver depends only on the arguments, so it is
    made once for each (some rules make theirs while reading a Task)."""
    made = _ROLES.get((path, required))
    if made is None:
        made = param(
            path,
            "arn:{partition}:iam::{account}:role/{name}",
            "arn:{partition}:iam::{account}:role/*",
            required=required,
            service="iam",
        )
        if len(_ROLES) < 1024:
            _ROLES[(path, required)] = made
    return made


_ROLES: dict[tuple[str, bool], Resolver] = {}


def passed_to(service: str) -> dict[str, dict[str, Any]]:
    """The ``iam:PassedToService`` condition for ``iam:PassRole``."""
    return {"StringEquals": {"iam:PassedToService": service}}


def first(*resolvers: Resolver, missing: str | None = None) -> Resolver:
    """The first resolver that yields anything (e.g. SNS TopicArn, else TargetArn ...).
    When none does and ``missing`` names what was expected, that is a finding."""

    def resolve(t: Task) -> list[Res]:
        for r in resolvers:
            out = r(t)
            if out:
                return out
        if missing:
            t.finding(
                "missing-parameter",
                f"the {t.integration} integration needs {missing}; no permission granted for it",
                t.params.field,
            )
        return []

    return resolve


def star_if(path: str) -> Resolver:
    """``*`` when the parameter at ``path`` is given at all: for values that are not an
    IAM resource of the call (e.g. an SNS phone number)."""
    keys = tuple(path.split("."))

    def resolve(t: Task) -> list[Res]:
        v = t.value(*keys)
        return [] if v.absent else [Res("*", v.where)]

    return resolve


def both(*resolvers: Resolver) -> Resolver:
    """Every resource of every resolver."""

    def resolve(t: Task) -> list[Res]:
        return [res for r in resolvers for res in r(t)]

    return resolve


def present(path: str, then: Resolver) -> Resolver:
    """``then`` only when the parameter at ``path`` is given (static or dynamic)."""
    keys = tuple(path.split("."))

    def resolve(t: Task) -> list[Res]:
        return [] if t.value(*keys).absent else then(t)

    return resolve
