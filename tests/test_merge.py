"""The merge: its quick paths (one grant) give what the general path gives, and the raw grants
the generator collects merge like the Grant objects they stand for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_iam.model import Grant, Provenance, from_raw, raw
from sfn_iam.policy import merge, merge_raw

_actions = st.lists(st.sampled_from(["lambda:InvokeFunction", "lambda:invokeFunction",
                                     "s3:GetObject", "athena:startQueryExecution", "sqs:SendMessage"]),
                    min_size=1, max_size=4).map(tuple)
_resources = st.lists(st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:s3:::b/k*",
                                       "arn:aws:lambda:us-east-1:1:function:f", "arn:aws:s3:::b/${*}"]),
                      min_size=1, max_size=4).map(tuple)
_conditions = st.sampled_from([(), (("StringEquals", (("iam:PassedToService", ("ecs.amazonaws.com",)),)),)])
_grants = st.builds(
    lambda actions, resources, cond, effect, dynamic: Grant(
        actions, resources, Provenance(("S",), "rule", "Parameters.X"), cond, effect, dynamic),
    _actions, _resources, _conditions, st.sampled_from(["Allow", "Deny"]), st.booleans())


@settings(max_examples=300, deadline=None)
@given(_grants)
def test_one_grant_merges_like_the_general_path(grant: Grant) -> None:
    one = merge_raw([raw(grant)])  # the one-grant path
    general = merge_raw(iter([raw(grant)]))  # not a list: the general path
    assert one == general


@settings(max_examples=200, deadline=None)
@given(st.lists(_grants, max_size=6))
def test_raw_grants_round_trip_and_merge_alike(grants: list[Grant]) -> None:
    assert [from_raw(raw(g)) for g in grants] == grants
    assert merge(grants) == merge_raw([raw(g) for g in grants])


def _reference_absorbed(resources: set[str]) -> list[str]:
    """Every resource that no other one covers, by brute force over all pairs (of two patterns
    that cover each other, the smaller stays), with policy.covers as the only shared part."""
    from sfn_iam.policy import covers

    kept = []
    for r in resources:
        beaten = any(
            w != r and covers(w, r) and not (covers(r, w) and r < w)
            for w in resources)
        if not beaten:
            kept.append(r)
    return sorted(kept)


_arn_parts = st.sampled_from(["a", "ab", "a*", "*", "a?", "${*}", "a${*}", "x:y", "/", "${*", ""])
_arns = st.builds(lambda svc, res, tail: f"arn:aws:{svc}:us-east-1:1:{res}{tail}",
                  st.sampled_from(["s3", "states"]), _arn_parts, _arn_parts)


@settings(max_examples=400, deadline=None)
@given(st.sets(st.one_of(_arns, st.sampled_from(["*", "arn:aws:*", "arn:aws:s3:::b/*"])),
               min_size=1, max_size=8))
def test_absorbed_matches_brute_force(resources: set[str]) -> None:
    """The bisect and the quick path for a final "*" drop exactly what comparing every pair
    with covers() drops."""
    from sfn_iam.policy import _absorbed

    assert _absorbed(set(resources)) == _reference_absorbed(resources)
