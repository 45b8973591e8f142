"""Minimal reproductions of what real projects showed the template readers (second pass over
the corpus templates and other public projects: scripts/corpus_templates.py). Each test is
the smallest file that did the thing; the project it came from is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import load_state_machines, why_unreadable

from .helpers import cli, codes, generate, grants, policy_of, refused, write

_SNS = ('{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",'
        '"Parameters":{"TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"x"},'
        '"End":true}}}')


# -- templates that are not YAML yet: one line saying why ------------------------------------


def test_a_cookiecutter_template_is_refused_saying_render_it_first(tmp_path: Path) -> None:
    # aws/aws-sam-cli-app-templates */step-func/{{cookiecutter.project_name}}/template.yaml
    write(tmp_path, {"template.yaml": """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          StockCheckerFunction:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.lambda_handler
              {%- if cookiecutter.architectures.value != []%}
              Architectures:
              {%- for arch in cookiecutter.architectures.value %}
                - {{arch}}
              {%- endfor %}
              {%- endif %}
          StockTradingStateMachine:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: statemachine/stock_trader.asl.json
        """})
    line = refused(cli("generate", str(tmp_path / "template.yaml")), "template.yaml: line 7:",
                   "Jinja/cookiecutter template", "render it first")
    assert "found character that cannot start any token" not in line


def test_a_cookiecutter_value_in_a_mapping_is_named_too() -> None:
    # aws/aws-sam-cli-app-templates ruby/step-func: MemorySize: {{ cookiecutter.options[...] }}
    why = why_unreadable("Globals:\n  Function:\n    MemorySize: {{ cookiecutter.options[x] }}\n")
    assert why is not None and why.startswith("line 3: is a Jinja/cookiecutter template")


def test_jsonata_and_plain_braces_are_not_taken_for_jinja() -> None:
    assert why_unreadable('States: {A: {Output: "{% $states.input %}"}}\n') is None
    assert why_unreadable("a: {b: c}\n") is None


def test_two_short_form_tags_on_one_value_say_so(tmp_path: Path) -> None:
    # step-functions-workflows-collection parallelized-embedding-pipeline: !GetAZs !Ref ...
    write(tmp_path, {"template.yaml": """
        Resources:
          Subnet1:
            Type: AWS::EC2::Subnet
            Properties:
              AvailabilityZone: !Select
                - 0
                - !GetAZs !Ref AWS::Region
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
        """})
    refused(cli("generate", str(tmp_path / "template.yaml")), "line 7:",
            "two short-form functions on one value (!GetAZs !Ref)", "long form")


def test_tags_in_a_comment_are_not_a_reason() -> None:
    assert why_unreadable("a:\n  # see !GetAZs !Ref x\n  b: [\n") is None


# -- a Terraform module read on its own ------------------------------------------------------


def _module(folder: Path, definition: str) -> Path:
    return write(folder, {
        "main.tf": f"""
            resource "aws_sfn_state_machine" "this" {{
              name       = var.name
              role_arn   = "arn:aws:iam::123456789012:role/r"
              definition = {definition}
            }}
            """,
        "variables.tf": """
            variable "name" {
              type    = string
              default = ""
            }
            variable "definition" {
              type    = string
              default = ""
            }
            variable "definition_file" {
              type = string
            }
            """})


def test_a_module_alone_with_an_empty_definition_says_how_to_read_it(tmp_path: Path) -> None:
    # terraform-aws-modules/terraform-aws-step-functions main.tf: definition = var.definition
    _module(tmp_path, "var.definition")
    with pytest.raises(DefinitionError) as err:
        load_state_machines(str(tmp_path))
    assert "aws_sfn_state_machine.this" in str(err.value)
    assert "the definition is empty (var.definition is empty by default" in err.value.what
    assert "--parameter definition=DEFINITION" in err.value.what


def test_a_module_alone_reads_the_definition_passed_as_a_parameter(tmp_path: Path) -> None:
    _module(tmp_path, "var.definition")
    result = generate(tmp_path, parameters={"definition": _SNS})
    assert grants(result) == {"sns:Publish": {"arn:aws:sns:us-east-1:123456789012:t"}}


def test_an_empty_machine_name_is_not_an_arn_without_name(tmp_path: Path) -> None:
    # the same module: name = var.name, default "": the machine's ARN is not ...:stateMachine:
    _module(tmp_path, "var.definition")
    (machine,) = load_state_machines(str(tmp_path), parameters={"definition": _SNS},
                                     region="us-east-1", account="123456789012")
    assert machine.arn == "arn:aws:states:us-east-1:123456789012:stateMachine:*"
    p = cli("generate", str(tmp_path), "--parameter", f"definition={_SNS}", "--region",
            "us-east-1", "--account", "123456789012")
    assert policy_of(p)["Statement"][0]["Action"] == ["sns:Publish"]


def test_a_module_alone_with_a_file_path_variable_names_the_variable(tmp_path: Path) -> None:
    # step-functions-workflows-collection app-control-concurrency-with-dynamodb-tf/modules/...
    _module(tmp_path, 'file("${path.module}/${var.definition_file}")')
    line = refused(cli("generate", str(tmp_path)), "aws_sfn_state_machine.this",
                   "the path is known only at apply time",
                   "variable definition_file has no default",
                   "--parameter definition_file=VALUE",
                   "read the configuration that calls this module")
    assert "Traceback" not in line


# -- empty names are made at deploy time, not part of an ARN ---------------------------------


def test_cloudformation_empty_name_property_is_a_generated_name(tmp_path: Path) -> None:
    write(tmp_path, {"template.yaml": """
        Parameters:
          TableName:
            Type: String
            Default: ""
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: !Ref TableName
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition:
                StartAt: Put
                States:
                  Put:
                    Type: Task
                    Resource: arn:aws:states:::dynamodb:putItem
                    Parameters:
                      TableName: !Ref Table
                      Item: {}
                    End: true
        """})
    result = generate(tmp_path / "template.yaml")
    assert grants(result) == {
        "dynamodb:PutItem": {"arn:aws:dynamodb:us-east-1:123456789012:table/*"}}
    assert "dynamic-resource" in codes(result)
    assert any("Table" in str(f) and "TableName" in str(f) for f in result.warnings)


def test_terraform_empty_name_is_a_generated_name(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": """
        variable "topic_name" {
          default = ""
        }
        resource "aws_sns_topic" "t" {
          name = var.topic_name
        }
        resource "aws_sfn_state_machine" "m" {
          name     = "m"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({
            StartAt = "A"
            States = { A = { Type = "Task", Resource = "arn:aws:states:::sns:publish",
              Parameters = { TopicArn = aws_sns_topic.t.arn, Message = "x" }, End = true } }
          })
        }
        """})
    result = generate(tmp_path)
    assert grants(result) == {"sns:Publish": {"arn:aws:sns:us-east-1:123456789012:*"}}
    assert "dynamic-resource" in codes(result)


# -- the corpus script ------------------------------------------------------------------------


def test_corpus_script_extracts_past_missing_blobs(tmp_path: Path) -> None:
    """A snapshot mirror lacks its largest files; ``git archive`` of the folder stops at
    them (the-aws-step-functions-workshop static/resources/*.pptx), _extract does not."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "scripts"))
    try:
        from corpus_templates import _extract, _project
    finally:
        sys.path.remove(str(root / "scripts"))
    repo = tmp_path / "repo"
    write(repo, {"p/templates/template.yaml": "Resources: {}\n",
                 "p/statemachine/m.asl.json": json.dumps({"StartAt": "A"}),
                 "p/templates/big.bin": "x" * 100})
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   check=True)
    big = subprocess.run([*git, "rev-parse", "HEAD:p/templates/big.bin"], capture_output=True,
                         text=True, check=True).stdout.strip()
    obj = repo / ".git" / "objects" / big[:2] / big[2:]
    obj.unlink()  # as in a snapshot without its large files
    assert subprocess.run([*git, "archive", "HEAD", "p"], capture_output=True,
                          check=False).returncode != 0
    assert _project("p/templates/template.yaml") == "p"
    out = tmp_path / "out"
    out.mkdir()
    assert _extract(repo, "HEAD", "p", out)
    assert (out / "p/templates/template.yaml").is_file()
    assert (out / "p/statemachine/m.asl.json").is_file()  # DefinitionUri: ../statemachine/...
    assert not (out / "p/templates/big.bin").exists()


# -- Fn::Split over a value with a deploy-time part --------------------------------------------


def test_split_does_not_cut_inside_a_deploy_time_part(tmp_path: Path) -> None:
    # aws-stepfunctions-examples monte-carlo-simulation: a bucket named from the stack id,
    # its name taken back out of its ARN: !Select [5, !Split [':', !GetAtt Bucket.Arn]]. The
    # ':' inside the deploy-time part was split too: a literal bucket "...-${$}{Fn" was granted
    write(tmp_path, {"template.yaml": """
        Resources:
          Source:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Join ['-', [src, !Select [7, !Split ['-', !Ref AWS::StackId]]]]
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              Definition:
                StartAt: Get
                States:
                  Get:
                    Type: Task
                    Resource: arn:aws:states:::aws-sdk:s3:getObject
                    Parameters:
                      Bucket: !Select [5, !Split [':', !GetAtt Source.Arn]]
                      Key: k
                    End: true
        """})
    result = generate(tmp_path / "template.yaml")
    (resources,) = grants(result).values()
    assert all("${$}" not in r and "{Fn" not in r for r in resources), resources
    # the bucket's static start stays (src-, then the deploy-time part): session 4
    assert resources == {"arn:aws:s3:::src-*/k"}
    assert "dynamic-resource" in codes(result)


def test_split_text_keeps_placeholders_whole() -> None:
    from sfn_iam.sources import split_text

    assert split_text("arn:aws:s3:::a-${Fn::Select 7 of AWS::StackId}", ":") == [
        "arn", "aws", "s3", "", "", "a-${Fn::Select 7 of AWS::StackId}"]
    assert split_text("${a:b}:c:${d}", ":") == ["${a:b}", "c", "${d}"]
    assert split_text("a,b", ",") == ["a", "b"]


def test_terraform_split_keeps_a_deploy_time_part_whole(tmp_path: Path) -> None:
    # the label of a variable without default (var.suffix) holds the delimiter
    write(tmp_path, {"main.tf": """
        variable "suffix" {}
        locals {
          queue = "q-${var.suffix}"
          url   = "https://sqs.us-east-1.amazonaws.com/123456789012/"
        }
        resource "aws_sfn_state_machine" "m" {
          name     = "m"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({
            StartAt = "A"
            States = { A = { Type = "Task", Resource = "arn:aws:states:::sqs:sendMessage",
              Parameters = { MessageBody = "x",
                QueueUrl = "${local.url}${element(split(".", "x.${local.queue}"), 1)}" },
              End = true } }
          })
        }
        """})
    result = generate(tmp_path)
    (resources,) = grants(result).values()
    assert resources == {"arn:aws:sqs:us-east-1:123456789012:q-*"}, resources


# -- resource types public templates pass to a state machine ---------------------------------


def test_schedule_group_and_api_stage_give_their_names(tmp_path: Path) -> None:
    # serverless-patterns stepfunctions-eventbridge-schedule-sam-python (GroupName: Ref of an
    # AWS::Scheduler::ScheduleGroup); localstack tests/aws/templates/sfn_apigateway.yaml
    # (Stage: Ref of an AWS::ApiGateway::Stage)
    write(tmp_path, {"template.yaml": """
        Resources:
          Group:
            Type: AWS::Scheduler::ScheduleGroup
            Properties:
              Name: MySchedulesGroup
          Stage:
            Type: AWS::ApiGateway::Stage
            Properties:
              RestApiId: abc123
              StageName: prod
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              DefinitionSubstitutions:
                Group: !Ref Group
                GroupArn: !GetAtt Group.Arn
                Stage: !Ref Stage
              Definition:
                StartAt: Create
                States:
                  Create:
                    Type: Task
                    Resource: arn:aws:states:::aws-sdk:scheduler:createSchedule
                    Parameters:
                      Name: s1
                      GroupName: ${Group}
                      ScheduleExpression: rate(1 hour)
                      FlexibleTimeWindow: {Mode: "OFF"}
                      Target:
                        Arn: arn:aws:sqs:us-east-1:123456789012:q
                        RoleArn: arn:aws:iam::123456789012:role/r
                    End: true
        """})
    (machine,) = load_state_machines(str(tmp_path / "template.yaml"), region="us-east-1",
                                     account="123456789012")
    assert machine.substitutions == {
        "Group": "MySchedulesGroup",
        "GroupArn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/MySchedulesGroup",
        "Stage": "prod"}
    result = generate(tmp_path / "template.yaml")
    assert grants(result)["scheduler:CreateSchedule"] == {
        "arn:aws:scheduler:us-east-1:123456789012:schedule/MySchedulesGroup/s1"}


def test_terraform_stage_name_and_stream_arn(tmp_path: Path) -> None:
    # serverless-patterns step-functions-api-gateway-tf: Stage = aws_api_gateway_stage.x.stage_name
    write(tmp_path, {"main.tf": """
        resource "aws_api_gateway_stage" "dev" {
          stage_name    = "dev"
          rest_api_id   = "abc"
          deployment_id = "d"
        }
        resource "aws_kinesis_stream" "s" {
          name        = "events"
          shard_count = 1
        }
        resource "aws_sfn_state_machine" "m" {
          name     = "m"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({
            StartAt = "A"
            States = { A = { Type = "Task", Resource = "arn:aws:states:::aws-sdk:kinesis:putRecord",
              Parameters = { StreamName = aws_kinesis_stream.s.name, PartitionKey = "k",
                Data = aws_api_gateway_stage.dev.stage_name,
                ExplicitHashKey = aws_kinesis_stream.s.arn }, End = true } }
          })
        }
        """})
    (machine,) = load_state_machines(str(tmp_path), region="us-east-1", account="123456789012")
    params = machine.definition["States"]["A"]["Parameters"]
    assert params["Data"] == "dev"
    assert params["ExplicitHashKey"] == "arn:aws:kinesis:us-east-1:123456789012:stream/events"
    assert grants(generate(tmp_path)) == {
        "kinesis:PutRecord": {"arn:aws:kinesis:us-east-1:123456789012:stream/events"}}


def test_terraform_partition_and_caller_identity_ids(tmp_path: Path) -> None:
    # step-functions-workflows-collection batch-lambda-tf: "arn:${data.aws_partition.partition.id}
    # :states:::batch:submitJob.sync" (the state got no permission: its Resource was unknown)
    write(tmp_path, {"main.tf": """
        data "aws_partition" "partition" {}
        data "aws_caller_identity" "me" {}
        resource "aws_sfn_state_machine" "m" {
          name     = "m"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({
            StartAt = "A"
            States = { A = { Type = "Task",
              Resource = "arn:${data.aws_partition.partition.id}:states:::sns:publish",
              Parameters = { Message = "x",
                TopicArn = "arn:aws:sns:us-east-1:${data.aws_caller_identity.me.id}:t" },
              End = true } }
          })
        }
        """})
    result = generate(tmp_path)
    assert grants(result) == {"sns:Publish": {"arn:aws:sns:us-east-1:123456789012:t"}}
    assert "deploy-time-value" not in codes(result)


# -- Terraform template directives -------------------------------------------------------------


def test_templatefile_with_for_and_if_directives(tmp_path: Path) -> None:
    """``%{ for }`` / ``%{ if }`` in a templatefile (a Parallel state per function) were
    refused ("template directives are not supported")."""
    write(tmp_path, {
        "main.tf": """
            locals {
              fns = ["a", "b"]
            }
            resource "aws_lambda_function" "f" {
              for_each      = toset(local.fns)
              function_name = "fn-${each.key}"
              role          = "arn:aws:iam::123456789012:role/r"
            }
            resource "aws_sfn_state_machine" "m" {
              name     = "m"
              role_arn = "arn:aws:iam::123456789012:role/r"
              definition = templatefile("${path.module}/def.json.tpl", {
                fns     = [for k in local.fns : aws_lambda_function.f[k].arn]
                timeout = 30
                notify  = false
              })
            }
            """,
        "def.json.tpl": """
            {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            %{ for i, fn in fns ~}
              {"StartAt": "S${i}", "States": {"S${i}": {"Type": "Task", "Resource": "${fn}",
               "TimeoutSeconds": ${timeout}, "End": true}}}%{ if i < length(fns) - 1 },%{ endif }
            %{ endfor ~}
            %{~ if notify ~}
              , {"StartAt": "N", "States": {"N": {"Type": "Task", "End": true,
                 "Resource": "arn:aws:states:::sns:publish", "Parameters": {"Message": "x",
                 "TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}}}
            %{~ endif ~}
            ]}}}
            """})
    (machine,) = load_state_machines(str(tmp_path), region="us-east-1", account="123456789012")
    branches = machine.definition["States"]["P"]["Branches"]
    assert [b["States"][b["StartAt"]]["Resource"] for b in branches] == [
        "arn:aws:lambda:us-east-1:123456789012:function:fn-a",
        "arn:aws:lambda:us-east-1:123456789012:function:fn-b"]
    assert branches[0]["States"]["S0"]["TimeoutSeconds"] == 30
    assert grants(generate(tmp_path)) == {"lambda:InvokeFunction": {
        "arn:aws:lambda:us-east-1:123456789012:function:fn-a",
        "arn:aws:lambda:us-east-1:123456789012:function:fn-b"}}


@pytest.mark.parametrize(("text", "needle"), [
    ("%{ endif }", "%{ endif } without its opening directive"),
    ("%{ if x }a", "%{ endif } missing"),
    ("%{ for v in xs }a", "%{ endfor } missing"),
    ("%{ for v xs }a%{ endfor }", "needs NAME in EXPR"),
])
def test_bad_template_directives_are_one_line(tmp_path: Path, text: str, needle: str) -> None:
    write(tmp_path, {"main.tf": """
        resource "aws_sfn_state_machine" "m" {
          name       = "m"
          role_arn   = "arn:aws:iam::123456789012:role/r"
          definition = templatefile("${path.module}/d.tpl", { x = true, xs = [1] })
        }
        """})
    (tmp_path / "d.tpl").write_text(text)
    refused(cli("generate", str(tmp_path)), "aws_sfn_state_machine.m", needle)


# -- CDK cross-stack references --------------------------------------------------------------


def _assembly(folder: Path) -> Path:
    a = {"Resources": {
            "Fn1": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "shared-fn"}},
            "Table1": {"Type": "AWS::DynamoDB::Table", "Properties": {}}},
         "Outputs": {
            "ExportsOutputFnGetAttFn1Arn": {"Value": {"Fn::GetAtt": ["Fn1", "Arn"]},
                                            "Export": {"Name": "StackA:ExportsOutputFnGetAttFn1Arn"}},
            "ExportsOutputRefTable1": {"Value": {"Ref": "Table1"},
                                       "Export": {"Name": "StackA:ExportsOutputRefTable1"}}}}
    definition = {"Fn::Join": ["", [
        '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",'
        '"Parameters":{"FunctionName":"',
        {"Fn::ImportValue": "StackA:ExportsOutputFnGetAttFn1Arn"},
        '"},"Next":"B"},"B":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",'
        '"Parameters":{"Key":{},"TableName":"',
        {"Fn::ImportValue": "StackA:ExportsOutputRefTable1"},
        '"},"Next":"C"},"C":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",'
        '"Parameters":{"Message":"x","TopicArn":"', {"Fn::ImportValue": "Elsewhere:Topic"},
        '"},"End":true}}}']]}
    b = {"Resources": {"Machine": {"Type": "AWS::StepFunctions::StateMachine",
                                   "Properties": {"DefinitionString": definition}}}}
    manifest = {"version": "30.0.0", "artifacts": {
        n: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{n}.template.json"}}
        for n in ("StackA", "StackB")}}
    write(folder, {"manifest.json": json.dumps(manifest), "StackA.template.json": json.dumps(a),
                   "StackB.template.json": json.dumps(b)})
    return folder


def test_cdk_import_value_of_another_stack_of_the_assembly(tmp_path: Path) -> None:
    """A multi-stack CDK app passes resources across stacks with Fn::ImportValue of the other
    stack's export: within one cloud assembly, that is the other stack's resource."""
    result = generate(_assembly(tmp_path / "cdk.out"))
    assert grants(result) == {
        "lambda:InvokeFunction": {"arn:aws:lambda:us-east-1:123456789012:function:shared-fn"},
        "dynamodb:GetItem": {"arn:aws:dynamodb:us-east-1:123456789012:table/*"},
        "sns:Publish": {"*"}}
    text = " ".join(str(f) for f in result.warnings)
    assert "Table1 (AWS::DynamoDB::Table) is generated at deploy time" in text
    assert "Fn::ImportValue Elsewhere:Topic" in text  # not in the assembly: deploy time


def test_a_stack_template_alone_keeps_import_value_a_deploy_time_value(tmp_path: Path) -> None:
    folder = _assembly(tmp_path / "cdk.out")
    result = generate(folder / "StackB.template.json")
    assert grants(result)["lambda:InvokeFunction"] == {
        "arn:aws:lambda:us-east-1:123456789012:function:*"}


def test_terraform_for_each_map_value_names_the_resource(tmp_path: Path) -> None:
    """``name = each.value`` of a ``for_each`` map: aws_sns_topic.t["alpha"] is named by the
    map's value ("topic-a"), not by its key (a grant on topic "alpha" matched nothing)."""
    write(tmp_path, {"main.tf": """
        variable "topics" {
          default = { alpha = "topic-a", beta = "topic-b" }
        }
        resource "aws_sns_topic" "t" {
          for_each = var.topics
          name     = each.value
        }
        resource "aws_sqs_queue" "q" {
          for_each = toset(["q1"])
          name     = "queue-${each.value}"
        }
        resource "aws_sfn_state_machine" "m" {
          name     = "m"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({
            StartAt = "A"
            States = {
              A = { Type = "Task", Resource = "arn:aws:states:::sns:publish", Next = "B",
                Parameters = { TopicArn = aws_sns_topic.t["alpha"].arn, Message = "x" } }
              B = { Type = "Task", Resource = "arn:aws:states:::sqs:sendMessage", End = true,
                Parameters = { QueueUrl = aws_sqs_queue.q["q1"].url, MessageBody = "x" } }
            }
          })
        }
        """})
    assert grants(generate(tmp_path)) == {
        "sns:Publish": {"arn:aws:sns:us-east-1:123456789012:topic-a"},
        "sqs:SendMessage": {"arn:aws:sqs:us-east-1:123456789012:queue-q1"}}


def test_terraform_for_each_and_count_machines_are_one_machine_an_instance(tmp_path: Path) -> None:
    """A machine with for_each (or count >= 2) is a machine per instance, each.key / each.value
    / count.index filled: its topic was a wildcard (each.key unknown)."""
    write(tmp_path, {"main.tf": """
        variable "machines" {
          default = { alpha = "topic-a", beta = "topic-b" }
        }
        resource "aws_sns_topic" "t" {
          for_each = var.machines
          name     = each.value
        }
        resource "aws_sfn_state_machine" "m" {
          for_each = var.machines
          name     = "sm-${each.key}"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({ StartAt = "A", States = { A = { Type = "Task", End = true,
            Resource = "arn:aws:states:::sns:publish",
            Parameters = { TopicArn = aws_sns_topic.t[each.key].arn, Message = "x" } } } })
        }
        resource "aws_sfn_state_machine" "c" {
          count    = 2
          name     = "counted-${count.index}"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({ StartAt = "A", States = { A = { Type = "Pass", End = true } } })
        }
        resource "aws_sfn_state_machine" "one" {
          count    = 1
          name     = "single"
          role_arn = "arn:aws:iam::123456789012:role/r"
          definition = jsonencode({ StartAt = "A", States = { A = { Type = "Pass", End = true } } })
        }
        """})
    machines = load_state_machines(str(tmp_path), region="us-east-1", account="123456789012")
    assert {m.name: m.arn for m in machines} == {
        'm["alpha"]': "arn:aws:states:us-east-1:123456789012:stateMachine:sm-alpha",
        'm["beta"]': "arn:aws:states:us-east-1:123456789012:stateMachine:sm-beta",
        "c[0]": "arn:aws:states:us-east-1:123456789012:stateMachine:counted-0",
        "c[1]": "arn:aws:states:us-east-1:123456789012:stateMachine:counted-1",
        "one": "arn:aws:states:us-east-1:123456789012:stateMachine:single"}
    assert grants(generate(tmp_path, 'm["beta"]')) == {
        "sns:Publish": {"arn:aws:sns:us-east-1:123456789012:topic-b"}}
    p = cli("generate", str(tmp_path), "--state-machine", 'm["alpha"]', "--region", "us-east-1",
            "--account", "123456789012")
    assert policy_of(p)["Statement"][0]["Resource"] == ["arn:aws:sns:us-east-1:123456789012:topic-a"]


def test_strip_markers_in_an_interpolation_are_read(tmp_path: Path) -> None:
    """``${~ x ~}`` in a template was an internal error (the ``~`` reached the tokenizer)."""
    write(tmp_path, {"main.tf": """
        resource "aws_sfn_state_machine" "m" {
          name       = "m"
          role_arn   = "arn:aws:iam::123456789012:role/r"
          definition = templatefile("${path.module}/d.tpl", { x = "Pass" })
        }
        """})
    (tmp_path / "d.tpl").write_text('{"StartAt": "A", "States": {"A": {"Type": "  ${~ x ~}  ",'
                                    ' "End": true}}}')
    (machine,) = load_state_machines(str(tmp_path))
    assert machine.definition["States"]["A"]["Type"] == "Pass"
