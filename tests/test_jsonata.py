"""JSONata and variables everywhere (CURRENT-DOCS §5): Arguments, Output, Assign, $states,
$variables; a variable or a JSONata expression is dynamic, a JSONata literal is static."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_iam import generate_policy
from tests.util import ACCOUNT, REGION, assert_policy, codes, machine, run, stmt, task

FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
INVOKE = "arn:aws:states:::lambda:invoke"


@pytest.mark.parametrize("expr", [
    "{% $states.input.fn %}",
    "{% $fn %}",
    "{% $states.context.Execution.Input.fn %}",
    "{%$lookup($config, 'fn')%}",
    "  {% $states.input.fn %}  ",
])
def test_jsonata_values_are_dynamic(expr: str) -> None:
    r = run(task(INVOKE, {"FunctionName": expr}, jsonata=True))
    assert_policy(r, stmt("lambda:InvokeFunction", f"{FN}:*"))
    assert codes(r) == ["dynamic-resource"]
    assert "JSONata" in r.warnings[0].message


@pytest.mark.parametrize("expr", ["$fn", "$fn.name", "$$.Execution.Input.fn", "$.fn",
                                  "States.ArrayGetItem($.fns, 0)"])
def test_jsonpath_variables_and_paths_are_dynamic(expr: str) -> None:
    r = run(task(INVOKE, {"FunctionName.$": expr}))
    assert_policy(r, stmt("lambda:InvokeFunction", f"{FN}:*"))
    assert codes(r) == ["dynamic-resource"]


def test_output_and_assign_do_not_change_permissions() -> None:
    body = task(INVOKE, {"FunctionName": "f", "Payload": "{% $states.input %}"}, jsonata=True,
                Output="{% $states.result.Payload %}",
                Assign={"fn": "{% $states.result.Payload.next %}", "n": 1})
    r = run(body)
    assert_policy(r, stmt("lambda:InvokeFunction", f"{FN}:f"))
    assert r.warnings == []


def test_whole_arguments_expression() -> None:
    r = run(task(INVOKE, "{% $states.input.request %}", jsonata=True))  # type: ignore[arg-type]
    assert_policy(r, stmt("lambda:InvokeFunction", f"{FN}:*"))
    assert r.warnings[0].parameter == "Arguments"


def test_state_level_query_language_overrides_top_level() -> None:
    jsonpath_state = task(INVOKE, {"FunctionName": "a"})
    jsonata_state = task(INVOKE, {"FunctionName": "{% $x %}"}, jsonata=True)
    r = generate_policy(machine(jsonpath_state, jsonata_state), region=REGION, account=ACCOUNT)
    assert_policy(r, stmt("lambda:InvokeFunction", f"{FN}:*"))
    assert [w.state_path for w in r.warnings] == [("S1",)]


def test_jsonpath_state_inside_jsonata_machine() -> None:
    st: dict[str, Any] = {"Type": "Task", "Resource": INVOKE, "QueryLanguage": "JSONPath",
                          "Parameters": {"FunctionName": "b"}, "End": True}
    d = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": st}}
    r = generate_policy(d, region=REGION, account=ACCOUNT)
    assert_policy(r, stmt("lambda:InvokeFunction", f"{FN}:b"))


def test_jsonata_credentials_and_nested_arguments() -> None:
    body = task("arn:aws:states:::ecs:runTask",
                {"TaskDefinition": "web:3", "Overrides": {
                    "TaskRoleArn": "{% $role %}",
                    "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/exec"}},
                jsonata=True)
    r = run(body)
    roles = [s for s in r.document["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert roles and roles[0]["Resource"] == [f"arn:aws:iam::{ACCOUNT}:role/*"]
    assert any(w.parameter == "Arguments.Overrides.TaskRoleArn" for w in r.warnings)
