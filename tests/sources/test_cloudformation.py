"""CloudFormation and SAM templates: the machines, the intrinsic functions, the resource
table, deploy-time names, settings, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import load_state_machines

from .helpers import ACCOUNT, codes, generate, grants, write

SAM_HEAD = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
"""
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function"


def sam(tmp_path: Path, body: str, **files: str) -> Path:
    write(tmp_path, {"template.yaml": SAM_HEAD + body, **files})
    return tmp_path / "template.yaml"


def test_sam_definition_uri_with_substitutions(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Parameters:
      Stage: {Type: String, Default: dev}
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          DefinitionUri: statemachine/m.asl.json
          DefinitionSubstitutions:
            CheckArn: !GetAtt Checker.Arn
            PutItem: !Sub arn:${AWS::Partition}:states:::dynamodb:putItem
            Table: !Ref Table
            QueueUrl: !Ref Queue
          Policies: [{LambdaInvokePolicy: {FunctionName: !Ref Checker}}]
          Connectors: {}
      Checker:
        Type: AWS::Serverless::Function
        Properties: {FunctionName: !Sub "checker-${Stage}", Handler: a.b}
      Table:
        Type: AWS::Serverless::SimpleTable
        Properties: {TableName: items}
      Queue:
        Type: AWS::SQS::Queue
        Properties: {QueueName: jobs}
    """.replace("\n    ", "\n"), **{"statemachine/m.asl.json": json.dumps({
        "StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "${CheckArn}", "Next": "B"},
            "B": {"Type": "Task", "Resource": "${PutItem}",
                  "Parameters": {"TableName": "${Table}", "Item": {}}, "Next": "C"},
            "C": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                  "Parameters": {"QueueUrl": "${QueueUrl}", "MessageBody": "x"}, "End": True}}})})
    result = generate(path)
    g = grants(result)
    assert g["lambda:InvokeFunction"] >= {f"{FN}:checker-dev"}
    assert all("checker-dev" in r for r in g["lambda:InvokeFunction"])
    # a Resource that is itself a placeholder is substituted before it is classified
    assert g["dynamodb:PutItem"] == {f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/items"}
    # Ref of a queue is its URL, which becomes the queue ARN
    assert g["sqs:SendMessage"] == {f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"}
    assert result.warnings == []
    # --parameter overrides the default
    g2 = grants(generate(path, parameters={"Stage": "prod"}))
    assert all("checker-prod" in r for r in g2["lambda:InvokeFunction"])


def test_generated_name_is_a_wildcard_in_the_name_part_only(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: A
            States:
              A:
                Type: Task
                Resource: arn:aws:states:::lambda:invoke
                Parameters: {FunctionName: !Ref Fn}
                Next: B
              B:
                Type: Task
                Resource: arn:aws:states:::sns:publish
                Parameters: {TopicArn: !Ref Topic, Message: x}
                End: true
      Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b}}
      Topic: {Type: AWS::SNS::Topic}
    """.replace("\n    ", "\n"))
    result = generate(path)
    g = grants(result)
    assert g["lambda:InvokeFunction"] <= {f"{FN}:*", f"{FN}:*:*"}
    assert g["sns:Publish"] == {f"arn:aws:sns:us-east-1:{ACCOUNT}:*"}
    msgs = [str(f) for f in result.warnings]
    assert codes(result) == ["dynamic-resource", "dynamic-resource"]
    assert any("state 'A'" in m and "Fn (AWS::Serverless::Function)" in m and "FunctionName" in m
               for m in msgs), msgs
    assert any("state 'B'" in m and "Topic (AWS::SNS::Topic)" in m and "TopicName" in m
               for m in msgs), msgs


def test_definition_string_sub_logical_id_means_ref_and_substitutions(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "DefinitionString": {"Fn::Sub": json.dumps({
                    "StartAt": "A", "States": {
                        "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                              "Parameters": {"QueueUrl": "${Queue}", "MessageBody": "x"},
                              "Next": "B"},
                        "B": {"Type": "Task", "Resource": "${FnArn}", "TimeoutSeconds": 1,
                              "Next": "C"},
                        "C": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                              "Parameters": {"TopicArn": "${TopicArn}", "Message": "x"},
                              "End": True}}})},
                "DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]},
                                            "TopicArn": "arn:aws:sns:us-east-1:111122223333:t"},
                "RoleArn": "arn:aws:iam::1:role/r"}},
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q.fifo"}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "f"}}}}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    g = grants(generate(path))
    assert g["sqs:SendMessage"] == {f"arn:aws:sqs:us-east-1:{ACCOUNT}:q.fifo"}
    assert f"{FN}:f" in g["lambda:InvokeFunction"]
    assert g["sns:Publish"] == {"arn:aws:sns:us-east-1:111122223333:t"}


def test_unquoted_placeholder_is_substituted_as_text(tmp_path: Path) -> None:
    text = ('{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", '
            '"TimeoutSeconds": ${Timeout}, "End": true}}}')
    template = {"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionString": text,
        "DefinitionSubstitutions": {"Fn": "arn:aws:lambda:us-east-1:111122223333:function:f",
                                    "Timeout": 30}}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    (m,) = load_state_machines(str(tmp_path / "t.json"))
    assert m.definition["States"]["A"]["TimeoutSeconds"] == 30
    assert grants(generate(tmp_path / "t.json"))["lambda:InvokeFunction"] >= {
        "arn:aws:lambda:us-east-1:111122223333:function:f"}


def test_cdk_style_join_and_find_in_map_and_if(tmp_path: Path) -> None:
    template = {
        "Mappings": {"Env": {"us-east-1": {"Table": "orders-use1"}}},
        "Parameters": {"Mode": {"Type": "String", "Default": "on"}},
        "Conditions": {"On": {"Fn::Equals": [{"Ref": "Mode"}, "on"]}},
        "Resources": {
            "Fn9A1B2C3D": {"Type": "AWS::Lambda::Function",
                           "Properties": {"FunctionName": "worker"}},
            "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "DefinitionString": {"Fn::Join": ["", [
                    '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:',
                    {"Ref": "AWS::Partition"},
                    ':states:::lambda:invoke","Parameters":{"FunctionName":"',
                    {"Fn::GetAtt": ["Fn9A1B2C3D", "Arn"]},
                    '"},"Next":"B"},"B":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",'
                    '"Parameters":{"TableName":"',
                    {"Fn::FindInMap": ["Env", {"Ref": "AWS::Region"}, "Table"]},
                    '","Key":{}},"Next":"C"},"C":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",'
                    '"Parameters":{"QueueUrl":"',
                    {"Fn::If": ["On", "https://sqs.us-east-1.amazonaws.com/111122223333/on", "x"]},
                    '","MessageBody":"m"},"End":true}}}']]}}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    g = grants(generate(tmp_path / "t.json"))
    assert f"{FN}:worker" in g["lambda:InvokeFunction"]
    assert g["dynamodb:GetItem"] == {f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders-use1"}
    assert g["sqs:SendMessage"] == {"arn:aws:sqs:us-east-1:111122223333:on"}


def test_import_value_and_ssm_are_deploy_time(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Parameters:
      Shared: {Type: "AWS::SSM::Parameter::Value<String>", Default: /shared/topic}
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: A
            States:
              A:
                Type: Task
                Resource: arn:aws:states:::sns:publish
                Parameters: {TopicArn: !ImportValue SharedTopicArn, Message: x}
                Next: B
              B:
                Type: Task
                Resource: arn:aws:states:::sns:publish
                Parameters: {TopicArn: !Ref Shared, Message: x}
                End: true
    """.replace("\n    ", "\n"))
    result = generate(path)
    assert grants(result)["sns:Publish"] == {"*"}
    text = " ".join(str(f) for f in result.warnings)
    assert "deploy-time-value" in codes(result)
    assert "Fn::ImportValue SharedTopicArn" in text and "SSM" in text
    assert "--substitute" not in text


def test_settings_switch_on_xray_logging_kms(tmp_path: Path) -> None:
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    template = {"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "StateMachineName": "Orders",
        "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        "TracingConfiguration": {"Enabled": True},
        "LoggingConfiguration": {"Level": "ALL", "Destinations": []},
        "EncryptionConfiguration": {"Type": "CUSTOMER_MANAGED_KMS_KEY", "KmsKeyId": key}}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    (m,) = load_state_machines(str(tmp_path / "t.json"), region="us-east-1", account=ACCOUNT)
    assert (m.xray, m.logging, m.kms_key) == (True, True, key)
    assert m.arn == f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Orders"
    g = grants(generate(tmp_path / "t.json"))
    assert "xray:PutTraceSegments" in g and "logs:CreateLogDelivery" in g
    assert g["kms:Decrypt"] == {key}


def test_ecs_task_definition_in_the_template_gives_the_passed_roles(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: Run
            States:
              Run:
                Type: Task
                Resource: arn:aws:states:::ecs:runTask.sync
                Parameters: {Cluster: !GetAtt Cluster.Arn, TaskDefinition: !Ref TaskDef}
                End: true
      Cluster: {Type: AWS::ECS::Cluster, Properties: {ClusterName: main}}
      TaskDef:
        Type: AWS::ECS::TaskDefinition
        Properties:
          Family: worker
          TaskRoleArn: !GetAtt TaskRole.Arn
          ExecutionRoleArn: arn:aws:iam::123456789012:role/exec
      TaskRole: {Type: AWS::IAM::Role, Properties: {RoleName: task-role}}
    """.replace("\n    ", "\n"))
    result = generate(path)
    g = grants(result)
    assert g["iam:PassRole"] == {f"arn:aws:iam::{ACCOUNT}:role/task-role",
                                 f"arn:aws:iam::{ACCOUNT}:role/exec"}
    assert "unknown-passed-role" not in codes(result)
    assert any("task-definition/worker" in r for r in g["ecs:RunTask"])


def test_origins_map_resolved_values_to_expressions(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: A
            States:
              A: {Type: Task, Resource: !GetAtt Fn.Arn, End: true}
      Fn: {Type: AWS::Serverless::Function, Properties: {Handler: a.b}}
    """.replace("\n    ", "\n"))
    (m,) = load_state_machines(str(path), region="us-east-1", account=ACCOUNT)
    assert m.origins[f"{FN}:*"] == {"Fn::GetAtt": ["Fn", "Arn"]}
    assert set(m.resources) == {"Machine", "Fn"}
    assert m.kind == "sam" and m.name == "Machine"


@pytest.mark.parametrize(("body", "needle"), [
    ({"Fn::Bogus": "x"}, "unknown intrinsic function Fn::Bogus"),
    ({"Fn::Select": [5, ["a"]]}, "Fn::Select index 5"),
    ({"Ref": "Nowhere"}, "Ref Nowhere"),
])
def test_bad_functions_name_file_and_resource(tmp_path: Path, body: object, needle: str) -> None:
    template = {"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "Definition": {"StartAt": "A", "States": {"A": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": body}, "End": True}}}}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    with pytest.raises(DefinitionError) as exc:
        load_state_machines(str(tmp_path / "t.json"))
    assert needle in str(exc.value)
    assert "t.json" in str(exc.value) and "resource M" in str(exc.value)


def test_circular_sub_is_refused(tmp_path: Path) -> None:
    template = {"Resources": {
        "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "Definition": {"StartAt": "A", "States": {"A": {
                "Type": "Task", "Resource": {"Fn::GetAtt": ["A", "Arn"]}, "End": True}}}}},
        "A": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": {"Fn::Sub": "${B}-a"}}},
        "B": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": {"Fn::Sub": "${A}-b"}}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    with pytest.raises(DefinitionError, match="circular reference: A -> B -> A"):
        load_state_machines(str(tmp_path / "t.json"))


def test_missing_definition_uri_file(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties: {DefinitionUri: nowhere.asl.json}
    """.replace("\n    ", "\n"))
    with pytest.raises(DefinitionError, match=r"DefinitionUri 'nowhere\.asl\.json': no such file"):
        load_state_machines(str(path))


def test_s3_definition_uri_is_refused(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties: {DefinitionUri: {Bucket: b, Key: k}}
    """.replace("\n    ", "\n"))
    with pytest.raises(DefinitionError, match="points at S3"):
        load_state_machines(str(path))


def test_bare_definition_with_intrinsics(tmp_path: Path) -> None:
    (tmp_path / "d.asl.yaml").write_text(
        "StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: !GetAtt MyFn.Arn\n"
        "    Next: B\n  B:\n    Type: Task\n    Resource: !Sub arn:${AWS::Partition}:states:::sns:publish\n"
        "    Parameters: {TopicArn: !Ref Topic, Message: x}\n    End: true\n")
    result = generate(tmp_path / "d.asl.yaml")
    assert grants(result)["sns:Publish"] == {"*"}
    assert "deploy-time-value" in codes(result)
    assert "MyFn.Arn" in " ".join(map(str, result.warnings))


def test_unknown_region_and_account_are_wildcards_with_warnings(tmp_path: Path) -> None:
    template = {"Resources": {
        "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "Definition": {"StartAt": "A", "States": {"A": {
                "Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": {"Ref": "T"}, "Key": {}}, "End": True}}}}},
        "T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "t"}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    result = generate(tmp_path / "t.json", region=None, account=None)
    assert grants(result)["dynamodb:GetItem"] == {"arn:aws:dynamodb:*:*:table/t"}
    assert {"unknown-region", "unknown-account"} <= set(codes(result))


def test_sam_implicit_resources_and_alias_refs(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: A
            States:
              A:
                Type: Task
                Resource: arn:aws:states:::lambda:invoke
                Parameters: {FunctionName: !Ref Fn.Alias}
                Next: B
              B:
                Type: Task
                Resource: arn:aws:states:::apigateway:invoke
                Parameters:
                  ApiEndpoint: !Sub "${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com"
                  Method: GET
                  Stage: Prod
                End: true
      Fn:
        Type: AWS::Serverless::Function
        Properties: {FunctionName: worker, AutoPublishAlias: live, Handler: a.b}
    """.replace("\n    ", "\n"))
    result = generate(path)
    g = grants(result)
    assert g["lambda:InvokeFunction"] <= {f"{FN}:worker:*", f"{FN}:worker", f"{FN}:worker:*:*"}
    assert any("ServerlessRestApi" in str(f) for f in result.warnings)


def test_definition_s3_location_as_a_local_file(tmp_path: Path) -> None:
    (tmp_path / "m.asl.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
        "Parameters": {"TopicArn": "${Topic}", "Message": "x"}, "End": True}}}))
    template = {"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionS3Location": "m.asl.json",
        "DefinitionSubstitutions": {"Topic": {"Ref": "T"}}}},
        "T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    assert grants(generate(tmp_path / "t.json"))["sns:Publish"] == {
        f"arn:aws:sns:us-east-1:{ACCOUNT}:t"}


def test_definition_uri_in_another_letter_case_is_read_with_a_note(tmp_path: Path) -> None:
    path = sam(tmp_path, """
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties: {DefinitionUri: statemachine/StateMachine.asl.json}
    """.replace("\n    ", "\n"), **{"statemachine/stateMachine.asl.json": json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})})
    result = generate(path)
    assert codes(result) == ["template-note"]


def test_nested_stack_with_a_local_template_url_and_selection_by_machine_name(
        tmp_path: Path) -> None:
    nested = {"Parameters": {"FnArn": {"Type": "String"}}, "Resources": {"M": {
        "Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineName": "inner",
            "Definition": {"StartAt": "A", "States": {"A": {
                "Type": "Task", "Resource": {"Ref": "FnArn"}, "End": True}}}}}}}
    (tmp_path / "nested.json").write_text(json.dumps(nested))
    parent = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "outer-fn"}},
        "Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {
            "TemplateURL": "nested.json",
            "Parameters": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}}}}}}
    (tmp_path / "parent.json").write_text(json.dumps(parent))
    (m,) = load_state_machines(str(tmp_path / "parent.json"), region="us-east-1", account=ACCOUNT)
    assert m.kind == "cloudformation" and m.file.endswith("nested.json")
    assert f"{FN}:outer-fn" in grants(generate(tmp_path / "parent.json"))["lambda:InvokeFunction"]
    from sfn_iam.sources import select

    assert select([m], "inner", "parent.json") == [m]


def test_lambda_alias_and_version_resources(tmp_path: Path) -> None:
    template = {"Resources": {
        "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": {
            "StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": {"Ref": "Live"}, "Next": "B"},
                "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": {"Ref": "V1"}}, "End": True}}}}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "f"}},
        "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "FunctionVersion": "1", "Name": "live"}},
        "V1": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}}}}
    (tmp_path / "t.json").write_text(json.dumps(template))
    (m,) = load_state_machines(str(tmp_path / "t.json"), region="us-east-1", account=ACCOUNT)
    assert m.definition["States"]["A"]["Resource"] == f"{FN}:f:live"
    g = grants(generate(tmp_path / "t.json"))
    # the version number is made at deploy time: f:* (which also covers f:live)
    assert g["lambda:InvokeFunction"] == {f"{FN}:f:*"}


def test_a_substitution_from_a_parameter_without_default_stays_dynamic(tmp_path: Path) -> None:
    """``DefinitionSubstitutions: {Table: !Ref Table}`` (the usual same name) with no default
    and no --parameter: the table is known at deploy time, so the grant is the wildcard with its
    warnings, never the placeholder's own text as a literal table name."""
    path = sam(tmp_path, """
    Parameters:
      Table: {Type: String}
    Resources:
      Machine:
        Type: AWS::Serverless::StateMachine
        Properties:
          DefinitionUri: m.asl.json
          DefinitionSubstitutions:
            Table: !Ref Table
    """.replace("\n    ", "\n"), **{"m.asl.json": json.dumps({
        "StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:scan",
                  "Parameters": {"TableName": "${Table}"}, "End": True}}})})
    result = generate(path)
    scans = [g for g in result.grants if "dynamodb:Scan" in g.actions]
    assert [r for g in scans for r in g.resources] == [
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*"]
    assert {"dynamic-resource", "deploy-time-value"} <= set(codes(result))
    narrowed = generate(path, parameters={"Table": "orders"})
    assert [r for g in narrowed.grants if "dynamodb:Scan" in g.actions
            for r in g.resources] == [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"]
