"""Amazon Bedrock: ``bedrock:invokeModel`` (request-response) and
``bedrock:createModelCustomizationJob`` (request-response, ``.sync``). Template: CURRENT-DOCS
§3.9, "IAM policies for Amazon Bedrock" in
https://docs.aws.amazon.com/step-functions/latest/dg/connect-bedrock.html (new since the 2023
snapshot). ``.waitForTaskToken`` is accepted and authorised like request-response (the
integrations table lists it, the Bedrock page does not: CURRENT-DOCS §11.1).

invokeModel: ``bedrock:InvokeModel`` on the model of ``ModelId``:

- a foundation model ID -> ``arn:PARTITION:bedrock:REGION::foundation-model/ID`` (the account
  field is empty);
- a cross-Region inference profile ID (``us.``, ``eu.``, ``apac.``, ``global.`` ... prefix) ->
  the profile ``arn:...:REGION:ACCOUNT:inference-profile/ID`` and the foundation model it routes
  to, in every region (``bedrock:*::foundation-model/MODEL``): IAM checks both, and the
  destination regions are the profile's;
- an ARN (provisioned, custom, application inference profile, foundation model) as written;
  a cross-Region inference profile ARN also gets its foundation model, as above;
- dynamic -> the template's full-access form, ``foundation-model/*`` and
  ``provisioned-model/*``.

``Input.S3Uri`` and ``Output.S3Uri`` (Step Functions-only fields) need ``s3:GetObject`` /
``s3:PutObject`` on that object, and a guardrail (``GuardrailIdentifier``) needs
``bedrock:ApplyGuardrail`` on it. The template omits both; the call fails without them.

createModelCustomizationJob: ``bedrock:CreateModelCustomizationJob`` on the base model
(``BaseModelIdentifier``), ``custom-model/*`` and ``model-customization-job/*``; ``.sync`` adds
``Get``/``StopModelCustomizationJob`` on ``model-customization-job/*`` (no events rule: Step
Functions polls); ``iam:PassRole`` on ``RoleArn``.

Static values are IAM literals: ARNs, model and profile IDs, S3 keys and the guardrail are
escaped (``*``, ``?``, ``${``); a model ID or S3 URI that is malformed and holds such characters
is refused (no grant for it, rather than the dynamic form). A dynamic ``ModelId`` gets the
template's full-access form, which does not cover an inference profile chosen at run time.
"""

from __future__ import annotations

import re

from sfn_iam.arn import parse_arn
from sfn_iam.catalogue import LazyPattern
from sfn_iam.params import Value, static_prefix
from sfn_iam.rules import (
    ALL,
    ONLY_SYNC,
    RR_WAIT,
    Res,
    Resolver,
    Rule,
    dynamic_res,
    escape,
    g,
    malformed,
    param,
    partial,
    passed_to,
    role,
)
from sfn_iam.task import Task

DOC = "connect-bedrock.html"

FOUNDATION = "arn:{partition}:bedrock:{region}::foundation-model/{name}"
ANY_FOUNDATION = "arn:{partition}:bedrock:{region}::foundation-model/*"
#: a model ARN with a placeholder: bounded by its own static start (rules.dynamic_res)
ANY_MODEL = "arn:{partition}:bedrock:*:*:*"
ANY_PROVISIONED = "arn:{partition}:bedrock:{region}:{account}:provisioned-model/*"
PROFILE = "arn:{partition}:bedrock:{region}:{account}:inference-profile/{name}"
CUSTOM_MODELS = "arn:{partition}:bedrock:{region}:{account}:custom-model/*"
JOBS = "arn:{partition}:bedrock:{region}:{account}:model-customization-job/*"
GUARDRAIL = "arn:{partition}:bedrock:{region}:{account}:guardrail/{name}"
ANY_GUARDRAIL = "arn:{partition}:bedrock:{region}:{account}:guardrail/*"
ANY_OBJECT = "arn:{partition}:s3:::*"

# provider.model[-version][:n[:variant]], e.g. anthropic.claude-3-haiku-20240307-v1:0
_MODEL_ID = LazyPattern(r"[a-z0-9-]+\.[A-Za-z0-9._:-]+")
# System-defined cross-Region inference profiles: GEO.provider.model. As a ModelId, the model
# is as above (so an ID holding an IAM wildcard is malformed); in an ARN, whatever follows the
# prefix is the model (an ARN is written as a literal, escaped, never refused).
_GEO = r"(?:us|us-gov|eu|apac|jp|au|ca|global)"
_PROFILE_ID = LazyPattern(rf"{_GEO}\.(?P<model>[a-z0-9-]+\.[A-Za-z0-9._:-]+)")
_PROFILE_NAME = LazyPattern(rf"{_GEO}\.(?P<model>[a-z0-9-]+\..+)", re.DOTALL)
_S3_URI = LazyPattern(r"s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.+)", re.DOTALL)


# --------------------------------------------------------------------------- models


def _profile_model(partition: str, profile_id: str, pattern: LazyPattern) -> list[str]:
    """The foundation model a cross-Region inference profile routes to, in any region (the
    profile's destination regions). The region ``*`` is the only wildcard: the partition (from
    a user's ARN) and the model are literals."""
    m = pattern.fullmatch(profile_id)
    if m is None:
        return []
    return [f"arn:{escape(partition)}:bedrock:*::foundation-model/{escape(m.group('model'))}"]


def _model_from_text(t: Task, v: Value, text: str, what: str) -> list[Res] | None:
    """A model from a static ``ModelId`` / ``BaseModelIdentifier``; None when malformed.
    Every ARN is a literal (escaped), as :func:`sfn_iam.rules.param` writes them."""
    if text.startswith("arn:"):
        arn = parse_arn(text)
        if arn is None or arn.service != "bedrock":
            return None
        arns = [escape(text)]
        kind, _, name = arn.resource.partition("/")
        if kind == "inference-profile":
            arns += _profile_model(arn.partition, name, _PROFILE_NAME)
    elif what == "ModelId" and _PROFILE_ID.fullmatch(text):
        # Deliberately beyond the template (which predates inference profiles): invoking
        # through a profile is authorised on the profile and on its foundation model.
        arns = [t.fmt(PROFILE, name=escape(text)),
                *_profile_model(t.env.partition_or(t.partition), text, _PROFILE_ID)]
    elif _MODEL_ID.fullmatch(text):
        arns = [t.fmt(FOUNDATION, name=escape(text))]
    else:
        return None
    return [Res(arn, v.where) for arn in arns]


def _model(path: str, dynamic: tuple[str, ...]) -> Resolver:
    def resolve(t: Task) -> list[Res]:
        v = t.value(path)
        if v.absent:
            t.finding("missing-parameter",
                      f"the {t.integration} integration needs {path}; no permission granted "
                      "for the model", v.where)
            return []
        if v.dynamic:
            if v.value.__class__ is str and static_prefix(v.value).startswith("arn:"):
                # partly static: a model ARN is used as written, whatever the resource type
                # (foundation, custom or provisioned model, inference profile)
                found = partial(t, v, lambda probe: _model_from_text(t, v, probe, path) or [],
                                ANY_MODEL)
                return found or [dynamic_res(t, v, ANY_MODEL)]
            return [dynamic_res(t, v, d) for d in dynamic]
        out = _model_from_text(t, v, v.text or "", path) if v.text else None
        if out is None:
            # The dynamic form, or nothing when the value holds IAM wildcard characters.
            first = malformed(t, v, f"{path} {v.value!r} is not a Bedrock model ID or ARN",
                              dynamic[0])
            return first + [dynamic_res(t, v, d) for d in dynamic[1:]] if first else []
        return out

    return resolve


invoke_model = _model("ModelId", (ANY_FOUNDATION, ANY_PROVISIONED))
base_model = _model("BaseModelIdentifier", (ANY_FOUNDATION,))


def customization_resources(t: Task) -> list[Res]:
    """The base model, ``custom-model/*`` and ``model-customization-job/*``."""
    custom_models = t.fmt(CUSTOM_MODELS)
    # A custom base model of this account and region is already covered by custom-model/*:
    # the template lists no base-model ARN for it ("same, but without the foundation-model
    # ARN"). One elsewhere is kept as written.
    base = [r for r in base_model(t)
            if r.dynamic or not r.arn.startswith(custom_models.removesuffix("*"))]
    return [*base, Res(custom_models), Res(t.fmt(JOBS))]


# --------------------------------------------------------------------------- S3 and guardrail


def _s3_object(t: Task, text: str) -> str | None:
    """The object of an S3 URI as a literal: ``*``, ``?`` and ``${`` in the key are escaped
    (the bucket pattern admits none), so that ``s3://bucket/in/*.json`` names one object."""
    m = _S3_URI.fullmatch(text)
    if m is None:
        return None
    key = m.group("key")
    # A prefix ("s3://bucket/results/") is written to below it: the deliberate "*" follows
    # the escaped key.
    return t.fmt("arn:{partition}:s3:::{name}", name=f"{m.group('bucket')}/{escape(key)}"
                 + ("*" if key.endswith("/") else ""))


def s3_uri(path: str) -> Resolver:
    return param(path, "", ANY_OBJECT, convert=_s3_object, required=False,
                 expected="an S3 URI (s3://BUCKET/KEY)")


guardrail = param("GuardrailIdentifier", GUARDRAIL, ANY_GUARDRAIL, required=False,
                  service="bedrock")


RULES = {
    "invokeModel": Rule(
        RR_WAIT,
        (
            g("bedrock:InvokeModel", invoke_model),
            # Not in the template (CURRENT-DOCS §3.9 [OBS/CDK]): reading the prompt from
            # Input.S3Uri and writing the response to Output.S3Uri is done with the
            # execution role, and so is applying a guardrail.
            g("s3:GetObject", s3_uri("Input.S3Uri")),
            g("s3:PutObject", s3_uri("Output.S3Uri")),
            g("bedrock:ApplyGuardrail", guardrail),
        ),
        DOC,
    ),
    "createModelCustomizationJob": Rule(
        ALL,
        (
            g("bedrock:CreateModelCustomizationJob", customization_resources),
            g(("bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"),
              lambda t: [Res(t.fmt(JOBS))], when=ONLY_SYNC),
            # The template's PassRole has no condition. The role is passed to Bedrock (its
            # trust policy names bedrock.amazonaws.com), so iam:PassedToService pins it there.
            g("iam:PassRole", role("RoleArn", required=True),
              condition=passed_to("bedrock.amazonaws.com")),
        ),
        DOC,
    ),
}
