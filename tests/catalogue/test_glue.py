"""Glue rules pinned to glue-iam.md: startJobRun on "*" (request-response, .sync)."""

import pytest

from tests.util import assert_policy, codes, run, stmt, task

START = "arn:aws:states:::glue:startJobRun"
EXPECTED = {
    "": [stmt("glue:StartJobRun", "*")],
    ".sync": [stmt(["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns",
                    "glue:BatchStopJobRun"], "*")],
}


@pytest.mark.parametrize("params", [{"JobName": "etl"}, {"JobName.$": "$.job"}],
                         ids=["static", "dynamic"])
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run(params: dict, suffix: str) -> None:
    r = run(task(START + suffix, params))
    assert_policy(r, *EXPECTED[suffix])
    assert r.warnings == []  # "*" whatever the job: nothing to report


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_jsonata(suffix: str) -> None:
    r = run(task(START + suffix, {"JobName": "{% $states.input.job %}"}, jsonata=True))
    assert_policy(r, *EXPECTED[suffix])
    assert r.warnings == []


def test_no_events_rule_and_no_region_needed() -> None:
    r = run(task(START + ".sync", {"JobName": "etl"}), region=None, account=None)
    assert_policy(r, *EXPECTED[".sync"])
    assert r.warnings == []


def test_unsupported_wait_for_task_token() -> None:
    # The template's heading says "Request Response and Callback", but the integration
    # supports no callback (connect-glue.md, the optimized-integrations table).
    r = run(task(START + ".waitForTaskToken", {"JobName": "etl"}))
    # The callback is warned about and authorised like request-response, which is also
    # what the template's "Request Response and Callback" section grants.
    assert codes(r) == ["unsupported-pattern"]
    assert_policy(r, stmt("glue:StartJobRun", "*"))
