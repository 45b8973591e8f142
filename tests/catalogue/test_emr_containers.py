"""Amazon EMR on EKS rules pinned to emr-eks-iam.md (2023), with its known defect fixed: the
service-linked role is AWSServiceRoleForAmazonEMRContainers (no "An" prefix)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

ARN = "arn:aws:states:::emr-containers:"
VCID = "a1b2c3d4e5f6g7h8i9j0k1l2m"
VC = f"arn:aws:emr-containers:{REGION}:{ACCOUNT}:/virtualclusters/{VCID}"
ANY_VC = f"arn:aws:emr-containers:{REGION}:{ACCOUNT}:/virtualclusters/*"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/job-execution-role"
SLR = (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/emr-containers.amazonaws.com/"
       "AWSServiceRoleForAmazonEMRContainers")
JOB = {"Name": "job", "ReleaseLabel": "emr-6.2.0-latest",
       "JobDriver": {"SparkSubmitJobDriver": {"EntryPoint": "s3://b/jobs/trip-count.py"}}}


def role_condition(arn: str = EXEC_ROLE) -> dict[str, Any]:
    return {"StringEquals": {"emr-containers:ExecutionRoleArn": arn}}


# ------------------------------------------------------------------ createVirtualCluster

CREATE = {"Name": "vc", "ContainerProvider": {"Id": "eks-cluster", "Type": "EKS",
                                              "Info": {"EksInfo": {"Namespace": "spark"}}}}
CREATE_POLICY = [
    stmt("emr-containers:CreateVirtualCluster", "*"),
    stmt("iam:CreateServiceLinkedRole", SLR,
         {"StringLike": {"iam:AWSServiceName": "emr-containers.amazonaws.com"}}),
]


@pytest.mark.parametrize("jsonata", [False, True])
def test_create_virtual_cluster(jsonata: bool) -> None:
    params = {**CREATE, "Name": "{% $states.input.name %}"} if jsonata else CREATE
    r = run(task(ARN + "createVirtualCluster", params, jsonata=jsonata))
    assert_policy(r, *CREATE_POLICY)
    assert r.warnings == []


def test_create_virtual_cluster_dynamic_input_changes_nothing() -> None:
    params = {"Name.$": "$.name", "ContainerProvider.$": "$.provider"}
    r = run(task(ARN + "createVirtualCluster", params))
    assert_policy(r, *CREATE_POLICY)
    assert r.warnings == []


def test_create_virtual_cluster_partition_and_unknown_account() -> None:
    r = run(task("arn:aws-cn:states:::emr-containers:createVirtualCluster", CREATE),
            region="cn-north-1", account=None)
    assert_policy(
        r,
        stmt("emr-containers:CreateVirtualCluster", "*"),
        stmt("iam:CreateServiceLinkedRole",
             "arn:aws-cn:iam::*:role/aws-service-role/emr-containers.amazonaws.com/"
             "AWSServiceRoleForAmazonEMRContainers",
             {"StringLike": {"iam:AWSServiceName": "emr-containers.amazonaws.com"}}),
    )
    assert codes(r) == ["unknown-account"]


# ------------------------------------------------------------------ deleteVirtualCluster

DELETE_ACTIONS = {
    "": ["emr-containers:DeleteVirtualCluster"],
    ".sync": ["emr-containers:DeleteVirtualCluster", "emr-containers:DescribeVirtualCluster"],
}


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_delete_virtual_cluster_static(suffix: str) -> None:
    r = run(task(ARN + "deleteVirtualCluster" + suffix, {"Id": VCID}))
    assert_policy(r, stmt(DELETE_ACTIONS[suffix], VC))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_delete_virtual_cluster_dynamic(suffix: str) -> None:
    r = run(task(ARN + "deleteVirtualCluster" + suffix, {"Id.$": "$.VirtualClusterId"}))
    assert_policy(r, stmt(DELETE_ACTIONS[suffix], ANY_VC))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.Id.$"


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_delete_virtual_cluster_jsonata(suffix: str) -> None:
    r = run(task(ARN + "deleteVirtualCluster" + suffix, {"Id": "{% $vcId %}"}, jsonata=True))
    assert_policy(r, stmt(DELETE_ACTIONS[suffix], ANY_VC))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.Id"


def test_delete_virtual_cluster_by_arn() -> None:
    other = f"arn:aws:emr-containers:eu-west-1:111122223333:/virtualclusters/{VCID}"
    r = run(task(ARN + "deleteVirtualCluster.sync", {"Id": other}))
    assert_policy(r, stmt(DELETE_ACTIONS[".sync"], other))


def test_delete_virtual_cluster_missing_id() -> None:
    r = run(task(ARN + "deleteVirtualCluster", {"VirtualClusterId": VCID}))
    assert codes(r) == ["missing-parameter", "no-permissions"]


# ------------------------------------------------------------------ startJobRun


def start_policy(suffix: str, cluster: str, runs: str,
                 cond: dict[str, Any] | None) -> list[dict[str, Any]]:
    out = [stmt("emr-containers:StartJobRun", cluster, cond)]
    if suffix:
        out.append(stmt(["emr-containers:DescribeJobRun", "emr-containers:CancelJobRun"], runs))
    return out


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_static(suffix: str) -> None:
    r = run(task(ARN + "startJobRun" + suffix,
                 {**JOB, "VirtualClusterId": VCID, "ExecutionRoleArn": EXEC_ROLE}))
    # No iam:PassRole for the execution role (the template grants none).
    assert_policy(r, *start_policy(suffix, VC, VC + "/jobruns/*", role_condition()))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_dynamic_cluster(suffix: str) -> None:
    r = run(task(ARN + "startJobRun" + suffix,
                 {**JOB, "VirtualClusterId.$": "$.VirtualClusterId", "ExecutionRoleArn": EXEC_ROLE}))
    assert_policy(r, *start_policy(suffix, ANY_VC, ANY_VC, role_condition()))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Parameters.VirtualClusterId.$"}


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_dynamic_role_drops_condition(suffix: str) -> None:
    r = run(task(ARN + "startJobRun" + suffix,
                 {**JOB, "VirtualClusterId": VCID, "ExecutionRoleArn.$": "$.role"}))
    assert_policy(r, *start_policy(suffix, VC, VC + "/jobruns/*", None))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ExecutionRoleArn.$"
    assert "emr-containers:ExecutionRoleArn" in r.warnings[0].message


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_start_job_run_jsonata(suffix: str) -> None:
    r = run(task(ARN + "startJobRun" + suffix,
                 {**JOB, "VirtualClusterId": "{% $states.input.vc %}",
                  "ExecutionRoleArn": EXEC_ROLE}, jsonata=True))
    assert_policy(r, *start_policy(suffix, ANY_VC, ANY_VC, role_condition()))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Arguments.VirtualClusterId"}


def test_start_job_run_jsonata_static() -> None:
    r = run(task(ARN + "startJobRun.sync",
                 {**JOB, "VirtualClusterId": VCID, "ExecutionRoleArn": EXEC_ROLE,
                  "Name": "{% $states.input.name %}"}, jsonata=True))
    assert_policy(r, *start_policy(".sync", VC, VC + "/jobruns/*", role_condition()))
    assert r.warnings == []


def test_start_job_run_placeholder_role() -> None:
    r = run(task(ARN + "startJobRun", {**JOB, "VirtualClusterId": VCID,
                                        "ExecutionRoleArn": "${ExecRole}"}),
            substitutions={"ExecRole": EXEC_ROLE})
    assert_policy(r, *start_policy("", VC, "", role_condition()))
    assert r.warnings == []


def test_start_job_run_missing_role() -> None:
    r = run(task(ARN + "startJobRun", {**JOB, "VirtualClusterId": VCID}))
    assert_policy(r, *start_policy("", VC, "", None))
    assert codes(r) == ["missing-parameter"]


def test_two_roles_two_statements() -> None:
    other = f"arn:aws:iam::{ACCOUNT}:role/other"
    r = run(task(ARN + "startJobRun", {**JOB, "VirtualClusterId": VCID, "ExecutionRoleArn": EXEC_ROLE}),
            task(ARN + "startJobRun", {**JOB, "VirtualClusterId": VCID, "ExecutionRoleArn": other}))
    assert_policy(r, stmt("emr-containers:StartJobRun", VC, role_condition()),
                  stmt("emr-containers:StartJobRun", VC, role_condition(other)))


# ------------------------------------------------------------------ patterns


@pytest.mark.parametrize("resource", [
    "createVirtualCluster.sync",
    "createVirtualCluster.waitForTaskToken",
    "deleteVirtualCluster.waitForTaskToken",
    "startJobRun.waitForTaskToken",
])
def test_unsupported_pattern(resource: str) -> None:
    params = {**JOB, "VirtualClusterId": VCID, "Id": VCID, "ExecutionRoleArn": EXEC_ROLE}
    r = run(task(ARN + resource, params))
    assert codes(r)[0] == "unsupported-pattern"
    # warned, and authorised like request-response (never the .sync extras)
    assert r.document == run(task(ARN + resource.split(".", maxsplit=1)[0], params)).document


def test_start_job_run_role_name_is_malformed() -> None:
    r = run(task(ARN + "startJobRun", {**JOB, "VirtualClusterId": VCID,
                                        "ExecutionRoleArn": "job-execution-role"}))
    assert codes(r) == ["malformed-value"]
    # the condition holds the value as the request carries it
    assert_policy(r, stmt("emr-containers:StartJobRun", VC, role_condition("job-execution-role")))
