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
from sfn_iam.params import (
    ABSENT,
    DYNAMIC,
    STATIC,
    Value,
    split_placeholders,
    static_prefix,
    without_placeholders,
)
from sfn_iam.policy import covers
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

    __slots__ = ("arn", "dynamic", "expr", "reason", "template_only", "where")

    def __init__(self, arn: str, where: str | None = None, dynamic: bool = False,
                 reason: str | None = None, expr: str | None = None,
                 template_only: bool = False) -> None:
        self.arn = arn
        self.where = where
        self.dynamic = dynamic
        self.reason = reason
        self.expr = expr
        #: the template grants it, but the call never checks it (Provenance.template_only)
        self.template_only = template_only

    def _key(self) -> tuple[object, ...]:
        return (self.arn, self.where, self.dynamic, self.reason, self.expr, self.template_only)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Res:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Res(arn={self.arn!r}, where={self.where!r}, dynamic={self.dynamic!r}, "
                f"reason={self.reason!r}, expr={self.expr!r}"
                + (", template_only=True)" if self.template_only else ")"))


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


def sar(tight: Resolver, template: Resolver) -> Resolver:
    """``tight``: the resources the Service Authorization Reference (SAR) lets the grant be
    scoped to, where the AWS template grants more (``*``, ``job/*``); ``template``: the
    template's form, granted instead with ``--as-templates`` (``as_templates=True``) for
    users who must match it. The rule that uses it cites the SAR resource types."""

    def resolve(t: Task) -> list[Res]:
        return template(t) if t.env.as_templates else tight(t)

    return resolve


def fixed(template: str) -> Resolver:
    """A resource that depends only on where the machine runs, e.g. the managed rule
    ``arn:{partition}:events:{region}:{account}:rule/StepFunctionsGetEventsForECSTaskRule``."""

    def resolve(t: Task) -> list[Res]:
        return [Res(t.fmt(template))]

    return resolve


def events_rule(name: str) -> Resolver:
    """The EventBridge managed rule a ``.sync`` integration uses to learn a job finished."""
    return fixed("arn:{partition}:events:{region}:{account}:rule/" + name)


def dynamic_res(t: Task, v: Any, template: str, prefix_arn: bool = False,
                value_service: str | None = None, **names: str) -> Res:
    """The wildcard ``template`` for the value ``v`` that could not be resolved. ``template``
    is a format string: a static user value that completes it goes in ``names`` (escaped),
    never into the template itself, whose ``{`` ``}`` would be read as fields.

    A value that is partly static (an ARN with a ``${Name}`` placeholder left in it) keeps
    its static parts: the fields its text fixes (partition, region, account, the start of
    the resource) replace the template's, never the other way round (:func:`narrow`).
    ``prefix_arn``: the resource IAM checks starts with the ARN as written, so the value's
    own prefix bounds it even where the template is ``*``. ``value_service``: the value is
    an ARN of this service, not the template's (an EventBridge connection for its Secrets
    Manager secret)."""
    arn = "*" if template == "*" else t.fmt(template, **names)
    if v.kind == DYNAMIC:
        text = v.value
        if text.__class__ is str:
            narrowed = narrow(static_prefix(text), arn, prefix_arn, value_service)
            if narrowed is not None:
                arn = narrowed
        return Res(arn, v.where, True, v.reason, v.expr)
    return Res(arn, v.where, True, "a value sfn-iam cannot read", repr(v.value))


def _literal(pattern: str) -> str:
    """The part of a resource pattern before its first wildcard."""
    cut = len(pattern)
    for ch in "*?$":
        i = pattern.find(ch)
        if 0 <= i < cut:
            cut = i
    return pattern[:cut]


def narrow(prefix: str, template: str, prefix_arn: bool = False,
           value_service: str | None = None) -> str | None:
    """The wildcard for a value whose text starts with the static ``prefix`` (then a
    placeholder), within the filled ``template`` (``*`` or an ARN pattern): the fields the
    prefix fixes are the value's own, the field where the placeholder starts is its static
    start and ``*``, the fields after it ``*`` (the placeholder may hold ``:``), the service
    and the resource type the template's. None: the prefix says nothing the template can use
    (not an ARN, another service), keep the template.

    IAM matches the five fields of an ARN one by one and the resource part as a whole, so
    ``arn:aws:lambda:eu-west-1:111122223333:function:${Fn}`` gives
    ``arn:aws:lambda:eu-west-1:111122223333:function:*``, every completion and no other."""
    if not prefix.startswith("arn:"):
        return None
    if template == "*":
        if not prefix_arn:
            return None
        fields = ["arn", "*", "*", "*", "*", "*"]
    else:
        fields = template.split(":", 5)
        if len(fields) != 6 or fields[0] != "arn":
            return None
    given = prefix.split(":")
    complete, start = given[:-1], given[-1]  # the fields before the placeholder's
    service = value_service or fields[2]  # what the value's own service field must be
    out = ["arn"]
    for i in range(1, 5):
        if i == 2 and service != "*":
            if len(complete) > 2:
                same = complete[2] == service
            else:  # the placeholder starts in (or before) the service field
                same = service.startswith(start if len(complete) == 2 else "")
            if not same:
                return None  # another service's ARN: not this kind of value
            out.append(fields[2])
        elif i < len(complete):
            # an empty region or account in the value is the caller's (the template's)
            out.append(escape(complete[i]) if complete[i] or i < 3 else fields[i])
        elif i == len(complete):  # the placeholder starts in this field
            out.append(escape(start) + "*")
        else:  # after the placeholder: unknown (the service is the template's)
            out.append(fields[2] if i == 2 else "*")
    resource = fields[5]
    if len(complete) >= 5:  # the prefix reaches into the resource part
        written = ":".join(given[5:])
        literal = _literal(resource)
        if resource == "*" or (resource == literal + "*" and written.startswith(literal)):
            resource = escape(written) + "*"
        # else: the template's resource type (the value names another, e.g. the machine of
        # an execution, or is shorter than the type)
    out.append(resource)
    return ":".join(out)


#: what stands for each ``${Name}`` placeholder while a partly static value goes through the
#: static path (:func:`partial`): letters for names, 12 digits for account IDs, and each
#: also as ``A:B`` and ``A/B`` (an ID such as ``PROJECT:UUID`` in a build ARN)
_LETTERS = [f"zzsfniam{chr(97 + i)}zz" for i in range(26)]
_LETTERS2 = [f"yysfniam{chr(97 + i)}yy" for i in range(26)]
_DIGITS = [f"9000000000{i:02d}" for i in range(26)]
_SHAPES = ("{}", "{}:{}", "{}/{}")
#: (first markers, shape) -> the markers, made once
_MARKERS = {(kind, shape): [shape.format(a, b) for a, b in zip(first, _LETTERS2, strict=True)]
            for kind, first in (("letters", _LETTERS), ("digits", _DIGITS)) for shape in _SHAPES}


def partial(t: Task, v: Value, static: Callable[[str], list[Res]],
            template: str) -> list[Res] | None:
    """A partly static value (``${Name}`` placeholders left in a string) through the static
    path ``static`` with a marker for each placeholder, in the first shape of :data:`_SHAPES`
    the static path takes; the markers become ``*`` in the resources it gives (each must hold
    every placeholder's marker). None (and no finding) when it takes none: the caller
    falls back to :func:`dynamic_res`.

    Not for an ARN whose placeholder comes before the resource part with fewer than five
    static ``:`` in all (the placeholder may hold ":" and move every field after it;
    :func:`dynamic_res` bounds that field by field); with the five separators written, a
    placeholder between two of them stands for that field
    (``arn:aws:bedrock:${Region}::foundation-model/NAME``).
    A value that starts with a placeholder fixes nothing at its start (the placeholder may
    hold a whole ARN prefix): its result must then lie within the dynamic ``template``."""
    text = v.value
    if text.__class__ is not str or "sfniam" in text:  # (no marker may be in the text)
        return None
    if (text[:2] == "${" and text.find("}") == len(text) - 1 and "$" not in text[2:]
            and "{" not in text[2:]):
        return None  # one placeholder and nothing else (the common case): as below
    rest = without_placeholders(text)
    if not rest:  # placeholders only: nothing static to keep (the template it is)
        return None
    start = static_prefix(text)
    shapes: tuple[str, ...] = _SHAPES
    if start and "arn:".startswith(start[:4]) and start.count(":") < 5:
        if rest.count(":") < 5:
            # an ARN whose placeholder may hold ":" and move every field after it
            return None
        shapes = ("{}",)  # a placeholder in one field of the ARN stands for that field
    within = ""
    loose: tuple[int, ...] = ()  # the ARN fields the template leaves open
    if text.startswith("${"):
        if template == "*":
            return None
        filled = t.fmt(template)
        within = _literal(filled)
        loose = tuple(i for i, f in enumerate(filled.split(":", 5)[:5]) if "*" in f)
    found: list[Res] = []
    # the text around the placeholders, split once for every probe (as with_markers does)
    parts = split_placeholders(text)  # text, name, text, name, ..., text
    count = len(parts) // 2
    if count == 0 or count > len(_LETTERS):
        return None  # no probe (with_markers: None for each)
    texts = parts[::2]
    for kind, first in (("letters", _LETTERS), ("digits", _DIGITS)):
        if kind == "digits" and any(m in text for m in first):
            continue  # (a marker written in the value would be made a wildcard)
        for shape in shapes:
            markers = _MARKERS[(kind, shape)]
            pieces = [texts[0]]
            for i in range(count):
                pieces.append(markers[i])
                pieces.append(texts[i + 1])
            probe = "".join(pieces)
            # the markers of the probe: a letters marker is in it only where it was put
            # ("sfniam" is not in the text, and each marker starts and ends with two
            # letters that are not in "sfniam")
            used = first[:count] if kind == "letters" else [m for m in first if m in probe]
            before = len(t.findings)
            out = static(probe)
            del t.findings[before:]
            if not out or any(r.dynamic or not all(m in r.arn for m in used) for r in out):
                continue
            for res in out:
                arn = res.arn
                for m in used:
                    arn = arn.replace(m, "*")
                for m in _LETTERS2:
                    if m in arn:
                        arn = arn.replace(m, "*")
                if not arn.startswith(within):
                    return None
                if loose:  # the placeholder may hold those fields: they stay open
                    fields = arn.split(":", 5)
                    if any(i >= len(fields) or fields[i] != "*" for i in loose):
                        return None
                if not any(covers(other.arn, arn) for other in found):
                    found = [other for other in found if not covers(arn, other.arn)]
                    found.append(Res(arn, v.where, True, v.reason, v.expr))
            # the first shape the static path takes: its "*" (in the resource part) also
            # stands for the completions the other shapes spell out
            return found
    return None


def dynamic_value(t: Task, v: Value, template: str,
                  convert: Callable[[str], str | None]) -> list[Res]:
    """The resources of the dynamic value ``v`` for a resolver whose static path is
    ``convert`` (text -> resource ARN, or None): a partly static value through
    :func:`partial`, else :func:`dynamic_res`."""
    if v.value.__class__ is str:
        where = v.where

        def static(probe: str) -> list[Res]:
            arn = convert(probe)
            return [] if arn is None else [Res(arn, where)]

        found = partial(t, v, static, template)
        if found is not None:
            return found
    return [dynamic_res(t, v, template)]


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
    prefix_arn: bool | None = None,
) -> Resolver:
    """The resource named by the parameter at ``path`` (dotted, e.g. ``Overrides.TaskRoleArn``).

    - a static name fills ``{name}`` in ``name_template``
      (``arn:{partition}:sns:{region}:{account}:{name}``);
    - a static ARN is used as written (keeping its own partition, region and account), or
      passed through ``from_arn`` to normalise it; an ARN of another ``service`` is malformed;
    - ``convert`` instead turns every static string into the resource ARN itself (a queue
      URL, a Lambda partial ARN, ...); ``None`` from it means the value is not
      ``expected`` (a ``malformed-value`` finding and the dynamic form);
    - a dynamic value gives ``dynamic`` (``*`` or an ARN template) and a finding; a partly
      static one (``${Name}`` left in a string) goes through the static path with ``*`` for
      each placeholder (:func:`partial`), or else keeps the fields its text fixes
      (:func:`dynamic_res`; ``prefix_arn`` says an ARN as written starts the resource).

    Static values are literals: the name filled into the template and an ARN used as written
    are escaped (:func:`escape`), so that ``*``, ``?`` or ``${`` in them cannot widen the
    grant. ``from_arn`` and ``convert`` return a resource *pattern*: they escape the user's
    text themselves (and may add deliberate wildcards after it). A malformed value holding
    such characters is refused (:func:`malformed`).
    """
    keys = tuple(path.split("."))
    # does the resource IAM checks start with an ARN value as written? (dynamic_res)
    as_written = (from_arn is None and convert is None) if prefix_arn is None else prefix_arn
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
            v = t.at(keys)
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
            if v.value.__class__ is str:  # partly static: its static parts bound the wildcard
                where = v.where
                found = partial(t, v, lambda probe: static(t, probe, where, None, True),
                                dynamic)
                if found is not None:
                    return found
            return [dynamic_res(t, v, dynamic, as_written)]
        value = v.value
        text = value if kind == STATIC and isinstance(value, str) and value else None
        if text is None:
            return bad(t, v, f"{path} should be a non-empty string")
        return static(t, text, v.where, v)

    def static(t: Task, text: str, where: str, v: Value | None,
               probe: bool = False) -> list[Res]:
        """The resource of the static string ``text`` (``v``: its Value, made if needed).
        ``probe``: a probe of :func:`partial`, which drops a refused value's resources and
        findings: it is refused without them."""
        if convert is not None:
            arn = convert(t, text)
            if arn:
                return [Res(arn, where)]
            if probe:
                return refused(t, text)
            return bad(t, v or Value(STATIC, where, text),
                       f"{text!r} is not {expected or 'a value this parameter takes'}")
        if text.startswith("arn:"):
            parsed = parse_arn(text)
            if parsed is None or (service is not None and parsed.service != service):
                if probe:
                    return refused(t, text)
                return bad(t, v or Value(STATIC, where, text),
                           f"{text!r} is not {f'an {service} ARN' if service else 'an ARN'}")
            arn = from_arn(t, text) if from_arn else escape(text)
            if arn is None:
                if probe:
                    return refused(t, text)
                return bad(t, v or Value(STATIC, where, text),
                           f"{text!r} is not the ARN this parameter expects")
            return [Res(arn, where)]
        return [Res(t.named(name_template, escape(text)), where)]

    def refused(t: Task, text: str) -> list[Res]:
        """What :func:`malformed` does that outlives a probe: filling the dynamic form, which
        reports an unknown region or account it uses (its resource and finding are dropped)."""
        if dynamic != "*" and not has_iam_special(text):
            t.fmt(dynamic)
        return []

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
        v = t.at(keys)
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
        return [] if t.at(keys).absent else then(t)

    return resolve
