"""The audit's evaluator agrees with the test suite's own one (tests/iam_eval.py, written
separately) on random policies and concrete requests, over what both cover: Allow/Deny,
Action and Resource wildcards, literal escapes, StringEquals/StringLike conditions."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_iam.evaluate import ALLOWED, Request, all_statements, evaluate
from tests.iam_eval import is_allowed

ACTIONS = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "lambda:InvokeFunction"]
CHUNKS = ["a", "b", "ab", "/", ":", "*", "?", "${*}", "${?}", "${$}", "-"]


@st.composite
def pattern(draw: st.DrawFn) -> str:
    service = draw(st.sampled_from(["s3", "sqs", "*", "lambda"]))
    region = draw(st.sampled_from(["", "us-east-1", "*"]))
    account = draw(st.sampled_from(["", "123456789012", "*"]))
    tail = "".join(draw(st.lists(st.sampled_from(CHUNKS), max_size=5)))
    return f"arn:aws:{service}:{region}:{account}:{tail}"


@st.composite
def statement(draw: st.DrawFn) -> dict[str, Any]:
    actions = draw(st.lists(st.sampled_from([*ACTIONS, "s3:*", "*", "s3:Get*", "sqs:?endMessage"]),
                            min_size=1, max_size=3))
    resources = draw(st.lists(st.one_of(pattern(), st.just("*")), min_size=1, max_size=3))
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
                           "Action": actions, "Resource": resources}
    if draw(st.booleans()):
        op = draw(st.sampled_from(["StringEquals", "StringLike"]))
        out["Condition"] = {op: {"k:key": draw(st.lists(
            st.sampled_from(["x", "y", "x*", "${*}", "?"]), min_size=1, max_size=2))}}
    return out


@st.composite
def concrete(draw: st.DrawFn) -> str:
    service = draw(st.sampled_from(["s3", "sqs", "lambda"]))
    region = draw(st.sampled_from(["", "us-east-1"]))
    account = draw(st.sampled_from(["", "123456789012"]))
    tail = "".join(draw(st.lists(st.sampled_from(["a", "b", "/", ":", "*", "?", "$", "-"]),
                                 max_size=5)))
    return f"arn:aws:{service}:{region}:{account}:{tail}"


@settings(max_examples=400, deadline=None)
@given(st.lists(statement(), min_size=1, max_size=4), st.sampled_from(ACTIONS), concrete(),
       st.sampled_from(["x", "y", "x1", "*", "?"]))
def test_agrees_with_the_test_evaluator(statements: list[dict[str, Any]], action: str,
                                        resource: str, value: str) -> None:
    policy = {"Version": "2012-10-17", "Statement": statements}
    # the request's values are literals: written in IAM pattern form for ours
    def literal(v: str) -> str:
        return v.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}")

    ours = evaluate(all_statements([("p", policy)]),
                    Request(action, literal(resource), {"k:key": (literal(value),)}))
    theirs = is_allowed(policy, action, resource, {"k:key": value})
    assert (ours.result == ALLOWED) == theirs
