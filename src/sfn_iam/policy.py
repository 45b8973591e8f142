"""Merge grants into a policy document: duplicates removed, a wildcard absorbs the
resources it covers, actions with the same resources and condition share one statement,
and everything is sorted so that the output is stable and diff-friendly."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from functools import lru_cache

from sfn_iam.conditions import _NORMALIZED, Condition, condition_json, normalize_action
from sfn_iam.model import Grant, GrantKey, RawGrant, raw

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

VERSION = "2012-10-17"
DENY_ALL: dict[str, Any] = {
    "Version": VERSION,
    "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
}


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(("${*}", "${?}", "${$}"), i):  # escaped literals stay literal
            out.append(re.escape(pattern[i : i + 4]))
            i += 4
            continue
        ch = pattern[i]
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
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
    for pp, aa in zip(p, a, strict=True):
        if pp == aa:  # a field matches itself
            continue
        star = pp.find("*")
        if star < 0 and "?" not in pp:  # a literal field matches only itself
            return False
        if star == len(pp) - 1 and "?" not in pp and "${" not in pp:
            # one final "*" (NAME*, execution:NAME:*): the fields that start with the rest
            if not aa.startswith(pp[:star]):
                return False
            continue
        if _glob(pp).fullmatch(aa) is None:
            return False
    return True


#: an escaped literal (${*} ${?} ${$}) or a wildcard: the first match of one character is the
#: first wildcard (what covers() reads as one: "${*" without its "}" is a "*")
_WILD = re.compile(r"\$\{[*?$]\}|[*?]")


def _first_wildcard(text: str) -> int:
    """Where the first IAM wildcard of ``text`` is, or -1: the first ``*`` or ``?`` that is
    not the middle of an escaped literal ``${*}`` / ``${?}`` (what the first one-character
    match of :data:`_WILD` is, found without the regular expression: an escape is decided
    by the four characters around its ``*`` or ``?``, which no earlier escape can overlap)."""
    start = 0
    while True:
        star, question = text.find("*", start), text.find("?", start)
        i = star if question < 0 or 0 <= star < question else question
        if i < 0:
            return -1
        if not (i >= 2 and text[i - 2:i] == "${" and text[i + 1:i + 2] == "}"):
            return i
        start = i + 1


def _absorb(resources: set[str]) -> set[str]:
    """Drop every resource another one in the set covers (see :func:`_absorbed`)."""
    if len(resources) < 2:  # nothing else to cover it
        return resources
    return set(_absorbed(resources))


def _absorbed(resources: set[str]) -> list[str]:
    """The resources no other one in the set covers, sorted.

    Only a resource that starts with a wildcard pattern's literal prefix (the text before its
    first wildcard) can be covered by it, so each pattern is checked against the sorted range
    that shares its prefix (bisect): n log n for the usual ``execution:NAME:*`` patterns
    rather than every pattern against every resource."""
    if "*" in resources and len(resources) > 1:
        return ["*"]
    ordered = sorted(resources)
    joined = "\0".join(ordered)  # one scan in C for the usual set without any wildcard
    if "*" not in joined and "?" not in joined:
        return ordered
    # each wildcard pattern, with where its wildcard starts, and whether it is "simple": one
    # final "*" after the five ARN fields (``...:execution:NAME:*``), which covers exactly the
    # resources that start with the text before it (what covers() works out, without the work)
    wild: list[tuple[str, int, bool]] = []
    for r in ordered:
        if "*" in r or "?" in r:
            last = len(r) - 1
            if r[last] == "*" and "?" not in r and r.find("*") == last:
                wild.append((r, last, r.count(":", 0, last) >= 5))
                continue
            start = _first_wildcard(r)
            if start >= 0:
                wild.append((r, start, False))
    if not wild:
        return ordered
    wild_set = {w for w, _, _ in wild}
    covered: set[str] = set()
    n = len(ordered)
    for w, start, simple in wild:
        prefix = w[:start]
        i = bisect.bisect_left(ordered, prefix)
        while i < n:
            r = ordered[i]
            if not r.startswith(prefix):
                break
            # two patterns that cover each other (a* and a**): keep the smaller one
            if (r != w and r not in covered
                    and not (r in wild_set and r < w and covers(r, w))
                    and (simple or covers(w, r))):
                covered.add(r)
            i += 1
    return [r for r in ordered if r not in covered] if covered else ordered


def merge(grants: Iterable[Grant]) -> list[dict[str, Any]]:
    """Grants -> sorted policy statements."""
    return merge_raw([raw(gr) for gr in grants])


def merge_raw(grants: Iterable[RawGrant]) -> list[dict[str, Any]]:
    """:func:`merge` of the grants as the generator collects them (:data:`RawGrant`)."""
    if grants.__class__ is list and len(grants) == 1:
        return _merge_one(grants[0])
    # grants with the same effect, condition and actions pool their resources first (one
    # dict look-up per grant, not per action)
    by_grant: dict[GrantKey, list[str]] = {}
    for gr in grants:
        key = gr[0]
        pooled = by_grant.get(key)
        if pooled is None:
            by_grant[key] = list(gr[1])
        else:
            pooled += gr[1]
    # per (effect, condition): action -> its resources. The condition (nested tuples, whose
    # hash is not cached) is hashed once per grant key, not once per action
    by_condition: dict[tuple[str, Condition], dict[str, set[str]]] = {}
    for (effect, cond, grant_actions), pooled_arns in by_grant.items():
        ec = (effect, cond)
        by_action = by_condition.get(ec)
        if by_action is None:
            by_action = by_condition[ec] = {}
        for action in grant_actions:
            name = _NORMALIZED.get(action) or normalize_action(action)
            arns = by_action.get(name)
            if arns is None:
                by_action[name] = set(pooled_arns)
            else:
                arns.update(pooled_arns)
    statements = []
    keys: list[tuple[Any, ...]] = []  # each statement's sort key (_statement_key), but the last part
    absorbed: dict[frozenset[str], tuple[str, ...]] = {}  # actions often share one set
    for (effect, cond), by_action in by_condition.items():
        # final resources -> actions; each action once per (effect, condition)
        grouped: dict[tuple[str, ...], list[str]] = {}
        for action, arns in by_action.items():
            if len(arns) == 1:  # nothing to absorb
                final = tuple(arns)
            else:
                frozen = frozenset(arns)
                found = absorbed.get(frozen)
                if found is None:
                    found = absorbed[frozen] = tuple(_absorbed(arns))
                final = found
            actions = grouped.get(final)
            if actions is None:
                grouped[final] = [action]
            else:
                actions.append(action)
        for resources, actions in grouped.items():
            if len(actions) > 1:
                actions.sort(key=str.lower)
            resource_list = list(resources)
            st: dict[str, Any] = {"Effect": effect, "Action": actions, "Resource": resource_list}
            if cond:
                st["Condition"] = condition_json(cond)
            statements.append(st)
            keys.append((effect != "Allow", [a.lower() for a in actions], resource_list))
    if len(statements) > 1:
        # sorted by _statement_key, worked out as the statements are made: the repr of the
        # Condition, its last part, only where the rest ties (rare: it takes two conditions
        # on the same actions and resources)
        order = sorted(range(len(statements)), key=keys.__getitem__)
        statements = [statements[i] for i in order]
        for i in range(1, len(order)):
            if keys[order[i]] == keys[order[i - 1]]:
                statements.sort(key=_statement_key)
                break
    return statements


def _merge_one(gr: RawGrant) -> list[dict[str, Any]]:
    """:func:`merge_raw` of one grant: its statement."""
    (effect, cond, grant_actions), resources = gr[0], gr[1]
    actions = list(dict.fromkeys(_NORMALIZED.get(a) or normalize_action(a) for a in grant_actions))
    if len(actions) > 1:
        actions.sort(key=str.lower)
    st: dict[str, Any] = {
        "Effect": effect,
        "Action": actions,
        "Resource": list(resources) if len(resources) < 2 else _absorbed(set(resources)),
    }
    if cond:
        st["Condition"] = condition_json(cond)
    return [st]


def _statement_key(st: dict[str, Any]) -> tuple[Any, ...]:
    return (
        st["Effect"] != "Allow",
        [a.lower() for a in st["Action"]],
        st["Resource"],
        repr(st.get("Condition", "")),
    )


def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


# --------------------------------------------------------------------------- size limits

#: IAM quotas (IAM and AWS STS quotas, "IAM and STS character limits"): the inline policies of
#: a role together, and one managed policy. IAM does not count whitespace.
INLINE_LIMIT = 10_240
MANAGED_LIMIT = 6_144


def policy_size(document: dict[str, Any]) -> int:
    """The size of ``document`` as IAM counts it against its quotas: the characters of the
    JSON without the whitespace between tokens. Whitespace inside strings is counted (an
    over-estimate if IAM drops it too, never an under-estimate); characters, not bytes, and
    non-ASCII characters count once, as written (not ``\\uXXXX``)."""
    statements = document.get("Statement") if document.__class__ is dict else None
    version = document.get("Version") if statements is not None else None
    if (statements.__class__ is list and len(document) == 2 and version.__class__ is str
            and version.isprintable() and '"' not in version and "\\" not in version):
        # the shape the merge makes: counted without encoding (the same number)
        total = 0
        for st in statements:
            size = _statement_size(st)
            if size < 0:
                break
            total += size
        else:
            return (len(version) + _DOC_OVERHEAD + total
                    + max(len(statements) - 1, 0))
    return int(_sizer(document))


#: {"Version":"","Statement":[]}: what a document adds to its version and statements
_DOC_OVERHEAD = len('{"Version":"","Statement":[]}')
#: {"Effect":"","Action":[],"Resource":[]}: what a statement adds to its strings
_STATEMENT_OVERHEAD = len('{"Effect":"","Action":[],"Resource":[]}')


def _statement_size(st: Any) -> int:
    """The compact JSON size of a statement as the merge makes it (Effect, a list of
    Action, a list of Resource, maybe a Condition, in that order), counted from its strings;
    -1 for any other statement, or strings that JSON escapes."""
    if st.__class__ is not dict:
        return -1
    keys = tuple(st)
    if keys not in _MERGED_SHAPES:
        return -1
    effect, actions, resources = st["Effect"], st["Action"], st["Resource"]
    if (effect.__class__ is not str or actions.__class__ is not list
            or resources.__class__ is not list or not actions or not resources):
        return -1
    try:
        text = effect + "".join(actions) + "".join(resources)
    except TypeError:  # not all strings
        return -1
    if '"' in text or "\\" in text or not text.isprintable():
        return -1  # escapes: let the encoder count them
    size = (_STATEMENT_OVERHEAD + len(text) + 2 * (len(actions) + len(resources))
            + len(actions) - 1 + len(resources) - 1)
    if len(keys) == 4:
        cond_size = _condition_size(st["Condition"])
        if cond_size < 0:
            return -1
        size += len(',"Condition":') + cond_size
    return size


def _condition_size(cond: Any) -> int:
    """The compact JSON size of a Condition block as the merge makes it (operator -> key ->
    a string or a list of strings), counted from its strings; -1 for anything else, or
    strings that JSON escapes."""
    if cond.__class__ is not dict or not cond:
        return -1
    size = 2 + len(cond) - 1  # {} and the commas between operators
    texts: list[str] = []
    for op, keys in cond.items():
        if op.__class__ is not str or keys.__class__ is not dict or not keys:
            return -1
        texts.append(op)
        size += 3 + 2 + len(keys) - 1  # "op": {} and the commas between keys
        for key, vals in keys.items():
            if key.__class__ is not str:
                return -1
            texts.append(key)
            size += 3  # "key":
            if vals.__class__ is str:
                texts.append(vals)
                size += 2
            elif vals.__class__ is list and vals:
                for v in vals:
                    if v.__class__ is not str:
                        return -1
                    texts.append(v)
                size += 2 + 3 * len(vals) - 1  # [] and each "v", commas between
            else:
                return -1
    text = "".join(texts)
    if '"' in text or "\\" in text or not text.isprintable():
        return -1  # escapes: let the encoder count them
    return size + len(text)


_MERGED_SHAPES = frozenset({("Effect", "Action", "Resource"),
                            ("Effect", "Action", "Resource", "Condition")})


#: json.dumps(value, separators=(",", ":"), ensure_ascii=False), without building an encoder
#: for every call
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _compact(value: Any) -> str:
    return _COMPACT.encode(value)


def _make_sizer() -> Any:
    """``len(_compact(doc))`` for a policy document, quicker: json's C encoder is made once
    (JSONEncoder.encode makes one per call, which is most of the time on a small policy),
    with no check for circular references (a document the merge made has none). Where the C
    encoder is missing (another Python), ``_compact``."""
    from json import encoder

    try:
        enc = encoder.c_make_encoder(  # type: ignore[attr-defined]
            None, _COMPACT.default, encoder.encode_basestring, None, ":", ",", False, False, True)
    except (AttributeError, TypeError):  # pragma: no cover - CPython's json has it
        return lambda doc: len(_compact(doc))

    def size(doc: Any) -> int:
        return len("".join(enc(doc, 0)))

    return size


_sizer = _make_sizer()


def split(document: dict[str, Any], limit: int = MANAGED_LIMIT) -> list[dict[str, Any]]:
    """``document`` as several policy documents that each fit in ``limit`` characters
    (:func:`policy_size`) and together allow and deny exactly what it does.

    Statements are kept whole where they fit and packed, in their order, into the first
    document with room (first fit); a statement too big on its own is cut into statements
    with the same Effect, Action and Condition over consecutive slices of its Resource list
    (then of its Action list). The result depends only on the input. A document that fits is
    returned as it is, alone. Raises ``ValueError`` when one action on one resource cannot
    fit (``limit`` is smaller than any policy could be)."""
    if policy_size(document) <= limit:
        return [document]
    version = document.get("Version", VERSION)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    room = limit - policy_size({"Version": version, "Statement": []})
    pieces = [piece for st in statements for piece in _pieces(st, room)]
    bins: list[list[dict[str, Any]]] = []
    used: list[int] = []  # characters of each bin's statements, commas included
    for piece in pieces:
        size = len(_compact(piece))
        for i, n in enumerate(used):
            if n + 1 + size <= room:
                bins[i].append(piece)
                used[i] = n + 1 + size
                break
        else:
            bins.append([piece])
            used.append(size)
    return [{"Version": version, "Statement": b} for b in bins]


def _pieces(st: dict[str, Any], room: int) -> list[dict[str, Any]]:
    """``st`` as statements of at most ``room`` characters each, cutting its Resource list,
    else its Action list, into consecutive slices (greedy, so as few pieces as possible)."""
    if len(_compact(st)) <= room:
        return [st]
    for key in ("Resource", "NotResource", "Action", "NotAction"):
        values = st.get(key)
        if isinstance(values, list) and len(values) > 1:
            out: list[dict[str, Any]] = []
            chunk: list[Any] = []
            for value in values:
                if chunk and len(_compact({**st, key: [*chunk, value]})) > room:
                    out.extend(_pieces({**st, key: chunk}, room))
                    chunk = []
                chunk.append(value)
            out.extend(_pieces({**st, key: chunk}, room))
            return out
    raise ValueError(
        f"a statement of {len(_compact(st))} characters cannot be split to fit in {room} "
        "(one action on one resource)")
