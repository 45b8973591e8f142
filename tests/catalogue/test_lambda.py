"""Lambda rules pinned to lambda-iam.md: the function ARN as called."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

INVOKE = "arn:aws:states:::lambda:invoke"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        ("my-fn", f"{FN}:my-fn"),
        ("my-fn:prod", f"{FN}:my-fn:prod"),
        ("my-fn:$LATEST", f"{FN}:my-fn:$LATEST"),
        ("111122223333:function:other", f"arn:aws:lambda:{REGION}:111122223333:function:other"),
        ("arn:aws:lambda:eu-west-1:111122223333:function:x:7",
         "arn:aws:lambda:eu-west-1:111122223333:function:x:7"),
    ],
)
@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
def test_function_name_forms(name: str, arn: str, suffix: str) -> None:
    r = run(task(INVOKE + suffix, {"FunctionName": name, "Payload.$": "$"}))
    assert_policy(r, stmt("lambda:InvokeFunction", arn))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
def test_dynamic_function(suffix: str) -> None:
    r = run(task(INVOKE + suffix, {"FunctionName.$": "$.fn"}))
    assert_policy(r, stmt("lambda:InvokeFunction", f"{FN}:*"))
    assert codes(r) == ["dynamic-resource"]


def test_two_functions_one_statement() -> None:
    r = run(task(INVOKE, {"FunctionName": "a"}), task(INVOKE, {"FunctionName": "b"}))
    assert r.document["Statement"] == [
        stmt(["lambda:InvokeFunction"], [f"{FN}:a", f"{FN}:b"])
    ]


def test_function_arn_as_resource() -> None:
    arn = "arn:aws:lambda:us-west-2:111122223333:function:direct"
    r = run(task(arn))
    assert_policy(r, stmt("lambda:InvokeFunction", arn))


def test_function_arn_as_resource_cannot_wait() -> None:
    r = run(task("arn:aws:lambda:us-west-2:111122223333:function:direct.waitForTaskToken"))
    assert "malformed-value" in codes(r) or "unknown-integration" in codes(r)


def test_dynamic_absorbs_static() -> None:
    r = run(task(INVOKE, {"FunctionName": "a"}), task(INVOKE, {"FunctionName.$": "$.f"}))
    assert r.document["Statement"] == [stmt(["lambda:InvokeFunction"], [f"{FN}:*"])]


def test_unknown_region_and_account_become_star() -> None:
    r = run(task(INVOKE, {"FunctionName": "a"}), region=None, account=None)
    assert_policy(r, stmt("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:a"))
    assert set(codes(r)) == {"unknown-region", "unknown-account"}
