"""EKS rules pinned to eks-iam.md (CreateCluster, CreateNodeGroup, DeleteCluster,
DeleteNodegroup, with the sample region/account/names built from the Task), and to the
decisions documented in sfn_iam/catalogue/eks.py where there is no template (request-response
subsets, Fargate profiles, runJob, call)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfn_iam import generate_policy
from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

S = "arn:aws:states:::eks:"
EKS = f"arn:aws:eks:{REGION}:{ACCOUNT}:"
ROLES = f"arn:aws:iam::{ACCOUNT}:role/*"
TO_EKS = {"StringEquals": {"iam:PassedToService": "eks.amazonaws.com"}}
SYNC = [".sync"]
RR = [""]
BOTH = ["", ".sync"]


def passrole(arn: str) -> dict[str, Any]:
    return stmt("iam:PassRole", arn, TO_EKS)


def warned(r: Any) -> list[tuple[str, str | None]]:
    return [(w.code, w.parameter) for w in r.warnings]


# ---------------------------------------------------------------------------- createCluster

CLUSTER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/MyEKSClusterRole"
CREATE_CLUSTER = {
    "Name": "MyCluster",
    "ResourcesVpcConfig": {"SubnetIds": ["subnet-053e7c47012341234"]},
    "RoleArn": CLUSTER_ROLE,
}


def create_cluster_policy(suffix: str, role_arn: str, name: str = "MyCluster",
                          as_templates: bool = False) -> list[dict[str, Any]]:
    out = [stmt("eks:CreateCluster", "*"), passrole(role_arn)]
    if suffix == ".sync":
        # the template: cluster/*; the SAR scopes both to the cluster (issue 9)
        cluster = "*" if as_templates else name
        out.append(stmt(["eks:DescribeCluster", "eks:DeleteCluster"], EKS + f"cluster/{cluster}"))
    return out


@pytest.mark.parametrize("suffix", BOTH)
def test_create_cluster_static(suffix: str) -> None:
    r = run(task(S + "createCluster" + suffix, CREATE_CLUSTER))
    assert_policy(r, *create_cluster_policy(suffix, CLUSTER_ROLE))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
def test_create_cluster_as_templates(suffix: str) -> None:
    r = run(task(S + "createCluster" + suffix, CREATE_CLUSTER), as_templates=True)
    assert_policy(r, *create_cluster_policy(suffix, CLUSTER_ROLE, as_templates=True))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
def test_create_cluster_dynamic(suffix: str) -> None:
    params = {"Name.$": "$.name", "RoleArn.$": "$.role", "ResourcesVpcConfig": {}}
    r = run(task(S + "createCluster" + suffix, params))
    # The role becomes every role; .sync polls every cluster.
    assert_policy(r, *create_cluster_policy(suffix, ROLES, "*"))
    name = [("dynamic-resource", "Parameters.Name.$")] if suffix else []
    assert warned(r) == [*name, ("dynamic-resource", "Parameters.RoleArn.$")]


def test_create_cluster_role_by_name_and_foreign_account() -> None:
    r = run(task(S + "createCluster", {**CREATE_CLUSTER, "RoleArn": "ClusterRole"}))
    assert_policy(r, *create_cluster_policy("", f"arn:aws:iam::{ACCOUNT}:role/ClusterRole"))
    other = "arn:aws:iam::111122223333:role/service-role/R"
    r = run(task(S + "createCluster", {**CREATE_CLUSTER, "RoleArn": other}))
    assert_policy(r, *create_cluster_policy("", other))


def test_create_cluster_jsonata() -> None:
    params = {
        "Name": "{% $states.input.name %}",
        "RoleArn": "{% $states.input.role %}",
        "ResourcesVpcConfig": {},
    }
    r = run(task(S + "createCluster.sync", params, jsonata=True))
    assert_policy(r, *create_cluster_policy(".sync", ROLES, "*"))
    assert warned(r) == [("dynamic-resource", "Arguments.Name"),
                         ("dynamic-resource", "Arguments.RoleArn")]


def test_create_cluster_without_role() -> None:
    r = run(task(S + "createCluster", {"Name": "c", "ResourcesVpcConfig": {}}))
    assert_policy(r, stmt("eks:CreateCluster", "*"))
    assert codes(r) == ["missing-parameter"]


# ------------------------------------------------------------------------- createNodegroup

NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/MyNodeInstanceRole"
CREATE_NODEGROUP = {
    "ClusterName": "MyCluster",
    "NodegroupName": "MyNodegroup",
    "NodeRole": NODE_ROLE,
    "Subnets": ["subnet-09fb51df01234", "subnet-027cfea4b1234"],
}


def create_nodegroup_policy(suffix: str, role_arn: str, cluster: str = "MyCluster",
                            nodegroup: str = "MyNodegroup/*") -> list[dict[str, Any]]:
    """The template's CreateNodegroup policy, scoped where the SAR allows (issue 9): the
    cluster, the node group the Task creates, the node role EKS reads."""
    out = [
        stmt("ec2:DescribeSubnets", "*"),
        stmt("eks:CreateNodegroup", EKS + f"cluster/{cluster}"),
        # Checked by EKS during CreateNodegroup itself: request-response needs them too.
        stmt(["iam:GetRole", "iam:ListAttachedRolePolicies"], role_arn),
        passrole(role_arn),
    ]
    if suffix == ".sync":
        where = "*" if cluster == "*" else f"{cluster}/{nodegroup}"
        out.append(stmt(["eks:DescribeNodegroup", "eks:DeleteNodegroup"],
                        EKS + f"nodegroup/{where}"))
    return out


@pytest.mark.parametrize("suffix", BOTH)
def test_create_nodegroup_static(suffix: str) -> None:
    r = run(task(S + "createNodegroup" + suffix, CREATE_NODEGROUP))
    assert_policy(r, *create_nodegroup_policy(suffix, NODE_ROLE))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
def test_create_nodegroup_as_templates(suffix: str) -> None:
    r = run(task(S + "createNodegroup" + suffix, CREATE_NODEGROUP), as_templates=True)
    out = [stmt(["ec2:DescribeSubnets", "eks:CreateNodegroup"], "*"),
           stmt(["iam:GetRole", "iam:ListAttachedRolePolicies"], ROLES), passrole(NODE_ROLE)]
    if suffix:
        out.append(stmt(["eks:DescribeNodegroup", "eks:DeleteNodegroup"], EKS + "nodegroup/*"))
    assert_policy(r, *out)
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
def test_create_nodegroup_dynamic(suffix: str) -> None:
    params = {
        "ClusterName.$": "$.c",
        "NodegroupName.$": "$.n",
        "NodeRole.$": "$.role",
        "Subnets.$": "$.subnets",
    }
    r = run(task(S + "createNodegroup" + suffix, params))
    assert_policy(r, *create_nodegroup_policy(suffix, ROLES, "*"))
    assert {w.parameter for w in r.warnings} == {
        "Parameters.ClusterName.$", "Parameters.NodeRole.$",
        *(["Parameters.NodegroupName.$"] if suffix else [])}
    assert set(codes(r)) == {"dynamic-resource"}


def test_create_nodegroup_jsonata() -> None:
    params = {**CREATE_NODEGROUP, "NodeRole": "{% $states.input.role %}"}
    r = run(task(S + "createNodegroup", params, jsonata=True))
    assert_policy(r, *create_nodegroup_policy("", ROLES))
    assert {w.parameter for w in r.warnings} == {"Arguments.NodeRole"}


def test_create_nodegroup_without_node_role() -> None:
    params = {k: v for k, v in CREATE_NODEGROUP.items() if k != "NodeRole"}
    r = run(task(S + "createNodegroup", params))
    assert "missing-parameter" in codes(r)
    assert not any("iam:passrole" in json.dumps(s).lower() for s in r.document["Statement"])


# --------------------------------------------------------------------------- deleteCluster


@pytest.mark.parametrize("suffix", BOTH)
def test_delete_cluster_static(suffix: str) -> None:
    r = run(task(S + "deleteCluster" + suffix, {"Name": "ExampleCluster"}))
    actions = ["eks:DeleteCluster"] + (["eks:DescribeCluster"] if suffix else [])
    assert_policy(r, stmt(actions, EKS + "cluster/ExampleCluster"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
def test_delete_cluster_dynamic(suffix: str) -> None:
    r = run(task(S + "deleteCluster" + suffix, {"Name.$": "$.cluster"}))
    actions = ["eks:DeleteCluster"] + (["eks:DescribeCluster"] if suffix else [])
    assert_policy(r, stmt(actions, EKS + "cluster/*"))
    assert warned(r) == [("dynamic-resource", "Parameters.Name.$")]


def test_delete_cluster_jsonata() -> None:
    r = run(task(S + "deleteCluster.sync", {"Name": "{% $states.input.c %}"}, jsonata=True))
    assert_policy(r, stmt(["eks:DeleteCluster", "eks:DescribeCluster"], EKS + "cluster/*"))
    assert warned(r) == [("dynamic-resource", "Arguments.Name")]


def test_delete_cluster_missing_name() -> None:
    r = run(task(S + "deleteCluster", {}))
    assert codes(r)[0] == "missing-parameter"
    assert r.document["Statement"] == []


def test_delete_cluster_arn_is_not_a_name() -> None:
    r = run(task(S + "deleteCluster", {"Name": f"{EKS}cluster/c"}))
    assert_policy(r, stmt("eks:DeleteCluster", EKS + "cluster/*"))
    assert "malformed-value" in codes(r)


def test_delete_cluster_placeholder() -> None:
    r = run(task(S + "deleteCluster", {"Name": "${Cluster}"}), substitutions={"Cluster": "prod"})
    assert_policy(r, stmt("eks:DeleteCluster", EKS + "cluster/prod"))
    assert r.warnings == []


def test_unknown_region_and_account() -> None:
    r = run(task(S + "deleteCluster", {"Name": "c"}), region=None, account=None)
    assert_policy(r, stmt("eks:DeleteCluster", "arn:aws:eks:*:*:cluster/c"))
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_partition_follows_the_resource() -> None:
    d = {"StartAt": "A", "States": {"A": task("arn:aws-cn:states:::eks:deleteCluster", {"Name": "c"})}}
    r = generate_policy(d, region="cn-north-1", account=ACCOUNT)
    assert_policy(r, stmt("eks:DeleteCluster", f"arn:aws-cn:eks:cn-north-1:{ACCOUNT}:cluster/c"))


# ------------------------------------------------------------------------- deleteNodegroup


def ng(suffix: str, resource: str) -> dict[str, Any]:
    actions = ["eks:DeleteNodegroup"] + (["eks:DescribeNodegroup"] if suffix else [])
    return stmt(actions, EKS + "nodegroup/" + resource)


@pytest.mark.parametrize("suffix", BOTH)
def test_delete_nodegroup_static(suffix: str) -> None:
    params = {"ClusterName": "ExampleCluster", "NodegroupName": "ExampleNodegroup"}
    r = run(task(S + "deleteNodegroup" + suffix, params))
    assert_policy(r, ng(suffix, "ExampleCluster/ExampleNodegroup/*"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
@pytest.mark.parametrize(
    ("params", "resource", "where"),
    [
        ({"ClusterName": "C", "NodegroupName.$": "$.ng"}, "C/*", ["Parameters.NodegroupName.$"]),
        ({"ClusterName.$": "$.c", "NodegroupName": "N"}, "*", ["Parameters.ClusterName.$"]),
        (
            {"ClusterName.$": "$.c", "NodegroupName.$": "$.ng"},
            "*",
            ["Parameters.ClusterName.$", "Parameters.NodegroupName.$"],
        ),
    ],
)
def test_delete_nodegroup_dynamic(
    suffix: str, params: dict[str, str], resource: str, where: list[str]
) -> None:
    r = run(task(S + "deleteNodegroup" + suffix, params))
    assert_policy(r, ng(suffix, resource))
    assert warned(r) == [("dynamic-resource", w) for w in where]


def test_delete_nodegroup_jsonata() -> None:
    params = {"ClusterName": "C", "NodegroupName": "{% $states.input.ng %}"}
    r = run(task(S + "deleteNodegroup.sync", params, jsonata=True))
    assert_policy(r, ng(".sync", "C/*"))
    assert warned(r) == [("dynamic-resource", "Arguments.NodegroupName")]


def test_delete_nodegroup_missing_cluster() -> None:
    r = run(task(S + "deleteNodegroup", {"NodegroupName": "N"}))
    assert warned(r)[0] == ("missing-parameter", "Parameters.ClusterName")
    assert r.document["Statement"] == []


# --------------------------------------------------------------------- createFargateProfile

POD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/MyFargatePodExecutionRole"
CREATE_PROFILE = {
    "ClusterName": "MyCluster",
    "FargateProfileName": "MyFargateProfile",
    "PodExecutionRoleArn": POD_ROLE,
    "Selectors": [{"Namespace": "my-namespace", "Labels": {"my-label": "my-value"}}],
}


def create_profile_policy(suffix: str, cluster: str, profile: str, role_arn: str) -> list[dict[str, Any]]:
    out = [stmt("eks:CreateFargateProfile", EKS + "cluster/" + cluster), passrole(role_arn)]
    if suffix == ".sync":
        out.append(
            stmt(
                ["eks:DescribeFargateProfile", "eks:DeleteFargateProfile"], EKS + "fargateprofile/" + profile
            )
        )
    return out


@pytest.mark.parametrize("suffix", BOTH)
def test_create_fargate_profile_static(suffix: str) -> None:
    r = run(task(S + "createFargateProfile" + suffix, CREATE_PROFILE))
    assert_policy(r, *create_profile_policy(suffix, "MyCluster", "MyCluster/MyFargateProfile/*", POD_ROLE))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
def test_create_fargate_profile_dynamic(suffix: str) -> None:
    params = {
        "ClusterName.$": "$.c",
        "FargateProfileName.$": "$.p",
        "PodExecutionRoleArn.$": "$.role",
        "Selectors": [],
    }
    r = run(task(S + "createFargateProfile" + suffix, params))
    assert_policy(r, *create_profile_policy(suffix, "*", "*", ROLES))
    assert set(warned(r)) == {
        ("dynamic-resource", "Parameters.ClusterName.$"),
        ("dynamic-resource", "Parameters.PodExecutionRoleArn.$"),
    } | ({("dynamic-resource", "Parameters.FargateProfileName.$")} if suffix else set())


def test_create_fargate_profile_dynamic_name_only() -> None:
    params = {**CREATE_PROFILE, "FargateProfileName": "{% $states.input.p %}"}
    r = run(task(S + "createFargateProfile.sync", params, jsonata=True))
    assert_policy(r, *create_profile_policy(".sync", "MyCluster", "MyCluster/*", POD_ROLE))
    assert warned(r) == [("dynamic-resource", "Arguments.FargateProfileName")]


# --------------------------------------------------------------------- deleteFargateProfile


def fp(suffix: str, resource: str) -> dict[str, Any]:
    actions = ["eks:DeleteFargateProfile"] + (["eks:DescribeFargateProfile"] if suffix else [])
    return stmt(actions, EKS + "fargateprofile/" + resource)


@pytest.mark.parametrize("suffix", BOTH)
def test_delete_fargate_profile_static(suffix: str) -> None:
    params = {"ClusterName": "MyCluster", "FargateProfileName": "MyFargateProfile"}
    r = run(task(S + "deleteFargateProfile" + suffix, params))
    assert_policy(r, fp(suffix, "MyCluster/MyFargateProfile/*"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", BOTH)
def test_delete_fargate_profile_dynamic(suffix: str) -> None:
    params = {"ClusterName": "MyCluster", "FargateProfileName.$": "$.p"}
    r = run(task(S + "deleteFargateProfile" + suffix, params))
    assert_policy(r, fp(suffix, "MyCluster/*"))
    assert warned(r) == [("dynamic-resource", "Parameters.FargateProfileName.$")]


def test_delete_fargate_profile_malformed_name() -> None:
    params = {"ClusterName": "MyCluster", "FargateProfileName": "a/b"}
    r = run(task(S + "deleteFargateProfile", params))
    assert_policy(r, fp("", "MyCluster/*"))
    assert "malformed-value" in codes(r)


# ------------------------------------------------------------------------- runJob and call

K8S = {
    "ClusterName": "MyCluster",
    "CertificateAuthority": "ANPAJ2UCCR6DPCEXAMPLE",
    "Endpoint": "https://AKIAIOSFODNN7EXAMPLE.yl4.us-east-1.eks.amazonaws.com",
}
JOB = {
    **K8S,
    "LogOptions": {"RetrieveLogs": True},
    "Job": {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "example-job"}},
}
CALL = {**K8S, "Method": "GET", "Path": "/api/v1/namespaces/default/pods"}


@pytest.mark.parametrize(
    ("api", "params", "suffix"),
    [
        ("runJob", JOB, ""),
        ("runJob", JOB, ".sync"),
        ("call", CALL, ""),
    ],
)
def test_kubernetes_static(api: str, params: dict[str, Any], suffix: str) -> None:
    r = run(task(S + api + suffix, params))
    # Same for every pattern: runJob.sync polls the Job through the Kubernetes API.
    assert_policy(r, stmt("eks:DescribeCluster", EKS + "cluster/MyCluster"))
    assert r.warnings == []


@pytest.mark.parametrize(
    ("api", "params", "suffix"),
    [
        ("runJob", JOB, ""),
        ("runJob", JOB, ".sync"),
        ("call", CALL, ""),
    ],
)
def test_kubernetes_dynamic(api: str, params: dict[str, Any], suffix: str) -> None:
    dyn = {k: v for k, v in params.items() if k != "ClusterName"} | {"ClusterName.$": "$.c"}
    r = run(task(S + api + suffix, dyn))
    assert_policy(r, stmt("eks:DescribeCluster", EKS + "cluster/*"))
    assert warned(r) == [("dynamic-resource", "Parameters.ClusterName.$")]


def test_kubernetes_jsonata() -> None:
    params = {**JOB, "ClusterName": "{% $states.input.cluster %}"}
    r = run(task(S + "runJob.sync", params, jsonata=True))
    assert_policy(r, stmt("eks:DescribeCluster", EKS + "cluster/*"))
    assert warned(r) == [("dynamic-resource", "Arguments.ClusterName")]


def test_kubernetes_missing_cluster() -> None:
    r = run(task(S + "call", {k: v for k, v in CALL.items() if k != "ClusterName"}))
    assert codes(r)[0] == "missing-parameter"
    assert r.document["Statement"] == []


# ------------------------------------------------------------------------ patterns, merging


def _unsupported_cases() -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    profile = {"ClusterName": "MyCluster", "FargateProfileName": "MyFargateProfile"}
    nodegroup = {"ClusterName": "MyCluster", "NodegroupName": "MyNodegroup"}
    k8s_rr = [stmt("eks:DescribeCluster", EKS + "cluster/MyCluster")]
    return [
        ("createCluster.waitForTaskToken", CREATE_CLUSTER, create_cluster_policy("", CLUSTER_ROLE)),
        ("deleteCluster.waitForTaskToken", {"Name": "C"}, [stmt("eks:DeleteCluster", EKS + "cluster/C")]),
        ("createNodegroup.waitForTaskToken", CREATE_NODEGROUP, create_nodegroup_policy("", NODE_ROLE)),
        ("deleteNodegroup.waitForTaskToken", nodegroup, [ng("", "MyCluster/MyNodegroup/*")]),
        (
            "createFargateProfile.waitForTaskToken",
            CREATE_PROFILE,
            create_profile_policy("", "MyCluster", "", POD_ROLE),
        ),
        ("deleteFargateProfile.waitForTaskToken", profile, [fp("", "MyCluster/MyFargateProfile/*")]),
        # connect-eks.md: no callback for runJob (the integrate-optimized table says otherwise).
        ("runJob.waitForTaskToken", JOB, k8s_rr),
        ("call.sync", CALL, k8s_rr),
        ("call.waitForTaskToken", CALL, k8s_rr),
    ]


@pytest.mark.parametrize(("resource", "params", "expected"), _unsupported_cases())
def test_unsupported_pattern_gets_request_response(
    resource: str, params: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    """The core reports the pattern and falls back to the request-response permissions."""
    r = run(task(S + resource, params))
    assert codes(r) == ["unsupported-pattern"]
    assert_policy(r, *expected)


def test_cluster_lifecycle_merges() -> None:
    """Create, use and delete a cluster: every grant on the one cluster merges."""
    r = run(
        task(S + "createCluster.sync", CREATE_CLUSTER),
        task(S + "call", CALL),
        task(S + "deleteCluster.sync", {"Name": "MyCluster"}),
    )
    assert_policy(
        r,
        stmt("eks:CreateCluster", "*"),
        passrole(CLUSTER_ROLE),
        stmt(["eks:DescribeCluster", "eks:DeleteCluster"], EKS + "cluster/MyCluster"),
    )


def test_bundled_example() -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "eks.asl.json"
    r = generate_policy(path.read_text(), region=REGION, account=ACCOUNT)
    assert r.warnings == []
    assert r.task_states == r.recognised == 9
    actions = {
        a.lower()
        for s in r.document["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {
        "eks:createcluster",
        "eks:createnodegroup",
        "eks:createfargateprofile",
        "eks:deletefargateprofile",
        "eks:deletenodegroup",
        "eks:deletecluster",
        "iam:passrole",
    } <= actions
