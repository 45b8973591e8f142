"""Wrong types anywhere: random mutations of the bundled examples either give a policy or a
DefinitionError, never another exception."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_iam import generate_policy
from sfn_iam.errors import DefinitionError
from sfn_iam.load import parse_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if ".asl." in p.name)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False),
              st.sampled_from(["", "x", "$.a", "{% $x %}", "arn:aws:states:::lambda:invoke",
                               "arn:", "${X}", "States.Format('{}', $.a)", "arn:aws:iam::1:role/r",
                               "https://sqs.us-east-1.amazonaws.com/1/q", "*"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["Type", "Resource", "States", "x.$",
                                                             "FunctionName", "Parameters"]),
                                            inner, max_size=3)),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    example = draw(st.sampled_from(EXAMPLES))
    doc = parse_text(example.read_text(), example.name)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        doc = _replace(doc, draw(st.sampled_from(paths)), draw(json_values))
    return doc


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.booleans())
def test_mutations_never_crash(doc: Any, as_text: bool) -> None:
    try:
        result = generate_policy(json.dumps(doc) if as_text else doc, region="us-east-1",
                                 account="123456789012")
    except DefinitionError as exc:
        assert str(exc)
        assert "\n" not in str(exc)
        return
    assert result.document["Version"] == "2012-10-17"
    json.dumps(result.document)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_without_region_or_account(example: Path) -> None:
    r = generate_policy(example.read_text(), source=example.name)
    json.dumps(r.document)


class _Str(str):
    """A str subclass, as a dict built in Python may hold."""


def _lambda_state(**over: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f"}, "End": True, **over}


_F = ["arn:aws:lambda:us-east-1:123456789012:function:f"]


@pytest.mark.parametrize(("definition", "resources"), [
    pytest.param({"StartAt": "A", "States": {1: _lambda_state()}}, _F, id="int state name"),
    pytest.param({"StartAt": "A", "States": {_Str("A"): {
        "Type": _Str("Task"), "Resource": _Str("arn:aws:states:::lambda:invoke"),
        "Parameters": {_Str("FunctionName"): _Str("f")}, "End": True}}}, _F, id="str subclasses"),
])
def test_python_built_definitions_read_like_json(definition: dict[str, Any],
                                                 resources: list[str]) -> None:
    """A definition built in Python (not parsed) with int names or str subclasses gives the
    policy its JSON form gives, in the pure and the compiled build alike."""
    from collections import OrderedDict

    result = generate_policy(definition, region="us-east-1", account="123456789012")
    assert [s["Resource"] for s in result.document["Statement"]] == [resources]
    ordered = OrderedDict(StartAt="A", States=OrderedDict(A=OrderedDict(_lambda_state())))
    again = generate_policy(ordered, region="us-east-1", account="123456789012")
    assert [s["Resource"] for s in again.document["Statement"]] == [_F]


@pytest.mark.parametrize("definition", [None, 5, 1.5, ["x"], {"StartAt": "A", "States": {
    "A": {"Type": "Parallel", "End": True,
          "Branches": ({"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},)}}}])
def test_library_misuse_is_a_definition_error(definition: Any) -> None:
    with pytest.raises(DefinitionError):
        generate_policy(definition, region="us-east-1", account="123456789012")


def test_the_garbage_collector_is_left_as_it_was() -> None:
    """generate_policy pauses the cyclic garbage collector during the walk only: it is
    running again afterwards, also when the walk refuses the definition, and a caller who
    turned it off finds it off."""
    import gc

    from sfn_iam import generate_policy
    from sfn_iam.errors import DefinitionError

    good = {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True,
                                              "Resource": "arn:aws:states:::sns:publish",
                                              "Parameters": {"TopicArn.$": "$.t"}}}}
    bad = {"StartAt": "A", "States": {"A": {"Type": "Nope"}}}
    assert gc.isenabled()
    generate_policy(good)
    assert gc.isenabled()
    with pytest.raises(DefinitionError):
        generate_policy(bad)
    assert gc.isenabled()
    gc.disable()
    try:
        generate_policy(good)
        assert not gc.isenabled()
        with pytest.raises(DefinitionError):
            generate_policy(bad)
        assert not gc.isenabled()
    finally:
        gc.enable()
