"""Amazon SageMaker AI: ``sagemaker:<api>``. Template: sagemaker-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html, now part of
connect-sagemaker.html), which covers only CreateTrainingJob and CreateTransformJob.

- The five job APIs (training, transform, processing, labeling, hyperparameter tuning) support
  request-response and ``.sync``; createModel, createEndpoint, createEndpointConfig and
  updateEndpoint are request-response only (connect-sagemaker.md; CURRENT-DOCS.md section 2).
  The template's heading says "Request Response and Callback (.waitForTaskToken)", but
  connect-sagemaker.md says "The Wait for a Callback with the Task Token integration pattern
  is not supported": ``.waitForTaskToken`` is an unsupported pattern here.
- A job is granted on its name as a prefix, ``training-job/NAME*``, exactly as the template
  writes it, and on ``training-job/*`` when the name is dynamic. The name keeps its case:
  SageMaker has kept the case of job names in job ARNs since late 2022 (aws/sagemaker-experiments
  PR #172 "arn casing changes on backend", issue #187; aws/boto3 issue #4606 "the actual arn
  contains upper case letters"), and recent AccessDenied messages show mixed-case
  ``training-job/Notebook-task-...`` resources.
- ``sagemaker:ListTags`` on ``*`` and ``iam:PassRole`` on the role passed in the parameters
  (condition ``iam:PassedToService = sagemaker.amazonaws.com``), as in the template. (The
  Service Authorization Reference lets ListTags be scoped to some sixty resource types, none
  required, but neither the template nor the integration page says which resource Step
  Functions lists the tags of: kept on ``*``, which the template prescribes.) The job's own
  actions are already on its ARN (``training-job/NAME*``), as the SAR allows.
- ``.sync`` adds the job's Describe and Stop actions and its EventBridge managed rule.
"""

from __future__ import annotations

from sfn_iam.arn import parse_arn
from sfn_iam.catalogue import LazyPattern
from sfn_iam.params import Value
from sfn_iam.rules import (
    ONLY_SYNC,
    RR_ONLY,
    RR_SYNC,
    Res,
    Resolver,
    Rule,
    both,
    dynamic_res,
    escape,
    events_rule,
    g,
    malformed,
    passed_to,
    role,
    star,
)
from sfn_iam.task import Task

DOC = "connect-sagemaker.html"
ARN = "arn:{partition}:sagemaker:{region}:{account}:"
ROLE_DYNAMIC = "arn:{partition}:iam::{account}:role/*"
PASSED_TO = passed_to("sagemaker.amazonaws.com")

# SageMaker names (jobs, models, endpoints, endpoint configs): the API reference pattern
# [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}.
_NAME = LazyPattern(r"^[A-Za-z0-9](?:-*[A-Za-z0-9]){0,62}$")


def _named(path: str, rtype: str, *, prefix: bool, fold_case: bool = False) -> Resolver:
    """The ``rtype/NAME`` resource named by the parameter at ``path``: ``NAME*`` when
    ``prefix`` (the template's job form); with ``fold_case`` also the lowercased name
    (see ``_hosting``)."""

    def resolve(t: Task) -> list[Res]:
        v = t.value(path)
        dynamic = ARN + rtype + "/*"
        if v.absent:
            t.finding("missing-parameter",
                      f"the {t.integration} integration needs {path}; no permission granted "
                      "for it (the call fails at run time without it)", v.where)
            return []
        if v.dynamic:
            return [dynamic_res(t, v, dynamic)]
        text = v.text
        if text is None or not _NAME.match(text):
            return malformed(t, v, f"{v.value!r} is not a SageMaker {path} (letters, digits and "
                             f"hyphens, 1 to 63 characters); granted on {rtype}/*", dynamic)
        names = [text, text.lower()] if fold_case else [text]
        suffix = "*" if prefix else ""
        # The template's prefix "*" goes after the escaped name (a checked name has nothing
        # to escape; escaped all the same).
        return [Res(t.fmt(ARN + rtype + "/{name}", name=escape(n) + suffix), v.where)
                for n in dict.fromkeys(names)]

    return resolve


def _job(path: str, rtype: str) -> Resolver:
    return _named(path, rtype, prefix=True)


def _hosting(path: str, rtype: str) -> Resolver:
    # No template (model, endpoint, endpoint-config). Granted on the exact name, not the
    # job-style prefix: a model/endpoint name is the whole resource name, so NAME* would
    # only add other resources. Case: the AWS CDK tasks (aws-stepfunctions-tasks
    # sagemaker/create-model.ts, create-endpoint.ts, create-endpoint-config.ts,
    # update-endpoint.ts) say "SageMaker uses lowercase for resource name in the arn" and
    # grant on the lowercased name, while job ARNs now keep their case (module docstring).
    # Both spellings are granted when they differ; SageMaker names are unique regardless
    # of case, so the second spelling reaches no other resource.
    return _named(path, rtype, prefix=False, fold_case=True)


def _role_value(t: Task, v: Value) -> list[Res]:
    """iam:PassRole resource for one role value (the element of a list)."""
    if v.dynamic:
        return [dynamic_res(t, v, ROLE_DYNAMIC)]
    text = v.text
    if text is None:
        return malformed(t, v, "RoleArn should be a non-empty string", ROLE_DYNAMIC)
    if text.startswith("arn:"):
        parsed = parse_arn(text)
        if parsed is None or parsed.service != "iam":
            return malformed(t, v, f"{text!r} is not an iam ARN", ROLE_DYNAMIC)
        return [Res(escape(text), v.where)]
    return [Res(t.fmt("arn:{partition}:iam::{account}:role/{name}", name=escape(text)), v.where)]


def tuning_roles(t: Task) -> list[Res]:
    """CreateHyperParameterTuningJob passes the role of its training jobs in
    ``TrainingJobDefinition.RoleArn`` or, for several algorithms, in each
    ``TrainingJobDefinitions[].RoleArn`` (API_CreateHyperParameterTuningJob)."""
    out = role("TrainingJobDefinition.RoleArn")(t)
    for i, item in t.items("TrainingJobDefinitions"):
        v = item if i < 0 else t.value("TrainingJobDefinitions", i, "RoleArn")
        if not v.absent:
            out.extend(_role_value(t, v))
    if not out:
        t.finding("missing-parameter",
                  f"the {t.integration} integration needs TrainingJobDefinition.RoleArn or "
                  "TrainingJobDefinitions[].RoleArn; no iam:PassRole granted", t.params.field)
    return out


def _job_rule(api: str, path: str, rtype: str, rule_name: str, passrole: Resolver | None,
              note: str | None = None) -> Rule:
    job = _job(path, rtype)
    grants = [
        g(f"sagemaker:Create{api}", job, when=RR_ONLY),
        g((f"sagemaker:Create{api}", f"sagemaker:Describe{api}", f"sagemaker:Stop{api}"),
          job, when=ONLY_SYNC),
        g("sagemaker:ListTags", star, when=RR_SYNC),
    ]
    if passrole is not None:
        grants.append(g("iam:PassRole", passrole, when=RR_SYNC, condition=PASSED_TO))
    grants.append(g(("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                    events_rule(rule_name), when=ONLY_SYNC, note=note))
    return Rule(RR_SYNC, tuple(grants), DOC)


RULES = {
    # sagemaker-iam.md, CreateTrainingJob: as written.
    "createTrainingJob": _job_rule(
        "TrainingJob", "TrainingJobName", "training-job",
        "StepFunctionsGetEventsForSageMakerTrainingJobsRule",
        role("RoleArn", required=True),
    ),
    # sagemaker-iam.md, CreateTransformJob, without its iam:PassRole statement:
    # CreateTransformJob takes no role (API_CreateTransformJob has no RoleArn); the job runs
    # with the execution role of the model named in ModelName, passed when that model was
    # created (createModel below grants it). iam:PassRole is authorised only when a request
    # passes a role, so the template's [[roleArn]] has nothing to resolve to and granting it
    # on some role would be beyond least privilege.
    "createTransformJob": _job_rule(
        "TransformJob", "TransformJobName", "transform-job",
        "StepFunctionsGetEventsForSageMakerTransformJobsRule",
        None,
    ),
    # No template: the training-job shape. Rule name as in the AWS CDK
    # SageMaker processing-job task (resourceName 'StepFunctionsGetEventsForSageMaker
    # ProcessingJobsRule') and in published Step Functions processing pipelines.
    "createProcessingJob": _job_rule(
        "ProcessingJob", "ProcessingJobName", "processing-job",
        "StepFunctionsGetEventsForSageMakerProcessingJobsRule",
        role("RoleArn", required=True),
    ),
    # No template: the training-job shape. The rule name is not published anywhere we could
    # find (AWS docs, CDK); it follows the naming of the other SageMaker rules.
    "createLabelingJob": _job_rule(
        "LabelingJob", "LabelingJobName", "labeling-job",
        "StepFunctionsGetEventsForSageMakerLabelingJobsRule",
        role("RoleArn", required=True),
        note="rule name inferred from the other SageMaker .sync rules (not documented)",
    ),
    # No template: the training-job shape on the hyper-parameter-tuning-job resource type.
    # Rule name from the AWS Step Functions Data Science SDK setup policy
    # ("StepFunctionsGetEventsForSageMakerTuningJobsRule").
    "createHyperParameterTuningJob": _job_rule(
        "HyperParameterTuningJob", "HyperParameterTuningJobName", "hyper-parameter-tuning-job",
        "StepFunctionsGetEventsForSageMakerTuningJobsRule",
        tuning_roles,
    ),
    # No template (request-response only): the create action on the model, ListTags as for
    # every SageMaker create in the template, iam:PassRole on ExecutionRoleArn (optional in
    # API_CreateModel). Same statements as the AWS CDK SageMakerCreateModel task.
    "createModel": Rule(
        RR_ONLY,
        (
            g("sagemaker:CreateModel", _hosting("ModelName", "model")),
            g("sagemaker:ListTags", star),
            g("iam:PassRole", role("ExecutionRoleArn"), condition=PASSED_TO),
        ),
        DOC,
    ),
    # No template: as the AWS CDK SageMakerCreateEndpointConfig task, plus iam:PassRole for
    # the optional ExecutionRoleArn (API_CreateEndpointConfig; used by inference components).
    "createEndpointConfig": Rule(
        RR_ONLY,
        (
            g("sagemaker:CreateEndpointConfig",
              _hosting("EndpointConfigName", "endpoint-config")),
            g("sagemaker:ListTags", star),
            g("iam:PassRole", role("ExecutionRoleArn"), condition=PASSED_TO),
        ),
        DOC,
    ),
    # No template: as the AWS CDK SageMakerCreateEndpoint task, which authorises
    # CreateEndpoint on both the endpoint and the endpoint configuration it deploys.
    "createEndpoint": Rule(
        RR_ONLY,
        (
            g("sagemaker:CreateEndpoint",
              both(_hosting("EndpointName", "endpoint"),
                   _hosting("EndpointConfigName", "endpoint-config"))),
            g("sagemaker:ListTags", star),
        ),
        DOC,
    ),
    # No template: as the AWS CDK SageMakerUpdateEndpoint task (UpdateEndpoint on the
    # endpoint and the new endpoint configuration). No sagemaker:ListTags: UpdateEndpoint
    # creates nothing and takes no tags, and the CDK task does not grant it either.
    "updateEndpoint": Rule(
        RR_ONLY,
        (
            g("sagemaker:UpdateEndpoint",
              both(_hosting("EndpointName", "endpoint"),
                   _hosting("EndpointConfigName", "endpoint-config"))),
        ),
        DOC,
    ),
}
