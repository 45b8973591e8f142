"""AWS SDK integrations (``arn:aws:states:::aws-sdk:<service>:<apiAction>``) are not in the
catalogue yet. Until they are, the warning names the IAM action the call most likely needs,
so that the user knows what to add. Service names whose IAM prefix differs (CURRENT-DOCS
§6.4, from the AWS CDK's service map) and the best-known API/action mismatches (§6.5)."""

from __future__ import annotations

PREFIX = {
    "sfn": "states", "cloudwatchlogs": "logs", "efs": "elasticfilesystem",
    "elasticloadbalancingv2": "elasticloadbalancing", "emr": "elasticmapreduce",
    "emrcontainers": "emr-containers", "emrserverless": "emr-serverless",
    "eventbridge": "events", "acmpca": "acm-pca", "applicationautoscaling":
    "application-autoscaling", "applicationdiscovery": "discovery", "bedrockruntime": "bedrock",
    "bedrockagent": "bedrock", "bedrockagentruntime": "bedrock",
    "bedrockdataautomation": "bedrock", "bedrockdataautomationruntime": "bedrock",
    "cognitoidentityprovider": "cognito-idp", "cognitoidentity": "cognito-identity",
    "cognitosync": "cognito-sync", "costexplorer": "ce", "customerprofiles": "profile",
    "databasemigration": "dms", "directory": "ds", "docdb": "rds", "neptune": "rds",
    "dynamodbstreams": "dynamodb", "elasticsearch": "es", "opensearch": "es",
    "opensearchserverless": "aoss", "location": "geo", "lexmodelsv2": "lex",
    "lexruntimev2": "lex", "lexmodelbuilding": "lex", "lexruntime": "lex", "mwaa": "airflow",
    "pinpoint": "mobiletargeting", "pinpointemail": "ses", "sesv2": "ses", "mailmanager": "ses",
    "pinpointsmsvoice": "sms-voice", "pinpointsmsvoicev2": "sms-voice", "qconnect": "wisdom",
    "rdsdata": "rds-data", "redshiftdata": "redshift-data",
    "redshiftserverless": "redshift-serverless", "resourcegroups": "resource-groups",
    "resourcegroupstaggingapi": "tag", "s3control": "s3", "sagemakerruntime": "sagemaker",
    "sagemakerfeaturestoreruntime": "sagemaker", "sagemakera2iruntime": "sagemaker",
    "sagemakermetrics": "sagemaker", "serverlessapplicationrepository": "serverlessrepo",
    "servicecatalogappregistry": "servicecatalog", "ssoadmin": "sso", "supplychain": "scn",
    "timestreamquery": "timestream", "timestreamwrite": "timestream",
    "kinesisanalyticsv2": "kinesisanalytics", "amp": "aps", "cloudhsmv2": "cloudhsm",
    "apigatewayv2": "apigateway",
}
ACTION = {
    ("s3", "listBuckets"): "s3:ListAllMyBuckets", ("s3", "listObjectsV2"): "s3:ListBucket",
    ("s3", "listObjects"): "s3:ListBucket", ("s3", "listObjectVersions"): "s3:ListBucketVersions",
    ("s3", "headObject"): "s3:GetObject", ("s3", "headBucket"): "s3:ListBucket",
    ("s3", "deleteObjects"): "s3:DeleteObject", ("sqs", "sendMessageBatch"): "sqs:SendMessage",
    ("sqs", "deleteMessageBatch"): "sqs:DeleteMessage", ("lambda", "invoke"): "lambda:InvokeFunction",
    ("bedrockruntime", "converse"): "bedrock:InvokeModel",
}


def likely_action(service: str, api: str) -> str:
    """``aws-sdk:sfn:startSyncExecution`` -> ``states:StartSyncExecution`` (a best guess)."""
    if (service, api) in ACTION:
        return ACTION[(service, api)]
    name = api[:1].upper() + api[1:]
    return f"{PREFIX.get(service, service)}:{name}"
