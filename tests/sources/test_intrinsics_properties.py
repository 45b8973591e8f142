"""Hypothesis tests of the template functions: they compute what CloudFormation computes,
never fail with anything but a one-line DefinitionError, and a deploy-time name becomes a
wildcard in the name part only."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import Context, generate_state_machine, load_state_machines
from sfn_iam.sources.cloudformation import Resolver

from .helpers import ACCOUNT

TEXT = st.text(alphabet="abcXYZ019-_./: ", max_size=12)
NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,10}", fullmatch=True)


def resolver(template: dict[str, Any] | None = None) -> Resolver:
    ctx = Context("t.json", region="us-east-1", account=ACCOUNT, partition=None, parameters=None)
    return Resolver(template or {"Resources": {}}, ctx)


@given(st.lists(TEXT, max_size=6), st.sampled_from(["", ",", ":", "-", "//"]))
def test_join(parts: list[str], delimiter: str) -> None:
    assert resolver().value({"Fn::Join": [delimiter, parts]}) == delimiter.join(parts)


@given(st.lists(st.text(alphabet="abc019", min_size=1, max_size=6), min_size=1, max_size=6),
       st.data())
def test_select_of_split_of_join(parts: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(parts) - 1))
    node = {"Fn::Select": [i, {"Fn::Split": [":", {"Fn::Join": [":", parts]}]}]}
    assert resolver().value(node) == parts[i]


@given(st.dictionaries(NAME, TEXT.filter(lambda s: "${" not in s), max_size=5), TEXT)
def test_sub_with_a_map_and_escapes(values: dict[str, str], tail: str) -> None:
    template = "".join(f"<${{{k}}}>" for k in values) + "${!Literal}" + tail.replace("$", "")
    expected = "".join(f"<{v}>" for v in values.values()) + "${Literal}" + tail.replace("$", "")
    assert resolver().value({"Fn::Sub": [template, values]}) == expected


@given(NAME, TEXT.filter(lambda s: "${" not in s))
def test_parameters_default_and_override(name: str, default: str) -> None:
    template = {"Parameters": {name: {"Type": "String", "Default": default}}, "Resources": {}}
    assert resolver(template).value({"Ref": name}) == default
    ctx = Context("t.json", region=None, account=None, partition=None, parameters={name: "x"})
    assert Resolver(template, ctx).value({"Fn::Sub": "${" + name + "}!"}) == "x!"


FUNCTIONS = ["Ref", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::Split", "Fn::If", "Fn::GetAtt",
             "Fn::FindInMap", "Fn::ImportValue", "Fn::Base64", "Fn::Bogus", "Fn::Length",
             "Fn::Equals", "Fn::ToJsonString"]
LEAF = st.one_of(TEXT, st.integers(-3, 9), st.booleans(), st.none(),
                 st.sampled_from(["AWS::Region", "AWS::NoValue", "Fn", "Cond", "Env", "${Fn}"]))
TREE = st.recursive(LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.builds(lambda k, v: {k: v}, st.sampled_from(FUNCTIONS), inner),
    st.dictionaries(st.sampled_from(["a", "Ref", "Fn::Join"]), inner, max_size=3)),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(TREE)
def test_any_tree_resolves_or_is_one_clear_error(tree: Any) -> None:
    template = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function"}},
                "Conditions": {"Cond": {"Fn::Equals": ["a", "a"]}},
                "Mappings": {"Env": {"a": {"b": "c"}}}}
    try:
        out = resolver(template).value(tree)
    except DefinitionError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("t.json")
        return
    json.dumps(out, default=str)


TYPES = {  # type -> (a Task that uses Ref/GetAtt of it, the action, the ARN up to the name)
    "AWS::Lambda::Function": ("arn:aws:states:::lambda:invoke", "FunctionName",
                              {"Fn::GetAtt": ["R", "Arn"]}, "lambda:InvokeFunction",
                              f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:"),
    "AWS::SNS::Topic": ("arn:aws:states:::sns:publish", "TopicArn", {"Ref": "R"}, "sns:Publish",
                        f"arn:aws:sns:us-east-1:{ACCOUNT}:"),
    "AWS::SQS::Queue": ("arn:aws:states:::sqs:sendMessage", "QueueUrl", {"Ref": "R"},
                        "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:"),
    "AWS::DynamoDB::Table": ("arn:aws:states:::dynamodb:getItem", "TableName", {"Ref": "R"},
                             "dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/"),
}
NAMES = {"AWS::Lambda::Function": "FunctionName", "AWS::SNS::Topic": "TopicName",
         "AWS::SQS::Queue": "QueueName", "AWS::DynamoDB::Table": "TableName"}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(TYPES)), st.one_of(st.none(), st.from_regex(r"[a-z][a-z0-9-]{0,20}",
                                                                          fullmatch=True)))
def test_a_deploy_time_name_is_a_wildcard_in_the_name_part_only(rtype: str, name: str | None,
                                                                ) -> None:
    import tempfile
    from pathlib import Path

    resource, param, ref, action, prefix = TYPES[rtype]
    props = {NAMES[rtype]: name} if name else {}
    template = {"Resources": {
        "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": {
            "StartAt": "A", "States": {"A": {"Type": "Task", "Resource": resource, "End": True,
                                             "Parameters": {param: ref, "Key": {},
                                                            "MessageBody": "m", "Message": "m"}}}}}},
        "R": {"Type": rtype, "Properties": props}}}
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.json"
        path.write_text(json.dumps(template))
        (m,) = load_state_machines(str(path), region="us-east-1", account=ACCOUNT)
        result = generate_state_machine(m, region="us-east-1", account=ACCOUNT)
    text = json.dumps(result.document)
    assert "zqsfniam" not in text and "999988887777" not in text
    arns = {r for s in result.document["Statement"] if action in s["Action"] for r in s["Resource"]}
    assert arns
    for arn in arns:
        assert arn.startswith(prefix), arn
        rest = arn[len(prefix):]
        assert rest.split(":")[0] == (name or "*"), arn
    assert (not name) == any(f.code == "dynamic-resource" and "R (" in f.message
                             for f in result.warnings)


# --- Terraform expressions and serverless variables -------------------------------------------

HCL_TEXT = st.text(alphabet="abcXYZ019-_./: ", max_size=10)
HCL_VALUE = st.recursive(
    st.one_of(HCL_TEXT, st.integers(-1000, 1000), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(NAME, inner, max_size=4)),
    max_leaves=15)


def _hcl(value: Any) -> str:
    """A Python value written as an HCL literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {_hcl(v)}" for k, v in value.items()) + "}"


def _evaluate(text: str, names: dict[str, Any] | None = None) -> Any:
    from sfn_iam.sources.hcl_expr import Evaluator, Parser

    def lookup(root: str, path: list[Any], scope: dict[str, Any]) -> Any:
        return (names or {})[".".join([root, *map(str, path)])]

    return Evaluator(lookup, {"jsonencode": json.dumps},
                     lambda label: "${" + label + "}").eval(Parser(text).parse())


@given(HCL_VALUE)
def test_hcl_literals_and_jsonencode(value: Any) -> None:
    assert _evaluate(_hcl(value)) == value
    assert json.loads(_evaluate(f"jsonencode({_hcl(value)})")) == value


@given(st.lists(st.tuples(NAME, HCL_TEXT.filter(lambda s: "$" not in s)), min_size=1, max_size=4))
def test_hcl_string_interpolation(parts: list[tuple[str, str]]) -> None:
    names = {f"var.{k}": v for k, v in parts}
    template = "".join("<${var." + k + "}>" for k, _ in parts)
    assert _evaluate(json.dumps(template).replace("\\u0024", "$"), names) == "".join(
        f"<{names['var.' + k]}>" for k, _ in parts)


@given(st.lists(TEXT.filter(lambda s: "$" not in s and "," not in s and s.strip() == s and s),
                min_size=1, max_size=5))
def test_serverless_self_references_chain(values: list[str]) -> None:
    from sfn_iam.sources.serverless import Variables

    custom = {f"v{i}": f"{v}-${{self:custom.v{i + 1}}}" for i, v in enumerate(values)}
    custom[f"v{len(values)}"] = "end"
    ctx = Context("serverless.yml", region="us-east-1", account=ACCOUNT, partition=None,
                  parameters=None)
    resolved = Variables({"custom": custom}, "serverless.yml", ctx, 1 << 20).resolve(
        "${self:custom.v0}")
    assert resolved == "-".join(values) + "-end"
