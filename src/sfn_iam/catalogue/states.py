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
from sfn_iam.catalogue import LazyPattern, memo_value
from sfn_iam.rules import (
    ALL,
    ONLY_SYNC,
    SYNC2,
    Res,
    Rule,
    dynamic_res,
    dynamic_value,
    escape,
    events_rule,
    g,
    has_iam_special,
    malformed,
)
from sfn_iam.task import Task

DOC = "connect-stepfunctions.html"

ANY_MACHINE = "arn:{partition}:states:{region}:{account}:stateMachine:*"
ANY_EXECUTION = "arn:{partition}:states:{region}:{account}:execution:*"

# stateMachine:NAME, or stateMachine:NAME:QUALIFIER for a version (a number) or an alias.
_MACHINE = LazyPattern(r"^stateMachine:(?P<name>[^:\s*?]{1,80})(?::(?P<qualifier>[^:\s*?]{1,80}))?$")


_Parsed = tuple[str, str, "str | None"]
#: the last StateMachineArn text parsed and what it gave (the grants of one Task read it
#: two or three times); only the last, so that a benchmark repeating a definition measures
#: the parse as a single run pays it
_LAST: list[tuple[str, _Parsed | None]] = [("", None)]


def _parse(text: str) -> _Parsed | None:
    """``(escaped "arn:P:states:R:A", escaped name, raw qualifier or None)``, or None when
    ``text`` is not a state machine ARN."""
    last = _LAST[0]
    if last[0] == text:
        return last[1]
    parsed = parse_arn(text)
    m = _MACHINE.match(parsed.resource) if parsed and parsed.service == "states" else None
    out: _Parsed | None = None
    if parsed is not None and m is not None:
        # Partition, region, account and name are not checked beyond "no * or ?": escaped
        # (the "${" of a name, say), before the deliberate ":*" of the executions.
        out = (escape(f"arn:{parsed.partition}:states:{parsed.region}:{parsed.account}"),
               escape(m.group("name")), m.group("qualifier"))
    _LAST[0] = (text, out)
    return out


def _arn_of(text: str, kind: str) -> str | None:
    """The ``stateMachine`` or ``execution:NAME:*`` ARN of a machine ARN (None: not one)."""
    found = _parse(text)
    if found is None:
        return None
    base, name, _ = found
    return f"{base}:stateMachine:{name}" if kind == "stateMachine" else f"{base}:execution:{name}:*"


def _machine(t: Task, dynamic: str, kind: str) -> list[Res]:
    """The child machine's ``stateMachine`` (``kind`` = "stateMachine") or ``execution:NAME:*``
    ARN from ``StateMachineArn``."""
    v = memo_value(t, "StateMachineArn")
    if v.absent:
        if kind == "stateMachine":  # one finding per state
            t.finding("missing-parameter",
                      "states:startExecution needs StateMachineArn; no permission granted", v.where)
        return []
    if v.dynamic:
        return dynamic_value(t, v, dynamic, lambda text: _arn_of(text, kind))
    text = v.text or ""
    found = _parse(text)
    if found is None:
        if kind == "stateMachine":  # one finding per state
            return malformed(t, v, f"{v.value!r} is not a state machine ARN "
                             "(arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME)", dynamic)
        return [] if has_iam_special(text) else [dynamic_res(t, v, dynamic)]
    # A version or alias ARN (stateMachine:NAME:3, stateMachine:NAME:PROD) is authorised on the
    # unqualified machine ARN ("Step Functions uses the state machine's ARN instead of using the
    # version ARN or alias ARN", CURRENT-DOCS §9.2), so the qualifier is dropped. The 2023
    # template predates versions and aliases.
    base, name, _ = found
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
    v = memo_value(t, "StateMachineArn")
    found = _parse(v.text or "") if v.static else None
    if found is None or found[2] is None:
        return None
    return {"ForAnyValue:StringEquals": {"states:StateMachineQualifier": [escape(found[2])]}}


def executions(t: Task) -> list[Res]:
    return _machine(t, ANY_EXECUTION, "execution")


_EVENTS_RULE = events_rule("StepFunctionsGetEventsForStepFunctionsExecutionRule")


def events_rule_if_machine(t: Task) -> list[Res]:
    """The managed rule, when ``StateMachineArn`` is given (static or dynamic): what
    ``present("StateMachineArn", ...)`` says, reading the parameter the other grants read."""
    return [] if memo_value(t, "StateMachineArn").absent else _EVENTS_RULE(t)


RULES = {
    "startExecution": Rule(
        ALL | {SYNC2},
        (
            g("states:StartExecution", machine, condition=qualifier),
            g(("states:DescribeExecution", "states:StopExecution"), executions, when=ONLY_SYNC),
            g(("events:PutTargets", "events:PutRule", "events:DescribeRule"),
              events_rule_if_machine,
              when=ONLY_SYNC),
        ),
        DOC,
    ),
}
