"""Test-side evaluators, sharing no code with the writers: what CloudFormation (``Ref``,
``Fn::GetAtt``, ``Fn::Sub`` with ``${!Literal}``) and Terraform (HCL string templates with
``$${`` / ``%%{`` escapes and ``${reference}`` interpolations) make of the strings the
writers emit, given the values of the pseudo parameters and referenced resources."""

from __future__ import annotations

import json
import re
from typing import Any

_SUB = re.compile(r"\$\{([^}]*)\}")


def cfn(node: Any, values: dict[str, str]) -> Any:
    """``node`` with every intrinsic function evaluated (Ref, Fn::GetAtt, Fn::Sub, Fn::Join,
    Fn::Select, Fn::Split). ``values``: ``AWS::AccountId``, ``MyFn`` (a Ref), ``MyFn.Arn``
    (a GetAtt) -> value. An unknown name raises KeyError."""
    if isinstance(node, list):
        return [cfn(x, values) for x in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        (key, arg), = node.items()
        if key == "Ref":
            return values[arg]
        if key == "Fn::GetAtt":
            return values[".".join(arg) if isinstance(arg, list) else arg]
        if key == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else arg
            scope = {**values, **{k: cfn(v, values) for k, v in local.items()}}
            return _SUB.sub(lambda m: "${" + m.group(1)[1:] + "}" if m.group(1).startswith("!")
                            else scope[m.group(1)], text)
        if key == "Fn::Join":
            return str(arg[0]).join(cfn(arg[1], values))
        if key == "Fn::Select":
            return cfn(arg[1], values)[int(cfn(arg[0], values))]
        if key == "Fn::Split":
            return cfn(arg[1], values).split(arg[0])
        assert not key.startswith("Fn::"), f"the evaluator does not know {key}"
    return {k: cfn(v, values) for k, v in node.items()}


def hcl_string(raw: str, values: dict[str, str]) -> str:
    """An HCL expression as python-hcl2 returns it (a quoted template ``"..."`` or a bare
    ``${reference}``), evaluated: escapes decoded, interpolations looked up in ``values``."""
    if raw.startswith("${") and raw.endswith("}") and not raw.startswith('"'):
        return values[raw[2:-1]]
    assert raw.startswith('"') and raw.endswith('"'), raw
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("$${", i) or body.startswith("%%{", i):
            out.append(body[i + 1 : i + 3])
            i += 3
        elif body.startswith("${", i):
            end = body.index("}", i)
            out.append(values[body[i + 2 : end]])
            i = end + 1
        elif body[i] == "\\":
            esc = body[i + 1]
            if esc == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append({"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}[esc])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def heredoc_json(raw: str, values: dict[str, str]) -> str:
    """A ``<<-EOT`` heredoc as python-hcl2 returns it (quoted, indented), its ``${...}``
    interpolations evaluated (a heredoc has no backslash escapes: the JSON keeps its own)."""
    assert raw.startswith('"<<-EOT\n') and raw.endswith('EOT"'), raw[:40]
    lines = raw[len('"<<-EOT\n') : -len('EOT"')].rstrip(" ").splitlines()
    margin = min(len(x) - len(x.lstrip(" ")) for x in lines if x.strip())
    body = "\n".join(x[margin:] for x in lines)
    assert "$${" not in body and "%{" not in body
    return _SUB.sub(lambda m: values[m.group(1)], body)


def terraform_policy(parsed: dict[str, Any], label: str, values: dict[str, str]) -> dict[str, Any]:
    """The JSON policy an ``aws_iam_policy_document`` data source of python-hcl2's parse
    stands for (the lists kept as lists, as sfn-iam writes them)."""
    for block in parsed.get("data", []):
        doc = block.get('"aws_iam_policy_document"', {}).get(f'"{label}"')
        if doc is not None:
            break
    else:
        raise KeyError(label)
    statements = []
    for heredoc in doc.get("source_policy_documents", []):
        statements += json.loads(heredoc_json(heredoc, values))["Statement"]
    for st in doc.get("statement", []):
        out: dict[str, Any] = {"Effect": hcl_string(st["effect"], values)}
        for attr, key in (("actions", "Action"), ("resources", "Resource")):
            if attr in st:
                out[key] = [hcl_string(x, values) for x in st[attr]]
        for cond in st.get("condition", []):
            test, variable = hcl_string(cond["test"], values), hcl_string(cond["variable"], values)
            vals = [hcl_string(x, values) for x in cond["values"]]
            out.setdefault("Condition", {}).setdefault(test, {})[variable] = vals
        statements.append(out)
    return {"Version": "2012-10-17", "Statement": statements}


def normal(doc: dict[str, Any]) -> dict[str, Any]:
    """A policy with every Action / Resource / condition value as a list (IAM reads a string
    and a one-item list alike)."""
    def listed(v: Any) -> list[Any]:
        return v if isinstance(v, list) else [v]

    out = json.loads(json.dumps(doc))
    for st in out["Statement"]:
        for key in ("Action", "Resource"):
            if key in st:
                st[key] = listed(st[key])
        for block in st.get("Condition", {}).values():
            for k in block:
                block[k] = listed(block[k])
    return out  # type: ignore[no-any-return]
