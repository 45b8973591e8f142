"""Property-based tests: random definitions (every state type, Parallel, inline Map with Iterator or
ItemProcessor, Distributed Map with ItemReader and ResultWriter, JSONPath and JSONata, static and
dynamic values) through the generator, checked with the suite's own IAM evaluator
(tests/iam_eval.py, which shares no code with sfn_iam).

``INTEGRATIONS`` says, for every API of the catalogue, what a Task needs at run time. It is
written from the AWS templates (``aws-sfn-dev-guide-2023/*-iam.md``) and CURRENT-DOCS.md, never
from the generator's catalogue: each ``needs`` is what IAM checks when the call is made with
the given parameters (action, resource, request context). Where a template deliberately grants
a wildcard for static input (``"Resource": "*"``, ``training-job/NAME*``, ``datacatalog/*``),
the entry lists it in ``wild``, per action; any other wildcard in the policy must come from a
dynamic value. Where no template exists (SageMaker hosting and the newer jobs, EKS Fargate
profiles and Kubernetes APIs) the need is the API's own action on its resource (Service
Authorization Reference), and ``optional`` lists what the documentation leaves open.

Beyond the Tasks: ``Credentials.RoleArn`` (the Task runs as that role: the execution role may
only assume it, the target role's own policy allows the call, names completed in its account;
CURRENT-DOCS §9.1) and the machine's settings (X-Ray, CloudWatch Logs, a customer managed KMS
key; §7). Not covered: AWS SDK integrations (reported as unknown).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_iam import generate_policy
from sfn_iam.generate import GenerateResult
from tests.iam_eval import is_allowed

R, A = "us-east-1", "123456789012"
MACHINE = "Main"
SM_ARN = f"arn:aws:states:{R}:{A}:stateMachine:{MACHINE}"

#: names valid for every service used below (SageMaker: no trailing hyphen; CodeBuild: 2+ chars)
names = st.from_regex(r"[a-z][a-z0-9]{1,7}(-[a-z0-9]{1,4})?", fullmatch=True)

Need = tuple[str, str, dict[str, str]]  # action, resource, request context (condition keys)
Params = dict[str, Any]
Path = tuple[str | int, ...]


#: the account names are completed in: the machine's, or a cross-account Task's target role's
#: (``in_account``); every ARN the table builds for the calls comes from ``acct()``
_ACCOUNT = [A]


def acct() -> str:
    return _ACCOUNT[0]


@contextmanager
def in_account(account: str) -> Iterator[None]:
    """The table's parameters and needs as seen from ``account`` (a Task run as a role of
    that account: names are completed there, ARNs the table writes are there)."""
    saved, _ACCOUNT[0] = _ACCOUNT[0], account
    try:
        yield
    finally:
        _ACCOUNT[0] = saved


def arn(service: str, resource: str, region: str = R, account: str | None = None) -> str:
    return f"arn:aws:{service}:{region}:{account or acct()}:{resource}"


def role(name: str) -> str:
    return f"arn:aws:iam::{acct()}:role/{name}"


def events_rule(name: str) -> list[Need]:
    """The EventBridge managed rule of a ``.sync`` integration (its three actions)."""
    r = arn("events", f"rule/{name}")
    return [(a, r, {}) for a in ("events:PutTargets", "events:PutRule", "events:DescribeRule")]


def pass_role(role_arn: str, service: str) -> Need:
    return ("iam:PassRole", role_arn, {"iam:PassedToService": service})


def on(actions: tuple[str, ...] | list[str], resource: str) -> list[Need]:
    return [(a, resource, {}) for a in actions]


def wild(actions: tuple[str, ...] | list[str], *resources: str) -> set[tuple[str, str]]:
    return {(a.lower(), r) for a in actions for r in resources}


def is_sync(pattern: str) -> bool:
    return pattern.startswith(".sync")


@dataclass(frozen=True)
class Api:
    """One API of an optimized integration, as the documentation describes it."""

    resource: str | Callable[[str], str]  # Task Resource without the pattern suffix
    patterns: tuple[str, ...]  # "" (request-response), ".sync", ".sync:2", ".waitForTaskToken"
    params: Callable[[str], Params]  # a name -> static parameters naming the resources
    needs: Callable[[Params, str], list[Need]]  # the call as made (its parameters, its pattern)
    dynamic: tuple[Path, ...] = ()  # parameter paths that may be given dynamically
    #: (action, wildcard resource) the template prescribes even for static input
    wild: Callable[[Params, str], set[tuple[str, str]]] = field(default=lambda p, pat: set())
    #: actions the generator may grant beyond ``needs`` where the documentation is silent
    optional: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ Lambda, SNS, SQS
# lambda-iam.md, sns-iam.md, sqs-iam.md


def _fn(name: str) -> str:
    return name if name.startswith("arn:") else arn("lambda", f"function:{name}")


LAMBDA = "arn:aws:states:::lambda:invoke"
INTEGRATIONS: dict[str, Api] = {
    "lambda:invoke": Api(
        LAMBDA, ("", ".waitForTaskToken"),
        lambda n: {"FunctionName": n, "Payload": {"k": "v"}},
        lambda p, pat: [("lambda:InvokeFunction", _fn(p["FunctionName"]), {})],
        dynamic=(("FunctionName",),)),
    "lambda:invoke (alias ARN)": Api(
        LAMBDA, ("",),
        lambda n: {"FunctionName": arn("lambda", f"function:{n}:live")},
        lambda p, pat: [("lambda:InvokeFunction", p["FunctionName"], {})],
        dynamic=(("FunctionName",),)),
    "lambda (function ARN as Resource)": Api(
        lambda n: arn("lambda", f"function:{n}"), ("",),
        lambda n: {"__resource__": arn("lambda", f"function:{n}")},
        lambda p, pat: [("lambda:InvokeFunction", p["__resource__"], {})]),
    "sns:publish": Api(
        "arn:aws:states:::sns:publish", ("", ".waitForTaskToken"),
        lambda n: {"TopicArn": arn("sns", n), "Message": "m"},
        lambda p, pat: [("sns:Publish", p["TopicArn"], {})],
        dynamic=(("TopicArn",),)),
    # sns-iam.md: publishing to a phone number is authorised on "*".
    "sns:publish (phone)": Api(
        "arn:aws:states:::sns:publish", ("",),
        lambda n: {"PhoneNumber": "+15555550100", "Message": n},
        lambda p, pat: [("sns:Publish", "*", {})],
        wild=lambda p, pat: wild(["sns:Publish"], "*")),
    "sqs:sendMessage": Api(
        "arn:aws:states:::sqs:sendMessage", ("", ".waitForTaskToken"),
        lambda n: {"QueueUrl": f"https://sqs.{R}.amazonaws.com/{acct()}/{n}", "MessageBody": "m"},
        lambda p, pat: [("sqs:SendMessage",
                         arn("sqs", p["QueueUrl"].rsplit("/", 1)[1],
                             region=p["QueueUrl"].split(".")[1]), {})],
        dynamic=(("QueueUrl",),)),
}

# ----------------------------------------------------------------------------------- API Gateway
# api-gateway-iam.md (its resource is a listed defect): execute-api:Invoke on the method called,
# arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH.


def _apigw_needs(p: Params, pat: str) -> list[Need]:
    api, _, region = p["ApiEndpoint"].split(".")[:3]
    return [("execute-api:Invoke", arn("execute-api", f"{api}/{p['Stage']}/{p['Method']}{p['Path']}",
                                       region=region), {})]


INTEGRATIONS["apigateway:invoke"] = Api(
    "arn:aws:states:::apigateway:invoke", ("", ".waitForTaskToken"),
    lambda n: {"ApiEndpoint": f"{n.replace('-', '')}.execute-api.{R}.amazonaws.com",
               "Method": "GET", "Stage": n, "Path": f"/items/{n}", "AuthType": "IAM_ROLE"},
    _apigw_needs,
    dynamic=(("ApiEndpoint",), ("Stage",), ("Path",)))

# ---------------------------------------------------------------------------------------- Athena
# athena-iam.md, with the current .sync list (CURRENT-DOCS §3.4).

ATHENA_S3 = ("s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads",
             "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload", "s3:CreateBucket", "s3:PutObject")
ATHENA_GLUE = ("glue:CreateDatabase", "glue:GetDatabase", "glue:GetDatabases", "glue:UpdateDatabase",
               "glue:DeleteDatabase", "glue:CreateTable", "glue:UpdateTable", "glue:GetTable",
               "glue:GetTables", "glue:DeleteTable", "glue:BatchDeleteTable",
               "glue:BatchCreatePartition", "glue:CreatePartition", "glue:UpdatePartition",
               "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition",
               "glue:DeletePartition", "glue:BatchDeletePartition")
ATHENA_RR = ("athena:startQueryExecution", "athena:getDataCatalog")
ATHENA_SYNC = (*ATHENA_RR, "athena:stopQueryExecution", "athena:getQueryExecution",
               "athena:GetWorkGroup", "athena:BatchGetQueryExecution", "athena:GetQueryResults",
               "athena:ListQueryExecutions")


def _athena_needs(p: Params, pat: str) -> list[Need]:
    workgroup = arn("athena", f"workgroup/{p['WorkGroup']}")
    actions = ATHENA_SYNC if is_sync(pat) else ATHENA_RR
    return [
        *on(actions, workgroup),  # the template puts every action on the workgroup too
        ("athena:getDataCatalog", arn("athena", "datacatalog/AwsDataCatalog"), {}),
        *on(ATHENA_S3, "arn:aws:s3:::query-results/out/1.csv"),
        *on(ATHENA_GLUE, arn("glue", "table/db/tbl")),
        ("glue:GetDatabase", arn("glue", "catalog"), {}),
        ("lakeformation:GetDataAccess", "*", {}),
    ]


def _athena_wild(p: Params, pat: str) -> set[tuple[str, str]]:
    actions = ATHENA_SYNC if is_sync(pat) else ATHENA_RR
    return (wild(actions, arn("athena", "datacatalog/*")) | wild(ATHENA_S3, "arn:aws:s3:::*")
            | wild(ATHENA_GLUE, arn("glue", "database/*"), arn("glue", "table/*"),
                   arn("glue", "userDefinedFunction/*"))
            | wild(["lakeformation:GetDataAccess"], "*"))


INTEGRATIONS["athena:startQueryExecution"] = Api(
    "arn:aws:states:::athena:startQueryExecution", ("", ".sync"),
    lambda n: {"QueryString": "SELECT 1", "WorkGroup": n},
    _athena_needs, dynamic=(("WorkGroup",),), wild=_athena_wild)
for _api in ("stopQueryExecution", "getQueryExecution", "getQueryResults"):
    # The query's workgroup is not in the parameters: the template grants workgroup/*.
    INTEGRATIONS[f"athena:{_api}"] = Api(
        f"arn:aws:states:::athena:{_api}", ("",),
        lambda n: {"QueryExecutionId": n},
        lambda p, pat, api=_api: [(f"athena:{api}", arn("athena", "workgroup/primary"), {})] + (
            [("s3:GetObject", "arn:aws:s3:::query-results/out/1.csv", {})]
            if api == "getQueryResults" else []),
        wild=lambda p, pat, api=_api: wild([f"athena:{api}"], arn("athena", "workgroup/*"))
        | wild(["s3:GetObject"], "arn:aws:s3:::*"))

# ----------------------------------------------------------------------- Batch, DataBrew, Glue
# batch-iam.md, databrew-iam.md, glue-iam.md grant "*" / job/* whatever the parameters; the
# Service Authorization Reference now scopes them (issue 9): batch:SubmitJob on the job queue,
# the job definition (revision) and the job (job*, required: its ID exists only once submitted,
# so job/* is prescribed), TerminateJob on the job (job/*), DescribeJobs on "*" (no resource
# type); Glue's job-run actions and DataBrew's on the job (job/NAME).

INTEGRATIONS["batch:submitJob"] = Api(
    "arn:aws:states:::batch:submitJob", ("", ".sync"),
    lambda n: {"JobName": n, "JobQueue": arn("batch", f"job-queue/{n}"),
               "JobDefinition": arn("batch", f"job-definition/{n}:1")},
    lambda p, pat: [("batch:SubmitJob", p["JobQueue"], {}), ("batch:SubmitJob", p["JobDefinition"], {}),
                    ("batch:SubmitJob", arn("batch", "job/1234"), {})]
    + (on(["batch:DescribeJobs", "batch:TerminateJob"], arn("batch", "job/1234"))
       + events_rule("StepFunctionsGetEventsForBatchJobsRule") if is_sync(pat) else []),
    dynamic=(("JobQueue",), ("JobDefinition",)),
    wild=lambda p, pat: wild(["batch:SubmitJob", "batch:TerminateJob"], arn("batch", "job/*"))
    | wild(["batch:DescribeJobs"], "*"))
INTEGRATIONS["databrew:startJobRun"] = Api(
    "arn:aws:states:::databrew:startJobRun", ("", ".sync"),
    lambda n: {"Name": n},
    lambda p, pat: on(["databrew:startJobRun"]
                      + (["databrew:listJobRuns", "databrew:stopJobRun"] if is_sync(pat) else []),
                      arn("databrew", f"job/{p['Name']}")),
    dynamic=(("Name",),))
INTEGRATIONS["glue:startJobRun"] = Api(
    "arn:aws:states:::glue:startJobRun", ("", ".sync"),
    lambda n: {"JobName": n},
    lambda p, pat: on(["glue:StartJobRun"] + (["glue:GetJobRun", "glue:GetJobRuns",
                                               "glue:BatchStopJobRun"] if is_sync(pat) else []),
                      arn("glue", f"job/{p['JobName']}")),
    dynamic=(("JobName",),))

# -------------------------------------------------------------------------------------- CodeBuild
# codebuild-iam.md, one template per API; iam:PassRole for ServiceRoleOverride (CodeBuild passes
# the service role; not in the template, which has no override).


def _project(p: Params, key: str) -> str:
    v = p[key]
    if key == "ProjectName":
        return v if v.startswith("arn:") else arn("codebuild", f"project/{v}")
    return arn("codebuild", f"project/{v.split(':')[0]}")


def _codebuild(api: str, key: str, sync_actions: tuple[str, ...] = (), rule: str | None = None,
               role_override: bool = False) -> Api:
    def params(n: str) -> Params:
        p: Params = {key: n if key == "ProjectName" else f"{n}:0f0e-11aa"}
        if role_override:
            p["ServiceRoleOverride"] = role(f"{n}-build")
        return p

    def needs(p: Params, pat: str) -> list[Need]:
        out = on([f"codebuild:{api}", *(sync_actions if is_sync(pat) else ())], _project(p, key))
        if is_sync(pat) and rule:
            out += events_rule(rule)
        if role_override:
            out.append(pass_role(p["ServiceRoleOverride"], "codebuild.amazonaws.com"))
        return out

    patterns = ("", ".sync") if sync_actions else ("",)
    dyn: tuple[Path, ...] = ((key,), ("ServiceRoleOverride",)) if role_override else ((key,),)
    return Api(f"arn:aws:states:::codebuild:{api[0].lower()}{api[1:]}", patterns, params, needs,
               dynamic=dyn)


INTEGRATIONS.update({
    "codebuild:startBuild": _codebuild(
        "StartBuild", "ProjectName", ("codebuild:StopBuild", "codebuild:BatchGetBuilds"),
        "StepFunctionsGetEventForCodeBuildStartBuildRule", role_override=True),
    "codebuild:stopBuild": _codebuild("StopBuild", "Id"),
    "codebuild:startBuildBatch": _codebuild(
        "StartBuildBatch", "ProjectName",
        ("codebuild:StopBuildBatch", "codebuild:BatchGetBuildBatches"),
        "StepFunctionsGetEventForCodeBuildStartBuildBatchRule", role_override=True),
    "codebuild:stopBuildBatch": _codebuild("StopBuildBatch", "Id"),
    "codebuild:retryBuildBatch": _codebuild(
        "RetryBuildBatch", "Id", ("codebuild:StopBuildBatch", "codebuild:BatchGetBuildBatches")),
    "codebuild:deleteBuildBatch": _codebuild("DeleteBuildBatch", "Id"),
    "codebuild:batchDeleteBuilds": Api(
        "arn:aws:states:::codebuild:batchDeleteBuilds", ("",),
        lambda n: {"Ids": [f"{n}:0f0e-11aa"]},
        lambda p, pat: [("codebuild:BatchDeleteBuilds",
                         arn("codebuild", f"project/{i.split(':')[0]}"), {}) for i in p["Ids"]],
        dynamic=(("Ids",),)),
    "codebuild:batchGetReports": Api(
        "arn:aws:states:::codebuild:batchGetReports", ("",),
        lambda n: {"ReportArns": [arn("codebuild", f"report/{n}:0f0e-11aa")]},
        lambda p, pat: [("codebuild:BatchGetReports",
                         arn("codebuild", "report-group/" + r.split("report/")[1].split(":")[0]), {})
                        for r in p["ReportArns"]],
        dynamic=(("ReportArns",),)),
})

# --------------------------------------------------------------------------------------- DynamoDB
# dynamo-iam.md grants the four item actions together; each call needs its own.

for _api, _extra in (("getItem", "Key"), ("putItem", "Item"), ("updateItem", "Key"),
                     ("deleteItem", "Key")):
    INTEGRATIONS[f"dynamodb:{_api}"] = Api(
        f"arn:aws:states:::dynamodb:{_api}", ("",),
        lambda n, extra=_extra: {"TableName": n, extra: {"id": {"S": "1"}}},
        lambda p, pat, api=_api: [(f"dynamodb:{api[0].upper()}{api[1:]}",
                                   p["TableName"] if p["TableName"].startswith("arn:")
                                   else arn("dynamodb", f"table/{p['TableName']}"), {})],
        dynamic=(("TableName",),))
INTEGRATIONS["dynamodb:getItem (table ARN)"] = Api(
    "arn:aws:states:::dynamodb:getItem", ("",),
    lambda n: {"TableName": arn("dynamodb", f"table/{n}", region="eu-west-1"), "Key": {}},
    lambda p, pat: [("dynamodb:GetItem", p["TableName"], {})],
    dynamic=(("TableName",),))

# -------------------------------------------------------------------------------------------- ECS
# ecs-iam.md (+ CURRENT-DOCS §3.3: the revision that runs; iam:PassRole on the override roles).


def _ecs_needs(p: Params, pat: str) -> list[Need]:
    td = p["TaskDefinition"]
    revision = td if ":" in td else f"{td}:7"  # a family runs its latest revision
    out = [("ecs:RunTask", arn("ecs", f"task-definition/{revision}"), {}),
           pass_role(p["Overrides"]["TaskRoleArn"], "ecs-tasks.amazonaws.com")]
    if is_sync(pat):
        # SAR: StopTask / DescribeTasks on the task, task/CLUSTER_NAME/TASK_ID (issue 9)
        out += on(["ecs:StopTask", "ecs:DescribeTasks"], _ecs_task(p, "0a1b2c"))
        out += events_rule("StepFunctionsGetEventsForECSTaskRule")
    return out


def _ecs_task(p: Params, task_id: str) -> str:
    cluster = p["Cluster"]  # an ARN, arn:aws:ecs:REGION:ACCOUNT:cluster/NAME
    head, _, name = cluster.partition(":cluster/")
    return f"{head}:task/{name}/{task_id}"


def _ecs_wild(p: Params, pat: str) -> set[tuple[str, str]]:
    td = p["TaskDefinition"]
    family = {} if ":" in td else wild(["ecs:RunTask"], arn("ecs", f"task-definition/{td}:*"))
    # the task ID is known only at run time: the cluster's tasks
    return set(family) | wild(["ecs:StopTask", "ecs:DescribeTasks"], _ecs_task(p, "*"))


for _key, _td in (("ecs:runTask", "{n}:3"), ("ecs:runTask (family)", "{n}")):
    INTEGRATIONS[_key] = Api(
        "arn:aws:states:::ecs:runTask", ("", ".sync", ".waitForTaskToken"),
        lambda n, td=_td: {"LaunchType": "FARGATE", "Cluster": arn("ecs", f"cluster/{n}"),
                           "TaskDefinition": td.format(n=n),
                           "Overrides": {"TaskRoleArn": role(f"{n}-task")}},
        _ecs_needs, dynamic=(("TaskDefinition",), ("Overrides", "TaskRoleArn"), ("Cluster",)),
        wild=_ecs_wild)

# -------------------------------------------------------------------------------------------- EKS
# eks-iam.md (CreateCluster, CreateNodegroup, DeleteCluster, DeleteNodegroup); the Fargate
# profile APIs from the Service Authorization Reference; runJob/call: eks:DescribeCluster on the
# cluster (CURRENT-DOCS §3.6).

EKS_NODEGROUP_ID = "1ab2c3d4-0000-1111-2222-333344445555"


def _cluster(name: str) -> str:
    return arn("eks", f"cluster/{name}")


def _member(kind: str, p: Params, key: str) -> str:
    return arn("eks", f"{kind}/{p['ClusterName']}/{p[key]}/{EKS_NODEGROUP_ID}")


def _member_wild(kind: str, p: Params, key: str) -> str:
    return arn("eks", f"{kind}/{p['ClusterName']}/{p[key]}/*")


INTEGRATIONS.update({
    "eks:createCluster": Api(
        "arn:aws:states:::eks:createCluster", ("", ".sync"),
        lambda n: {"Name": n, "RoleArn": role(f"{n}-cluster"),
                   "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]}},
        lambda p, pat: [("eks:CreateCluster", "*", {}),
                        pass_role(p["RoleArn"], "eks.amazonaws.com")]
        + (on(["eks:DescribeCluster", "eks:DeleteCluster"], _cluster(p["Name"])) if is_sync(pat) else []),
        dynamic=(("Name",), ("RoleArn",)),
        # the template: DescribeCluster / DeleteCluster on cluster/*; the SAR scopes them to
        # the cluster (issue 9)
        wild=lambda p, pat: wild(["eks:CreateCluster"], "*")),
    "eks:createNodegroup": Api(
        "arn:aws:states:::eks:createNodegroup", ("", ".sync"),
        lambda n: {"ClusterName": n, "NodegroupName": f"{n}-ng", "NodeRole": role(f"{n}-node"),
                   "Subnets": ["subnet-1"]},
        lambda p, pat: [("ec2:DescribeSubnets", "*", {}),
                        ("eks:CreateNodegroup", _cluster(p["ClusterName"]), {}),
                        *on(["iam:GetRole", "iam:ListAttachedRolePolicies"], p["NodeRole"]),
                        pass_role(p["NodeRole"], "eks.amazonaws.com")]
        + (on(["eks:DescribeNodegroup", "eks:DeleteNodegroup"], _member("nodegroup", p, "NodegroupName"))
           if is_sync(pat) else []),
        dynamic=(("ClusterName",), ("NodegroupName",), ("NodeRole",)),
        # the template: CreateNodegroup on "*", the node group actions on nodegroup/*, GetRole
        # and ListAttachedRolePolicies on every role; the SAR scopes them to the cluster, the
        # node group (its UUID known only at run time) and the node role (issue 9)
        wild=lambda p, pat: wild(["ec2:DescribeSubnets"], "*")
        | wild(["eks:DescribeNodegroup", "eks:DeleteNodegroup"],
               _member_wild("nodegroup", p, "NodegroupName"))),
    "eks:deleteCluster": Api(
        "arn:aws:states:::eks:deleteCluster", ("", ".sync"),
        lambda n: {"Name": n},
        lambda p, pat: on(["eks:DeleteCluster"] + (["eks:DescribeCluster"] if is_sync(pat) else []),
                          _cluster(p["Name"])),
        dynamic=(("Name",),)),
    "eks:deleteNodegroup": Api(
        "arn:aws:states:::eks:deleteNodegroup", ("", ".sync"),
        lambda n: {"ClusterName": n, "NodegroupName": f"{n}-ng"},
        lambda p, pat: on(["eks:DeleteNodegroup"] + (["eks:DescribeNodegroup"] if is_sync(pat) else []),
                          _member("nodegroup", p, "NodegroupName")),
        dynamic=(("ClusterName",), ("NodegroupName",)),
        wild=lambda p, pat: wild(["eks:DeleteNodegroup", "eks:DescribeNodegroup"],
                                 _member_wild("nodegroup", p, "NodegroupName"))),
    "eks:createFargateProfile": Api(
        "arn:aws:states:::eks:createFargateProfile", ("", ".sync"),
        lambda n: {"ClusterName": n, "FargateProfileName": f"{n}-fp",
                   "PodExecutionRoleArn": role(f"{n}-pod")},
        lambda p, pat: [("eks:CreateFargateProfile", _cluster(p["ClusterName"]), {}),
                        pass_role(p["PodExecutionRoleArn"], "eks.amazonaws.com")]
        + (on(["eks:DescribeFargateProfile", "eks:DeleteFargateProfile"],
              _member("fargateprofile", p, "FargateProfileName")) if is_sync(pat) else []),
        dynamic=(("ClusterName",), ("PodExecutionRoleArn",)),
        wild=lambda p, pat: wild(["eks:DescribeFargateProfile", "eks:DeleteFargateProfile"],
                                 _member_wild("fargateprofile", p, "FargateProfileName"))),
    "eks:deleteFargateProfile": Api(
        "arn:aws:states:::eks:deleteFargateProfile", ("", ".sync"),
        lambda n: {"ClusterName": n, "FargateProfileName": f"{n}-fp"},
        lambda p, pat: on(["eks:DeleteFargateProfile"]
                          + (["eks:DescribeFargateProfile"] if is_sync(pat) else []),
                          _member("fargateprofile", p, "FargateProfileName")),
        dynamic=(("FargateProfileName",),),
        wild=lambda p, pat: wild(["eks:DeleteFargateProfile", "eks:DescribeFargateProfile"],
                                 _member_wild("fargateprofile", p, "FargateProfileName"))),
    "eks:runJob": Api(
        "arn:aws:states:::eks:runJob", ("", ".sync"),
        lambda n: {"ClusterName": n, "CertificateAuthority": "Y2E=", "Endpoint": f"https://{n}.eks",
                   "Job": {"kind": "Job"}},
        lambda p, pat: [("eks:DescribeCluster", _cluster(p["ClusterName"]), {})],
        dynamic=(("ClusterName",),)),
    "eks:call": Api(
        "arn:aws:states:::eks:call", ("",),
        lambda n: {"ClusterName": n, "CertificateAuthority": "Y2E=", "Endpoint": f"https://{n}.eks",
                   "Method": "GET", "Path": "/api/v1/namespaces/default/pods"},
        lambda p, pat: [("eks:DescribeCluster", _cluster(p["ClusterName"]), {})],
        dynamic=(("ClusterName",),)),
})

# -------------------------------------------------------------------------------------------- EMR
# emr-iam.md (+ CURRENT-DOCS §3.5): a ClusterId names cluster/ID; createCluster on "*" and
# iam:PassRole on the service role (to EMR) and the instance-profile role (to EC2).

EMR = "elasticmapreduce"


def _emr_cluster(p: Params) -> str:
    return arn(EMR, f"cluster/{p['ClusterId']}")


def _emr(api: str, actions: tuple[str, ...], sync_actions: tuple[str, ...] = (),
         rule: str | None = None, extra: Params | None = None) -> Api:
    def needs(p: Params, pat: str) -> list[Need]:
        out = on([f"{EMR}:{a}" for a in (*actions, *(sync_actions if is_sync(pat) else ()))],
                 _emr_cluster(p))
        return out + (events_rule(rule) if is_sync(pat) and rule else [])

    return Api(f"arn:aws:states:::{EMR}:{api}", ("", ".sync") if sync_actions else ("",),
               lambda n: {"ClusterId": f"j-{n.upper()}", **(extra or {})}, needs,
               dynamic=(("ClusterId",),))


INTEGRATIONS.update({
    "emr:createCluster": Api(
        f"arn:aws:states:::{EMR}:createCluster", ("", ".sync"),
        lambda n: {"Name": n, "ServiceRole": f"{n}-svc", "JobFlowRole": f"{n}-ec2",
                   "ReleaseLabel": "emr-6.0.0", "Instances": {"KeepJobFlowAliveWhenNoSteps": True}},
        lambda p, pat: [(f"{EMR}:RunJobFlow", "*", {}),
                        pass_role(role(p["ServiceRole"]), "elasticmapreduce.amazonaws.com"),
                        pass_role(role(p["JobFlowRole"]), "ec2.amazonaws.com")]
        + (on([f"{EMR}:DescribeCluster", f"{EMR}:TerminateJobFlows"], arn(EMR, "cluster/j-NEW"))
           + events_rule("StepFunctionsGetEventForEMRRunJobFlowRule") if is_sync(pat) else []),
        dynamic=(("ServiceRole",), ("JobFlowRole",)),
        # RunJobFlow has no resource type; the .sync poll and cancel take the cluster (SAR
        # cluster*), whose ID is known only at run time (the template: "*"; issue 9)
        wild=lambda p, pat: wild([f"{EMR}:RunJobFlow"], "*")
        | wild([f"{EMR}:DescribeCluster", f"{EMR}:TerminateJobFlows"], arn(EMR, "cluster/*"))),
    "emr:addStep": _emr("addStep", ("AddJobFlowSteps",), ("DescribeStep", "CancelSteps"),
                        "StepFunctionsGetEventForEMRAddJobFlowStepsRule",
                        {"Step": {"Name": "s", "HadoopJarStep": {"Jar": "command-runner.jar"}}}),
    "emr:cancelStep": _emr("cancelStep", ("CancelSteps",), extra={"StepId": "s-1"}),
    "emr:setClusterTerminationProtection": _emr(
        "setClusterTerminationProtection", ("SetTerminationProtection",),
        extra={"TerminationProtected": True}),
    "emr:modifyInstanceFleetByName": _emr(
        "modifyInstanceFleetByName", ("ModifyInstanceFleet", "ListInstanceFleets"),
        extra={"InstanceFleetName": "core", "InstanceFleet": {"TargetOnDemandCapacity": 2}}),
    "emr:modifyInstanceGroupByName": _emr(
        "modifyInstanceGroupByName", ("ModifyInstanceGroups", "ListInstanceGroups"),
        extra={"InstanceGroupName": "core", "InstanceGroup": {"InstanceCount": 2}}),
    "emr:terminateCluster": _emr("terminateCluster", ("TerminateJobFlows",), ("DescribeCluster",),
                                 "StepFunctionsGetEventForEMRTerminateJobFlowsRule"),
})

# ------------------------------------------------------------------------------------ EMR on EKS
# emr-eks-iam.md (the service-linked role without the defective "An" prefix).


def _vc(p: Params, key: str) -> str:
    return arn("emr-containers", f"/virtualclusters/{p[key]}")


INTEGRATIONS.update({
    "emr-containers:createVirtualCluster": Api(
        "arn:aws:states:::emr-containers:createVirtualCluster", ("",),
        lambda n: {"Name": n, "ContainerProvider": {"Id": n, "Type": "EKS",
                                                    "Info": {"EksInfo": {"Namespace": "ns"}}}},
        lambda p, pat: [("emr-containers:CreateVirtualCluster", "*", {}),
                        ("iam:CreateServiceLinkedRole",
                         f"arn:aws:iam::{acct()}:role/aws-service-role/emr-containers.amazonaws.com/"
                         "AWSServiceRoleForAmazonEMRContainers",
                         {"iam:AWSServiceName": "emr-containers.amazonaws.com"})],
        wild=lambda p, pat: wild(["emr-containers:CreateVirtualCluster"], "*")),
    "emr-containers:deleteVirtualCluster": Api(
        "arn:aws:states:::emr-containers:deleteVirtualCluster", ("", ".sync"),
        lambda n: {"Id": n.replace("-", "")},
        lambda p, pat: on(["emr-containers:DeleteVirtualCluster"]
                          + (["emr-containers:DescribeVirtualCluster"] if is_sync(pat) else []),
                          _vc(p, "Id")),
        dynamic=(("Id",),)),
    "emr-containers:startJobRun": Api(
        "arn:aws:states:::emr-containers:startJobRun", ("", ".sync"),
        lambda n: {"VirtualClusterId": n.replace("-", ""), "ExecutionRoleArn": role(f"{n}-job"),
                   "ReleaseLabel": "emr-6.2.0-latest", "JobDriver": {"SparkSubmitJobDriver": {}}},
        lambda p, pat: [("emr-containers:StartJobRun", _vc(p, "VirtualClusterId"),
                         {"emr-containers:ExecutionRoleArn": p["ExecutionRoleArn"]})]
        + (on(["emr-containers:DescribeJobRun", "emr-containers:CancelJobRun"],
              _vc(p, "VirtualClusterId") + "/jobruns/0000000abc") if is_sync(pat) else []),
        dynamic=(("VirtualClusterId",), ("ExecutionRoleArn",)),
        wild=lambda p, pat: wild(["emr-containers:DescribeJobRun", "emr-containers:CancelJobRun"],
                                 _vc(p, "VirtualClusterId") + "/jobruns/*")),
})

# ------------------------------------------------------------------------------------ EventBridge
# eventbridge-iam.md: PutEvents on the bus of each entry.

INTEGRATIONS["events:putEvents"] = Api(
    "arn:aws:states:::events:putEvents", ("", ".waitForTaskToken"),
    lambda n: {"Entries": [{"Detail": {"a": 1}, "DetailType": "t", "Source": "s", "EventBusName": n},
                           {"Detail": {"b": 2}, "DetailType": "t", "Source": "s"}]},
    lambda p, pat: [("events:PutEvents", arn("events", f"event-bus/{e.get('EventBusName', 'default')}"), {})
                    for e in p["Entries"]],
    dynamic=(("Entries", 0, "EventBusName"), ("Entries",)))

# -------------------------------------------------------------------------------------- SageMaker
# sagemaker-iam.md (CreateTrainingJob, CreateTransformJob: NAME* prefix, ListTags on "*",
# iam:PassRole to sagemaker.amazonaws.com). CreateTransformJob takes no role, so it passes none.
# The other jobs: no template, the same shape; their EventBridge rule names are not in the
# templates (optional). Hosting APIs: no template, the API's action on its resource.

SM_TO = "sagemaker.amazonaws.com"
SM_EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")


def _sm_job(api: str, rtype: str, key: str, role_key: Path | None, rule: str | None) -> Api:
    def params(n: str) -> Params:
        p: Params = {key: n, "Spec": {"k": "v"}}
        if role_key == ("RoleArn",):
            p["RoleArn"] = role(f"{n}-sm")
        elif role_key:
            p["TrainingJobDefinition"] = {"RoleArn": role(f"{n}-sm")}
        return p

    def needs(p: Params, pat: str) -> list[Need]:
        job = arn("sagemaker", f"{rtype}/{p[key]}")
        out = on([f"sagemaker:Create{api}"] + ([f"sagemaker:Describe{api}", f"sagemaker:Stop{api}"]
                                               if is_sync(pat) else []), job)
        out.append(("sagemaker:ListTags", job, {}))
        if role_key:
            role_arn = p["RoleArn"] if role_key == ("RoleArn",) else p["TrainingJobDefinition"]["RoleArn"]
            out.append(pass_role(role_arn, SM_TO))
        if is_sync(pat) and rule:
            out += events_rule(rule)
        return out

    return Api(f"arn:aws:states:::sagemaker:create{api}", ("", ".sync"), params, needs,
               dynamic=((key,), *((role_key,) if role_key else ())),
               wild=lambda p, pat: wild([f"sagemaker:Create{api}", f"sagemaker:Describe{api}",
                                         f"sagemaker:Stop{api}"],
                                        arn("sagemaker", f"{rtype}/{p[key]}*"))
               | wild(["sagemaker:ListTags"], "*"),
               optional=() if rule else SM_EVENTS)


def _sm_hosting(api: str, named: tuple[tuple[str, str], ...], role_key: str | None,
                list_tags: bool = True) -> Api:
    def params(n: str) -> Params:
        p: Params = {key: n if i == 0 else f"{n}-cfg" for i, (key, _) in enumerate(named)}
        if role_key:
            p[role_key] = role(f"{n}-model")
        return p

    def needs(p: Params, pat: str) -> list[Need]:
        key, rtype = named[0]
        out = [(f"sagemaker:{api}", arn("sagemaker", f"{rtype}/{p[key]}"), {})]
        return out + ([pass_role(p[role_key], SM_TO)] if role_key else [])

    return Api(f"arn:aws:states:::sagemaker:{api[0].lower()}{api[1:]}", ("",), params, needs,
               dynamic=((named[0][0],), *(((role_key,),) if role_key else ())),
               wild=lambda p, pat: wild(["sagemaker:ListTags"], "*"),
               optional=("sagemaker:ListTags",) if list_tags else ())


INTEGRATIONS.update({
    "sagemaker:createTrainingJob": _sm_job(
        "TrainingJob", "training-job", "TrainingJobName", ("RoleArn",),
        "StepFunctionsGetEventsForSageMakerTrainingJobsRule"),
    "sagemaker:createTransformJob": _sm_job(
        "TransformJob", "transform-job", "TransformJobName", None,
        "StepFunctionsGetEventsForSageMakerTransformJobsRule"),
    "sagemaker:createProcessingJob": _sm_job(
        "ProcessingJob", "processing-job", "ProcessingJobName", ("RoleArn",), None),
    "sagemaker:createLabelingJob": _sm_job(
        "LabelingJob", "labeling-job", "LabelingJobName", ("RoleArn",), None),
    "sagemaker:createHyperParameterTuningJob": _sm_job(
        "HyperParameterTuningJob", "hyper-parameter-tuning-job", "HyperParameterTuningJobName",
        ("TrainingJobDefinition", "RoleArn"), None),
    "sagemaker:createModel": _sm_hosting("CreateModel", (("ModelName", "model"),), "ExecutionRoleArn"),
    "sagemaker:createEndpointConfig": _sm_hosting(
        "CreateEndpointConfig", (("EndpointConfigName", "endpoint-config"),), None),
    "sagemaker:createEndpoint": _sm_hosting(
        "CreateEndpoint", (("EndpointName", "endpoint"), ("EndpointConfigName", "endpoint-config")),
        None),
    "sagemaker:updateEndpoint": _sm_hosting(
        "UpdateEndpoint", (("EndpointName", "endpoint"), ("EndpointConfigName", "endpoint-config")),
        None, list_tags=False),
})

# ---------------------------------------------------------------------------------- Step Functions
# stepfunctions-iam.md (+ CURRENT-DOCS §3.2).

INTEGRATIONS["states:startExecution"] = Api(
    "arn:aws:states:::states:startExecution", ("", ".sync", ".sync:2", ".waitForTaskToken"),
    lambda n: {"StateMachineArn": arn("states", f"stateMachine:{n}"), "Input": {"k": "v"}},
    lambda p, pat: [("states:StartExecution", p["StateMachineArn"], {})] + (
        on(["states:DescribeExecution", "states:StopExecution"],
           p["StateMachineArn"].replace(":stateMachine:", ":execution:") + ":run-1")
        + events_rule("StepFunctionsGetEventsForStepFunctionsExecutionRule") if is_sync(pat) else []),
    dynamic=(("StateMachineArn",),),
    wild=lambda p, pat: wild(["states:DescribeExecution", "states:StopExecution"],
                             p["StateMachineArn"].replace(":stateMachine:", ":execution:") + ":*"))


# ---------------------------------------------------------------------------------------- Bedrock
# CURRENT-DOCS §3.9 (connect-bedrock.html). InvokeModel on the model called: a foundation model
# (empty account field) or a provisioned model; the full-access form (foundation-model/* and
# provisioned-model/*) only for a dynamic ModelId. Input.S3Uri / Output.S3Uri are read and
# written, and a guardrail applied, with the execution role ([OBS/CDK]: s3:GetObject,
# s3:PutObject, bedrock:ApplyGuardrail). CreateModelCustomizationJob on the base model, the new
# custom model and the job (both named at run time: custom-model/*, model-customization-job/*);
# .sync polls and stops the job (no events rule); iam:PassRole on RoleArn. .waitForTaskToken:
# the integrations table lists it, the page does not (§11.1): authorised as request-response.
# Inference profiles postdate the template: a call through a cross-Region profile is authorised
# on the profile and on the foundation model in the destination region (Bedrock User Guide,
# "Prerequisites for inference profiles"); any destination region is the template-like wildcard.
# Static only: a dynamic ModelId gets the template's full-access form, which does not cover a
# profile chosen at run time (the dynamic-resource warning names what is granted).

BEDROCK_BODY = {"inputText": "Summarise this.", "textGenerationConfig": {"maxTokenCount": 64}}
CUSTOM_MODEL = "custom-model/amazon.titan-text-express-v1:0:8k/0a1b2c3d4e5f"
CUSTOMIZATION_JOB = "model-customization-job/amazon.titan-text-express-v1:0:8k/9f8e7d6c5b4a"


def _foundation(model_id: str, region: str = R) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def _invoke(model: Callable[[str], str], resources: Callable[[str], list[str]],
            patterns: tuple[str, ...] = ("",),
            wild_models: Callable[[str], list[str]] = lambda m: [],
            dynamic: bool = True) -> Api:
    return Api(
        "arn:aws:states:::bedrock:invokeModel", patterns,
        lambda n: {"ModelId": model(n), "Body": BEDROCK_BODY},
        lambda p, pat: [("bedrock:InvokeModel", r, {}) for r in resources(p["ModelId"])],
        dynamic=(("ModelId",),) if dynamic else (),
        wild=lambda p, pat: wild(["bedrock:InvokeModel"], *wild_models(p["ModelId"])))


def _profile_models(profile_id: str) -> list[str]:
    return [_foundation(profile_id.split(".", 1)[1], region="us-west-2")]


def _bedrock_s3_needs(p: Params, pat: str) -> list[Need]:
    def obj(uri: str) -> str:
        return "arn:aws:s3:::" + uri.removeprefix("s3://")

    return [("bedrock:InvokeModel", _foundation(p["ModelId"]), {}),
            ("s3:GetObject", obj(p["Input"]["S3Uri"]), {}),
            ("s3:PutObject", obj(p["Output"]["S3Uri"]), {}),
            ("bedrock:ApplyGuardrail", arn("bedrock", f"guardrail/{p['GuardrailIdentifier']}"), {})]


def _customization(base: Callable[[str], str], base_needs: Callable[[str], list[str]],
                   patterns: tuple[str, ...]) -> Api:
    def needs(p: Params, pat: str) -> list[Need]:
        resources = [*base_needs(p["BaseModelIdentifier"]), arn("bedrock", CUSTOM_MODEL),
                     arn("bedrock", CUSTOMIZATION_JOB)]
        out: list[Need] = [("bedrock:CreateModelCustomizationJob", r, {}) for r in resources]
        if is_sync(pat):
            out += on(["bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"],
                      arn("bedrock", CUSTOMIZATION_JOB))
        return [*out, pass_role(p["RoleArn"], "bedrock.amazonaws.com")]

    return Api(
        "arn:aws:states:::bedrock:createModelCustomizationJob", patterns,
        lambda n: {"BaseModelIdentifier": base(n), "CustomModelName": f"{n}-custom",
                   "JobName": f"{n}-job", "RoleArn": role(f"{n}-bedrock"),
                   "HyperParameters": {"epochCount": "1"},
                   "TrainingDataConfig": {"S3Uri": "s3://training-bucket/train.jsonl"},
                   "OutputDataConfig": {"S3Uri": "s3://output-bucket/"}},
        needs, dynamic=(("BaseModelIdentifier",), ("RoleArn",)),
        wild=lambda p, pat: wild(["bedrock:CreateModelCustomizationJob"],
                                 arn("bedrock", "custom-model/*"),
                                 arn("bedrock", "model-customization-job/*"))
        | wild(["bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"],
               arn("bedrock", "model-customization-job/*")))


INTEGRATIONS.update({
    "bedrock:invokeModel": _invoke(lambda n: f"amazon.{n}-v1", lambda m: [_foundation(m)],
                                   ("", ".waitForTaskToken")),
    "bedrock:invokeModel (provisioned model ARN)": _invoke(
        lambda n: arn("bedrock", f"provisioned-model/{n}"), lambda m: [m]),
    "bedrock:invokeModel (inference profile)": _invoke(
        lambda n: f"us.amazon.{n}-v1",
        lambda m: [arn("bedrock", f"inference-profile/{m}"), *_profile_models(m)],
        wild_models=lambda m: [f"arn:aws:bedrock:*::foundation-model/{m.split('.', 1)[1]}"],
        dynamic=False),
    "bedrock:invokeModel (inference profile ARN)": _invoke(
        lambda n: arn("bedrock", f"inference-profile/us.amazon.{n}-v1"),
        lambda m: [m, *_profile_models(m.split("/", 1)[1])],
        wild_models=lambda m: [f"arn:aws:bedrock:*::foundation-model/{m.split('/us.', 1)[1]}"],
        dynamic=False),
    "bedrock:invokeModel (S3 and guardrail)": Api(
        "arn:aws:states:::bedrock:invokeModel", ("", ".waitForTaskToken"),
        lambda n: {"ModelId": "amazon.titan-text-express-v1",
                   "Input": {"S3Uri": f"s3://prompts-bucket/{n}/prompt.json"},
                   "Output": {"S3Uri": f"s3://results-bucket/out/{n}.json"},
                   "GuardrailIdentifier": n, "GuardrailVersion": "1"},
        _bedrock_s3_needs,
        dynamic=(("Input", "S3Uri"), ("Output", "S3Uri"), ("GuardrailIdentifier",))),
    "bedrock:createModelCustomizationJob": _customization(
        lambda n: f"amazon.{n}-v1", lambda m: [_foundation(m)], ("", ".sync", ".waitForTaskToken")),
    # "Custom base model: same, but without the foundation-model ARN" (custom-model/* has it)
    "bedrock:createModelCustomizationJob (custom base model)": _customization(
        lambda n: arn("bedrock", f"custom-model/{n}"), lambda m: [m], ("", ".sync")),
})

# --------------------------------------------------------------------------------- EMR Serverless
# CURRENT-DOCS §3.8 (connect-emr-serverless.html). An application is
# arn:aws:emr-serverless:R:A:/applications/ID, its job runs .../jobruns/RUN. CreateApplication
# on :/* (the ID is made by the call; the same for static and dynamic input) and the
# service-linked role; .sync polls and deletes /applications/* (the template's) with the
# application rule. Start/Stop/DeleteApplication: the action on the application, .sync adds
# GetApplication (StartApplication: and StopApplication) and the application rule. StartJobRun:
# on the application, iam:PassRole to emr-serverless, .sync Get/CancelJobRun on its job runs
# (jobruns/*) and the job rule. CancelJobRun on the job run, .sync GetJobRun and the job rule.

ESV = "emr-serverless"
ESV_APP_RULE = "StepFunctionsGetEventsForEMRServerlessApplicationRule"
ESV_JOB_RULE = "StepFunctionsGetEventsForEMRServerlessJobRule"


def _esv_id(n: str) -> str:
    return "00" + n.replace("-", "")  # lowercase letters and digits


def _esv_app(p: Params) -> str:
    return arn(ESV, f"/applications/{p['ApplicationId']}")


def _esv_slr() -> str:
    return (f"arn:aws:iam::{acct()}:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
            "AWSServiceRoleForAmazonEMRServerless")


def _esv_app_api(api: str, sync_actions: tuple[str, ...]) -> Api:
    return Api(
        f"arn:aws:states:::{ESV}:{api[0].lower()}{api[1:]}", ("", ".sync"),
        lambda n: {"ApplicationId": _esv_id(n)},
        lambda p, pat: on([f"{ESV}:{api}", *(sync_actions if is_sync(pat) else ())], _esv_app(p))
        + (events_rule(ESV_APP_RULE) if is_sync(pat) else []),
        dynamic=(("ApplicationId",),))


INTEGRATIONS.update({
    "emr-serverless:createApplication": Api(
        f"arn:aws:states:::{ESV}:createApplication", ("", ".sync"),
        lambda n: {"Name": n, "ReleaseLabel": "emr-6.9.0", "Type": "SPARK"},
        lambda p, pat: [(f"{ESV}:CreateApplication", arn(ESV, "/applications/00newapp"), {}),
                        ("iam:CreateServiceLinkedRole", _esv_slr(),
                         {"iam:AWSServiceName": "ops.emr-serverless.amazonaws.com"})]
        + (on([f"{ESV}:GetApplication", f"{ESV}:DeleteApplication"],
              arn(ESV, "/applications/00newapp")) + events_rule(ESV_APP_RULE)
           if is_sync(pat) else []),
        dynamic=(("Name",), ("ReleaseLabel",)),
        wild=lambda p, pat: wild([f"{ESV}:CreateApplication"], arn(ESV, "/*"))
        | wild([f"{ESV}:GetApplication", f"{ESV}:DeleteApplication"], arn(ESV, "/applications/*"))
        | wild(["iam:CreateServiceLinkedRole"], _esv_slr() + "*")),
    "emr-serverless:startApplication": _esv_app_api(
        "StartApplication", (f"{ESV}:GetApplication", f"{ESV}:StopApplication")),
    "emr-serverless:stopApplication": _esv_app_api("StopApplication", (f"{ESV}:GetApplication",)),
    "emr-serverless:deleteApplication": _esv_app_api("DeleteApplication",
                                                     (f"{ESV}:GetApplication",)),
    "emr-serverless:startJobRun": Api(
        f"arn:aws:states:::{ESV}:startJobRun", ("", ".sync"),
        lambda n: {"ApplicationId": _esv_id(n), "ExecutionRoleArn": role(f"{n}-job"),
                   "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://code-bucket/job.py"}}},
        lambda p, pat: [(f"{ESV}:StartJobRun", _esv_app(p), {}),
                        pass_role(p["ExecutionRoleArn"], "emr-serverless.amazonaws.com")]
        + (on([f"{ESV}:GetJobRun", f"{ESV}:CancelJobRun"], _esv_app(p) + "/jobruns/00run1")
           + events_rule(ESV_JOB_RULE) if is_sync(pat) else []),
        dynamic=(("ApplicationId",), ("ExecutionRoleArn",)),
        wild=lambda p, pat: wild([f"{ESV}:GetJobRun", f"{ESV}:CancelJobRun"],
                                 _esv_app(p) + "/jobruns/*")),
    "emr-serverless:cancelJobRun": Api(
        f"arn:aws:states:::{ESV}:cancelJobRun", ("", ".sync"),
        lambda n: {"ApplicationId": _esv_id(n), "JobRunId": _esv_id(n) + "run"},
        lambda p, pat: on([f"{ESV}:CancelJobRun", *([f"{ESV}:GetJobRun"] if is_sync(pat) else [])],
                          f"{_esv_app(p)}/jobruns/{p['JobRunId']}")
        + (events_rule(ESV_JOB_RULE) if is_sync(pat) else []),
        dynamic=(("ApplicationId",), ("JobRunId",))),
})
# the job run of a known application (the name in JobRunId only)
INTEGRATIONS["emr-serverless:cancelJobRun (job run)"] = replace(
    INTEGRATIONS["emr-serverless:cancelJobRun"],
    params=lambda n: {"ApplicationId": "00fixedapp", "JobRunId": _esv_id(n)},
    dynamic=(("JobRunId",),))

# ----------------------------------------------------------------------------------- MediaConvert
# CURRENT-DOCS §3.10 (connect-mediaconvert.html): "partial support for resource-level access
# control, you must use "Resource": "*"": CreateJob (a job, in a queue), .sync GetJob and
# CancelJob on it and the MediaConvert rule. iam:PassRole passes the job's Role to MediaConvert
# (the template's PassRole is on "*"; the call passes exactly that role, §3.10 [INF] / §11.5).

MC_JOB = "jobs/1700000000000-a1b2c3"
INTEGRATIONS["mediaconvert:createJob"] = Api(
    "arn:aws:states:::mediaconvert:createJob", ("", ".sync"),
    lambda n: {"Role": role(f"{n}-mc"),
               "Settings": {"Inputs": [{"FileInput": f"s3://input-bucket/{n}.mp4"}],
                            "OutputGroups": [{"OutputGroupSettings": {
                                "Type": "FILE_GROUP_SETTINGS",
                                "FileGroupSettings": {"Destination": "s3://output-bucket/"}}}]}},
    lambda p, pat: [("mediaconvert:CreateJob", arn("mediaconvert", MC_JOB), {}),
                    ("mediaconvert:CreateJob", arn("mediaconvert", "queues/Default"), {}),
                    pass_role(p["Role"], "mediaconvert.amazonaws.com")]
    + (on(["mediaconvert:GetJob", "mediaconvert:CancelJob"], arn("mediaconvert", MC_JOB))
       + events_rule("StepFunctionsGetEventsForMediaConvertJobRule") if is_sync(pat) else []),
    dynamic=(("Role",),),
    # CreateJob on "*" (template); GetJob / CancelJob on the job (SAR Job*), its ID known only
    # at run time: jobs/* (issue 9)
    wild=lambda p, pat: wild(["mediaconvert:CreateJob"], "*")
    | wild(["mediaconvert:GetJob", "mediaconvert:CancelJob"], arn("mediaconvert", "jobs/*")))

# ---------------------------------------------------------------------------------- HTTP Task
# CURRENT-DOCS §3.11 (call-https-apis.html): states:InvokeHTTPEndpoint on the state machine
# itself, in the request context of the call (states:HTTPMethod, states:HTTPEndpoint: the URL
# called, query parameters appended); events:RetrieveConnectionCredentials on the connection
# (InvocationConfig, or the legacy Authentication); secretsmanager:GetSecretValue and
# DescribeSecret on the connection's secret, events!connection/NAME/UUID-SUFFIX in the
# connection's region and account (the console's scope, events!connection/NAME/*, [OBS]).

HTTP_METHODS = ("GET", "POST", "PUT")
CONNECTION_ID = "81210c42-8af1-456b-9c4a-6ff02fc664ac"
SECRET_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
_FORMAT_LITERAL = re.compile(r"States\.Format\('(.*)(?<!\\)\{\}'")


def _connection(p: Params) -> tuple[str, str, str]:
    """(connection ARN, its secret, the console's secret scope) of the call."""
    conn = (p.get("InvocationConfig") or p["Authentication"])["ConnectionArn"]
    parts = conn.split(":")
    name = parts[5].split("/")[1]
    secret = f"arn:aws:secretsmanager:{parts[3]}:{parts[4]}:secret:events!connection/{name}/"
    return conn, secret + f"{CONNECTION_ID}-AbCdEf", secret + "*"


def _url(p: Params) -> str:
    if "ApiEndpoint.$" in p:  # States.Format('https://host/path/{}', $.id), called with id 42
        m = _FORMAT_LITERAL.match(p["ApiEndpoint.$"])
        assert m
        url = re.sub(r"\\(.)", r"\1", m.group(1)) + "42"  # \{ and \} are literal braces
    else:
        url = p["ApiEndpoint"]
    query = p.get("QueryParameters")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _http_needs(p: Params, pat: str) -> list[Need]:
    conn, secret, _ = _connection(p)
    return [("states:InvokeHTTPEndpoint", SM_ARN,
             {"states:HTTPMethod": p["Method"], "states:HTTPEndpoint": _url(p)}),
            ("events:RetrieveConnectionCredentials", conn, {}),
            *on(SECRET_ACTIONS, secret)]


def _http(params: Callable[[str], Params], dynamic: tuple[Path, ...]) -> Api:
    return Api("arn:aws:states:::http:invoke", ("",), params, _http_needs, dynamic=dynamic,
               wild=lambda p, pat: wild(SECRET_ACTIONS, _connection(p)[2]))


INTEGRATIONS.update({
    "http:invoke": _http(
        lambda n: {"ApiEndpoint": f"https://api.example.com/v1/{n}",
                   "Method": HTTP_METHODS[len(n) % 3],  # (a dynamic method: another one)
                   "InvocationConfig": {"ConnectionArn": arn("events",
                                                             f"connection/{n}/{CONNECTION_ID}")}},
        (("ApiEndpoint",), ("Method",), ("InvocationConfig", "ConnectionArn"))),
    # query parameters are appended to the URL; the legacy Authentication field; a connection
    # in another region and account (its secret is there too)
    "http:invoke (query, Authentication)": _http(
        lambda n: {"ApiEndpoint": f"https://api.example.com/{n}/items", "Method": "GET",
                   "QueryParameters": {"page": "2"},
                   "Authentication": {"ConnectionArn": arn(
                       "events", f"connection/Partner/{CONNECTION_ID}", region="eu-west-1",
                       account="111122223333")}},
        (("ApiEndpoint",),)),
    # the docs' dynamic endpoint: States.Format with a literal host and path before the value
    "http:invoke (States.Format endpoint)": _http(
        lambda n: {"ApiEndpoint.$": "States.Format('https://api.example.com/"
                   + re.sub(r"([{}])", r"\\\1", n) + "/{}', $.id)",  # literal braces: \{ \}
                   "Method": "DELETE",
                   "InvocationConfig": {"ConnectionArn": arn("events",
                                                             f"connection/Stripe/{CONNECTION_ID}")}},
        ()),
})

# ------------------------------------------------------------------------ Distributed Map and S3
# CURRENT-DOCS §4 (iam-policies-eg-dist-map.html): the Map Run starts, describes, stops and
# redrives child executions of the machine itself; the ItemReader reads and the ResultWriter
# writes S3. Children are execution:Main/LABEL:ID (§4.2, observed form).


def _dmap_needs(label: str | None) -> list[Need]:
    child = arn("states", f"execution:{MACHINE}/{label or 'run'}:child-1")
    return [("states:StartExecution", SM_ARN, {}),
            *on(["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"], child)]


def _dmap_wild(label: str | None) -> set[tuple[str, str]]:
    base = arn("states", f"execution:{MACHINE}")
    return (wild(["states:DescribeExecution", "states:StopExecution"], base + ":*", base + "/*")
            | wild(["states:RedriveExecution"], f"{base}/{label or '*'}:*"))


@dataclass(frozen=True)
class S3Api:
    resource: str
    params: Callable[[str], Params]
    needs: Callable[[Params], list[Need]]
    dynamic: tuple[Path, ...]
    wild: Callable[[Params], set[tuple[str, str]]] = field(default=lambda p: set())
    config: dict[str, Any] = field(default_factory=dict)


def _obj(p: Params, key: str) -> str:
    return f"arn:aws:s3:::{p['Bucket']}/{key}"


WRITER_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                  "s3:AbortMultipartUpload")
READERS: dict[str, S3Api] = {
    "s3:getObject": S3Api(
        "arn:aws:states:::s3:getObject",
        lambda n: {"Bucket": f"{n}-in", "Key": f"{n}/items.json"},
        lambda p: [("s3:GetObject", _obj(p, p["Key"]), {})],
        (("Bucket",), ("Key",)), config={"ReaderConfig": {"InputType": "JSON"}}),
    "s3:listObjectsV2": S3Api(
        "arn:aws:states:::s3:listObjectsV2",
        lambda n: {"Bucket": f"{n}-in", "Prefix": f"{n}/"},
        lambda p: [("s3:ListBucket", f"arn:aws:s3:::{p['Bucket']}", {"s3:prefix": p["Prefix"]}),
                   ("s3:GetObject", _obj(p, p["Prefix"] + "a.json"), {})],
        (("Bucket",), ("Prefix",)),
        wild=lambda p: wild(["s3:GetObject"], _obj(p, p["Prefix"] + "*"))),
}
WRITER = S3Api(
    "arn:aws:states:::s3:putObject",
    lambda n: {"Bucket": f"{n}-out", "Prefix": f"{n}/results"},
    lambda p: on(WRITER_ACTIONS, _obj(p, p["Prefix"] + "/0a1b/SUCCEEDED_0.json")),
    (("Bucket",), ("Prefix",)),
    wild=lambda p: wild(WRITER_ACTIONS, _obj(p, p["Prefix"] + "/*")))


# --------------------------------------------------------------------------------- dynamic values

DYNAMIC_JSONPATH = ["$.target", "$$.Execution.Input.target", "States.Format('{}', $.t)", "$var",
                    "States.ArrayGetItem($.xs, 0)"]
DYNAMIC_JSONATA = ["{% $states.input.target %}", "{% $var %}", "{% $states.context.Execution.Name %}"]
UNRESOLVED = "${NotGiven}"


@dataclass
class Built:
    body: dict[str, Any]
    needs: list[Need] = field(default_factory=list)
    #: (action, wildcard resource) the templates prescribe for the calls made
    wild: set[tuple[str, str]] = field(default_factory=set)
    #: actions whose resource a dynamic value decides: any wildcard is allowed for them
    dynamic_actions: set[str] = field(default_factory=set)
    optional: set[str] = field(default_factory=set)
    substitutions: dict[str, str] = field(default_factory=dict)
    #: (action, resource, context) the policy must not allow
    forbidden: list[Need] = field(default_factory=list)
    #: Tasks run as another role (``Credentials.RoleArn``): the key of
    #: ``result.target_policies`` (the role ARN, ``*`` when dynamic) -> what that role needs
    targets: dict[str, Built] = field(default_factory=dict)
    #: ``generate_policy`` keywords of the machine's settings (xray, logging, kms_key)
    settings: dict[str, Any] = field(default_factory=dict)

    def add(self, other: Built) -> None:
        self.needs += other.needs
        self.wild |= other.wild
        self.dynamic_actions |= other.dynamic_actions
        self.optional |= other.optional
        self.substitutions.update(other.substitutions)
        self.forbidden += other.forbidden
        for key, target in other.targets.items():
            self.targets.setdefault(key, Built({})).add(target)


def _get(node: Any, path: Path) -> Any:
    for step in path:
        node = node[step]
    return node


def _set(node: Any, path: Path, value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


@st.composite
def _values(draw: st.DrawFn, api_params: Callable[[str], Params], dyn_paths: tuple[Path, ...],
            jsonata: bool, out: Built) -> tuple[Params, Params, Params]:
    """``(parameters as written, as called at run time, as they would be all static)``."""
    name = draw(names)
    written = copy.deepcopy(api_params(name))  # builders may share nested constants
    static = copy.deepcopy(written)
    runtime = copy.deepcopy(written)
    later = api_params("rt" + name)  # a dynamic value resolves to another resource at run time
    for path in dyn_paths:
        if not draw(st.booleans()):
            continue
        kind = draw(st.sampled_from(["expr", "expr", "placeholder"]))
        _set(runtime, path, copy.deepcopy(_get(later, path)))
        parent, key = _get(written, path[:-1]), path[-1]
        if kind == "placeholder":
            parent[key] = UNRESOLVED
        elif jsonata:
            parent[key] = draw(st.sampled_from(DYNAMIC_JSONATA))
        else:
            del parent[key]
            assert isinstance(key, str)
            parent[key + ".$"] = draw(st.sampled_from(DYNAMIC_JSONPATH))
    # a static string may come from a placeholder given with --substitute
    for path in _string_paths(written):
        if draw(st.integers(0, 7)) == 0:
            value = _get(written, path)
            ph = "P" + hashlib.sha1(value.encode()).hexdigest()[:10]  # one name per value
            out.substitutions[ph] = value
            _set(written, path, "${" + ph + "}")
    return written, runtime, static


def _string_paths(node: Any, prefix: Path = ()) -> list[Path]:
    if isinstance(node, dict):
        return [p for k, v in node.items() if not str(k).endswith(".$") and k != "__resource__"
                for p in _string_paths(v, (*prefix, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _string_paths(v, (*prefix, i))]
    if isinstance(node, str) and not node.startswith(("{%", "${")):
        return [prefix]
    return []


def _needs_diff(before: list[Need], after: list[Need]) -> set[str]:
    return {a.lower() for a, _, _ in set(map(_freeze, before)) ^ set(map(_freeze, after))}


def _freeze(n: Need) -> tuple[str, str, str]:
    return n[0], n[1], json.dumps(n[2], sort_keys=True)


# ----------------------------------------------------------------------- cross-account Tasks
# CURRENT-DOCS §9.1: with Credentials.RoleArn the Task runs as that role. The execution role
# needs sts:AssumeRole on it (on any role when the RoleArn is dynamic) and nothing of the call;
# the target role needs the call's permissions, polling included, with names in its account.

OTHER = "111122223333"


@st.composite
def task_state(draw: st.DrawFn, jsonata: bool) -> Built:
    key = draw(st.sampled_from(sorted(INTEGRATIONS)))
    api = INTEGRATIONS[key]
    pattern = draw(st.sampled_from(api.patterns))
    # Not the HTTP Task: its InvokeHTTPEndpoint is on the state machine itself, and the docs
    # say nothing of running it as another role.
    creds = None if key.startswith("http:") else draw(
        st.sampled_from([None, None, None, None, "static", "dynamic"]))
    if creds is None:
        return draw(_call(api, pattern, jsonata))
    account = draw(st.sampled_from([OTHER, A])) if creds == "static" else A
    with in_account(account):
        call = draw(_call(api, pattern, jsonata))
    out = Built(call.body, substitutions=call.substitutions)
    call.substitutions = {}
    if creds == "static":
        target = f"arn:aws:iam::{account}:role/{draw(st.sampled_from(['Deployer', 'Reader']))}"
        out.body["Credentials"] = {"RoleArn": target}
        out.needs = [("sts:AssumeRole", target, {})]
    else:
        # The names of a dynamic role's Task are completed in an unknown account ("*": the
        # role, and so the account the call is made in, is known only at run time). The
        # call's needs, written here in this account, must be allowed; every wildcard of
        # that target policy is caused by the dynamic role.
        call.dynamic_actions |= {a.lower() for a, _, _ in call.needs} | call.optional
        out.body["Credentials"] = ({"RoleArn": "{% $states.input.role %}"} if jsonata
                                   else {"RoleArn.$": draw(st.sampled_from(DYNAMIC_JSONPATH))})
        out.needs = [("sts:AssumeRole", role("rt-target"), {})]
        out.dynamic_actions = {"sts:assumerole"}
        target = "*"
    out.targets = {target: call}
    return out


@st.composite
def _call(draw: st.DrawFn, api: Api, pattern: str, jsonata: bool) -> Built:
    out = Built({})
    written, runtime, static = draw(_values(api.params, api.dynamic, jsonata, out))
    # (a function ARN used as the Resource: the parameters carry it for ``needs``)
    resource = written.pop("__resource__", None)
    if resource is None:
        assert isinstance(api.resource, str)
        resource = api.resource + pattern
    body: dict[str, Any] = {"Type": "Task", "Resource": resource}
    if written:
        body["Arguments" if jsonata else "Parameters"] = written
    if draw(st.booleans()):
        body["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]
    out.body = body
    out.needs = api.needs(runtime, pattern)
    out.wild = api.wild(runtime, pattern) | api.wild(static, pattern)
    out.dynamic_actions = _needs_diff(api.needs(static, pattern), out.needs)
    out.optional = {a.lower() for a in api.optional}
    return out


@st.composite
def s3_block(draw: st.DrawFn, api: S3Api, jsonata: bool) -> Built:
    out = Built({})
    written, runtime, static = draw(_values(api.params, api.dynamic, jsonata, out))
    out.body = {"Resource": api.resource, ("Arguments" if jsonata else "Parameters"): written,
                **api.config}
    out.needs = api.needs(runtime)
    out.wild = api.wild(runtime) | api.wild(static)
    out.dynamic_actions = _needs_diff(api.needs(static), out.needs)
    return out


SIMPLE = [
    {"Type": "Pass"},
    {"Type": "Pass", "Parameters": {"FunctionName": "not-a-task", "x.$": "$.y"}},
    {"Type": "Wait", "Seconds": 1},
    {"Type": "Succeed"},
    {"Type": "Fail", "Error": "E"},
    {"Type": "Task", "Resource": f"arn:aws:states:{R}:{A}:activity:worker"},
]


@st.composite
def states_block(draw: st.DrawFn, depth: int, jsonata: bool) -> Built:
    """A {StartAt, States} block of 1..4 states, with Parallel and Map nested up to ``depth``."""
    n = draw(st.integers(1, 4))
    states: dict[str, Any] = {}
    acc = Built({})
    for i in range(n):
        kinds = ["task", "task", "simple", "choice"] + (["parallel", "map", "dmap"] if depth > 0 else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "task":
            # a JSONPath machine may run single states in JSONata
            own = jsonata or draw(st.integers(0, 4)) == 0
            b = draw(task_state(own))
            if own and not jsonata:
                b.body["QueryLanguage"] = "JSONata"
            acc.add(b)
            body = b.body
        elif kind == "simple":
            body = dict(draw(st.sampled_from(SIMPLE)))
        elif kind == "choice":
            rule = ({"Condition": "{% $states.input.x %}", "Next": f"S{i}x"} if jsonata else
                    {"Variable": "$.x", "BooleanEquals": True, "Next": f"S{i}x"})
            body = {"Type": "Choice", "Default": f"S{i}x", "Choices": [rule]}
        elif kind == "parallel":
            subs = [draw(states_block(depth - 1, jsonata)) for _ in range(draw(st.integers(1, 3)))]
            for s in subs:
                acc.add(s)
            body = {"Type": "Parallel", "Branches": [s.body for s in subs]}
        elif kind == "map":
            sub = draw(states_block(depth - 1, jsonata))
            acc.add(sub)
            body = {"Type": "Map", draw(st.sampled_from(["Iterator", "ItemProcessor"])): sub.body}
        else:
            body = draw(distributed_map(depth, jsonata, acc))
        if body["Type"] not in ("Succeed", "Fail", "Choice"):
            body = {**body, "End": True}
        states[f"S{i}"] = body
    acc.body = {"StartAt": "S0", "States": states}
    return acc


@st.composite
def distributed_map(draw: st.DrawFn, depth: int, jsonata: bool, acc: Built) -> dict[str, Any]:
    sub = draw(states_block(depth - 1, jsonata))
    acc.add(sub)
    processor = {**sub.body, "ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                 "ExecutionType": "STANDARD"}}
    body: dict[str, Any] = {"Type": "Map", "ItemProcessor": processor}
    label = draw(st.one_of(st.none(), names))
    if label:
        body["Label"] = label
    acc.needs += _dmap_needs(label)
    acc.wild |= _dmap_wild(label)
    reader = draw(st.one_of(st.none(), st.sampled_from(sorted(READERS))))
    if reader:
        b = draw(s3_block(READERS[reader], jsonata))
        acc.add(b)
        body["ItemReader"] = b.body
    if draw(st.booleans()):
        b = draw(s3_block(WRITER, jsonata))
        acc.add(b)
        body["ResultWriter"] = b.body
    return body


# ------------------------------------------------------------------------- machine settings
# CURRENT-DOCS §7: X-Ray (§7.2) and CloudWatch Logs delivery (§7.1, the documented ten actions)
# on "*"; a customer managed key (§7.3): kms:Decrypt and kms:GenerateDataKey on the key, for
# this machine's encryption context only; with logging also kms:GenerateDataKey for the log
# delivery (encryption context SourceArn in the account's logs).

XRAY = ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
        "xray:GetSamplingTargets")
LOGS = ("logs:CreateLogDelivery", "logs:CreateLogStream", "logs:GetLogDelivery",
        "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
        "logs:PutLogEvents", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups")
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{R}:{A}:key/{KEY_ID}"
MACHINE_CONTEXT = "kms:EncryptionContext:aws:states:stateMachineArn"
LOGS_CONTEXT = {"kms:EncryptionContext:SourceArn":
                f"arn:aws:logs:{R}:{A}:log-group:/aws/vendedlogs/states/{MACHINE}-Logs:*"}


@st.composite
def machine_settings(draw: st.DrawFn) -> Built:
    out = Built({})
    xray, logging = draw(st.integers(0, 3)) == 0, draw(st.integers(0, 3)) == 0
    key = draw(st.sampled_from([None, None, None, KEY_ARN, KEY_ID]))
    out.settings = {"xray": xray, "logging": logging, "kms_key": key}
    if xray:
        out.needs += on(XRAY, "*")
        out.wild |= wild(XRAY, "*")
    if logging:
        out.needs += on(LOGS, "*")
        out.wild |= wild(LOGS, "*")
    if key:
        ctx = {MACHINE_CONTEXT: SM_ARN}
        out.needs += [("kms:Decrypt", KEY_ARN, ctx), ("kms:GenerateDataKey", KEY_ARN, ctx)]
        other_machine = {MACHINE_CONTEXT: SM_ARN + "Other"}
        out.forbidden += [("kms:Decrypt", KEY_ARN, other_machine),
                          ("kms:GenerateDataKey", KEY_ARN, other_machine),
                          ("kms:Decrypt", KEY_ARN.replace(KEY_ID, KEY_ID[::-1]), ctx)]
        (out.needs if logging else out.forbidden).append(
            ("kms:GenerateDataKey", KEY_ARN, LOGS_CONTEXT))
    return out


@st.composite
def definitions(draw: st.DrawFn) -> tuple[dict[str, Any], Built]:
    jsonata = draw(st.booleans())
    built = draw(states_block(draw(st.integers(0, 3)), jsonata))
    settings_ = draw(machine_settings())
    built.add(settings_)
    built.settings = settings_.settings
    definition = dict(built.body)
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition, built


def _gen(definition: dict[str, Any] | str, built: Built) -> GenerateResult:
    return generate_policy(definition, region=R, account=A, state_machine_arn=SM_ARN,
                           substitutions=built.substitutions, **built.settings)


_ESCAPES = re.compile(r"\$\{[*?$]\}")


def is_wildcard(resource: str) -> bool:
    """Does the resource hold an IAM wildcard (``${*}`` and ``${?}`` are literals)?"""
    return any(c in _ESCAPES.sub("", resource) for c in "*?")


def _actions(st_: dict[str, Any]) -> list[str]:
    a = st_["Action"]
    return [a] if isinstance(a, str) else list(a)


def _resources(st_: dict[str, Any]) -> list[str]:
    r = st_["Resource"]
    return [r] if isinstance(r, str) else list(r)


def _check_sound(doc: dict[str, Any], built: Built) -> None:
    statements = doc["Statement"]
    # every permission each Task needs is allowed, in its request context
    for action, resource, ctx in built.needs:
        assert is_allowed(doc, action, resource, ctx), (action, resource, ctx, statements)
    for action, resource, ctx in built.forbidden:
        assert not is_allowed(doc, action, resource, ctx), (action, resource, ctx, statements)
    for stmt in statements:
        assert stmt["Effect"] == "Allow"
        # no "*" and no "service:*" action
        assert all("*" not in a and "?" not in a for a in _actions(stmt)), stmt
        # a wildcard resource only where a dynamic value caused it or the template prescribes it
        for resource in filter(is_wildcard, _resources(stmt)):
            for action in _actions(stmt):
                a = action.lower()
                assert a in built.dynamic_actions or (a, resource) in built.wild, (
                    action, resource, sorted(built.wild))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_generated_policy_is_sound(case: tuple[dict[str, Any], Built]) -> None:
    definition, built = case
    r = _gen(definition, built)
    doc = r.document
    # deterministic: same input, same bytes; and the same again from the JSON text
    out = json.dumps([doc, r.target_policies])
    assert out == json.dumps([(a := _gen(definition, built)).document, a.target_policies])
    assert out == json.dumps([(b := _gen(json.dumps(definition), built)).document,
                              b.target_policies])
    if not built.needs:
        assert doc["Statement"] == [{"Effect": "Deny", "Action": "*", "Resource": "*"}]
        assert not r.target_policies
        return
    _check_sound(doc, built)
    # a Task run as another role: that role's policy allows the call; the execution role
    # may only assume the role (it allows none of the call's actions another state needs not)
    assert set(r.target_policies) == set(built.targets)
    own = {a.lower() for a, _, _ in built.needs} | built.optional
    for key, target in built.targets.items():
        _check_sound(r.target_policies[key], target)
        for action, resource, ctx in target.needs:
            if action.lower() not in own:
                assert not is_allowed(doc, action, resource, ctx), (key, action, resource, doc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_nothing_beyond_the_needed_actions(case: tuple[dict[str, Any], Built]) -> None:
    definition, built = case
    r = _gen(definition, built)
    for doc, b in [(r.document, built)] + [(r.target_policies[k], t)
                                           for k, t in built.targets.items()]:
        needed = {a.lower() for a, _, _ in b.needs} | b.optional
        granted = {a.lower() for s in doc["Statement"] if s["Effect"] == "Allow"
                   for a in _actions(s)}
        assert granted <= needed, sorted(granted - needed)


def test_the_table_covers_the_catalogue() -> None:
    """One entry at least per API of every catalogue module this suite owns."""
    from sfn_iam.catalogue import known_services, service_module

    others = {"s3"}  # the Distributed Map's reader and writer: READERS and WRITER
    covered = {k.split(" ")[0] for k in INTEGRATIONS} | set(READERS) | {"s3:putObject"}
    for service in known_services():
        if service in others:
            continue
        module = service_module(service)
        assert module is not None
        prefix = "emr" if service == "elasticmapreduce" else service
        for api in module.RULES:
            key = "lambda" if api == "function-arn" else f"{prefix}:{api}"
            assert key in covered or any(k.startswith(key) for k in INTEGRATIONS), key


def test_every_supported_pattern_is_in_the_table() -> None:
    """The patterns listed per API are the ones the catalogue supports (no more, no less)."""
    from sfn_iam.catalogue import service_module
    from sfn_iam.rules import SYNC2

    for key, api in INTEGRATIONS.items():
        if not isinstance(api.resource, str):
            continue
        service, _, name = api.resource.removeprefix("arn:aws:states:::").partition(":")
        module = service_module(service)
        assert module is not None
        rule = module.RULES[name]
        supported = {"": "", "sync": ".sync", "waitForTaskToken": ".waitForTaskToken"}
        want = {supported[p] for p in rule.patterns if p in supported}
        if SYNC2 in rule.patterns:
            want.add(".sync:2")
        if " (" in key:  # variants exercise one parameter form, not every pattern
            assert set(api.patterns) <= want, key
        else:
            assert set(api.patterns) == want, key


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_template_form_allows_every_need_too(case: tuple[dict[str, Any], Built]) -> None:
    """``as_templates=True`` (issue 9): the documented template form still allows every
    permission each Task needs (that it is within the template form, the default policy:
    tests/catalogue/test_sar.py)."""
    definition, built = case
    r = generate_policy(definition, region=R, account=A, state_machine_arn=SM_ARN,
                        substitutions=built.substitutions, as_templates=True, **built.settings)
    for action, resource, ctx in built.needs:
        assert is_allowed(r.document, action, resource, ctx), (action, resource, ctx)
