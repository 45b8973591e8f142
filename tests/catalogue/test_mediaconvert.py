"""AWS Elemental MediaConvert rules pinned to the IAM template of connect-mediaconvert.html
(CURRENT-DOCS §3.10), with iam:PassRole scoped to the job's Role (the template has "*")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

ARN = "arn:aws:states:::mediaconvert:createJob"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/MediaConvertRole"
PASS = {"StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}}
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForMediaConvertJobRule"
JOB = {
    "Role": ROLE,
    "Settings": {
        "Inputs": [{"FileInput": "s3://input-bucket/clip.mp4"}],
        "OutputGroups": [{"OutputGroupSettings": {
            "Type": "FILE_GROUP_SETTINGS",
            "FileGroupSettings": {"Destination": "s3://output-bucket/out/"}}}],
    },
}


JOBS = f"arn:aws:mediaconvert:{REGION}:{ACCOUNT}:jobs/*"


def policy(suffix: str, role: str = ROLE) -> list[dict[str, Any]]:
    """CreateJob on "*"; .sync GetJob / CancelJob on jobs/* (SAR ``Job``; the template: "*")."""
    out = [stmt("iam:PassRole", role, PASS), stmt("mediaconvert:CreateJob", "*")]
    if suffix:
        out += [stmt(["mediaconvert:GetJob", "mediaconvert:CancelJob"], JOBS),
                stmt(["events:PutTargets", "events:PutRule", "events:DescribeRule"], RULE)]
    return out


def test_sync_as_templates_is_star() -> None:
    r = run(task(ARN + ".sync", JOB), as_templates=True)
    assert_policy(
        r, stmt("iam:PassRole", ROLE, PASS),
        stmt(["mediaconvert:CreateJob", "mediaconvert:GetJob", "mediaconvert:CancelJob"], "*"),
        stmt(["events:PutTargets", "events:PutRule", "events:DescribeRule"], RULE))


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_create_job_static(suffix: str) -> None:
    r = run(task(ARN + suffix, JOB))
    assert_policy(r, *policy(suffix))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_create_job_dynamic_role(suffix: str) -> None:
    params = {"Role.$": "$.role", "Settings.$": "$.settings"}
    r = run(task(ARN + suffix, params))
    assert_policy(r, *policy(suffix, role=f"arn:aws:iam::{ACCOUNT}:role/*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.Role.$"


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_create_job_dynamic_settings_change_nothing(suffix: str) -> None:
    r = run(task(ARN + suffix, {"Role": ROLE, "Settings.$": "$.settings",
                                "JobTemplate.$": "$.template"}))
    assert_policy(r, *policy(suffix))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_create_job_jsonata(suffix: str) -> None:
    r = run(task(ARN + suffix, {**JOB, "Role": "{% $states.input.role %}"}, jsonata=True))
    assert_policy(r, *policy(suffix, role=f"arn:aws:iam::{ACCOUNT}:role/*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.Role"


def test_create_job_jsonata_static() -> None:
    r = run(task(ARN + ".sync", {**JOB, "Queue": "{% $states.input.queue %}"}, jsonata=True))
    assert_policy(r, *policy(".sync"))
    assert r.warnings == []


def test_role_name_and_other_account() -> None:
    r = run(task(ARN, {**JOB, "Role": "MediaConvertRole"}))
    assert_policy(r, *policy(""))
    other = "arn:aws:iam::111122223333:role/Transcoder"
    r = run(task(ARN, {**JOB, "Role": other}))
    assert_policy(r, *policy("", role=other))


def test_missing_role() -> None:
    r = run(task(ARN, {"Settings": JOB["Settings"]}))
    assert_policy(r, stmt("mediaconvert:CreateJob", "*"))
    assert codes(r) == ["missing-parameter"]
    assert r.warnings[0].parameter == "Parameters.Role"


def test_role_not_iam_is_malformed() -> None:
    r = run(task(ARN, {**JOB, "Role": "arn:aws:s3:::bucket"}))
    assert codes(r)[0] == "malformed-value"


def test_unknown_region() -> None:
    r = run(task(ARN + ".sync", JOB), region=None)
    assert_policy(
        r,
        stmt("iam:PassRole", ROLE, PASS),
        stmt("mediaconvert:CreateJob", "*"),
        stmt(["mediaconvert:GetJob", "mediaconvert:CancelJob"],
             f"arn:aws:mediaconvert:*:{ACCOUNT}:jobs/*"),
        stmt(["events:PutTargets", "events:PutRule", "events:DescribeRule"],
             f"arn:aws:events:*:{ACCOUNT}:rule/StepFunctionsGetEventsForMediaConvertJobRule"),
    )
    assert codes(r) == ["unknown-region"]


def test_no_tag_resource() -> None:
    # Deliberately no mediaconvert:TagResource (see the module's comment).
    r = run(task(ARN + ".sync", JOB))
    assert "tagresource" not in str(r.document).lower()


def test_wait_for_task_token_is_unsupported() -> None:
    r = run(task(ARN + ".waitForTaskToken", JOB))
    assert codes(r) == ["unsupported-pattern"]
    assert r.document == run(task(ARN, JOB)).document
