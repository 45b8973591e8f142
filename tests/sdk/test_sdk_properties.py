"""Property tests of AWS SDK Tasks, checked with the independent evaluator (tests/iam_eval.py):
the call a Task makes is allowed, with its parameters static or dynamic (JSONPath, JSONata);
a static value grants nothing beside its own resource; a dynamic one is a warning that names
the state and the parameter; no action is ever ``*``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.iam_eval import is_allowed
from tests.util import ACCOUNT, REGION, run, task

SDK = "arn:aws:states:::aws-sdk:"
R, A = REGION, ACCOUNT

#: names with IAM wildcard and policy-variable characters: written as literals, they must
#: never let a neighbour through
wild_names = st.from_regex(r"[a-z0-9][a-z0-9*?$-]{0,10}", fullmatch=True)
plain_names = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


class Case:
    """One SDK call: its parameter, how a value names the resource the request is on."""

    def __init__(self, call: str, action: str, param: str, names: st.SearchStrategy[str],
                 arn: Callable[[str], str], value: Callable[[str], str] = lambda v: v,
                 fixed: dict[str, Any] | None = None) -> None:
        self.call, self.action, self.param, self.names = call, action, param, names
        self.arn, self.value, self.fixed = arn, value, fixed or {}


CASES = [
    Case("s3:getObject", "s3:GetObject", "Key", wild_names, lambda k: f"arn:aws:s3:::bkt/{k}",
         fixed={"Bucket": "bkt"}),
    Case("s3:headObject", "s3:GetObject", "Key", wild_names, lambda k: f"arn:aws:s3:::bkt/{k}",
         fixed={"Bucket": "bkt"}),
    Case("s3:putObject", "s3:PutObject", "Bucket", plain_names, lambda b: f"arn:aws:s3:::{b}/o",
         fixed={"Key": "o"}),
    Case("dynamodb:putItem", "dynamodb:PutItem", "TableName", wild_names,
         lambda t: f"arn:aws:dynamodb:{R}:{A}:table/{t}", fixed={"Item": {}}),
    Case("dynamodb:query", "dynamodb:Query", "TableName", wild_names,
         lambda t: f"arn:aws:dynamodb:{R}:{A}:table/{t}"),
    Case("sqs:sendMessage", "sqs:SendMessage", "QueueUrl", plain_names,
         lambda q: f"arn:aws:sqs:{R}:{A}:{q}",
         value=lambda q: f"https://sqs.{R}.amazonaws.com/{A}/{q}", fixed={"MessageBody": "m"}),
    Case("secretsmanager:getSecretValue", "secretsmanager:GetSecretValue", "SecretId",
         plain_names, lambda s: f"arn:aws:secretsmanager:{R}:{A}:secret:{s}-AbC123"),
    Case("glue:startJobRun", "glue:StartJobRun", "JobName", wild_names,
         lambda j: f"arn:aws:glue:{R}:{A}:job/{j}"),
    Case("lambda:invoke", "lambda:InvokeFunction", "FunctionName", plain_names,
         lambda f: f"arn:aws:lambda:{R}:{A}:function:{f}"),
    Case("ssm:getParameter", "ssm:GetParameter", "Name", plain_names,
         lambda n: f"arn:aws:ssm:{R}:{A}:parameter/app/{n}", value=lambda n: f"/app/{n}"),
    Case("sfn:startExecution", "states:StartExecution", "StateMachineArn", plain_names,
         lambda m: f"arn:aws:states:{R}:{A}:stateMachine:{m}",
         value=lambda m: f"arn:aws:states:{R}:{A}:stateMachine:{m}"),
    Case("emrserverless:getJobRun", "emr-serverless:GetJobRun", "JobRunId", plain_names,
         lambda j: f"arn:aws:emr-serverless:{R}:{A}:/applications/app/jobruns/{j}",
         fixed={"ApplicationId": "app"}),
]


@st.composite
def sdk_tasks(draw: st.DrawFn) -> tuple[Case, str, str, bool, bool]:
    case = draw(st.sampled_from(CASES))
    name = draw(case.names)
    other = draw(case.names.filter(lambda n: n != name))
    return (case, name, other, draw(st.booleans()), draw(st.booleans()))


@settings(max_examples=300, deadline=None)
@given(sdk_tasks(), st.sampled_from(["", ".waitForTaskToken"]))
def test_sdk_task_is_allowed_exactly(drawn: tuple[Case, str, str, bool, bool],
                                     suffix: str) -> None:
    case, name, other, dynamic, jsonata = drawn
    params: dict[str, Any] = dict(case.fixed)
    if not dynamic:
        params[case.param] = case.value(name)
    elif jsonata:
        params[case.param] = "{% $states.input.v %}"
    else:
        params[case.param + ".$"] = "$.v"
    r = run(task(SDK + case.call + suffix, params, jsonata=jsonata))
    doc = r.document
    assert all(s["Action"] != "*" for s in doc["Statement"] if s["Effect"] == "Allow")
    # the call is allowed on its resource, whatever the value at run time
    assert is_allowed(doc, case.action, case.arn(name)), (params, doc)
    dyn = [w for w in r.warnings if w.code == "dynamic-resource"]
    if dynamic:
        where = f"Arguments.{case.param}" if jsonata else f"Parameters.{case.param}.$"
        assert [(w.state_path, w.parameter) for w in dyn] == [(("S0",), where)]
        # a wildcard no wider than the static parts: the service's own ARN form, never "*"
        resources = [res for s in doc["Statement"] for res in s["Resource"]]
        assert "*" not in resources, doc
        assert not is_allowed(doc, case.action, "arn:aws:iam::999999999999:role/x")
        if "ApplicationId" in case.fixed:  # a static parent stays
            assert not is_allowed(doc, case.action, case.arn(name).replace("app", "app2"))
    else:
        assert dyn == []
        # a static value grants its own resource only: no neighbour, no wildcard reading
        assert not is_allowed(doc, case.action, case.arn(other)), (params, other, doc)
        assert not is_allowed(doc, case.action, case.arn(name + "x")), (params, doc)


#: (not a start of "arn:": the placeholder could complete it to an ARN, which keeps less)
prefixes = st.from_regex(r"[b-z][a-z0-9-]{0,6}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CASES), prefixes, plain_names, st.sampled_from(["", "-x"]))
def test_a_partly_static_value_keeps_its_static_start(case: Case, prefix: str, completion: str,
                                                       suffix: str) -> None:
    """``orders-${Env}``: every completion of the placeholder is allowed, nothing that does not
    start with the static text is, and the warning names the parameter (issue 10: a wildcard
    no wider than the static parts allow)."""
    params: dict[str, Any] = dict(case.fixed)
    params[case.param] = case.value(prefix + "${Env}" + suffix)
    r = run(task(SDK + case.call, params))
    doc = r.document
    assert is_allowed(doc, case.action, case.arn(prefix + completion + suffix)), (params, doc)
    assert not is_allowed(doc, case.action, case.arn("_" + completion + suffix)), (params, doc)
    dyn = [w for w in r.warnings if w.code == "dynamic-resource"]
    assert [(w.state_path, w.parameter) for w in dyn] == [(("S0",), f"Parameters.{case.param}")]
