"""SNS rules pinned to sns-iam.md."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

PUBLISH = "arn:aws:states:::sns:publish"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"


@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
def test_static_topic(suffix: str) -> None:
    r = run(task(PUBLISH + suffix, {"TopicArn": TOPIC, "Message": "hi"}))
    assert_policy(r, stmt("sns:Publish", TOPIC))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
def test_dynamic_topic_jsonpath(suffix: str) -> None:
    r = run(task(PUBLISH + suffix, {"TopicArn.$": "$.topic", "Message": "hi"}))
    assert_policy(r, stmt("sns:Publish", "*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.TopicArn.$"


def test_dynamic_topic_jsonata() -> None:
    r = run(task(PUBLISH, {"TopicArn": "{% $states.input.topic %}", "Message": "x"}, jsonata=True))
    assert_policy(r, stmt("sns:Publish", "*"))
    assert r.warnings[0].parameter == "Arguments.TopicArn"


def test_static_jsonata_literal_is_static() -> None:
    r = run(task(PUBLISH, {"TopicArn": TOPIC, "Message": "{% $states.input %}"}, jsonata=True))
    assert_policy(r, stmt("sns:Publish", TOPIC))


@pytest.mark.parametrize("field", ["TargetArn", "PhoneNumber"])
def test_target_or_phone_is_star(field: str) -> None:
    r = run(task(PUBLISH, {field: "+15555550100", "Message": "x"}))
    assert_policy(r, stmt("sns:Publish", "*"))


def test_topic_arn_keeps_its_own_region_and_account() -> None:
    other = "arn:aws:sns:eu-west-1:999988887777:t"
    r = run(task(PUBLISH, {"TopicArn": other, "Message": "x"}))
    assert_policy(r, stmt("sns:Publish", other))


def test_missing_topic_is_a_warning_and_no_grant() -> None:
    r = run(task(PUBLISH, {"Message": "x"}))
    assert "missing-parameter" in codes(r)
    assert r.document["Statement"] == []


def test_unsupported_sync_pattern() -> None:
    r = run(task(PUBLISH + ".sync", {"TopicArn": TOPIC}))
    assert codes(r)[0] == "unsupported-pattern"
