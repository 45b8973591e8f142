"""The audit's and explain's output formats: text (a table, coloured on a terminal), JSON,
SARIF 2.1.0 (code scanning: results located at the state in the definition file), markdown
(a pull-request comment)."""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from sfn_iam.audit import AuditReport, Excess, Missing, Undecided

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = {
    "missing-permission": "the role does not allow a permission the state machine needs",
    "excess-permission": "the role allows more than the state machine needs",
    "undecided-permission": "whether the role allows a needed permission cannot be decided",
}
_COLOURS = {"missing": "\x1b[31m", "excess": "\x1b[33m", "undecided": "\x1b[36m"}


def _clean(text: str) -> str:
    """One line, no control characters (names come from untrusted files)."""
    from sfn_iam.cli import one_line

    return one_line(text)


# --- text -------------------------------------------------------------------------------------


def rows(report: AuditReport) -> list[tuple[str, str, str, str, str]]:
    """(kind, action, resource, states, detail) for every finding, in report order."""
    out: list[tuple[str, str, str, str, str]] = []
    for m in report.missing:
        detail = m.consequence + (f" (denied by {', '.join(m.denied_by)})" if m.denied_by else "")
        out.append(("missing", m.need.action, m.need.resource, ", ".join(m.need.states), detail))
    for e in report.excess:
        out.append(("excess", e.action, e.resource, "", _excess_detail(e)))
    for u in report.undecided:
        out.append(("undecided", u.need.action, u.need.resource, ", ".join(u.need.states),
                    u.reason))
    return [tuple(_clean(c) for c in r) for r in out]  # type: ignore[misc]


def _excess_detail(e: Excess) -> str:
    where = e.statement.label
    if e.kind == "not-needed":
        return f"{where}: no state needs it"
    if e.kind == "broader-action":
        return f"{where}: broader than needed; enough: {', '.join(e.narrower)}"
    return f"{where}: broader than needed; enough: {', '.join(e.narrower)}"


def text(report: AuditReport, colour: bool = False) -> str:
    table = rows(report)
    lines = []
    if table:
        head = ("KIND", "ACTION", "RESOURCE", "STATES", "DETAIL")
        widths = [min(max(len(r[i]) for r in [head, *table]), 60) for i in range(4)]
        for r in [head, *table]:
            cells = [r[i].ljust(widths[i]) for i in range(4)]
            line = "  ".join([*cells, r[4]]).rstrip()
            if colour and r is not head:
                line = _COLOURS[r[0]] + line + "\x1b[0m"
            lines.append(line)
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: AuditReport) -> str:
    out = (f"{len(report.missing)} missing, {len(report.excess)} excess, "
           f"{len(report.undecided)} undecided ({len(report.needs)} permissions needed, "
           f"{len(report.statements)} statements read)")
    if report.not_evaluated:
        out += "; not evaluated: " + ", ".join(_clean(a) for a in report.not_evaluated)
    if report.unjudged:
        out += ("; Allows for services of Tasks sfn-iam does not know are not judged: "
                + ", ".join(report.unjudged))
    return out


# --- json, markdown ---------------------------------------------------------------------------


def as_json(report: AuditReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


def _md(text: str) -> str:
    """A table cell: one line, no pipe, no backtick, no HTML (names come from untrusted
    files and the comment is rendered)."""
    return (_clean(text).replace("|", "\\|").replace("`", "'").replace("<", "&lt;")
            .replace(">", "&gt;"))


def markdown(report: AuditReport, title: str = "sfn-iam audit") -> str:
    lines = [f"### {title}", "", _md(summary(report)), ""]
    if report.missing:
        lines += ["#### Missing", "", "| Action | Resource | States | Consequence |",
                  "|---|---|---|---|"]
        lines += [f"| `{_md(m.need.action)}` | `{_md(m.need.resource)}` | "
                  f"{_md(', '.join(m.need.states))} | {_md(m.consequence)} |"
                  for m in report.missing]
        lines.append("")
    # excess and undecided folded, so that a pull-request comment leads with what breaks
    if report.excess:
        lines += [f"<details><summary>Excess ({len(report.excess)})</summary>", "",
                  "| Action | Resource | Statement | Enough |", "|---|---|---|---|"]
        lines += [f"| `{_md(e.action)}` | `{_md(e.resource)}` | {_md(e.statement.label)} | "
                  f"{_md(', '.join(e.narrower)) or 'not needed'} |" for e in report.excess]
        lines += ["", "</details>", ""]
    if report.undecided:
        lines += [f"<details><summary>Undecided ({len(report.undecided)})</summary>", "",
                  "| Action | Resource | States | Why |", "|---|---|---|---|"]
        lines += [f"| `{_md(u.need.action)}` | `{_md(u.need.resource)}` | "
                  f"{_md(', '.join(u.need.states))} | {_md(u.reason)} |"
                  for u in report.undecided]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


# --- SARIF ------------------------------------------------------------------------------------


def state_line(source: str, path: tuple[str, ...]) -> int | None:
    """The 1-based line of the state at ``path`` in the definition text (JSON or YAML): each
    name is looked for as a key after the previous one; None when it is not found."""
    pos = 0
    found = None
    for name in path:
        if name.startswith(("branch ", "(")) or name in ("ItemReader", "ResultWriter"):
            continue  # "branch 2" and the Map's pseudo states are not keys of their own
        quoted = re.escape(json.dumps(name))
        plain = re.escape(name)
        m = re.compile(rf"{quoted}[ \t]*:|^[ \t]*['\"]?{plain}['\"]?[ \t]*:",
                       re.MULTILINE).search(source, pos)
        if m is None:
            return found
        pos = m.end()
        found = source.count("\n", 0, m.start()) + 1
    return found


def sarif(report: AuditReport, definition_uri: str, source: str | None,
          policy_files: dict[str, str | None]) -> str:
    """SARIF 2.1.0. Missing and undecided results point at the states that need the
    permission (line numbers from ``source``, the definition's text); excess results at the
    policy file (``policy_files``: name -> text) and the line of the action there."""
    results: list[dict[str, Any]] = []
    for m in report.missing:
        results.append(_result("missing-permission", "error", _missing_text(m),
                               _locations(m.need.why, definition_uri, source)))
    for u in report.undecided:
        results.append(_result("undecided-permission", "note", _undecided_text(u),
                               _locations(u.need.why, definition_uri, source)))
    uris = list(policy_files)
    for e in report.excess:
        label = e.statement.policy
        uri = next((u for u in uris if label == u or label.startswith((u + ":", u + "["))),
                   uris[-1] if uris else definition_uri)
        text = policy_files.get(uri)
        action = e.action.removeprefix("NotAction ")
        line = _line_of(text, json.dumps(action)) or _line_of(text, action) if text else None
        results.append(_result("excess-permission", "warning",
                               _clean(f"{e.action} on {e.resource}: {_excess_detail(e)}"),
                               [_location(uri, line)]))
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sfn-iam", "informationUri": "https://pypi.org/project/sfn-iam/",
                "rules": [{"id": k, "shortDescription": {"text": v}} for k, v in RULES.items()],
            }},
            "results": results,
            # managed policies named by ARN without their document, and the services of
            # Tasks sfn-iam does not know (their Allows are not judged)
            "properties": {"notEvaluated": report.not_evaluated, "unjudged": report.unjudged},
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


def _line_of(text: str | None, needle: str) -> int | None:
    if not text:
        return None
    at = text.find(needle)
    return None if at < 0 else text.count("\n", 0, at) + 1


def _missing_text(m: Missing) -> str:
    params = f" ({', '.join(m.need.parameters)})" if m.need.parameters else ""
    return _clean(f"missing {m.need.action} on {m.need.resource}{params}: {m.consequence}")


def _undecided_text(u: Undecided) -> str:
    return _clean(f"undecided {u.need.action} on {u.need.resource}: {u.reason}")


def _result(rule: str, level: str, message: str,
            locations: list[dict[str, Any]]) -> dict[str, Any]:
    """One result; its fingerprint (rule and message, which name the action, the resource
    and the statement) lets code scanning follow it from run to run."""
    import hashlib

    digest = hashlib.sha256(f"{rule}\n{message}".encode()).hexdigest()[:32]
    return {"ruleId": rule, "level": level, "message": {"text": message},
            "locations": locations, "partialFingerprints": {"sfnIamFinding/v1": digest}}


def _locations(why: list[Any], uri: str, source: str | None) -> list[dict[str, Any]]:
    out = []
    seen = set()
    for w in why:
        if w.state_path in seen:
            continue
        seen.add(w.state_path)
        line = state_line(source, w.state_path) if source is not None else None
        loc = _location(uri, line)
        loc["logicalLocations"] = [{"name": w.state, "kind": "state"}]
        out.append(loc)
    return out or [_location(uri, None)]


def _location(uri: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    physical["region"] = {"startLine": line or 1}
    return {"physicalLocation": physical}
