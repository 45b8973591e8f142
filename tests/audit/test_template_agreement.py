"""The role and the definition read a template's intrinsics with one resolver and one table of
resource types (``sfn_iam.sources``): ``!GetAtt`` / ``!Ref`` / ``!Sub`` of the same resource give
the same ARN on both sides, so a right role audits clean and a wrong one misses exactly what it
lacks. What only deployment tells (a name generated at deploy time, a parameter without a
default, an unknown region) is undecided on the role's side, never a guess."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sfn_iam.audit.roles import template_role
from sfn_iam.cli import main
from sfn_iam.sources import load_state_machines
from sfn_iam.sources.template_values import machine_context, template_resolver

REGION, ACCOUNT = "us-east-1", "123456789012"
ENV = ["--region", REGION, "--account", ACCOUNT]
P = f"arn:aws:{{}}:{REGION}:{ACCOUNT}"

RESOURCES: dict[str, Any] = {
    "Named": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "named-fn"}},
    "Unnamed": {"Type": "AWS::Lambda::Function", "Properties": {}},
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "alerts"}},
    "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}},
    "Child": {"Type": "AWS::StepFunctions::StateMachine",
              "Properties": {"StateMachineName": "child", "Definition": {
                  "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}},
}


def task(resource: str, params: dict[str, Any], next_state: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": "Task", "Resource": resource, "Parameters": params}
    out.update({"Next": next_state} if next_state else {"End": True})
    return out


def definition() -> dict[str, Any]:
    """A Task on each resource, named by ``${...}`` placeholders."""
    steps = [
        ("arn:aws:states:::lambda:invoke", {"FunctionName": "${NamedArn}"}),
        ("arn:aws:states:::lambda:invoke", {"FunctionName": "${UnnamedArn}"}),
        ("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "${QueueUrl}", "MessageBody": "m"}),
        ("arn:aws:states:::sns:publish", {"TopicArn": "${TopicArn}", "Message": "m"}),
        ("arn:aws:states:::dynamodb:putItem", {"TableName": "${TableName}", "Item": {}}),
        ("arn:aws:states:::states:startExecution", {"StateMachineArn": "${ChildArn}"}),
    ]
    names = [f"S{i}" for i in range(len(steps))]
    states = {n: task(r, p, names[i + 1] if i + 1 < len(names) else None)
              for i, (n, (r, p)) in enumerate(zip(names, steps, strict=True))}
    return {"StartAt": names[0], "States": states}


#: DefinitionSubstitutions: the definition's view of each resource
SUBSTITUTIONS = {
    "NamedArn": {"Fn::GetAtt": ["Named", "Arn"]},
    "UnnamedArn": {"Fn::GetAtt": ["Unnamed", "Arn"]},
    "QueueUrl": {"Ref": "Queue"},  # an SQS queue's Ref is its URL
    "TopicArn": {"Ref": "Topic"},  # an SNS topic's Ref is its ARN
    "TableName": {"Ref": "Table"},  # a table's Ref is its name
    "ChildArn": {"Ref": "Child"},  # a state machine's Ref is its ARN
}

#: the role's view of the same resources, written the other ways templates write them
STATEMENTS: dict[str, tuple[str, Any]] = {
    "named": ("lambda:InvokeFunction", {"Fn::GetAtt": ["Named", "Arn"]}),
    "unnamed": ("lambda:InvokeFunction", {"Fn::GetAtt": ["Unnamed", "Arn"]}),
    "queue": ("sqs:SendMessage", {"Fn::GetAtt": ["Queue", "Arn"]}),
    "topic": ("sns:Publish", {"Ref": "Topic"}),
    "table": ("dynamodb:PutItem", {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:"
                                              "${AWS::AccountId}:table/${Table}"}),
    "child": ("states:StartExecution", {"Fn::GetAtt": ["Child", "Arn"]}),
}


def cfn_template(*leave_out: str) -> dict[str, Any]:
    statements = [{"Effect": "Allow", "Action": a, "Resource": r}
                  for k, (a, r) in STATEMENTS.items() if k not in leave_out]
    return {"Resources": {
        **json.loads(json.dumps(RESOURCES)),
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "Definition": definition(), "DefinitionSubstitutions": SUBSTITUTIONS,
            "RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]}}},
        "MachineRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{
            "PolicyName": "run", "PolicyDocument": {"Version": "2012-10-17",
                                                    "Statement": statements}}]}},
    }}


def audit_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["audit", *argv, "--state-machine", "Machine", "--format", "json"])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


def machine_named(machines: list[Any], name: str = "Machine") -> Any:
    (m,) = [m for m in machines if m.name == name]
    return m


def missing(data: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((m["action"], m["resource"]) for m in data["missing"])


# --- one resolver: the same expression, the same value ---------------------------------------


@pytest.mark.parametrize("expr", [
    {"Fn::GetAtt": ["Named", "Arn"]}, {"Ref": "Named"},
    {"Ref": "Queue"}, {"Fn::GetAtt": ["Queue", "Arn"]}, {"Fn::GetAtt": ["Queue", "QueueName"]},
    {"Ref": "Topic"}, {"Fn::GetAtt": ["Topic", "TopicName"]},
    {"Ref": "Table"}, {"Fn::GetAtt": ["Table", "Arn"]},
    {"Ref": "Child"}, {"Fn::GetAtt": ["Child", "Name"]},
    {"Fn::Sub": "${Named.Arn}|${Queue}|${Topic}|${Table}|${Child}"},
])
def test_the_role_reads_an_expression_as_the_definition_does(tmp_path: Path, expr: Any) -> None:
    t = cfn_template()
    t["Resources"]["Machine"]["Properties"]["DefinitionSubstitutions"] = {"X": expr}
    path = tmp_path / "template.json"
    path.write_text(json.dumps(t))
    m = machine_named(load_state_machines(str(path), region=REGION, account=ACCOUNT))
    ctx = machine_context(m)
    assert ctx is not None
    assert template_resolver(t, ctx)(expr) == m.substitutions["X"]


def test_the_values_are_the_resource_table_s() -> None:
    t = cfn_template()
    r = template_resolver(t, machine_context(load_state_machines_of(t)))
    assert r({"Ref": "Queue"}) == f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/jobs"
    assert r({"Fn::GetAtt": ["Queue", "Arn"]}) == P.format("sqs") + ":jobs"
    assert r({"Ref": "Topic"}) == P.format("sns") + ":alerts"
    assert r({"Ref": "Table"}) == "orders"
    assert r({"Ref": "Child"}) == P.format("states") + ":stateMachine:child"
    assert r({"Fn::GetAtt": ["Named", "Arn"]}) == P.format("lambda") + ":function:named-fn"
    # a name generated at deploy time: a placeholder, never the logical ID
    assert r({"Fn::GetAtt": ["Unnamed", "Arn"]}) == \
        P.format("lambda") + ":function:${Unnamed generated name}"


def load_state_machines_of(t: dict[str, Any]) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "template.json"
        path.write_text(json.dumps(t))
        return machine_named(load_state_machines(str(path), region=REGION, account=ACCOUNT))


# --- sfn-iam audit TEMPLATE: the template's own role ------------------------------------------


def test_a_right_role_misses_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(cfn_template()))
    code, data = audit_json(capsys, str(path), *ENV)
    assert code == 0 and data["missing"] == []
    # the unnamed function: the need is function:* (its name is generated at deploy time), the
    # role's is ${Unnamed generated name}: undecided, not missing, not allowed
    (u,) = data["undecided"]
    assert (u["action"], u["resource"]) == ("lambda:InvokeFunction",
                                            P.format("lambda") + ":function:*")
    assert u["states"] == ["S1"]
    # what the placeholder covers is unknown: it is not called excess (a false "excess"
    # otherwise); every other statement is needed as written
    assert data["excess"] == []


@pytest.mark.parametrize(("leave_out", "expected"), [
    ("queue", [("sqs:SendMessage", P.format("sqs") + ":jobs")]),
    ("topic", [("sns:Publish", P.format("sns") + ":alerts")]),
    ("table", [("dynamodb:PutItem", P.format("dynamodb") + ":table/orders")]),
    ("child", [("states:StartExecution", P.format("states") + ":stateMachine:child")]),
    ("named unnamed", [("lambda:InvokeFunction", P.format("lambda") + ":function:*"),
                       ("lambda:InvokeFunction", P.format("lambda") + ":function:named-fn")]),
])
def test_a_wrong_role_misses_exactly_what_it_lacks(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, leave_out: str,
                                                   expected: list[tuple[str, str]]) -> None:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(cfn_template(*leave_out.split())))
    code, data = audit_json(capsys, str(path), *ENV)
    assert code == 1 and missing(data) == expected


def test_a_generated_name_is_never_taken_for_another(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    """The role allows the unnamed function (a name made at deploy time) but not named-fn:
    whether that placeholder is named-fn is undecided, not allowed; and the other way round,
    function:* needed for the unnamed one, named-fn allowed: undecided (only in part)."""
    path = tmp_path / "template.json"
    path.write_text(json.dumps(cfn_template("named")))
    code, data = audit_json(capsys, str(path), *ENV)
    assert code == 0 and data["missing"] == []
    assert sorted(u["resource"].rsplit(":", 1)[1] for u in data["undecided"]) == ["*", "named-fn"]
    path.write_text(json.dumps(cfn_template("unnamed")))
    code, data = audit_json(capsys, str(path), *ENV)
    assert code == 0 and data["missing"] == []
    (u,) = data["undecided"]
    assert u["resource"].endswith(":function:*") and "only on part" in u["reason"]


def test_the_same_template_as_template_role(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    """``--template-role`` with the same template and a bare definition: the same answer."""
    path = tmp_path / "template.json"
    path.write_text(json.dumps(cfn_template("topic")))
    _, own = audit_json(capsys, str(path), *ENV)
    m = machine_named(load_state_machines(str(path), region=REGION, account=ACCOUNT))
    asl = tmp_path / "machine.asl.json"
    asl.write_text(json.dumps(m.definition))
    subs = [f"--substitute={k}={v}" for k, v in m.substitutions.items() if "*" not in v]
    code, other = audit_json(capsys, str(asl), "--template-role", str(path), *subs, *ENV)
    assert code == 1 and missing(other) == missing(own) == [
        ("sns:Publish", P.format("sns") + ":alerts")]


def test_unknown_region_and_parameters_stay_undecided(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path) -> None:
    """Without --region/--account the role's ARNs hold ${AWS::Region}: nothing is called
    missing or allowed on a guess. A parameter without a default: its value is undecided until
    --parameter gives it, and then both sides use it."""
    t = cfn_template()
    t["Parameters"] = {"TableParam": {"Type": "String"}}
    t["Resources"]["Table"]["Properties"]["TableName"] = {"Ref": "TableParam"}
    path = tmp_path / "template.json"
    path.write_text(json.dumps(t))
    code, data = audit_json(capsys, str(path))
    assert code == 0 and data["missing"] == []
    code, data = audit_json(capsys, str(path), *ENV)
    assert code == 0 and data["missing"] == []
    assert any(u["action"] == "dynamodb:PutItem" for u in data["undecided"])
    code, data = audit_json(capsys, str(path), "--parameter", "TableParam=orders", *ENV)
    assert code == 0 and data["missing"] == []
    assert [u["action"] for u in data["undecided"]] == ["lambda:InvokeFunction"]


# --- SAM: DefinitionSubstitutions and Policies ------------------------------------------------

SAM = pytest.mark.skipif(importlib.util.find_spec("samtranslator") is None,
                         reason="aws-sam-translator is not installed (pip install '.[sam]')")

SAM_POLICIES: dict[str, Any] = {
    "named": {"LambdaInvokePolicy": {"FunctionName": {"Ref": "Named"}}},
    "queue": {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["Queue", "QueueName"]}}},
    "topic": {"SNSPublishMessagePolicy": {"TopicName": {"Fn::GetAtt": ["Topic", "TopicName"]}}},
    "table": {"DynamoDBWritePolicy": {"TableName": {"Ref": "Table"}}},
    "child": {"StepFunctionsExecutionPolicy": {"StateMachineName": {
        "Fn::GetAtt": ["Child", "Name"]}}},
}


def sam_template(tmp_path: Path, leave_out: str | None = None) -> Path:
    asl = tmp_path / "statemachine" / "machine.asl.json"
    asl.parent.mkdir(exist_ok=True)
    steps = definition()
    del steps["States"]["S1"]  # the unnamed function is covered by the CloudFormation test
    steps["States"]["S0"]["Next"] = "S2"
    asl.write_text(json.dumps(steps, indent=2))
    subs = {k: v for k, v in SUBSTITUTIONS.items() if k != "UnnamedArn"}
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            **json.loads(json.dumps(RESOURCES)),
            "Named": {"Type": "AWS::Serverless::Function", "Properties": {
                "FunctionName": "named-fn", "Runtime": "python3.12", "Handler": "a.h",
                "CodeUri": "src/"}},
            "Machine": {"Type": "AWS::Serverless::StateMachine", "Properties": {
                "DefinitionUri": "statemachine/machine.asl.json",
                "DefinitionSubstitutions": subs,
                "Policies": [p for k, p in SAM_POLICIES.items() if k != leave_out]}},
        },
    }
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template, sort_keys=False))
    return path


@SAM
def test_sam_policies_and_substitutions_agree(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    path = sam_template(tmp_path)
    code, data = audit_json(capsys, str(path), *ENV)
    assert code == 0 and data["missing"] == [] and data["undecided"] == []
    # the policy templates grant more than the Tasks use (other actions, a name prefix), on the
    # very resources the definition names
    excess = {(e["action"], e["kind"]): e for e in data["excess"]}
    fn = excess["lambda:InvokeFunction", "broader-resource"]
    assert fn["narrower"] == [P.format("lambda") + ":function:named-fn"]
    assert not any(e["action"] in ("sns:Publish", "states:StartExecution", "sqs:SendMessage")
                   for e in data["excess"])


@SAM
@pytest.mark.parametrize(("leave_out", "expected"), [
    ("named", [("lambda:InvokeFunction", P.format("lambda") + ":function:named-fn")]),
    ("queue", [("sqs:SendMessage", P.format("sqs") + ":jobs")]),
    ("topic", [("sns:Publish", P.format("sns") + ":alerts")]),
    ("table", [("dynamodb:PutItem", P.format("dynamodb") + ":table/orders")]),
    ("child", [("states:StartExecution", P.format("states") + ":stateMachine:child")]),
])
def test_sam_policies_missing_one(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  leave_out: str, expected: list[tuple[str, str]]) -> None:
    path = sam_template(tmp_path, leave_out)
    code, data = audit_json(capsys, str(path), *ENV)
    assert code == 1 and missing(data) == expected


@SAM
def test_sam_folder_is_audited_with_its_own_role(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    """``sfn-iam audit FOLDER``: the folder's template.yaml gives the role too."""
    sam_template(tmp_path, "queue")
    code, data = audit_json(capsys, str(tmp_path), *ENV)
    assert code == 1 and missing(data) == [("sqs:SendMessage", P.format("sqs") + ":jobs")]


def test_the_resolver_stays_injectable() -> None:
    t = cfn_template()
    got = template_role(t, "Machine", lambda v: v)  # no resolution at all
    (doc,) = [d for n, d in got.documents]
    assert doc["Statement"][0]["Resource"] == {"Fn::GetAtt": ["Named", "Arn"]}
