"""Amazon EMR rules pinned to emr-iam.md (2023) with CURRENT-DOCS §3.5: request-response gets the
start action, ``.sync`` adds polling, cancel and the (kept) EventBridge managed rule."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

ARN = "arn:aws:states:::elasticmapreduce:"
CID = "j-2AXXXXXXGAPLF"
CLUSTER = f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/{CID}"
ANY_CLUSTER = "arn:aws:elasticmapreduce:*:*:cluster/*"
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role"


def rule(name: str) -> str:
    return f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}"


def passed(service: str) -> dict[str, Any]:
    return {"StringEquals": {"iam:PassedToService": service}}


STEP = {"Name": "s", "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", "x.py"]}}

# (api, suffix, extra parameters, actions on the cluster, managed rule for .sync, dynamic form)
CLUSTER_APIS = [
    ("addStep", "", {"Step": STEP}, ["elasticmapreduce:AddJobFlowSteps"], None, ANY_CLUSTER),
    ("addStep", ".sync", {"Step": STEP},
     ["elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:DescribeStep",
      "elasticmapreduce:CancelSteps"],
     "StepFunctionsGetEventForEMRAddJobFlowStepsRule", ANY_CLUSTER),
    ("terminateCluster", "", {}, ["elasticmapreduce:TerminateJobFlows"], None, ANY_CLUSTER),
    ("terminateCluster", ".sync", {},
     ["elasticmapreduce:TerminateJobFlows", "elasticmapreduce:DescribeCluster"],
     "StepFunctionsGetEventForEMRTerminateJobFlowsRule", ANY_CLUSTER),
    ("cancelStep", "", {"StepId": "s-1"}, ["elasticmapreduce:CancelSteps"], None, ANY_CLUSTER),
    ("setClusterTerminationProtection", "", {"TerminationProtected": True},
     ["elasticmapreduce:SetTerminationProtection"], None, ANY_CLUSTER),
    ("modifyInstanceFleetByName", "",
     {"InstanceFleetName": "core", "InstanceFleet": {"TargetOnDemandCapacity": 8}},
     ["elasticmapreduce:ModifyInstanceFleet", "elasticmapreduce:ListInstanceFleets"], None,
     ANY_CLUSTER),
    ("modifyInstanceGroupByName", "",
     {"InstanceGroupName": "core", "InstanceGroup": {"InstanceCount": 8}},
     ["elasticmapreduce:ModifyInstanceGroups", "elasticmapreduce:ListInstanceGroups"], None,
     ANY_CLUSTER),  # the template: "*"; the SAR: cluster* (issue 9)
]
IDS = [f"{a}{s}" for a, s, *_ in CLUSTER_APIS]


def expected(actions: list[str], resource: str, events: str | None) -> list[dict[str, Any]]:
    out = [stmt(actions, resource)]
    if events:
        out.append(stmt(EVENTS, rule(events)))
    return out


@pytest.mark.parametrize(("api", "suffix", "extra", "actions", "events", "dynamic"),
                         CLUSTER_APIS, ids=IDS)
def test_cluster_api_static(api: str, suffix: str, extra: dict[str, Any], actions: list[str],
                            events: str | None, dynamic: str) -> None:
    r = run(task(ARN + api + suffix, {"ClusterId": CID, **extra}))
    assert_policy(r, *expected(actions, CLUSTER, events))
    assert r.warnings == []


@pytest.mark.parametrize(("api", "suffix", "extra", "actions", "events", "dynamic"),
                         CLUSTER_APIS, ids=IDS)
def test_cluster_api_dynamic(api: str, suffix: str, extra: dict[str, Any], actions: list[str],
                             events: str | None, dynamic: str) -> None:
    r = run(task(ARN + api + suffix, {"ClusterId.$": "$.ClusterId", **extra}))
    assert_policy(r, *expected(actions, dynamic, events))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ClusterId.$"


@pytest.mark.parametrize(("api", "suffix", "extra", "actions", "events", "dynamic"),
                         CLUSTER_APIS, ids=IDS)
def test_cluster_api_jsonata(api: str, suffix: str, extra: dict[str, Any], actions: list[str],
                             events: str | None, dynamic: str) -> None:
    r = run(task(ARN + api + suffix, {"ClusterId": "{% $states.input.id %}", **extra},
                 jsonata=True))
    assert_policy(r, *expected(actions, dynamic, events))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.ClusterId"


def test_static_jsonata_cluster_id() -> None:
    r = run(task(ARN + "addStep.sync", {"ClusterId": CID, "Step": "{% $states.input.step %}"},
                 jsonata=True))
    assert_policy(r, *expected(CLUSTER_APIS[1][3], CLUSTER, CLUSTER_APIS[1][4]))
    assert r.warnings == []


def test_cluster_arn_keeps_its_region_and_account() -> None:
    other = f"arn:aws:elasticmapreduce:eu-west-1:111122223333:cluster/{CID}"
    r = run(task(ARN + "cancelStep", {"ClusterId": other, "StepId": "s-1"}))
    assert_policy(r, stmt("elasticmapreduce:CancelSteps", other))


def test_not_a_cluster_arn_is_malformed() -> None:
    r = run(task(ARN + "cancelStep",
                 {"ClusterId": f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:editor/e-1",
                  "StepId": "s-1"}))
    assert "malformed-value" in codes(r)
    assert_policy(r, stmt("elasticmapreduce:CancelSteps", ANY_CLUSTER))


def test_missing_cluster_id() -> None:
    r = run(task(ARN + "terminateCluster.sync", {}))
    assert "missing-parameter" in codes(r)
    # only the managed rule, which does not depend on the cluster
    assert_policy(r, stmt(EVENTS, rule("StepFunctionsGetEventForEMRTerminateJobFlowsRule")))


def test_placeholder_cluster_id() -> None:
    r = run(task(ARN + "terminateCluster", {"ClusterId": "${Cluster}"}),
            substitutions={"Cluster": CID})
    assert_policy(r, stmt("elasticmapreduce:TerminateJobFlows", CLUSTER))
    assert r.warnings == []


def test_unknown_region_and_account() -> None:
    r = run(task(ARN + "addStep.sync", {"ClusterId": CID, "Step": STEP}),
            region=None, account=None)
    assert_policy(
        r,
        stmt(["elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:DescribeStep",
              "elasticmapreduce:CancelSteps"], f"arn:aws:elasticmapreduce:*:*:cluster/{CID}"),
        stmt(EVENTS, "arn:aws:events:*:*:rule/StepFunctionsGetEventForEMRAddJobFlowStepsRule"),
    )
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


# ------------------------------------------------------------------ addStep runtime role


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_add_step_execution_role_static(suffix: str) -> None:
    r = run(task(ARN + "addStep" + suffix,
                 {"ClusterId": CID, "Step": STEP, "ExecutionRoleArn": f"{ROLE}/step-runtime"}))
    acts = ["elasticmapreduce:AddJobFlowSteps"]
    out = [stmt("iam:PassRole", f"{ROLE}/step-runtime")]
    if suffix:
        acts += ["elasticmapreduce:DescribeStep", "elasticmapreduce:CancelSteps"]
        out.append(stmt(EVENTS, rule("StepFunctionsGetEventForEMRAddJobFlowStepsRule")))
    assert_policy(r, stmt(acts, CLUSTER), *out)
    assert r.warnings == []


def test_add_step_execution_role_dynamic() -> None:
    r = run(task(ARN + "addStep",
                 {"ClusterId": CID, "Step": STEP, "ExecutionRoleArn.$": "$.role"}))
    assert_policy(r, stmt("elasticmapreduce:AddJobFlowSteps", CLUSTER),
                  stmt("iam:PassRole", f"{ROLE}/*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.ExecutionRoleArn.$"


# ------------------------------------------------------------------ createCluster

CREATE = {"Name": "c", "ReleaseLabel": "emr-6.15.0", "ServiceRole": "EMR_DefaultRole",
          "JobFlowRole": "EMR_EC2_DefaultRole",
          "Instances": {"KeepJobFlowAliveWhenNoSteps": True}}
PASS_STATIC = [
    stmt("iam:PassRole", f"{ROLE}/EMR_DefaultRole", passed("elasticmapreduce.amazonaws.com")),
    stmt("iam:PassRole", f"{ROLE}/EMR_EC2_DefaultRole", passed("ec2.amazonaws.com")),
]
SYNC_EXTRA = [
    # the template: "*"; the SAR: cluster* (the ID known only at run time; issue 9)
    stmt(["elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"],
         f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/*"),
    stmt(EVENTS, rule("StepFunctionsGetEventForEMRRunJobFlowRule")),
]


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_create_cluster_static(suffix: str) -> None:
    r = run(task(ARN + "createCluster" + suffix, CREATE))
    assert_policy(r, stmt("elasticmapreduce:RunJobFlow", "*"), *PASS_STATIC,
                  *(SYNC_EXTRA if suffix else []))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_create_cluster_dynamic_roles(suffix: str) -> None:
    params = {**CREATE, "ServiceRole.$": "$.svc", "JobFlowRole.$": "$.ec2"}
    del params["ServiceRole"], params["JobFlowRole"]
    r = run(task(ARN + "createCluster" + suffix, params))
    assert_policy(
        r,
        stmt("elasticmapreduce:RunJobFlow", "*"),
        stmt("iam:PassRole", f"{ROLE}/*", passed("elasticmapreduce.amazonaws.com")),
        stmt("iam:PassRole", f"{ROLE}/*", passed("ec2.amazonaws.com")),
        *(SYNC_EXTRA if suffix else []),
    )
    assert codes(r) == ["dynamic-resource", "dynamic-resource"]
    assert {w.parameter for w in r.warnings} == {"Parameters.ServiceRole.$",
                                                 "Parameters.JobFlowRole.$"}


def test_create_cluster_jsonata() -> None:
    params = {**CREATE, "JobFlowRole": "{% $states.input.profile %}"}
    r = run(task(ARN + "createCluster.sync", params, jsonata=True))
    assert_policy(
        r,
        stmt("elasticmapreduce:RunJobFlow", "*"),
        PASS_STATIC[0],
        stmt("iam:PassRole", f"{ROLE}/*", passed("ec2.amazonaws.com")),
        *SYNC_EXTRA,
    )
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.JobFlowRole"


def test_create_cluster_auto_scaling_role() -> None:
    r = run(task(ARN + "createCluster", {**CREATE, "AutoScalingRole": "EMR_AutoScaling_DefaultRole"}))
    assert_policy(
        r,
        stmt("elasticmapreduce:RunJobFlow", "*"),
        *PASS_STATIC,
        stmt("iam:PassRole", f"{ROLE}/EMR_AutoScaling_DefaultRole",
             passed("application-autoscaling.amazonaws.com")),
    )


def test_create_cluster_role_arns() -> None:
    params = {**CREATE,
              "ServiceRole": "arn:aws:iam::111122223333:role/service-role/EmrSvc",
              "JobFlowRole": "arn:aws:iam::111122223333:instance-profile/apps/EmrEc2"}
    r = run(task(ARN + "createCluster", params))
    assert_policy(
        r,
        stmt("elasticmapreduce:RunJobFlow", "*"),
        stmt("iam:PassRole", "arn:aws:iam::111122223333:role/service-role/EmrSvc",
             passed("elasticmapreduce.amazonaws.com")),
        stmt("iam:PassRole", "arn:aws:iam::111122223333:role/apps/EmrEc2",
             passed("ec2.amazonaws.com")),
    )
    assert r.warnings == []


def test_create_cluster_without_roles_runs_job_flow_only() -> None:
    r = run(task(ARN + "createCluster", {"Name": "c", "Instances": {}}))
    assert_policy(r, stmt("elasticmapreduce:RunJobFlow", "*"))


# ------------------------------------------------------------------ patterns


@pytest.mark.parametrize("resource", [
    "createCluster.waitForTaskToken",
    "terminateCluster.waitForTaskToken",
    "addStep.waitForTaskToken",
    "cancelStep.sync",
    "setClusterTerminationProtection.sync",
    "modifyInstanceFleetByName.sync",
    "modifyInstanceGroupByName.waitForTaskToken",
])
def test_unsupported_pattern(resource: str) -> None:
    r = run(task(ARN + resource, {"ClusterId": CID}))
    assert codes(r)[0] == "unsupported-pattern"
    # warned, and authorised like request-response (never the .sync extras)
    rr = run(task(ARN + resource.split(".", maxsplit=1)[0], {"ClusterId": CID}))
    assert r.document == rr.document


def test_unknown_api() -> None:
    r = run(task(ARN + "describeCluster", {"ClusterId": CID}))
    assert codes(r)[0] == "unknown-integration"


def test_as_templates_keeps_the_templates_stars() -> None:
    r = run(task(ARN + "modifyInstanceGroupByName",
                 {"ClusterId.$": "$.c", "InstanceGroupName": "core", "InstanceGroup": {}}),
            as_templates=True)
    assert_policy(r, stmt(["elasticmapreduce:ModifyInstanceGroups",
                           "elasticmapreduce:ListInstanceGroups"], "*"))
    r = run(task(ARN + "createCluster.sync", CREATE), as_templates=True)
    assert {"elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"} <= {
        a for s in r.document["Statement"] if s["Resource"] == ["*"] for a in s["Action"]}
