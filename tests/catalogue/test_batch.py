"""Batch rules pinned to batch-iam.md: submitJob on "*" (request-response, .sync)."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

SUBMIT = "arn:aws:states:::batch:submitJob"
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForBatchJobsRule"
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
STATIC = {"JobName": "nightly", "JobQueue": "q",
          "JobDefinition": f"arn:aws:batch:{REGION}:{ACCOUNT}:job-definition/prep:1"}
DYNAMIC = {"JobName.$": "$.name", "JobQueue.$": "$.queue", "JobDefinition.$": "$.def"}
EXPECTED = {
    "": [stmt("batch:SubmitJob", "*")],
    ".sync": [stmt(["batch:SubmitJob", "batch:DescribeJobs", "batch:TerminateJob"], "*"),
              stmt(EVENTS, RULE)],
}


@pytest.mark.parametrize("params", [STATIC, DYNAMIC], ids=["static", "dynamic"])
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_submit_job(params: dict, suffix: str) -> None:
    r = run(task(SUBMIT + suffix, params))
    assert_policy(r, *EXPECTED[suffix])
    # Everything is on "*" (or the fixed rule): a dynamic value forces no wildcard.
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_jsonata(suffix: str) -> None:
    r = run(task(SUBMIT + suffix, {"JobName": "{% $states.input.name %}", "JobQueue": "q",
                                   "JobDefinition": "prep"}, jsonata=True))
    assert_policy(r, *EXPECTED[suffix])
    assert r.warnings == []


def test_unknown_region_and_account_only_touch_the_rule() -> None:
    r = run(task(SUBMIT + ".sync", STATIC), region=None, account=None)
    assert_policy(
        r,
        stmt(["batch:SubmitJob", "batch:DescribeJobs", "batch:TerminateJob"], "*"),
        stmt(EVENTS, "arn:aws:events:*:*:rule/StepFunctionsGetEventsForBatchJobsRule"),
    )
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_request_response_needs_no_region() -> None:
    r = run(task(SUBMIT, STATIC), region=None, account=None)
    assert_policy(r, stmt("batch:SubmitJob", "*"))
    assert r.warnings == []


def test_unsupported_wait_for_task_token() -> None:
    r = run(task(SUBMIT + ".waitForTaskToken", STATIC))
    assert codes(r) == ["unsupported-pattern"]
    # an unsupported pattern is warned about and authorised like request-response
    assert_policy(r, stmt("batch:SubmitJob", "*"))
