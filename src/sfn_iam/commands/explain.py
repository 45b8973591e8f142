"""``sfn-iam explain DEFINITION``: every statement of the generated policy with the states,
parameters and rules that need it, and every warning; text, markdown or JSON."""

from __future__ import annotations

import json
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from sfn_iam.generate import GenerateResult
    from sfn_iam.model import Grant


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sfn_iam.commands.audit import add_generate_options

    p.add_argument("definition", metavar="DEFINITION",
                   help="an Amazon States Language file (JSON or YAML), or - for stdin")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text, json or markdown (a pull-request comment)")
    add_generate_options(p)


def run(args: argparse.Namespace) -> int:
    from sfn_iam.commands.audit import generate_options, read_value
    from sfn_iam.generate import generate_policy

    value, name, source = read_value(args.definition, args.max_bytes)
    result = generate_policy(value if isinstance(value, dict) else source, source=name,
                             **generate_options(args))
    data = explain(result)
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(markdown(data))
    else:
        sys.stdout.write(text(data))
    return 0


def explain(result: GenerateResult) -> dict[str, Any]:
    """``{"statements": [{"statement", "needed_by": [grant...]}], "warnings": [...]}``: each
    statement of the policy with the grants it holds (a grant belongs to a statement with
    the same effect and condition that holds one of its actions on one of its resources)."""
    from sfn_iam.conditions import condition_json
    from sfn_iam.evaluate import covers

    out = []
    for st in result.document["Statement"]:
        actions = _list(st.get("Action"))
        lower = {a.lower() for a in actions}
        resources = _list(st.get("Resource"))
        cond = st.get("Condition")
        held: list[Grant] = [
            g for g in result.grants
            if g.effect == st["Effect"]
            and (condition_json(g.condition) if g.condition else None) == cond
            and any(a.lower() in lower for a in g.actions)
            and any(covers(r, gr) for r in resources for gr in g.resources)]
        out.append({"statement": st, "needed_by": [g.to_json() for g in held]})
    warnings = [{"code": f.code, "state": f.where, "parameter": f.parameter,
                 "message": f.message} for f in result.warnings]
    return {"statements": out, "warnings": warnings}


def _list(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else list(v or [])


def _why(g: dict[str, Any]) -> str:
    from sfn_iam.cli import one_line

    parts = [f"state '{g['state']}'"]
    if g.get("parameter"):
        parts.append(g["parameter"])
    parts.append(f"rule {g['rule']}")
    if g.get("dynamic"):
        parts.append("dynamic value")
    if g.get("note"):
        parts.append(g["note"])
    text = ", ".join(parts)
    return one_line(text + (f" <{g['doc']}>" if g.get("doc") else ""))


def text(data: dict[str, Any]) -> str:
    from sfn_iam.cli import one_line

    lines = []
    for i, item in enumerate(data["statements"], 1):
        st = item["statement"]
        lines.append(f"Statement {i}: {st['Effect']} {', '.join(_list(st['Action']))}")
        lines += [f"  on {one_line(r)}" for r in _list(st["Resource"])]
        if st.get("Condition"):
            lines.append(f"  when {one_line(json.dumps(st['Condition'], sort_keys=True))}")
        needed = item["needed_by"]
        if needed:
            lines += [f"  needed by {_why(g)}" for g in needed]
        elif st["Effect"] == "Deny":
            lines.append("  no state needs any permission: the role is denied everything")
        lines.append("")
    if data["warnings"]:
        lines.append("Warnings:")
        lines += [f"  {one_line(_warning(w))}" for w in data["warnings"]]
    else:
        lines.append("No warnings.")
    return "\n".join(lines) + "\n"


def _warning(w: dict[str, Any]) -> str:
    head = [f"state '{w['state']}'"] if w["state"] else []
    if w["parameter"]:
        head.append(w["parameter"])
    prefix = ", ".join(head)
    return f"{prefix}: {w['message']} [{w['code']}]" if prefix else f"{w['message']} [{w['code']}]"


def _md(text: str) -> str:
    from sfn_iam.cli import one_line

    return (one_line(text).replace("|", "\\|").replace("`", "'").replace("<", "&lt;")
            .replace(">", "&gt;"))


def markdown(data: dict[str, Any]) -> str:
    lines = ["### sfn-iam explain", ""]
    for i, item in enumerate(data["statements"], 1):
        st = item["statement"]
        actions = ", ".join(f"`{_md(a)}`" for a in _list(st["Action"]))
        lines.append(f"**Statement {i}**: {st['Effect']} {actions} on "
                     + ", ".join(f"`{_md(r)}`" for r in _list(st["Resource"])))
        if st.get("Condition"):
            lines.append(f"when `{_md(json.dumps(st['Condition'], sort_keys=True))}`")
        lines.append("")
        if item["needed_by"]:
            lines += ["| State | Parameter | Rule |", "|---|---|---|"]
            lines += [f"| {_md(g['state'])} | {_md(g.get('parameter') or '')} | "
                      f"{_md(g['rule'])} |" for g in item["needed_by"]]
            lines.append("")
    if data["warnings"]:
        lines += ["#### Warnings", ""]
        lines += [f"- {_md(_warning(w))}" for w in data["warnings"]]
        lines.append("")
    return "\n".join(lines)
