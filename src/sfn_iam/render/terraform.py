"""The execution role as Terraform: ``data "aws_iam_policy_document"`` blocks, an
``aws_iam_role`` with the trust policy of ``sfn-iam trust-policy`` (confused-deputy
conditions), and the policy as an ``aws_iam_role_policy`` (or ``aws_iam_policy`` +
``aws_iam_role_policy_attachment`` resources when it is over IAM's inline limit).

Strings hold ``data.aws_partition``, ``data.aws_region``, ``data.aws_caller_identity`` where
they have the values the policy was generated for, and the template's own expressions
(``aws_lambda_function.x.arn``) where ``references`` names them (see
:mod:`sfn_iam.render.values`). Every block is labelled ``name`` (default ``state_machine``),
so the output can sit in a module beside others."""

from __future__ import annotations

import json
import re

from sfn_iam.render.values import Deploy, Piece

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from sfn_iam.generate import GenerateResult

#: a Terraform reference: resource.name.attribute, data.type.name.attribute, with indexes
_REFERENCE = re.compile(r'[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\]'
                        r'|\["[A-Za-z0-9_.:/-]*"\])+')
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
#: a template sequence with plain contents: ``${*}``, ``${aws:username}``
_PLAIN = re.compile(r"[$%]\{[A-Za-z0-9*?$:_./@+=,-]*\}")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_PSEUDO = {"partition": ("aws_partition", "partition"), "region": ("aws_region", "name"),
           "account": ("aws_caller_identity", "account_id")}


class _Writer:
    """The HCL text of one role, and the data sources it uses."""

    def __init__(self, deploy: Deploy, label: str) -> None:
        self.deploy = deploy
        self.label = label
        self.used: set[str] = set()

    def string(self, text: str) -> str:
        """One string of the policy as an HCL expression."""
        pieces = self.deploy.pieces(text)
        if len(pieces) == 1 and pieces[0][0] == "ref":
            return _reference(pieces[0][1])
        return self.template(pieces)

    def template(self, pieces: list[Piece]) -> str:
        out = ['"']
        for kind, item in pieces:
            if kind != "text" and out[-1].endswith(("$", "%")):  # "$" + "${x}" is not "$${x}"
                out[-1] = out[-1][:-1] + ("\\u0024" if out[-1].endswith("$") else "\\u0025")
            if kind == "text":
                out.append(_literal(str(item)))
            elif kind == "pseudo":
                source, attribute = _PSEUDO[str(item)]
                self.used.add(str(item))
                out.append(f"${{data.{source}.{self.label}.{attribute}}}")
            else:
                out.append(f"${{{_reference(item)}}}")
        out.append('"')
        return "".join(out)

    def strings(self, item: object, indent: str = "    ") -> str:
        """A list of strings: on one line when it has one, else one item a line."""
        items = [self.string(str(x)) for x in (item if isinstance(item, list) else [item])]
        if len(items) == 1:
            return f"[{items[0]}]"
        inner = "".join(f"{indent}  {x},\n" for x in items)
        return f"[\n{inner}{indent}]"

    def document(self, label: str, doc: dict[str, Any]) -> str:
        """The data source of a policy document. A statement with ``&{`` in a resource or a
        condition value goes in as JSON (``source_policy_documents``): the data source reads
        ``&{`` in its blocks as ``${`` (its spelling of IAM policy variables), which would
        turn a literal name into a policy variable."""
        lines = [f'data "aws_iam_policy_document" "{label}" {{']
        statements = doc.get("Statement", [])
        as_json = [st for st in statements if _has_ampersand_brace(st)]
        if as_json:
            body = self.json({"Version": doc.get("Version", "2012-10-17"), "Statement": as_json})
            lines += ["  source_policy_documents = [<<-EOT",
                      *(f"    {line}" for line in body.splitlines()), "    EOT", "  ]"]
        for st in statements:
            if not as_json or not _has_ampersand_brace(st):
                lines += ["  statement {", *self.statement(st), "  }"]
        lines.append("}")
        return "\n".join(lines)

    def json(self, node: object, indent: str = "", key: str = "") -> str:
        """``node`` as JSON inside a heredoc template: resource and condition strings with
        their interpolations, every ``$`` and ``%`` written ``\\u0024`` / ``\\u0025`` (JSON
        reads them back; the template never sees ``${`` or ``%{``)."""
        inner = indent + "  "
        if isinstance(node, dict):
            items = [f"{inner}{_json_text(str(k), quoted=True)}: "
                     f"{self.json(v, inner, key if key == 'Condition' else str(k))}"
                     for k, v in node.items()]
            return "{\n" + ",\n".join(items) + f"\n{indent}}}" if items else "{}"
        if isinstance(node, list):
            items = [f"{inner}{self.json(v, inner, key)}" for v in node]
            return "[\n" + ",\n".join(items) + f"\n{indent}]" if items else "[]"
        if isinstance(node, str):
            if key not in ("Resource", "NotResource", "Condition"):
                return _json_text(node, quoted=True)
            out = ['"']
            for kind, item in self.deploy.pieces(node):
                if kind == "text":
                    out.append(_json_text(str(item)))
                elif kind == "pseudo":
                    source, attribute = _PSEUDO[str(item)]
                    self.used.add(str(item))
                    out.append(f"${{data.{source}.{self.label}.{attribute}}}")
                else:
                    out.append(f"${{{_reference(item)}}}")
            return "".join([*out, '"'])
        return _json_text(str(node), quoted=True) if node is not None else "null"

    def statement(self, st: dict[str, Any]) -> list[str]:
        lines = []
        if "Sid" in st:
            lines.append(f"    sid = {_quoted(st['Sid'])}")
        lines.append(f"    effect = {_quoted(st['Effect'])}")
        for key, attr in (("Action", "actions"), ("NotAction", "not_actions")):
            if key in st:
                values = st[key] if isinstance(st[key], list) else [st[key]]
                quoted = [_quoted(a) for a in values]
                lines.append(f"    {attr} = " + (f"[{quoted[0]}]" if len(quoted) == 1 else
                             "[\n" + "".join(f"      {a},\n" for a in quoted) + "    ]"))
        for key, attr in (("Resource", "resources"), ("NotResource", "not_resources")):
            if key in st:
                lines.append(f"    {attr} = {self.strings(st[key])}")
        if "Principal" in st:
            for kind, ids in st["Principal"].items():
                lines += ["    principals {", f"      type = {_quoted(kind)}",
                          f"      identifiers = {self.strings(ids, '      ')}", "    }"]
        for test, block in st.get("Condition", {}).items():
            for variable, values in block.items():
                lines += ["    condition {", f"      test = {_quoted(test)}",
                          f"      variable = {_quoted(variable)}",
                          f"      values = {self.strings(values, '      ')}", "    }"]
        return lines


def _literal(text: str) -> str:
    """``text`` inside an HCL string: escapes, and ``${`` / ``%{`` kept literal: doubled
    (``$${*}``, the usual form) before a plain ``...}``, else ``\\u0024{`` / ``\\u0025{``
    (parsers differ on a doubled one that does not close)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "$%" and text.startswith("{", i + 1):
            m = _PLAIN.match(text, i)
            if m is not None:
                out.append(c + m.group(0))
                i = m.end()
            else:
                out.append("\\u0024{" if c == "$" else "\\u0025{")
                i += 2
            continue
        out.append(_ESCAPES.get(c, c if c.isprintable() else f"\\u{ord(c):04x}"))
        i += 1
    return "".join(out)


def _has_ampersand_brace(st: dict[str, Any]) -> bool:
    """Does a resource or condition value of the statement hold ``&{``?"""
    values: list[Any] = []
    for key in ("Resource", "NotResource"):
        item = st.get(key, [])
        values += item if isinstance(item, list) else [item]
    for block in st.get("Condition", {}).values():
        for item in block.values():
            values += item if isinstance(item, list) else [item]
    return any("&{" in str(v) for v in values)


def _json_text(text: str, quoted: bool = False) -> str:
    """``text`` as JSON string contents with ``$`` and ``%`` as ``\\u`` escapes."""
    out = json.dumps(text)[1:-1].replace("$", "\\u0024").replace("%", "\\u0025")
    return f'"{out}"' if quoted else out


def _quoted(text: str) -> str:
    return f'"{_literal(text)}"'


def _reference(expr: object) -> str:
    if isinstance(expr, str) and _REFERENCE.fullmatch(expr):
        return expr
    raise ValueError(f"references: {expr!r} is not a Terraform reference such as "
                     "aws_lambda_function.worker.arn")


def to_terraform(result: GenerateResult, *, region: str | None = None,
                 account: str | None = None, partition: str | None = None,
                 state_machine_arn: str | None = None,
                 references: Mapping[str, object] | None = None,
                 name: str = "state_machine") -> str:
    """Terraform (HCL) for the execution role: ``aws_iam_policy_document`` data sources, an
    ``aws_iam_role`` and its policy. ``region`` / ``account`` / ``partition`` /
    ``state_machine_arn`` are those the policy was generated with; ``references`` maps
    resolved values (ARNs) to the Terraform expressions they came from
    (``"aws_lambda_function.worker.arn"``)."""
    from sfn_iam.render.cloudformation import _parts

    if not _LABEL.fullmatch(name):
        raise ValueError(f"name {name!r} is not a Terraform block label")
    deploy = Deploy(region, account, partition, state_machine_arn, references)
    w = _Writer(deploy, name)
    source_arn = w.template(deploy.own_arn_pieces())
    w.used.add("account")
    blocks = [_trust_block(f"{name}_trust", source_arn, f"data.aws_caller_identity.{name}")]
    role = [f'resource "aws_iam_role" "{name}" {{',
            f"  assume_role_policy = data.aws_iam_policy_document.{name}_trust.json", "}"]
    policies: list[str] = []
    parts = _parts(result)
    if parts is not None:
        for i, part in enumerate(parts, 1):
            label = f"{name}_{i}"
            blocks.append(w.document(label, part))
            policies += [
                f'resource "aws_iam_policy" "{label}" {{',
                f"  policy = data.aws_iam_policy_document.{label}.json", "}", "",
                f'resource "aws_iam_role_policy_attachment" "{label}" {{',
                f"  role       = aws_iam_role.{name}.name",
                f"  policy_arn = aws_iam_policy.{label}.arn", "}", ""]
    elif result.document.get("Statement"):
        blocks.append(w.document(name, result.document))
        policies += [f'resource "aws_iam_role_policy" "{name}" {{', '  name   = "sfn-iam"',
                     f"  role   = aws_iam_role.{name}.id",
                     f"  policy = data.aws_iam_policy_document.{name}.json", "}", ""]
    what = f"the state machine {deploy.name}" if deploy.name else "a Step Functions state machine"
    head = [f"# Least-privilege execution role of {_comment(what)} (generated by sfn-iam)", ""]
    for pseudo in ("partition", "region", "account"):
        if pseudo in w.used:
            head += [f'data "{_PSEUDO[pseudo][0]}" "{name}" {{}}', ""]
    body = "\n\n".join(blocks)
    return "\n".join([*head, body, "", *role, "", *policies]).rstrip("\n") + "\n"


def _trust_block(label: str, source_arn: str, caller: str) -> str:
    """The trust policy of ``sfn-iam trust-policy`` (see cloudformation.trust_document)."""
    return "\n".join([
        f'data "aws_iam_policy_document" "{label}" {{', "  statement {",
        '    effect = "Allow"', '    actions = ["sts:AssumeRole"]', "    principals {",
        '      type = "Service"', '      identifiers = ["states.amazonaws.com"]', "    }",
        "    condition {", '      test = "ArnLike"', '      variable = "aws:SourceArn"',
        f"      values = [{source_arn}]", "    }", "    condition {",
        '      test = "StringEquals"', '      variable = "aws:SourceAccount"',
        f"      values = [{caller}.account_id]", "    }", "  }", "}"])


def _comment(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)
