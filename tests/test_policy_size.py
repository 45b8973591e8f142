"""IAM size limits: ``policy_size`` counts characters as IAM does (no whitespace), and ``split``
cuts a policy into managed-policy documents that each fit and together grant exactly the same."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_iam import generate_policy
from sfn_iam.policy import INLINE_LIMIT, MANAGED_LIMIT, policy_size, split
from tests.iam_eval import is_allowed
from tests.util import ACCOUNT, REGION, atoms, machine, task


def _no_whitespace(document: dict[str, Any]) -> int:
    """Independent count: the pretty-printed JSON with every whitespace character removed
    (valid for documents with no whitespace inside their strings)."""
    return len(re.sub(r"\s", "", json.dumps(document, indent=4)))


def _lambda_machine(n: int, name_len: int = 40) -> dict[str, Any]:
    states = [task("arn:aws:states:::lambda:invoke",
                   {"FunctionName": f"fn-{i:04d}-".ljust(name_len, "x"), "Payload.$": "$"})
              for i in range(n)]
    return machine(*states)


def _all_atoms(parts: list[dict[str, Any]]) -> set[Any]:
    return set().union(*(atoms(p["Statement"]) for p in parts))


def test_limits() -> None:
    assert (INLINE_LIMIT, MANAGED_LIMIT) == (10_240, 6_144)


def test_size_ignores_whitespace() -> None:
    doc = generate_policy(_lambda_machine(3), region=REGION, account=ACCOUNT).document
    assert policy_size(doc) == _no_whitespace(doc)
    assert policy_size(doc) == len(json.dumps(doc, separators=(",", ":")))
    assert policy_size(doc) < len(json.dumps(doc, indent=2))


def test_size_counts_characters_not_escapes() -> None:
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/é"}]}
    ascii_doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/e"}]}
    assert policy_size(doc) == policy_size(ascii_doc)


def test_a_policy_that_fits_is_returned_alone() -> None:
    doc = generate_policy(_lambda_machine(5), region=REGION, account=ACCOUNT).document
    assert policy_size(doc) <= MANAGED_LIMIT
    assert split(doc) == [doc]


@pytest.mark.parametrize("n", [150, 400])
def test_hundreds_of_lambda_functions(n: int) -> None:
    """One statement with hundreds of resources: cut into slices of its Resource list."""
    doc = generate_policy(_lambda_machine(n), region=REGION, account=ACCOUNT).document
    assert len(doc["Statement"]) == 1
    assert policy_size(doc) > INLINE_LIMIT
    parts = split(doc)
    assert len(parts) > 1
    assert all(policy_size(p) <= MANAGED_LIMIT for p in parts)
    assert all(p["Version"] == "2012-10-17" for p in parts)
    assert _all_atoms(parts) == atoms(doc["Statement"])
    # as few documents as the slices allow: each is more than half full
    assert all(policy_size(p) > MANAGED_LIMIT // 2 for p in parts[:-1])
    # a function can still be invoked, through one of the documents (a sample: the atoms
    # above already say that every grant is kept)
    for i in range(0, n, 37):
        fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:" + f"fn-{i:04d}-".ljust(40, "x")
        assert any(is_allowed(p, "lambda:InvokeFunction", fn) for p in parts)
        assert not any(is_allowed(p, "lambda:InvokeFunction", fn + "y") for p in parts)
    # deterministic, and the same from the JSON text
    assert split(doc) == parts
    again = generate_policy(json.dumps(_lambda_machine(n)), region=REGION, account=ACCOUNT)
    assert split(again.document) == parts


def test_inline_limit_too() -> None:
    doc = generate_policy(_lambda_machine(400), region=REGION, account=ACCOUNT).document
    parts = split(doc, limit=INLINE_LIMIT)
    assert all(policy_size(p) <= INLINE_LIMIT for p in parts)
    assert len(parts) < len(split(doc))


def test_mixed_statements_are_packed_whole_first_fit() -> None:
    sqs = [task("arn:aws:states:::sqs:sendMessage",
                {"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q-{i:03d}-{'y' * 30}",
                 "MessageBody": "m"}) for i in range(60)]
    sm = [task("arn:aws:states:::states:startExecution.sync",
               {"StateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:child{i}"})
          for i in range(40)]
    ecs = [task("arn:aws:states:::ecs:runTask.sync",
                {"TaskDefinition": f"family-{i}:1",
                 "Overrides": {"TaskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/task-{i}"}})
           for i in range(40)]
    doc = generate_policy(machine(*sqs, *sm, *ecs), region=REGION, account=ACCOUNT).document
    parts = split(doc)
    assert all(policy_size(p) <= MANAGED_LIMIT for p in parts)
    assert _all_atoms(parts) == atoms(doc["Statement"])
    # a statement that fits is never cut: each original statement is in exactly one document
    whole = [s for s in doc["Statement"] if policy_size({"Version": "", "Statement": [s]})
             <= MANAGED_LIMIT - 40]
    for s in whole:
        assert sum(s in p["Statement"] for p in parts) == 1
    # first fit: the first statement of a later document did not fit in any earlier one
    empty = policy_size({"Version": "2012-10-17", "Statement": []})
    for j, later in enumerate(parts):
        head = len(json.dumps(later["Statement"][0], separators=(",", ":")))
        for earlier in parts[:j]:
            assert policy_size(earlier) + head + 1 > MANAGED_LIMIT or empty > MANAGED_LIMIT


def test_a_huge_action_list_on_one_resource_is_cut_by_action() -> None:
    actions = [f"svc:Action{i:04d}" for i in range(600)]
    doc = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    parts = split(doc)
    assert len(parts) > 1
    assert all(policy_size(p) <= MANAGED_LIMIT for p in parts)
    assert _all_atoms(parts) == atoms(doc["Statement"])


def test_deny_and_conditions_are_kept_on_every_slice() -> None:
    cond = {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    roles = [f"arn:aws:iam::{ACCOUNT}:role/r-{i:04d}-{'z' * 40}" for i in range(300)]
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": roles, "Condition": cond},
        {"Effect": "Deny", "Action": "iam:PassRole", "Resource": roles[:150]},
    ]}
    parts = split(doc)
    assert all(policy_size(p) <= MANAGED_LIMIT for p in parts)
    assert _all_atoms(parts) == atoms(doc["Statement"])
    for p in parts:
        for s in p["Statement"]:
            assert s.get("Condition") == (cond if s["Effect"] == "Allow" else None)


def test_impossible_limit_is_an_error() -> None:
    doc = generate_policy(_lambda_machine(3), region=REGION, account=ACCOUNT).document
    with pytest.raises(ValueError, match="cannot be split"):
        split(doc, limit=60)


_words = st.sampled_from(["alpha", "b", "gamma-delta", "e*", "f/g", "h?", "x" * 40])
_statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.lists(st.integers(0, 999).map(lambda i: f"svc{i % 7}:Action{i}"),
                           min_size=1, max_size=12, unique=True),
        "Resource": st.one_of(
            st.just("*"),
            st.lists(st.tuples(st.integers(0, 10**6), _words).map(
                lambda p: f"arn:aws:svc:us-east-1:123456789012:thing/{p[1]}{p[0]}"),
                min_size=1, max_size=60, unique=True)),
    },
    optional={"Condition": st.just({"StringEquals": {"aws:SourceAccount": "123456789012"}})},
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_statement, min_size=1, max_size=25), st.integers(400, 4000))
def test_split_property(statements: list[dict[str, Any]], limit: int) -> None:
    doc = {"Version": "2012-10-17", "Statement": statements}
    parts = split(doc, limit)
    assert all(policy_size(p) <= limit for p in parts)
    assert _all_atoms(parts) == atoms(statements)
    assert split(doc, limit) == parts
    assert split(json.loads(json.dumps(doc)), limit) == parts


def test_absorb_keeps_one_of_two_patterns_that_cover_each_other() -> None:
    from sfn_iam.policy import _absorb

    assert _absorb({"arn:aws:s3:::b/a*", "arn:aws:s3:::b/a**"}) == {"arn:aws:s3:::b/a*"}
    assert _absorb({"arn:aws:s3:::b/a*", "arn:aws:s3:::b/ab", "arn:aws:s3:::b/c"}) == {
        "arn:aws:s3:::b/a*", "arn:aws:s3:::b/c"}
    # an escaped literal star is not a wildcard
    assert _absorb({"arn:aws:s3:::b/a${*}", "arn:aws:s3:::b/ab"}) == {
        "arn:aws:s3:::b/a${*}", "arn:aws:s3:::b/ab"}



_texts = st.text(min_size=1, max_size=12)  # any character: quotes, backslashes, controls, é
_statements = st.lists(
    st.fixed_dictionaries(
        {"Effect": st.sampled_from(["Allow", "Deny"]),
         "Action": st.lists(_texts, min_size=1, max_size=4),
         "Resource": st.lists(_texts, min_size=1, max_size=4)},
        optional={"Condition": st.dictionaries(
            _texts, st.dictionaries(_texts, st.one_of(_texts, st.lists(_texts, max_size=3)),
                                    max_size=2), max_size=2)}),
    max_size=4)


@settings(max_examples=300, deadline=None)
@given(_statements, st.sampled_from(["2012-10-17", 'odd "version"']))
def test_size_counted_from_strings_equals_the_encoded_size(
        statements: list[dict[str, Any]], version: str) -> None:
    """policy_size counts the merge's shape of document from its strings: the same number as
    the compact JSON it stands for, whatever characters the strings hold."""
    document = {"Version": version, "Statement": statements}
    compact = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    assert policy_size(document) == len(compact)


_wild_texts = st.text(alphabet="${}*?a:", max_size=24)


@settings(max_examples=500, deadline=None)
@given(_wild_texts)
def test_first_wildcard_is_the_first_one_character_match(text: str) -> None:
    """policy._first_wildcard (plain string search) agrees with its regular expression."""
    from sfn_iam.policy import _WILD, _first_wildcard

    expected = next((m.start() for m in _WILD.finditer(text) if m.end() - m.start() == 1), -1)
    assert _first_wildcard(text) == expected


_field_patterns = st.text(alphabet="a:/*?${}", max_size=8)


@settings(max_examples=500, deadline=None)
@given(_field_patterns, _field_patterns, st.sampled_from(["", "a", "a*", "*", "a?"]))
def test_covers_agrees_with_the_glob_of_each_field(pattern: str, resource: str, head: str) -> None:
    """covers() (quick paths included) is the field-by-field glob match it documents."""
    from sfn_iam.policy import _glob, covers

    p = f"arn:aws:s3:us-east-1:1:{head}{pattern}"
    r = f"arn:aws:s3:us-east-1:1:{resource}"
    pp, rr = p.split(":", 5), r.split(":", 5)
    expected = all(x == y or _glob(x).fullmatch(y) is not None for x, y in zip(pp, rr, strict=True))
    assert covers(p, r) == expected
