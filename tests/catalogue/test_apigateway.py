"""API Gateway rules pinned to api-gateway-iam.md with its known defect fixed: execute-api:Invoke
on arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH (not arn:[[region]]:[[accountId]]:*),
for every AuthType, as the template grants it (with NO_AUTH it is unused but harmless)."""

import pytest

from tests.util import ACCOUNT, assert_policy, atoms, codes, run, stmt, task

INVOKE = "arn:aws:states:::apigateway:invoke"
SUFFIXES = ["", ".waitForTaskToken"]
EP = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
API = f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:a1b2c3d4e5"


def call(**kw: object) -> dict:
    return {"ApiEndpoint": EP, "Method": "GET", "Stage": "prod", "Path": "bills",
            "AuthType": "IAM_ROLE", **kw}


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("auth", ["IAM_ROLE", "RESOURCE_POLICY", "NO_AUTH"])
def test_static_call(suffix: str, auth: str) -> None:
    r = run(task(INVOKE + suffix, call(AuthType=auth)))
    assert_policy(r, stmt("execute-api:Invoke", f"{API}/prod/GET/bills"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("params", [call(AuthType="NO_AUTH"), {k: v for k, v in call().items()
                                                               if k != "AuthType"}])
def test_no_auth_is_granted_like_the_template(suffix: str, params: dict) -> None:
    r = run(task(INVOKE + suffix, params))
    assert_policy(r, stmt("execute-api:Invoke", f"{API}/prod/GET/bills"))
    assert r.warnings == []


def test_two_calls_one_statement() -> None:
    r = run(task(INVOKE, call(AuthType="NO_AUTH", Path="a")), task(INVOKE, call(Path="b")))
    assert_policy(r, stmt("execute-api:Invoke", [f"{API}/prod/GET/a", f"{API}/prod/GET/b"]))


@pytest.mark.parametrize(
    ("params", "resource"),
    [
        ({"Path": "/bills"}, "prod/GET/bills"),
        ({"Path": "bills/add", "Method": "POST"}, "prod/POST/bills/add"),
        ({"Path": "/pets/{id}", "Method": "DELETE"}, "prod/DELETE/pets/{id}"),
        ({"Path": "/"}, "prod/GET/"),
        ({"Path": None}, "prod/GET/"),
        ({"Stage": None}, "$default/GET/bills"),
        ({"Method": "patch"}, "prod/PATCH/bills"),
    ],
)
def test_arn_segments(params: dict, resource: str) -> None:
    p = {k: v for k, v in call(**params).items() if v is not None}
    r = run(task(INVOKE, p))
    assert_policy(r, stmt("execute-api:Invoke", f"{API}/{resource}"))
    assert r.warnings == []


def test_china_endpoint() -> None:
    r = run(task(INVOKE, call(ApiEndpoint="abc.execute-api.cn-north-1.amazonaws.com.cn")))
    assert_policy(r, stmt("execute-api:Invoke",
                          f"arn:aws-cn:execute-api:cn-north-1:{ACCOUNT}:abc/prod/GET/bills"))


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(
    ("key", "resource"),
    [
        ("Stage", f"{API}/*/GET/bills"),
        ("Method", f"{API}/prod/*/bills"),
        ("Path", f"{API}/prod/GET/*"),
        ("ApiEndpoint", f"arn:aws:execute-api:*:{ACCOUNT}:*/prod/GET/bills"),
    ],
)
def test_dynamic_segment(suffix: str, key: str, resource: str) -> None:
    p = call()
    del p[key]
    p[f"{key}.$"] = f"$.{key.lower()}"
    r = run(task(INVOKE + suffix, p))
    assert_policy(r, stmt("execute-api:Invoke", resource))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == f"Parameters.{key}.$"


def test_several_dynamic_segments_each_reported() -> None:
    p = {"ApiEndpoint": EP, "Method.$": "$.m", "Stage.$": "$.s", "Path.$": "$.p",
         "AuthType": "IAM_ROLE"}
    r = run(task(INVOKE, p))
    assert_policy(r, stmt("execute-api:Invoke", f"{API}/*/*/*"))
    assert codes(r) == ["dynamic-resource"] * 3
    assert {w.parameter for w in r.warnings} == {
        "Parameters.Method.$", "Parameters.Stage.$", "Parameters.Path.$"}


def test_dynamic_auth_type_is_granted() -> None:
    p = call()
    del p["AuthType"]
    p["AuthType.$"] = "$.auth"
    r = run(task(INVOKE, p))
    assert_policy(r, stmt("execute-api:Invoke", f"{API}/prod/GET/bills"))


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_jsonata(suffix: str) -> None:
    static = run(task(INVOKE + suffix, call(RequestBody="{% $states.input %}"), jsonata=True))
    assert_policy(static, stmt("execute-api:Invoke", f"{API}/prod/GET/bills"))
    assert static.warnings == []
    dynamic = run(task(INVOKE + suffix, call(Path="{% 'bills/' & $states.input.id %}"),
                       jsonata=True))
    assert_policy(dynamic, stmt("execute-api:Invoke", f"{API}/prod/GET/*"))
    assert [w.parameter for w in dynamic.warnings] == ["Arguments.Path"]
    assert codes(dynamic) == ["dynamic-resource"]


def test_custom_domain() -> None:
    r = run(task(INVOKE, call(ApiEndpoint="api.example.com")))
    assert_policy(r, stmt("execute-api:Invoke",
                          f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*/prod/GET/bills"))
    assert codes(r) == ["malformed-value"]
    assert "custom domain" in r.warnings[0].message


def test_not_an_endpoint() -> None:
    r = run(task(INVOKE, call(ApiEndpoint="not an endpoint")))
    assert_policy(r, stmt("execute-api:Invoke", f"arn:aws:execute-api:*:{ACCOUNT}:*/prod/GET/bills"))
    assert codes(r) == ["malformed-value"]


def test_bad_method_and_auth() -> None:
    r = run(task(INVOKE, call(Method="FETCH", AuthType="IAM")))
    assert_policy(r, stmt("execute-api:Invoke", f"{API}/prod/*/bills"))
    assert codes(r) == ["malformed-value", "malformed-value"]


def test_auth_type_not_a_string() -> None:
    r = run(task(INVOKE, call(AuthType=["IAM_ROLE"])))
    assert_policy(r, stmt("execute-api:Invoke", f"{API}/prod/GET/bills"))
    assert codes(r) == ["malformed-value"]


@pytest.mark.parametrize("key", ["ApiEndpoint", "Method"])
def test_missing_required(key: str) -> None:
    p = call()
    del p[key]
    r = run(task(INVOKE, p))
    assert "missing-parameter" in codes(r)
    assert r.document["Statement"] == []


def test_unknown_account() -> None:
    r = run(task(INVOKE, call()), account=None)
    assert_policy(r, stmt("execute-api:Invoke", "arn:aws:execute-api:eu-west-1:*:a1b2c3d4e5/prod/GET/bills"))
    assert codes(r) == ["unknown-account"]


def test_unsupported_sync() -> None:
    r = run(task(INVOKE + ".sync", call()))
    assert codes(r)[0] == "unsupported-pattern"
    # Never more than request-response.
    assert atoms(r.document["Statement"]) <= atoms([stmt("execute-api:Invoke", f"{API}/prod/GET/bills")])


# ---------------------------------------------- template-only grants (issue 9, point 4)


@pytest.mark.parametrize("params", [call(AuthType="NO_AUTH"), {k: v for k, v in call().items()
                                                               if k != "AuthType"}])
def test_no_auth_grant_is_marked_template_only(params: dict) -> None:
    """Still granted (the template does), but API Gateway never evaluates it with NO_AUTH:
    the provenance says so, for audit."""
    r = run(task(INVOKE, params))
    (grant,) = r.grants
    assert grant.why.template_only is True
    assert grant.to_json()["template_only"] is True


@pytest.mark.parametrize("auth", ["IAM_ROLE", "RESOURCE_POLICY"])
def test_checked_grants_are_not_template_only(auth: str) -> None:
    r = run(task(INVOKE, call(AuthType=auth)))
    (grant,) = r.grants
    assert grant.why.template_only is False
    assert "template_only" not in grant.to_json()


def test_dynamic_auth_type_is_not_template_only() -> None:
    params = {k: v for k, v in call().items() if k != "AuthType"}
    r = run(task(INVOKE, {**params, "AuthType.$": "$.auth"}))
    assert [g.why.template_only for g in r.grants] == [False]


def test_dynamic_no_auth_call_is_template_only_too() -> None:
    params = {k: v for k, v in call(AuthType="NO_AUTH").items() if k != "Path"}
    r = run(task(INVOKE, {**params, "Path.$": "$.path"}))
    assert [(g.dynamic, g.why.template_only) for g in r.grants] == [(True, True)]


def test_template_only_is_part_of_provenance_equality() -> None:
    from sfn_iam.model import Provenance

    a = Provenance(("S",), "apigateway:invoke")
    b = Provenance(("S",), "apigateway:invoke", template_only=True)
    assert a != b and a.template_only is False and b.template_only is True
    assert "template_only" in Provenance._fields


def test_provenance_cli_shows_template_only_only_where_set(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from sfn_iam.cli import main
    from tests.util import machine

    f = tmp_path / "d.json"
    f.write_text(json.dumps(machine(task(INVOKE, call(AuthType="NO_AUTH", Path="open")),
                                    task(INVOKE, call(AuthType="IAM_ROLE", Path="closed")))))
    assert main(["generate", str(f), "--region", "us-east-1", "--account", ACCOUNT,
                 "--provenance"]) == 0
    grants = json.loads(capsys.readouterr().out)["grants"]
    flags = {g["resources"][0].rsplit("/", 1)[-1]: g.get("template_only") for g in grants}
    assert flags == {"open": True, "closed": None}


# ---------------------------------------- a partly static endpoint (issue 9, points 1 and 2)


def test_partly_static_endpoint_keeps_its_region() -> None:
    """The CDK form ``${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}``: the pseudo
    parameters are filled, so the region is known; only the API id is every API."""
    params = call(ApiEndpoint="${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}")
    r = run(task("arn:${AWS::Partition}:states:::apigateway:invoke", params),
            region="eu-west-1")
    assert_policy(r, stmt("execute-api:Invoke",
                          f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:*/prod/GET/bills"))
    assert set(codes(r)) == {"dynamic-resource", "unresolved-placeholder"}


def test_partly_static_endpoint_with_a_static_api_and_a_placeholder_region() -> None:
    r = run(task(INVOKE, call(ApiEndpoint="a1b2c3d4e5.execute-api.${Region}.amazonaws.com")))
    assert_policy(r, stmt("execute-api:Invoke", f"arn:aws:execute-api:*:{ACCOUNT}:*/prod/GET/bills"))
