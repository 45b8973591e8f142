"""HTTP Task (``http:invoke``) rules pinned to "IAM permissions to run an HTTP Task" in
call-https-apis.html (CURRENT-DOCS §3.11): InvokeHTTPEndpoint on the state machine's own ARN
with method and endpoint conditions, the connection and its secret."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

ARN = "arn:aws:states:::http:invoke"
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Billing"
ANY_MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:*"
CONN = f"arn:aws:events:{REGION}:{ACCOUNT}:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/Stripe/*"
ANY_CONN = f"arn:aws:events:{REGION}:{ACCOUNT}:connection/*"
ANY_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/*"
URL = "https://api.stripe.com/v1/customers"
SECRET_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]


def params(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"ApiEndpoint": URL, "Method": "GET",
                            "InvocationConfig": {"ConnectionArn": CONN}}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def cond(method: str | None = "GET", endpoint: str | None = URL) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    if method:
        out["StringEquals"] = {"states:HTTPMethod": method}
    if endpoint:
        out["StringLike"] = {"states:HTTPEndpoint": endpoint}
    return out or None


def policy(condition: dict[str, Any] | None, machine: str = MACHINE, conn: str = CONN,
           secret: str = SECRET) -> list[dict[str, Any]]:
    return [stmt("states:InvokeHTTPEndpoint", machine, condition),
            stmt("events:RetrieveConnectionCredentials", conn),
            stmt(SECRET_ACTIONS, secret)]


def go(p: dict[str, Any], *, machine: str | None = MACHINE, jsonata: bool = False,
       **kw: Any) -> Any:
    return run(task(ARN, p, jsonata=jsonata), state_machine_arn=machine, **kw)


# ------------------------------------------------------------------ static


@pytest.mark.parametrize("field", ["InvocationConfig", "Authentication"])
def test_static(field: str) -> None:
    r = go(params(**{"InvocationConfig": None, field: {"ConnectionArn": CONN}}))
    assert_policy(r, *policy(cond()))
    assert r.warnings == []


def test_query_parameters_widen_the_endpoint() -> None:
    r = go(params(QueryParameters={"currency": "usd"}))
    assert_policy(r, *policy(cond(endpoint=URL + "*")))
    r = go(params(**{"QueryParameters.$": "$.query"}))
    assert_policy(r, *policy(cond(endpoint=URL + "*")))
    assert r.warnings == []


def test_dynamic_headers_and_body_change_nothing() -> None:
    r = go(params(**{"Headers.$": "$.headers", "RequestBody.$": "$.body"}))
    assert_policy(r, *policy(cond()))
    assert r.warnings == []


def test_connection_in_another_region_and_account() -> None:
    other = "arn:aws:events:eu-west-1:111122223333:connection/Partner/5f1e0c42-0000-4b6b-9c4a-6ff02fc664ac"
    r = go(params(InvocationConfig={"ConnectionArn": other}))
    assert_policy(r, *policy(
        cond(), conn=other,
        secret="arn:aws:secretsmanager:eu-west-1:111122223333:secret:events!connection/Partner/*"))


def test_unknown_state_machine() -> None:
    r = go(params(), machine=None)
    assert_policy(r, *policy(cond(), machine=ANY_MACHINE))
    assert codes(r) == ["unknown-state-machine"]


# ------------------------------------------------------------------ dynamic


def test_dynamic_method_drops_its_condition() -> None:
    r = go(params(Method=None, **{"Method.$": "$.method"}))
    assert_policy(r, *policy(cond(method=None)))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.Method.$"


def test_dynamic_endpoint_keeps_the_format_prefix() -> None:
    # The docs' example: ApiEndpoint.$ with States.Format and a reference path.
    expr = "States.Format('https://api.stripe.com/v1/customers/{}', $.customer_id)"
    r = go(params(ApiEndpoint=None, **{"ApiEndpoint.$": expr}))
    assert_policy(r, *policy(cond(endpoint="https://api.stripe.com/v1/customers/*")))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ApiEndpoint.$"


def test_dynamic_endpoint_placeholder_is_filled() -> None:
    # DefinitionSubstitutions fill the deployed expression: its literal start is known.
    expr = "States.Format('${BaseUrl}/customers/{}', $.customer_id)"
    r = go(params(ApiEndpoint=None, **{"ApiEndpoint.$": expr}),
           substitutions={"BaseUrl": "https://api.stripe.com/v1"})
    assert_policy(r, *policy(cond(endpoint="https://api.stripe.com/v1/customers/*")))
    assert codes(r) == ["dynamic-resource"]
    # without a value there is no literal start: any endpoint, and the warning says so
    r = go(params(ApiEndpoint=None, **{"ApiEndpoint.$": expr}))
    assert_policy(r, *policy(cond(endpoint=None)))
    assert "any endpoint" in r.warnings[0].message


def test_dynamic_endpoint_reads_format_escapes() -> None:
    # States.Format writes literal braces as \{ \}: the literal runs on past them.
    expr = "States.Format('https://api.example.com/\\{v1\\}/items/{}', $.id)"
    r = go(params(ApiEndpoint=None, **{"ApiEndpoint.$": expr}))
    assert_policy(r, *policy(cond(endpoint="https://api.example.com/{v1}/items/*")))


@pytest.mark.parametrize("expr", [
    "$.url",
    "States.Format('https://{}.example.com/x', $.tenant)",
    "States.Format('https://api.example.com{}', $.path)",
    "States.Format($.template, $.id)",
])
def test_dynamic_endpoint_without_a_host_prefix_drops_the_condition(expr: str) -> None:
    r = go(params(ApiEndpoint=None, **{"ApiEndpoint.$": expr}))
    assert_policy(r, *policy(cond(endpoint=None)))
    assert codes(r) == ["dynamic-resource"]
    assert "any endpoint" in r.warnings[0].message


def test_dynamic_connection() -> None:
    r = go(params(InvocationConfig={"ConnectionArn.$": "$.connection"}))
    assert_policy(r, *policy(cond(), conn=ANY_CONN, secret=ANY_SECRET))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Parameters.InvocationConfig.ConnectionArn.$"}


def test_dynamic_authentication_object() -> None:
    r = go(params(InvocationConfig=None, **{"Authentication.$": "$.auth"}))
    assert_policy(r, *policy(cond(), conn=ANY_CONN, secret=ANY_SECRET))
    assert {w.parameter for w in r.warnings} == {"Parameters.Authentication.$"}


def test_all_dynamic() -> None:
    p = {"ApiEndpoint.$": "$.url", "Method.$": "$.method",
         "Authentication": {"ConnectionArn.$": "$.conn"}}
    r = go(p)
    assert_policy(r, *policy(None, conn=ANY_CONN, secret=ANY_SECRET))
    assert set(codes(r)) == {"dynamic-resource"}


# ------------------------------------------------------------------ JSONata


def test_jsonata_static() -> None:
    r = go(params(RequestBody={"amount": "{% $states.input.amount %}"}), jsonata=True)
    assert_policy(r, *policy(cond()))
    assert r.warnings == []


def test_jsonata_endpoint_prefix() -> None:
    r = go(params(ApiEndpoint="{% 'https://api.stripe.com/v1/invoices/' & $states.input.id %}"),
           jsonata=True)
    assert_policy(r, *policy(cond(endpoint="https://api.stripe.com/v1/invoices/*")))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.ApiEndpoint"


def test_jsonata_dynamic_connection_and_method() -> None:
    p = params(Method="{% $states.input.method %}",
               InvocationConfig={"ConnectionArn": "{% $connection %}"})
    r = go(p, jsonata=True)
    assert_policy(r, *policy(cond(method=None), conn=ANY_CONN, secret=ANY_SECRET))
    assert {w.parameter for w in r.warnings} == {"Arguments.Method",
                                                 "Arguments.InvocationConfig.ConnectionArn"}


# ------------------------------------------------------------------ broken input


def test_missing_connection() -> None:
    r = go(params(InvocationConfig=None))
    assert_policy(r, stmt("states:InvokeHTTPEndpoint", MACHINE, cond()))
    assert codes(r) == ["missing-parameter"]
    assert r.warnings[0].parameter == "Parameters"


@pytest.mark.parametrize("key", ["ApiEndpoint", "Method"])
def test_missing_endpoint_or_method(key: str) -> None:
    r = go(params(**{key: None}))
    assert_policy(r, stmt("events:RetrieveConnectionCredentials", CONN),
                  stmt(SECRET_ACTIONS, SECRET))
    assert codes(r) == ["missing-parameter"]
    assert r.warnings[0].parameter == f"Parameters.{key}"


def test_malformed_connection() -> None:
    r = go(params(InvocationConfig={"ConnectionArn": "Stripe"}))
    assert codes(r)[0] == "malformed-value"
    assert_policy(r, *policy(cond(), conn=ANY_CONN, secret=ANY_SECRET))


def test_malformed_method_kept_as_written() -> None:
    r = go(params(Method="FETCH"))
    assert codes(r) == ["malformed-value"]
    assert_policy(r, *policy(cond(method="FETCH")))


def test_two_endpoints_two_statements() -> None:
    other = "https://api.example.com/v2/orders"
    r = run(task(ARN, params()), task(ARN, params(ApiEndpoint=other, Method="POST")),
            state_machine_arn=MACHINE)
    assert_policy(r, stmt("states:InvokeHTTPEndpoint", MACHINE, cond()),
                  stmt("states:InvokeHTTPEndpoint", MACHINE, cond("POST", other)),
                  stmt("events:RetrieveConnectionCredentials", CONN),
                  stmt(SECRET_ACTIONS, SECRET))


# ------------------------------------------------------------------ patterns


@pytest.mark.parametrize("suffix", [".sync", ".waitForTaskToken"])
def test_unsupported_pattern(suffix: str) -> None:
    r = run(task(ARN + suffix, params()), state_machine_arn=MACHINE)
    assert codes(r) == ["unsupported-pattern"]
    assert r.document == go(params()).document
