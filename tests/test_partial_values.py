"""A partly static value keeps its static parts (issue 9, point 1).

``"FunctionName": "arn:aws:lambda:us-east-1:625787456381:function:${Fn}:$LATEST"`` names the
region, the account and the qualifier; only the function name is left open. The wildcard for
it is built from the value's own static parts, never from --region/--account.

The property test runs over every catalogue parameter that takes an ARN (every ARN-valued
parameter of the property suite's ``INTEGRATIONS`` table, written from the AWS templates and
the Service Authorization Reference, not from the catalogue): the value is put in another
region and account than the state machine's, cut at a random point after ``arn:``, and the
rest replaced by a placeholder without a value. Checked with the independent evaluator
(tests/iam_eval.py):

- every completion of the prefix (the original value, and another one) is allowed: each
  need the call has with that value;
- nothing outside the prefix: the needs of the value with a field the prefix fixes changed
  (partition, region, account, or the last character of a resource name in the prefix) are
  denied, unless the template grants that action on a wildcard for static input too.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_iam import generate_policy
from tests.iam_eval import is_allowed
from tests.test_properties import INTEGRATIONS, SM_ARN, A, Api, R, _get, _set, names
from tests.util import assert_policy, codes, run, stmt, task

OTHER_REGION, OTHER_ACCOUNT = "eu-west-1", "999988887777"


def _elsewhere(value: str) -> str:
    """The value in another region and account than the state machine's (not a role: a
    role can be passed only within its own account)."""
    if value.startswith("arn:aws:iam::"):
        return value
    return value.replace(f":{R}:", f":{OTHER_REGION}:").replace(f":{A}:", f":{OTHER_ACCOUNT}:")


def _arn_params() -> list[tuple[str, tuple[Any, ...]]]:
    out = []
    for key, api in sorted(INTEGRATIONS.items()):
        params = api.params("nm")
        for declared in api.dynamic:
            path, value = declared, _get(params, declared)
            if isinstance(value, list) and value and isinstance(value[0], str):
                path, value = (*declared, 0), value[0]  # a list of ARNs: its first element
            if isinstance(value, str) and value.startswith("arn:"):
                out.append((key, path))
    return out


ARN_PARAMS = _arn_params()


def test_the_table_covers_the_arn_parameters() -> None:
    covered = {(key.split(" ")[0], next(p for p in reversed(path) if isinstance(p, str)))
               for key, path in ARN_PARAMS}
    for expected in [("lambda:invoke", "FunctionName"), ("sns:publish", "TopicArn"),
                     ("dynamodb:getItem", "TableName"), ("states:startExecution", "StateMachineArn"),
                     ("batch:submitJob", "JobQueue"), ("batch:submitJob", "JobDefinition"),
                     ("ecs:runTask", "TaskRoleArn"), ("codebuild:batchGetReports", "ReportArns"),
                     ("http:invoke", "ConnectionArn"), ("bedrock:invokeModel", "ModelId"),
                     ("mediaconvert:createJob", "Role"), ("sagemaker:createTrainingJob", "RoleArn")]:
        assert expected in covered, expected


def _definition(api: Api, pattern: str, params: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(api.resource, str)
    return {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": api.resource + pattern, "Parameters": params, "End": True}}}


def _needs(api: Api, base: dict[str, Any], path: tuple[Any, ...], value: str,
           pattern: str) -> set[tuple[str, str, str]] | None:
    params = copy.deepcopy(base)
    _set(params, path, value)
    try:
        return {(a, r, repr(sorted(c.items()))) for a, r, c in api.needs(params, pattern)}
    except (ValueError, IndexError, KeyError, AttributeError):
        return None  # not a value the table can read (a changed resource type)


def _mutants(value: str, k: int) -> list[str]:
    """``value`` with one thing its first ``k`` characters fix changed."""
    fields = value[:k].split(":")
    complete = len(fields) - 1
    out = []
    full = value.split(":", 5)
    for i, other in ((1, "aws-cn"), (3, "ap-south-1"), (4, "111111111111")):
        if i < complete and full[i] and full[i] != other:
            out.append(":".join([*full[:i], other, *full[i + 1:]]))
    if complete >= 5:
        resource_start = len(":".join(full[:5])) + 1
        cut = max(value.rfind("/", resource_start, k), value.rfind(":", resource_start, k))
        last = value[k - 1]
        if cut >= 0 and k - 1 > cut and last.isalnum():
            out.append(value[:k - 1] + ("q" if last != "q" else "r") + value[k:])
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ARN_PARAMS), names, st.data())
def test_partly_static_arn_allows_every_completion_and_nothing_outside(
        case: tuple[str, tuple[Any, ...]], name: str, data: st.DataObject) -> None:
    key, path = case
    api = INTEGRATIONS[key]
    pattern = data.draw(st.sampled_from(api.patterns), label="pattern")
    base = api.params(name)
    value = _get(base, path)
    if _needs(api, base, path, _elsewhere(value), pattern) != _needs(api, base, path, value,
                                                                      pattern):
        value = _elsewhere(value)  # (where the table's needs follow the ARN's own fields)
    k = data.draw(st.integers(len("arn:"), len(value) - 1), label="cut")
    written = copy.deepcopy(base)
    _set(written, path, value[:k] + "${Rest}")
    r = generate_policy(_definition(api, pattern, written), region=R, account=A,
                        state_machine_arn=SM_ARN)
    doc = r.document
    # every completion of the prefix
    another = _get(api.params(name + "x2"), path)
    another = _elsewhere(another) if value != _get(base, path) else another
    for completion in {value, another}:
        if not completion.startswith(value[:k]):
            continue
        for action, resource, ctx in api.needs(_with(base, path, completion), pattern):
            assert is_allowed(doc, action, resource, ctx), (value[:k], action, resource, doc)
    # nothing outside the prefix
    own = {(a, res) for a, res, _ in _needs(api, base, path, value, pattern) or set()}
    wild_actions = {a for a, _ in api.wild(_with(base, path, value), pattern)}
    for mutant in _mutants(value, k):
        changed = _needs(api, base, path, mutant, pattern)
        if changed is None:
            continue
        for action, resource, ctx in changed:
            if (action, resource) in own or action.lower() in wild_actions:
                continue
            assert not is_allowed(doc, action, resource, dict(eval(ctx))), (
                value[:k], mutant, action, resource, doc)


def _with(base: dict[str, Any], path: tuple[Any, ...], value: str) -> dict[str, Any]:
    params = copy.deepcopy(base)
    _set(params, path, value)
    return params


# ------------------------------------------------------------------ the examples of the issue


def test_quorum_lambda_keeps_region_account_and_qualifier() -> None:
    """quorum-with-parallel-pattern: the function's own region and account, ``$LATEST``."""
    fn = "arn:aws:lambda:us-east-1:625787456381:function:${LambdaFunctionName}:$LATEST"
    r = run(task("arn:aws:states:::lambda:invoke", {"FunctionName": fn}),
            region="eu-central-1", account="111122223333")
    assert_policy(r, stmt("lambda:InvokeFunction",
                          "arn:aws:lambda:us-east-1:625787456381:function:*:$LATEST"))
    assert set(codes(r)) == {"dynamic-resource", "unresolved-placeholder"}


def test_start_execution_keeps_region_and_account() -> None:
    sm = "arn:aws:states:eu-west-1:999999999999:stateMachine:${Child}"
    r = run(task("arn:aws:states:::states:startExecution.sync", {"StateMachineArn": sm}))
    doc = r.document
    assert is_allowed(doc, "states:StartExecution",
                      "arn:aws:states:eu-west-1:999999999999:stateMachine:Kid", {})
    assert is_allowed(doc, "states:DescribeExecution",
                      "arn:aws:states:eu-west-1:999999999999:execution:Kid:run-1", {})
    for other in ("arn:aws:states:us-east-1:999999999999:stateMachine:Kid",
                  "arn:aws:states:eu-west-1:123456789012:stateMachine:Kid"):
        assert not is_allowed(doc, "states:StartExecution", other, {})


def test_a_name_with_a_placeholder_keeps_its_static_parts() -> None:
    r = run(task("arn:aws:states:::dynamodb:getItem", {"TableName": "orders-${Stage}", "Key": {}}))
    assert_policy(r, stmt("dynamodb:GetItem",
                          "arn:aws:dynamodb:us-east-1:123456789012:table/orders-*"))


def test_a_placeholder_alone_is_the_template() -> None:
    r = run(task("arn:aws:states:::dynamodb:getItem", {"TableName": "${Table}", "Key": {}}))
    assert_policy(r, stmt("dynamodb:GetItem", "*"))
    r = run(task("arn:aws:states:::lambda:invoke", {"FunctionName": "${Fn}"}))
    assert_policy(r, stmt("lambda:InvokeFunction",
                          "arn:aws:lambda:us-east-1:123456789012:function:*"))


def test_a_placeholder_in_the_account_field() -> None:
    fn = "arn:aws:lambda:eu-west-1:${Account}:function:worker"
    r = run(task("arn:aws:states:::lambda:invoke", {"FunctionName": fn}))
    doc = r.document
    assert is_allowed(doc, "lambda:InvokeFunction",
                      "arn:aws:lambda:eu-west-1:999988887777:function:worker", {})
    assert not is_allowed(doc, "lambda:InvokeFunction",
                          "arn:aws:lambda:us-east-1:999988887777:function:worker", {})


def test_another_services_arn_keeps_the_template() -> None:
    r = run(task("arn:aws:states:::states:startExecution",
                 {"StateMachineArn": "arn:aws:lambda:eu-west-1:999999999999:function:${X}"}))
    assert "dynamic-resource" in codes(r)
    assert all(res.startswith("arn:aws:states:us-east-1:123456789012:")
               for s in r.document["Statement"] for res in s["Resource"])


def test_a_placeholder_alone_keeps_the_templates_open_fields() -> None:
    """``${Bus}`` may be a bus ARN of any region and account: the template's
    ``arn:aws:events:*:*:event-bus/*``, not a name completed in the machine's account."""
    r = run(task("arn:aws:states:::events:putEvents",
                 {"Entries": [{"Detail": {}, "DetailType": "t", "Source": "s",
                               "EventBusName": "${Bus}"}]}))
    assert_policy(r, stmt("events:PutEvents", "arn:aws:events:*:*:event-bus/*"))


def test_a_placeholder_in_the_region_field_of_a_whole_arn() -> None:
    """genai-prompt-chaining-hitl: the five separators are written, so ``${region}`` is the
    region field only: the model stays exact."""
    model = "arn:aws:bedrock:${region}::foundation-model/anthropic.claude-v2"
    r = run(task("arn:aws:states:::bedrock:invokeModel", {"ModelId": model, "Body": {}}))
    assert_policy(r, stmt("bedrock:InvokeModel",
                          "arn:aws:bedrock:*::foundation-model/anthropic.claude-v2"))


def test_an_empty_region_and_account_are_the_callers() -> None:
    """sfn-datazone-update-metadata-cdk writes ``arn:aws:lambda:::function:${Fn}``: Lambda reads
    the empty fields as the caller's region and account, so the grant keeps them."""
    r = run(task("arn:aws:states:::lambda:invoke",
                 {"FunctionName": "arn:aws:lambda:::function:${Fn}"}))
    assert_policy(r, stmt("lambda:InvokeFunction",
                          "arn:aws:lambda:us-east-1:123456789012:function:*"))


def test_digits_written_like_a_marker_stay_literal() -> None:
    """The 12-digit markers that stand for a placeholder (tried when letters do not fit, as
    for a revision) are never taken from the value's own text."""
    td = "arn:aws:ecs:us-east-1:900000000000:task-definition/web:${Rev}"
    r = run(task("arn:aws:states:::ecs:runTask", {"TaskDefinition": td}))
    resources = {res for s in r.document["Statement"] for res in s["Resource"]}
    assert resources == {"arn:aws:ecs:us-east-1:900000000000:task-definition/web:*"}
