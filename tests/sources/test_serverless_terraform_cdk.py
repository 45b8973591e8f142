"""serverless.yml, Terraform and CDK cloud assemblies: what real projects do."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import load_state_machines

from .helpers import ACCOUNT, cli, codes, generate, grants, policy_of, refused, write

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function"

# --- serverless.yml --------------------------------------------------------------------------


def test_serverless_example_names_functions_as_the_framework_does() -> None:
    result = generate(EXAMPLES / "serverless", region=None)
    g = grants(result)
    # provider.region (eu-west-1) is the file's own; functions are <service>-<stage>-<key>
    assert g["lambda:InvokeFunction"] >= {
        f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:thumbnails-dev-resize",
        f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:thumbnails-notify"}
    assert g["dynamodb:PutItem"] == {f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/thumbnails-dev-images"}
    # ${file(./shared.yml):alerts}
    assert g["sns:Publish"] == {f"arn:aws:sns:eu-west-1:{ACCOUNT}:ops-alerts"}
    # --parameter stage=prod is ${opt:stage}
    g2 = grants(generate(EXAMPLES / "serverless", region=None, parameters={"stage": "prod"}))
    assert f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:thumbnails-prod-resize" in \
        g2["lambda:InvokeFunction"]


def test_serverless_variables_and_includes(tmp_path: Path) -> None:
    write(tmp_path, {
        "base.yml": "provider:\n  name: aws\n  stage: test\n  region: us-east-1\n",
        "app/serverless.yml": """
        service: svc
        provider: ${file(../base.yml):provider}
        custom:
          queue: ${self:service}-${sls:stage}-q
          region: ${aws:region}
        stepFunctions:
          stateMachines:
            main:
              definition:
                StartAt: A
                States:
                  A:
                    Type: Task
                    Resource: arn:aws:states:::sqs:sendMessage
                    Parameters:
                      QueueUrl: https://sqs.${self:custom.region}.amazonaws.com/${aws:accountId}/${self:custom.queue}
                      MessageBody: x
                    Next: B
                  B:
                    Type: Task
                    Resource: arn:aws:states:::sns:publish
                    Parameters:
                      TopicArn: ${ssm:/shared/topic}
                      Message: x
                    End: true
        """})
    result = generate(tmp_path / "app" / "serverless.yml", region=None)
    g = grants(result)
    assert g["sqs:SendMessage"] == {f"arn:aws:sqs:us-east-1:{ACCOUNT}:svc-test-q"}
    assert g["sns:Publish"] == {"*"}  # an SSM value: known at deploy time
    assert "deploy-time-value" in codes(result)


def test_serverless_circular_variables_are_refused(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": """
    service: s
    provider: {name: aws}
    custom: {a: "${self:custom.b}", b: "${self:custom.a}"}
    stepFunctions:
      stateMachines:
        m:
          definition:
            StartAt: A
            States: {A: {Type: Task, Resource: "${self:custom.a}", End: true}}
    """})
    refused(cli("generate", str(tmp_path / "serverless.yml")), "serverless.yml", "loop")


# --- Terraform -------------------------------------------------------------------------------


def test_terraform_example_templatefile_locals_variables_in_other_files() -> None:
    (m,) = load_state_machines(str(EXAMPLES / "terraform"), region="us-east-1", account=ACCOUNT)
    assert m.name == "etl" and m.kind == "terraform" and m.logging
    assert m.definition["States"]["Extract"]["TimeoutSeconds"] == 900  # unquoted ${timeout}
    g = grants(generate(EXAMPLES / "terraform"))
    assert f"{FN}:reports-dev-extract" in g["lambda:InvokeFunction"]
    # aws_sqs_queue.x.url becomes the queue ARN
    assert g["sqs:SendMessage"] == {f"arn:aws:sqs:us-east-1:{ACCOUNT}:reports-dev-results"}
    assert m.origins[f"{FN}:reports-dev-extract"] == "aws_lambda_function.extract.arn"
    g2 = grants(generate(EXAMPLES / "terraform", parameters={"environment": "prod"}))
    assert f"{FN}:reports-prod-extract" in g2["lambda:InvokeFunction"]


TF_MACHINE = """
resource "aws_sfn_state_machine" "{name}" {{
  name       = "{name}"
  role_arn   = "arn:aws:iam::123456789012:role/r"
  definition = {definition}
}}
"""


def tf(tmp_path: Path, definition: str, extra: str = "", name: str = "sm") -> Path:
    (tmp_path / "main.tf").write_text(TF_MACHINE.format(name=name, definition=definition) + extra)
    return tmp_path


def test_terraform_random_suffix_is_a_wildcard_name_part(tmp_path: Path) -> None:
    path = tf(tmp_path, """jsonencode({
    StartAt = "A"
    States = { A = { Type = "Task", Resource = "arn:aws:states:::lambda:invoke",
      Parameters = { FunctionName = aws_lambda_function.f.arn }, End = true } }
  })""", """
resource "random_string" "sfx" { length = 6 }
resource "aws_lambda_function" "f" { function_name = "worker-${random_string.sfx.result}" }
""")
    result = generate(path)
    assert grants(result)["lambda:InvokeFunction"] <= {f"{FN}:worker-*", f"{FN}:worker-*:*"}
    assert "random_string.sfx" in str(result.warnings[0])


def test_terraform_heredoc_template_file_and_data_sources(tmp_path: Path) -> None:
    (tmp_path / "def.json").write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": '
        '"arn:aws:states:::dynamodb:getItem", "Parameters": {"TableName": "${table}", "Key": {}},'
        ' "End": true}}}')
    path = tf(tmp_path, "data.template_file.d.rendered", """
data "template_file" "d" {
  template = file("${path.module}/def.json")
  vars = { table = "t-${data.aws_region.current.name}-${data.aws_caller_identity.me.account_id}" }
}
data "aws_region" "current" {}
data "aws_caller_identity" "me" {}
resource "aws_sfn_state_machine" "h" {
  name = "h"
  definition = <<EOF
{"StartAt": "A", "States": {"A": {"Type": "Task",
 "Resource": "arn:${data.aws_partition.p.partition}:states:::sns:publish",
 "Parameters": {"TopicArn": "${aws_sns_topic.t.arn}", "Message": "x"}, "End": true}}}
EOF
}
data "aws_partition" "p" {}
resource "aws_sns_topic" "t" { name = "alerts" }
""")
    assert grants(generate(path, "sm"))["dynamodb:GetItem"] == {
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t-us-east-1-{ACCOUNT}"}
    assert grants(generate(path, "h"))["sns:Publish"] == {f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"}


def test_terraform_ecs_task_definition_gives_passed_roles(tmp_path: Path) -> None:
    path = tf(tmp_path, """jsonencode({
    StartAt = "A"
    States = { A = { Type = "Task", Resource = "arn:aws:states:::ecs:runTask.sync",
      Parameters = { Cluster = aws_ecs_cluster.c.arn, TaskDefinition = aws_ecs_task_definition.t.arn },
      End = true } }
  })""", """
resource "aws_ecs_cluster" "c" { name = "main" }
resource "aws_ecs_task_definition" "t" {
  family = "job"
  task_role_arn = aws_iam_role.task.arn
  execution_role_arn = aws_iam_role.exec.arn
}
resource "aws_iam_role" "task" { name = "job-task" }
resource "aws_iam_role" "exec" { name = "job-exec" }
""")
    result = generate(path)
    assert grants(result)["iam:PassRole"] == {f"arn:aws:iam::{ACCOUNT}:role/job-task",
                                              f"arn:aws:iam::{ACCOUNT}:role/job-exec"}
    assert "unknown-passed-role" not in codes(result)


def test_terraform_syntax_error_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_sfn_state_machine" "x" {\n  name = \n')
    refused(cli("generate", str(tmp_path / "main.tf")), "main.tf", "not valid Terraform")


def test_terraform_several_machines_and_state_machine_option(tmp_path: Path) -> None:
    pass_state = '{\\"A\\": {\\"Type\\": \\"Pass\\", \\"End\\": true}}'
    tf(tmp_path, '"{\\"StartAt\\": \\"A\\", \\"States\\": ' + pass_state + '}"')
    (tmp_path / "two.tf").write_text(TF_MACHINE.format(
        name="other", definition='jsonencode({StartAt = "A", States = {A = {Type = "Pass", End = true}}})'))
    refused(cli("generate", str(tmp_path), "--region", "us-east-1"), "2 state machines", "sm, other")
    doc = policy_of(cli("generate", str(tmp_path), "--state-machine", "other"))
    assert doc["Statement"][0]["Effect"] == "Deny"


def test_terraform_circular_locals_are_refused(tmp_path: Path) -> None:
    tf(tmp_path, "local.a", 'locals {\n  a = local.b\n  b = local.a\n}\n')
    with pytest.raises(DefinitionError, match="circular reference"):
        load_state_machines(str(tmp_path))


# --- CDK -------------------------------------------------------------------------------------


def test_cdk_assembly_with_a_nested_stack() -> None:
    (m,) = load_state_machines(str(EXAMPLES / "cdk.out"), region="us-east-1", account=ACCOUNT)
    assert m.kind == "cdk" and m.name == "Machine6C968CA5" and m.xray
    assert "Machine" in m.aliases
    result = generate(EXAMPLES / "cdk.out")
    g = grants(result)
    # the parent passes GetAtt Handler.Arn down as a parameter: still a deploy-time name
    assert g["lambda:InvokeFunction"] <= {f"{FN}:*", f"{FN}:*:*"}
    assert g["dynamodb:PutItem"] == {f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"}
    assert "Handler886CB40B" in str(result.warnings)
    doc = policy_of(cli("generate", str(EXAMPLES / "cdk.out"), "--state-machine", "Machine",
                        "--region", "us-east-1", "--account", ACCOUNT))
    assert len(doc["Statement"]) == 3


def test_terraform_for_each_count_and_registry_module(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "aws_lambda_function" "fns" {
  for_each      = toset(["a", "b"])
  function_name = "fn-${each.key}"
}
resource "aws_lambda_function" "one" {
  count         = 1
  function_name = "single"
}
module "step_function" {
  source     = "terraform-aws-modules/step-functions/aws"
  name       = "my-sfn"
  definition = jsonencode({
    StartAt = "A"
    States = {
      A = { Type = "Task", Resource = aws_lambda_function.one[0].arn, Next = "B" }
      B = { Type = "Task", Resource = aws_lambda_function.fns["a"].arn, End = true }
    }
  })
}
''')
    (m,) = load_state_machines(str(tmp_path), region="us-east-1", account=ACCOUNT)
    assert m.name == "step_function" and "module.step_function" in m.aliases
    assert grants(generate(tmp_path))["lambda:InvokeFunction"] >= {f"{FN}:fn-a", f"{FN}:single"}


def test_serverless_pseudo_parameters_plugin_syntax(tmp_path: Path) -> None:
    write(tmp_path, {"serverless.yml": """
    service: legacy
    provider: {name: aws, region: us-west-2, stage: prod}
    custom: {fn: "${self:service}-${self:provider.stage}-hello"}
    functions: {hello: {handler: h.h}}
    stepFunctions:
      stateMachines:
        m:
          definition:
            StartAt: A
            States:
              A:
                Type: Task
                Resource: "arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:${self:custom.fn}"
                End: true
    """})
    g = grants(generate(tmp_path, region=None))
    assert f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:legacy-prod-hello" in g["lambda:InvokeFunction"]


def test_terraform_tfvars_set_variables(tmp_path: Path) -> None:
    import shutil

    for f in (EXAMPLES / "terraform").iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "terraform.tfvars").write_text('environment = "staging"\n')
    assert f"{FN}:reports-staging-extract" in grants(generate(tmp_path))["lambda:InvokeFunction"]
    # --parameter wins over terraform.tfvars
    g = grants(generate(tmp_path, parameters={"environment": "qa"}))
    assert f"{FN}:reports-qa-extract" in g["lambda:InvokeFunction"]


def test_cdk_pipelines_stage_assembly(tmp_path: Path) -> None:
    import json
    import shutil

    shutil.copytree(EXAMPLES / "cdk.out", tmp_path / "assembly-Prod")
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        "assembly-Prod": {"type": "cdk:cloud-assembly",
                          "properties": {"directoryName": "assembly-Prod"}}}}))
    (m,) = load_state_machines(str(tmp_path), region="us-east-1", account=ACCOUNT)
    assert m.name == "Machine6C968CA5"


def test_terraform_splat_is_a_list(tmp_path: Path) -> None:
    """``aws_glue_job.x.*.id`` is a list (one item per instance): ``join(",", ...)`` of it is
    the name, not the name's letters joined by commas (sfn-glue-terraform's module output)."""
    path = tf(tmp_path, """jsonencode({
    StartAt = "A"
    States = { A = { Type = "Task", Resource = "arn:aws:states:::glue:startJobRun",
      Parameters = { JobName = join(",", aws_glue_job.j.*.id) }, End = true } }
  })""", """
resource "aws_glue_job" "j" {
  name = "nightly"
  role_arn = "arn:aws:iam::123456789012:role/glue"
  command { script_location = "s3://b/s.py" }
}
""")
    result = generate(path)
    assert grants(result)["glue:StartJobRun"] == {
        "arn:aws:glue:us-east-1:123456789012:job/nightly"}
