"""``sfn-iam audit``: what a definition needs (the generator's grants, with provenance) against
what a role's policy documents allow (our own evaluator, :mod:`sfn_iam.evaluate`).

The library entry point is :func:`audit`; the readers of policy files, CloudFormation roles and
SAM templates are in :mod:`sfn_iam.audit.roles`, the output formats in
:mod:`sfn_iam.audit.render`.
"""

from __future__ import annotations

from sfn_iam import evaluate as ev
from sfn_iam.conditions import condition_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from sfn_iam.conditions import Condition
    from sfn_iam.generate import GenerateResult
    from sfn_iam.model import Provenance

__all__ = ["AuditReport", "Excess", "Missing", "Need", "Undecided", "audit", "needs"]


class Need:
    """One permission the definition needs: an action on a resource (an IAM pattern when the
    value is dynamic), under the grant's condition, with every state that needs it."""

    __slots__ = ("action", "condition", "dynamic", "resource", "siblings", "template_only",
                 "why")

    def __init__(self, action: str, resource: str, condition: Condition) -> None:
        self.action = action
        self.resource = resource
        self.condition = condition
        #: the resources of another type that a grant lists beside this one for the action
        #: (the AWS templates list, e.g., workgroup/* and datacatalog/* for every Athena
        #: action; an action is authorised against its own resource type only)
        self.siblings: set[str] = set()
        self.why: list[Provenance] = []
        self.dynamic = False
        self.template_only = True  # until a grant that the call does check needs it

    @property
    def states(self) -> list[str]:
        return sorted({w.state for w in self.why})

    @property
    def parameters(self) -> list[str]:
        return sorted({w.parameter for w in self.why if w.parameter})

    @property
    def rules(self) -> list[str]:
        return sorted({w.rule for w in self.why})

    def requests(self, resource: str | None = None) -> list[ev.Request]:
        """The requests the need stands for: one per combination of the condition's
        alternative values (``StringEquals: [a, b]`` is two requests, each must be allowed);
        on ``resource`` instead of the need's own when given."""
        combos: list[tuple[dict[str, tuple[str, ...] | None], list[str]]] = [({}, [])]
        for op, keys in self.condition:
            base = op.rpartition(":")[2]
            pattern = base.startswith(("StringLike", "ArnLike"))
            for key, values in keys:
                if op.startswith(("ForAnyValue:", "ForAllValues:")):
                    choices: list[tuple[str, ...]] = [values]
                else:
                    choices = [(v,) for v in values]
                combos = [({**ctx, key: choice}, [*pats, key] if pattern else pats)
                          for ctx, pats in combos for choice in choices][:64]
        target = self.resource if resource is None else resource
        return [ev.Request(self.action, target, ctx, pats) for ctx, pats in combos]

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "resource": self.resource,
                "condition": condition_json(self.condition) if self.condition else None,
                "states": self.states}


def needs(result: GenerateResult) -> list[Need]:
    """The execution role's needs, one per (action, resource, condition), in the order the
    generator made them; Deny grants (the deny-all policy) need nothing."""
    found: dict[tuple[str, str, Condition], Need] = {}
    for grant in result.grants:
        if grant.effect != "Allow":
            continue
        template_only = bool(getattr(grant.why, "template_only", False))
        for action in grant.actions:
            for resource in grant.resources:
                key = (action.lower(), resource, grant.condition)
                need = found.get(key)
                if need is None:
                    need = found[key] = Need(action, resource, grant.condition)
                need.why.append(grant.why)
                need.dynamic = need.dynamic or grant.dynamic or "*" in resource \
                    or "?" in resource.replace("${?}", "")
                need.template_only = need.template_only and template_only
    # siblings: what the same rule of the same state needs for the same action, on another
    # resource type
    groups: dict[tuple[str, tuple[str, ...], str], list[Need]] = {}
    for need in found.values():
        for w in need.why:
            groups.setdefault((need.action.lower(), w.state_path, w.rule), []).append(need)
    for group in groups.values():
        for need in group:
            kind = resource_type(need.resource)
            need.siblings.update(n.resource for n in group if resource_type(n.resource) != kind)
    return list(found.values())


def resource_type(arn: str) -> str:
    """``arn:aws:athena:r:a:workgroup/x`` -> ``athena:workgroup``; S3: bucket or object."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return arn
    service, rest = parts[2], parts[5]
    if service == "s3":
        return "s3:object" if "/" in rest else "s3:bucket"
    for sep in ("/", ":"):
        rest = rest.split(sep, 1)[0]
    return f"{service}:{rest}"


# --- findings ---------------------------------------------------------------------------------


class Missing:
    """A needed permission the documents do not allow (or explicitly deny)."""

    __slots__ = ("consequence", "denied_by", "need")

    def __init__(self, need: Need, consequence: str, denied_by: list[str]) -> None:
        self.need = need
        self.consequence = consequence
        self.denied_by = denied_by

    def to_json(self) -> dict[str, Any]:
        """The issue's keys first, in its order: action, resource, condition, states,
        consequence; then the parameters and the statements that deny it."""
        out = self.need.to_json()
        out["consequence"] = self.consequence
        out["parameters"] = self.need.parameters
        if self.denied_by:
            out["denied_by"] = self.denied_by
        return out


class Undecided:
    """A needed permission whose answer depends on something the audit cannot know."""

    __slots__ = ("need", "reason")

    def __init__(self, need: Need, reason: str) -> None:
        self.need = need
        self.reason = reason

    def to_json(self) -> dict[str, Any]:
        out = self.need.to_json()
        out["reason"] = self.reason
        return out


class Excess:
    """An Allow that no state needs: ``kind`` is ``not-needed`` (the action is needed
    nowhere, or not on this resource), ``broader-resource`` (``narrower`` lists the
    resources that would do) or ``broader-action`` (``narrower`` lists the actions)."""

    __slots__ = ("action", "kind", "narrower", "resource", "statement")

    def __init__(self, action: str, resource: str, statement: ev.Statement, kind: str,
                 narrower: list[str]) -> None:
        self.action = action
        self.resource = resource
        self.statement = statement
        self.kind = kind
        self.narrower = narrower

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "resource": self.resource,
                "statement": self.statement.label, "narrower": self.narrower or None,
                "kind": self.kind}


class AuditReport:
    """What :func:`audit` found. ``not_evaluated``: managed policies named by ARN whose
    document was not given; ``unjudged``: IAM service prefixes of Tasks sfn-iam does not
    know (their Allows are not called excess)."""

    __slots__ = ("excess", "index", "malformed", "missing", "needs", "not_evaluated", "result",
                 "statements", "undecided", "unjudged")

    def __init__(self, result: GenerateResult, statements: list[ev.Statement],
                 needs: list[Need], not_evaluated: list[str], unjudged: list[str]) -> None:
        self.result = result
        self.statements = statements
        self.needs = needs
        self.not_evaluated = not_evaluated
        self.unjudged = unjudged
        #: (state path, parameter) of the definition's malformed values
        self.malformed = {(f.state_path, f.parameter) for f in result.warnings
                          if f.code == "malformed-value"}
        #: (lower-case action, resource), "*" for patterns and Not*, -> statement positions
        self.index: dict[tuple[str, str], list[int]] = {}
        self.missing: list[Missing] = []
        self.excess: list[Excess] = []
        self.undecided: list[Undecided] = []

    def exit_code(self, strict: bool = False) -> int:
        """0 nothing missing; 1 something missing (with ``strict``, excess or undecided too)."""
        if self.missing or (strict and (self.excess or self.undecided)):
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        return {
            "missing": [m.to_json() for m in self.missing],
            "excess": [e.to_json() for e in self.excess],
            "undecided": [u.to_json() for u in self.undecided],
            "not_evaluated": self.not_evaluated,
        }


def audit(source: GenerateResult | str | bytes | dict[str, Any],
          policies: list[dict[str, Any]] | list[tuple[str, dict[str, Any]]],
          not_evaluated: list[str] | None = None, **options: Any) -> AuditReport:
    """Compare what ``source`` needs with what the identity-policy ``policies`` allow
    together. ``source`` is a :class:`~sfn_iam.generate.GenerateResult` or a definition
    (text, bytes or dict; ``options`` go to :func:`~sfn_iam.generate.generate_policy`).
    ``policies`` are documents (dicts) or ``(name, document)`` pairs. ``not_evaluated``:
    managed policy ARNs attached to the role whose documents are not given: what they might
    allow is undecided rather than missing. Raises :class:`~sfn_iam.evaluate.PolicyError`
    for a document that is not a policy."""
    from sfn_iam.generate import GenerateResult, generate_policy

    result = source if isinstance(source, GenerateResult) else generate_policy(source, **options)
    named = [p if isinstance(p, tuple) else (f"policy {i + 1}", p)
             for i, p in enumerate(policies)]
    stmts = ev.all_statements(named)
    report = AuditReport(result, stmts, needs(result), list(dict.fromkeys(not_evaluated or [])),
                         list(result.unjudged))
    for need in report.needs:
        _check(report, need)
    _excess(report)
    return report


_ARCHIVE_ATHENA = ("the 2023 template did without it (CURRENT-DOCS 3.4: the archive's .sync "
                   "list had the first four actions), and roles made from it work")
_CONSOLE_LOGS = ("the current documentation lists it, but the console and the CDK make "
                 "logging roles without it that work (CURRENT-DOCS 7.1)")
_LAKE_FORMATION = "needed only for tables that Lake Formation governs"

#: (rule, action) -> why a role without it works although the current documentation lists
#: it: such a need is undecided, not missing
ADVISORY = {
    **{("athena:startQueryExecution.sync", a): _ARCHIVE_ATHENA for a in (
        "athena:GetWorkGroup", "athena:BatchGetQueryExecution", "athena:GetQueryResults",
        "athena:ListQueryExecutions")},
    ("athena:startQueryExecution", "lakeformation:GetDataAccess"): _LAKE_FORMATION,
    ("athena:startQueryExecution.sync", "lakeformation:GetDataAccess"): _LAKE_FORMATION,
    ("logging", "logs:CreateLogStream"): _CONSOLE_LOGS,
    ("logging", "logs:PutLogEvents"): _CONSOLE_LOGS,
}


def _relevant(report: AuditReport, action: str, resource: str | None = None
              ) -> list[ev.Statement]:
    """The statements that may apply to ``action`` (on ``resource``), in order: an index by
    literal action and literal resource, ``*`` standing for patterns, NotAction and
    NotResource, so that a role of thousands of statements is read in linear time."""
    index = report.index
    if not index:
        for i, st in enumerate(report.statements):
            actions = ({"*"} if st.not_action or st.pattern_actions else set()) \
                | (set() if st.not_action else set(st.literal_actions))
            resources = ({"*"} if st.not_resource or st.pattern_resources else set()) \
                | (set() if st.not_resource else set(st.literal_resources))
            for a in actions:
                for r in resources:
                    index.setdefault((a, r), []).append(i)
    a = action.lower()
    literal = resource is not None and not ("*" in resource or "?" in resource
                                            or "$" in resource)
    if literal:
        keys = [(a, resource), (a, "*"), ("*", resource), ("*", "*")]
    else:
        keys = [k for k in index if k[0] in (a, "*")]
    found = sorted({i for k in keys for i in index.get(k, [])})  # type: ignore[arg-type]
    return [report.statements[i] for i in found]


def _check(report: AuditReport, need: Need) -> None:
    """Missing, undecided, or allowed (nothing recorded)."""
    if need.template_only:
        return  # the templates grant it, the call never checks it
    stmts = _relevant(report, need.action, need.resource)
    decisions = [ev.evaluate(stmts, r) for r in need.requests()]
    denied = [d for d in decisions if d.result == ev.DENIED]
    if denied:
        labels = sorted({s.label for d in denied for s in d.denied_by})
        report.missing.append(Missing(need, consequence(need), labels))
        return
    undecided = [d for d in decisions if d.result == ev.UNDECIDED]
    if undecided:
        reasons = sorted({r for d in undecided for r in d.reasons})
        report.undecided.append(Undecided(need, "; ".join(reasons[:3])))
        return
    if all(d.result == ev.ALLOWED for d in decisions):
        return
    excuse = _excuse(report, need)
    if excuse is not None:
        report.undecided.append(Undecided(need, excuse))
    else:
        report.missing.append(Missing(need, consequence(need), []))


def _excuse(report: AuditReport, need: Need) -> str | None:
    """Why a need no statement allows may still work: the reason it is undecided, or None
    when it is missing."""
    if report.not_evaluated:
        return ("not allowed by the documents given; the managed policies "
                + ", ".join(report.not_evaluated) + " were not evaluated")
    advisory = [ADVISORY[(r, need.action)] for r in need.rules if (r, need.action) in ADVISORY]
    if advisory and len(advisory) == len(need.rules):
        return "not allowed; " + advisory[0]
    if need.dynamic and any((w.state_path, w.parameter) in report.malformed for w in need.why):
        return ("the definition's value is malformed (malformed-value): the resource it means "
                "cannot be told")
    if need.dynamic:
        part = _partly(_relevant(report, need.action), need)
        if part:
            return (f"the value is dynamic: the role allows it only on part of {need.resource} "
                    f"({', '.join(part[:3])}); whether that suffices depends on the values at "
                    "run time")
    other = [r for r in sorted(need.siblings) if all(
        ev.evaluate(_relevant(report, need.action, r), q).result == ev.ALLOWED
        for q in need.requests(r))]
    if other:
        return (f"the grant lists several resource types for {need.action}, which applies to "
                f"one of them; the role allows it on {', '.join(other[:3])}")
    return None


def _partly(stmts: list[ev.Statement], need: Need) -> list[str]:
    """The resources of the Allows that grant the action on part of a dynamic resource."""
    out: list[str] = []
    for st in stmts:
        if st.effect != "Allow":
            continue
        for request in need.requests():
            if ev.applies(st, request, want_all=False) is not False:
                out.extend(r for r in st.resources if r not in out)
    return out


# --- consequences -----------------------------------------------------------------------------

_CANCEL = ("Stop", "Cancel", "Terminate", "BatchStop", "Abort")
_POLL = ("Describe", "Get", "List", "BatchGet")
_EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")


def consequence(need: Need) -> str:
    """What happens at run time without the permission, in words."""
    rules = need.rules
    name = need.action.partition(":")[2]
    sync = any(".sync" in r for r in rules)
    if sync and need.action in _EVENTS:
        return ("Step Functions cannot set up its managed EventBridge rule: the task cannot "
                "learn that its job finished and the execution waits (until its timeout)")
    if sync and name.startswith(_CANCEL):
        return ("a stopped or timed-out execution cannot cancel its job: the job keeps "
                "running, and billing")
    if sync and name.startswith(_POLL):
        return ("the task cannot poll its job: it cannot learn that the job finished and the "
                "execution waits (until its timeout)")
    if any(r.startswith("logging") for r in rules):
        return ("logging cannot be delivered: creating or updating the state machine with "
                "logging enabled fails")
    if "xray" in rules:
        return "traces are not sent to AWS X-Ray"
    if any(r.startswith("kms") for r in rules):
        return "executions fail: the state machine's data cannot be encrypted or decrypted"
    if any(r.startswith("map:") for r in rules):
        if name.startswith("Stop"):
            return ("a failed or stopped Map Run cannot stop its child executions: they keep "
                    "running, and billing")
        if name.startswith("Redrive"):
            return "redriving the Map Run fails with AccessDenied"
        if name.startswith("Describe"):
            return "the Map Run cannot describe its child executions (AccessDenied)"
        return ("the Distributed Map cannot start its child executions: the Map Run fails "
                "with AccessDenied")
    return ("the call fails with AccessDenied: the state fails (States.TaskFailed) unless a "
            "Catch handles it")


# --- excess -----------------------------------------------------------------------------------


#: what the needs of one action pattern ask for: the needs, their resources sorted, as a set
_Wanted = tuple[list[Need], list[str], set[str]]


def _excess(report: AuditReport) -> None:
    unjudged = report.unjudged
    passrole_unknown = any(f.code == "unknown-passed-role" for f in report.result.warnings)
    by_action: dict[str, list[Need]] = {}
    for n in report.needs:
        by_action.setdefault(n.action.lower(), []).append(n)
    cache: dict[tuple[str, bool], _Wanted] = {}  # one computation per distinct pattern
    for st in report.statements:
        if st.effect != "Allow":
            continue
        for pattern in st.actions:
            service = pattern.partition(":")[0].lower()
            if "*" in unjudged or (service in unjudged and not st.not_action):
                continue
            key = (pattern.lower(), st.not_action)
            if key not in cache:
                hit = [a for a in by_action if ev.action_matches([pattern], a) != st.not_action]
                found = [n for a in hit for n in by_action[a]]
                resources = sorted({n.resource for n in found})
                cache[key] = (found, resources, set(resources))
            wanted = cache[key]
            # a role passed that sfn-iam cannot name (ECS task roles): not excess
            passrole = (passrole_unknown and not st.not_action and service == "iam"
                        and ev.action_matches([pattern], "iam:PassRole"))
            label = ("NotAction " if st.not_action else "") + pattern
            if not wanted[0]:
                if not passrole:
                    report.excess += [Excess(label, r, st, "not-needed", [])
                                      for r in st.resources]
                continue
            if st.not_action or "*" in pattern or "?" in pattern:
                actions = sorted({n.action for n in wanted[0]}, key=str.lower)
                if not (len(actions) == 1 and pattern.lower() == actions[0].lower()):
                    report.excess.append(Excess(label, ", ".join(st.resources), st,
                                                "broader-action", actions))
            if not passrole:
                _resources(report, st, label, wanted)


def _unreadable(resource: str) -> bool:
    """Does the role's resource hold a value the audit cannot read (a ``${...}`` that is not
    one of IAM's literal escapes ``${*}``, ``${?}``, ``${$}``: a template value known only at
    deploy time, a policy variable)? Then what it covers is unknown: it is never called excess
    (its needs are undecided on the other side)."""
    if "${" not in resource:
        return False
    import re

    return re.search(r"\$\{(?![*?$]\})", resource) is not None


def _resources(report: AuditReport, st: ev.Statement, label: str, wanted: _Wanted) -> None:
    _, needed, needed_set = wanted
    for resource in st.resources:
        if _unreadable(resource):
            continue
        if st.not_resource:
            report.excess.append(Excess(label, "NotResource " + resource, st,
                                        "broader-resource", needed))
            continue
        if resource in st.literal_resources:  # covers only itself: a set lookup
            if resource not in needed_set:
                report.excess.append(Excess(label, resource, st, "not-needed", []))
            continue
        inside = [r for r in needed if ev.covers(resource, r)]
        if not inside:
            report.excess.append(Excess(label, resource, st, "not-needed", []))
        elif not any(ev.covers(r, resource) for r in inside):
            report.excess.append(Excess(label, resource, st, "broader-resource", inside))
