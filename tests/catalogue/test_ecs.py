"""ECS rules pinned to ecs-iam.md (runTask: request-response, .sync, .waitForTaskToken), with
the listed defects fixed: whole ARNs, and the task definition revision (CURRENT-DOCS §3.3)."""

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

RUN = "arn:aws:states:::ecs:runTask"
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition"
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForECSTaskRule"
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role"
TO_ECS = {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
BOTH_ROLES = {"TaskRoleArn": f"{ROLE}/app", "ExecutionRoleArn": f"{ROLE}/exec"}
PASS = stmt("iam:PassRole", [f"{ROLE}/app", f"{ROLE}/exec"], TO_ECS)
SUFFIXES = ["", ".sync", ".waitForTaskToken"]


def sync_extra(suffix: str, cluster: str = "default") -> list[dict]:
    """.sync: StopTask / DescribeTasks on the cluster's tasks (SAR ``task``; the template: "*")."""
    if suffix != ".sync":
        return []
    return [stmt(["ecs:StopTask", "ecs:DescribeTasks"],
                 f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{cluster}/*"), stmt(EVENTS, RULE)]


@pytest.mark.parametrize(
    ("td", "arn"),
    [
        ("web", f"{TD}/web:*"),  # family only: its latest revision, unknown now
        ("web:7", f"{TD}/web:7"),
        (f"{TD}/web:7", f"{TD}/web:7"),
        ("arn:aws:ecs:eu-west-1:111122223333:task-definition/web",
         "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:*"),
        ("arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/web:2",
         "arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/web:2"),
    ],
)
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_static_task_definition(td: str, arn: str, suffix: str) -> None:
    r = run(task(RUN + suffix, {"Cluster": "c", "TaskDefinition": td, "Overrides": BOTH_ROLES}))
    assert_policy(r, stmt("ecs:RunTask", arn), PASS, *sync_extra(suffix, "c"))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_dynamic_task_definition_is_star(suffix: str) -> None:
    r = run(task(RUN + suffix, {"TaskDefinition.$": "$.td", "Overrides": BOTH_ROLES}))
    assert_policy(r, stmt("ecs:RunTask", "*"), PASS, *sync_extra(suffix))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.TaskDefinition.$"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_roles_inside_the_task_definition_are_a_finding(suffix: str) -> None:
    r = run(task(RUN + suffix, {"Cluster": "c", "TaskDefinition": "web:3"}))
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:3"), *sync_extra(suffix, "c"))
    assert codes(r) == ["unknown-passed-role"]
    assert "'web:3'" in r.warnings[0].message
    assert r.warnings[0].parameter == "Parameters.TaskDefinition"


def test_one_override_still_leaves_the_other_role_unknown() -> None:
    r = run(task(RUN, {"TaskDefinition": "web", "Overrides": {"TaskRoleArn": "app"}}))
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:*"),
                  stmt("iam:PassRole", f"{ROLE}/app", TO_ECS))
    assert codes(r) == ["unknown-passed-role"]


def test_dynamic_override_role() -> None:
    r = run(task(RUN, {"TaskDefinition": "web:1",
                       "Overrides": {"TaskRoleArn.$": "$.role", "ExecutionRoleArn": f"{ROLE}/exec"}}))
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:1"),
                  stmt("iam:PassRole", f"{ROLE}/*", TO_ECS))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.Overrides.TaskRoleArn.$"


def test_dynamic_overrides_object_grants_no_role_but_says_so() -> None:
    r = run(task(RUN + ".sync", {"TaskDefinition": "web:1", "Overrides.$": "$.overrides"}))
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:1"), *sync_extra(".sync"))
    assert codes(r) == ["unknown-passed-role"]
    assert "dynamic Overrides" in r.warnings[0].message


def test_finding_once_per_state() -> None:
    r = run(task(RUN, {"TaskDefinition": "a"}), task(RUN, {"TaskDefinition": "b"}))
    assert codes(r) == ["unknown-passed-role", "unknown-passed-role"]
    assert [w.state_path for w in r.warnings] == [("S0",), ("S1",)]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_jsonata(suffix: str) -> None:
    r = run(task(RUN + suffix, {"TaskDefinition": "{% $states.input.td %}",
                                "Overrides": {"TaskRoleArn": f"{ROLE}/app",
                                              "ExecutionRoleArn": "{% $exec %}"}},
                 jsonata=True))
    assert_policy(r, stmt("ecs:RunTask", "*"), stmt("iam:PassRole", f"{ROLE}/*", TO_ECS),
                  *sync_extra(suffix))
    assert codes(r) == ["dynamic-resource", "dynamic-resource"]
    assert {w.parameter for w in r.warnings} == {
        "Arguments.TaskDefinition", "Arguments.Overrides.ExecutionRoleArn"}


def test_jsonata_static_literal() -> None:
    r = run(task(RUN, {"TaskDefinition": "web:4", "Overrides": BOTH_ROLES}, jsonata=True))
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:4"), PASS)
    assert r.warnings == []


def test_unknown_region_and_account() -> None:
    r = run(task(RUN + ".sync", {"TaskDefinition": "web", "Overrides": BOTH_ROLES}),
            region=None, account=None)
    assert_policy(
        r,
        stmt("ecs:RunTask", "arn:aws:ecs:*:*:task-definition/web:*"),
        stmt(["ecs:StopTask", "ecs:DescribeTasks"], "arn:aws:ecs:*:*:task/default/*"),
        stmt(EVENTS, "arn:aws:events:*:*:rule/StepFunctionsGetEventsForECSTaskRule"),
        stmt("iam:PassRole", [f"{ROLE}/app", f"{ROLE}/exec"], TO_ECS),
    )
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


@pytest.mark.parametrize("td", ["web:latest", "arn:aws:ecs:us-east-1:123456789012:service/x", ""])
def test_malformed_task_definition(td: str) -> None:
    r = run(task(RUN, {"TaskDefinition": td, "Overrides": BOTH_ROLES}))
    assert_policy(r, stmt("ecs:RunTask", "*"), PASS)
    assert codes(r) == ["malformed-value", "dynamic-resource"]


def test_missing_task_definition() -> None:
    r = run(task(RUN, {"Cluster": "c"}))
    assert codes(r)[0] == "missing-parameter"
    assert r.document["Statement"] == []


def test_every_pattern_is_supported() -> None:
    # runTask supports all three patterns, so there is no unsupported-pattern case here.
    r = run(*(task(RUN + s, {"TaskDefinition": "web:1", "Overrides": BOTH_ROLES}) for s in SUFFIXES))
    assert r.recognised == 3
    assert r.warnings == []


def test_sync2_is_only_for_step_functions() -> None:
    r = run(task(RUN + ".sync:2", {"TaskDefinition": "web:1", "Overrides": BOTH_ROLES}))
    assert codes(r) == ["unsupported-pattern"]
    assert r.document == run(task(RUN, {"TaskDefinition": "web:1",
                                        "Overrides": BOTH_ROLES})).document


# ------------------------------------------ .sync tasks scoped to the cluster (issue 9, point 3)


def test_sync_tasks_of_a_cluster_arn() -> None:
    cluster = "arn:aws:ecs:eu-west-1:111122223333:cluster/batch"
    r = run(task(RUN + ".sync", {"Cluster": cluster, "TaskDefinition": "web:3",
                                 "Overrides": BOTH_ROLES}))
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:3"), PASS,
                  stmt(["ecs:StopTask", "ecs:DescribeTasks"],
                       "arn:aws:ecs:eu-west-1:111122223333:task/batch/*"), stmt(EVENTS, RULE))


def test_sync_tasks_of_a_dynamic_cluster() -> None:
    r = run(task(RUN + ".sync", {"Cluster.$": "$.cluster", "TaskDefinition": "web:3",
                                 "Overrides": BOTH_ROLES}))
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:3"), PASS,
                  stmt(["ecs:StopTask", "ecs:DescribeTasks"],
                       f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/*"), stmt(EVENTS, RULE))
    assert codes(r) == ["dynamic-resource"]


def test_sync_as_templates() -> None:
    r = run(task(RUN + ".sync", {"Cluster": "c", "TaskDefinition": "web:3",
                                 "Overrides": BOTH_ROLES}), as_templates=True)
    assert_policy(r, stmt("ecs:RunTask", f"{TD}/web:3"), PASS,
                  stmt(["ecs:StopTask", "ecs:DescribeTasks"], "*"), stmt(EVENTS, RULE))
