"""Glue rules: glue-iam.md grants startJobRun on "*"; the Service Authorization Reference gives
StartJobRun, GetJobRun, GetJobRuns and BatchStopJobRun the resource type ``job`` (required), so
sfn-iam scopes them to the job the Task names (issue 9, point 3); ``--as-templates`` prints "*"."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

START = "arn:aws:states:::glue:startJobRun"
SYNC_ACTIONS = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
JOB = f"arn:aws:glue:{REGION}:{ACCOUNT}:job"
TEMPLATE = {
    "": [stmt("glue:StartJobRun", "*")],
    ".sync": [stmt(SYNC_ACTIONS, "*")],
}


def expected(suffix: str, job: str) -> list[dict]:
    return [stmt(SYNC_ACTIONS if suffix else "glue:StartJobRun", job)]


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_static_job_is_scoped_to_the_job(suffix: str) -> None:
    r = run(task(START + suffix, {"JobName": "etl"}))
    assert_policy(r, *expected(suffix, f"{JOB}/etl"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_dynamic_job_is_every_job_with_a_warning(suffix: str) -> None:
    r = run(task(START + suffix, {"JobName.$": "$.job"}))
    assert_policy(r, *expected(suffix, f"{JOB}/*"))
    assert codes(r) == ["dynamic-resource"]  # once per state


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_jsonata(suffix: str) -> None:
    r = run(task(START + suffix, {"JobName": "{% $states.input.job %}"}, jsonata=True))
    assert_policy(r, *expected(suffix, f"{JOB}/*"))
    assert codes(r) == ["dynamic-resource"]


@pytest.mark.parametrize("params", [{"JobName": "etl"}, {"JobName.$": "$.job"}])
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_as_templates_is_the_template(params: dict, suffix: str) -> None:
    r = run(task(START + suffix, params), as_templates=True)
    assert_policy(r, *TEMPLATE[suffix])
    assert r.warnings == []  # "*" whatever the job: nothing to report


def test_job_name_is_a_literal() -> None:
    r = run(task(START, {"JobName": "nightly*"}))
    assert_policy(r, stmt("glue:StartJobRun", f"{JOB}/nightly${{*}}"))


def test_no_events_rule() -> None:
    r = run(task(START + ".sync", {"JobName": "etl"}), region=None, account=None)
    assert_policy(r, stmt(SYNC_ACTIONS, "arn:aws:glue:*:*:job/etl"))
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_missing_job_name() -> None:
    r = run(task(START, {}))
    assert codes(r) == ["missing-parameter", "no-permissions"]


def test_unsupported_wait_for_task_token() -> None:
    # The template's heading says "Request Response and Callback", but the integration
    # supports no callback (connect-glue.md, the optimized-integrations table).
    r = run(task(START + ".waitForTaskToken", {"JobName": "etl"}))
    assert codes(r) == ["unsupported-pattern"]
    assert_policy(r, stmt("glue:StartJobRun", f"{JOB}/etl"))
