"""Amazon EMR: ``elasticmapreduce:<api>``. Template: emr-iam.md (connect-emr.md for the APIs
and their patterns; CURRENT-DOCS §3.5 for what changed since).

- ``createCluster``, ``terminateCluster``, ``addStep``: request-response and ``.sync``;
- ``cancelStep``, ``setClusterTerminationProtection``, ``modifyInstanceFleetByName``,
  ``modifyInstanceGroupByName``: request-response only.

Every API but ``createCluster`` names its cluster by ``ClusterId`` (``j-...``): the resource is
``arn:PARTITION:elasticmapreduce:REGION:ACCOUNT:cluster/ID``; a dynamic id gets the template's
``arn:PARTITION:elasticmapreduce:*:*:cluster/*`` (``*`` for ``modifyInstanceGroupByName``).

The 2023 template shows one policy per API, the ``.sync`` one where the API has both patterns.
As everywhere in sfn-iam, request-response gets only the start action (and ``iam:PassRole``);
``.sync`` adds the polling and cancel actions and the EventBridge managed rule.
"""

from __future__ import annotations

from sfn_iam.arn import parse_arn
from sfn_iam.rules import (
    ONLY_SYNC,
    RR_ONLY,
    RR_SYNC,
    Resolver,
    Rule,
    escape,
    events_rule,
    fixed,
    g,
    param,
    passed_to,
    role,
    sar,
    star,
)
from sfn_iam.task import Task

DOC = "connect-emr.html"

CLUSTER = "arn:{partition}:elasticmapreduce:{region}:{account}:cluster/{name}"
ANY_CLUSTER = "arn:{partition}:elasticmapreduce:*:*:cluster/*"
CLUSTERS = "arn:{partition}:elasticmapreduce:{region}:{account}:cluster/*"
ROLE = "arn:{partition}:iam::{account}:role/{name}"
ANY_ROLE = "arn:{partition}:iam::{account}:role/*"
EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")


def _cluster_arn(_: Task, text: str) -> str | None:
    """A ClusterId written as a cluster ARN is used as written; any other EMR ARN is not one."""
    arn = parse_arn(text)
    return escape(text) if arn is not None and arn.resource.startswith("cluster/") else None


def cluster(dynamic: str = ANY_CLUSTER) -> Resolver:
    return param("ClusterId", CLUSTER, dynamic, from_arn=_cluster_arn, service="elasticmapreduce")


def _instance_profile_role(_t: Task, text: str) -> str | None:
    """``JobFlowRole`` names an EC2 *instance profile*; IAM checks ``iam:PassRole`` on the role
    inside it. An instance-profile ARN becomes the role ARN of the same path and name."""
    arn = parse_arn(text)
    if arn is None:
        return None
    kind, _, rest = arn.resource.partition("/")
    if kind == "role":
        return escape(text)
    if kind == "instance-profile" and rest:
        return escape(f"arn:{arn.partition}:iam::{arn.account}:role/{rest}")
    return None


# emr-iam.md grants iam:PassRole on "role/[[roleName]]" for createCluster without saying which
# parameter names it. JobFlowRole is an instance-profile NAME, not a role: we take the role to
# have the same name, as the EMR default roles (EMR_EC2_DefaultRole) and console-created
# profiles do. A profile wrapping a differently named role needs that role added by hand.
_job_flow_role = param("JobFlowRole", ROLE, ANY_ROLE, required=False, service="iam",
                       from_arn=_instance_profile_role)


def _events(name: str) -> Resolver:
    # CURRENT-DOCS §3.5 / §11.2: the current EMR templates dropped these managed rules (EMR
    # .sync is polled); the 2023 template (and CDK) still have them. Kept for .sync: harmless.
    return events_rule(name)


RULES = {
    "createCluster": Rule(
        RR_SYNC,
        (
            g("elasticmapreduce:RunJobFlow", star),
            # The template lists DescribeCluster and TerminateJobFlows with RunJobFlow; they are
            # the .sync polling and cancel actions, so request-response does not get them. The
            # template grants them on "*"; the Service Authorization Reference gives both the
            # resource type cluster (required, cluster/CLUSTER_ID): the cluster ID is known
            # only at run time, so the account's clusters in the region (--as-templates: "*").
            # (RunJobFlow has no resource type: "*".)
            g(("elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"),
              sar(fixed(CLUSTERS), star), when=ONLY_SYNC),
            # The template's PassRole has no condition; the receiving services are those of
            # AmazonEMRFullAccessPolicy_v2 (PassRoleForElasticMapReduce / ForEC2 / ForAutoScaling).
            g("iam:PassRole", role("ServiceRole"),
              condition=passed_to("elasticmapreduce.amazonaws.com")),
            g("iam:PassRole", _job_flow_role, condition=passed_to("ec2.amazonaws.com")),
            # AutoScalingRole is not in the template; EMR passes it to Application Auto Scaling.
            g("iam:PassRole", role("AutoScalingRole"),
              condition=passed_to("application-autoscaling.amazonaws.com")),
            g(EVENTS, _events("StepFunctionsGetEventForEMRRunJobFlowRule"), when=ONLY_SYNC),
            # Not granted: iam:CreateServiceLinkedRole for AWSServiceRoleForEMRCleanup, which
            # connect-emr.md says must be *creatable* (not in the template; a one-off per account).
        ),
        DOC,
    ),
    "terminateCluster": Rule(
        RR_SYNC,
        (
            g("elasticmapreduce:TerminateJobFlows", cluster(), when=RR_ONLY),
            # The template lists DescribeCluster for both patterns: it is the .sync polling
            # action, so request-response does not get it. (One grant per pattern: one
            # finding for a dynamic ClusterId.)
            g(("elasticmapreduce:TerminateJobFlows", "elasticmapreduce:DescribeCluster"),
              cluster(), when=ONLY_SYNC),
            g(EVENTS, _events("StepFunctionsGetEventForEMRTerminateJobFlowsRule"), when=ONLY_SYNC),
        ),
        DOC,
    ),
    "addStep": Rule(
        RR_SYNC,
        (
            g("elasticmapreduce:AddJobFlowSteps", cluster(), when=RR_ONLY),
            # The template lists DescribeStep and CancelSteps for both patterns: they are the
            # .sync polling and cancel actions, so request-response does not get them.
            g(("elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:DescribeStep",
               "elasticmapreduce:CancelSteps"), cluster(), when=ONLY_SYNC),
            # ExecutionRoleArn (a step runtime role, Sep 2022) is newer than the template: the
            # role is passed to the cluster, so iam:PassRole on it (CURRENT-DOCS §3.5). No
            # iam:PassedToService condition: EMR documents none for runtime roles.
            g("iam:PassRole", role("ExecutionRoleArn")),
            g(EVENTS, _events("StepFunctionsGetEventForEMRAddJobFlowStepsRule"), when=ONLY_SYNC),
        ),
        DOC,
    ),
    "cancelStep": Rule(RR_ONLY, (g("elasticmapreduce:CancelSteps", cluster()),), DOC),
    "setClusterTerminationProtection": Rule(
        RR_ONLY, (g("elasticmapreduce:SetTerminationProtection", cluster()),), DOC
    ),
    "modifyInstanceFleetByName": Rule(
        RR_ONLY,
        (g(("elasticmapreduce:ModifyInstanceFleet", "elasticmapreduce:ListInstanceFleets"),
           cluster()),),
        DOC,
    ),
    "modifyInstanceGroupByName": Rule(
        RR_ONLY,
        # The template's dynamic form is "*" here (not cluster/* as for the other APIs); the
        # SAR gives both actions the resource type cluster (required), so a dynamic ClusterId
        # gets cluster/* like the other APIs (--as-templates: "*").
        (g(("elasticmapreduce:ModifyInstanceGroups", "elasticmapreduce:ListInstanceGroups"),
           sar(cluster(), cluster("*"))),),
        DOC,
    ),
}
