"""AWS SDK integrations: the grants of every override row (scripts/sdk_overrides.tsv), of a
sample of generated rows, and the edges (unknown service or action, documented unsupported
calls, ``.sync``, ``.waitForTaskToken``, dynamic values, provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.util import ACCOUNT, REGION, assert_policy, codes, run, stmt, task

ROOT = Path(__file__).resolve().parents[2]
SDK = "arn:aws:states:::aws-sdk:"
A = ACCOUNT
TABLE = f"arn:aws:dynamodb:{REGION}:{A}:table/"
S3 = "arn:aws:s3:::"
SECRET = f"arn:aws:secretsmanager:{REGION}:{A}:secret:"


def sdk(call: str, params: dict[str, Any], **kw: Any) -> Any:
    return run(task(SDK + call, params), **kw)


# (call, parameters, the exact policy) for every call of the overrides file
OVERRIDES: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
    ("s3:listObjectsV2", {"Bucket": "b", "Prefix": "in/"},
     [stmt("s3:ListBucket", S3 + "b", {"StringLike": {"s3:prefix": "in/"}})]),
    ("s3:listObjects", {"Bucket": "b"}, [stmt("s3:ListBucket", S3 + "b")]),
    ("s3:listObjectVersions", {"Bucket": "b", "Prefix": "p*"},
     [stmt("s3:ListBucketVersions", S3 + "b", {"StringLike": {"s3:prefix": "p${*}"}})]),
    ("s3:headObject", {"Bucket": "b", "Key": "k.txt"}, [stmt("s3:GetObject", S3 + "b/k.txt")]),
    ("s3:headBucket", {"Bucket": "b"}, [stmt("s3:ListBucket", S3 + "b")]),
    ("s3:copyObject", {"Bucket": "dst", "Key": "out/a", "CopySource": "src/in/a%3Db?versionId=1"},
     [stmt("s3:GetObject", S3 + "src/in/a=b"), stmt("s3:PutObject", S3 + "dst/out/a")]),
    ("s3:listBuckets", {}, [stmt("s3:ListAllMyBuckets", "*")]),
    ("s3:deleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "x"}, {"Key": "y"}]}},
     [stmt("s3:DeleteObject", [S3 + "b/x", S3 + "b/y"])]),
    ("s3:getObjectAttributes", {"Bucket": "b", "Key": "k", "ObjectAttributes": ["ETag"]},
     [stmt(["s3:GetObject", "s3:GetObjectAttributes"], S3 + "b/k")]),
    ("sqs:sendMessageBatch", {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/q"},
     [stmt("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q")]),
    ("sqs:deleteMessageBatch", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q"},
     [stmt("sqs:DeleteMessage", "arn:aws:sqs:us-east-1:111122223333:q")]),
    ("sqs:changeMessageVisibilityBatch",
     {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q"},
     [stmt("sqs:ChangeMessageVisibility", "arn:aws:sqs:us-east-1:111122223333:q")]),
    ("sns:publishBatch", {"TopicArn": f"arn:aws:sns:{REGION}:{A}:t"},
     [stmt("sns:Publish", f"arn:aws:sns:{REGION}:{A}:t")]),
    ("dynamodb:batchWriteItem", {"RequestItems": {"A": [], "B": []}},
     [stmt(["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
           [TABLE + "A", TABLE + "B"])]),
    ("dynamodb:batchGetItem", {"RequestItems": {"A": {}}},
     [stmt(["dynamodb:BatchGetItem", "dynamodb:GetItem"], TABLE + "A")]),
    ("dynamodb:transactWriteItems",
     {"TransactItems": [{"Put": {"TableName": "P"}}, {"Update": {"TableName": "U"}},
                        {"Delete": {"TableName": "D"}}, {"ConditionCheck": {"TableName": "C"}}]},
     [stmt("dynamodb:PutItem", TABLE + "P"), stmt("dynamodb:UpdateItem", TABLE + "U"),
      stmt("dynamodb:DeleteItem", TABLE + "D"), stmt("dynamodb:ConditionCheckItem", TABLE + "C")]),
    ("dynamodb:transactGetItems", {"TransactItems": [{"Get": {"TableName": "G"}}]},
     [stmt("dynamodb:GetItem", TABLE + "G")]),
    ("bedrockruntime:invokeModel", {"ModelId": "anthropic.claude-v2", "Body": {}},
     [stmt("bedrock:InvokeModel", f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-v2")]),
    ("bedrockruntime:converse", {"ModelId": "us.amazon.nova-lite-v1:0"},
     [stmt("bedrock:InvokeModel", [
         f"arn:aws:bedrock:{REGION}:{A}:inference-profile/us.amazon.nova-lite-v1:0",
         "arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0"])]),
    ("bedrockruntime:invokeModelWithResponseStream",
     {"ModelId": f"arn:aws:bedrock:{REGION}:{A}:provisioned-model/p"},
     [stmt("bedrock:InvokeModelWithResponseStream",
           f"arn:aws:bedrock:{REGION}:{A}:provisioned-model/p")]),
    ("bedrockruntime:converseStream", {"ModelId": "anthropic.claude-v2"},
     [stmt("bedrock:InvokeModelWithResponseStream",
           f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-v2")]),
    ("rdsdata:executeStatement",
     {"ResourceArn": f"arn:aws:rds:{REGION}:{A}:cluster:c", "SecretArn": SECRET + "db-AbCdEf",
      "Sql": "select 1"},
     [stmt("rds-data:ExecuteStatement", f"arn:aws:rds:{REGION}:{A}:cluster:c"),
      stmt("secretsmanager:GetSecretValue", SECRET + "db-AbCdEf")]),
    ("rdsdata:batchExecuteStatement",
     {"ResourceArn": f"arn:aws:rds:{REGION}:{A}:cluster:c", "SecretArn": SECRET + "db"},
     [stmt("rds-data:BatchExecuteStatement", f"arn:aws:rds:{REGION}:{A}:cluster:c"),
      stmt("secretsmanager:GetSecretValue", SECRET + "db-??????")]),
    ("redshiftdata:executeStatement",
     {"ClusterIdentifier": "c", "SecretArn": SECRET + "rs-AbCdEf", "Sql": "x"},
     [stmt("redshift-data:ExecuteStatement", f"arn:aws:redshift:{REGION}:{A}:cluster:c"),
      stmt("secretsmanager:GetSecretValue", SECRET + "rs-AbCdEf")]),
    ("redshiftdata:batchExecuteStatement",
     {"WorkgroupName": "wg", "SecretArn": SECRET + "rs-AbCdEf", "Sqls": ["x"]},
     [stmt("redshift-data:BatchExecuteStatement",
           f"arn:aws:redshift-serverless:{REGION}:{A}:workgroup/*"),
      stmt("secretsmanager:GetSecretValue", SECRET + "rs-AbCdEf")]),
    ("redshiftdata:executeStatement",
     {"ClusterIdentifier": "c", "DbUser": "u", "Database": "d", "Sql": "x"},
     [stmt("redshift-data:ExecuteStatement", f"arn:aws:redshift:{REGION}:{A}:cluster:c"),
      stmt("redshift:GetClusterCredentials", [f"arn:aws:redshift:{REGION}:{A}:dbuser:c/u",
                                              f"arn:aws:redshift:{REGION}:{A}:dbname:c/d"])]),
    ("sfn:sendTaskSuccess", {"TaskToken.$": "$.token", "Output": "{}"},
     [stmt("states:SendTaskSuccess", "*")]),
    ("sfn:sendTaskFailure", {"TaskToken.$": "$.token"}, [stmt("states:SendTaskFailure", "*")]),
    ("sfn:sendTaskHeartbeat", {"TaskToken.$": "$.token"}, [stmt("states:SendTaskHeartbeat", "*")]),
    # Kinesis: StreamName or StreamARN, whichever the call gives (the generated rows read
    # StreamName only, so a call naming its stream by ARN got stream/*)
    ("kinesis:putRecord", {"StreamARN": f"arn:aws:kinesis:eu-west-1:{A}:stream/s", "Data": "x",
                           "PartitionKey": "k"},
     [stmt("kinesis:PutRecord", f"arn:aws:kinesis:eu-west-1:{A}:stream/s")]),
    ("kinesis:getRecords", {"ShardIterator.$": "$.it",
                            "StreamARN": f"arn:aws:kinesis:{REGION}:{A}:stream/s"},
     [stmt("kinesis:GetRecords", f"arn:aws:kinesis:{REGION}:{A}:stream/s")]),
    # the state machine or the Map Run the call names, not every map run as well (the generated
    # row did: a wildcard grant, and a false "missing" in audits of real roles)
    ("sfn:listExecutions", {"StateMachineArn": f"arn:aws:states:{REGION}:{A}:stateMachine:M"},
     [stmt("states:ListExecutions", f"arn:aws:states:{REGION}:{A}:stateMachine:M")]),
    ("lambda:invoke", {"FunctionName": "fn:prod"},
     [stmt("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{A}:function:fn:prod")]),
    ("secretsmanager:getSecretValue", {"SecretId": "prod/db"},
     [stmt("secretsmanager:GetSecretValue", SECRET + "prod/db-??????")]),
    ("secretsmanager:describeSecret", {"SecretId": SECRET + "s-AbCdEf"},
     [stmt("secretsmanager:DescribeSecret", SECRET + "s-AbCdEf")]),
    ("secretsmanager:createSecret", {"Name": "new", "SecretString": "x"},
     [stmt("secretsmanager:CreateSecret", SECRET + "new-??????")]),
    ("transcribe:startTranscriptionJob",
     {"TranscriptionJobName": "j", "Media": {"MediaFileUri": "s3://in/a.mp3"},
      "OutputBucketName": "out", "OutputKey": "t/"},
     [stmt("transcribe:StartTranscriptionJob", "*"), stmt("s3:GetObject", S3 + "in/a.mp3"),
      stmt("s3:PutObject", S3 + "out/t/*")]),
    ("rekognition:detectLabels", {"Image": {"S3Object": {"Bucket": "b", "Name": "i.png"}}},
     [stmt("rekognition:DetectLabels", "*"), stmt("s3:GetObject", S3 + "b/i.png")]),
    ("textract:analyzeExpense", {"Document": {"S3Object": {"Bucket": "b", "Name": "r.pdf"}}},
     [stmt("textract:AnalyzeExpense", "*"), stmt("s3:GetObject", S3 + "b/r.pdf")]),
    ("textract:startDocumentTextDetection",
     {"DocumentLocation": {"S3Object": {"Bucket": "b", "Name": "d.pdf"}}},
     [stmt("textract:StartDocumentTextDetection", "*"), stmt("s3:GetObject", S3 + "b/d.pdf")]),
    ("cloudwatch:putMetricData", {"Namespace": "Orders", "MetricData": []},
     [stmt("cloudwatch:PutMetricData", "*", {"StringLike": {"cloudwatch:namespace": "Orders"}})]),
    ("eventbridge:putEvents", {"Entries": [{"Detail": "{}"}, {"EventBusName": "orders"}]},
     [stmt("events:PutEvents", [f"arn:aws:events:{REGION}:{A}:event-bus/default",
                                f"arn:aws:events:{REGION}:{A}:event-bus/orders"])]),
    ("ssm:getParameter", {"Name": "/app/key"},
     [stmt("ssm:GetParameter", f"arn:aws:ssm:{REGION}:{A}:parameter/app/key")]),
    ("ssm:getParameters", {"Names": ["/a", "b"]},
     [stmt("ssm:GetParameters", [f"arn:aws:ssm:{REGION}:{A}:parameter/a",
                                 f"arn:aws:ssm:{REGION}:{A}:parameter/b"])]),
]


@pytest.mark.parametrize(("call", "params", "expected"), OVERRIDES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(OVERRIDES)])
def test_override_grants(call: str, params: dict[str, Any],
                         expected: list[dict[str, Any]]) -> None:
    r = sdk(call, params)
    assert_policy(r, *expected)
    assert set(codes(r)) <= {"sdk-unsupported-call", "dynamic-resource", "sdk-wildcard-resource"}


def test_every_override_call_is_pinned() -> None:
    calls = set()
    for line in (ROOT / "scripts" / "sdk_overrides.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            service, api = line.split("\t")[:2]
            calls.add(f"{service}:{api}")
    pinned = {c for c, _, _ in OVERRIDES}
    # calls whose rows are the same form as a pinned one of the same service
    same_form = {"lambda:invokeAsync", "lambda:invokeWithResponseStream",
                 "secretsmanager:putSecretValue",
                 "secretsmanager:updateSecret", "secretsmanager:deleteSecret",
                 "rdsdata:beginTransaction", "rdsdata:commitTransaction",
                 "rdsdata:rollbackTransaction",
                 "rekognition:detectText", "rekognition:detectModerationLabels",
                 "rekognition:detectFaces", "rekognition:recognizeCelebrities",
                 "textract:analyzeDocument", "textract:detectDocumentText",
                 "textract:startDocumentAnalysis", "ssm:putParameter",
                 "ssm:getParametersByPath", "ssm:deleteParameter",
                 "kinesis:putRecords", "kinesis:getShardIterator", "kinesis:describeStream",
                 "kinesis:describeStreamSummary", "kinesis:listShards"}
    assert calls - pinned == same_form


# a sample of generated rows (map.json or the operation's own action), hand-checked
GENERATED: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
    ("s3:getObject", {"Bucket": "b", "Key": "data/x.json"},
     [stmt("s3:GetObject", S3 + "b/data/x.json")]),
    ("s3:putObject", {"Bucket": "b", "Key": "o", "Body": "x"}, [stmt("s3:PutObject", S3 + "b/o")]),
    ("dynamodb:query", {"TableName": "T", "KeyConditionExpression": "k = :v"},
     [stmt("dynamodb:Query", TABLE + "T")]),
    ("dynamodb:query", {"TableName": "T", "IndexName": "ByDate"},
     [stmt("dynamodb:Query", [TABLE + "T", TABLE + "T/index/ByDate"])]),
    ("dynamodb:scan", {"TableName": f"arn:aws:dynamodb:eu-west-1:{A}:table/Other"},
     [stmt("dynamodb:Scan", f"arn:aws:dynamodb:eu-west-1:{A}:table/Other")]),
    ("glue:startCrawler", {"Name": "c"},
     [stmt("glue:StartCrawler", f"arn:aws:glue:{REGION}:{A}:crawler/c")]),
    ("glue:getJobRun", {"JobName": "j", "RunId": "r"},
     [stmt("glue:GetJobRun", f"arn:aws:glue:{REGION}:{A}:job/j")]),
    ("transcribe:getTranscriptionJob", {"TranscriptionJobName": "j"},
     [stmt("transcribe:GetTranscriptionJob", f"arn:aws:transcribe:{REGION}:{A}:transcription-job/j")]),
    ("sfn:startExecution", {"StateMachineArn": f"arn:aws:states:{REGION}:{A}:stateMachine:M"},
     [stmt("states:StartExecution", f"arn:aws:states:{REGION}:{A}:stateMachine:M")]),
    ("emrserverless:startJobRun",
     {"ApplicationId": "app1", "ExecutionRoleArn": f"arn:aws:iam::{A}:role/Job", "JobDriver": {}},
     [stmt("emr-serverless:StartJobRun",
           f"arn:aws:emr-serverless:{REGION}:{A}:/applications/app1"),
      stmt("iam:PassRole", f"arn:aws:iam::{A}:role/Job",
           {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}})]),
    ("emrserverless:getJobRun", {"ApplicationId": "app1", "JobRunId": "r1"},
     [stmt("emr-serverless:GetJobRun",
           f"arn:aws:emr-serverless:{REGION}:{A}:/applications/app1/jobruns/r1")]),
    ("ecs:updateService", {"Cluster": "c", "Service": "s", "DesiredCount": 1},
     [stmt("ecs:UpdateService", f"arn:aws:ecs:{REGION}:{A}:service/c/s")]),
    ("ec2:describeInstances", {}, [stmt("ec2:DescribeInstances", "*")]),
    ("ec2:attachVolume", {"InstanceId": "i-1", "VolumeId": "vol-1", "Device": "/dev/sdf"},
     [stmt("ec2:AttachVolume", [f"arn:aws:ec2:{REGION}:{A}:instance/i-1",
                                f"arn:aws:ec2:{REGION}:{A}:volume/vol-1"])]),
    ("comprehend:detectSentiment", {"Text": "x", "LanguageCode": "en"},
     [stmt("comprehend:DetectSentiment", "*")]),
    ("lambda:getFunction", {"FunctionName": "fn"},
     [stmt("lambda:GetFunction", f"arn:aws:lambda:{REGION}:{A}:function:fn")]),
    ("kms:decrypt", {"KeyId": f"arn:aws:kms:{REGION}:{A}:key/1234abcd-12ab", "CiphertextBlob": "x"},
     [stmt("kms:Decrypt", f"arn:aws:kms:{REGION}:{A}:key/1234abcd-12ab")]),
    ("scheduler:createSchedule",
     {"Name": "n", "GroupName": "g", "Target": {"Arn": "x", "RoleArn": f"arn:aws:iam::{A}:role/S"}},
     [stmt("scheduler:CreateSchedule", f"arn:aws:scheduler:{REGION}:{A}:schedule/g/n"),
      stmt("iam:PassRole", f"arn:aws:iam::{A}:role/S",
           {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}})]),
]


@pytest.mark.parametrize(("call", "params", "expected"), GENERATED,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(GENERATED)])
def test_generated_grants(call: str, params: dict[str, Any],
                          expected: list[dict[str, Any]]) -> None:
    r = sdk(call, params)
    assert_policy(r, *expected)
    assert codes(r) == []


# ------------------------------------------------------------------------------ edges


def test_dynamic_value_keeps_the_static_parts_and_names_the_parameter() -> None:
    r = sdk("s3:getObject", {"Bucket": "b", "Key.$": "$.key"})
    assert_policy(r, stmt("s3:GetObject", S3 + "b/*"))
    (w,) = r.warnings
    assert (w.code, w.state_path, w.parameter) == ("dynamic-resource", ("S0",), "Parameters.Key.$")
    assert "s3:GetObject granted on arn:aws:s3:::b/*" in w.message


def test_dynamic_table_in_a_list() -> None:
    r = sdk("dynamodb:transactWriteItems",
            {"TransactItems": [{"Put": {"TableName.$": "$.t"}}, {"Put": {"TableName": "A"}}]})
    # table/A is granted too, and merged into the wildcard that covers it
    assert {g.resources for g in r.grants} == {(TABLE + "*",), (TABLE + "A",)}
    assert_policy(r, stmt("dynamodb:PutItem", TABLE + "*"))
    assert codes(r) == ["dynamic-resource"]
    assert r.warnings[0].parameter == "Parameters.TransactItems[0].Put.TableName.$"


def test_dynamic_role_is_every_role_of_the_account() -> None:
    r = sdk("emrserverless:startJobRun", {"ApplicationId": "a", "ExecutionRoleArn.$": "$.role"})
    assert_policy(r,
                  stmt("emr-serverless:StartJobRun",
                       f"arn:aws:emr-serverless:{REGION}:{A}:/applications/a"),
                  stmt("iam:PassRole", f"arn:aws:iam::{A}:role/*",
                       {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}))
    assert codes(r) == ["dynamic-resource"]


def test_jsonata_arguments() -> None:
    r = run(task(SDK + "s3:putObject", {"Bucket": "b", "Key": "{% $states.input.k %}"},
                 jsonata=True))
    assert_policy(r, stmt("s3:PutObject", S3 + "b/*"))
    assert r.warnings[0].parameter == "Arguments.Key"


def test_static_values_are_iam_literals() -> None:
    r = sdk("dynamodb:getItem", {"TableName": "T*", "Key": {}})
    assert_policy(r, stmt("dynamodb:GetItem", TABLE + "T${*}"))


def test_no_parameter_names_the_resource_warns() -> None:
    r = sdk("glue:startJobRun", {"JobName": "j", "SecurityConfiguration": "s"})
    assert codes(r) == []
    r = sdk("redshiftdata:executeStatement", {"WorkgroupName": "wg", "Sql": "x"})
    assert "sdk-wildcard-resource" in codes(r)


def test_malformed_arn_parameter() -> None:
    r = sdk("sfn:startExecution", {"StateMachineArn": "not-an-arn"})
    assert "malformed-value" in codes(r)
    r = sdk("sfn:startExecution", {"StateMachineArn": "x*"})
    assert "malformed-value" in codes(r)
    assert r.document["Statement"] == []


def test_wait_for_task_token_is_supported() -> None:
    r = sdk("sqs:sendMessage.waitForTaskToken",
            {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/q",
             "MessageBody": {"token.$": "$$.Task.Token"}})
    assert_policy(r, stmt("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"))
    assert codes(r) == []


def test_sync_is_an_unsupported_pattern() -> None:
    r = sdk("s3:getObject.sync", {"Bucket": "b", "Key": "k"})
    assert_policy(r, stmt("s3:GetObject", S3 + "b/k"))
    assert codes(r) == ["unsupported-pattern"]


@pytest.mark.parametrize(("call", "needle"), [
    ("nosuchservice:getThing", "no AWS SDK service named 'nosuchservice'"),
    ("s3:noSuchCall", "has no API action 'noSuchCall'"),
    ("s3:GetObject", "has no API action 'GetObject'"),
    ("S3:getObject", "no AWS SDK service named 'S3'"),
])
def test_unknown_service_or_action_warns_and_the_rest_is_produced(call: str, needle: str) -> None:
    r = run(task(SDK + call, {"Bucket": "b", "Key": "k"}),
            task(SDK + "s3:getObject", {"Bucket": "b", "Key": "k"}))
    assert_policy(r, stmt("s3:GetObject", S3 + "b/k"))
    (w,) = r.warnings
    assert w.code == "unknown-integration" and needle in w.message and w.state_path == ("S0",)


def test_documented_unsupported_call_warns() -> None:
    r = sdk("lambda:invokeWithResponseStream", {"FunctionName": "f"})
    assert_policy(r, stmt("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{A}:function:f"))
    assert codes(r) == ["sdk-unsupported-call"]
    assert "aws-sdk:lambda:invokeWithResponseStream" in r.warnings[0].message


def test_provenance_names_the_row_and_its_source() -> None:
    r = sdk("s3:headObject", {"Bucket": "b", "Key": "k"})
    (g,) = r.grants
    assert g.why.rule == "aws-sdk:s3:headObject"
    assert g.why.parameter == "Parameters.Bucket"
    assert g.why.note is not None
    assert g.why.note.startswith("SDK table row s3.json headObject[0]; source: "
                                 "scripts/sdk_overrides.tsv:")
    r = sdk("glue:startCrawler", {"Name": "c"})
    assert "iam-dataset map.json Glue.StartCrawler[0]" in (r.grants[0].why.note or "")


def test_resource_with_region_and_account_is_read_as_the_sdk_call() -> None:
    r = run(task(f"arn:aws:states:{REGION}:{A}:aws-sdk:s3:getObject", {"Bucket": "b", "Key": "k"}))
    assert_policy(r, stmt("s3:GetObject", S3 + "b/k"))


def test_only_the_services_used_are_read() -> None:
    from sfn_iam import generate
    from sfn_iam.catalogue import sdk as table

    generate._VERDICTS.clear()
    table._rule.cache_clear()
    table.service_table.cache_clear()
    sdk("s3:getObject", {"Bucket": "b", "Key": "k"})
    sdk("glue:startCrawler", {"Name": "c"})
    assert table.service_table.cache_info().currsize == 2


def test_hostile_service_names_read_no_file() -> None:
    from sfn_iam.catalogue import sdk as table

    for name in ("../s3", "s3/../s3", "S3", "", "a" * 100, "s3.json"):
        assert table.service_table(name) is None


def test_parameter_names_match_as_step_functions_spells_them() -> None:
    """botocore's DBInstanceIdentifier is DbInstanceIdentifier in Step Functions."""
    r = sdk("rds:deleteDBInstance", {"DbInstanceIdentifier": "db1", "SkipFinalSnapshot": True})
    assert_policy(r, stmt("rds:DeleteDBInstance", f"arn:aws:rds:{REGION}:{A}:db:db1"))


def test_missing_resource_parameter_is_reported() -> None:
    r = sdk("s3:getObject", {"Key": "k"})
    assert r.document["Statement"] == []
    assert "missing-parameter" in codes(r)
    assert "Bucket" in next(w.message for w in r.warnings if w.code == "missing-parameter")


@pytest.mark.parametrize(("call", "param", "form"), [
    ("sfn:startExecution", "StateMachineArn", "arn:aws:states:*:*:stateMachine:*"),
    ("sns:publish", "TopicArn", "arn:aws:sns:*:*:*"),
    ("secretsmanager:getSecretValue", "SecretId", "arn:aws:secretsmanager:*:*:secret:*"),
    ("sqs:sendMessage", "QueueUrl", "arn:aws:sqs:*:*:*"),
    ("lambda:invoke", "FunctionName", "arn:aws:lambda:*:*:function:*"),
])
def test_dynamic_whole_arn_gets_its_services_form(call: str, param: str, form: str) -> None:
    """A parameter that is the whole ARN (it may name another account or region) gets the
    resource type's form with every field a wildcard, not "*"."""
    r = sdk(call, {f"{param}.$": "$.target"})
    assert [res for s in r.document["Statement"] for res in s["Resource"]] == [form]
    assert [(w.code, w.parameter) for w in r.warnings] == [
        ("dynamic-resource", f"Parameters.{param}.$")]


def test_kms_key_alias_and_unnamed_key() -> None:
    key = f"arn:aws:kms:{REGION}:{A}:key/"
    r = sdk("kms:decrypt", {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "CiphertextBlob": "x"})
    assert_policy(r, stmt("kms:Decrypt", key + "1234abcd-12ab-34cd-56ef-1234567890ab"))
    r = sdk("kms:encrypt", {"KeyId": "alias/app", "Plaintext": "x"})
    assert_policy(r, stmt("kms:Encrypt", key + "*"))
    assert codes(r) == ["dynamic-resource"] and "a KMS alias" in r.warnings[0].message
    # no KeyId: KMS takes the key from the ciphertext
    r = sdk("kms:decrypt", {"CiphertextBlob": "x"})
    assert_policy(r, stmt("kms:Decrypt", key + "*"))
    assert codes(r) == ["sdk-wildcard-resource"]


def test_ecs_task_definition_family_and_revision() -> None:
    td = f"arn:aws:ecs:{REGION}:{A}:task-definition/"
    r = sdk("ecs:runTask", {"TaskDefinition": "web:3", "Cluster": "c"})
    assert (td + "web:3") in [res for s in r.document["Statement"] for res in s["Resource"]]
    r = sdk("ecs:runTask", {"TaskDefinition": "web"})
    assert (td + "web:*") in [res for s in r.document["Statement"] for res in s["Resource"]]


def test_more_resources_than_a_policy_can_list_become_a_wildcard() -> None:
    keys = [{"Key": f"k{i}"} for i in range(300)]
    r = sdk("s3:deleteObjects", {"Bucket": "b", "Delete": {"Objects": keys}})
    assert_policy(r, stmt("s3:DeleteObject", S3 + "b/*"))
    assert codes(r) == ["sdk-wildcard-resource"]
    keys = keys[:200]
    r = sdk("s3:deleteObjects", {"Bucket": "b", "Delete": {"Objects": keys}})
    assert len(r.document["Statement"][0]["Resource"]) == 200


def test_sns_publish_and_eventbridge_and_ecs() -> None:
    topic = f"arn:aws:sns:{REGION}:{A}:alerts"
    assert_policy(sdk("sns:publish", {"TopicArn": topic, "Message": "m"}), stmt("sns:Publish", topic))
    r = sdk("eventbridge:disableRule", {"Name": "nightly"})
    assert f"arn:aws:events:{REGION}:{A}:rule/nightly" in r.document["Statement"][0]["Resource"]
    r = sdk("ecs:describeServices", {"Cluster": "c", "Services": ["s1", "s2"]})
    assert_policy(r, stmt("ecs:DescribeServices", [f"arn:aws:ecs:{REGION}:{A}:service/c/s1",
                                                   f"arn:aws:ecs:{REGION}:{A}:service/c/s2"]))


def test_roles_in_list_elements_are_passed() -> None:
    r = sdk("eventbridge:putTargets", {"Rule": "r", "Targets": [
        {"Id": "1", "Arn": "x", "RoleArn": f"arn:aws:iam::{A}:role/T1"},
        {"Id": "2", "Arn": "y", "RoleArn.$": "$.role"}]})
    passed = {"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}}
    got = [s for s in r.document["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert got == [stmt(["iam:PassRole"], [f"arn:aws:iam::{A}:role/*"], passed)]
    assert ("dynamic-resource", "Parameters.Targets[1].RoleArn.$") in [
        (w.code, w.parameter) for w in r.warnings]
    r = sdk("eventbridge:putTargets", {"Rule": "r", "Targets": [
        {"Id": "1", "Arn": "x", "RoleArn": f"arn:aws:iam::{A}:role/T1"}]})
    got = [s for s in r.document["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert got == [stmt(["iam:PassRole"], [f"arn:aws:iam::{A}:role/T1"], passed)]


def test_huge_lists_and_objects_end_in_a_policy() -> None:
    """Hostile sizes: every element is read once (linear), and the policy stays one ARN."""
    items = [{"Put": {"TableName": f"t{i}"}} for i in range(20_000)]
    r = sdk("dynamodb:transactWriteItems", {"TransactItems": items})
    assert_policy(r, stmt("dynamodb:PutItem", TABLE + "*"))
    (w,) = r.warnings
    assert w.code == "sdk-wildcard-resource" and "20,000 resources" in w.message
    assert "${!" not in w.message
    r = sdk("dynamodb:query", {f"K{i}": "x" for i in range(20_000)})
    assert codes(r) == ["missing-parameter", "no-permissions"]


def test_a_call_without_a_known_iam_action_is_reported() -> None:
    r = sdk("accessanalyzer:getFindingV2", {"AnalyzerArn": "x", "Id": "y"})
    assert codes(r) == ["unknown-integration", "no-permissions"]
    assert "knows no IAM action for aws-sdk:accessanalyzer:getFindingV2" in r.warnings[0].message
    assert r.recognised == 0


def test_condition_parameter_matches_as_spelled() -> None:
    r = sdk("s3:listObjectsV2", {"Bucket": "b", "prefix": "in/"})
    assert_policy(r, stmt("s3:ListBucket", S3 + "b", {"StringLike": {"s3:prefix": "in/"}}))


def test_list_executions_of_a_map_run_is_on_the_map_run() -> None:
    mr = f"arn:aws:states:{REGION}:{A}:mapRun:M/Map:1234"
    assert sdk("sfn:listExecutions", {"MapRunArn": mr}).document["Statement"] == [
        {"Effect": "Allow", "Action": ["states:ListExecutions"], "Resource": [mr]}]


def test_kinesis_by_name_and_without_a_stream() -> None:
    by_name = sdk("kinesis:putRecord", {"StreamName": "s", "Data": "x", "PartitionKey": "k"})
    assert by_name.document["Statement"] == [{"Effect": "Allow", "Action": ["kinesis:PutRecord"],
                                              "Resource": [f"arn:aws:kinesis:{REGION}:{A}:stream/s"]}]
    # a shard iterator names no stream the policy can see: the wildcard, with its warning
    it = sdk("kinesis:getRecords", {"ShardIterator.$": "$.it"})
    assert it.document["Statement"][0]["Resource"] == [f"arn:aws:kinesis:{REGION}:{A}:stream/*"]
    assert "sdk-wildcard-resource" in {f.code for f in it.warnings}


@pytest.mark.parametrize(("call", "params", "action", "resource"), [
    ("s3:getObject", {"Bucket": "src-${Env}", "Key": "in/${Day}.csv"}, "s3:GetObject",
     "arn:aws:s3:::src-*/in/*.csv"),
    ("s3:listObjectsV2", {"Bucket": "src-${Env}"}, "s3:ListBucket", "arn:aws:s3:::src-*"),
    ("dynamodb:getItem", {"TableName": "orders-${Env}", "Key": {}}, "dynamodb:GetItem",
     "arn:aws:dynamodb:us-east-1:123456789012:table/orders-*"),
    ("sqs:sendMessage", {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/q-${Env}",
                         "MessageBody": "m"}, "sqs:SendMessage",
     "arn:aws:sqs:eu-west-1:111122223333:q-*"),
    ("secretsmanager:getSecretValue", {"SecretId": "db-${Env}"},
     "secretsmanager:GetSecretValue",
     "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-*-??????"),
    ("sns:publish", {"TopicArn": "arn:aws:sns:us-east-1:${Acct}:alerts", "Message": "m"},
     "sns:Publish", "arn:aws:sns:us-east-1:*:alerts"),
    # a value that starts with a placeholder keeps nothing at its start: the whole name
    ("dynamodb:getItem", {"TableName": "${Env}-orders", "Key": {}}, "dynamodb:GetItem",
     "arn:aws:dynamodb:us-east-1:123456789012:table/*"),
])
def test_partly_static_values_keep_their_static_parts(call: str, params: dict[str, object],
                                                      action: str, resource: str) -> None:
    """The static text around a ${Name} placeholder bounds the wildcard, as for the
    optimized integrations (rules.partial, shared): a dynamic-resource warning names the
    parameter, and an unresolved-placeholder one the placeholder."""
    r = run(task(SDK + call, params))
    assert [(s["Action"], s["Resource"]) for s in r.document["Statement"]] == [
        ([action], [resource])]
    assert {"dynamic-resource", "unresolved-placeholder"} <= set(codes(r))
