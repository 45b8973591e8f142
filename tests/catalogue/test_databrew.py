"""DataBrew rules pinned to databrew-iam.md: startJobRun on job/* (request-response, .sync)."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

START = "arn:aws:states:::databrew:startJobRun"
JOBS = f"arn:aws:databrew:{REGION}:{ACCOUNT}:job/*"
EXPECTED = {
    "": [stmt("databrew:StartJobRun", JOBS)],
    ".sync": [stmt(["databrew:StartJobRun", "databrew:ListJobRuns", "databrew:StopJobRun"], JOBS)],
}


@pytest.mark.parametrize("params", [{"Name": "clean-orders"}, {"Name.$": "$.job"}],
                         ids=["static", "dynamic"])
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run(params: dict, suffix: str) -> None:
    r = run(task(START + suffix, params))
    # job/* for a static name too, as the template does.
    assert_policy(r, *EXPECTED[suffix])
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_jsonata(suffix: str) -> None:
    r = run(task(START + suffix, {"Name": "{% $states.input.job %}"}, jsonata=True))
    assert_policy(r, *EXPECTED[suffix])
    assert r.warnings == []


def test_actions_are_written_in_iam_case() -> None:
    r = run(task(START + ".sync", {"Name": "j"}))
    assert sorted(r.document["Statement"][0]["Action"]) == [
        "databrew:ListJobRuns", "databrew:StartJobRun", "databrew:StopJobRun"]


def test_partition_region_account() -> None:
    r = run(task(START, {"Name": "j"}), region="cn-north-1", account="111122223333")
    assert_policy(r, stmt("databrew:StartJobRun", "arn:aws-cn:databrew:cn-north-1:111122223333:job/*"))
    r = run(task(START, {"Name": "j"}), region=None, account=None)
    assert_policy(r, stmt("databrew:StartJobRun", "arn:aws:databrew:*:*:job/*"))
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_unsupported_wait_for_task_token() -> None:
    r = run(task(START + ".waitForTaskToken", {"Name": "j"}))
    assert codes(r) == ["unsupported-pattern"]
    assert_policy(r, stmt("databrew:StartJobRun",
                          "arn:aws:databrew:us-east-1:123456789012:job/*"))
