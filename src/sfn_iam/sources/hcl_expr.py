"""Terraform expressions, as python-hcl2 gives them (``"${jsonencode({...})}"``, ``"\\"text
${var.x}\\""``): a small parser and evaluator for what state machine definitions use.

Literals, strings with ``${...}`` interpolation (``$${`` escapes), heredocs, objects, tuples,
references (``var.x``, ``local.x``, ``aws_lambda_function.x.arn``, ``data.x.y.z``,
``path.module``), indexing, function calls, the conditional ``a ? b : c``, comparison and
logic operators, arithmetic, and ``for`` expressions. The names are looked up through a
callback; the functions are :data:`FUNCTIONS`. Iterative where input decides the depth is
not needed: depth is capped (an error past :data:`MAX_DEPTH`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 200


class HclError(Exception):
    pass


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<heredoc><<-?(?P<tag>[A-Za-z][A-Za-z0-9._-]*)\r?\n)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>")
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|\.\*|\[\*\]|[-+*/%<>!?:.,=()\[\]{}])
""", re.S | re.X)


class Parser:
    """Parse one expression into a small tree of tuples."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def error(self, what: str) -> HclError:
        return HclError(f"{what} at offset {self.pos} of {self.text[:60]!r}")

    def skip(self) -> None:
        while True:
            m = _TOKEN.match(self.text, self.pos)
            if m and m.lastgroup == "ws":
                self.pos = m.end()
            else:
                return

    def peek(self) -> str:
        self.skip()
        m = _TOKEN.match(self.text, self.pos)
        if not m:
            return "" if self.pos >= len(self.text) else self.text[self.pos]
        return m.group(0) if m.lastgroup in ("op", "name", "string") else m.lastgroup or ""

    def take(self, op: str) -> bool:
        if op == "~":  # a template's strip marker: not a token of expressions
            self.skip()
            if self.text.startswith("~", self.pos):
                self.pos += 1
                return True
            return False
        if self.peek() == op:
            self.pos = _TOKEN.match(self.text, self.pos).end()  # type: ignore[union-attr]
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.take(op):
            raise self.error(f"expected {op!r}")

    def parse(self) -> Any:
        node = self.expr()
        self.skip()
        if self.pos != len(self.text):
            raise self.error("unexpected text")
        return node

    def expr(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("nested too deeply")
        try:
            cond = self.binary(0)
            if self.take("?"):
                a = self.expr()
                self.expect(":")
                b = self.expr()
                return ("if", cond, a, b)
            return cond
        finally:
            self.depth -= 1

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
               ("*", "/", "%"))

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            op = self.peek()
            self.take(op)
            left = ("op", op, left, self.binary(level + 1))
        return left

    def unary(self) -> Any:
        if self.take("!"):
            return ("not", self.unary())
        if self.take("-"):
            return ("neg", self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Any) -> Any:
        while True:
            if self.peek() == "." and not self.text.startswith(".*", self.pos):
                self.take(".")
                m = _TOKEN.match(self.text, self.pos)
                if m and m.lastgroup in ("name", "number"):
                    self.pos = m.end()
                    node = ("get", node, m.group(0))
                    continue
                raise self.error("expected an attribute name")
            if self.peek() == "[" and not self.text.startswith("[*]", self.pos):
                self.take("[")
                index = self.expr()
                self.expect("]")
                node = ("index", node, index)
                continue
            if self.take(".*") or self.take("[*]"):
                node = ("splat", node)
                continue
            return node

    def primary(self) -> Any:
        self.skip()
        m = _TOKEN.match(self.text, self.pos)
        if not m:
            raise self.error("expected a value")
        kind = m.lastgroup
        if kind == "number":
            self.pos = m.end()
            text = m.group(0)
            return ("lit", float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "string":
            self.pos = m.end()
            return self.template('"')
        if kind == "heredoc":
            self.pos = m.end()
            tag = m.group("tag")
            end = re.compile(rf"^[ \t]*{re.escape(tag)}[ \t]*$", re.M).search(self.text, self.pos)
            if not end:
                raise self.error(f"heredoc {tag} not closed")
            body = self.text[self.pos:end.start()]
            self.pos = end.end()
            if m.group(0).startswith("<<-"):
                lines = body.split("\n")
                indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
                body = "\n".join(x[indent:] for x in lines)
            return template_node(body, quoted=False)
        if kind == "name":
            self.pos = m.end()
            word = m.group(0)
            if word in ("true", "false"):
                return ("lit", word == "true")
            if word == "null":
                return ("lit", None)
            if self.peek() == "(":
                self.take("(")
                args = []
                while not self.take(")"):
                    args.append(self.expr())
                    if self.take("..."):
                        pass
                    if not self.take(","):
                        self.expect(")")
                        break
                return ("call", word, args)
            return ("ref", word)
        if kind == "op" and m.group(0) == "(":
            self.pos = m.end()
            node = self.expr()
            self.expect(")")
            return node
        if kind == "op" and m.group(0) == "[":
            self.pos = m.end()
            if self._is_for():
                return self.for_expr("]")
            items = []
            while not self.take("]"):
                items.append(self.expr())
                if not self.take(","):
                    self.expect("]")
                    break
            return ("tuple", items)
        if kind == "op" and m.group(0) == "{":
            self.pos = m.end()
            if self._is_for():
                return self.for_expr("}")
            pairs = []
            while not self.take("}"):
                key = self.expr()
                if not (self.take("=") or self.take(":")):
                    raise self.error("expected '=' in an object")
                pairs.append((key, self.expr()))
                self.take(",")
            return ("object", pairs)
        raise self.error(f"unexpected {m.group(0)!r}")

    def _is_for(self) -> bool:
        """``for x in ...`` (not an object key or a value named ``for``)."""
        if self.peek() != "for":
            return False
        m = re.compile(r"for[ \t\r\n]+[A-Za-z_][A-Za-z0-9_-]*[ \t\r\n]*(,|in\b)").match(
            self.text, self.pos)
        return m is not None

    def for_expr(self, close: str) -> Any:
        self.take("for")
        names = [self._name()]
        if self.take(","):
            names.append(self._name())
        if not self.take("in"):
            raise self.error("expected 'in'")
        source = self.expr()
        self.expect(":")
        key = None
        value = self.expr()
        if close == "}" and self.take("=>"):
            key, value = value, self.expr()
        self.take("...")
        cond = None
        if self.take("if"):
            cond = self.expr()
        self.expect(close)
        return ("for", close, names, source, key, value, cond)

    def _name(self) -> str:
        self.skip()
        m = _TOKEN.match(self.text, self.pos)
        if not m or m.lastgroup != "name":
            raise self.error("expected a name")
        self.pos = m.end()
        return m.group(0)

    def template(self, quote: str) -> Any:
        """A quoted string (the opening quote read): parts of text and expressions."""
        parts: list[Any] = []
        buf = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise self.error("string not closed")
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                break
            if ch == "\\":
                nxt = text[self.pos + 1:self.pos + 2]
                escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
                if nxt == "u":
                    buf.append(chr(int(text[self.pos + 2:self.pos + 6], 16)))
                    self.pos += 6
                    continue
                buf.append(escapes.get(nxt, nxt))
                self.pos += 2
                continue
            if text.startswith("$${", self.pos) or text.startswith("%%{", self.pos):
                buf.append(text[self.pos + 1:self.pos + 3])
                self.pos += 3
                continue
            if text.startswith("${", self.pos):
                if buf:
                    parts.append(("lit", "".join(buf)))
                    buf = []
                self.pos += 2
                self.take("~")
                parts.append(self.expr())
                self.take("~")
                self.expect("}")
                continue
            buf.append(ch)
            self.pos += 1
        if buf or not parts:
            parts.append(("lit", "".join(buf)))
        return ("concat", parts)


_DIRECTIVE = re.compile(r"%\{(~?)\s*(if|else|endif|for|endfor)\b")
_FOR_NAMES = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_-]*)(?:\s*,\s*([A-Za-z_][A-Za-z0-9_-]*))?\s+in\b")


def template_node(body: str, quoted: bool = False) -> Any:
    """A template (heredoc or file content): text with ``${...}`` interpolations and the
    ``%{ if }`` / ``%{ else }`` / ``%{ endif }``, ``%{ for x in xs }`` / ``%{ endfor }``
    directives, ``~`` strip markers included; no escapes but ``$${`` and ``%%{``."""
    return _template_seq(body, 0, (), 0)[0]


def _template_seq(body: str, i: int, stops: tuple[str, ...], depth: int) -> tuple[Any, int, str]:
    """Parse from ``i`` until a directive in ``stops`` (returned, with the offset after it)."""
    if depth > MAX_DEPTH:
        raise HclError("template directives nested too deeply")
    parts: list[Any] = []
    buf: list[str] = []

    def flush(strip: bool) -> None:
        text = "".join(buf)
        buf.clear()
        if strip:
            text = text.rstrip(" \t\r\n")
            if not text and parts and parts[-1][0] == "lit":
                parts[-1] = ("lit", parts[-1][1].rstrip(" \t\r\n"))
        if text:
            parts.append(("lit", text))

    while i < len(body):
        if body.startswith(("$${", "%%{"), i):
            buf.append(body[i + 1:i + 3])
            i += 3
            continue
        if body.startswith("${", i):
            p = Parser(body)
            p.pos = i + 2
            flush(p.take("~"))
            parts.append(p.expr())
            i = _close(body, p)
            continue
        m = _DIRECTIVE.match(body, i)
        if m is not None:
            flush(bool(m.group(1)))
            word = m.group(2)
            p = Parser(body)
            p.pos = m.end()
            if word in stops:
                return ("concat", parts or [("lit", "")]), _close(body, p), word
            if word == "if":
                cond = p.expr()
                i = _close(body, p)
                then, i, stop = _template_seq(body, i, ("else", "endif"), depth + 1)
                other: Any = ("concat", [("lit", "")])
                if stop == "else":
                    other, i, stop = _template_seq(body, i, ("endif",), depth + 1)
                if stop != "endif":
                    raise HclError("%{ if } without %{ endif }")
                parts.append(("tif", cond, then, other))
                continue
            if word == "for":
                names = _FOR_NAMES.match(body, p.pos)
                if names is None:
                    raise HclError(f"%{{ for }} needs NAME in EXPR: {body[i:i + 60]!r}")
                p.pos = names.end()
                source = p.expr()
                i = _close(body, p)
                inner, i, stop = _template_seq(body, i, ("endfor",), depth + 1)
                if stop != "endfor":
                    raise HclError("%{ for } without %{ endfor }")
                bound = [n for n in names.groups() if n]
                parts.append(("tfor", bound, source, inner))
                continue
            raise HclError(f"%{{ {word} }} without its opening directive")
        buf.append(body[i])
        i += 1
    if stops:
        raise HclError(f"%{{ {stops[-1]} }} missing at the end of the template")
    flush(False)
    return ("concat", parts or [("lit", "")]), i, ""


def _close(body: str, p: Parser) -> int:
    """After an interpolation or directive's content: ``~}`` strips the whitespace after."""
    strip = p.take("~")
    p.expect("}")
    i = p.pos
    if strip:
        while i < len(body) and body[i] in " \t\r\n":
            i += 1
    return i


def parse_value(raw: Any) -> Any:
    """python-hcl2's value -> an expression tree: ``"${expr}"`` is an expression,
    ``"\\"text\\""`` a string template, a heredoc ``"<<EOT..."``, other values literals."""
    if isinstance(raw, str):
        if raw.startswith("${") and raw.endswith("}") and _balanced(raw[2:-1]):
            return Parser(raw[2:-1]).parse()
        if raw.startswith('"<<') and raw.endswith('"'):
            return Parser(raw[1:-1]).parse()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            p = Parser(raw)
            p.pos = 1
            node = p.template('"')
            if p.pos != len(raw):
                raise HclError(f"unexpected text after a string: {raw[:60]!r}")
            return node
        return ("lit", raw)
    if isinstance(raw, dict):
        return ("object", [(("lit", k.strip('"')), parse_value(v)) for k, v in raw.items()
                           if not k.startswith("__")])
    if isinstance(raw, list):
        return ("tuple", [parse_value(v) for v in raw])
    return ("lit", raw)


def _balanced(inner: str) -> bool:
    """``${a} and ${b}`` is a template, not one expression ``a} and ${b``."""
    try:
        Parser(inner).parse()
    except HclError:
        return False
    return True


class Evaluator:
    """Evaluate a tree. ``lookup(root, path)`` resolves a reference (``var``, ``["x"]``);
    unknown values are ``${...}`` placeholder strings, made by ``unknown(label)``."""

    def __init__(self, lookup: Callable[[str, list[str], dict[str, Any]], Any],
                 functions: dict[str, Callable[..., Any]],
                 unknown: Callable[[str], str]) -> None:
        self.lookup = lookup
        self.functions = functions
        self.unknown = unknown

    def eval(self, node: Any, scope: dict[str, Any] | None = None, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise HclError("expression nested too deeply")
        scope = scope or {}
        kind = node[0]
        d = depth + 1
        if kind == "lit":
            return node[1]
        if kind == "concat":
            vals = [self.eval(p, scope, d) for p in node[1]]
            if len(vals) == 1 and not isinstance(vals[0], str) and node[1][0][0] != "lit":
                return vals[0]
            return "".join(_text(v) for v in vals)
        if kind == "tuple":
            return [self.eval(v, scope, d) for v in node[1]]
        if kind == "object":
            return {_text(self.eval(k, scope, d)) if k[0] != "ref" else k[1]: self.eval(v, scope, d)
                    for k, v in node[1]}
        if kind in ("ref", "get", "index", "splat"):
            return self.reference(node, scope, d)
        if kind == "call":
            fn = self.functions.get(node[1])
            args = [self.eval(a, scope, d) for a in node[2]]
            if fn is None:
                return self.unknown(f"{node[1]}(...)")
            return fn(*args)
        if kind == "if":
            cond = self.eval(node[1], scope, d)
            if isinstance(cond, str) and "${" in cond:
                return self.eval(node[2], scope, d)  # unknown: the first branch
            return self.eval(node[2] if cond in (True, "true") else node[3], scope, d)
        if kind == "not":
            v = self.eval(node[1], scope, d)
            return v if isinstance(v, str) else not v
        if kind == "neg":
            v = self.eval(node[1], scope, d)
            return -v if isinstance(v, (int, float)) else v
        if kind == "op":
            return _binary(node[1], self.eval(node[2], scope, d), self.eval(node[3], scope, d))
        if kind == "for":
            return self.for_expr(node, scope, d)
        if kind == "tif":  # %{ if } in a template; unknown: the first branch (as ``a ? b : c``)
            cond = self.eval(node[1], scope, d)
            unknown = isinstance(cond, str) and "${" in cond
            return self.eval(node[2] if unknown or cond in (True, "true") else node[3], scope, d)
        if kind == "tfor":
            return self.template_for(node, scope, d)
        raise HclError(f"cannot evaluate {kind}")

    def template_for(self, node: Any, scope: dict[str, Any], depth: int) -> str:
        _, names, source, body = node
        items = self.eval(source, scope, depth)
        if isinstance(items, str):
            raise HclError(f"%{{ for }} over a value known only at apply time ({items[:60]})")
        pairs = list(items.items()) if isinstance(items, dict) else list(enumerate(items or []))
        out = []
        for k, v in pairs:
            inner = dict(scope)
            if len(names) == 2:
                inner[names[0]], inner[names[1]] = k, v
            else:
                inner[names[0]] = v
            out.append(_text(self.eval(body, inner, depth)))
        return "".join(out)

    def reference(self, node: Any, scope: dict[str, Any], depth: int) -> Any:
        path: list[Any] = []
        while node[0] in ("get", "index", "splat"):
            if node[0] == "get":
                path.append(node[2])
            elif node[0] == "index":  # x[key]: an Index, so that it is not read as x.key
                path.append(Index(self.eval(node[2], scope, depth)))
            else:
                path.append("*")
            node = node[1]
        if node[0] != "ref":
            base = self.eval(node, scope, depth)
            return _walk(base, list(reversed(path)))
        path.reverse()
        return self.lookup(node[1], path, scope)

    def for_expr(self, node: Any, scope: dict[str, Any], depth: int) -> Any:
        _, close, names, source, key, value, cond = node
        items = self.eval(source, scope, depth)
        if isinstance(items, str):
            return items
        pairs = list(items.items()) if isinstance(items, dict) else list(enumerate(items or []))
        out_list, out_dict = [], {}
        for k, v in pairs:
            inner = dict(scope)
            if len(names) == 2:
                inner[names[0]], inner[names[1]] = k, v
            else:
                inner[names[0]] = v
            if cond is not None and not self.eval(cond, inner, depth):
                continue
            if close == "]":
                out_list.append(self.eval(value, inner, depth))
            else:
                out_dict[_text(self.eval(key, inner, depth))] = self.eval(value, inner, depth)
        return out_list if close == "]" else out_dict


class Index:
    """``[key]`` in a reference (``aws_lambda_function.x["a"].arn``), told apart from ``.attr``."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key


def _walk(value: Any, path: list[Any]) -> Any:
    for raw_step in path:
        if raw_step == "*":
            continue
        step = raw_step.key if isinstance(raw_step, Index) else raw_step
        if isinstance(value, dict) and str(step) in value:
            value = value[str(step)]
        elif isinstance(value, list) and isinstance(step, int) and -len(value) <= step < len(value):
            value = value[step]
        elif isinstance(value, str) and "${" in value:
            return value
        else:
            raise HclError(f"no {step!r} in {str(value)[:60]!r}")
    return value


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _binary(op: str, a: Any, b: Any) -> Any:
    if (isinstance(a, str) and "${" in a) or (isinstance(b, str) and "${" in b):
        if op in ("==", "!=", "&&", "||", "<", ">", "<=", ">="):
            return True
        return a if isinstance(a, str) and "${" in a else b
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "&&":
        return bool(a) and bool(b)
    if op == "||":
        return bool(a) or bool(b)
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        raise HclError(f"{op} needs numbers, got {a!r} and {b!r}") from None
    result = {"<": fa < fb, ">": fa > fb, "<=": fa <= fb, ">=": fa >= fb}.get(op)
    if result is not None:
        return result
    if op == "+":
        r = fa + fb
    elif op == "-":
        r = fa - fb
    elif op == "*":
        r = fa * fb
    elif op == "/":
        r = fa / fb if fb else 0
    else:
        r = fa % fb if fb else 0
    return int(r) if float(r).is_integer() else r
