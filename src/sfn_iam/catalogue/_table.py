"""The README's table of supported integrations, generated from the catalogue itself
(``python -m sfn_iam.catalogue._table``); a test keeps the README in step."""

from __future__ import annotations

from sfn_iam.catalogue import known_services, service_module
from sfn_iam.rules import DOC_BASE, SYNC2, Rule
from sfn_iam.task import SYNC, WAIT

TITLES = {
    "apigateway": "Amazon API Gateway", "athena": "Amazon Athena", "batch": "AWS Batch",
    "codebuild": "AWS CodeBuild", "databrew": "AWS Glue DataBrew", "dynamodb": "Amazon DynamoDB",
    "ecs": "Amazon ECS / Fargate", "eks": "Amazon EKS", "elasticmapreduce": "Amazon EMR",
    "emr-containers": "Amazon EMR on EKS", "events": "Amazon EventBridge", "glue": "AWS Glue",
    "lambda": "AWS Lambda", "sagemaker": "Amazon SageMaker AI", "sns": "Amazon SNS",
    "sqs": "Amazon SQS", "states": "AWS Step Functions",
    "s3": "Amazon S3 (Distributed Map `ItemReader` / `ResultWriter`)",
    "bedrock": "Amazon Bedrock", "emr-serverless": "Amazon EMR Serverless",
    "mediaconvert": "AWS Elemental MediaConvert", "http": "HTTP Task (third-party APIs)",
}


def _patterns(rule: Rule) -> str:
    out = ["request-response"] if "" in rule.patterns else []
    if SYNC in rule.patterns:
        out.append(".sync" + (", .sync:2" if SYNC2 in rule.patterns else ""))
    if WAIT in rule.patterns:
        out.append(".waitForTaskToken")
    return ", ".join(out)


def table() -> str:
    rows = ["| Service | Task `Resource` | Patterns | Reference |", "|---|---|---|---|"]
    for service in known_services():
        module = service_module(service)
        rules: dict[str, Rule] = getattr(module, "RULES", {})
        for api, rule in sorted(rules.items()):
            if api == "function-arn":
                resource = "a function ARN, e.g. `arn:aws:lambda:REGION:ACCOUNT:function:NAME`"
            else:
                resource = f"`arn:aws:states:::{service}:{api}`"
            doc = rule.doc if rule.doc.startswith("http") else DOC_BASE + rule.doc
            page = doc.rsplit("/", 1)[-1]
            rows.append(f"| {TITLES.get(service, service)} | {resource} | {_patterns(rule)} "
                        f"| [{page}]({doc}) |")
    rows.append("| Activities | `arn:aws:states:REGION:ACCOUNT:activity:NAME` | worker-based "
                "| [activities-iam.html](" + DOC_BASE + "activities-iam.html) |")
    return "\n".join(rows) + "\n"


def findings_table() -> str:
    from sfn_iam.findings import CODES

    rows = ["| Code | Meaning |", "|---|---|"]
    rows += [f"| `{code}` | {title} |" for code, title in CODES.items()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(table(), end="")
