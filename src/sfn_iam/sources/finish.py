"""After generation: deploy-time tokens become wildcards in the name part, each with a
``dynamic-resource`` warning naming the resource and the state; deploy-time placeholders get
their own finding; ECS task definitions of the same template give the roles to pass."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sfn_iam.findings import Finding

if TYPE_CHECKING:
    from sfn_iam.generate import GenerateResult
    from sfn_iam.model import RawGrant
    from sfn_iam.sources import Context, StateMachine


def _sub_tokens(value: Any, pattern: re.Pattern[str], seen: set[str]) -> Any:
    if isinstance(value, str):
        if pattern.search(value) is None:
            return value
        seen.update(pattern.findall(value))
        return pattern.sub("*", value)
    if isinstance(value, tuple):
        return tuple(_sub_tokens(v, pattern, seen) for v in value)
    return value


def finish(result: GenerateResult, machine: StateMachine, ctx: Context | None,
           definition: Any) -> GenerateResult:
    from sfn_iam import policy
    from sfn_iam.generate import GenerateResult
    from sfn_iam.sources import token_re

    pattern = token_re(ctx.account if ctx is not None else None)
    raw = result._raw
    if raw is None:  # already materialised: rebuild the raw form
        from sfn_iam.model import raw as to_raw

        raw = ([to_raw(g) for g in result.grants],
               {k: [to_raw(g) for g in v] for k, v in result.target_grants.items()})
    grants, targets = list(raw[0]), {k: list(v) for k, v in raw[1].items()}
    findings = list(machine.findings)
    warnings = list(result.warnings)
    changed = False
    if machine.task_roles:
        changed |= _pass_roles(machine, definition, grants, warnings)
    token_findings: list[Finding] = []
    tokens = ctx.tokens if ctx else {}
    if ctx is not None:
        for i, g in enumerate(grants):
            seen: set[str] = set()
            new = _sub_tokens(g, pattern, seen)
            if seen:
                grants[i] = new
                changed = True
                token_findings += _token_findings(new, seen, tokens)
        for gs in targets.values():
            for i, g in enumerate(gs):
                seen = set()
                gs[i] = _sub_tokens(g, pattern, seen)
                changed |= bool(seen)
    deploy = ctx.deploy if ctx else {}
    out: list[Finding] = []
    for original in warnings:
        f = _reword(original, deploy)
        if pattern.search(f.message):
            f = f._replace(message=pattern.sub("*", f.message))
        out.append(f)
    all_findings = list(dict.fromkeys(findings + out + token_findings))
    # the run's unknown region / account first, as the generator writes them
    all_findings.sort(key=lambda f: not (f.code in ("unknown-region", "unknown-account")
                                         and not f.state_path))
    if not changed and all_findings == result.warnings:
        return result
    doc, size = result.document, result.size
    if changed:
        statements = policy.merge_raw(grants) if grants else []
        if statements:
            doc = policy.document(statements)
            size = policy.policy_size(doc)
    target_docs = {key: policy.document(policy.merge_raw(gs))
                   for key, gs in sorted(targets.items())} if targets else {}
    new_result = GenerateResult(doc, all_findings, [], result.task_states, result.recognised,
                                result.activities, result.states, target_docs, {}, size,
                                result.unjudged)
    new_result._raw = (grants, targets)
    return new_result


def _token_findings(g: RawGrant, seen: set[str], tokens: dict[str, tuple[str, str]]
                    ) -> list[Finding]:
    (_effect, _cond, actions), arns, _dyn, path, _rule, where = g[:6]
    out = []
    for token in sorted(seen):
        what, hint = tokens.get(token, ("a value made at deploy time", ""))
        if what.startswith(("the region", "the account")):
            # one warning for the run, worded as the generator's own (they merge)
            field = "region" if what.startswith("the region") else "account"
            out.append(Finding(f"unknown-{field}", f"the {field} is unknown: ARNs built from "
                               f"names use '*' for it (pass --{field})"))
            continue
        message = (f"{what}: {', '.join(actions)} granted on {', '.join(arns)}, a wildcard "
                   f"in that part only ({hint})")
        out.append(Finding("dynamic-resource", message, path, where))
    return out


_PLACEHOLDER = re.compile(r"\$\{([^${}]*)\}")


def _reword(f: Finding, deploy: dict[str, str]) -> Finding:
    """An ``unresolved-placeholder`` finding about a deploy-time value says so, instead of
    asking for ``--substitute``."""
    if f.code != "unresolved-placeholder" or not deploy:
        return f
    names = [n for n in _PLACEHOLDER.findall(f.message) if n in deploy]
    if not names:
        return f
    why = "; ".join(dict.fromkeys(deploy[n] for n in names))
    shown = ", ".join(f"${{{n}}}" for n in dict.fromkeys(names))
    tail = ("no permission granted for this state" if f.parameter == "Resource"
            else "treated as dynamic")
    return Finding("deploy-time-value", f"{shown}: {why}; {tail}", f.state_path, f.parameter)


def _pass_roles(machine: StateMachine, definition: Any, grants: list[RawGrant],
                warnings: list[Finding]) -> bool:
    """``ecs:runTask`` of a task definition declared in the same template: iam:PassRole on
    its task and execution roles, in place of the ``unknown-passed-role`` warning."""
    from sfn_iam.walk import iter_states

    paths = {f.state_path for f in warnings if f.code == "unknown-passed-role"}
    if not paths:
        return False
    from sfn_iam.conditions import make_condition

    changed = False
    for ref in iter_states(definition, only=frozenset({"Task"})):
        if ref.path not in paths:
            continue
        params = ref.body.get("Parameters") or ref.body.get("Arguments") or {}
        taskdef = params.get("TaskDefinition") if isinstance(params, dict) else None
        roles = machine.task_roles.get(taskdef) if isinstance(taskdef, str) else None
        if not roles:
            continue
        cond = make_condition({"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
        grants.append((("Allow", cond, ("iam:PassRole",)), tuple(dict.fromkeys(roles)), False,
                       ref.path, "ecs:runTask", "Parameters.TaskDefinition",
                       "https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html", None, False))
        warnings[:] = [f for f in warnings
                       if not (f.code == "unknown-passed-role" and f.state_path == ref.path)]
        changed = True
    return changed
