"""Step Functions (nested) rules pinned to stepfunctions-iam.md (CURRENT-DOCS §3.2):
states:StartExecution on the child stateMachine ARN; .sync/.sync:2 add DescribeExecution and
StopExecution on execution:NAME:* and the StepFunctionsGetEventsForStepFunctionsExecutionRule;
dynamic gives stateMachine:* and execution:*. A version/alias ARN is authorised unqualified."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

START = "arn:aws:states:::states:startExecution"
SM = f"arn:aws:states:{REGION}:{ACCOUNT}"
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
POLL = ["states:DescribeExecution", "states:StopExecution"]
PATTERNS = ["", ".sync", ".sync:2", ".waitForTaskToken"]


def expected(suffix: str, machine: str, executions: str) -> list[dict]:
    out = [stmt("states:StartExecution", machine)]
    if suffix.startswith(".sync"):
        out += [stmt(POLL, executions), stmt(EVENTS, RULE)]
    return out


@pytest.mark.parametrize("suffix", PATTERNS)
@pytest.mark.parametrize(
    ("arn", "machine", "executions"),
    [
        (f"{SM}:stateMachine:Child", f"{SM}:stateMachine:Child", f"{SM}:execution:Child:*"),
        (f"{SM}:stateMachine:Child:PROD", f"{SM}:stateMachine:Child", f"{SM}:execution:Child:*"),
        (f"{SM}:stateMachine:Child:3", f"{SM}:stateMachine:Child", f"{SM}:execution:Child:*"),
        ("arn:aws:states:eu-west-1:111122223333:stateMachine:Other",
         "arn:aws:states:eu-west-1:111122223333:stateMachine:Other",
         "arn:aws:states:eu-west-1:111122223333:execution:Other:*"),
    ],
)
def test_static_machine(suffix: str, arn: str, machine: str, executions: str) -> None:
    r = run(task(START + suffix, {"StateMachineArn": arn, "Input": {"a": 1}}))
    assert_policy(r, *expected(suffix, machine, executions))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", PATTERNS)
def test_dynamic_machine(suffix: str) -> None:
    r = run(task(START + suffix, {"StateMachineArn.$": "$.child", "Input.$": "$"}))
    assert_policy(r, *expected(suffix, f"{SM}:stateMachine:*", f"{SM}:execution:*"))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Parameters.StateMachineArn.$"}


@pytest.mark.parametrize("suffix", PATTERNS)
def test_jsonata(suffix: str) -> None:
    static = run(task(START + suffix, {"StateMachineArn": f"{SM}:stateMachine:Child",
                                       "Input": "{% $states.input %}"}, jsonata=True))
    assert_policy(static, *expected(suffix, f"{SM}:stateMachine:Child", f"{SM}:execution:Child:*"))
    assert static.warnings == []
    dynamic = run(task(START + suffix, {"StateMachineArn": "{% $states.input.sm %}"}, jsonata=True))
    assert_policy(dynamic, *expected(suffix, f"{SM}:stateMachine:*", f"{SM}:execution:*"))
    assert {w.parameter for w in dynamic.warnings} == {"Arguments.StateMachineArn"}
    assert set(codes(dynamic)) == {"dynamic-resource"}


def test_started_by_execution_id_is_not_a_resource() -> None:
    r = run(task(START + ".sync", {
        "StateMachineArn": f"{SM}:stateMachine:Child",
        "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
        "Name.$": "States.UUID()",
    }))
    assert_policy(r, *expected(".sync", f"{SM}:stateMachine:Child", f"{SM}:execution:Child:*"))
    assert r.warnings == []


def test_two_children_share_the_rule() -> None:
    r = run(task(START + ".sync", {"StateMachineArn": f"{SM}:stateMachine:A"}),
            task(START + ".sync:2", {"StateMachineArn": f"{SM}:stateMachine:B:live"}))
    assert_policy(
        r,
        stmt("states:StartExecution", [f"{SM}:stateMachine:A", f"{SM}:stateMachine:B"]),
        stmt(POLL, [f"{SM}:execution:A:*", f"{SM}:execution:B:*"]),
        stmt(EVENTS, RULE),
    )


def test_unknown_region_and_account_only_affect_the_rule() -> None:
    r = run(task(START + ".sync", {"StateMachineArn": f"{SM}:stateMachine:A"}),
            region=None, account=None)
    assert_policy(
        r,
        stmt("states:StartExecution", f"{SM}:stateMachine:A"),
        stmt(POLL, f"{SM}:execution:A:*"),
        stmt(EVENTS, "arn:aws:events:*:*:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),
    )
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


@pytest.mark.parametrize(
    "bad",
    ["Child", f"{SM}:activity:Child", f"{SM}:execution:Child:abc",
     f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"],
)
def test_malformed_machine(bad: str) -> None:
    r = run(task(START, {"StateMachineArn": bad}))
    assert codes(r) == ["malformed-value", "dynamic-resource"]
    assert_policy(r, stmt("states:StartExecution", f"{SM}:stateMachine:*"))


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_missing_machine(suffix: str) -> None:
    r = run(task(START + suffix, {"Input": {}}))
    assert codes(r)[0] == "missing-parameter"
    assert r.document["Statement"] == []


def test_unknown_api() -> None:
    r = run(task("arn:aws:states:::states:startSyncExecution", {"StateMachineArn": f"{SM}:stateMachine:A"}))
    assert codes(r)[0] == "unknown-integration"
