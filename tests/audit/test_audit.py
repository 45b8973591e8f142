"""The audit's comparison: missing (with consequences), excess (with the narrower resource),
undecided; the generated policy audits clean against its own definition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfn_iam import generate_policy
from sfn_iam.audit import AuditReport, audit
from sfn_iam.generate import GenerateResult
from sfn_iam.model import Grant, Provenance
from tests.util import ACCOUNT, REGION, machine, task

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if ".asl." in p.name)
ENV = {"region": REGION, "account": ACCOUNT}
ECS = ROOT / "examples" / "ecs.asl.json"


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def run_audit(definition: Any, *statements: dict[str, Any], **kw: Any) -> AuditReport:
    return audit(definition, [doc(*statements)], **ENV, **kw)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_generated_policy_audits_clean(path: Path) -> None:
    """What generate prints is exactly what audit needs: nothing missing, nothing excess."""
    result = generate_policy(path.read_bytes(), **ENV, source=path.name)
    report = audit(result, [result.document])
    assert (report.missing, report.excess, report.undecided) == ([], [], [])
    assert report.exit_code(strict=True) == 0


LAMBDA = machine(task("arn:aws:states:::lambda:invoke", {"FunctionName": "worker"}))
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:worker"


def test_missing_action_names_state_parameter_and_consequence() -> None:
    report = run_audit(LAMBDA, allow("sqs:SendMessage", "*"))
    (m,) = report.missing
    assert (m.need.action, m.need.resource, m.need.states, m.need.parameters) == (
        "lambda:InvokeFunction", FN, ["S0"], ["Parameters.FunctionName"])
    assert "AccessDenied" in m.consequence
    assert report.exit_code() == 1
    # and the unneeded Allow is excess
    (e,) = report.excess
    assert (e.action, e.resource, e.kind) == ("sqs:SendMessage", "*", "not-needed")


def test_explicit_deny_is_missing_and_names_the_statement() -> None:
    report = run_audit(LAMBDA, allow("lambda:*", "*"),
                       {"Sid": "NoWorker", "Effect": "Deny", "Action": "lambda:InvokeFunction",
                        "Resource": FN})
    (m,) = report.missing
    assert m.denied_by == ["policy 1 NoWorker"]


def test_sync_consequences_in_words() -> None:
    """.sync: polling and the managed EventBridge rule -> the execution waits; the cancel
    permission -> a stopped execution leaves its job running and billing."""
    result = generate_policy(ECS.read_bytes(), **ENV)
    keep = [s for s in result.document["Statement"]
            if not {"ecs:StopTask", "events:PutRule"} & set(s["Action"])]
    report = audit(result, [doc(*keep, allow("ecs:DescribeTasks", "*"))])
    by_action = {m.need.action: m.consequence for m in report.missing}
    assert "keeps running, and billing" in by_action["ecs:StopTask"]
    assert "managed EventBridge rule" in by_action["events:PutRule"]
    assert "execution waits" in by_action["events:PutTargets"]
    poll = audit(result, [doc(*[s for s in result.document["Statement"]
                                if "ecs:DescribeTasks" not in s["Action"]],
                              allow("ecs:StopTask", "*"))])
    (m,) = poll.missing
    assert m.need.action == "ecs:DescribeTasks"
    assert "cannot poll its job" in m.consequence and "execution waits" in m.consequence


def test_broader_resource_names_the_narrower_one() -> None:
    report = run_audit(LAMBDA, allow("lambda:InvokeFunction", "*"))
    assert report.missing == []
    (e,) = report.excess
    assert (e.action, e.resource, e.kind, e.narrower) == (
        "lambda:InvokeFunction", "*", "broader-resource", [FN])
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1


def test_broader_action_names_the_actions() -> None:
    report = run_audit(LAMBDA, allow("lambda:*", FN))
    assert report.missing == []
    (e,) = report.excess
    assert (e.kind, e.narrower) == ("broader-action", ["lambda:InvokeFunction"])
    exact = run_audit(LAMBDA, allow("LAMBDA:invokefunction", FN))
    assert exact.excess == [] and exact.missing == []


def test_not_action_allow_is_broader() -> None:
    report = run_audit(LAMBDA, {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert report.missing == []
    assert {e.kind for e in report.excess} == {"broader-action", "broader-resource"}


DYNAMIC = machine(task("arn:aws:states:::lambda:invoke", {"FunctionName.$": "$.fn"}))


def test_dynamic_need_partly_allowed_is_undecided_not_missing() -> None:
    report = run_audit(DYNAMIC, allow("lambda:InvokeFunction", FN))
    assert report.missing == []
    (u,) = report.undecided
    assert "dynamic" in u.reason and FN in u.reason
    # nothing at all for that action: missing
    assert len(run_audit(DYNAMIC, allow("sqs:SendMessage", "*")).missing) == 1
    # the generator's own wildcard: allowed, and not excess; "*" is broader than it
    (need,) = run_audit(DYNAMIC).needs
    assert need.resource.endswith(":function:*") and need.dynamic
    full = run_audit(DYNAMIC, allow("lambda:InvokeFunction", need.resource))
    assert (full.missing, full.undecided, full.excess) == ([], [], [])
    star = run_audit(DYNAMIC, allow("lambda:InvokeFunction", "*"))
    assert [(e.kind, e.narrower) for e in star.excess] == [("broader-resource", [need.resource])]


def test_conditions_of_needs_are_requests() -> None:
    """iam:PassRole needs iam:PassedToService = ecs-tasks: a role that allows it only for
    another service misses it; one with the right condition has it."""
    result = generate_policy(ECS.read_bytes(), **ENV)
    others = [s for s in result.document["Statement"] if "iam:PassRole" not in s["Action"]]
    role = "arn:aws:iam::123456789012:role/*"
    wrong = audit(result, [doc(*others, allow("iam:PassRole", role, Condition={
        "StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}))])
    assert {m.need.action for m in wrong.missing} == {"iam:PassRole"}
    right = audit(result, [doc(*others, allow("iam:PassRole", role, Condition={
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}))])
    assert right.missing == [] and right.undecided == []
    # a condition on a key the request says nothing about: undecided
    odd = audit(result, [doc(*others, allow("iam:PassRole", role, Condition={
        "StringEquals": {"aws:PrincipalTag/team": "data"}}))])
    assert odd.missing == [] and {u.need.action for u in odd.undecided} == {"iam:PassRole"}


def test_unknown_passed_role_is_not_excess() -> None:
    """ecs.asl.json's db-migrate task definition may pass roles sfn-iam cannot name."""
    result = generate_policy(ECS.read_bytes(), **ENV)
    assert any(f.code == "unknown-passed-role" for f in result.warnings)
    report = audit(result, [result.document, doc(allow(
        "iam:PassRole", "arn:aws:iam::123456789012:role/db-migrate-task"))])
    assert report.excess == []


def test_unknown_integration_services_are_not_judged() -> None:
    # an AWS SDK service neither Step Functions nor botocore knows: unknown-integration
    definition = machine(task("arn:aws:states:::aws-sdk:madeupservice:listRoots", {}),
                         task("arn:aws:states:::lambda:invoke", {"FunctionName": "worker"}))
    report = run_audit(definition, allow(["madeupservice:ListRoots"], "*"),
                       allow("lambda:InvokeFunction", FN))
    assert report.unjudged == ["madeupservice"]
    assert report.excess == [] and report.missing == []


def test_managed_policies_not_evaluated_make_undecided() -> None:
    report = run_audit(LAMBDA, allow("sqs:SendMessage", "*"),
                       not_evaluated=["arn:aws:iam::aws:policy/service-role/AWSLambdaRole"])
    assert report.missing == []
    (u,) = report.undecided
    assert "AWSLambdaRole" in u.reason


class _TemplateOnly(Provenance):
    """A provenance as issue 9 adds it: ``template_only`` for grants the call never checks."""

    template_only = True


def test_template_only_grants_are_never_missing() -> None:
    why = _TemplateOnly(("Call",), "apigateway:invoke", "Parameters.ApiEndpoint")
    grant = Grant(("execute-api:Invoke",), ("arn:aws:execute-api:us-east-1:1:api/*",), why)
    result = GenerateResult({"Version": "2012-10-17", "Statement": []}, [], [grant])
    report = audit(result, [doc(allow("sqs:SendMessage", "*"))])
    assert report.missing == [] and report.undecided == []
    # and allowing it is not excess
    report = audit(result, [doc(allow("execute-api:Invoke",
                                      "arn:aws:execute-api:us-east-1:1:api/*"))])
    assert report.excess == []


def test_deny_all_policy_needs_nothing() -> None:
    report = audit((ROOT / "examples" / "activities.asl.json").read_bytes(),
                   [doc(allow("s3:GetObject", "*"))], **ENV)
    assert report.needs == [] and report.missing == []
    assert [e.kind for e in report.excess] == ["not-needed"]


def test_json_shape() -> None:
    report = run_audit(LAMBDA, allow("sqs:SendMessage", "*"))
    data = json.loads(json.dumps(report.to_json()))
    assert set(data) >= {"missing", "excess", "undecided"}
    assert set(data["missing"][0]) >= {"action", "resource", "condition", "states", "consequence"}
    assert set(data["excess"][0]) >= {"action", "resource", "statement", "narrower"}


def test_an_action_applies_to_its_own_resource_type() -> None:
    """The Athena template lists the workgroup and datacatalog/* for both StartQueryExecution
    and GetDataCatalog; each call is authorised on its own resource type only, so a role
    that allows each action on its own type misses nothing."""
    definition = machine(task("arn:aws:states:::athena:startQueryExecution", {
        "QueryString": "SELECT 1", "WorkGroup": "primary"}))
    result = generate_policy(definition, **ENV)
    wg = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/primary"
    catalogs = f"arn:aws:athena:{REGION}:{ACCOUNT}:datacatalog/*"
    athena = [s for s in result.document["Statement"] if wg in s["Resource"]]
    assert athena and set(athena[0]["Action"]) >= {"athena:StartQueryExecution",
                                                   "athena:GetDataCatalog"}
    rest = [s for s in result.document["Statement"] if s not in athena]
    role = doc(*rest, allow("athena:StartQueryExecution", wg),
               allow("athena:GetDataCatalog", catalogs))
    report = audit(result, [role])
    assert report.missing == []
    assert {(u.need.action, u.need.resource) for u in report.undecided} == {
        ("athena:StartQueryExecution", catalogs), ("athena:GetDataCatalog", wg)}
    # allowed on neither type: missing, on both
    none = audit(result, [doc(*rest)])
    assert {(m.need.action, m.need.resource) for m in none.missing} >= {
        ("athena:StartQueryExecution", wg), ("athena:StartQueryExecution", catalogs)}


def test_advisory_log_delivery_actions_are_undecided() -> None:
    result = generate_policy(LAMBDA, logging=True, **ENV)
    eight = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
             "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
             "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"]
    report = audit(result, [doc(allow(eight, "*"), allow("lambda:InvokeFunction", FN))])
    assert report.missing == []
    assert {u.need.action for u in report.undecided} == {"logs:CreateLogStream",
                                                        "logs:PutLogEvents"}
    less = audit(result, [doc(allow(eight[1:], "*"), allow("lambda:InvokeFunction", FN))])
    (m,) = less.missing
    assert m.need.action == "logs:CreateLogDelivery" and "logging" in m.consequence


def test_malformed_values_are_undecided() -> None:
    definition = machine(task("arn:aws:states:::lambda:invoke", {
        "FunctionName": "arn:aws:lambda:Region:CrossAccountID:function:Name"}))
    report = run_audit(definition, allow("sqs:SendMessage", "*"))
    assert report.missing == []
    (u,) = report.undecided
    assert "malformed" in u.reason


def test_a_role_resource_the_audit_cannot_read_is_never_excess() -> None:
    """A ``${...}`` left in a role's resource (a template value known only at deploy time, a
    policy variable) covers something unknown: not excess; IAM's literal escapes are read."""
    definition = machine(task("arn:aws:states:::lambda:invoke", {"FunctionName": "worker"}))
    report = run_audit(definition, allow("lambda:InvokeFunction", FN),
                       allow("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:"
                             "function:${OtherFn}"))
    assert report.missing == [] and report.excess == []
    escaped = run_audit(definition, allow("lambda:InvokeFunction", FN),
                        allow("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:"
                              "function:a${*}b"))
    assert [(e.resource, e.kind) for e in escaped.excess] == [
        ("arn:aws:lambda:us-east-1:123456789012:function:a${*}b", "not-needed")]


def test_a_partition_placeholder_read_as_the_machines_is_judged() -> None:
    """arn:${Partition}:states:::sns:publish is read (partition-placeholder): its service is
    judged like any other, not set aside as a Resource sfn-iam could not read."""
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    definition = machine(task("arn:${Partition}:states:::sns:publish",
                              {"TopicArn": topic, "Message": "m"}))
    report = run_audit(definition, allow("sns:Publish", topic), allow("sqs:SendMessage", "*"))
    assert report.unjudged == []
    assert report.missing == []
    assert [e.action for e in report.excess] == ["sqs:SendMessage"]
    report = run_audit(definition, allow("sqs:SendMessage", "*"))
    assert [m.need.action for m in report.missing] == ["sns:Publish"]


@pytest.mark.parametrize(("resource", "unjudged"), [
    ("arn:aws:states:::aws-sdk:madeupservice:listRoots", ["madeupservice"]),
    ("arn:aws:states:::aws-sdk:sfn:madeUpAction", ["states"]),  # the SDK name's IAM prefix
    ("arn:aws:states:::madeup:doIt", ["*"]),  # an unknown Step Functions integration
    ("arn:aws:sqs:us-east-1:123456789012:q", ["sqs"]),  # an ARN that is no integration
    ("${WorkerArn}", ["lambda", "states"]),  # a Resource left as a placeholder
    ("arn:aws:states:::aws-sdk:dynamodb:${Api}", ["dynamodb"]),
    ("not-an-arn", []),  # no service at all: nothing set aside
    ("arn:aws:states:::lambda:invoke", []),
])
def test_the_generator_names_the_services_it_could_not_judge(resource: str,
                                                             unjudged: list[str]) -> None:
    """GenerateResult.unjudged, worked out where the Resource is classified (the audit once
    read it back out of the warnings' text)."""
    result = generate_policy(machine(task(resource, {"FunctionName": "f"})), **ENV)
    assert result.unjudged == unjudged
