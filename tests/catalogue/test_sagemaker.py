"""SageMaker rules pinned to sagemaker-iam.md (CreateTrainingJob, CreateTransformJob) and, for
the APIs it does not cover, to the same shape as documented in sfn_iam/catalogue/sagemaker.py:
job name as an ARN prefix (``training-job/NAME*``), ``sagemaker:ListTags`` on ``*``,
``iam:PassRole`` on the passed role for sagemaker.amazonaws.com, and for ``.sync`` the
Describe/Stop actions and the job's EventBridge managed rule."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerRole"
ROLE_STAR = f"arn:aws:iam::{ACCOUNT}:role/*"
EVENTS = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
PASS = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def res(api: str) -> str:
    return f"arn:aws:states:::sagemaker:{api}"


# api, action stem, name parameter, resource type, events rule, role path ("" = none)
JOBS = [
    ("createTrainingJob", "TrainingJob", "TrainingJobName", "training-job",
     "StepFunctionsGetEventsForSageMakerTrainingJobsRule", "RoleArn"),
    ("createTransformJob", "TransformJob", "TransformJobName", "transform-job",
     "StepFunctionsGetEventsForSageMakerTransformJobsRule", ""),
    ("createProcessingJob", "ProcessingJob", "ProcessingJobName", "processing-job",
     "StepFunctionsGetEventsForSageMakerProcessingJobsRule", "RoleArn"),
    ("createLabelingJob", "LabelingJob", "LabelingJobName", "labeling-job",
     "StepFunctionsGetEventsForSageMakerLabelingJobsRule", "RoleArn"),
    ("createHyperParameterTuningJob", "HyperParameterTuningJob", "HyperParameterTuningJobName",
     "hyper-parameter-tuning-job", "StepFunctionsGetEventsForSageMakerTuningJobsRule",
     "TrainingJobDefinition.RoleArn"),
]
JOB_IDS = [j[0] for j in JOBS]


def with_role(params: dict[str, Any], path: str, value: Any, dynamic: bool = False) -> dict[str, Any]:
    """Put the role at ``path`` (dotted) in ``params``."""
    if not path:
        return params
    *parents, leaf = path.split(".")
    node = params
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf + (".$" if dynamic else "")] = value
    return params


def job_expected(stem: str, job_arn: str, rule: str, role_arn: str | None, sync: bool):
    create = f"sagemaker:Create{stem}"
    out = [
        stmt([create, f"sagemaker:Describe{stem}", f"sagemaker:Stop{stem}"] if sync else create,
             job_arn),
        stmt("sagemaker:ListTags", "*"),
    ]
    if role_arn:
        out.append(stmt("iam:PassRole", role_arn, PASS))
    if sync:
        out.append(stmt(EVENTS, f"{RULE}/{rule}"))
    return out


# --------------------------------------------------------------------------- job APIs


@pytest.mark.parametrize(("api", "stem", "name", "rtype", "rule", "role_path"), JOBS, ids=JOB_IDS)
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_job_static(api, stem, name, rtype, rule, role_path, suffix) -> None:
    params = with_role({name: "churn-model-1"}, role_path, ROLE)
    r = run(task(res(api) + suffix, params))
    assert_policy(r, *job_expected(stem, f"{SM}:{rtype}/churn-model-1*", rule,
                                   ROLE if role_path else None, suffix == ".sync"))
    assert r.warnings == []


@pytest.mark.parametrize(("api", "stem", "name", "rtype", "rule", "role_path"), JOBS, ids=JOB_IDS)
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_job_dynamic_name(api, stem, name, rtype, rule, role_path, suffix) -> None:
    params = with_role({f"{name}.$": "$.jobName"}, role_path, ROLE)
    r = run(task(res(api) + suffix, params))
    assert_policy(r, *job_expected(stem, f"{SM}:{rtype}/*", rule,
                                   ROLE if role_path else None, suffix == ".sync"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == f"Parameters.{name}.$"


@pytest.mark.parametrize(("api", "stem", "name", "rtype", "rule", "role_path"),
                         [j for j in JOBS if j[5]], ids=[j[0] for j in JOBS if j[5]])
@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_job_dynamic_name_and_role(api, stem, name, rtype, rule, role_path, suffix) -> None:
    params = with_role({f"{name}.$": "$.jobName"}, role_path, "$.role", dynamic=True)
    r = run(task(res(api) + suffix, params))
    assert_policy(r, *job_expected(stem, f"{SM}:{rtype}/*", rule, ROLE_STAR, suffix == ".sync"))
    assert codes(r) == ["dynamic-resource", "dynamic-resource"]
    assert {w.parameter for w in r.warnings} == {f"Parameters.{name}.$",
                                                 f"Parameters.{role_path}.$"}


@pytest.mark.parametrize(("api", "stem", "name", "rtype", "rule", "role_path"), JOBS, ids=JOB_IDS)
def test_job_wait_for_task_token_is_unsupported(api, stem, name, rtype, rule, role_path) -> None:
    params = with_role({name: "j"}, role_path, ROLE)
    r = run(task(res(api) + ".waitForTaskToken", params))
    assert codes(r)[0] == "unsupported-pattern"
    # warned, and authorised like request-response, which is what the template's
    # "Request Response and Callback (.waitForTaskToken)" section grants
    assert r.document == run(task(res(api), params)).document


def test_training_sync_jsonata() -> None:
    r = run(task(res("createTrainingJob.sync"), {
        "TrainingJobName": "{% 'train-' & $states.context.Execution.Name %}",
        "RoleArn": ROLE,
    }, jsonata=True))
    assert_policy(r, *job_expected("TrainingJob", f"{SM}:training-job/*",
                                   "StepFunctionsGetEventsForSageMakerTrainingJobsRule", ROLE, True))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.TrainingJobName"


def test_training_jsonata_static_literals() -> None:
    r = run(task(res("createTrainingJob"), {"TrainingJobName": "search-model", "RoleArn": ROLE,
                                            "HyperParameters": "{% $states.input.hp %}"},
                 jsonata=True))
    assert_policy(r, *job_expected("TrainingJob", f"{SM}:training-job/search-model*", "",
                                   ROLE, False))
    assert r.warnings == []


def test_job_name_keeps_its_case() -> None:
    r = run(task(res("createTrainingJob"), {"TrainingJobName": "Search-Model", "RoleArn": ROLE}))
    assert_policy(r, *job_expected("TrainingJob", f"{SM}:training-job/Search-Model*", "",
                                   ROLE, False))


def test_transform_job_passes_no_role() -> None:
    """The template's iam:PassRole has no role to refer to: CreateTransformJob takes none."""
    r = run(task(res("createTransformJob.sync"), {
        "TransformJobName": "sfn-binary-classification-prediction",
        "ModelName": "SageMakerCreateTransformJobModel-9iFBKsYti9vr",
    }))
    assert_policy(
        r,
        stmt(["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob",
              "sagemaker:StopTransformJob"],
             f"{SM}:transform-job/sfn-binary-classification-prediction*"),
        stmt("sagemaker:ListTags", "*"),
        stmt(EVENTS, f"{RULE}/StepFunctionsGetEventsForSageMakerTransformJobsRule"),
    )
    assert not any("iam:PassRole" in st["Action"] for st in r.document["Statement"])


def test_tuning_job_several_training_definitions() -> None:
    other = "arn:aws:iam::111122223333:role/service-role/Other"
    r = run(task(res("createHyperParameterTuningJob"), {
        "HyperParameterTuningJobName": "tune-1",
        "TrainingJobDefinitions": [{"RoleArn": ROLE}, {"RoleArn": other}],
    }))
    assert_policy(r,
                  stmt("sagemaker:CreateHyperParameterTuningJob",
                       f"{SM}:hyper-parameter-tuning-job/tune-1*"),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", [ROLE, other], PASS))
    assert r.warnings == []


def test_tuning_job_dynamic_definitions_list() -> None:
    r = run(task(res("createHyperParameterTuningJob"), {
        "HyperParameterTuningJobName": "tune-1",
        "TrainingJobDefinitions.$": "$.definitions",
    }))
    assert_policy(r,
                  stmt("sagemaker:CreateHyperParameterTuningJob",
                       f"{SM}:hyper-parameter-tuning-job/tune-1*"),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", ROLE_STAR, PASS))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.TrainingJobDefinitions.$"


def test_tuning_job_whole_definition_dynamic() -> None:
    r = run(task(res("createHyperParameterTuningJob"), {
        "HyperParameterTuningJobName": "tune-1",
        "TrainingJobDefinition.$": "$.definition",
    }))
    assert_policy(r,
                  stmt("sagemaker:CreateHyperParameterTuningJob",
                       f"{SM}:hyper-parameter-tuning-job/tune-1*"),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", ROLE_STAR, PASS))
    assert codes(r) == ["dynamic-resource"]


def test_tuning_job_without_role_is_flagged() -> None:
    r = run(task(res("createHyperParameterTuningJob"), {"HyperParameterTuningJobName": "t"}))
    assert codes(r) == ["missing-parameter"]
    assert_policy(r,
                  stmt("sagemaker:CreateHyperParameterTuningJob",
                       f"{SM}:hyper-parameter-tuning-job/t*"),
                  stmt("sagemaker:ListTags", "*"))


def test_role_given_by_name() -> None:
    r = run(task(res("createProcessingJob"), {"ProcessingJobName": "p", "RoleArn": "Proc"}))
    assert_policy(r,
                  stmt("sagemaker:CreateProcessingJob", f"{SM}:processing-job/p*"),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Proc", PASS))


def test_missing_job_name_and_role() -> None:
    r = run(task(res("createTrainingJob.sync"), {"AlgorithmSpecification": {}}))
    assert codes(r) == ["missing-parameter", "missing-parameter"]
    assert {w.parameter for w in r.warnings} == {"Parameters.TrainingJobName", "Parameters.RoleArn"}
    assert_policy(r, stmt("sagemaker:ListTags", "*"),
                  stmt(EVENTS, f"{RULE}/StepFunctionsGetEventsForSageMakerTrainingJobsRule"))


def test_malformed_job_name() -> None:
    r = run(task(res("createTrainingJob"), {"TrainingJobName": "bad_name!", "RoleArn": ROLE}))
    assert "malformed-value" in codes(r)
    assert_policy(r, *job_expected("TrainingJob", f"{SM}:training-job/*", "", ROLE, False))


def test_unknown_region_and_account() -> None:
    r = run(task(res("createTrainingJob.sync"), {"TrainingJobName": "j", "RoleArn": ROLE}),
            region=None, account=None)
    assert_policy(
        r,
        stmt(["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob",
              "sagemaker:StopTrainingJob"], "arn:aws:sagemaker:*:*:training-job/j*"),
        stmt("sagemaker:ListTags", "*"),
        stmt("iam:PassRole", ROLE, PASS),
        stmt(EVENTS, "arn:aws:events:*:*:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"),
    )
    assert set(codes(r)) == {"unknown-region", "unknown-account"}


def test_china_partition_from_resource() -> None:
    role_cn = f"arn:aws-cn:iam::{ACCOUNT}:role/R"
    r = run(task("arn:aws-cn:states:::sagemaker:createProcessingJob.sync",
                 {"ProcessingJobName": "p", "RoleArn": role_cn}), region="cn-north-1")
    assert_policy(
        r,
        stmt(["sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob",
              "sagemaker:StopProcessingJob"],
             f"arn:aws-cn:sagemaker:cn-north-1:{ACCOUNT}:processing-job/p*"),
        stmt("sagemaker:ListTags", "*"),
        stmt("iam:PassRole", role_cn, PASS),
        stmt(EVENTS, f"arn:aws-cn:events:cn-north-1:{ACCOUNT}:rule/"
                     "StepFunctionsGetEventsForSageMakerProcessingJobsRule"),
    )


# --------------------------------------------------------------------------- hosting APIs


def test_create_model_static() -> None:
    r = run(task(res("createModel"), {"ModelName": "churn-model", "ExecutionRoleArn": ROLE,
                                      "PrimaryContainer": {"Image": "x"}}))
    assert_policy(r,
                  stmt("sagemaker:CreateModel", f"{SM}:model/churn-model"),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", ROLE, PASS))
    assert r.warnings == []


def test_create_model_dynamic() -> None:
    r = run(task(res("createModel"), {"ModelName.$": "$.model", "ExecutionRoleArn.$": "$.role"}))
    assert_policy(r,
                  stmt("sagemaker:CreateModel", f"{SM}:model/*"),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", ROLE_STAR, PASS))
    assert codes(r) == ["dynamic-resource", "dynamic-resource"]
    assert {w.parameter for w in r.warnings} == {"Parameters.ModelName.$",
                                                 "Parameters.ExecutionRoleArn.$"}


def test_create_model_jsonata() -> None:
    r = run(task(res("createModel"), {"ModelName": "{% $states.input.model %}",
                                      "ExecutionRoleArn": ROLE}, jsonata=True))
    assert_policy(r,
                  stmt("sagemaker:CreateModel", f"{SM}:model/*"),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", ROLE, PASS))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.ModelName"


def test_create_model_without_role() -> None:
    r = run(task(res("createModel"), {"ModelName": "m"}))
    assert_policy(r, stmt("sagemaker:CreateModel", f"{SM}:model/m"),
                  stmt("sagemaker:ListTags", "*"))
    assert r.warnings == []


def test_mixed_case_hosting_name_gets_both_spellings() -> None:
    r = run(task(res("createModel"), {"ModelName": "ChurnModel", "ExecutionRoleArn": ROLE}))
    assert_policy(r,
                  stmt("sagemaker:CreateModel", [f"{SM}:model/ChurnModel", f"{SM}:model/churnmodel"]),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", ROLE, PASS))


@pytest.mark.parametrize("with_role", [False, True])
def test_create_endpoint_config_static(with_role: bool) -> None:
    params: dict[str, Any] = {"EndpointConfigName": "cfg-1", "ProductionVariants": []}
    if with_role:
        params["ExecutionRoleArn"] = ROLE
    r = run(task(res("createEndpointConfig"), params))
    expected = [stmt("sagemaker:CreateEndpointConfig", f"{SM}:endpoint-config/cfg-1"),
                stmt("sagemaker:ListTags", "*")]
    if with_role:
        expected.append(stmt("iam:PassRole", ROLE, PASS))
    assert_policy(r, *expected)
    assert r.warnings == []


def test_create_endpoint_config_dynamic() -> None:
    r = run(task(res("createEndpointConfig"), {"EndpointConfigName.$": "$.cfg"}))
    assert_policy(r, stmt("sagemaker:CreateEndpointConfig", f"{SM}:endpoint-config/*"),
                  stmt("sagemaker:ListTags", "*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.EndpointConfigName.$"


def test_create_endpoint_static() -> None:
    r = run(task(res("createEndpoint"), {"EndpointName": "ep", "EndpointConfigName": "cfg"}))
    assert_policy(r,
                  stmt("sagemaker:CreateEndpoint", [f"{SM}:endpoint/ep", f"{SM}:endpoint-config/cfg"]),
                  stmt("sagemaker:ListTags", "*"))
    assert r.warnings == []


def test_create_endpoint_dynamic() -> None:
    r = run(task(res("createEndpoint"), {"EndpointName.$": "$.ep", "EndpointConfigName.$": "$.cfg"}))
    assert_policy(r,
                  stmt("sagemaker:CreateEndpoint", [f"{SM}:endpoint/*", f"{SM}:endpoint-config/*"]),
                  stmt("sagemaker:ListTags", "*"))
    assert codes(r) == ["dynamic-resource", "dynamic-resource"]
    assert {w.parameter for w in r.warnings} == {"Parameters.EndpointName.$",
                                                 "Parameters.EndpointConfigName.$"}


def test_update_endpoint_static() -> None:
    r = run(task(res("updateEndpoint"), {"EndpointName": "ep", "EndpointConfigName": "cfg-2"}))
    assert_policy(r, stmt("sagemaker:UpdateEndpoint",
                          [f"{SM}:endpoint/ep", f"{SM}:endpoint-config/cfg-2"]))
    assert r.warnings == []


def test_update_endpoint_dynamic_jsonata() -> None:
    r = run(task(res("updateEndpoint"), {"EndpointName": "ep",
                                         "EndpointConfigName": "{% $states.input.cfg %}"},
                 jsonata=True))
    assert_policy(r, stmt("sagemaker:UpdateEndpoint",
                          [f"{SM}:endpoint/ep", f"{SM}:endpoint-config/*"]))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Arguments.EndpointConfigName"


@pytest.mark.parametrize("api", ["createModel", "createEndpointConfig", "createEndpoint",
                                 "updateEndpoint"])
@pytest.mark.parametrize("suffix", [".sync", ".waitForTaskToken"])
def test_hosting_only_request_response(api: str, suffix: str) -> None:
    params = {"ModelName": "m", "EndpointName": "e", "EndpointConfigName": "c"}
    r = run(task(res(api) + suffix, params))
    assert codes(r)[0] == "unsupported-pattern"
    assert r.document == run(task(res(api), params)).document


def test_pipeline_merges_list_tags() -> None:
    r = run(
        task(res("createModel"), {"ModelName": "m", "ExecutionRoleArn": ROLE}),
        task(res("createEndpointConfig"), {"EndpointConfigName": "c"}),
        task(res("createEndpoint"), {"EndpointName": "e", "EndpointConfigName": "c"}),
    )
    assert_policy(r,
                  stmt("sagemaker:CreateModel", f"{SM}:model/m"),
                  stmt("sagemaker:CreateEndpointConfig", f"{SM}:endpoint-config/c"),
                  stmt("sagemaker:CreateEndpoint", [f"{SM}:endpoint/e", f"{SM}:endpoint-config/c"]),
                  stmt("sagemaker:ListTags", "*"),
                  stmt("iam:PassRole", ROLE, PASS))
    assert r.warnings == []
