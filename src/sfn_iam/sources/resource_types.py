"""Resource types a state machine refers to: how their ARN is made from their name, which
property holds that name, and what ``Ref`` / ``Fn::GetAtt`` (CloudFormation) or an attribute
reference (Terraform) returns. Data, not code: a new type is one row.

Each row: ``ARN format`` (``{partition}``, ``{region}``, ``{account}``, ``{name}``, and for IAM
``{path}``), the name property, what ``Ref`` returns (``name``, ``arn``, ``url`` or ``id``: an
identifier made at deploy time), and attribute -> what it returns. A resource without its name
property gets a name made at deploy time: a wildcard in the name part only.
"""

from __future__ import annotations

_R = "{partition}"
_LAMBDA = (f"arn:{_R}:lambda:{{region}}:{{account}}:function:{{name}}", "FunctionName", "name",
           {"Arn": "arn"})
_TABLE = (f"arn:{_R}:dynamodb:{{region}}:{{account}}:table/{{name}}", "TableName", "name",
          {"Arn": "arn", "StreamArn": "id"})
_MACHINE_ATTRS = {"Arn": "arn", "Name": "name", "StateMachineRevisionId": "id"}

#: CloudFormation (and SAM) type -> (ARN format, name property, Ref, {attribute: what})
CFN_TYPES: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "AWS::Lambda::Function": _LAMBDA,
    "AWS::Serverless::Function": _LAMBDA,
    # the ARN of a function's alias or version: made from its FunctionName (see cloudformation)
    "AWS::Lambda::Alias": (_LAMBDA[0], "Name", "arn", {"AliasArn": "arn"}),
    "AWS::Lambda::Version": (_LAMBDA[0], "", "arn", {"Version": "id"}),
    "AWS::SNS::Topic": (f"arn:{_R}:sns:{{region}}:{{account}}:{{name}}", "TopicName", "arn",
                        {"TopicArn": "arn", "TopicName": "name"}),
    "AWS::SQS::Queue": (f"arn:{_R}:sqs:{{region}}:{{account}}:{{name}}", "QueueName", "url",
                        {"Arn": "arn", "QueueName": "name", "QueueUrl": "url"}),
    "AWS::DynamoDB::Table": _TABLE,
    "AWS::DynamoDB::GlobalTable": _TABLE,
    "AWS::Serverless::SimpleTable": (_TABLE[0], "TableName", "name", {"Arn": "arn"}),
    "AWS::StepFunctions::StateMachine": (
        f"arn:{_R}:states:{{region}}:{{account}}:stateMachine:{{name}}", "StateMachineName", "arn",
        _MACHINE_ATTRS),
    "AWS::Serverless::StateMachine": (
        f"arn:{_R}:states:{{region}}:{{account}}:stateMachine:{{name}}", "Name", "arn",
        _MACHINE_ATTRS),
    "AWS::StepFunctions::Activity": (f"arn:{_R}:states:{{region}}:{{account}}:activity:{{name}}",
                                     "Name", "arn", {"Name": "name"}),
    "AWS::Events::EventBus": (f"arn:{_R}:events:{{region}}:{{account}}:event-bus/{{name}}", "Name",
                              "name", {"Arn": "arn", "Name": "name"}),
    "AWS::S3::Bucket": (f"arn:{_R}:s3:::{{name}}", "BucketName", "name", {"Arn": "arn"}),
    "AWS::Glue::Job": (f"arn:{_R}:glue:{{region}}:{{account}}:job/{{name}}", "Name", "name", {}),
    "AWS::Glue::Crawler": (f"arn:{_R}:glue:{{region}}:{{account}}:crawler/{{name}}", "Name", "name",
                           {}),
    "AWS::Batch::JobQueue": (f"arn:{_R}:batch:{{region}}:{{account}}:job-queue/{{name}}",
                             "JobQueueName", "arn", {"JobQueueArn": "arn"}),
    "AWS::Batch::JobDefinition": (f"arn:{_R}:batch:{{region}}:{{account}}:job-definition/{{name}}",
                                  "JobDefinitionName", "name", {}),
    "AWS::ECS::Cluster": (f"arn:{_R}:ecs:{{region}}:{{account}}:cluster/{{name}}", "ClusterName",
                          "name", {"Arn": "arn"}),
    "AWS::ECS::TaskDefinition": (
        f"arn:{_R}:ecs:{{region}}:{{account}}:task-definition/{{name}}", "Family", "arn",
        {"TaskDefinitionArn": "arn"}),
    "AWS::CodeBuild::Project": (f"arn:{_R}:codebuild:{{region}}:{{account}}:project/{{name}}",
                                "Name", "name", {"Arn": "arn"}),
    "AWS::Athena::WorkGroup": (f"arn:{_R}:athena:{{region}}:{{account}}:workgroup/{{name}}",
                               "Name", "name", {}),
    "AWS::EKS::Cluster": (f"arn:{_R}:eks:{{region}}:{{account}}:cluster/{{name}}", "Name", "name",
                          {"Arn": "arn"}),
    "AWS::IAM::Role": (f"arn:{_R}:iam::{{account}}:role{{path}}{{name}}", "RoleName", "name",
                       {"Arn": "arn", "RoleId": "id"}),
    "AWS::Logs::LogGroup": (f"arn:{_R}:logs:{{region}}:{{account}}:log-group:{{name}}",
                            "LogGroupName", "name", {"Arn": "arn"}),
    "AWS::KMS::Key": (f"arn:{_R}:kms:{{region}}:{{account}}:key/{{name}}", "", "name",
                      {"Arn": "arn", "KeyId": "name"}),
    "AWS::SageMaker::Model": (f"arn:{_R}:sagemaker:{{region}}:{{account}}:model/{{name}}",
                              "ModelName", "arn", {"ModelName": "name"}),
    "AWS::SageMaker::EndpointConfig": (
        f"arn:{_R}:sagemaker:{{region}}:{{account}}:endpoint-config/{{name}}", "EndpointConfigName",
        "arn", {"EndpointConfigName": "name"}),
    "AWS::SageMaker::Endpoint": (f"arn:{_R}:sagemaker:{{region}}:{{account}}:endpoint/{{name}}",
                                 "EndpointName", "arn", {"EndpointName": "name"}),
    "AWS::SageMaker::Pipeline": (f"arn:{_R}:sagemaker:{{region}}:{{account}}:pipeline/{{name}}",
                                 "PipelineName", "name", {}),
    "AWS::EMRServerless::Application": (
        f"arn:{_R}:emr-serverless:{{region}}:{{account}}:/applications/{{name}}", "", "id",
        {"Arn": "arn", "ApplicationId": "name"}),
    "AWS::DataBrew::Job": (f"arn:{_R}:databrew:{{region}}:{{account}}:job/{{name}}", "Name", "name",
                           {}),
    "AWS::MediaConvert::Queue": (f"arn:{_R}:mediaconvert:{{region}}:{{account}}:queues/{{name}}",
                                 "Name", "name", {"Arn": "arn", "Name": "name"}),
    # seen in public templates (scripts/corpus_templates.py): Ref gives the name
    "AWS::Scheduler::ScheduleGroup": (
        f"arn:{_R}:scheduler:{{region}}:{{account}}:schedule-group/{{name}}", "Name", "name",
        {"Arn": "arn"}),
    # a stage's ARN holds its API's ID (made at deploy time): only its name is given
    "AWS::ApiGateway::Stage": ("", "StageName", "name", {}),
    "AWS::ApiGatewayV2::Stage": ("", "StageName", "name", {}),
    "AWS::Kinesis::Stream": (f"arn:{_R}:kinesis:{{region}}:{{account}}:stream/{{name}}", "Name",
                             "name", {"Arn": "arn"}),
    "AWS::KinesisFirehose::DeliveryStream": (
        f"arn:{_R}:firehose:{{region}}:{{account}}:deliverystream/{{name}}", "DeliveryStreamName",
        "name", {"Arn": "arn"}),
    "AWS::ECR::Repository": (f"arn:{_R}:ecr:{{region}}:{{account}}:repository/{{name}}",
                             "RepositoryName", "name", {"Arn": "arn"}),
    "AWS::CodePipeline::Pipeline": (f"arn:{_R}:codepipeline:{{region}}:{{account}}:{{name}}", "Name",
                                    "name", {}),
}

#: Terraform type -> (the CloudFormation type whose row it shares, name attribute, {attribute:
#: what it returns}); ``id`` is what each provider resource documents as its ID
TF_TYPES: dict[str, tuple[str, str, dict[str, str]]] = {
    "aws_lambda_function": ("AWS::Lambda::Function", "function_name",
                            {"arn": "arn", "function_name": "name", "id": "name",
                             "qualified_arn": "id", "invoke_arn": "id"}),
    "aws_sns_topic": ("AWS::SNS::Topic", "name", {"arn": "arn", "name": "name", "id": "arn"}),
    "aws_sqs_queue": ("AWS::SQS::Queue", "name",
                      {"arn": "arn", "name": "name", "url": "url", "id": "url"}),
    "aws_dynamodb_table": ("AWS::DynamoDB::Table", "name",
                           {"arn": "arn", "name": "name", "id": "name", "stream_arn": "id"}),
    "aws_sfn_state_machine": ("AWS::StepFunctions::StateMachine", "name",
                              {"arn": "arn", "name": "name", "id": "arn"}),
    "aws_sfn_activity": ("AWS::StepFunctions::Activity", "name",
                         {"arn": "arn", "name": "name", "id": "arn"}),
    "aws_cloudwatch_event_bus": ("AWS::Events::EventBus", "name",
                                 {"arn": "arn", "name": "name", "id": "name"}),
    "aws_s3_bucket": ("AWS::S3::Bucket", "bucket", {"arn": "arn", "bucket": "name", "id": "name"}),
    "aws_glue_job": ("AWS::Glue::Job", "name", {"arn": "arn", "name": "name", "id": "name"}),
    "aws_glue_crawler": ("AWS::Glue::Crawler", "name", {"arn": "arn", "name": "name", "id": "name"}),
    "aws_batch_job_queue": ("AWS::Batch::JobQueue", "name",
                            {"arn": "arn", "name": "name", "id": "arn"}),
    "aws_batch_job_definition": ("AWS::Batch::JobDefinition", "name",
                                 {"arn": "arn", "name": "name", "id": "arn"}),
    "aws_ecs_cluster": ("AWS::ECS::Cluster", "name", {"arn": "arn", "name": "name", "id": "arn"}),
    "aws_ecs_task_definition": ("AWS::ECS::TaskDefinition", "family",
                                {"arn": "arn", "arn_without_revision": "arn", "family": "name",
                                 "id": "name"}),
    "aws_codebuild_project": ("AWS::CodeBuild::Project", "name",
                              {"arn": "arn", "name": "name", "id": "arn"}),
    "aws_athena_workgroup": ("AWS::Athena::WorkGroup", "name",
                             {"arn": "arn", "name": "name", "id": "name"}),
    "aws_eks_cluster": ("AWS::EKS::Cluster", "name", {"arn": "arn", "name": "name", "id": "name"}),
    "aws_iam_role": ("AWS::IAM::Role", "name", {"arn": "arn", "name": "name", "id": "name"}),
    "aws_cloudwatch_log_group": ("AWS::Logs::LogGroup", "name",
                                 {"arn": "arn", "name": "name", "id": "name"}),
    "aws_kms_key": ("AWS::KMS::Key", "", {"arn": "arn", "key_id": "name", "id": "name"}),
    "aws_sagemaker_model": ("AWS::SageMaker::Model", "name", {"arn": "arn", "name": "name",
                                                              "id": "name"}),
    "aws_sagemaker_endpoint": ("AWS::SageMaker::Endpoint", "name",
                               {"arn": "arn", "name": "name", "id": "name"}),
    "aws_emrserverless_application": ("AWS::EMRServerless::Application", "",
                                      {"arn": "arn", "id": "name"}),
    "aws_scheduler_schedule_group": ("AWS::Scheduler::ScheduleGroup", "name",
                                     {"arn": "arn", "name": "name", "id": "name"}),
    "aws_api_gateway_stage": ("AWS::ApiGateway::Stage", "stage_name", {"stage_name": "name"}),
    "aws_apigatewayv2_stage": ("AWS::ApiGatewayV2::Stage", "name", {"name": "name"}),
    "aws_kinesis_stream": ("AWS::Kinesis::Stream", "name", {"arn": "arn", "name": "name"}),
    "aws_kinesis_firehose_delivery_stream": ("AWS::KinesisFirehose::DeliveryStream", "name",
                                             {"arn": "arn", "name": "name"}),
    "aws_ecr_repository": ("AWS::ECR::Repository", "name", {"arn": "arn", "name": "name"}),
    "aws_codepipeline": ("AWS::CodePipeline::Pipeline", "name", {"arn": "arn", "name": "name"}),
}


def sqs_url(region: str, account: str, name: str, suffix: str = "amazonaws.com") -> str:
    return f"https://sqs.{region}.{suffix}/{account}/{name}"
