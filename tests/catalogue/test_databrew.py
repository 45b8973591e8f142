"""DataBrew rules: databrew-iam.md grants startJobRun on job/*; the Service Authorization
Reference gives StartJobRun, ListJobRuns and StopJobRun the resource type ``Job`` (required), so a
static Name is granted exactly (issue 9, point 3); ``--as-templates`` prints job/*."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

START = "arn:aws:states:::databrew:startJobRun"
JOB = f"arn:aws:databrew:{REGION}:{ACCOUNT}:job"
SYNC_ACTIONS = ["databrew:StartJobRun", "databrew:ListJobRuns", "databrew:StopJobRun"]


def expected(suffix: str, job: str) -> list[dict]:
    return [stmt(SYNC_ACTIONS if suffix else "databrew:StartJobRun", job)]


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_static_name_is_the_job(suffix: str) -> None:
    r = run(task(START + suffix, {"Name": "clean-orders"}))
    assert_policy(r, *expected(suffix, f"{JOB}/clean-orders"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_dynamic_name_is_every_job(suffix: str) -> None:
    r = run(task(START + suffix, {"Name.$": "$.job"}))
    assert_policy(r, *expected(suffix, f"{JOB}/*"))
    assert codes(r) == ["dynamic-resource"]


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_jsonata(suffix: str) -> None:
    r = run(task(START + suffix, {"Name": "{% $states.input.job %}"}, jsonata=True))
    assert_policy(r, *expected(suffix, f"{JOB}/*"))
    assert codes(r) == ["dynamic-resource"]


@pytest.mark.parametrize("params", [{"Name": "clean-orders"}, {"Name.$": "$.job"}])
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_as_templates_is_job_star(params: dict, suffix: str) -> None:
    r = run(task(START + suffix, params), as_templates=True)
    assert_policy(r, *expected(suffix, f"{JOB}/*"))
    assert r.warnings == []


def test_actions_are_written_in_iam_case() -> None:
    r = run(task(START + ".sync", {"Name": "j"}))
    assert sorted(r.document["Statement"][0]["Action"]) == [
        "databrew:ListJobRuns", "databrew:StartJobRun", "databrew:StopJobRun"]


def test_partition_region_account() -> None:
    r = run(task(START, {"Name": "j"}), region="cn-north-1", account="111122223333")
    assert_policy(r, stmt("databrew:StartJobRun", "arn:aws-cn:databrew:cn-north-1:111122223333:job/j"))
    r = run(task(START, {"Name": "j"}), region=None, account=None)
    assert_policy(r, stmt("databrew:StartJobRun", "arn:aws:databrew:*:*:job/j"))
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_unsupported_wait_for_task_token() -> None:
    r = run(task(START + ".waitForTaskToken", {"Name": "j"}))
    assert codes(r) == ["unsupported-pattern"]
    assert_policy(r, stmt("databrew:StartJobRun", f"{JOB}/j"))
