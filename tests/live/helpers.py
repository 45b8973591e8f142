"""Building a small account in moto: roles, state machines, versions, aliases, users."""

from __future__ import annotations

import json
from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def lambda_definition(*functions: str) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i, fn in enumerate(functions):
        states[f"S{i}"] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": {"FunctionName": fn, "Payload.$": "$"}}
        if i + 1 < len(functions):
            states[f"S{i}"]["Next"] = f"S{i + 1}"
        else:
            states[f"S{i}"]["End"] = True
    return {"StartAt": "S0", "States": states}


def role(name: str, inline: dict[str, dict[str, Any]] | None = None,
         managed: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """A role with inline policies and customer managed policies (each a list of versions,
    the last one the default)."""
    iam = boto3.client("iam", region_name=REGION)
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))[
        "Role"]["Arn"])
    for policy_name, doc in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(doc))
    for policy_name, versions in (managed or {}).items():
        policy_arn = iam.create_policy(PolicyName=policy_name,
                                       PolicyDocument=json.dumps(versions[0]))["Policy"]["Arn"]
        for doc in versions[1:]:
            iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(doc),
                                      SetAsDefault=True)
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return arn


def state_machine(name: str, definition: dict[str, Any], role_arn: str,
                  publish: bool = False, **extra: Any) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    return dict(sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                         roleArn=role_arn, publish=publish, **extra))


def user_with_policy(name: str, policy: dict[str, Any]) -> dict[str, str]:
    """An IAM user allowed ``policy`` and nothing else: its credentials as environment."""
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
