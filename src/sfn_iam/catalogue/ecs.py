"""Amazon ECS / AWS Fargate: ``ecs:runTask`` (request-response, ``.sync``,
``.waitForTaskToken``). Template: ecs-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html, now part of
connect-ecs.html), with the current static form from CURRENT-DOCS §3.3.

``TaskDefinition`` takes a family (``web``), a family and revision (``web:3``) or a full ARN
(``arn:aws:ecs:REGION:ACCOUNT:task-definition/web[:3]``). IAM authorises ``ecs:RunTask`` on
the ARN of the revision that runs, ``task-definition/FAMILY:REVISION``:

- ``FAMILY:REV`` and a full ARN with a revision are granted exactly;
- a bare family runs its latest ACTIVE revision, unknown now: ``task-definition/FAMILY:*``
  (the 2023 template's ``task-definition/FAMILY`` matches no revision: a listed defect);
- a dynamic task definition gets ``*``, as the template's dynamic form.

``.sync`` adds ``ecs:StopTask`` and ``ecs:DescribeTasks`` and the managed rule
``StepFunctionsGetEventsForECSTaskRule``. The template grants the two on ``*`` (the task ID is
known only at run time); the Service Authorization Reference gives both the resource type
``task`` (``task/CLUSTER_NAME/TASK_ID``, required), so they are granted on the tasks of the
cluster the Task runs in (``Cluster``, the ``default`` cluster when absent): ``task/CLUSTER/*``
(``--as-templates``: ``*``). The template's
ARNs are broken across lines (a listed defect); they are written whole here.

``iam:PassRole`` (to ``ecs-tasks.amazonaws.com``) is granted for ``Overrides.TaskRoleArn``
and ``Overrides.ExecutionRoleArn`` when given. The task and execution roles named inside
the task definition are passed too, but the definition cannot show them: that is an
``unknown-passed-role`` finding naming the task definition, and no grant.
"""

from __future__ import annotations

from sfn_iam.catalogue import LazyPattern, memo_value
from sfn_iam.params import DYNAMIC, STATIC
from sfn_iam.rules import (
    ALL,
    ONLY_SYNC,
    G,
    Res,
    Rule,
    escape,
    events_rule,
    g,
    param,
    passed_to,
    role,
    sar,
    star,
)
from sfn_iam.task import Task

DOC = "connect-ecs.html"
EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
TASK_DEF = "arn:{partition}:ecs:{region}:{account}:task-definition/{name}"
ROLE_KEYS = ("TaskRoleArn", "ExecutionRoleArn")

_FAMILY = r"[A-Za-z0-9_-]{1,255}"
_SHORT = LazyPattern(rf"^(?P<family>{_FAMILY})(?::(?P<rev>[0-9]+))?$")
_ARN = LazyPattern(
    rf"^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{{12}}:task-definition/(?P<family>{_FAMILY})(?::(?P<rev>[0-9]+))?$"
)


def _task_definition_arn(t: Task, text: str) -> str | None:
    m = _ARN.match(text)
    if m:
        # A full ARN keeps its own partition, region and account; without a revision it
        # runs the latest one: append ":*" (CURRENT-DOCS §3.3).
        # (The patterns admit no IAM wildcard; escaped all the same, before the ":*".)
        return escape(text) if m.group("rev") else escape(text) + ":*"
    m = _SHORT.match(text)
    if m:
        # Deliberately not the 2023 template's task-definition/FAMILY: IAM sees the
        # revision that runs, so FAMILY:REV exactly, or FAMILY:* for the latest.
        return t.fmt(TASK_DEF, name=escape(text) if m.group("rev") else escape(text) + ":*")
    return None


task_definition = param(
    "TaskDefinition", "", "*", convert=_task_definition_arn,
    expected="a task definition family, FAMILY:REVISION or task-definition ARN",
    prefix_arn=True,  # an ARN is used as written (":*" appended for the latest revision)
)


TASKS = "arn:{partition}:ecs:{region}:{account}:task/*"
_CLUSTER_NAME = LazyPattern(r"^[A-Za-z0-9_-]{1,255}$")
_CLUSTER_ARN = LazyPattern(r"^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9_-]{1,255}$")


def _cluster_tasks(t: Task, text: str) -> str | None:
    """``task/CLUSTER/*`` of a cluster name or ARN (the task ID is known only at run time)."""
    if _CLUSTER_ARN.match(text):
        base, _, name = text.partition(":cluster/")
        return f"{escape(base)}:task/{escape(name)}/*"
    if _CLUSTER_NAME.match(text):
        return t.named("arn:{partition}:ecs:{region}:{account}:task/{name}/*", escape(text))
    return None


_cluster = param("Cluster", "", TASKS, convert=_cluster_tasks, required=False,
                 expected="an ECS cluster name or cluster ARN")


def cluster_tasks(t: Task) -> list[Res]:
    """The tasks of the cluster RunTask starts the task in (``Cluster``; the ``default``
    cluster when absent): Service Authorization Reference, ``ecs:StopTask`` and
    ``ecs:DescribeTasks`` take the resource type ``task`` (required),
    ``arn:PARTITION:ecs:REGION:ACCOUNT:task/CLUSTER_NAME/TASK_ID``."""
    return _cluster(t) or [Res(t.named("arn:{partition}:ecs:{region}:{account}:task/{name}/*",
                                       "default"))]


#: the ``iam:PassRole`` resolvers of ``Overrides.TaskRoleArn`` and ``Overrides.ExecutionRoleArn``
#: with the key each takes when dynamic (``TaskRoleArn.$``)
_OVERRIDE_ROLES = tuple((key, f"{key}.$", role(f"Overrides.{key}")) for key in ROLE_KEYS)


def override_roles(t: Task) -> list[Res]:
    """The roles given in ``Overrides`` (a dynamic ``Overrides`` object as a whole is not
    read as a role: see :func:`hidden_roles`)."""
    overrides = memo_value(t, "Overrides")
    if overrides.kind != STATIC or overrides.value.__class__ is not dict:
        # absent, dynamic, or not an object: no role can be read under it
        return []
    node = overrides.value
    out: list[Res] = []
    for key, dollar, resolve in _OVERRIDE_ROLES:
        if key in node or dollar in node:
            out.extend(resolve(t))
    return out


def hidden_roles(t: Task) -> list[tuple[G, list[Res]]]:
    """One ``unknown-passed-role`` finding per state for the roles sfn-iam cannot see: those
    inside the task definition (unless both are overridden), and any a dynamic ``Overrides``
    object may carry. Nothing is granted for them."""
    td = memo_value(t, "TaskDefinition")
    if td.absent:
        return []
    overrides = memo_value(t, "Overrides")
    dynamic_overrides = overrides.kind == DYNAMIC
    if overrides.kind == STATIC and overrides.value.__class__ is dict:
        node = overrides.value
        # both roles given (static or dynamic) under a static Overrides object
        if all(key in node or dollar in node for key, dollar, _ in _OVERRIDE_ROLES):
            return []
    if td.static:
        named = f"the task definition {td.value!r}"
    else:
        named = f"the task definition in {td.where} ({td.expr})"
    why = f"{named} may name a task role and an execution role, which RunTask passes to ECS"
    if dynamic_overrides:
        why += "; the dynamic Overrides may pass TaskRoleArn or ExecutionRoleArn too"
    t.finding(
        "unknown-passed-role",
        why + ": sfn-iam cannot see them; add iam:PassRole on those roles "
        "(condition iam:PassedToService ecs-tasks.amazonaws.com)",
        td.where,
    )
    return []


RULES = {
    "runTask": Rule(
        ALL,
        (
            g("ecs:RunTask", task_definition),
            # The template: "*" (the task ID is known only at run time). The SAR scopes both
            # to the task resource type, task/CLUSTER/TASK_ID: the cluster's tasks.
            g(("ecs:StopTask", "ecs:DescribeTasks"), sar(cluster_tasks, star), when=ONLY_SYNC),
            g(EVENTS, events_rule("StepFunctionsGetEventsForECSTaskRule"), when=ONLY_SYNC),
            # Not in the template's policies (only in its closing note): RunTask fails
            # without iam:PassRole on the override roles, so they are granted.
            g("iam:PassRole", override_roles, condition=passed_to("ecs-tasks.amazonaws.com")),
        ),
        DOC,
        hook=hidden_roles,
    ),
}
