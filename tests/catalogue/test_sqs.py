"""SQS rules pinned to sqs-iam.md: the queue URL becomes the queue ARN."""

import pytest

from tests.util import assert_policy, codes, run, stmt, task

SEND = "arn:aws:states:::sqs:sendMessage"


@pytest.mark.parametrize(
    ("url", "arn"),
    [
        ("https://sqs.us-east-2.amazonaws.com/111122223333/jobs",
         "arn:aws:sqs:us-east-2:111122223333:jobs"),
        ("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs.fifo",
         "arn:aws:sqs:eu-west-1:111122223333:jobs.fifo"),
        ("https://eu-west-1.queue.amazonaws.com/111122223333/legacy",
         "arn:aws:sqs:eu-west-1:111122223333:legacy"),
        ("https://queue.amazonaws.com/111122223333/oldest",
         "arn:aws:sqs:us-east-1:111122223333:oldest"),
        ("https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q",
         "arn:aws-cn:sqs:cn-north-1:111122223333:q"),
    ],
)
@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
def test_queue_url_to_arn(url: str, arn: str, suffix: str) -> None:
    r = run(task(SEND + suffix, {"QueueUrl": url, "MessageBody": "x"}))
    assert_policy(r, stmt("sqs:SendMessage", arn))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
def test_dynamic_queue(suffix: str) -> None:
    r = run(task(SEND + suffix, {"QueueUrl.$": "$.q", "MessageBody": "x"}))
    assert_policy(r, stmt("sqs:SendMessage", "*"))
    assert codes(r) == ["dynamic-resource"]


def test_placeholder_substituted() -> None:
    r = run(task(SEND, {"QueueUrl": "${Q}", "MessageBody": "x"}),
            substitutions={"Q": "https://sqs.us-east-1.amazonaws.com/111122223333/q"})
    assert_policy(r, stmt("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"))


def test_unresolved_placeholder_is_dynamic() -> None:
    r = run(task(SEND, {"QueueUrl": "${Q}", "MessageBody": "x"}))
    assert_policy(r, stmt("sqs:SendMessage", "*"))
    assert set(codes(r)) == {"dynamic-resource", "unresolved-placeholder"}


def test_not_a_url_is_flagged() -> None:
    r = run(task(SEND, {"QueueUrl": "jobs", "MessageBody": "x"}))
    assert "malformed-value" in codes(r)
