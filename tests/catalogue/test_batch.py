"""Batch rules. batch-iam.md grants submitJob on "*"; the Service Authorization Reference lists
job-queue (required), job-definition / job-definition-revision and job (required) for
batch:SubmitJob, and the Batch user guide scopes it to "both job queue and job definition resource
types": sfn-iam grants it on the queue and definition the Task names and on job/* (issue 9,
point 3). TerminateJob: job/*; DescribeJobs: "*" (no resource type). ``--as-templates``: "*"."""

import pytest

from sfn_iam import generate_policy
from tests.iam_eval import is_allowed
from tests.util import ACCOUNT, REGION, assert_policy, codes, machine, run, stmt, task

SUBMIT = "arn:aws:states:::batch:submitJob"
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForBatchJobsRule"
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
BATCH = f"arn:aws:batch:{REGION}:{ACCOUNT}"
STATIC = {"JobName": "nightly", "JobQueue": "q",
          "JobDefinition": f"arn:aws:batch:{REGION}:{ACCOUNT}:job-definition/prep:1"}
DYNAMIC = {"JobName.$": "$.name", "JobQueue.$": "$.queue", "JobDefinition.$": "$.def"}
SUBMIT_STATIC = [f"{BATCH}:job-queue/q", f"{BATCH}:job-definition/prep",
                 f"{BATCH}:job-definition/prep:1", f"{BATCH}:job/*"]
SUBMIT_DYNAMIC = [f"{BATCH}:job-queue/*", f"{BATCH}:job-definition/*", f"{BATCH}:job/*"]
SYNC = [stmt("batch:TerminateJob", f"{BATCH}:job/*"), stmt("batch:DescribeJobs", "*"),
        stmt(EVENTS, RULE)]
TEMPLATE = {
    "": [stmt("batch:SubmitJob", "*")],
    ".sync": [stmt(["batch:SubmitJob", "batch:DescribeJobs", "batch:TerminateJob"], "*"),
              stmt(EVENTS, RULE)],
}


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_submit_job_static(suffix: str) -> None:
    r = run(task(SUBMIT + suffix, STATIC))
    assert_policy(r, stmt("batch:SubmitJob", SUBMIT_STATIC), *(SYNC if suffix else []))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_submit_job_dynamic(suffix: str) -> None:
    r = run(task(SUBMIT + suffix, DYNAMIC))
    assert_policy(r, stmt("batch:SubmitJob", SUBMIT_DYNAMIC), *(SYNC if suffix else []))
    assert codes(r) == ["dynamic-resource", "dynamic-resource"]  # the queue and the definition


@pytest.mark.parametrize("params", [STATIC, DYNAMIC], ids=["static", "dynamic"])
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_as_templates(params: dict, suffix: str) -> None:
    r = run(task(SUBMIT + suffix, params), as_templates=True)
    assert_policy(r, *TEMPLATE[suffix])
    assert r.warnings == []


@pytest.mark.parametrize(("definition", "resources"), [
    ("prep", ["job-definition/prep", "job-definition/prep:*"]),
    ("prep:7", ["job-definition/prep", "job-definition/prep:7"]),
    ("arn:aws:batch:eu-west-1:111122223333:job-definition/prep",
     ["job-definition/prep", "job-definition/prep:*"]),
])
def test_job_definition_forms(definition: str, resources: list[str]) -> None:
    r = run(task(SUBMIT, {**STATIC, "JobDefinition": definition}))
    base = "arn:aws:batch:eu-west-1:111122223333:" if definition.startswith("arn:") else BATCH + ":"
    assert_policy(r, stmt("batch:SubmitJob", [f"{BATCH}:job-queue/q", f"{BATCH}:job/*",
                                              *(base + x for x in resources)]))


def test_queue_arn_keeps_its_region_and_account() -> None:
    queue = "arn:aws:batch:eu-west-1:111122223333:job-queue/high"
    r = run(task(SUBMIT, {**STATIC, "JobQueue": queue}))
    assert queue in r.document["Statement"][0]["Resource"]


def test_the_call_is_allowed_and_other_queues_are_not() -> None:
    doc = generate_policy(machine(task(SUBMIT, STATIC)), region=REGION, account=ACCOUNT).document
    for resource in (f"{BATCH}:job-queue/q", f"{BATCH}:job-definition/prep:1",
                     f"{BATCH}:job/0b1d2c3e-4f50-6172-8394-a5b6c7d8e9f0"):
        assert is_allowed(doc, "batch:SubmitJob", resource, {})
    for resource in (f"{BATCH}:job-queue/other", f"{BATCH}:job-definition/prep:2",
                     f"{BATCH}:job-definition/other:1"):
        assert not is_allowed(doc, "batch:SubmitJob", resource, {})


@pytest.mark.parametrize("bad", [{"JobQueue": "arn:aws:sns:us-east-1:123456789012:job-queue/q"},
                                 {"JobDefinition": "not a definition"}])
def test_malformed_values(bad: dict) -> None:
    r = run(task(SUBMIT, {**STATIC, **bad}))
    assert "malformed-value" in codes(r)


def test_missing_queue_and_definition() -> None:
    r = run(task(SUBMIT, {"JobName": "j"}))
    assert codes(r) == ["missing-parameter", "missing-parameter"]
    assert_policy(r, stmt("batch:SubmitJob", f"{BATCH}:job/*"))


def test_unknown_region_and_account() -> None:
    r = run(task(SUBMIT + ".sync", STATIC), region=None, account=None)
    assert "arn:aws:batch:*:*:job-queue/q" in {
        res for st in r.document["Statement"] for res in st["Resource"]}
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_unsupported_wait_for_task_token() -> None:
    r = run(task(SUBMIT + ".waitForTaskToken", STATIC))
    assert codes(r) == ["unsupported-pattern"]
    # an unsupported pattern is warned about and authorised like request-response
    assert_policy(r, stmt("batch:SubmitJob", SUBMIT_STATIC))


def test_cli_as_templates(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from sfn_iam.cli import main

    f = tmp_path / "batch.json"
    f.write_text(json.dumps(machine(task(SUBMIT, STATIC))))
    args = ["generate", str(f), "--region", REGION, "--account", ACCOUNT]
    assert main(args) == 0
    tight = json.loads(capsys.readouterr().out)
    assert main([*args, "--as-templates"]) == 0
    template = json.loads(capsys.readouterr().out)
    assert template["Statement"] == [
        {"Effect": "Allow", "Action": ["batch:SubmitJob"], "Resource": ["*"]}]
    assert tight["Statement"][0]["Resource"] == sorted(SUBMIT_STATIC)
