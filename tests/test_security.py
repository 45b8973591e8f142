"""Security of the output: a static value holding IAM wildcard or policy-variable characters
(``*``, ``?``, ``${``) never widens a grant. It is escaped the way IAM requires (``${*}``,
``${?}``, ``${$}``) or, where no such name or ID can exist, refused with a ``malformed-value``
finding and no grant.

For every integration of tests/test_properties.py's table, a name with such characters goes
where the plain name would; the policy must allow no *neighbouring* resource (the special
character replaced or removed: ``a*b`` -> ``ab``, ``axb``, ``axyb``), checked with
tests/iam_eval.py, except where the template grants a name-independent wildcard anyway
(``"Resource": "*"``). Every ``${`` the policy holds must be one of IAM's three escapes.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_iam import generate_policy
from sfn_iam.rules import escape, has_iam_special
from tests.iam_eval import is_allowed, resource_matches
from tests.test_properties import (
    INTEGRATIONS,
    READERS,
    SM_ARN,
    WRITER,
    A,
    Api,
    Need,
    Params,
    R,
    S3Api,
)
from tests.util import assert_policy, codes, stmt

#: a name with at least one IAM special character (and letters around it)
hostile = st.from_regex(
    r"[a-z]{1,3}(\*|\?|\$\{[a-z]{0,6}\}|\$\{|\$\{\*\})[a-z0-9]{0,3}(\*|\?|\$)?", fullmatch=True)

_SPECIAL = re.compile(r"\$\{[^}]*\}|\$\{|[*?]")


def neighbours(name: str) -> set[str]:
    """Names that differ from ``name`` where it holds a special character."""
    out = set()
    for m in _SPECIAL.finditer(name):
        for rep in ("", "x", "xy"):
            out.add(name[: m.start()] + rep + name[m.end():])
    out.discard(name)
    return out


def _statically(params: Params) -> tuple[Params, dict[str, str]]:
    """Every string holding ``${`` given through a --substitute placeholder, so that it is a
    static value (a ``${Name}`` without a value would be dynamic)."""
    subs: dict[str, str] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str) and "${" in node:
            ph = "S" + hashlib.sha1(node.encode()).hexdigest()[:10]
            subs[ph] = node
            return "${" + ph + "}"
        return node

    return walk(params), subs


def _task_definition(api: Api, name: str, pattern: str, jsonata: bool
                     ) -> tuple[dict[str, Any], dict[str, str]]:
    params, subs = _statically(copy.deepcopy(api.params(name)))
    resource = params.pop("__resource__", None)
    if resource is None:
        assert isinstance(api.resource, str)
        resource = api.resource + pattern
    body: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True}
    if params:
        body["Arguments" if jsonata else "Parameters"] = params
    top = {"QueryLanguage": "JSONata"} if jsonata else {}
    return {"StartAt": "T", "States": {"T": body}, **top}, subs


def _map_definition(api: S3Api, field: str, name: str, jsonata: bool
                    ) -> tuple[dict[str, Any], dict[str, str]]:
    params, subs = _statically(copy.deepcopy(api.params(name)))
    block = {"Resource": api.resource, ("Arguments" if jsonata else "Parameters"): params,
             **api.config}
    body = {"Type": "Map", "End": True, field: block,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    top = {"QueryLanguage": "JSONata"} if jsonata else {}
    return {"StartAt": "M", "States": {"M": body}, **top}, subs


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def _check(doc: dict[str, Any], warnings: list[str], name: str,
           needs: Any, wild: Any) -> None:
    """``needs(name)`` and ``wild(name)`` are the table's, for the call made with ``name``."""
    # 1. every "${" in a Resource or Condition is one of IAM's escapes
    for st_ in doc["Statement"]:
        for text in _strings(st_.get("Resource")) + _strings(st_.get("Condition")):
            for m in re.finditer(r"\$\{", text):
                assert text[m.start():m.start() + 4] in ("${*}", "${?}", "${$}"), (text, st_)
    # 2. no neighbouring resource is allowed, unless a name-independent template wildcard
    #    covers it (the same wildcard for two different names)
    literal: list[Need] = needs(name)
    independent = wild(name) & wild("zz" + name)
    for other in neighbours(name):
        for action, resource, ctx in needs(other):
            if (action, resource, ctx) in literal:
                continue
            if any(a == action.lower() and resource_matches(w, resource) for a, w in independent):
                continue
            assert not is_allowed(doc, action, resource, ctx), (
                f"{name!r} widened {action} to the neighbour {other!r}: {resource}", doc)
    # 3. unless refused, the literal resource itself is allowed, in its request context
    #    (iam_eval reads the escapes in resources and in condition values)
    if "malformed-value" not in warnings:
        for action, resource, ctx in literal:
            assert is_allowed(doc, action, resource, ctx), (action, resource, ctx, doc)


_TASKS = sorted(INTEGRATIONS)
#: every entry and pattern of the table on every run (Hypothesis draws the name): a key drawn
#: from ~80 at random is not drawn evenly, and some not at all in a few hundred examples
_TASK_PATTERNS = [(key, pattern) for key in _TASKS for pattern in INTEGRATIONS[key].patterns]


@pytest.mark.parametrize(("key", "pattern"), _TASK_PATTERNS)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile, st.booleans())
def test_hostile_names_never_widen_a_task_grant(key: str, pattern: str, name: str,
                                                jsonata: bool) -> None:
    api = INTEGRATIONS[key]
    definition, subs = _task_definition(api, name, pattern, jsonata)
    r = generate_policy(definition, region=R, account=A, substitutions=subs)
    assert json.dumps(r.document) == json.dumps(
        generate_policy(definition, region=R, account=A, substitutions=subs).document)

    def needs(n: str) -> list[Need]:
        return api.needs(api.params(n), pattern)

    def wild(n: str) -> set[tuple[str, str]]:
        return api.wild(api.params(n), pattern)

    _check(r.document, codes(r), name, needs, wild)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["ItemReader:" + k for k in sorted(READERS)] + ["ResultWriter"]), hostile,
       st.booleans())
def test_hostile_names_never_widen_an_s3_grant(which: str, name: str, jsonata: bool) -> None:
    field, _, key = which.partition(":")
    api = READERS[key] if key else WRITER
    definition, subs = _map_definition(api, field, name, jsonata)
    r = generate_policy(definition, region=R, account=A, substitutions=subs,
                        state_machine_arn=SM_ARN)

    def needs(n: str) -> list[Need]:
        return api.needs(api.params(n))

    def wild(n: str) -> set[tuple[str, str]]:
        return api.wild(api.params(n))

    _check(r.document, codes(r), name, needs, wild)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_TASKS), hostile.filter(lambda n: "${" in n))
def test_an_unresolved_placeholder_never_reaches_the_policy(key: str, name: str) -> None:
    """``${x}`` written directly is a placeholder, not a name: dynamic (and reported where
    the value is read), never copied into the policy as a policy variable."""
    api = INTEGRATIONS[key]
    params = api.params(name)
    if "__resource__" in params:
        return  # a placeholder in the Resource makes the state unknown (test_cli)
    definition = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": api.resource, "End": True, "Parameters": params}}}
    r = generate_policy(definition, region=R, account=A)
    for st_ in r.document["Statement"]:
        for text in _strings(st_.get("Resource")) + _strings(st_.get("Condition")):
            assert "${" not in escape_free(text), text
    if any(g.dynamic for g in r.grants):
        assert {"dynamic-resource", "unresolved-placeholder"} <= set(codes(r))


def escape_free(text: str) -> str:
    return re.sub(r"\$\{[*?$]\}", "", text)


# --------------------------------------------------------------------------- the decisions


def test_escape() -> None:
    assert escape("plain-name_1.2") == "plain-name_1.2"
    assert escape("a*b?c") == "a${*}b${?}c"
    assert escape("${aws:username}") == "${$}{aws:username}"
    # a "$" that cannot start a policy variable is literal and kept: $LATEST, $default
    assert escape("fn:$LATEST") == "fn:$LATEST"
    assert escape("$default") == "$default"
    # a final "$" is escaped, so that nothing appended can make it "${"
    assert escape("a$") == "a${$}"
    assert escape("${*}") == "${$}{${*}}"
    assert has_iam_special("a?") and has_iam_special("${x}") and not has_iam_special("$LATEST")


def _one(resource: str, params: dict[str, Any], **kw: Any) -> Any:
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource,
                                                    "End": True, "Parameters": params}}}
    return generate_policy(definition, region=R, account=A, **kw)


def test_static_arn_is_escaped() -> None:
    r = _one("arn:aws:states:::sns:publish", {"TopicArn": f"arn:aws:sns:{R}:{A}:alerts*",
                                               "Message": "m"})
    assert_policy(r, stmt("sns:Publish", f"arn:aws:sns:{R}:{A}:alerts${{*}}"))
    assert not is_allowed(r.document, "sns:Publish", f"arn:aws:sns:{R}:{A}:alerts-prod")


def test_wildcard_fields_of_an_arn_are_escaped() -> None:
    bus = f"arn:aws:events:*:{A}:event-bus/orders"
    r = _one("arn:aws:states:::events:putEvents", {"Entries": [{"EventBusName": bus}]})
    assert_policy(r, stmt("events:PutEvents", f"arn:aws:events:${{*}}:{A}:event-bus/orders"))


def test_static_name_is_escaped() -> None:
    r = _one("arn:aws:states:::dynamodb:getItem", {"TableName": "orders?", "Key": {}})
    assert_policy(r, stmt("dynamodb:GetItem", f"arn:aws:dynamodb:{R}:{A}:table/orders${{?}}"))


def test_lambda_latest_is_literal_without_escape() -> None:
    r = _one("arn:aws:states:::lambda:invoke", {"FunctionName": "fn:$LATEST"})
    assert_policy(r, stmt("lambda:InvokeFunction", f"arn:aws:lambda:{R}:{A}:function:fn:$LATEST"))


@pytest.mark.parametrize(("resource", "params"), [
    ("arn:aws:states:::lambda:invoke", {"FunctionName": "*"}),
    ("arn:aws:states:::ecs:runTask", {"TaskDefinition": "web*"}),
    ("arn:aws:states:::sagemaker:createModel", {"ModelName": "m?"}),
    ("arn:aws:states:::eks:deleteCluster", {"Name": "c*"}),
    ("arn:aws:states:::athena:startQueryExecution", {"WorkGroup": "*", "QueryString": "q"}),
    ("arn:aws:states:::codebuild:startBuild", {"ProjectName": "p*"}),
    ("arn:aws:states:::sqs:sendMessage", {"QueueUrl": f"https://sqs.{R}.amazonaws.com/{A}/*"}),
    ("arn:aws:states:::apigateway:invoke", {"ApiEndpoint": "*", "Method": "GET"}),
    ("arn:aws:states:::apigateway:invoke", {"ApiEndpoint": f"abc.execute-api.{R}.amazonaws.com",
                                            "Method": "*"}),
    ("arn:aws:states:::bedrock:invokeModel", {"ModelId": "amazon.*"}),
    ("arn:aws:states:::bedrock:invokeModel", {"ModelId": "us.anthropic.claude-?"}),
    ("arn:aws:states:::emr-serverless:startApplication", {"ApplicationId": "00app*"}),
    ("arn:aws:states:::emr-serverless:startJobRun", {"ApplicationId": "*",
                                                     "ExecutionRoleArn": f"arn:aws:iam::{A}:role/r"}),
    ("arn:aws:states:::emr-serverless:cancelJobRun", {"ApplicationId": "00app",
                                                      "JobRunId": "00run?"}),
    ("arn:aws:states:::http:invoke", {"ApiEndpoint": "https://api.example.com/x", "Method": "G*T"}),
    ("arn:aws:states:::http:invoke", {"ApiEndpoint": "http://api.example.com/*", "Method": "GET"}),
])
def test_a_malformed_value_with_wildcards_is_refused(resource: str, params: dict[str, Any]) -> None:
    """Not a name the service takes, and it holds a wildcard: a finding and no grant for it,
    not the dynamic form (which would be exactly the widening the "*" asks for)."""
    r = _one(resource, params)
    assert "malformed-value" in codes(r)
    assert "dynamic-resource" not in codes(r)
    service = resource.split(":::")[1].split(":", maxsplit=1)[0]
    prefix = {"apigateway": "execute-api", "http": "states"}.get(service, service)
    for st_ in r.document["Statement"]:
        for action in st_["Action"]:
            if action.lower().startswith(prefix + ":"):
                # only the template's own wildcards remain (e.g. sagemaker:ListTags on "*")
                assert action == "sagemaker:ListTags", st_


def test_a_malformed_value_without_wildcards_keeps_the_dynamic_form() -> None:
    r = _one("arn:aws:states:::lambda:invoke", {"FunctionName": "not a name"})
    assert_policy(r, stmt("lambda:InvokeFunction", f"arn:aws:lambda:{R}:{A}:function:*"))
    assert "malformed-value" in codes(r)


def test_api_gateway_stage_and_path_are_literals() -> None:
    r = _one("arn:aws:states:::apigateway:invoke",
             {"ApiEndpoint": f"abc.execute-api.{R}.amazonaws.com", "Method": "GET",
              "Stage": "prod?", "Path": "/files/*"})
    assert_policy(r, stmt("execute-api:Invoke",
                          f"arn:aws:execute-api:{R}:{A}:abc/prod${{?}}/GET/files/${{*}}"))


def test_substituted_value_is_escaped() -> None:
    r = _one("arn:aws:states:::states:startExecution",
             {"StateMachineArn": "${Child}"},
             substitutions={"Child": f"arn:aws:states:{R}:{A}:stateMachine:child${{env}}"})
    assert_policy(r, stmt("states:StartExecution",
                          f"arn:aws:states:{R}:{A}:stateMachine:child${{$}}{{env}}"))


def test_condition_value_is_escaped() -> None:
    r = _one("arn:aws:states:::emr-containers:startJobRun",
             {"VirtualClusterId": "abc", "ExecutionRoleArn": "${Role}"},
             substitutions={"Role": f"arn:aws:iam::{A}:role/${{aws:username}}"})
    escaped = f"arn:aws:iam::{A}:role/${{$}}{{aws:username}}"
    cond = {"StringEquals": {"emr-containers:ExecutionRoleArn": escaped}}
    assert_policy(r, stmt("emr-containers:StartJobRun",
                          f"arn:aws:emr-containers:{R}:{A}:/virtualclusters/abc", cond))


def test_deliberate_wildcard_follows_the_escaped_name() -> None:
    r = _one("arn:aws:states:::emr-containers:startJobRun.sync",
             {"VirtualClusterId": "v*", "ExecutionRoleArn": f"arn:aws:iam::{A}:role/r"})
    vc = f"arn:aws:emr-containers:{R}:{A}:/virtualclusters/v${{*}}"
    assert_policy(r, stmt("emr-containers:StartJobRun", vc,
                          {"StringEquals": {"emr-containers:ExecutionRoleArn": f"arn:aws:iam::{A}:role/r"}}),
                  stmt(["emr-containers:DescribeJobRun", "emr-containers:CancelJobRun"],
                       vc + "/jobruns/*"))


def test_s3_bucket_with_wildcard_and_dynamic_key_does_not_crash() -> None:
    definition, _ = _map_definition(READERS["s3:getObject"], "ItemReader", "b", False)
    definition["States"]["M"]["ItemReader"]["Parameters"] = {"Bucket": "data*", "Key.$": "$.key"}
    r = generate_policy(definition, region=R, account=A, state_machine_arn=SM_ARN)
    assert is_allowed(r.document, "s3:GetObject", "arn:aws:s3:::data*/k")
    assert "arn:aws:s3:::data${*}/*" in json.dumps(r.document)
    assert not is_allowed(r.document, "s3:GetObject", "arn:aws:s3:::data-other/k")


# ----------------------------------------------------- Bedrock, EMR Serverless, MediaConvert, HTTP

BEDROCK = f"arn:aws:bedrock:{R}:{A}"
TITAN = "amazon.titan-text-express-v1"
CONNECTION = f"arn:aws:events:{R}:{A}:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac"
HTTP_SM = f"arn:aws:states:{R}:{A}:stateMachine:*"


@pytest.mark.parametrize(("resource", "params", "expected"), [
    # an ARN is used as written, as a literal
    ("bedrock:invokeModel", {"ModelId": f"{BEDROCK}:provisioned-model/*"},
     [stmt("bedrock:InvokeModel", f"{BEDROCK}:provisioned-model/${{*}}")]),
    # an inference profile ARN: the profile and its model are literals; only the region is "*"
    ("bedrock:invokeModel", {"ModelId": f"{BEDROCK}:inference-profile/us.anthropic.c*"},
     [stmt("bedrock:InvokeModel", [f"{BEDROCK}:inference-profile/us.anthropic.c${{*}}",
                                   "arn:aws:bedrock:*::foundation-model/anthropic.c${*}"])]),
    ("bedrock:invokeModel", {"ModelId": f"arn:*:bedrock:{R}:{A}:inference-profile/us.a.b"},
     [stmt("bedrock:InvokeModel", [f"arn:${{*}}:bedrock:{R}:{A}:inference-profile/us.a.b",
                                   "arn:${*}:bedrock:*::foundation-model/a.b"])]),
    # S3 keys (and a prefix, with the deliberate "*" after it) and the guardrail
    ("bedrock:invokeModel", {"ModelId": TITAN, "Input": {"S3Uri": "s3://prompts/in/*.json"},
                             "Output": {"S3Uri": "s3://results/a?/"},
                             "GuardrailIdentifier": "gr*"},
     [stmt("bedrock:InvokeModel", f"arn:aws:bedrock:{R}::foundation-model/{TITAN}"),
      stmt("s3:GetObject", "arn:aws:s3:::prompts/in/${*}.json"),
      stmt("s3:PutObject", "arn:aws:s3:::results/a${?}/*"),
      stmt("bedrock:ApplyGuardrail", f"{BEDROCK}:guardrail/gr${{*}}")]),
    # a malformed S3 URI with a wildcard: no s3 grant (not the dynamic arn:aws:s3:::*)
    ("bedrock:invokeModel", {"ModelId": TITAN, "Input": {"S3Uri": "s3://*/prompt.json"}},
     [stmt("bedrock:InvokeModel", f"arn:aws:bedrock:{R}::foundation-model/{TITAN}")]),
    # a malformed base model with a wildcard: only the template's name-independent resources
    ("bedrock:createModelCustomizationJob", {"BaseModelIdentifier": "amazon.*",
                                             "RoleArn": f"arn:aws:iam::{A}:role/r?"},
     [stmt("bedrock:CreateModelCustomizationJob",
           [f"{BEDROCK}:custom-model/*", f"{BEDROCK}:model-customization-job/*"]),
      stmt("iam:PassRole", f"arn:aws:iam::{A}:role/r${{?}}",
           {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}})]),
    ("emr-serverless:startJobRun", {"ApplicationId": "00app",
                                    "ExecutionRoleArn": f"arn:aws:iam::{A}:role/job*"},
     [stmt("emr-serverless:StartJobRun", f"arn:aws:emr-serverless:{R}:{A}:/applications/00app"),
      stmt("iam:PassRole", f"arn:aws:iam::{A}:role/job${{*}}",
           {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}})]),
    ("mediaconvert:createJob", {"Role": f"arn:aws:iam::{A}:role/*"},
     [stmt("mediaconvert:CreateJob", "*"),
      stmt("iam:PassRole", f"arn:aws:iam::{A}:role/${{*}}",
           {"StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}})]),
    ("mediaconvert:createJob", {"Role": "arn:aws:s3:::role*"},  # not a role: refused
     [stmt("mediaconvert:CreateJob", "*")]),
])
def test_new_integrations_write_literals(resource: str, params: dict[str, Any],
                                         expected: list[dict[str, Any]]) -> None:
    r = _one("arn:aws:states:::" + resource, params)
    assert_policy(r, *expected)
    assert "dynamic-resource" not in codes(r)


def _http(endpoint: dict[str, Any], method: Any = "GET", connection: Any = CONNECTION,
          **kw: Any) -> Any:
    return _one("arn:aws:states:::http:invoke",
                {**endpoint, "Method": method, "InvocationConfig": {"ConnectionArn": connection}},
                **kw)


def _endpoint_condition(r: Any) -> Any:
    (st_,) = [s for s in r.document["Statement"] if s["Action"] == ["states:InvokeHTTPEndpoint"]]
    return st_.get("Condition")


@pytest.mark.parametrize(("endpoint", "subs", "pattern"), [
    ({"ApiEndpoint": "https://api.example.com/files/*"}, {}, "https://api.example.com/files/${*}"),
    ({"ApiEndpoint": "https://api.example.com/a?", "QueryParameters": {"q": "1"}}, {},
     "https://api.example.com/a${?}*"),
    ({"ApiEndpoint": "${Url}"}, {"Url": "https://api.example.com/${aws:username}"},
     "https://api.example.com/${$}{aws:username}"),
    ({"ApiEndpoint": "https://api.example.com/x$"}, {}, "https://api.example.com/x${$}"),
    # the literal start of a dynamic endpoint, with its deliberate "*" after it
    ({"ApiEndpoint.$": "States.Format('https://api.example.com/a*/{}', $.id)"}, {},
     "https://api.example.com/a${*}/*"),
    ({"ApiEndpoint.$": "States.Format('${Base}/{}', $.id)"},
     {"Base": "https://api.example.com/v?"}, "https://api.example.com/v${?}/*"),
])
def test_http_endpoint_condition_is_a_literal(endpoint: dict[str, Any], subs: dict[str, str],
                                              pattern: str) -> None:
    r = _http(endpoint, substitutions=subs)
    assert _endpoint_condition(r) == {"StringEquals": {"states:HTTPMethod": "GET"},
                                      "StringLike": {"states:HTTPEndpoint": pattern}}


def test_http_jsonata_endpoint_prefix_is_a_literal() -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True,
        "Arguments": {"ApiEndpoint": "{% 'https://api.example.com/a?/' & $states.input.id %}",
                      "Method": "GET", "InvocationConfig": {"ConnectionArn": CONNECTION}}}}}
    r = generate_policy(definition, region=R, account=A)
    assert _endpoint_condition(r)["StringLike"] == {
        "states:HTTPEndpoint": "https://api.example.com/a${?}/*"}
    assert not is_allowed(r.document, "states:InvokeHTTPEndpoint", HTTP_SM.replace("*", "M"),
                          {"states:HTTPMethod": "GET",
                           "states:HTTPEndpoint": "https://api.example.com/ab/1"})


@pytest.mark.parametrize(("method", "subs"), [
    ("G*T", {}), ("${M}", {"M": "${aws:username}"}), ("?", {}),
])
def test_http_method_with_wildcards_is_refused(method: str, subs: dict[str, str]) -> None:
    """A method is one of seven words: one holding IAM wildcard or policy-variable characters
    is refused (InvokeHTTPEndpoint without its HTTPMethod condition would be any method)."""
    r = _http({"ApiEndpoint": "https://api.example.com/x"}, method=method, substitutions=subs)
    assert "malformed-value" in codes(r)
    assert "states:InvokeHTTPEndpoint" not in json.dumps(r.document)


@pytest.mark.parametrize("connection", [
    f"arn:aws:events:*:{A}:connection/*", f"arn:aws:events:{R}:{A}:connection/Str?pe/1",
    "${Conn}",
])
def test_http_connection_with_wildcards_is_refused(connection: str) -> None:
    """Not a connection ARN and it holds wildcards: no RetrieveConnectionCredentials and no
    secret (not the dynamic connection/* and events!connection/*)."""
    r = _http({"ApiEndpoint": "https://api.example.com/x"}, connection=connection,
              substitutions={"Conn": f"arn:aws:events:{R}:{A}:connection/${{aws:username}}"})
    assert codes(r).count("malformed-value") == 1
    assert "dynamic-resource" not in codes(r)
    text = json.dumps(r.document)
    assert "events:" not in text and "secretsmanager:" not in text


# ------------------------------------------------ partly static values (issue 9, point 1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["lambda", "states", "sns", "dynamodb"]),
       st.from_regex(r"[a-z]{0,3}[*?]{1,2}[a-z]{0,3}", fullmatch=True))
def test_wildcards_in_the_static_part_of_a_partial_value_stay_literal(kind: str,
                                                                      static: str) -> None:
    """``NAME*${X}``: the static part's ``*`` / ``?`` are literals; only the placeholder is a
    wildcard. A name that differs from the static part where it has ``*`` is denied."""
    base = {
        "lambda": ("lambda:invoke", "FunctionName", "lambda:InvokeFunction",
                   "arn:aws:lambda:us-east-1:123456789012:function:"),
        "states": ("states:startExecution", "StateMachineArn", "states:StartExecution",
                   "arn:aws:states:us-east-1:123456789012:stateMachine:"),
        "sns": ("sns:publish", "TopicArn", "sns:Publish", "arn:aws:sns:us-east-1:123456789012:"),
        "dynamodb": ("dynamodb:getItem", "TableName", "dynamodb:GetItem",
                     "arn:aws:dynamodb:us-east-1:123456789012:table/"),
    }[kind]
    api, key, action, prefix = base
    params: dict[str, Any] = {key: prefix + static + "${X}"}
    if kind == "dynamodb":
        params["Key"] = {}
    definition = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": f"arn:aws:states:::{api}", "Parameters": params,
        "End": True}}}
    doc = generate_policy(definition, region=R, account=A).document
    other = prefix + static.replace("*", "Q").replace("?", "Q") + "tail"
    assert not is_allowed(doc, action, other, {}), (static, doc)
