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


def _reference_merge(grants: list[Grant]) -> list[dict[str, object]]:
    """The merge as its docstring states it, written plainly: each (effect, condition,
    action) gets the union of its resources, less those another one covers; actions with the
    same effect, condition and resources share one statement; statements are sorted by
    effect (Allow first), actions, resources, then the condition's repr."""
    from sfn_iam.conditions import condition_json, normalize_action
    from sfn_iam.policy import _absorbed

    per_action: dict[tuple[object, ...], set[str]] = {}
    for g in grants:
        for action in g.actions:
            per_action.setdefault((g.effect, g.condition, normalize_action(action)),
                                  set()).update(g.resources)
    grouped: dict[tuple[object, ...], list[str]] = {}
    for (effect, cond, action), arns in per_action.items():
        grouped.setdefault((effect, cond, tuple(_absorbed(arns))), []).append(action)
    statements: list[dict[str, object]] = []
    for (effect, cond, resources), actions in grouped.items():
        st_: dict[str, object] = {"Effect": effect, "Action": sorted(actions, key=str.lower),
                                  "Resource": list(resources)}
        if cond:
            st_["Condition"] = condition_json(cond)  # type: ignore[arg-type]
        statements.append(st_)
    return sorted(statements, key=lambda s: (
        s["Effect"] != "Allow", [a.lower() for a in s["Action"]],  # type: ignore[attr-defined]
        s["Resource"], repr(s.get("Condition", ""))))


_many_conditions = st.sampled_from([
    (),
    (("StringEquals", (("iam:PassedToService", ("ecs.amazonaws.com",)),)),),
    (("StringEquals", (("iam:PassedToService", ("batch.amazonaws.com",)),)),),
    (("StringLike", (("s3:prefix", ("a/*", "b/*")),)),),
])
_grants_many_conditions = st.builds(
    lambda actions, resources, cond, effect: Grant(
        actions, resources, Provenance(("S",), "rule", None), cond, effect),
    _actions, _resources, _many_conditions, st.sampled_from(["Allow", "Deny"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_grants_many_conditions, max_size=8))
def test_merge_equals_the_plain_reference(grants: list[Grant]) -> None:
    """Including statements that differ only in their condition (sorted by its repr)."""
    assert merge(grants) == _reference_merge(grants)


def test_statements_that_differ_only_in_their_condition_are_sorted_by_it() -> None:
    roles = ("arn:aws:iam::1:role/r",)
    why = Provenance(("S",), "rule", None)
    ecs = (("StringEquals", (("iam:PassedToService", ("ecs.amazonaws.com",)),)),)
    batch = (("StringEquals", (("iam:PassedToService", ("batch.amazonaws.com",)),)),)
    out = merge([Grant(("iam:PassRole",), roles, why, ecs), Grant(("iam:PassRole",), roles, why, batch)])
    assert [s["Condition"]["StringEquals"]["iam:PassedToService"] for s in out] == [
        "batch.amazonaws.com", "ecs.amazonaws.com"]

