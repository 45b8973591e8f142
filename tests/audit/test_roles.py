"""Where the role comes from: policy files, CloudFormation roles, SAM Policies (policy
templates expanded from aws-sam-translator's data), SAM Connectors; intrinsics resolved by an
injectable resolver."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from sfn_iam.audit import audit
from sfn_iam.audit.roles import (
    RoleError,
    default_resolver,
    expand_sam_template,
    from_file_value,
    template_role,
)
from tests.util import ACCOUNT, REGION, machine, task


def resolver(t: dict[str, Any]) -> Any:
    """The template readers' resolver over ``t`` (the default of ``template_role``)."""
    return default_resolver(t, region=REGION, account=ACCOUNT)


POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}


def test_policy_document_list_and_get_role_policy_output() -> None:
    assert from_file_value(POLICY, "p.json").documents == [("p.json", POLICY)]
    assert len(from_file_value([POLICY, POLICY], "p.json").documents) == 2
    api = {"RoleName": "r", "PolicyName": "inline", "PolicyDocument": POLICY}
    assert from_file_value(api, "p.json").documents == [("p.json: inline", POLICY)]


def test_cloudformation_role_with_managed_policy_arns() -> None:
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {},
        "Policies": [{"PolicyName": "sfn", "PolicyDocument": POLICY}],
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
                              {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/X"}]}}
    got = from_file_value(role, "role.json")
    assert got.documents == [("role.json: sfn", POLICY)]
    assert got.not_evaluated == ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
                                 "arn:aws:iam::aws:policy/X"]


@pytest.mark.parametrize("bad", [3, {"a": 1}, {"Resources": {}},
                                 {"Policies": [{"PolicyName": "x"}]},
                                 {"PolicyDocument": "not json"}])
def test_bad_policy_files(bad: Any) -> None:
    with pytest.raises(RoleError) as err:
        from_file_value(bad, "f.json")
    assert str(err.value).startswith("f.json") and "\n" not in str(err.value)


DEF = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def cfn_template() -> dict[str, Any]:
    return {"Resources": {
        "Worker": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "worker"}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "Definition": DEF, "RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]}}},
        "MachineRole": {"Type": "AWS::IAM::Role", "Properties": {
            "Policies": [{"PolicyName": "invoke", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "lambda:InvokeFunction",
                    "Resource": {"Fn::GetAtt": ["Worker", "Arn"]}}]}}],
            "ManagedPolicyArns": [{"Ref": "Publish"}]}},
        "Publish": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}}]}}},
        "Extra": {"Type": "AWS::IAM::Policy", "Properties": {
            "Roles": [{"Ref": "MachineRole"}], "PolicyName": "x", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": "sqs:SendMessage", "Resource": {"Fn::Sub":
                        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q"}}]}}},
    }}


def test_cloudformation_role_policy_and_managed_policy_in_the_template() -> None:
    t = cfn_template()
    got = template_role(t, None, resolver(t))
    docs = dict(got.documents)
    assert set(docs) == {"MachineRole: invoke", "Publish", "Extra"}
    assert docs["MachineRole: invoke"]["Statement"][0]["Resource"] == \
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:worker"
    # a topic without TopicName: its name is generated at deploy time, never guessed
    assert docs["Publish"]["Statement"][0]["Resource"] == \
        f"arn:aws:sns:{REGION}:{ACCOUNT}:${{Topic generated name}}"
    assert docs["Extra"]["Statement"][0]["Resource"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
    assert got.not_evaluated == []


def test_template_role_audits_the_definition() -> None:
    t = cfn_template()
    got = template_role(t, "Machine", resolver(t))
    definition = machine(task("arn:aws:states:::lambda:invoke", {"FunctionName": "worker"}),
                         task("arn:aws:states:::sns:publish", {
                             "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:Topic", "Message": "m"}))
    report = audit(definition, got.documents, region=REGION, account=ACCOUNT)
    assert report.missing == []
    # the role's topic has a name generated at deploy time: whether it is "Topic" is undecided
    assert [(u.need.action, u.need.resource) for u in report.undecided] == [
        ("sns:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:Topic")]
    t["Resources"]["Topic"]["Properties"]["TopicName"] = "Topic"
    got = template_role(t, "Machine", resolver(t))
    report = audit(definition, got.documents, region=REGION, account=ACCOUNT)
    assert report.missing == [] and report.undecided == []
    assert [(e.action, e.kind) for e in report.excess] == [("sqs:SendMessage", "not-needed")]


def test_the_resolver_is_injectable() -> None:
    t = cfn_template()
    seen: list[Any] = []

    def resolve(value: Any) -> Any:
        seen.append(value)
        return default_resolver(t, region="eu-west-1", account="111122223333")(value)

    got = template_role(t, None, resolve)
    assert seen and "eu-west-1" in str(dict(got.documents)["MachineRole: invoke"])


def test_unknown_values_stay_unknown() -> None:
    r = default_resolver({"Parameters": {"Free": {"Type": "String"},
                                         "Ssm": {"Type": "AWS::SSM::Parameter::Value<String>",
                                                 "Default": "/x"}},
                          "Conditions": {"C": {"Fn::Equals": [{"Ref": "Free"}, "x"]}},
                          "Resources": {"Thing": {"Type": "Custom::X"},
                                        "Fn": {"Type": "AWS::Lambda::Function"}}})
    assert r({"Fn::GetAtt": ["Thing", "Arn"]}) == "${Thing.Arn}"
    assert r({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Thing}"}) == "arn:aws:s3:::${Thing}"
    assert r({"Ref": "AWS::Region"}) == "${AWS::Region}"
    assert r({"Ref": "AWS::AccountId"}) == "${AWS::AccountId}"
    assert r({"Ref": "AWS::StackName"}) == "${AWS::StackName}"
    assert r({"Ref": "Free"}) == "${Free}" and r({"Ref": "Ssm"}) == "${Ssm}"
    assert r({"Fn::ImportValue": "Shared"}) == "${Fn::ImportValue Shared}"
    assert r({"Ref": "NotInTheTemplate"}) == "${NotInTheTemplate}"
    assert r({"Fn::GetAtt": ["Fn", "Arn"]}) == \
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn generated name}"
    assert r({"Fn::If": ["C", "a", "b"]}) in ("a", "b")  # decided by the template's conditions


def test_state_machine_choice() -> None:
    t = cfn_template()
    t["Resources"]["Other"] = {"Type": "AWS::Serverless::StateMachine", "Properties": {}}
    with pytest.raises(RoleError, match="2 state machines"):
        template_role(t)
    with pytest.raises(RoleError, match="no state machine 'Nope'"):
        template_role(t, "Nope")


# --- SAM --------------------------------------------------------------------------------------

SAM = pytest.mark.skipif(importlib.util.find_spec("samtranslator") is None,
                         reason="aws-sam-translator is not installed (pip install '.[sam]')")


def sam_template() -> dict[str, Any]:
    return {"Transform": "AWS::Serverless-2016-10-31", "Resources": {
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Child": {"Type": "AWS::Serverless::StateMachine", "Properties": {"Name": "child"}},
        "Machine": {"Type": "AWS::Serverless::StateMachine", "Properties": {
            "Definition": DEF,
            "Policies": [
                {"LambdaInvokePolicy": {"FunctionName": {"Ref": "Fn"}}},
                {"DynamoDBCrudPolicy": {"TableName": {"Ref": "Table"}}},
                {"S3ReadPolicy": {"BucketName": {"Ref": "Bucket"}}},
                {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["Queue", "QueueName"]}}},
                {"StepFunctionsExecutionPolicy": {"StateMachineName": {
                    "Fn::GetAtt": ["Child", "Name"]}}},
                "AWSXrayWriteOnlyAccess",
                {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "events:PutEvents", "Resource": "*"}]},
            ],
            "Connectors": {"ToTopic": {"Properties": {
                "Destination": {"Type": "AWS::SNS::Topic", "Arn": "arn:aws:sns:us-east-1:1:t"},
                "Permissions": ["Write"]}}},
        }},
        "Conn": {"Type": "AWS::Serverless::Connector", "Properties": {
            "Source": {"Id": "Machine"}, "Destination": {"Id": "Queue"},
            "Permissions": ["Write"]}},
    }}


@SAM
def test_sam_policy_templates_are_expanded_from_the_translator_data() -> None:
    t = sam_template()
    got = template_role(t, "Machine", resolver(t))
    docs = dict(got.documents)
    fn = docs["Machine.Policies[0] LambdaInvokePolicy"]["Statement"][0]
    assert fn["Action"] == ["lambda:InvokeFunction"]
    # resources without a name property: generated at deploy time, undecided in the audit
    assert fn["Resource"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:${{Fn generated name}}*"
    crud = docs["Machine.Policies[1] DynamoDBCrudPolicy"]["Statement"][0]
    assert f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders" in crud["Resource"]
    s3 = docs["Machine.Policies[2] S3ReadPolicy"]["Statement"][0]
    assert s3["Resource"] == ["arn:aws:s3:::${Bucket generated name}",
                              "arn:aws:s3:::${Bucket generated name}/*"]
    sqs = docs["Machine.Policies[3] SQSSendMessagePolicy"]["Statement"][0]
    assert sqs["Resource"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:${{Queue generated name}}"
    sfn = docs["Machine.Policies[4] StepFunctionsExecutionPolicy"]["Statement"][0]
    assert sfn["Resource"] == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:child"
    assert "Machine.Policies[6]" in docs
    assert got.not_evaluated == ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]


@SAM
def test_sam_connectors() -> None:
    t = sam_template()
    docs = dict(template_role(t, "Machine", resolver(t)).documents)
    topic = docs["Machine.Connectors.ToTopic (Write)"]["Statement"][0]
    assert topic["Action"] == ["sns:Publish"] and topic["Resource"] == [
        "arn:aws:sns:us-east-1:1:t"]
    queue = docs["Conn (Write)"]["Statement"][0]
    assert queue["Action"] == ["sqs:SendMessage"]
    assert queue["Resource"] == [f"arn:aws:sqs:{REGION}:{ACCOUNT}:${{Queue generated name}}"]


@SAM
def test_sam_template_errors() -> None:
    r = default_resolver({})
    with pytest.raises(RoleError, match="not a SAM policy template"):
        expand_sam_template("NoSuchPolicy", {}, "p", r)
    with pytest.raises(RoleError, match="needs FunctionName"):
        expand_sam_template("LambdaInvokePolicy", {}, "p", r)


@SAM
def test_embedded_connectors_are_a_resource_attribute_and_apply_to_an_explicit_role() -> None:
    t = cfn_template()
    t["Resources"]["Machine"]["Connectors"] = {"ToTopic": {"Properties": {
        "Destination": {"Id": "Topic"}, "Permissions": ["Write"]}}}
    docs = dict(template_role(t, "Machine", resolver(t)).documents)
    assert docs["Machine.Connectors.ToTopic (Write)"]["Statement"][0]["Resource"] == [
        f"arn:aws:sns:{REGION}:{ACCOUNT}:${{Topic generated name}}"]
    assert "MachineRole: invoke" in docs


def test_an_unnamed_state_machine_has_a_name_generated_at_deploy_time() -> None:
    r = default_resolver({"Resources": {"Child": {"Type": "AWS::StepFunctions::StateMachine"}}},
                         region=REGION, account=ACCOUNT)
    arn = r({"Fn::GetAtt": ["Child", "Arn"]})
    assert arn == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:${{Child generated name}}"
    assert r({"Ref": "Child"}) == arn


def test_sam_tracing_adds_the_xray_managed_policy() -> None:
    t = {"Resources": {"M": {"Type": "AWS::Serverless::StateMachine", "Properties": {
        "Tracing": {"Enabled": True}}}}}
    got = template_role(t, None, resolver(t))
    assert got.not_evaluated == ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]


@SAM
def test_sam_data_is_read_without_importing_the_translator() -> None:
    import subprocess
    import sys

    code = ("import sys; from sfn_iam.audit.roles import _sam; _sam('templates'); "
            "_sam('connectors'); print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('samtranslator', 'pydantic', 'boto3')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_without_the_translator_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util as iu

    from sfn_iam.audit import roles

    monkeypatch.setattr(roles, "_SAM_CACHE", {})
    real = iu.find_spec
    monkeypatch.setattr(iu, "find_spec",
                        lambda name, *a: None if name == "samtranslator" else real(name, *a))
    with pytest.raises(RoleError, match=r"pip install 'sfn-iam\[sam\]'"):
        expand_sam_template("LambdaInvokePolicy", {"FunctionName": "f"}, "p", default_resolver({}))
