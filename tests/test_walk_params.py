"""The walker and the parameter reader, with hypothesis."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_iam.errors import DefinitionError
from sfn_iam.params import Params
from sfn_iam.walk import iter_states

state_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -_0123456789", min_size=1, max_size=8)


def _block(tree: Any) -> dict[str, Any]:
    """tree: list of children, each None (a Pass) or ("parallel", [trees]) / ("map", tree)."""
    states = {}
    for i, child in enumerate(tree):
        name = f"s{i}"
        if child is None:
            states[name] = {"Type": "Pass", "End": True}
        elif child[0] == "parallel":
            states[name] = {"Type": "Parallel", "End": True,
                            "Branches": [_block(b) for b in child[1]]}
        else:
            states[name] = {"Type": "Map", "End": True, "ItemProcessor": _block(child[1])}
    return {"StartAt": "s0", "States": states}


def _count(tree: Any) -> int:
    n = 0
    for child in tree:
        n += 1
        if child is None:
            continue
        if child[0] == "parallel":
            n += sum(_count(b) for b in child[1])
        else:
            n += _count(child[1])
    return n


trees = st.recursive(
    st.lists(st.none(), min_size=1, max_size=3),
    lambda inner: st.lists(
        st.one_of(st.none(),
                  st.tuples(st.just("parallel"), st.lists(inner, min_size=1, max_size=3)),
                  st.tuples(st.just("map"), inner)),
        min_size=1, max_size=3),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(trees)
def test_walker_visits_every_state_once(tree: Any) -> None:
    refs = list(iter_states(_block(tree)))
    assert len(refs) == _count(tree)
    assert len({r.path for r in refs}) == len(refs)


@settings(max_examples=200, deadline=None)
@given(trees, st.sets(st.sampled_from(["Pass", "Parallel", "Map", "Task"])))
def test_only_yields_those_types_and_tally_counts_all(tree: Any, types: set[str]) -> None:
    definition = _block(tree)
    every = list(iter_states(definition))
    tally = [-1]
    some = list(iter_states(definition, only=frozenset(types), tally=tally))
    assert [(r.path, r.type) for r in some] == [
        (r.path, r.type) for r in every if r.type in types]
    assert tally == [len(every)] == [_count(tree)]


def test_paths_name_branches_and_maps() -> None:
    d = _block([("parallel", [[None], [("map", [None])]])])
    paths = [r.where for r in iter_states(d)]
    assert paths == ["s0", "s0 > branch 1 > s0", "s0 > branch 2 > s0", "s0 > branch 2 > s0 > s0"]


def test_very_deep_nesting_does_not_recurse() -> None:
    inner: dict[str, Any] = {"StartAt": "t", "States": {"t": {"Type": "Pass", "End": True}}}
    for _ in range(5000):
        inner = {"StartAt": "m", "States": {"m": {"Type": "Map", "End": True,
                                                   "ItemProcessor": inner}}}
    assert sum(1 for _ in iter_states(inner)) == 5001


@pytest.mark.parametrize(
    "bad",
    [
        {"StartAt": "a", "States": {"a": {"Type": "Parallel", "Branches": []}}},
        {"StartAt": "a", "States": {"a": {"Type": "Parallel", "Branches": [{"States": 3}]}}},
        {"StartAt": "a", "States": {"a": {"Type": "Map"}}},
        {"StartAt": "a", "States": {"a": "Pass"}},
        {"StartAt": "a", "States": {"a": {"Type": "Pass"}}, "QueryLanguage": "XPath"},
        {"StartAt": "a", "States": {"a": {"Type": "Task", "Resource": "x", "Parameters": [1]}}},
        {"StartAt": 1, "States": {"a": {"Type": "Pass"}}},
    ],
)
def test_bad_structure_is_a_definition_error(bad: dict[str, Any]) -> None:
    with pytest.raises(DefinitionError):
        list(iter_states(bad))


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10))
keys = st.text(alphabet="ABCDEFGHxyz", min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, json_scalars, max_size=5), keys, st.text(max_size=10))
def test_dollar_keys_are_always_dynamic(block: dict[str, Any], key: str, expr: str) -> None:
    block = {k: v for k, v in block.items() if k != key}
    block[key + ".$"] = expr
    v = Params({"Parameters": block}, False, {}).get(key)
    assert v.dynamic and v.where == f"Parameters.{key}.$" and v.expr == expr


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, json_scalars, min_size=1, max_size=5))
def test_static_values_read_back_unchanged(block: dict[str, Any]) -> None:
    for jsonata in (False, True):
        field = "Arguments" if jsonata else "Parameters"
        p = Params({field: block}, jsonata, {})
        for k, val in block.items():
            v = p.get(k)
            if isinstance(val, str) and val.strip().startswith("{%") and val.strip().endswith("%}"):
                assert v.dynamic
            elif isinstance(val, str) and "${" in val:
                continue
            else:
                assert v.static and v.value == val


@given(st.text(alphabet="abc $.{}%", max_size=12))
def test_jsonata_strings(body: str) -> None:
    v = Params({"Arguments": {"F": "{%" + body + "%}"}}, True, {}).get("F")
    assert v.dynamic and v.reason == "a JSONata expression"


def test_whole_arguments_expression_makes_everything_dynamic() -> None:
    p = Params({"Arguments": "{% $states.input %}"}, True, {})
    assert p.get("FunctionName").dynamic
    assert p.get("Overrides", "TaskRoleArn").dynamic


def test_dynamic_parent_makes_children_dynamic() -> None:
    p = Params({"Parameters": {"Overrides.$": "$.o"}}, False, {})
    v = p.get("Overrides", "TaskRoleArn")
    assert v.dynamic and v.where == "Parameters.Overrides.$"


def test_placeholders() -> None:
    p = Params({"Parameters": {"A": "${X}-${Y}"}}, False, {"X": "1"})
    v = p.get("A")
    assert v.dynamic and "${Y}" in (v.reason or "")
    assert Params({"Parameters": {"A": "${X}"}}, False, {"X": "1"}).get("A").value == "1"
