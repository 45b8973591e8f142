"""DynamoDB rules pinned to dynamo-iam.md: the item action on table/NAME (static) or * (dynamic).
Deliberate difference: each API gets only its own action, not all four."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, atoms, codes, run, stmt, task

BASE = "arn:aws:states:::dynamodb:"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table"
APIS = [
    ("getItem", "dynamodb:GetItem"),
    ("putItem", "dynamodb:PutItem"),
    ("updateItem", "dynamodb:UpdateItem"),
    ("deleteItem", "dynamodb:DeleteItem"),
]
KEY = {"Key": {"pk": {"S": "1"}}}


@pytest.mark.parametrize(("api", "action"), APIS)
@pytest.mark.parametrize(
    ("table", "arn"),
    [
        ("Orders", f"{TABLE}/Orders"),
        ("my.table-2_x", f"{TABLE}/my.table-2_x"),
        ("arn:aws:dynamodb:eu-west-1:111122223333:table/Other",
         "arn:aws:dynamodb:eu-west-1:111122223333:table/Other"),
    ],
)
def test_static_table(api: str, action: str, table: str, arn: str) -> None:
    r = run(task(BASE + api, {"TableName": table, **KEY}))
    assert_policy(r, stmt(action, arn))
    assert r.warnings == []


@pytest.mark.parametrize(("api", "action"), APIS)
def test_dynamic_table(api: str, action: str) -> None:
    r = run(task(BASE + api, {"TableName.$": "$.table", **KEY}))
    assert_policy(r, stmt(action, "*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.TableName.$"


@pytest.mark.parametrize(("api", "action"), APIS)
def test_jsonata(api: str, action: str) -> None:
    static = run(task(BASE + api, {"TableName": "Orders", "Key": "{% $states.input.key %}"},
                      jsonata=True))
    assert_policy(static, stmt(action, f"{TABLE}/Orders"))
    assert static.warnings == []
    dynamic = run(task(BASE + api, {"TableName": "{% $states.input.t %}", **KEY}, jsonata=True))
    assert_policy(dynamic, stmt(action, "*"))
    assert codes(dynamic) == ["dynamic-resource"]
    assert dynamic.warnings[0].parameter == "Arguments.TableName"


def test_each_api_gets_only_its_own_action() -> None:
    r = run(task(BASE + "getItem", {"TableName": "T", **KEY}),
            task(BASE + "putItem", {"TableName": "T", **KEY}))
    assert r.document["Statement"] == [
        stmt(["dynamodb:GetItem", "dynamodb:PutItem"], [f"{TABLE}/T"])
    ]


def test_placeholder_table() -> None:
    r = run(task(BASE + "getItem", {"TableName": "${Table}", **KEY}),
            substitutions={"Table": "Orders-Prod"})
    assert_policy(r, stmt("dynamodb:GetItem", f"{TABLE}/Orders-Prod"))
    assert r.warnings == []


def test_unknown_region_and_account() -> None:
    r = run(task(BASE + "getItem", {"TableName": "T", **KEY}), region=None, account=None)
    assert_policy(r, stmt("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/T"))
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


@pytest.mark.parametrize(
    "bad",
    ["arn:aws:dynamodb:us-east-1:111122223333:table/T/index/byDate",
     "arn:aws:sqs:us-east-1:111122223333:T"],
)
def test_not_a_table_arn(bad: str) -> None:
    r = run(task(BASE + "getItem", {"TableName": bad, **KEY}))
    assert "malformed-value" in codes(r)


def test_missing_table() -> None:
    r = run(task(BASE + "putItem", {"Item": {}}))
    assert "missing-parameter" in codes(r)
    assert r.document["Statement"] == []


@pytest.mark.parametrize("api", [a for a, _ in APIS])
@pytest.mark.parametrize("suffix", [".sync", ".waitForTaskToken"])
def test_unsupported_patterns(api: str, suffix: str) -> None:
    r = run(task(BASE + api + suffix, {"TableName": "T", **KEY}))
    assert codes(r)[0] == "unsupported-pattern"
    # Never more than request-response.
    rr = run(task(BASE + api, {"TableName": "T", **KEY}))
    assert atoms(r.document["Statement"]) <= atoms(rr.document["Statement"])


def test_unknown_api() -> None:
    r = run(task(BASE + "query", {"TableName": "T"}))
    assert codes(r)[0] == "unknown-integration"
