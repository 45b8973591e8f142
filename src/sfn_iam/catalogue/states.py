"""AWS Step Functions (nested workflows): ``states:startExecution`` (request-response,
``.sync``, ``.sync:2``, ``.waitForTaskToken``). Template: stepfunctions-iam.md
(CURRENT-DOCS §3.2; https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html).

``states:StartExecution`` is authorised on the child state machine (``StateMachineArn``).
``.sync`` and ``.sync:2`` also poll and stop the child's executions
(``execution:NAME:*``) and use the managed rule
``StepFunctionsGetEventsForStepFunctionsExecutionRule``. A dynamic machine gives
``stateMachine:*`` and ``execution:*`` in the state machine's own region and account.
"""

from __future__ import annotations

from sfn_iam.arn import parse_arn
from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import (
    ALL,
    ONLY_SYNC,
    SYNC2,
    Res,
    Rule,
    dynamic_res,
    escape,
    events_rule,
    g,
    has_iam_special,
    malformed,
    present,
)
from sfn_iam.task import Task

DOC = "connect-stepfunctions.html"

ANY_MACHINE = "arn:{partition}:states:{region}:{account}:stateMachine:*"
ANY_EXECUTION = "arn:{partition}:states:{region}:{account}:execution:*"

# stateMachine:NAME, or stateMachine:NAME:QUALIFIER for a version (a number) or an alias.
_MACHINE = LazyPattern(r"^stateMachine:(?P<name>[^:\s*?]{1,80})(?::(?P<qualifier>[^:\s*?]{1,80}))?$")


def _machine(t: Task, dynamic: str, kind: str) -> list[Res]:
    """The child machine's ``stateMachine`` (``kind`` = "stateMachine") or ``execution:NAME:*``
    ARN from ``StateMachineArn``."""
    v = t.value("StateMachineArn")
    if v.absent:
        if kind == "stateMachine":  # one finding per state
            t.finding("missing-parameter",
                      "states:startExecution needs StateMachineArn; no permission granted", v.where)
        return []
    if v.dynamic:
        return [dynamic_res(t, v, dynamic)]
    parsed = parse_arn(v.text or "")
    m = _MACHINE.match(parsed.resource) if parsed and parsed.service == "states" else None
    if parsed is None or m is None:
        if kind == "stateMachine":  # one finding per state
            return malformed(t, v, f"{v.value!r} is not a state machine ARN "
                             "(arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME)", dynamic)
        return [] if has_iam_special(v.text or "") else [dynamic_res(t, v, dynamic)]
    # A version or alias ARN (stateMachine:NAME:3, stateMachine:NAME:PROD) is authorised on the
    # unqualified machine ARN ("Step Functions uses the state machine's ARN instead of using the
    # version ARN or alias ARN", CURRENT-DOCS §9.2), so the qualifier is dropped. The 2023
    # template predates versions and aliases.
    # Partition, region, account and name are not checked beyond "no * or ?": escaped (the
    # "${" of a name, say), before the deliberate ":*" of the executions.
    base = escape(f"arn:{parsed.partition}:states:{parsed.region}:{parsed.account}")
    name = escape(m.group("name"))
    if kind == "stateMachine":
        return [Res(f"{base}:stateMachine:{name}", v.where)]
    return [Res(f"{base}:execution:{name}:*", v.where)]


def machine(t: Task) -> list[Res]:
    return _machine(t, ANY_MACHINE, "stateMachine")


def qualifier(t: Task) -> dict[str, dict[str, list[str]]] | None:
    """With ``--qualifier-condition``: a version or alias call is scoped to that qualifier
    with ``states:StateMachineQualifier`` (CURRENT-DOCS §3.2, §9.2); an unqualified call
    is not conditioned."""
    if not t.env.qualifier_condition:
        return None
    v = t.value("StateMachineArn")
    parsed = parse_arn(v.text or "") if v.static else None
    m = _MACHINE.match(parsed.resource) if parsed and parsed.service == "states" else None
    if m is None or m.group("qualifier") is None:
        return None
    return {"ForAnyValue:StringEquals": {"states:StateMachineQualifier": [escape(m.group("qualifier"))]}}


def executions(t: Task) -> list[Res]:
    return _machine(t, ANY_EXECUTION, "execution")


RULES = {
    "startExecution": Rule(
        ALL | {SYNC2},
        (
            g("states:StartExecution", machine, condition=qualifier),
            g(("states:DescribeExecution", "states:StopExecution"), executions, when=ONLY_SYNC),
            g(("events:PutTargets", "events:PutRule", "events:DescribeRule"),
              present("StateMachineArn",
                      events_rule("StepFunctionsGetEventsForStepFunctionsExecutionRule")),
              when=ONLY_SYNC),
        ),
        DOC,
    ),
}
