"""Amazon Bedrock rules pinned to "IAM policies for Amazon Bedrock" in connect-bedrock.html
(CURRENT-DOCS §3.9): InvokeModel on a foundation / provisioned model (full-access form when
dynamic), CreateModelCustomizationJob (request-response and .sync) with iam:PassRole; plus the
S3 and guardrail permissions the template omits, and inference profiles it predates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

ARN = "arn:aws:states:::bedrock:"
MODEL_ID = "amazon.titan-text-express-v1"
MODEL = f"arn:aws:bedrock:{REGION}::foundation-model/{MODEL_ID}"
PROVISIONED = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/c2oi931ulksx"
ANY_FOUNDATION = f"arn:aws:bedrock:{REGION}::foundation-model/*"
ANY_PROVISIONED = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/*"
CUSTOM_MODELS = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/*"
JOBS = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:model-customization-job/*"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/myRole"
PASS = {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}}
BODY = {"inputText": "Summarise this.", "textGenerationConfig": {"maxTokenCount": 512}}

# ------------------------------------------------------------------ invokeModel


@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
@pytest.mark.parametrize(("model_id", "resources"), [
    (MODEL_ID, [MODEL]),
    (MODEL, [MODEL]),
    (PROVISIONED, [PROVISIONED]),
    ("anthropic.claude-3-haiku-20240307-v1:0",
     [f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]),
    (f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/a1b2c3d4e5f6",
     [f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/a1b2c3d4e5f6"]),
], ids=["foundation-id", "foundation-arn", "provisioned-arn", "versioned-id", "app-profile-arn"])
def test_invoke_model_static(suffix: str, model_id: str, resources: list[str]) -> None:
    r = run(task(ARN + "invokeModel" + suffix, {"ModelId": model_id, "Body": BODY}))
    assert_policy(r, stmt("bedrock:InvokeModel", resources))
    assert r.warnings == []


@pytest.mark.parametrize("model_id", [
    "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
    f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0",
])
def test_invoke_model_inference_profile(model_id: str) -> None:
    # Beyond the template: the profile and the foundation model in its destination regions.
    r = run(task(ARN + "invokeModel", {"ModelId": model_id, "Body": BODY}))
    assert_policy(r, stmt("bedrock:InvokeModel", [
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/"
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
    ]))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", ["", ".waitForTaskToken"])
def test_invoke_model_dynamic(suffix: str) -> None:
    r = run(task(ARN + "invokeModel" + suffix, {"ModelId.$": "$.model", "Body.$": "$.body"}))
    # The template's full-access form.
    assert_policy(r, stmt("bedrock:InvokeModel", [ANY_FOUNDATION, ANY_PROVISIONED]))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Parameters.ModelId.$"}


def test_invoke_model_jsonata() -> None:
    r = run(task(ARN + "invokeModel", {"ModelId": "{% $states.input.model %}", "Body": BODY},
                 jsonata=True))
    assert_policy(r, stmt("bedrock:InvokeModel", [ANY_FOUNDATION, ANY_PROVISIONED]))
    assert {w.parameter for w in r.warnings} == {"Arguments.ModelId"}


def test_invoke_model_jsonata_static() -> None:
    r = run(task(ARN + "invokeModel",
                 {"ModelId": MODEL_ID, "Body": {"inputText": "{% $states.input.prompt %}"}},
                 jsonata=True))
    assert_policy(r, stmt("bedrock:InvokeModel", MODEL))
    assert r.warnings == []


def test_invoke_model_foundation_model_has_no_account() -> None:
    r = run(task(ARN + "invokeModel", {"ModelId": MODEL_ID, "Body": BODY}), account=None)
    assert_policy(r, stmt("bedrock:InvokeModel", MODEL))
    assert r.warnings == []


def test_invoke_model_s3_input_and_output() -> None:
    p = {"ModelId": MODEL_ID, "Input": {"S3Uri": "s3://prompts-bucket/in/prompt.json"},
         "Output": {"S3Uri": "s3://results-bucket/out/result.json"}}
    r = run(task(ARN + "invokeModel", p))
    assert_policy(r, stmt("bedrock:InvokeModel", MODEL),
                  stmt("s3:GetObject", "arn:aws:s3:::prompts-bucket/in/prompt.json"),
                  stmt("s3:PutObject", "arn:aws:s3:::results-bucket/out/result.json"))
    assert r.warnings == []


def test_invoke_model_s3_dynamic() -> None:
    p = {"ModelId": MODEL_ID, "Input": {"S3Uri.$": "$.in"}, "Output": {"S3Uri.$": "$.out"}}
    r = run(task(ARN + "invokeModel", p))
    assert_policy(r, stmt("bedrock:InvokeModel", MODEL),
                  stmt("s3:GetObject", "arn:aws:s3:::*"), stmt("s3:PutObject", "arn:aws:s3:::*"))
    assert codes(r) == ["dynamic-resource", "dynamic-resource"]
    assert {w.parameter for w in r.warnings} == {"Parameters.Input.S3Uri.$",
                                                 "Parameters.Output.S3Uri.$"}


def test_invoke_model_s3_malformed_and_prefix() -> None:
    p = {"ModelId": MODEL_ID, "Input": {"S3Uri": "https://bucket/key"},
         "Output": {"S3Uri": "s3://results-bucket/out/"}}
    r = run(task(ARN + "invokeModel", p))
    assert_policy(r, stmt("bedrock:InvokeModel", MODEL),
                  stmt("s3:GetObject", "arn:aws:s3:::*"),
                  stmt("s3:PutObject", "arn:aws:s3:::results-bucket/out/*"))
    assert "malformed-value" in codes(r)


@pytest.mark.parametrize(("ident", "resource"), [
    ("gr1abc2def3", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/gr1abc2def3"),
    ("arn:aws:bedrock:eu-west-1:111122223333:guardrail/gr1abc2def3",
     "arn:aws:bedrock:eu-west-1:111122223333:guardrail/gr1abc2def3"),
])
def test_invoke_model_guardrail(ident: str, resource: str) -> None:
    p = {"ModelId": MODEL_ID, "Body": BODY, "GuardrailIdentifier": ident,
         "GuardrailVersion": "1"}
    r = run(task(ARN + "invokeModel", p))
    assert_policy(r, stmt("bedrock:InvokeModel", MODEL), stmt("bedrock:ApplyGuardrail", resource))
    assert r.warnings == []


def test_invoke_model_guardrail_dynamic() -> None:
    p = {"ModelId": MODEL_ID, "Body": BODY, "GuardrailIdentifier.$": "$.guardrail",
         "GuardrailVersion": "DRAFT"}
    r = run(task(ARN + "invokeModel", p))
    assert_policy(r, stmt("bedrock:InvokeModel", MODEL),
                  stmt("bedrock:ApplyGuardrail", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/*"))
    assert codes(r) == ["dynamic-resource"]


def test_invoke_model_missing_and_malformed_model() -> None:
    r = run(task(ARN + "invokeModel", {"Body": BODY}))
    assert codes(r) == ["missing-parameter", "no-permissions"]
    r = run(task(ARN + "invokeModel", {"ModelId": "arn:aws:sagemaker:us-east-1:1:endpoint/x"}))
    assert codes(r)[0] == "malformed-value"
    assert_policy(r, stmt("bedrock:InvokeModel", [ANY_FOUNDATION, ANY_PROVISIONED]))


def test_invoke_model_sync_is_unsupported() -> None:
    p = {"ModelId": MODEL_ID, "Body": BODY}
    r = run(task(ARN + "invokeModel.sync", p))
    assert codes(r) == ["unsupported-pattern"]
    assert r.document == run(task(ARN + "invokeModel", p)).document


# ------------------------------------------------------------------ createModelCustomizationJob

JOB = {
    "BaseModelIdentifier": MODEL_ID, "CustomModelName": "my-custom-model",
    "JobName": "my-customization-job", "RoleArn": ROLE,
    "HyperParameters": {"epochCount": "1"},
    "TrainingDataConfig": {"S3Uri": "s3://training-bucket/data/train.jsonl"},
    "OutputDataConfig": {"S3Uri": "s3://output-bucket/"},
}
SYNC_ACTIONS = ["bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"]


def customization_policy(suffix: str, base: list[str], role: str = ROLE) -> list[dict[str, Any]]:
    out = [stmt("bedrock:CreateModelCustomizationJob", [*base, CUSTOM_MODELS, JOBS]),
           stmt("iam:PassRole", role, PASS)]
    if suffix == ".sync":
        out.append(stmt(SYNC_ACTIONS, JOBS))
    return out


SUFFIXES = ["", ".sync", ".waitForTaskToken"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_customization_foundation_base(suffix: str) -> None:
    r = run(task(ARN + "createModelCustomizationJob" + suffix, JOB))
    assert_policy(r, *customization_policy(suffix, [MODEL]))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_customization_custom_base(suffix: str) -> None:
    # "Custom base model: same, but without the foundation-model ARN" (custom-model/* has it).
    custom = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/{MODEL_ID}:0:8k/abc123def456"
    r = run(task(ARN + "createModelCustomizationJob" + suffix,
                 {**JOB, "BaseModelIdentifier": custom}))
    assert_policy(r, *customization_policy(suffix, []))
    assert r.warnings == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_customization_dynamic(suffix: str) -> None:
    p = {**{k: v for k, v in JOB.items() if k not in ("BaseModelIdentifier", "RoleArn")},
         "BaseModelIdentifier.$": "$.base", "RoleArn.$": "$.role"}
    r = run(task(ARN + "createModelCustomizationJob" + suffix, p))
    # The template's full-access form; every role of the account for the dynamic RoleArn.
    assert_policy(r, *customization_policy(suffix, [ANY_FOUNDATION],
                                           role=f"arn:aws:iam::{ACCOUNT}:role/*"))
    assert set(codes(r)) == {"dynamic-resource"}
    assert {w.parameter for w in r.warnings} == {"Parameters.BaseModelIdentifier.$",
                                                 "Parameters.RoleArn.$"}


@pytest.mark.parametrize("suffix", ["", ".sync"])
def test_customization_jsonata(suffix: str) -> None:
    r = run(task(ARN + "createModelCustomizationJob" + suffix,
                 {**JOB, "BaseModelIdentifier": "{% $states.input.base %}",
                  "JobName": "{% 'job-' & $states.context.Execution.Name %}"}, jsonata=True))
    assert_policy(r, *customization_policy(suffix, [ANY_FOUNDATION]))
    assert {w.parameter for w in r.warnings} == {"Arguments.BaseModelIdentifier"}


def test_customization_missing_role() -> None:
    r = run(task(ARN + "createModelCustomizationJob",
                 {k: v for k, v in JOB.items() if k != "RoleArn"}))
    assert_policy(r, stmt("bedrock:CreateModelCustomizationJob", [MODEL, CUSTOM_MODELS, JOBS]))
    assert codes(r) == ["missing-parameter"]
    assert r.warnings[0].parameter == "Parameters.RoleArn"


def test_customization_partition() -> None:
    # A role name is completed in the machine's partition and account.
    r = run(task("arn:aws-cn:states:::bedrock:createModelCustomizationJob.sync",
                 {**JOB, "RoleArn": "myRole"}), region="cn-north-1")
    jobs = f"arn:aws-cn:bedrock:cn-north-1:{ACCOUNT}:model-customization-job/*"
    assert_policy(
        r,
        stmt("bedrock:CreateModelCustomizationJob", [
            f"arn:aws-cn:bedrock:cn-north-1::foundation-model/{MODEL_ID}",
            f"arn:aws-cn:bedrock:cn-north-1:{ACCOUNT}:custom-model/*", jobs]),
        stmt(SYNC_ACTIONS, jobs),
        stmt("iam:PassRole", f"arn:aws-cn:iam::{ACCOUNT}:role/myRole", PASS),
    )
    assert r.warnings == []


def test_customization_custom_base_elsewhere_is_kept() -> None:
    custom = f"arn:aws:bedrock:us-west-2:{ACCOUNT}:custom-model/{MODEL_ID}:0:8k/abc123def456"
    r = run(task(ARN + "createModelCustomizationJob", {**JOB, "BaseModelIdentifier": custom}))
    assert_policy(r, *customization_policy("", [custom]))
    assert r.warnings == []
