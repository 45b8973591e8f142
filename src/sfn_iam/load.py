"""Read a definition: a path, ``-`` for stdin, text, or an already parsed dict.

JSON is tried first (the common case, stdlib only); YAML is imported only for YAML input.

Hostile input is refused with a :class:`DefinitionError`, never a traceback or a hang:

* a file larger than ``max_bytes`` is refused from its size, before it is read;
* JSON nested deeper than the stdlib parser's recursion allows is read again by
  :func:`parse_json`, an iterative parser (no recursion, no thread, no global state);
* JSON with ``//`` / ``/* */`` comments or trailing commas (the part of JSON5 that
  definitions kept in ``.json5`` test files use) is read by the same parser; AWS itself
  accepts strict JSON only, so callers may say so (:attr:`Loaded.lenient`);
* YAML aliases may add at most :data:`MAX_ALIAS_NODES` nodes when expanded (a "billion
  laughs" document is refused before it is built) and may not refer to themselves.
"""

from __future__ import annotations

import json
import os
import stat
import sys

from sfn_iam.errors import DefinitionError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import re
    from typing import Any

#: AWS caps a definition at 1 MB; we accept some room for pretty-printing and comments.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
#: how many nodes YAML aliases may add when the document is expanded (each alias counts
#: the size of what it refers to); a real definition's anchors add a few hundred at most
MAX_ALIAS_NODES = 1_000_000


class Loaded:
    """A parsed definition and how it was read: ``format`` is "json", "yaml" or "dict";
    ``lenient`` says the JSON was read only thanks to comments or trailing commas (AWS
    would refuse the text). A plain class: start-up does not pay for a dataclass."""

    __slots__ = ("format", "lenient", "value")

    def __init__(self, value: Any, format: str, lenient: bool = False) -> None:
        self.value = value
        self.format = format
        self.lenient = lenient


def read_source(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """Return the raw bytes and a display name for ``path`` (``-`` is stdin).

    A regular file larger than ``max_bytes`` is refused from its size without being read;
    anything else (stdin, a pipe) is read up to ``max_bytes + 1`` bytes, never more.
    """
    if path == "-":
        name = "<stdin>"
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise DefinitionError("no standard input to read the definition from", source=name)
        try:
            data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise DefinitionError(f"cannot read: {exc.strerror or exc}", source=name) from None
    else:
        name = path
        try:
            with open(path, "rb") as fh:  # not pathlib: it costs start-up time
                info = os.fstat(fh.fileno())
                if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                    raise _too_big(max_bytes, name, info.st_size)
                data = fh.read(max_bytes + 1)
        except IsADirectoryError:
            raise DefinitionError("is a directory, not a definition file", source=path) from None
        except FileNotFoundError:
            raise DefinitionError("no such file", source=path) from None
        except OSError as exc:
            raise DefinitionError(f"cannot read: {exc.strerror or exc}", source=path) from None
        except ValueError as exc:  # e.g. an embedded NUL in the path
            raise DefinitionError(f"cannot read: {exc}", source=repr(path)) from None
    if len(data) > max_bytes:
        raise _too_big(max_bytes, name)
    return data, name


def _too_big(max_bytes: int, name: str, size: int | None = None) -> DefinitionError:
    what = f"{size:,} bytes, larger" if size is not None else "larger"
    return DefinitionError(
        f"{what} than the limit of {max_bytes:,} bytes (AWS accepts at most 1 MB); "
        "raise the limit with --max-bytes if this is intended",
        source=name,
    )


def decode(data: bytes, name: str) -> str:
    try:
        # "utf-8-sig" (a leading BOM is dropped) without its codec lookup, which imports
        # encodings.utf_8_sig at every start; error offsets are those utf-8-sig gives
        return (data[3:] if data[:3] == b"\xef\xbb\xbf" else data).decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = ""
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = " (it looks like UTF-16: save it as UTF-8)"
        raise DefinitionError(
            f"not UTF-8 text (byte {exc.start}): a definition is JSON or YAML text{hint}",
            source=name,
        ) from None


def parse_text(text: str, name: str = "<definition>", fmt: str | None = None) -> Any:
    """Parse JSON or YAML text. ``fmt`` is ``"json"``, ``"yaml"`` or None (guess)."""
    return parse(text, name, fmt).value


def parse(text: str, name: str = "<definition>", fmt: str | None = None,
          not_strict: bool = False) -> Loaded:
    """Parse JSON or YAML text, saying how it was read (see :class:`Loaded`).
    ``not_strict``: ``json.loads`` already failed on it with a JSONDecodeError."""
    if fmt is None and name != "<definition>":
        lower = name.lower()
        if lower.endswith((".yaml", ".yml")):
            fmt = "yaml"
        elif lower.endswith((".json", ".json5", ".jsonc")):
            fmt = "json"
    if fmt != "yaml" and not not_strict:
        # strict JSON first, with no other pass over the text: the rest only when it fails
        try:
            return Loaded(json.loads(text), "json")
        except RecursionError:
            return Loaded(_json(text, name, lenient=False)[0], "json")
        except json.JSONDecodeError:
            pass
        except ValueError as exc:  # e.g. an integer longer than Python converts
            raise DefinitionError(f"not valid JSON: {exc}", source=name) from None
    if fmt != "yaml":
        if not text.strip():
            raise _empty(name)
        if fmt == "json" or text.lstrip().startswith(("{", "[")):
            value, lenient = _json(text, name, lenient=True)
            return Loaded(value, "json", lenient)
    elif not text.strip():
        raise _empty(name)
    return Loaded(_parse_yaml(text, name), "yaml")


def parse_text_after_json(text: str, name: str) -> Any:
    """:func:`parse_text` of a text on which ``json.loads`` failed with a JSONDecodeError
    (lenient JSON, YAML, or the error that says what is wrong)."""
    return parse(text, name, None, not_strict=True).value


def _empty(name: str) -> DefinitionError:
    return DefinitionError("is empty: expected a JSON or YAML state machine definition", source=name)


def load_definition(source: str | bytes | dict[str, Any], name: str | None = None) -> Any:
    """Text, bytes or a parsed mapping -> the parsed definition (not yet validated)."""
    return load(source, name).value


def load(source: str | bytes | dict[str, Any], name: str | None = None) -> Loaded:
    """Like :func:`load_definition`, saying how the text was read."""
    if isinstance(source, dict):
        return Loaded(source, "dict")
    if isinstance(source, bytes):
        source = decode(source, name or "<definition>")
    if isinstance(source, str):
        return parse(source, name or "<definition>")
    raise DefinitionError(
        f"expected the definition as text or a dict, got {type(source).__name__}", source=name
    )


# --- JSON, iteratively ---------------------------------------------------------------------

_CONSTANTS = (("true", True), ("false", False), ("null", None), ("NaN", float("nan")),
              ("Infinity", float("inf")), ("-Infinity", float("-inf")))
_patterns: dict[str, re.Pattern[str]] = {}


def _regex(name: str) -> re.Pattern[str]:
    """The parser's patterns, compiled on first use (most runs never need them)."""
    if not _patterns:
        import re

        _patterns["ws"] = re.compile(r"[ \t\n\r]*")
        _patterns["ws-lenient"] = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
        _patterns["number"] = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
    return _patterns[name]


def _json(text: str, name: str, lenient: bool) -> tuple[Any, bool]:
    try:
        return parse_json(text, lenient=lenient)
    except json.JSONDecodeError as exc:
        hint = ""
        if lenient and (name.lower().endswith(".json5") or exc.doc[exc.pos:exc.pos + 1] == "'"
                        or exc.doc[exc.pos:exc.pos + 1].isalpha()):
            hint = (" (sfn-iam reads JSON with comments and trailing commas, not other JSON5 "
                    "syntax; AWS accepts strict JSON only)")
        raise DefinitionError(
            f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}{hint}", source=name
        ) from None
    except ValueError as exc:
        raise DefinitionError(f"not valid JSON: {exc}", source=name) from None


def parse_json(text: str, *, lenient: bool = False) -> tuple[Any, bool]:
    """Parse JSON text with an explicit stack, to any depth; the same values as
    :func:`json.loads` (duplicate keys: the last wins; ``NaN`` and ``Infinity`` accepted).

    ``lenient`` also accepts ``//`` and ``/* */`` comments and trailing commas. Returns the
    value and whether a comment or a trailing comma was met. Raises
    :class:`json.JSONDecodeError` (with line and column) on malformed text.
    """
    from json.decoder import scanstring  # type: ignore[attr-defined]  # the C scanner

    ws = _regex("ws-lenient" if lenient else "ws").match
    number = _regex("number").match
    used = False
    stack: list[Any] = []  # the open containers
    keys: list[Any] = []  # for each open object, the key whose value comes next
    end = len(text)

    def skip(i: int) -> int:
        nonlocal used
        m = ws(text, i)  # matches, if only the empty string
        j = m.end() if m else i
        if lenient and not used and "/" in text[i:j]:
            used = True
        return j

    def key_at(i: int) -> tuple[str, int]:
        if text[i:i + 1] != '"':
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, i)
        k, i = scanstring(text, i + 1, True)
        i = skip(i)
        if text[i:i + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
        return k, skip(i + 1)

    value: Any
    idx = skip(0)
    while True:
        # one value starts at idx
        ch = text[idx:idx + 1]
        if ch == '"':
            value, idx = scanstring(text, idx + 1, True)
        elif ch == "{":
            idx = skip(idx + 1)
            if text[idx:idx + 1] == "}":
                value, idx = {}, idx + 1
            else:
                k, idx = key_at(idx)
                stack.append({})
                keys.append(k)
                continue
        elif ch == "[":
            idx = skip(idx + 1)
            if text[idx:idx + 1] == "]":
                value, idx = [], idx + 1
            else:
                stack.append([])
                keys.append(None)
                continue
        else:
            m = number(text, idx)
            if m:
                integer, frac, exp = m.groups()
                value = float(integer + (frac or "") + (exp or "")) if frac or exp else int(integer)
                idx = m.end()
            else:
                for word, constant in _CONSTANTS:
                    if text.startswith(word, idx):
                        value, idx = constant, idx + len(word)
                        break
                else:
                    raise json.JSONDecodeError("Expecting value", text, idx)
        # a complete value: put it in its container, closing every container that ends here
        while True:
            if not stack:
                idx = skip(idx)
                if idx != end:
                    raise json.JSONDecodeError("Extra data", text, idx)
                return value, used
            top = stack[-1]
            is_object = type(top) is dict
            if is_object:
                top[keys[-1]] = value
            else:
                top.append(value)
            idx = skip(idx)
            ch = text[idx:idx + 1]
            close = "}" if is_object else "]"
            if ch == ",":
                idx = skip(idx + 1)
                if not (lenient and text[idx:idx + 1] == close):
                    if is_object:
                        keys[-1], idx = key_at(idx)
                    break  # the next element
                used = True
                ch = close
            if ch == close:
                stack.pop()
                keys.pop()
                value, idx = top, idx + 1
                continue
            raise json.JSONDecodeError("Expecting ',' delimiter", text, idx)


# --- YAML -----------------------------------------------------------------------------------


def parse_template(text: str, name: str) -> Any:
    """JSON or YAML text of a template (CloudFormation, SAM, serverless.yml): YAML's
    CloudFormation short-form tags (``!Ref x``, ``!GetAtt a.b``, ``!Sub``...) become their
    long form (``{"Ref": "x"}``, ``{"Fn::GetAtt": ["a", "b"]}``). The guarantees of
    :func:`parse` hold (size is the caller's, depth, alias bombs)."""
    stripped = text.lstrip()
    if not stripped:
        raise _empty(name)
    if stripped.startswith(("{", "[")):
        try:
            return parse(text, name, "json").value
        except DefinitionError:
            if "!" not in text:  # YAML's flow style with tags is the only other reading
                raise
    return _parse_yaml(text, name, cfn_tags=True)


def _cfn_loader(yaml: Any) -> Any:
    """A safe loader class that reads CloudFormation's short-form tags (made once)."""
    cached = _loaders.get("cfn")
    if cached is not None:
        return cached
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: Any = type("CfnSafeLoader", (base,), {})

    def construct(self: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = self.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = self.construct_sequence(node, deep=True)
        else:
            value = self.construct_mapping(node, deep=True)
        if suffix == "Ref":
            return {"Ref": value}
        if suffix == "Condition":
            return {"Condition": value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    loader.add_multi_constructor("!", construct)
    _loaders["cfn"] = loader
    return loader


_loaders: dict[str, Any] = {}


def _parse_yaml(text: str, name: str, cfn_tags: bool = False) -> Any:
    import yaml  # deferred: only YAML input pays for it

    # libyaml, when PyYAML has it, reads about four times faster and stops at 1,000 levels
    # of nesting by itself; the pure-Python reader recurses (RecursionError, caught below)
    cls = _cfn_loader(yaml) if cfn_tags else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = cls(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_aliases(node, name)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        if exc.problem and "maximum nesting depth" in exc.problem:
            raise _yaml_too_deep(name) from None
        mark = exc.problem_mark
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        import re

        tag = re.search(r"constructor for the tag '(!(?:Ref|GetAtt|Sub|Join|Select|Split|If|"
                        r"FindInMap|ImportValue|GetAZs|Base64|Cidr|Equals|Not|And|Or)\b)",
                        exc.problem or "")
        if tag:  # not reached for templates: they are read with the tags
            raise DefinitionError(
                f"{where}{tag.group(1)} is a CloudFormation function: read as a template "
                "(sfn-iam generate reads CloudFormation and SAM templates)", source=name) from None
        raise DefinitionError(f"not valid JSON or YAML: {where}{exc.problem}", source=name) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid JSON or YAML: {exc}", source=name) from None
    except RecursionError:
        raise _yaml_too_deep(name) from None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise DefinitionError(f"not valid YAML: {exc}", source=name) from None
    finally:
        loader.dispose()


def _yaml_too_deep(name: str) -> DefinitionError:
    return DefinitionError(
        "YAML nested too deeply to read (YAML is read to a few hundred levels; JSON to any "
        "depth)", source=name)


def _check_aliases(root: Any, name: str) -> None:
    """Refuse a YAML node graph whose aliases refer to an enclosing node, or expand the
    document by more than :data:`MAX_ALIAS_NODES` nodes. Linear in the distinct nodes."""
    from yaml.nodes import MappingNode, SequenceNode

    def children(node: Any) -> list[Any]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, MappingNode):
            return [n for pair in node.value for n in pair]
        return []

    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            open_nodes.discard(nid)
            size[nid] = 1 + sum(size[id(c)] for c in children(node))
            continue
        if nid in size:
            continue
        if nid in open_nodes:
            mark = node.start_mark
            raise DefinitionError(
                f"YAML alias at line {mark.line + 1} refers to a node that contains it "
                "(a recursive structure is not a definition)", source=name)
        open_nodes.add(nid)
        stack.append((node, True))
        stack.extend((c, False) for c in children(node) if id(c) not in size)
    added = size[id(root)] - len(size)
    if added > MAX_ALIAS_NODES:
        raise DefinitionError(
            f"YAML aliases expand the document by {added:,} nodes (at most "
            f"{MAX_ALIAS_NODES:,}): refused as an alias bomb", source=name)
