"""Task parameters: is a value static (known now) or dynamic (known only at run time)?

Dynamic is: a JSONPath ``"Key.$"`` (a path, a context-object path ``$$.``, a variable
``$name`` or an intrinsic function ``States.*(...)``), a JSONata ``{% ... %}`` string, a value
under a dynamic object, or a ``${Name}`` placeholder left without a substitution.
Static JSONata literals are static.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time

if TYPE_CHECKING:
    from typing import Any

# [^${}]: a run of "${" cannot make the search quadratic (each start scans only to the next $)
_PLACEHOLDER = re.compile(r"\$\{([^${}]*)\}")

#: CloudFormation pseudo parameters (``Fn::Sub`` fills them at deploy time): filled from
#: --partition / --region / --account (``AWS::StackName`` only when given with --substitute).
PSEUDO_PARTITION = "AWS::Partition"
PSEUDO_REGION = "AWS::Region"
PSEUDO_ACCOUNT = "AWS::AccountId"
PSEUDO_URL_SUFFIX = "AWS::URLSuffix"
#: What an unknown ``${AWS::Region}`` / ``${AWS::AccountId}`` is filled with while the
#: definition is read: a value each service's format check accepts (a region, 12 digits),
#: made ``*`` in the policy afterwards, with an unknown-region / unknown-account warning, as
#: for an ARN built from a name (generate.py, ``_unmark``). The first pair the definition does
#: not contain is used, so that no text written in it can become a wildcard.
REGION_MARKER = "zz-sfniamregion-9"
ACCOUNT_MARKER = "999999999990"
MARKERS = [(f"zz-sfniamregion-{i}", f"9999999999{90 + i}") for i in range(10)]

_URL_SUFFIXES = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov",
                 "aws-iso-b": "sc2s.sgov.gov", "aws-iso-e": "cloud.adc-e.uk",
                 "aws-iso-f": "csp.hci.ic.gov"}


def pseudo_parameters(region: str | None, account: str | None, partition: str,
                      markers: tuple[str, str] = (REGION_MARKER, ACCOUNT_MARKER)
                      ) -> dict[str, str]:
    """The values of the pseudo parameters: an unknown region or account is its marker."""
    return {
        PSEUDO_PARTITION: partition,
        PSEUDO_REGION: region or markers[0],
        PSEUDO_ACCOUNT: account or markers[1],
        PSEUDO_URL_SUFFIX: _URL_SUFFIXES.get(partition, "amazonaws.com"),
    }


STATIC = "static"
DYNAMIC = "dynamic"
ABSENT = "absent"


class Value:
    """A parameter's value as seen at generation time.

    ``where`` names it the way the user wrote it (``Parameters.Overrides.TaskRoleArn.$``),
    ``expr`` holds the expression of a dynamic value, ``reason`` says why it is dynamic.

    A plain slotted class (made for every parameter read, so it must be cheap to build);
    compared and hashed by its fields, read-only by convention.
    """

    __slots__ = ("expr", "kind", "reason", "value", "where")

    def __init__(self, kind: str, where: str, value: Any = None, expr: str | None = None,
                 reason: str | None = None) -> None:
        self.kind = kind
        self.where = where
        self.value = value
        self.expr = expr
        self.reason = reason

    def _key(self) -> tuple[Any, ...]:
        return (self.kind, self.where, self.value, self.expr, self.reason)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Value:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Value(kind={self.kind!r}, where={self.where!r}, value={self.value!r}, "
                f"expr={self.expr!r}, reason={self.reason!r})")

    @property
    def static(self) -> bool:
        return self.kind == STATIC

    @property
    def dynamic(self) -> bool:
        return self.kind == DYNAMIC

    @property
    def absent(self) -> bool:
        return self.kind == ABSENT

    @property
    def text(self) -> str | None:
        """The static value when it is a non-empty string, else None."""
        if self.kind == STATIC and isinstance(self.value, str) and self.value:
            return self.value
        return None


def is_jsonata_expr(value: Any) -> bool:
    if not isinstance(value, str) or "{%" not in value:
        return False
    s = value.strip()
    return s[:2] == "{%" and s[-2:] == "%}"


def describe_dynamic(expr: str) -> str:
    """Say what kind of dynamic value an expression is."""
    e = expr.strip()
    if e.startswith("{%"):
        return "a JSONata expression"
    if e.startswith("$$"):
        return "a context-object path"
    if e.startswith("States."):
        return "an intrinsic function"
    if e.startswith("$") and not e.startswith(("$.", "$[")) and e != "$":
        return "a variable"
    return "a JSONPath reference"


def split_placeholders(text: str) -> list[str]:
    """``_PLACEHOLDER.split(text)``: the text around each ``${Name}`` placeholder and the
    names, ``[text, name, text, name, ..., text]``, found with plain string searches (a
    regular expression costs several times as much on the short values of a definition).

    Linear: a ``${`` is a placeholder when a ``}`` closes it before any other ``$`` or
    ``{``; the search for that ``}`` stops at the next ``$`` or ``{``, so no part of the
    text is read more than a few times however many ``${`` it holds."""
    i = text.find("${")
    if i < 0:
        return [text]
    parts: list[str] = []
    pos = 0  # where the text after the last placeholder starts
    n = len(text)
    while i >= 0:
        j = i + 2
        dollar = text.find("$", j)
        brace = text.find("{", j)
        stop = n
        if 0 <= dollar < stop:
            stop = dollar
        if 0 <= brace < stop:
            stop = brace
        end = text.find("}", j, stop)
        if end < 0:
            i = text.find("${", i + 1)  # not a placeholder here: the next "${"
            continue
        parts.append(text[pos:i])
        parts.append(text[j:end])
        pos = end + 1
        i = text.find("${", pos)
    parts.append(text[pos:])
    return parts


def substitute(text: str, substitutions: dict[str, str]) -> tuple[str, list[str]]:
    """Replace ``${Name}`` placeholders; return the text and the names left unresolved."""
    if "${" not in text:
        return text, []
    parts = split_placeholders(text)
    if not substitutions:  # nothing to put in: every placeholder is missing
        return text, parts[1::2]
    missing = []
    for i in range(1, len(parts), 2):
        name = parts[i]
        if name in substitutions:
            parts[i] = substitutions[name]
        else:
            missing.append(name)
            parts[i] = "${" + name + "}"
    return "".join(parts), missing


def static_prefix(text: str) -> str:
    """The text before the first ``${Name}`` placeholder (all of it when there is none)."""
    if "${" not in text:
        return text
    return split_placeholders(text)[0]


def without_placeholders(text: str) -> str:
    """The static parts of ``text``, its ``${Name}`` placeholders left out."""
    return "".join(split_placeholders(text)[::2]) if "${" in text else text


def with_markers(text: str, markers: list[str]) -> str | None:
    """``text`` with its ``${Name}`` placeholders replaced by ``markers`` in turn (one
    marker each), or None when there are more placeholders than markers. (The caller makes
    sure no marker is in the text already.)"""
    parts = split_placeholders(text)  # text, name, text, name, ..., text
    count = len(parts) // 2
    if count == 0 or count > len(markers):
        return None
    out = [parts[0]]
    for i in range(count):
        out.append(markers[i])
        out.append(parts[2 * i + 2])
    return "".join(out)


class Params:
    """Read the parameters of one state (``Parameters`` for JSONPath, ``Arguments`` for JSONata)."""

    __slots__ = ("field", "jsonata", "root", "substitutions", "unresolved")

    def __init__(self, body: dict[str, Any], jsonata: bool, substitutions: dict[str, str],
                 field: str | None = None) -> None:
        """Read ``body[field]``; the field defaults to ``Arguments`` (JSONata) or
        ``Parameters`` (JSONPath). ``Credentials`` is read the same way."""
        self.field = field or ("Arguments" if jsonata else "Parameters")
        self.root = body.get(self.field)
        if self.root is None and field is None and not jsonata and "Arguments" in body:
            # An Arguments block in a JSONPath state: read it anyway rather than miss a resource.
            self.field, self.root = "Arguments", body["Arguments"]
        self.jsonata = jsonata
        self.substitutions = substitutions
        self.unresolved: list[tuple[str, str]] = []  # (where, placeholder name)

    def get(self, *path: str | int) -> Value:
        """The value at ``path`` (keys and list indexes) under the parameters block."""
        return self.at(path)

    def at(self, path: tuple[str | int, ...]) -> Value:
        """:meth:`get` with the path as one tuple (compiled code calls this one directly;
        a call with ``*path`` goes through a generic look-up of the method)."""
        node: Any = self.root
        where = self.field
        if node is None:
            return Value(ABSENT, where)
        for step in path:
            cls = node.__class__
            if cls is dict and step.__class__ is str:  # the common case
                if step in node:
                    node, where = node[step], f"{where}.{step}"
                    continue
                dollar = f"{step}.$"
                if dollar in node:
                    expr = node[dollar]
                    expr_s = expr if isinstance(expr, str) else repr(expr)
                    return Value(DYNAMIC, f"{where}.{dollar}", expr=expr_s,
                                 reason=describe_dynamic(expr_s))
                return Value(ABSENT, f"{where}.{step}")
            if cls is list and step.__class__ is int:
                if not -len(node) <= step < len(node):
                    return Value(ABSENT, f"{where}[{step}]")
                node, where = node[step], f"{where}[{step}]"
                continue
            if is_jsonata_expr(node):
                return Value(DYNAMIC, where, expr=str(node), reason=describe_dynamic(str(node)))
            if isinstance(step, int):
                if not isinstance(node, list) or not -len(node) <= step < len(node):
                    return Value(ABSENT, f"{where}[{step}]")
                node, where = node[step], f"{where}[{step}]"
                continue
            if not isinstance(node, dict):
                return Value(ABSENT, f"{where}.{step}")
            if step in node:
                node, where = node[step], f"{where}.{step}"
            elif f"{step}.$" in node:
                expr = node[f"{step}.$"]
                expr_s = expr if isinstance(expr, str) else repr(expr)
                return Value(DYNAMIC, f"{where}.{step}.$", expr=expr_s, reason=describe_dynamic(expr_s))
            else:
                return Value(ABSENT, f"{where}.{step}")
        return self.leaf(node, where)

    def items(self, *path: str) -> list[tuple[int, Value]]:
        """The elements of the list at ``path``: ``[(index, value)]``; a dynamic list is one
        dynamic element at index -1; absent or not a list is empty."""
        v = self.at(path)
        if v.dynamic:
            return [(-1, v)]
        if v.static and isinstance(v.value, list):
            return [(i, self.at((*path, i))) for i in range(len(v.value))]
        return []

    def leaf(self, node: Any, where: str) -> Value:
        """The Value of ``node``, found at ``where``, when it is not an object to go into."""
        if node.__class__ is not str and not isinstance(node, str):
            return Value(STATIC, where, node)
        if "{%" in node and is_jsonata_expr(node):
            return Value(DYNAMIC, where, None, str(node), describe_dynamic(str(node)))
        if "${" in node:
            text, missing = substitute(node, self.substitutions)
            if missing:
                for name in missing:
                    self.unresolved.append((where, name))
                shown = ("${" + missing[0] + "}" if len(missing) == 1
                         else ", ".join(f"${{{n}}}" for n in missing))
                # the value keeps the text (placeholders left in): its static parts bound
                # the wildcard (rules.dynamic_res)
                return Value(DYNAMIC, where, text, node, "an unresolved placeholder " + shown)
            return Value(STATIC, where, text)
        return Value(STATIC, where, node)
