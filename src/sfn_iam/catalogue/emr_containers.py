"""Amazon EMR on EKS: ``emr-containers:<api>``. Template: emr-eks-iam.md (connect-emr-eks.md
for the APIs and patterns).

- ``createVirtualCluster``: request-response;
- ``deleteVirtualCluster`` (cluster in ``Id``), ``startJobRun`` (cluster in
  ``VirtualClusterId``): request-response and ``.sync``.

A virtual cluster is ``arn:PARTITION:emr-containers:REGION:ACCOUNT:/virtualclusters/ID`` (the
resource part starts with ``/``); its job runs are ``.../virtualclusters/ID/jobruns/RUN``.
"""

from __future__ import annotations

from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import ONLY_SYNC, RR_ONLY, RR_SYNC, Resolver, Rule, escape, fixed, g, param, star
from sfn_iam.task import Task

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

DOC = "connect-emr-eks.html"

VC = "arn:{partition}:emr-containers:{region}:{account}:/virtualclusters/{name}"
ANY_VC = "arn:{partition}:emr-containers:{region}:{account}:/virtualclusters/*"
_VC_ARN = LazyPattern(r"^arn:[a-z-]+:emr-containers:[a-z0-9-]+:\d{12}:/virtualclusters/[0-9a-z]+$")

# emr-eks-iam.md names the role ".../AnAWSServiceRoleForAmazonEMRContainers": a known defect
# (README of the reference); the service-linked role is AWSServiceRoleForAmazonEMRContainers.
SLR = ("arn:{partition}:iam::{account}:role/aws-service-role/emr-containers.amazonaws.com/"
       "AWSServiceRoleForAmazonEMRContainers")


def _vc_arn(_: Task, text: str) -> str | None:
    # The pattern admits no IAM wildcard; escaped all the same (the "/jobruns/*" after it).
    return escape(text) if _VC_ARN.match(text) else None


def _jobruns_arn(_: Task, text: str) -> str | None:
    return escape(text) + "/jobruns/*" if _VC_ARN.match(text) else None


def virtual_cluster(path: str) -> Resolver:
    return param(path, VC, ANY_VC, from_arn=_vc_arn, service="emr-containers")


# The template's dynamic .sync form is ".../virtualclusters/*", which covers the job runs.
_job_runs = param("VirtualClusterId", VC + "/jobruns/*", ANY_VC, from_arn=_jobruns_arn,
                  service="emr-containers")


def execution_role_condition(t: Task) -> dict[str, dict[str, Any]] | None:
    """``emr-containers:ExecutionRoleArn`` equal to the role the Task passes, as the template.

    A dynamic role cannot be pinned: the condition is left out (StartJobRun is then allowed
    with any execution role on that virtual cluster) and a finding says so."""
    v = t.value("ExecutionRoleArn")
    if v.absent:
        t.finding(
            "missing-parameter",
            "emr-containers:startJobRun needs ExecutionRoleArn (unless a job template supplies "
            "it); StartJobRun granted without the emr-containers:ExecutionRoleArn condition",
            v.where,
        )
        return None
    if v.dynamic:
        t.finding(
            "dynamic-resource",
            f"{v.reason} ({v.expr}) is known only at run time: StartJobRun granted without the "
            "emr-containers:ExecutionRoleArn condition (any execution role)",
            v.where,
        )
        return None
    text = v.text
    if text is None or not text.startswith("arn:"):
        t.finding("malformed-value", f"ExecutionRoleArn {v.value!r} should be an IAM role ARN",
                  v.where)
        if text is None:
            return None
    # A literal: StringEquals has no wildcards, but it reads policy variables ("${").
    return {"StringEquals": {"emr-containers:ExecutionRoleArn": [escape(text)]}}


RULES = {
    "createVirtualCluster": Rule(
        RR_ONLY,
        (
            # "*": the Service Authorization Reference lists no resource type for it.
            g("emr-containers:CreateVirtualCluster", star),
            g("iam:CreateServiceLinkedRole", fixed(SLR),
              condition={"StringLike": {"iam:AWSServiceName": "emr-containers.amazonaws.com"}}),
        ),
        DOC,
    ),
    "deleteVirtualCluster": Rule(
        RR_SYNC,
        (
            g("emr-containers:DeleteVirtualCluster", virtual_cluster("Id"), when=RR_ONLY),
            g(("emr-containers:DeleteVirtualCluster", "emr-containers:DescribeVirtualCluster"),
              virtual_cluster("Id"), when=ONLY_SYNC),
        ),
        DOC,
    ),
    "startJobRun": Rule(
        RR_SYNC,
        (
            # No iam:PassRole for ExecutionRoleArn, as the template: EMR on EKS does not pass
            # the role to a service; job pods assume it through IRSA (the role's trust policy),
            # and the emr-containers:ExecutionRoleArn condition is what limits the choice.
            g("emr-containers:StartJobRun", virtual_cluster("VirtualClusterId"),
              condition=execution_role_condition),
            g(("emr-containers:DescribeJobRun", "emr-containers:CancelJobRun"), _job_runs,
              when=ONLY_SYNC),
        ),
        DOC,
    ),
}
