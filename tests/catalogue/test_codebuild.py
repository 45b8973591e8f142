"""CodeBuild rules pinned to the per-API templates of codebuild-iam.md (not its first
"Resources" sample, a listed defect): the project (or report group) from ProjectName, build
IDs or report ARNs, and the dynamic forms exactly as each API's template shows them."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

CB = "arn:aws:states:::codebuild:"
PROJECT = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project"
GROUP = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:report-group"
ANY_ACCOUNT = f"arn:aws:codebuild:{REGION}:*:project/*"  # StartBuild, StopBuild, BatchDeleteBuilds
ANY_ACCOUNT_GROUPS = f"arn:aws:codebuild:{REGION}:*:report-group/*"
IN_ACCOUNT = f"{PROJECT}/*"  # the four build-batch APIs
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
BUILD_RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventForCodeBuildStartBuildRule"
BATCH_RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventForCodeBuildStartBuildBatchRule"
ROLE = f"arn:aws:iam::{ACCOUNT}:role"
TO_CODEBUILD = {"StringEquals": {"iam:PassedToService": "codebuild.amazonaws.com"}}
UUID = "0b6a2c5e-5b1e-4c3a-9f0e-1d2c3b4a5f60"

SYNC_ACTIONS = {
    "startBuild": (["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds"],
                   BUILD_RULE),
    "startBuildBatch": (["codebuild:StartBuildBatch", "codebuild:StopBuildBatch",
                         "codebuild:BatchGetBuildBatches"], BATCH_RULE),
    # the template shows no events rule for RetryBuildBatch .sync
    "retryBuildBatch": (["codebuild:RetryBuildBatch", "codebuild:StopBuildBatch",
                         "codebuild:BatchGetBuildBatches"], None),
}

# api -> (static params, expected static resources, dynamic params, dynamic resource, parameter)
CASES = {
    "startBuild": ({"ProjectName": "web"}, [f"{PROJECT}/web"],
                   {"ProjectName.$": "$.project"}, ANY_ACCOUNT, "Parameters.ProjectName.$"),
    "stopBuild": ({"Id": f"web:{UUID}"}, [f"{PROJECT}/web"],
                  {"Id.$": "$.Build.Id"}, ANY_ACCOUNT, "Parameters.Id.$"),
    "batchDeleteBuilds": ({"Ids": [f"web:{UUID}", f"api:{UUID}"]},
                          [f"{PROJECT}/web", f"{PROJECT}/api"],
                          {"Ids.$": "$.Build..Arn"}, ANY_ACCOUNT, "Parameters.Ids.$"),
    "batchGetReports": ({"ReportArns": [f"arn:aws:codebuild:{REGION}:{ACCOUNT}:report/web-unit:{UUID}"]},
                        [f"{GROUP}/web-unit"],
                        {"ReportArns.$": "$.Build.ReportArns"}, ANY_ACCOUNT_GROUPS,
                        "Parameters.ReportArns.$"),
    "startBuildBatch": ({"ProjectName": "web"}, [f"{PROJECT}/web"],
                        {"ProjectName.$": "$.project"}, IN_ACCOUNT, "Parameters.ProjectName.$"),
    "stopBuildBatch": ({"Id": f"web:{UUID}"}, [f"{PROJECT}/web"],
                       {"Id.$": "$.BuildBatch.Id"}, IN_ACCOUNT, "Parameters.Id.$"),
    "retryBuildBatch": ({"Id": f"web:{UUID}", "RetryType": "RETRY_FAILED_BUILDS"},
                        [f"{PROJECT}/web"],
                        {"Id.$": "$.BuildBatch.Id"}, IN_ACCOUNT, "Parameters.Id.$"),
    "deleteBuildBatch": ({"Id": f"web:{UUID}"}, [f"{PROJECT}/web"],
                         {"Id.$": "$.BuildBatch.Id"}, IN_ACCOUNT, "Parameters.Id.$"),
}
ACTION = {api: "codebuild:" + api[0].upper() + api[1:] for api in CASES}
COMBOS = [(api, s) for api in CASES for s in (["", ".sync"] if api in SYNC_ACTIONS else [""])]


def expected(api: str, suffix: str, resources: list[str] | str) -> list[dict]:
    if suffix == ".sync":
        actions, rule = SYNC_ACTIONS[api]
        return [stmt(actions, resources)] + ([stmt(EVENTS, rule)] if rule else [])
    return [stmt(ACTION[api], resources)]


@pytest.mark.parametrize(("api", "suffix"), COMBOS)
def test_static(api: str, suffix: str) -> None:
    params, resources, *_ = CASES[api]
    r = run(task(CB + api + suffix, params))
    assert_policy(r, *expected(api, suffix, resources))
    assert r.warnings == []


@pytest.mark.parametrize(("api", "suffix"), COMBOS)
def test_dynamic(api: str, suffix: str) -> None:
    _, _, params, resource, where = CASES[api]
    r = run(task(CB + api + suffix, params))
    assert_policy(r, *expected(api, suffix, resource))
    assert codes(r) == ["dynamic-resource"]  # once, however many actions
    assert r.warnings[0].parameter == where


@pytest.mark.parametrize(
    ("api", "params", "resource", "where"),
    [
        ("startBuild", {"ProjectName": "{% $states.input.project %}"}, ANY_ACCOUNT,
         "Arguments.ProjectName"),
        ("batchDeleteBuilds", {"Ids": ["{% $states.input.id %}", f"web:{UUID}"]}, ANY_ACCOUNT,
         "Arguments.Ids[0]"),
        ("batchGetReports", {"ReportArns": "{% $states.input.reports %}"}, ANY_ACCOUNT_GROUPS,
         "Arguments.ReportArns"),
        ("retryBuildBatch", {"Id": "{% $batchId %}"}, IN_ACCOUNT, "Arguments.Id"),
    ],
)
def test_jsonata_dynamic(api: str, params: dict, resource: str, where: str) -> None:
    r = run(task(CB + api, params, jsonata=True))
    # a dynamic element's wildcard absorbs the static one
    assert_policy(r, stmt(ACTION[api], resource))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == where


def test_jsonata_static_sync() -> None:
    r = run(task(CB + "startBuildBatch.sync", {"ProjectName": "web"}, jsonata=True))
    assert_policy(r, *expected("startBuildBatch", ".sync", [f"{PROJECT}/web"]))
    assert r.warnings == []


@pytest.mark.parametrize(
    ("api", "params", "resource"),
    [
        ("startBuild", {"ProjectName": "arn:aws:codebuild:eu-west-1:111122223333:project/web"},
         "arn:aws:codebuild:eu-west-1:111122223333:project/web"),
        ("stopBuild", {"Id": f"arn:aws:codebuild:eu-west-1:111122223333:build/web:{UUID}"},
         "arn:aws:codebuild:eu-west-1:111122223333:project/web"),
        ("stopBuildBatch", {"Id": f"arn:aws:codebuild:eu-west-1:111122223333:build-batch/web:{UUID}"},
         "arn:aws:codebuild:eu-west-1:111122223333:project/web"),
        ("batchGetReports",
         {"ReportArns": [f"arn:aws-cn:codebuild:cn-north-1:111122223333:report/g1:{UUID}"]},
         "arn:aws-cn:codebuild:cn-north-1:111122223333:report-group/g1"),
    ],
)
def test_arns_keep_their_own_partition_region_account(api: str, params: dict, resource: str) -> None:
    r = run(task(CB + api, params))
    assert_policy(r, stmt(ACTION[api], resource))
    assert r.warnings == []


def test_mixed_ids_and_arns() -> None:
    r = run(task(CB + "batchDeleteBuilds", {"Ids": [
        f"web:{UUID}", f"arn:aws:codebuild:eu-west-1:111122223333:build/api:{UUID}", f"web:{UUID[::-1]}"]}))
    assert_policy(r, stmt("codebuild:BatchDeleteBuilds", [
        f"{PROJECT}/web", "arn:aws:codebuild:eu-west-1:111122223333:project/api"]))


@pytest.mark.parametrize("suffix", ["", ".sync"])
@pytest.mark.parametrize("api", ["startBuild", "startBuildBatch"])
def test_service_role_override_is_passed(api: str, suffix: str) -> None:
    r = run(task(CB + api + suffix, {"ProjectName": "web", "ServiceRoleOverride": "ci-role"}))
    assert_policy(r, *expected(api, suffix, [f"{PROJECT}/web"]),
                  stmt("iam:PassRole", f"{ROLE}/ci-role", TO_CODEBUILD))
    assert r.warnings == []


def test_dynamic_service_role_override() -> None:
    r = run(task(CB + "startBuild", {"ProjectName": "web", "ServiceRoleOverride.$": "$.role"}))
    assert_policy(r, stmt("codebuild:StartBuild", f"{PROJECT}/web"),
                  stmt("iam:PassRole", f"{ROLE}/*", TO_CODEBUILD))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ServiceRoleOverride.$"


@pytest.mark.parametrize(
    ("api", "params", "resource"),
    [
        ("startBuild", {"ProjectName": "arn:aws:codebuild:us-east-1:123456789012:report-group/x"},
         ANY_ACCOUNT),
        ("stopBuild", {"Id": "web"}, ANY_ACCOUNT),  # a project name, not a build ID
        ("stopBuild", {"Id": f"arn:aws:codebuild:us-east-1:123456789012:build-batch/web:{UUID}"},
         ANY_ACCOUNT),
        ("deleteBuildBatch", {"Id": f"arn:aws:codebuild:us-east-1:123456789012:build/web:{UUID}"},
         IN_ACCOUNT),
        ("batchGetReports", {"ReportArns": ["web-unit"]}, ANY_ACCOUNT_GROUPS),
    ],
)
def test_malformed(api: str, params: dict, resource: str) -> None:
    r = run(task(CB + api, params))
    assert_policy(r, stmt(ACTION[api], resource))
    assert codes(r) == ["malformed-value", "dynamic-resource"]


@pytest.mark.parametrize(("api", "params", "code"), [
    ("startBuild", {}, "missing-parameter"),
    ("stopBuild", {}, "missing-parameter"),
    ("batchDeleteBuilds", {}, "missing-parameter"),
    ("batchDeleteBuilds", {"Ids": []}, "malformed-value"),
])
def test_missing(api: str, params: dict, code: str) -> None:
    r = run(task(CB + api, params))
    assert codes(r) == [code, "no-permissions"]
    assert r.document["Statement"] == []


def test_unknown_region_and_account() -> None:
    r = run(task(CB + "startBuild.sync", {"ProjectName": "web"}), region=None, account=None)
    assert_policy(
        r,
        stmt(SYNC_ACTIONS["startBuild"][0], "arn:aws:codebuild:*:*:project/web"),
        stmt(EVENTS, "arn:aws:events:*:*:rule/StepFunctionsGetEventForCodeBuildStartBuildRule"),
    )
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


@pytest.mark.parametrize("resource", ["stopBuild.sync", "batchGetReports.sync",
                                      "deleteBuildBatch.sync", "startBuild.waitForTaskToken"])
def test_unsupported_pattern(resource: str) -> None:
    params = {"ProjectName": "web", "Id": f"web:{UUID}", "Ids": [f"web:{UUID}"],
              "ReportArns": [f"arn:aws:codebuild:us-east-1:123456789012:report/rg:{UUID}"]}
    r = run(task(CB + resource, params))
    assert codes(r) == ["unsupported-pattern"]
    # authorised like request-response: nothing but the API's own action
    rr = run(task(CB + resource.split(".", maxsplit=1)[0], params))
    assert r.document == rr.document
    assert rr.warnings == []
