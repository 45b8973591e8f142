"""An IAM evaluator for identity policies: does a set of policy documents allow a request?

Our own, written from the IAM User Guide (policy evaluation logic, condition operators, policy
variables), and sharing no code with the generator's merge step (``policy.py``): the audit
compares the generator's grants with a role through it, so a bug in one must not hide in the
other.

Semantics:

- an explicit ``Deny`` that applies wins; otherwise an ``Allow`` that applies allows; otherwise
  the request is implicitly denied;
- ``Action``/``NotAction`` (case-insensitive, ``*`` and ``?``), ``Resource``/``NotResource``
  (case-sensitive, ``*`` and ``?``), policy variables (``${aws:username}``, with a default
  ``${key, 'x'}``) and the literals ``${*}`` ``${?}`` ``${$}`` (policy version 2012-10-17 only;
  in 2008-10-17 a ``${`` is plain text);
- conditions: String*, Arn*, Bool, Null, Numeric*, Date*, the ``IfExists`` suffix and the
  ``ForAnyValue:``/``ForAllValues:`` qualifiers. IpAddress and Binary operators, keys the
  request context does not say anything about, and policy variables without a value make the
  statement **undecided**: never guessed.

A request may stand for a set of requests: its resource (or a context value) may hold IAM
wildcards, e.g. ``arn:aws:lambda:us-east-1:1:function:*`` for a Task whose function is known
only at run time. An Allow then applies when it covers every request of the set, a Deny when
it may apply to any of them (undecided when that cannot be told).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sfn_iam.errors import SfnIamError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

ALLOWED, DENIED, IMPLICIT, UNDECIDED = "allowed", "denied", "implicit-deny", "undecided"

# In a subject string (a request value made ready for matching), the request's own wildcards
# are these two characters, which no policy literal can match: only a policy ``*`` (and ``?``
# for a single ``?``) covers them.
_STAR, _QMARK = "\x00", "\x01"


class PolicyError(SfnIamError):
    """A policy document that cannot be evaluated (not a policy, bad element)."""


class Request:
    """One request, or a set of them (wildcards in ``resource`` or in a ``patterns`` key).

    ``context``: condition key (any case) -> its values; ``None`` means known to be absent.
    A key not in ``context`` is unknown: a condition on it is undecided.
    ``patterns``: keys whose values are IAM patterns (StringLike) rather than literals.
    """

    __slots__ = ("action", "context", "patterns", "resource")

    def __init__(self, action: str, resource: str,
                 context: dict[str, tuple[str, ...] | None] | None = None,
                 patterns: Iterable[str] = ()) -> None:
        self.action = action
        self.resource = resource
        self.context = {k.lower(): v for k, v in (context or {}).items()}
        self.patterns = frozenset(p.lower() for p in patterns)


class Statement:
    """One statement of a policy, as written (lists normalised), with where it comes from."""

    __slots__ = ("actions", "condition", "effect", "literal_actions", "literal_resources",
                 "not_action", "not_resource", "pattern_actions", "pattern_resources", "policy",
                 "resources", "sid", "version")

    def __init__(self, raw: dict[str, Any], policy: str, index: int, version: str) -> None:
        self.policy = policy
        self.version = version
        sid = raw.get("Sid")
        self.sid = sid if isinstance(sid, str) and sid else f"#{index + 1}"
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f"{policy}: statement {self.sid}: Effect must be Allow or Deny")
        self.effect: str = effect
        self.not_action = "NotAction" in raw
        self.actions = _strings(raw.get("NotAction" if self.not_action else "Action"),
                                policy, self.sid, "Action")
        self.not_resource = "NotResource" in raw
        self.resources = _strings(raw.get("NotResource" if self.not_resource else "Resource"),
                                  policy, self.sid, "Resource")
        # literals are looked up in a set, so that a statement listing thousands of ARNs
        # costs one lookup per request (linear time overall); patterns are matched one by one
        self.literal_actions = frozenset(a.lower() for a in self.actions if not _wild(a))
        self.pattern_actions = tuple(a.lower() for a in self.actions if _wild(a))
        self.literal_resources = frozenset(r for r in self.resources if not _wild(r, "$"))
        self.pattern_resources = tuple(r for r in self.resources if _wild(r, "$"))
        cond = raw.get("Condition", {})
        if not isinstance(cond, dict) or not all(
                isinstance(v, dict) for v in cond.values()):
            raise PolicyError(f"{policy}: statement {self.sid}: Condition must be an object of "
                              "operators, each an object of keys")
        for op, keys in cond.items():
            for key, value in keys.items():
                values = value if isinstance(value, list) else [value]
                if not all(isinstance(v, (str, int, float, bool)) for v in values):
                    raise PolicyError(f"{policy}: statement {self.sid}: Condition {op} {key}: "
                                      "a value must be a string, number or boolean, or a list "
                                      "of them")
        self.condition: dict[str, dict[str, Any]] = cond

    def matches_action(self, action: str) -> bool:
        """Action or NotAction matches (before the Not is applied)."""
        a = action.lower()
        return a in self.literal_actions or any(_glob(p, a, False) for p in self.pattern_actions)

    @property
    def label(self) -> str:
        return f"{self.policy} {self.sid}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Effect": self.effect}
        out["NotAction" if self.not_action else "Action"] = list(self.actions)
        out["NotResource" if self.not_resource else "Resource"] = list(self.resources)
        if self.condition:
            out["Condition"] = self.condition
        return out


def _wild(text: str, extra: str = "") -> bool:
    return "*" in text or "?" in text or (bool(extra) and extra in text)


def _strings(value: object, policy: str, sid: str, element: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyError(f"{policy}: statement {sid}: {element} (or Not{element}) must be a string "
                      "or a list of strings")


def statements(document: object, name: str) -> list[Statement]:
    """The statements of one identity-policy document."""
    if not isinstance(document, dict) or "Statement" not in document:
        raise PolicyError(f"{name}: not a policy document (no Statement)")
    version = document.get("Version", "2008-10-17")
    raw = document["Statement"]
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise PolicyError(f"{name}: statement #{i + 1} is not an object")
        if "Principal" in item or "NotPrincipal" in item:
            raise PolicyError(f"{name}: statement #{i + 1} has a Principal: this is a resource "
                              "or trust policy, not a role's permissions")
        out.append(Statement(item, name, i, str(version)))
    return out


class Decision:
    """The answer for one request: ``result`` (allowed / denied / implicit-deny / undecided),
    the statements that allow it, deny it, or might (undecided), with the reasons."""

    __slots__ = ("allowed_by", "denied_by", "reasons", "result", "undecided_by")

    def __init__(self, result: str, allowed_by: list[Statement], denied_by: list[Statement],
                 undecided_by: list[Statement], reasons: list[str]) -> None:
        self.result = result
        self.allowed_by = allowed_by
        self.denied_by = denied_by
        self.undecided_by = undecided_by
        self.reasons = reasons


def evaluate(stmts: list[Statement], request: Request) -> Decision:
    """IAM's decision for ``request`` under the identity policies ``stmts`` together."""
    allow: list[Statement] = []
    deny: list[Statement] = []
    maybe: list[Statement] = []
    reasons: list[str] = []
    for st in stmts:
        why: list[str] = []
        hit = applies(st, request, why)
        if hit is None:
            maybe.append(st)
            reasons.extend(f"{st.label}: {w}" for w in why)
        elif hit:
            (deny if st.effect == "Deny" else allow).append(st)
    if deny:
        result = DENIED
    elif [st for st in maybe if st.effect == "Deny"] and allow:
        result = UNDECIDED
    elif allow:
        result = ALLOWED
    elif maybe:
        result = UNDECIDED
    else:
        result = IMPLICIT
    return Decision(result, allow, deny, maybe, reasons)


def applies(st: Statement, request: Request, why: list[str] | None = None,
            want_all: bool | None = None) -> bool | None:
    """Whether the statement applies to the request (to all of its set for an Allow, to any
    for a Deny, unless ``want_all`` says otherwise); None when that depends on something
    unknown."""
    why = [] if why is None else why
    if want_all is None:
        want_all = st.effect == "Allow"
    if st.matches_action(request.action) == st.not_action:
        return False
    res = _resource_applies(st, request, want_all, why)
    if res is False:
        return False
    cond = condition_holds(st.condition, request, st.version, want_all, why)
    if cond is False:
        return False
    return None if res is None or cond is None else True


def action_matches(patterns: Iterable[str], action: str) -> bool:
    """Actions: case-insensitive, ``*`` and ``?`` (no policy variables)."""
    a = action.lower()
    return any(_glob(p.lower(), a, False) for p in patterns)


def _resource_applies(st: Statement, request: Request, want_all: bool,
                      why: list[str]) -> bool | None:
    subject = subject_of(request.resource)
    found: bool | None = False
    literal = _STAR not in subject and _QMARK not in subject
    if literal and subject in st.literal_resources:
        return not st.not_resource
    # a literal pattern matches a literal subject only when equal (checked above)
    for pattern in st.pattern_resources if literal else st.resources:
        text = substitute_variables(pattern, request, st.version)
        if text is None:
            why.append(f"resource {pattern!r} uses a policy variable without a known value")
            found = None
            continue
        # NotResource: the statement applies to the requests that no pattern matches, so
        # "all of the set" becomes "none may match" and the other way round
        # ARNs are compared field by field, as IAM does (a wildcard does not span a colon
        # of the first five fields); anything else as a whole
        hit = _arn_like(text, subject, want_all != st.not_resource)
        if hit is None:
            why.append(f"resource {pattern!r} overlaps {request.resource!r} in part")
            found = None
        elif hit:
            found = True
            break
    if st.not_resource:
        return None if found is None else not found
    return found


def subject_of(value: str, wild: bool = True) -> str:
    """A request value in IAM pattern form -> the string patterns are matched against: its
    wildcards become the two private characters (with ``wild``; else they are plain text),
    its literals (``${*}``...) plain text."""
    if "*" not in value and "?" not in value and "${" not in value:
        return value
    if not wild:
        return value.replace("${*}", "*").replace("${?}", "?").replace("${$}", "$")
    out = []
    i = 0
    while i < len(value):
        for lit, char in (("${*}", "*"), ("${?}", "?"), ("${$}", "$")):
            if value.startswith(lit, i):
                out.append(char)
                i += 4
                break
        else:
            c = value[i]
            out.append(_STAR if c == "*" else _QMARK if c == "?" else c)
            i += 1
    return "".join(out)


def covers(pattern: str, value: str) -> bool:
    """Does the IAM pattern ``pattern`` match every string of the IAM pattern ``value``?"""
    return _match(pattern, subject_of(value), True) is True


def _match(pattern: str, subject: str, cover_all: bool) -> bool | None:
    """Does the policy pattern match the subject: every string of it (``cover_all``), or
    some string of it? A literal subject is one string: both are the same question."""
    if _glob(pattern, subject):
        return True
    if _STAR not in subject and _QMARK not in subject:
        return False
    if cover_all:
        return False
    # "some string of a set": certain when the other way round covers; impossible when their
    # literal beginnings differ; undecided otherwise
    if _glob(_as_pattern(subject), subject_of(pattern)):
        return True
    a, b = _literal_head(subject), _literal_head(subject_of(pattern))
    if not (a.startswith(b) or b.startswith(a)):
        return False
    return None


def _literal_head(subject: str) -> str:
    cut = [i for i in (subject.find(_STAR), subject.find(_QMARK)) if i >= 0]
    return subject[:min(cut)] if cut else subject


def _as_pattern(subject: str) -> str:
    """The inverse of :func:`subject_of`."""
    return (subject.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}")
            .replace(_STAR, "*").replace(_QMARK, "?"))


#: a compiled pattern: one entry per character; ``_ANY_RUN`` for ``*``, ``_ONE`` for ``?``,
#: ``_NEVER`` for a policy character that is one of the subject's private wildcard marks
_ANY_RUN, _ONE, _NEVER = 0, 1, 2
_CACHE: dict[tuple[str, bool], tuple[str | int, ...]] = {}


def _tokens(pattern: str, literals: bool) -> tuple[str | int, ...]:
    """A policy pattern as tokens: ``*`` any run, ``?`` one character but not a request's
    ``*``; with ``literals``, ``${*}`` ``${?}`` ``${$}`` stand for themselves."""
    key = (pattern, literals)
    found = _CACHE.get(key)
    if found is not None:
        return found
    out: list[str | int] = []
    i = 0
    while i < len(pattern):
        if literals and pattern.startswith(("${*}", "${?}", "${$}"), i):
            out.append(pattern[i + 2])
            i += 4
            continue
        c = pattern[i]
        if c == "*":
            if not out or out[-1] != _ANY_RUN:  # "**" is "*"
                out.append(_ANY_RUN)
        else:
            out.append(_ONE if c == "?" else _NEVER if c in (_STAR, _QMARK) else c)
        i += 1
    compiled = tuple(out)
    if len(_CACHE) < 8192:
        _CACHE[key] = compiled
    return compiled


def _fullmatch(tokens: tuple[str | int, ...], subject: str) -> bool:
    """Glob matching in at most len(tokens) * len(subject) steps (no regex: a hostile
    pattern such as ``*a*a*a*a*b`` cannot make it backtrack for ever)."""
    p = s = 0
    star, mark = -1, 0
    n, m = len(tokens), len(subject)
    while s < m:
        t = tokens[p] if p < n else None
        if t == _ANY_RUN:
            star, mark = p, s
            p += 1
        elif t is not None and (t == subject[s] or (t == _ONE and subject[s] != _STAR)):
            p += 1
            s += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            s = mark
        else:
            return False
    while p < n and tokens[p] == _ANY_RUN:
        p += 1
    return p == n


def _glob(pattern: str, subject: str, literals: bool = True) -> bool:
    return _fullmatch(_tokens(pattern, literals), subject)


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def substitute_variables(text: str, request: Request, version: str) -> str | None:
    """Policy variables replaced by their values from the request context (the literals
    ``${*}`` ``${?}`` ``${$}`` kept for the matcher); None when one has no known value. In a
    2008-10-17 policy ``${`` is plain text, so it is escaped."""
    if "${" not in text:
        return text
    if version != "2012-10-17":
        return text.replace("$", "${$}")  # plain text: the ``$`` kept literal
    failed = False

    def value(m: re.Match[str]) -> str:
        nonlocal failed
        inner = m.group(1)
        if inner in ("*", "?", "$"):
            return m.group(0)
        name, _, default = inner.partition(",")
        key = name.strip().lower()
        known = request.context.get(key, ()) if key in request.context else ()
        if key in request.context and known is not None and len(known) == 1:
            return _as_pattern(known[0])
        default = default.strip()
        if default.startswith("'") and default.endswith("'") and len(default) >= 2 and (
                key in request.context and request.context[key] is None):
            return _as_pattern(default[1:-1])
        failed = True
        return ""

    out = _VARIABLE.sub(value, text)
    return None if failed else out


# --- conditions -------------------------------------------------------------------------------

_NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals",
            "ArnNotLike", "NumericNotEquals", "DateNotEquals")


def condition_holds(block: dict[str, dict[str, Any]], request: Request, version: str,
                    want_all: bool, why: list[str]) -> bool | None:
    """The Condition block: every operator and every key must hold (AND); the values of one
    key are alternatives (OR)."""
    result: bool | None = True
    for op, keys in block.items():
        for key, raw in keys.items():
            values = raw if isinstance(raw, list) else [raw]
            hit = _one(op, key, [v if isinstance(v, str) else _json_text(v) for v in values],
                       request, version, want_all)
            if hit is None:
                why.append(f"condition {op} {key} cannot be decided from the request")
                result = None
            elif not hit:
                return False
    return result


def _json_text(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _one(op: str, key: str, values: list[str], request: Request, version: str,
         want_all: bool) -> bool | None:
    qualifier, _, base = op.rpartition(":")
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base[: -len("IfExists")]
    k = key.lower()
    if k not in request.context:
        return None  # unknown key
    present = request.context[k]
    if base == "Null":
        if present is None:
            return any(v.lower() == "true" for v in values)
        return any(v.lower() == "false" for v in values)
    if present is None:  # the key is absent from the request
        if if_exists or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return base in _NEGATED
    pattern = k in request.patterns
    results = [_test(base, v_req, values, request, version, pattern, want_all)
               for v_req in present]
    if qualifier == "ForAllValues":
        return _all(results)
    if qualifier == "ForAnyValue":
        return _any(results)
    if qualifier:
        return None  # an unknown qualifier
    if len(present) != 1:
        return None  # a single-valued operator on several values: AWS leaves it ill-defined
    return results[0]


def _all(results: list[bool | None]) -> bool | None:
    if False in results:
        return False
    return None if None in results else True


def _any(results: list[bool | None]) -> bool | None:
    if True in results:
        return True
    return None if None in results else False


def _test(base: str, given: str, values: list[str], request: Request, version: str,
          pattern: bool, want_all: bool) -> bool | None:
    """One request value against the policy's values (alternatives). ``given`` is in IAM
    pattern form; its ``*``/``?`` are wildcards only for a ``pattern`` key."""
    negated = base in _NEGATED
    positive = base.replace("Not", "", 1) if negated else base
    subject = subject_of(given, pattern)
    if positive in ("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals",
                    "ArnLike"):
        hits: list[bool | None] = []
        for v in values:
            text = substitute_variables(v, request, version)
            # negated: "no value matches" over all the set is "some string matches" negated
            hits.append(None if text is None else
                        _string_test(positive, text, subject, want_all != negated))
        hit = _any(hits)
        return None if hit is None else hit != negated
    if _STAR in subject or _QMARK in subject:
        return None
    if positive == "NumericEquals":
        hit = _any([_numeric("NumericEquals", subject, v) for v in values])
        return None if hit is None else hit != negated
    if base.startswith("Numeric"):
        return _any([_numeric(base, subject, v) for v in values])
    if base == "Bool":
        return any(v.lower() == subject.lower() for v in values)
    if base == "DateNotEquals":
        hit = _any([_date("DateEquals", subject, v) for v in values])
        return None if hit is None else not hit
    if base.startswith("Date"):
        return _any([_date(base, subject, v) for v in values])
    return None  # IpAddress, Binary*: not decided here


def _string_test(op: str, policy_value: str, subject: str, cover_all: bool) -> bool | None:
    """A policy value (variables substituted) against a subject: all of its set
    (``cover_all``) or some of it."""
    if op in ("StringEquals", "StringEqualsIgnoreCase"):
        literal = subject_of(policy_value, False)
        if op == "StringEqualsIgnoreCase":
            literal, subject = literal.lower(), subject.lower()
        if _STAR not in subject and _QMARK not in subject:
            return literal == subject
        if cover_all:
            return False  # one literal cannot cover a set of strings
        return _glob(_as_pattern(subject), literal)
    if op == "StringLike":
        return _match(policy_value, subject, cover_all)
    return _arn_like(policy_value, subject, cover_all)  # ArnEquals and ArnLike alike


def _arn_like(policy_value: str, subject: str, cover_all: bool) -> bool | None:
    """ArnLike: each of the six colon-separated parts is matched separately (the sixth, the
    resource, may itself hold colons)."""
    want = policy_value.split(":", 5)
    have = subject.split(":", 5)
    if len(want) != 6 or len(have) != 6:
        return _match(policy_value, subject, cover_all)
    results = [_match(w, h, cover_all) for w, h in zip(want, have, strict=True)]
    return _all(results)


def _numeric(op: str, given: str, value: str) -> bool | None:
    try:
        a, b = Decimal(given), Decimal(value)
    except InvalidOperation:
        return None
    compare = {"NumericEquals": a == b, "NumericNotEquals": a != b, "NumericLessThan": a < b,
               "NumericLessThanEquals": a <= b, "NumericGreaterThan": a > b,
               "NumericGreaterThanEquals": a >= b}
    return compare.get(op)


def _date(op: str, given: str, value: str) -> bool | None:
    """Dates as ISO 8601 (``2024-01-01``, ``2024-01-01T00:00:00Z``) or epoch seconds; a
    date without a time zone is UTC; anything else is undecided."""
    a, b = _instant(given), _instant(value)
    if a is None or b is None:
        return None
    compare = {"DateEquals": a == b, "DateLessThan": a < b, "DateLessThanEquals": a <= b,
               "DateGreaterThan": a > b, "DateGreaterThanEquals": a >= b}
    return compare.get(op)


def _instant(text: str) -> float | None:
    from datetime import datetime, timezone

    try:
        return float(Decimal(text))
    except InvalidOperation:
        pass
    try:
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def all_statements(documents: Iterable[tuple[str, object]]) -> list[Statement]:
    """The statements of several named documents, in order."""
    out: list[Statement] = []
    for name, doc in documents:
        out.extend(statements(doc, name))
    return out
