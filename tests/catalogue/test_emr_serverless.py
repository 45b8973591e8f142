"""Amazon EMR Serverless rules pinned to the IAM templates of connect-emr-serverless.html
(CURRENT-DOCS §3.8): every API, request-response and .sync, static and dynamic."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

ARN = "arn:aws:states:::emr-serverless:"
APP_ID = "00fabcdefgh12345"
RUN_ID = "00fjobrun0123456"
APP = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/{APP_ID}"
ANY_APP = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/*"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/emr-serverless-job-role"
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
APP_RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForEMRServerlessApplicationRule"
JOB_RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForEMRServerlessJobRule"
PASS = {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}
SLR = (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
       "AWSServiceRoleForAmazonEMRServerless*")
SLR_COND = {"StringLike": {"iam:AWSServiceName": "ops.emr-serverless.amazonaws.com"}}
DRIVER = {"SparkSubmit": {"EntryPoint": "s3://bucket/scripts/job.py"}}

# ------------------------------------------------------------------ createApplication

CREATE = {"Name": "MyApplication", "ReleaseLabel": "emr-6.9.0", "Type": "SPARK"}


def create_policy(suffix: str) -> list[dict[str, Any]]:
    out = [
        stmt("emr-serverless:CreateApplication", f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/*"),
        stmt("iam:CreateServiceLinkedRole", SLR, SLR_COND),
    ]
    if suffix:
        out += [stmt(["emr-serverless:GetApplication", "emr-serverless:DeleteApplication"],
                     ANY_APP),
                stmt(EVENTS, APP_RULE)]
    return out


@pytest.mark.parametrize("suffix", ["", ".sync"])
@pytest.mark.parametrize("params", [CREATE, {"Name.$": "$.name", "ReleaseLabel.$": "$.label",
                                             "Type": "SPARK"}], ids=["static", "dynamic"])
def test_create_application(suffix: str, params: dict[str, Any]) -> None:
    # "Static and dynamic resources for the following policies are the same."
    r = run(task(ARN + "createApplication" + suffix, params))
    assert_policy(r, *create_policy(suffix))
    assert r.warnings == []


def test_create_application_jsonata() -> None:
    r = run(task(ARN + "createApplication.sync", {**CREATE, "Name": "{% $states.input.name %}"},
                 jsonata=True))
    assert_policy(r, *create_policy(".sync"))
    assert r.warnings == []


def test_create_application_partition_and_unknown_env() -> None:
    r = run(task("arn:aws-cn:states:::emr-serverless:createApplication", CREATE),
            region=None, account=None)
    assert_policy(
        r,
        stmt("emr-serverless:CreateApplication", "arn:aws-cn:emr-serverless:*:*:/*"),
        stmt("iam:CreateServiceLinkedRole",
             "arn:aws-cn:iam::*:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
             "AWSServiceRoleForAmazonEMRServerless*", SLR_COND),
    )
    assert codes(r) == ["unknown-region", "unknown-account"]


# ------------------------------------------------------------------ start/stop/deleteApplication

APP_ACTIONS = {
    ("startApplication", ""): ["emr-serverless:StartApplication"],
    ("startApplication", ".sync"): ["emr-serverless:StartApplication",
                                    "emr-serverless:GetApplication",
                                    "emr-serverless:StopApplication"],
    ("stopApplication", ""): ["emr-serverless:StopApplication"],
    ("stopApplication", ".sync"): ["emr-serverless:StopApplication",
                                   "emr-serverless:GetApplication"],
    ("deleteApplication", ""): ["emr-serverless:DeleteApplication"],
    ("deleteApplication", ".sync"): ["emr-serverless:DeleteApplication",
                                     "emr-serverless:GetApplication"],
}
APP_CASES = list(APP_ACTIONS)


def app_policy(api: str, suffix: str, resource: str) -> list[dict[str, Any]]:
    out = [stmt(APP_ACTIONS[(api, suffix)], resource)]
    if suffix:
        out.append(stmt(EVENTS, APP_RULE))
    return out


@pytest.mark.parametrize(("api", "suffix"), APP_CASES)
def test_application_static(api: str, suffix: str) -> None:
    r = run(task(ARN + api + suffix, {"ApplicationId": APP_ID}))
    assert_policy(r, *app_policy(api, suffix, APP))
    assert r.warnings == []


@pytest.mark.parametrize(("api", "suffix"), APP_CASES)
def test_application_dynamic(api: str, suffix: str) -> None:
    r = run(task(ARN + api + suffix, {"ApplicationId.$": "$.ApplicationId"}))
    assert_policy(r, *app_policy(api, suffix, ANY_APP))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ApplicationId.$"


@pytest.mark.parametrize(("api", "suffix"), APP_CASES)
def test_application_jsonata(api: str, suffix: str) -> None:
    r = run(task(ARN + api + suffix, {"ApplicationId": "{% $states.input.appId %}"},
                 jsonata=True))
    assert_policy(r, *app_policy(api, suffix, ANY_APP))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.ApplicationId"


@pytest.mark.parametrize("api", ["startApplication", "stopApplication", "deleteApplication"])
def test_application_missing_id(api: str) -> None:
    r = run(task(ARN + api, {"Name": "x"}))
    assert codes(r) == ["missing-parameter", "no-permissions"]


@pytest.mark.parametrize("value", [APP, "My-App", ""])
def test_application_id_malformed(value: str) -> None:
    r = run(task(ARN + "startApplication", {"ApplicationId": value}))
    assert "malformed-value" in codes(r)
    assert_policy(r, stmt("emr-serverless:StartApplication", ANY_APP))


# ------------------------------------------------------------------ startJobRun

JOB = {"ApplicationId": APP_ID, "ExecutionRoleArn": EXEC_ROLE, "JobDriver": DRIVER}


def start_policy(suffix: str, app: str, runs: str,
                 role: str = EXEC_ROLE) -> list[dict[str, Any]]:
    out = [stmt("emr-serverless:StartJobRun", app), stmt("iam:PassRole", role, PASS)]
    if suffix:
        out += [stmt(["emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"], runs),
                stmt(EVENTS, JOB_RULE)]
    return out


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_static(suffix: str) -> None:
    r = run(task(ARN + "startJobRun" + suffix, JOB))
    assert_policy(r, *start_policy(suffix, APP, APP + "/jobruns/*"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_dynamic_application(suffix: str) -> None:
    params = {"ApplicationId.$": "$.appId", "ExecutionRoleArn": EXEC_ROLE, "JobDriver": DRIVER}
    r = run(task(ARN + "startJobRun" + suffix, params))
    # The template's dynamic .sync: StartJobRun, GetJobRun, CancelJobRun on /applications/*.
    assert_policy(r, *start_policy(suffix, ANY_APP, ANY_APP))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Parameters.ApplicationId.$"}


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_dynamic_role(suffix: str) -> None:
    params = {"ApplicationId": APP_ID, "ExecutionRoleArn.$": "$.role", "JobDriver": DRIVER}
    r = run(task(ARN + "startJobRun" + suffix, params))
    assert_policy(r, *start_policy(suffix, APP, APP + "/jobruns/*",
                                   role=f"arn:aws:iam::{ACCOUNT}:role/*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ExecutionRoleArn.$"


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_jsonata(suffix: str) -> None:
    r = run(task(ARN + "startJobRun" + suffix,
                 {**JOB, "ApplicationId": "{% $states.input.appId %}"}, jsonata=True))
    assert_policy(r, *start_policy(suffix, ANY_APP, ANY_APP))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Arguments.ApplicationId"}


def test_start_job_run_jsonata_static() -> None:
    r = run(task(ARN + "startJobRun.sync", {**JOB, "Name": "{% $states.input.name %}"},
                 jsonata=True))
    assert_policy(r, *start_policy(".sync", APP, APP + "/jobruns/*"))
    assert r.warnings == []


def test_start_job_run_role_name_and_missing_role() -> None:
    r = run(task(ARN + "startJobRun", {**JOB, "ExecutionRoleArn": "emr-serverless-job-role"}))
    assert_policy(r, *start_policy("", APP, ""))
    r = run(task(ARN + "startJobRun", {"ApplicationId": APP_ID, "JobDriver": DRIVER}))
    assert_policy(r, stmt("emr-serverless:StartJobRun", APP))
    assert codes(r) == ["missing-parameter"]
    assert r.warnings[0].parameter == "Parameters.ExecutionRoleArn"


def test_start_job_run_cross_account_role() -> None:
    other = "arn:aws:iam::111122223333:role/job"
    r = run(task(ARN + "startJobRun", {**JOB, "ExecutionRoleArn": other}))
    assert_policy(r, *start_policy("", APP, "", role=other))


# ------------------------------------------------------------------ cancelJobRun

CANCEL_ACTIONS = {"": ["emr-serverless:CancelJobRun"],
                  ".sync": ["emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"]}


def cancel_policy(suffix: str, resource: str) -> list[dict[str, Any]]:
    out = [stmt(CANCEL_ACTIONS[suffix], resource)]
    if suffix:
        out.append(stmt(EVENTS, JOB_RULE))
    return out


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_cancel_job_run_static(suffix: str) -> None:
    r = run(task(ARN + "cancelJobRun" + suffix, {"ApplicationId": APP_ID, "JobRunId": RUN_ID}))
    assert_policy(r, *cancel_policy(suffix, f"{APP}/jobruns/{RUN_ID}"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_cancel_job_run_dynamic(suffix: str) -> None:
    r = run(task(ARN + "cancelJobRun" + suffix,
                 {"ApplicationId.$": "$.appId", "JobRunId.$": "$.runId"}))
    assert_policy(r, *cancel_policy(suffix, ANY_APP))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ApplicationId.$"


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_cancel_job_run_dynamic_run_only(suffix: str) -> None:
    # Deliberately narrower than the template's dynamic form: the application is known.
    r = run(task(ARN + "cancelJobRun" + suffix, {"ApplicationId": APP_ID, "JobRunId.$": "$.run"}))
    assert_policy(r, *cancel_policy(suffix, f"{APP}/jobruns/*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.JobRunId.$"


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_cancel_job_run_jsonata(suffix: str) -> None:
    # The example Task state of connect-emr-serverless.html.
    r = run(task(ARN + "cancelJobRun" + suffix,
                 {"ApplicationId": "{% $states.input.ApplicationId %}",
                  "JobRunId": "{% $states.input.JobRunId %}"}, jsonata=True))
    assert_policy(r, *cancel_policy(suffix, ANY_APP))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.ApplicationId"


def test_cancel_job_run_missing_and_malformed_run() -> None:
    r = run(task(ARN + "cancelJobRun", {"ApplicationId": APP_ID}))
    assert codes(r) == ["missing-parameter", "no-permissions"]
    assert r.warnings[0].parameter == "Parameters.JobRunId"
    r = run(task(ARN + "cancelJobRun", {"ApplicationId": APP_ID, "JobRunId": "Run-1"}))
    assert codes(r)[0] == "malformed-value"
    assert_policy(r, stmt("emr-serverless:CancelJobRun", f"{APP}/jobruns/*"))


# ------------------------------------------------------------------ patterns


@pytest.mark.parametrize("api", ["createApplication", "startApplication", "stopApplication",
                                 "deleteApplication", "startJobRun", "cancelJobRun"])
def test_wait_for_task_token_is_unsupported(api: str) -> None:
    params = {**JOB, "JobRunId": RUN_ID, "Name": "x"}
    r = run(task(ARN + api + ".waitForTaskToken", params))
    assert codes(r)[0] == "unsupported-pattern"
    # warned, and authorised like request-response (never the .sync extras)
    assert r.document == run(task(ARN + api, params)).document
    assert "events:" not in str(r.document)
