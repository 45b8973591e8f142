"""Athena rules pinned to athena-iam.md, with the current .sync action list (CURRENT-DOCS §3.4):
the workgroup and every data catalog, S3 on arn:aws:s3:::*, the account's Glue catalog, and
lakeformation:GetDataAccess; the three query-id APIs on workgroup/*."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, atoms, codes, run, stmt, task

BASE = "arn:aws:states:::athena:"
START = BASE + "startQueryExecution"
ATHENA = f"arn:aws:athena:{REGION}:{ACCOUNT}"
CATALOGS = f"{ATHENA}:datacatalog/*"
ANY_WG = f"{ATHENA}:workgroup/*"

START_RR = ["athena:startQueryExecution", "athena:getDataCatalog"]
START_SYNC = [
    *START_RR,
    "athena:stopQueryExecution", "athena:getQueryExecution", "athena:GetWorkGroup",
    "athena:BatchGetQueryExecution", "athena:GetQueryResults", "athena:ListQueryExecutions",
]
S3 = stmt(
    ["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads",
     "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload", "s3:CreateBucket", "s3:PutObject"],
    "arn:aws:s3:::*",
)
GLUE = stmt(
    ["glue:CreateDatabase", "glue:GetDatabase", "glue:GetDatabases", "glue:UpdateDatabase",
     "glue:DeleteDatabase", "glue:CreateTable", "glue:UpdateTable", "glue:GetTable",
     "glue:GetTables", "glue:DeleteTable", "glue:BatchDeleteTable", "glue:BatchCreatePartition",
     "glue:CreatePartition", "glue:UpdatePartition", "glue:GetPartition", "glue:GetPartitions",
     "glue:BatchGetPartition", "glue:DeletePartition", "glue:BatchDeletePartition"],
    [f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog", f"arn:aws:glue:{REGION}:{ACCOUNT}:database/*",
     f"arn:aws:glue:{REGION}:{ACCOUNT}:table/*",
     f"arn:aws:glue:{REGION}:{ACCOUNT}:userDefinedFunction/*"],
)
LAKE = stmt("lakeformation:GetDataAccess", "*")
QUERY = {"QueryString": "SELECT 1", "ResultConfiguration": {"OutputLocation": "s3://out/"}}


def start_policy(suffix: str, workgroup: str) -> list[dict]:
    actions = START_SYNC if suffix == ".sync" else START_RR
    return [stmt(actions, [f"{ATHENA}:workgroup/{workgroup}", CATALOGS]), S3, GLUE, LAKE]


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_static_workgroup(suffix: str) -> None:
    r = run(task(START + suffix, {**QUERY, "WorkGroup": "analytics"}))
    assert_policy(r, *start_policy(suffix, "analytics"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_without_workgroup_runs_in_primary(suffix: str) -> None:
    r = run(task(START + suffix, QUERY))
    assert_policy(r, *start_policy(suffix, "primary"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_dynamic_workgroup(suffix: str) -> None:
    r = run(task(START + suffix, {**QUERY, "WorkGroup.$": "$.wg"}))
    assert_policy(r, *start_policy(suffix, "*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.WorkGroup.$"


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_jsonata(suffix: str) -> None:
    static = run(task(START + suffix, {**QUERY, "WorkGroup": "analytics"}, jsonata=True))
    assert_policy(static, *start_policy(suffix, "analytics"))
    assert static.warnings == []
    dynamic = run(task(START + suffix, {**QUERY, "WorkGroup": "{% $states.input.wg %}"},
                       jsonata=True))
    assert_policy(dynamic, *start_policy(suffix, "*"))
    assert codes(dynamic) == ["dynamic-resource"]
    assert dynamic.warnings[0].parameter == "Arguments.WorkGroup"


def test_start_sync_and_rr_share_statements() -> None:
    r = run(task(START, {**QUERY, "WorkGroup": "a"}), task(START + ".sync", {**QUERY, "WorkGroup": "b"}))
    assert_policy(
        r,
        stmt(START_RR, [f"{ATHENA}:workgroup/a", f"{ATHENA}:workgroup/b", CATALOGS]),
        stmt(START_SYNC[2:], [f"{ATHENA}:workgroup/b", CATALOGS]),
        S3, GLUE, LAKE,
    )


def test_partition_and_unknown_env() -> None:
    r = run(task(START, {**QUERY, "WorkGroup": "wg"}), region=None, account=None)
    assert_policy(
        r,
        stmt(START_RR, ["arn:aws:athena:*:*:workgroup/wg", "arn:aws:athena:*:*:datacatalog/*"]),
        S3,
        stmt(GLUE["Action"], ["arn:aws:glue:*:*:catalog", "arn:aws:glue:*:*:database/*",
                              "arn:aws:glue:*:*:table/*", "arn:aws:glue:*:*:userDefinedFunction/*"]),
        LAKE,
    )
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_china_partition() -> None:
    r = run(task("arn:aws-cn:states:::athena:getQueryResults", {"QueryExecutionId": "q"}),
            region="cn-north-1")
    assert_policy(
        r,
        stmt("athena:GetQueryResults", f"arn:aws-cn:athena:cn-north-1:{ACCOUNT}:workgroup/*"),
        stmt("s3:GetObject", "arn:aws-cn:s3:::*"),
    )


def test_malformed_workgroup() -> None:
    r = run(task(START, {**QUERY, "WorkGroup": "not a workgroup!"}))
    assert "malformed-value" in codes(r)
    assert_policy(r, *start_policy("", "*"))


@pytest.mark.parametrize("jsonata", [False, True])
@pytest.mark.parametrize(
    ("api", "expected"),
    [
        ("stopQueryExecution", [stmt("athena:StopQueryExecution", ANY_WG)]),
        ("getQueryExecution", [stmt("athena:GetQueryExecution", ANY_WG)]),
        ("getQueryResults", [stmt("athena:GetQueryResults", ANY_WG),
                             stmt("s3:GetObject", "arn:aws:s3:::*")]),
    ],
)
@pytest.mark.parametrize("query_id", ["static", "dynamic"])
def test_query_id_apis(api: str, expected: list[dict], query_id: str, jsonata: bool) -> None:
    # The query execution id does not name a resource: static and dynamic ids authorise alike.
    if query_id == "static":
        params = {"QueryExecutionId": "a1b2c3"}
    elif jsonata:
        params = {"QueryExecutionId": "{% $states.input.id %}"}
    else:
        params = {"QueryExecutionId.$": "$.id"}
    r = run(task(BASE + api, params, jsonata=jsonata))
    assert_policy(r, *expected)
    assert r.warnings == []


@pytest.mark.parametrize(
    "resource",
    [
        START + ".waitForTaskToken",
        BASE + "stopQueryExecution.sync",
        BASE + "getQueryExecution.waitForTaskToken",
        BASE + "getQueryResults.sync",
    ],
)
def test_unsupported_patterns(resource: str) -> None:
    params = {**QUERY, "QueryExecutionId": "q"}
    r = run(task(resource, params))
    assert codes(r)[0] == "unsupported-pattern"
    # Never more than request-response: no .sync polling for a pattern that does not exist.
    rr = run(task(resource.rsplit(".", 1)[0], params))
    assert atoms(r.document["Statement"]) <= atoms(rr.document["Statement"])
