"""The audit's IAM evaluator (src/sfn_iam/evaluate.py), checked against the examples of the IAM
User Guide: "Policy evaluation logic", "The difference between explicit and implicit denies",
"Condition operators" (negated operators, IfExists, Null), "Single-valued vs. multivalued
context keys" (ForAllValues / ForAnyValue), "Policy variables" and "NotAction"."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_iam.evaluate import (
    ALLOWED,
    DENIED,
    IMPLICIT,
    UNDECIDED,
    PolicyError,
    Request,
    all_statements,
    evaluate,
)


def decide(policy: dict[str, Any], action: str, resource: str = "*",
           context: dict[str, tuple[str, ...] | None] | None = None,
           patterns: tuple[str, ...] = ()) -> str:
    stmts = all_statements([("p", policy)])
    return evaluate(stmts, Request(action, resource, context, patterns)).result


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


# "The difference between explicit and implicit denies": AllowGetList / DenyReports
IAM_REPORTS = doc(
    {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"],
     "Resource": "*"},
    {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"},
)


@pytest.mark.parametrize(("action", "expected"), [
    ("iam:GetRole", ALLOWED),
    ("iam:ListRoles", ALLOWED),
    ("iam:CreatePolicy", IMPLICIT),                 # implicitly denied
    ("iam:GetOrganizationsAccessReport", DENIED),   # explicitly denied, though Get* allows it
    ("iam:GenerateCredentialReport", DENIED),
    ("IAM:getrole", ALLOWED),                       # actions are case-insensitive
])
def test_explicit_and_implicit_denies(action: str, expected: str) -> None:
    assert decide(IAM_REPORTS, action) == expected


def test_explicit_deny_wins_across_documents() -> None:
    allow = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    deny = doc({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"})
    stmts = all_statements([("allow", allow), ("deny", deny)])
    d = evaluate(stmts, Request("s3:DeleteObject", "arn:aws:s3:::b/k"))
    assert d.result == DENIED
    assert [s.label for s in d.denied_by] == ["deny #1"]
    assert evaluate(stmts, Request("s3:DeleteObject", "arn:aws:s3:::c/k")).result == ALLOWED


# the User Guide's NotAction example: everything except IAM
NOT_IAM = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})


def test_not_action() -> None:
    assert decide(NOT_IAM, "s3:GetObject", "arn:aws:s3:::b/k") == ALLOWED
    assert decide(NOT_IAM, "iam:PassRole", "arn:aws:iam::1:role/r") == IMPLICIT


def test_not_resource() -> None:
    p = doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"})
    assert decide(p, "s3:GetObject", "arn:aws:s3:::open/k") == ALLOWED
    assert decide(p, "s3:GetObject", "arn:aws:s3:::secret/k") == IMPLICIT
    # a set of requests partly inside the excluded resources is not allowed as a whole
    assert decide(p, "s3:GetObject", "arn:aws:s3:::*") == IMPLICIT


def test_resources_are_case_sensitive_and_wildcards() -> None:
    p = doc({"Effect": "Allow", "Action": "sqs:SendMessage",
             "Resource": "arn:aws:sqs:us-east-1:123456789012:queue-?"})
    assert decide(p, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue-a") == ALLOWED
    assert decide(p, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:Queue-a") == IMPLICIT
    assert decide(p, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue-ab") == IMPLICIT


def test_request_sets() -> None:
    """A dynamic Task resource stands for every resource its pattern allows."""
    p = doc({"Effect": "Allow", "Action": "lambda:InvokeFunction",
             "Resource": "arn:aws:lambda:us-east-1:1:function:app-*"})
    assert decide(p, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:app-*:*") \
        == ALLOWED
    assert decide(p, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:*") == IMPLICIT
    # a ? in the request is covered by a ? or a * only
    q = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a?"})
    assert decide(q, "s3:GetObject", "arn:aws:s3:::b/a?") == ALLOWED
    assert decide(q, "s3:GetObject", "arn:aws:s3:::b/a*") == IMPLICIT
    # a Deny that may hit part of the set is undecided, one that cannot is ignored
    d = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/x/*"})
    assert decide(d, "s3:GetObject", "arn:aws:s3:::b/*") == DENIED  # b/x/... is in the set
    assert decide(d, "s3:GetObject", "arn:aws:s3:::c/*") == ALLOWED


def test_literal_escapes() -> None:
    """${*} ${?} ${$} are literal characters in a 2012-10-17 policy."""
    p = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a${*}b"})
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/a${*}b") == ALLOWED  # the key "a*b"
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/axb") == IMPLICIT
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/a*b") == IMPLICIT  # a set, not the key


def test_policy_variables() -> None:
    """The User Guide's home-folder example: ${aws:username} in the resource."""
    p = doc({"Effect": "Allow", "Action": "s3:*",
             "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"})
    ctx: dict[str, tuple[str, ...] | None] = {"aws:username": ("carlos",)}
    assert decide(p, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/carlos/f", ctx) \
        == ALLOWED
    assert decide(p, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/ana/f", ctx) \
        == IMPLICIT
    # without a value for the variable: undecided, never guessed
    assert decide(p, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/carlos/f") \
        == UNDECIDED
    # a default value applies when the key is absent
    q = doc({"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*"})
    assert decide(q, "s3:GetObject", "arn:aws:s3:::b/shared/f",
                  {"aws:PrincipalTag/team": None}) == ALLOWED
    # version 2008-10-17: no variables, ${ is plain text
    old = doc({"Effect": "Allow", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::b/${aws:username}"}, version="2008-10-17")
    assert decide(old, "s3:GetObject", "arn:aws:s3:::b/${$}{aws:username}", ctx) == ALLOWED
    assert decide(old, "s3:GetObject", "arn:aws:s3:::b/carlos", ctx) == IMPLICIT


PASS = doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}})


def test_string_equals_and_unknown_keys() -> None:
    ecs: dict[str, tuple[str, ...] | None] = {"iam:PassedToService": ("ecs-tasks.amazonaws.com",)}
    assert decide(PASS, "iam:PassRole", "arn:aws:iam::1:role/r", ecs) == ALLOWED
    assert decide(PASS, "iam:PassRole", "arn:aws:iam::1:role/r",
                  {"iam:PassedToService": ("glue.amazonaws.com",)}) == IMPLICIT
    # condition key names are case-insensitive
    assert decide(PASS, "iam:PassRole", "arn:aws:iam::1:role/r",
                  {"IAM:passedtoservice": ("ecs-tasks.amazonaws.com",)}) == ALLOWED
    # the key is not in the request context at all: the values do not match, false
    assert decide(PASS, "iam:PassRole", "arn:aws:iam::1:role/r",
                  {"iam:PassedToService": None}) == IMPLICIT
    # nothing known about the key: undecided
    assert decide(PASS, "iam:PassRole", "arn:aws:iam::1:role/r") == UNDECIDED


def test_negated_operators_and_if_exists() -> None:
    """"If the key ... is not present in the request context ... the condition is false; if
    the condition requires that the key is not matched, such as StringNotLike, and the key is
    not present, the condition is true." IfExists: absent key -> true."""
    neg = doc({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
               "Condition": {"StringNotLike": {"ec2:InstanceType": ["*.xlarge", "*.2xlarge"]}}})
    assert decide(neg, "ec2:RunInstances", context={"ec2:InstanceType": None}) == ALLOWED
    assert decide(neg, "ec2:RunInstances", context={"ec2:InstanceType": ("t2.micro",)}) == ALLOWED
    assert decide(neg, "ec2:RunInstances", context={"ec2:InstanceType": ("m5.xlarge",)}) \
        == IMPLICIT
    # the User Guide's IfExists example
    ie = doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
              "Condition": {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}})
    assert decide(ie, "ec2:RunInstances", context={"ec2:InstanceType": ("t2.micro",)}) == ALLOWED
    assert decide(ie, "ec2:RunInstances", context={"ec2:InstanceType": ("r5.large",)}) == IMPLICIT
    assert decide(ie, "ec2:DescribeInstances", context={"ec2:InstanceType": None}) == ALLOWED


def test_null_and_bool() -> None:
    """The User Guide's Null example: EC2 only without temporary credentials."""
    p = doc({"Action": "ec2:*", "Effect": "Allow", "Resource": "*",
             "Condition": {"Null": {"aws:TokenIssueTime": "true"}}})
    assert decide(p, "ec2:DescribeInstances", context={"aws:TokenIssueTime": None}) == ALLOWED
    assert decide(p, "ec2:DescribeInstances",
                  context={"aws:TokenIssueTime": ("2024-01-01T00:00:00Z",)}) == IMPLICIT
    b = doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert decide(b, "s3:GetObject", context={"aws:SecureTransport": ("true",)}) == ALLOWED
    assert decide(b, "s3:GetObject", context={"aws:SecureTransport": ("false",)}) == DENIED
    # the Deny might apply: the answer is undecided, not allowed
    assert decide(b, "s3:GetObject") == UNDECIDED


def test_numeric() -> None:
    p = doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
             "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}})
    assert decide(p, "s3:ListBucket", context={"s3:max-keys": ("10",)}) == ALLOWED
    assert decide(p, "s3:ListBucket", context={"s3:max-keys": ("11",)}) == IMPLICIT
    q = doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
             "Condition": {"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}})
    assert decide(q, "s3:ListBucket", context={"s3:max-keys": ("2",)}) == IMPLICIT
    assert decide(q, "s3:ListBucket", context={"s3:max-keys": ("3",)}) == ALLOWED


def test_for_all_values_and_for_any_value() -> None:
    """"Single-valued vs. multivalued context keys": ForAllValues is true when every request
    value matches a policy value, and when the key is absent; ForAnyValue needs one match."""
    all_ = doc({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {
                    "dynamodb:Attributes": ["ID", "Message", "Tags"]}}})
    ok: dict[str, tuple[str, ...] | None] = {"dynamodb:Attributes": ("ID", "Message")}
    assert decide(all_, "dynamodb:GetItem", context=ok) == ALLOWED
    assert decide(all_, "dynamodb:GetItem",
                  context={"dynamodb:Attributes": ("ID", "Secret")}) == IMPLICIT
    assert decide(all_, "dynamodb:GetItem", context={"dynamodb:Attributes": None}) == ALLOWED
    any_ = doc({"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
                "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": "Created*"}}})
    assert decide(any_, "ec2:CreateTags", context={"aws:TagKeys": ("Owner", "CreatedBy")}) \
        == ALLOWED
    assert decide(any_, "ec2:CreateTags", context={"aws:TagKeys": ("Owner",)}) == IMPLICIT
    assert decide(any_, "ec2:CreateTags", context={"aws:TagKeys": None}) == IMPLICIT


def test_arn_like_matches_each_part() -> None:
    p = doc({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*",
             "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b*"}}})
    assert decide(p, "sns:Publish", context={"aws:SourceArn": ("arn:aws:s3:::bucket",)}) \
        == ALLOWED
    assert decide(p, "sns:Publish", context={"aws:SourceArn": ("arn:aws:s3:us:1:bucket",)}) \
        == IMPLICIT


def test_pattern_context_values() -> None:
    """A needed condition (s3:prefix like data/*) is a set of requests: a policy condition
    must cover all of it."""
    p = doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
             "Condition": {"StringLike": {"s3:prefix": ["data/*", "logs/*"]}}})
    assert decide(p, "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": ("data/in/*",)},
                  ("s3:prefix",)) == ALLOWED
    assert decide(p, "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": ("*",)},
                  ("s3:prefix",)) == IMPLICIT
    eq = doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
              "Condition": {"StringEquals": {"s3:prefix": "data/"}}})
    assert decide(eq, "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": ("data/*",)},
                  ("s3:prefix",)) == IMPLICIT


def test_dates() -> None:
    """The User Guide's date example: access before a date (ISO 8601 or epoch seconds)."""
    p = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}})
    assert decide(p, "s3:GetObject", context={"aws:CurrentTime": ("2024-01-01T00:00:00Z",)}) \
        == ALLOWED
    assert decide(p, "s3:GetObject", context={"aws:CurrentTime": ("2031-06-01",)}) == IMPLICIT
    assert decide(p, "s3:GetObject", context={"aws:EpochTime": ("1",)}) == UNDECIDED
    assert decide(p, "s3:GetObject", context={"aws:CurrentTime": ("1700000000",)}) == ALLOWED
    assert decide(p, "s3:GetObject", context={"aws:CurrentTime": ("yesterday",)}) == UNDECIDED
    ne = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
              "Condition": {"DateNotEquals": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}})
    assert decide(ne, "s3:GetObject", context={"aws:CurrentTime": ("2024-01-01",)}) == IMPLICIT
    assert decide(ne, "s3:GetObject", context={"aws:CurrentTime": ("2024-01-02",)}) == ALLOWED
    assert decide(ne, "s3:GetObject", context={"aws:CurrentTime": None}) == ALLOWED  # negated


def test_operators_not_decided_are_undecided() -> None:
    p = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})
    assert decide(p, "s3:GetObject", context={"aws:SourceIp": ("203.0.113.7",)}) == UNDECIDED


@pytest.mark.parametrize("bad", [
    [], "x", {"Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]},
    {"Statement": [{"Effect": "Allow", "Resource": "*"}]},
    {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]},
    {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": []}]},
    {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]},
    {"Statement": [1]},
])
def test_bad_documents_are_one_line_errors(bad: Any) -> None:
    with pytest.raises(PolicyError) as err:
        all_statements([("role.json", bad)])
    assert str(err.value).startswith("role.json")
    assert "\n" not in str(err.value)


def test_hostile_patterns_do_not_hang_or_widen() -> None:
    """Glob matching is at most pattern x subject steps: ``*a*a*...*b`` against a long run of
    ``a`` (catastrophic for a backtracking regex) answers at once; a policy character equal
    to the matcher's private wildcard mark matches nothing."""
    import time

    p = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*a" * 60 + "*b"})
    start = time.perf_counter()
    assert decide(p, "s3:GetObject", "arn:aws:s3:::" + "a" * 3000) == IMPLICIT
    assert time.perf_counter() - start < 2
    nul = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\x00"})
    assert decide(nul, "s3:GetObject", "arn:aws:s3:::b/*") == IMPLICIT
