"""The test-suite's own IAM evaluator must itself be right, or the property tests prove nothing."""

import pytest

from tests.iam_eval import is_allowed, resource_matches

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
         "Resource": ["arn:aws:lambda:us-east-1:123456789012:function:a"]},
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/in/*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/r",
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lit/a${*}b"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/in/secret"},
    ],
}


@pytest.mark.parametrize(
    ("action", "resource", "context", "allowed"),
    [
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:a", {}, True),
        ("LAMBDA:invokefunction", "arn:aws:lambda:us-east-1:123456789012:function:a", {}, True),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:a:prod", {},
         False),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:b", {}, False),
        ("s3:GetObject", "arn:aws:s3:::b/in/x/y.csv", {}, True),
        ("s3:GetObject", "arn:aws:s3:::b/out/x", {}, False),
        ("s3:GetObject", "arn:aws:s3:::b/in/secret", {}, False),
        ("s3:PutObject", "arn:aws:s3:::b/in/x", {}, False),
        ("iam:PassRole", "arn:aws:iam::1:role/r", {"iam:PassedToService": "ecs-tasks.amazonaws.com"},
         True),
        ("iam:PassRole", "arn:aws:iam::1:role/r", {"iam:PassedToService": "ec2.amazonaws.com"},
         False),
        ("iam:PassRole", "arn:aws:iam::1:role/r", {}, False),
        ("s3:GetObject", "arn:aws:s3:::lit/a*b", {}, True),
        ("s3:GetObject", "arn:aws:s3:::lit/aXb", {}, False),
    ],
)
def test_is_allowed(action: str, resource: str, context: dict[str, str], allowed: bool) -> None:
    assert is_allowed(POLICY, action, resource, context) is allowed


def test_arn_fields_do_not_bleed() -> None:
    assert resource_matches("arn:aws:sns:*:1:t", "arn:aws:sns:us-east-1:1:t")
    assert not resource_matches("arn:aws:sns:*:1:t", "arn:aws:sns:us-east-1:2:t")
    assert not resource_matches("arn:aws:sns:us-*:1:t", "arn:aws:sns:eu-west-1:1:t")
