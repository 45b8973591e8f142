"""Property-based tests: random definitions (every state type, nesting, JSONPath and JSONata,
static and dynamic values) through the generator, checked with the suite's own IAM
evaluator (tests/iam_eval.py, which shares no code with sfn_iam).

The table below says, from the templates alone, what each Task needs at run time; it does
not look at the generator's catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_iam import generate_policy
from tests.iam_eval import is_allowed

R, A = "us-east-1", "123456789012"
names = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)

Need = tuple[str, str, dict[str, str]]  # action, resource, condition context


@dataclass(frozen=True)
class Integration:
    resource: str
    #: (name or None for dynamic) -> (parameter key, static value), needs
    build: Callable[[str], tuple[str, str, list[Need]]]
    #: the template grants these on "*" even for static input
    template_wildcards: bool = False
    extra: Callable[[], dict[str, Any]] = dict


def _lambda(name: str) -> tuple[str, str, list[Need]]:
    return "FunctionName", name, [
        ("lambda:InvokeFunction", f"arn:aws:lambda:{R}:{A}:function:{name}", {})]


def _sns(name: str) -> tuple[str, str, list[Need]]:
    arn = f"arn:aws:sns:{R}:{A}:{name}"
    return "TopicArn", arn, [("sns:Publish", arn, {})]


def _sqs(name: str) -> tuple[str, str, list[Need]]:
    return "QueueUrl", f"https://sqs.{R}.amazonaws.com/{A}/{name}", [
        ("sqs:SendMessage", f"arn:aws:sqs:{R}:{A}:{name}", {})]


INTEGRATIONS: dict[str, Integration] = {
    "lambda": Integration("arn:aws:states:::lambda:invoke", _lambda),
    "lambda-wait": Integration("arn:aws:states:::lambda:invoke.waitForTaskToken", _lambda),
    "sns": Integration("arn:aws:states:::sns:publish", _sns, extra=lambda: {"Message": "m"}),
    "sqs": Integration("arn:aws:states:::sqs:sendMessage.waitForTaskToken", _sqs,
                       extra=lambda: {"MessageBody": "m"}),
}

DYNAMIC_JSONPATH = ["$.target", "$$.Execution.Input.target", "States.Format('{}', $.t)", "$var"]
DYNAMIC_JSONATA = ["{% $states.input.target %}", "{% $var %}"]


@dataclass
class Built:
    body: dict[str, Any]
    needs: list[Need]
    dynamic_services: set[str]
    wildcard_services: set[str]


@st.composite
def task_state(draw: st.DrawFn, jsonata: bool) -> Built:
    key = draw(st.sampled_from(sorted(INTEGRATIONS)))
    integ = INTEGRATIONS[key]
    dynamic = draw(st.booleans())
    name = draw(names)
    param, value, needs = integ.build(name)
    params: dict[str, Any] = integ.extra()
    service = needs[0][0].split(":")[0]
    if dynamic:
        # At run time the value is something else in the same account: that must work too.
        _, _, needs = integ.build("runtime-" + name)
        if jsonata:
            params[param] = draw(st.sampled_from(DYNAMIC_JSONATA))
        else:
            params[param + ".$"] = draw(st.sampled_from(DYNAMIC_JSONPATH))
    else:
        params[param] = value
    body = {"Type": "Task", "Resource": integ.resource,
            ("Arguments" if jsonata else "Parameters"): params}
    return Built(body, needs, {service} if dynamic else set(),
                 {service} if integ.template_wildcards else set())


SIMPLE = [
    {"Type": "Pass"},
    {"Type": "Wait", "Seconds": 1},
    {"Type": "Succeed"},
    {"Type": "Fail", "Error": "E"},
    {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:a"},
]


@st.composite
def states_block(draw: st.DrawFn, depth: int, jsonata: bool) -> Built:
    """A {StartAt, States} block of 1..4 states, nested Parallel/Map up to ``depth``."""
    n = draw(st.integers(1, 4))
    states: dict[str, Any] = {}
    acc = Built({}, [], set(), set())
    for i in range(n):
        kinds = ["task", "simple", "choice"] + (["parallel", "map"] if depth > 0 else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "task":
            b = draw(task_state(jsonata))
            body = b.body
            acc.needs += b.needs
            acc.dynamic_services |= b.dynamic_services
            acc.wildcard_services |= b.wildcard_services
        elif kind == "simple":
            body = dict(draw(st.sampled_from(SIMPLE)))
        elif kind == "choice":
            body = {"Type": "Choice", "Default": f"S{i}x",
                    "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": f"S{i}x"}]}
        else:
            subs = [draw(states_block(depth - 1, jsonata))
                    for _ in range(draw(st.integers(1, 3)) if kind == "parallel" else 1)]
            for s in subs:
                acc.needs += s.needs
                acc.dynamic_services |= s.dynamic_services
                acc.wildcard_services |= s.wildcard_services
            if kind == "parallel":
                body = {"Type": "Parallel", "Branches": [s.body for s in subs]}
            else:
                field = draw(st.sampled_from(["Iterator", "ItemProcessor"]))
                body = {"Type": "Map", field: subs[0].body}
        if body["Type"] not in ("Succeed", "Fail", "Choice"):
            body = {**body, "End": True}
        states[f"S{i}"] = body
    acc.body = {"StartAt": "S0", "States": states}
    return acc


@st.composite
def definitions(draw: st.DrawFn) -> tuple[dict[str, Any], Built]:
    jsonata = draw(st.booleans())
    built = draw(states_block(draw(st.integers(0, 3)), jsonata))
    definition = dict(built.body)
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition, built


def _gen(definition: dict[str, Any]) -> dict[str, Any]:
    return generate_policy(definition, region=R, account=A).document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_generated_policy_is_sound(case: tuple[dict[str, Any], Built]) -> None:
    definition, built = case
    doc = _gen(definition)
    # deterministic: same input, same bytes; and the same again from the JSON text
    assert json.dumps(doc) == json.dumps(_gen(definition))
    assert json.dumps(doc) == json.dumps(
        generate_policy(json.dumps(definition), region=R, account=A).document)
    statements = doc["Statement"]
    # every permission each Task needs is allowed
    for action, resource, ctx in built.needs:
        assert is_allowed(doc, action, resource, ctx), (action, resource, statements)
    if not built.needs:
        assert statements == [{"Effect": "Deny", "Action": "*", "Resource": "*"}]
        return
    for stmt in statements:
        assert stmt["Effect"] == "Allow"
        assert "*" not in stmt["Action"]
        # a wildcard resource only where a dynamic value (or the template itself) caused it
        if any("*" in r for r in stmt["Resource"]):
            services = {a.split(":")[0] for a in stmt["Action"]}
            assert services <= built.dynamic_services | built.wildcard_services, stmt


@settings(max_examples=200, deadline=None)
@given(definitions())
def test_nothing_beyond_the_needed_services(case: tuple[dict[str, Any], Built]) -> None:
    definition, built = case
    doc = _gen(definition)
    needed = {a.split(":")[0] for a, _, _ in built.needs}
    granted = {a.split(":")[0] for s in doc["Statement"] if s["Effect"] == "Allow"
               for a in s["Action"]}
    assert granted <= needed
