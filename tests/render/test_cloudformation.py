"""The CloudFormation and SAM writers: the templates pass cfn-lint, and the policy they
deploy (their intrinsic functions evaluated by tests/render/evaluate.py) is ``--format
json``'s policy when the same partition, region and account are substituted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from sfn_iam import generate_policy
from sfn_iam.commands.trust_policy import trust_policy
from sfn_iam.policy import INLINE_LIMIT, MANAGED_LIMIT, split
from sfn_iam.render import dumps, to_cloudformation, to_sam
from sfn_iam.render.cloudformation import value
from sfn_iam.render.values import Deploy
from tests.render.evaluate import cfn

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.asl.*"))
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
ENV = {"region": "us-east-1", "account": "123456789012", "state_machine_arn": ARN}
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}


def lint(template: dict[str, Any] | str, *, regions: tuple[str, ...] = ("us-east-1",)) -> list[str]:
    """cfn-lint's findings (errors, warnings and informational) on a template."""
    from cfnlint.api import ManualArgs
    from cfnlint.api import lint as cfn_lint

    text = template if isinstance(template, str) else dumps(template)
    return [str(m) for m in cfn_lint(text, config=ManualArgs(regions=list(regions)))]


def _combined(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Many one-role templates as one (logical IDs prefixed), so cfn-lint runs once."""
    out: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}
    for prefix, tpl in templates.items():
        for name, res in tpl["Resources"].items():
            out["Resources"][prefix + name] = json.loads(
                json.dumps(res).replace('"Ref": "StateMachineRolePolicy',
                                        f'"Ref": "{prefix}StateMachineRolePolicy'))
    return out


def _prefix(path: Path) -> str:
    return "".join(p.capitalize() for p in path.name.split(".")[0].replace("_", "-").split("-"))


@pytest.mark.parametrize("env", [ENV, {}], ids=["known", "unknown"])
def test_every_example_passes_cfn_lint(env: dict[str, str]) -> None:
    templates = {}
    for path in EXAMPLES:
        result = generate_policy(path.read_text(), **env)
        templates[_prefix(path)] = to_cloudformation(result, **env)
    assert lint(_combined(templates)) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_deployed_policy_is_the_json_policy(path: Path) -> None:
    result = generate_policy(path.read_text(), **ENV)
    template = to_cloudformation(result, **ENV)
    props = cfn(template["Resources"]["StateMachineRole"]["Properties"], PSEUDO)
    if result.document.get("Statement"):
        assert props["Policies"] == [{"PolicyName": "sfn-iam", "PolicyDocument": result.document}]
    # the trust policy is sfn-iam trust-policy's
    assert props["AssumeRolePolicyDocument"] == trust_policy(**ENV)[0]
    # the text holds pseudo parameters, not the literal values of this account
    text = json.dumps(template)
    assert "123456789012" not in text
    assert "us-east-1" not in text


def test_the_trust_policy_without_a_machine_arn_is_trust_policys() -> None:
    env = {"region": "eu-west-1", "account": "123456789012"}
    result = generate_policy((ROOT / "examples" / "lambda.asl.json").read_text(), **env)
    props = to_cloudformation(result, **env)["Resources"]["StateMachineRole"]["Properties"]
    values = {**PSEUDO, "AWS::Region": "eu-west-1"}
    assert cfn(props["AssumeRolePolicyDocument"], values) == trust_policy(**env)[0]


def test_the_json_output_is_the_same_in_another_region_and_partition() -> None:
    """Deployed elsewhere, the template follows the stack: the pseudo parameters stand where
    the generated values were."""
    env = {"region": "cn-north-1", "account": "210987654321"}
    result = generate_policy((ROOT / "examples" / "lambda.asl.json").read_text(), **env)
    template = to_cloudformation(result, **env)
    text = json.dumps(template)
    assert "aws-cn" not in text and "cn-north-1" not in text
    props = cfn(template["Resources"]["StateMachineRole"]["Properties"],
                {"AWS::Partition": "aws-cn", "AWS::Region": "cn-north-1",
                 "AWS::AccountId": "210987654321"})
    assert props["Policies"][0]["PolicyDocument"] == result.document


def _big_definition(n: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(n):
        states[f"S{i}"] = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                           "Parameters": {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/"
                                          f"123456789012/queue-with-a-long-name-{i:04d}",
                                          "MessageBody.$": "$"}}
        states[f"S{i}"]["Next" if i < n - 1 else "End"] = f"S{i + 1}" if i < n - 1 else True
    return {"StartAt": "S0", "States": states}


def test_a_policy_over_the_inline_limit_becomes_managed_policies() -> None:
    result = generate_policy(_big_definition(220), **ENV)
    assert result.size > INLINE_LIMIT
    template = to_cloudformation(result, **ENV)
    resources = template["Resources"]
    parts = split(result.document, MANAGED_LIMIT)
    assert len(parts) > 1
    names = [f"StateMachineRolePolicy{i}" for i in range(1, len(parts) + 1)]
    role = resources["StateMachineRole"]["Properties"]
    assert "Policies" not in role
    assert role["ManagedPolicyArns"] == [{"Ref": n} for n in names]
    deployed = [cfn(resources[n]["Properties"]["PolicyDocument"], PSEUDO) for n in names]
    assert deployed == parts
    assert lint(template) == []
    sam = to_sam(result, **ENV)
    assert sam["Policies"] == [{"Ref": f"StateMachinePolicy{i}"} for i in range(1, len(parts) + 1)]
    assert [cfn(r["Properties"]["PolicyDocument"], PSEUDO)
            for r in sam["Resources"].values()] == parts


def _sam_template(definition: dict[str, Any], sam: dict[str, Any]) -> dict[str, Any]:
    """A whole SAM template around the writer's fragment (the Policies of a state machine)."""
    resources = {"StateMachine": {"Type": "AWS::Serverless::StateMachine", "Properties": {
        "Definition": definition, "Policies": sam["Policies"]}}}
    resources.update(sam.get("Resources", {}))
    return {"AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31", "Resources": resources}


@pytest.mark.parametrize("name", ["distributed-map.asl.json", "athena.asl.json"])
def test_sam_policies_pass_cfn_lint_in_a_sam_template(name: str) -> None:
    definition = json.loads((ROOT / "examples" / name).read_text())
    result = generate_policy(definition, **ENV)
    sam = to_sam(result, **ENV)
    assert [cfn(d, PSEUDO) for d in sam["Policies"]] == [result.document]
    assert lint(_sam_template(definition, sam)) == []


def test_sam_with_managed_policies_passes_cfn_lint() -> None:
    definition = _big_definition(220)
    result = generate_policy(definition, **ENV)
    assert lint(_sam_template(definition, to_sam(result, **ENV))) == []


def test_cfn_lint_does_catch_what_the_writer_avoids() -> None:
    """The lint is not a check that cannot fail: an IAM policy variable left as ``${*}`` in
    an Fn::Sub (instead of ``${!*}``), or a misspelt action, are findings."""
    result = generate_policy((ROOT / "examples" / "lambda.asl.json").read_text(), **ENV)
    template = to_cloudformation(result, **ENV)
    doc = template["Resources"]["StateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    doc["Statement"][0]["Resource"].append({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/${*}"})
    assert lint(template)
    doc["Statement"][0]["Resource"].pop()
    doc["Statement"][0]["Action"] = ["lambda:InvokeFunctoin"]
    assert lint(template)


def test_iam_escapes_survive_fn_sub() -> None:
    """An S3 key with ``*`` is the IAM literal ``${*}``: written ``${!*}`` in Fn::Sub, it
    deploys as ``${*}`` (a literal star, not a wildcard)."""
    definition = {"StartAt": "R", "States": {"R": {
        "Type": "Task", "Resource": "arn:aws:states:::s3:getObject", "End": True,
        "Parameters": {"Bucket": "b", "Key": "odd*key?$x"}}}}
    result = generate_policy(definition, **ENV)
    resources = [r for s in result.document["Statement"] for r in s["Resource"]]
    assert any("${*}" in r for r in resources), resources
    template = to_cloudformation(result, **ENV)
    assert "${!*}" in json.dumps(template)
    props = cfn(template["Resources"]["StateMachineRole"]["Properties"], PSEUDO)
    assert props["Policies"][0]["PolicyDocument"] == result.document
    assert lint(template) == []


def test_yaml_and_json_are_the_same_template() -> None:
    result = generate_policy((ROOT / "examples" / "distributed-map.asl.json").read_text(), **ENV)
    template = to_cloudformation(result, **ENV)
    assert yaml.safe_load(dumps(template)) == template
    assert json.loads(dumps(template, "json")) == template
    assert lint(dumps(template, "json")) == []


# --- references: the template's own resources instead of resolved names ---------------------

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:ship-order"


def _function(name: str) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "FunctionName": name, "Runtime": "python3.12", "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["FnRole", "Arn"]}, "Code": {"ZipFile": "def handler(e, c): pass"}}}


def _fn_role() -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}}}


def _lambda_machine(resource: str = "arn:aws:states:::lambda:invoke") -> dict[str, Any]:
    return {"StartAt": "Ship", "States": {
        "Ship": {"Type": "Task", "Resource": resource, "Next": "Live",
                 "Parameters": {"FunctionName": LAMBDA, "Payload.$": "$"}},
        "Live": {"Type": "Task", "Resource": resource, "Next": "Child",
                 "Parameters": {"FunctionName": f"{LAMBDA}:live", "Payload.$": "$"}},
        "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                  "Parameters": {"StateMachineArn": ARN, "Input.$": "$"}, "End": True}}}


def test_references_become_the_templates_intrinsic_functions() -> None:
    result = generate_policy(_lambda_machine(), **ENV)
    resources = [r for s in result.document["Statement"] for r in s["Resource"]]
    assert LAMBDA in resources and f"{LAMBDA}:live" in resources  # the function, an alias
    refs = {LAMBDA: {"Fn::GetAtt": ["ShipOrder", "Arn"]},
            # the state machine itself: never referenced (it depends on the role)
            ARN: {"Ref": "Orders"}}
    template = to_cloudformation(result, **ENV, references=refs)
    text = json.dumps(template)
    assert "ship-order" not in text
    assert '"Ref": "Orders"' not in text and "stateMachine:Orders" in text
    statement = next(s for s in template["Resources"]["StateMachineRole"]["Properties"][
        "Policies"][0]["PolicyDocument"]["Statement"] if "lambda:InvokeFunction" in s["Action"])
    assert {"Fn::GetAtt": ["ShipOrder", "Arn"]} in statement["Resource"]
    assert {"Fn::Sub": "${ShipOrder.Arn}:live"} in statement["Resource"]
    # deployed where the function has that ARN: the same policy
    props = cfn(template["Resources"]["StateMachineRole"]["Properties"],
                {**PSEUDO, "ShipOrder.Arn": LAMBDA})
    assert props["Policies"][0]["PolicyDocument"] == result.document
    # a template with the function and the state machine (using the role): no cycle, lint-clean
    template["Resources"].update({
        "ShipOrder": _function("ship-order"), "FnRole": _fn_role(),
        "Orders": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineName": "Orders", "RoleArn": {"Fn::GetAtt": ["StateMachineRole", "Arn"]},
            "Definition": _lambda_machine()}}})
    assert lint(template) == []


def test_references_of_every_kind_are_embedded() -> None:
    deploy = Deploy(**ENV, references={
        "arn:aws:s3:::bucket": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"},
        "arn:aws:sqs:us-east-1:123456789012:q": {"Fn::GetAtt": "Queue.Arn"},
        "arn:aws:sns:us-east-1:123456789012:t": {"Ref": "Topic"},
        "arn:aws:dynamodb:us-east-1:123456789012:table/x": {"Fn::ImportValue": "TableArn"}})
    assert value(deploy.pieces("arn:aws:s3:::bucket/in/*")) == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/in/*"}
    assert value(deploy.pieces("arn:aws:sqs:us-east-1:123456789012:q")) == {
        "Fn::GetAtt": "Queue.Arn"}
    assert value(deploy.pieces("arn:aws:sns:us-east-1:123456789012:t:${*}")) == {
        "Fn::Sub": "${Topic}:${!*}"}
    assert value(deploy.pieces("arn:aws:dynamodb:us-east-1:123456789012:table/x/index/*")) == {
        "Fn::Sub": ["${Ref1}/index/*", {"Ref1": {"Fn::ImportValue": "TableArn"}}]}
    # only at a separator: "bucketful" is another bucket
    assert value(deploy.pieces("arn:aws:s3:::bucketful")) == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::bucketful"}
    # another account keeps its literal values; the account alone is a Ref
    assert value(deploy.pieces("arn:aws:sqs:us-east-1:111122223333:q")) == {
        "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:111122223333:q"}
    assert value(deploy.pieces("123456789012")) == {"Ref": "AWS::AccountId"}
    assert value(deploy.pieces("*")) == "*"
    # a "${" Fn::Sub would misread goes through the variable map
    assert value(deploy.pieces("arn:x:s:${:123456789012:r")) == {
        "Fn::Sub": ["${Text1}${AWS::AccountId}:r", {"Text1": "arn:x:s:${:"}]}


def test_referenced_names_replace_whole_segments_of_the_resource_part() -> None:
    """A Ref of a table or bucket gives its name: the name is replaced where it is a whole
    segment of an ARN's resource part, never inside another name, never the machine's own."""
    deploy = Deploy(**ENV, references={"Orders": {"Ref": "OrdersTable"},
                                       "uploads": {"Ref": "Uploads"}})
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
    assert value(deploy.pieces(table)) == {
        "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:"
                   "table/${OrdersTable}"}
    assert value(deploy.pieces(f"{table}/index/*")) == {
        "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:"
                   "table/${OrdersTable}/index/*"}
    assert value(deploy.pieces("arn:aws:s3:::uploads/in/*")) == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::${Uploads}/in/*"}
    assert value(deploy.pieces("arn:aws:s3:::uploads-old/in/*")) == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::uploads-old/in/*"}
    assert value(deploy.pieces(ARN)) == {  # the machine is named Orders too: no cycle
        "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:"
                   "stateMachine:Orders"}
    assert value(deploy.pieces("Orders")) == {"Ref": "OrdersTable"}


def test_a_reference_that_is_not_an_intrinsic_function_is_refused() -> None:
    result = generate_policy(_lambda_machine(), **ENV)
    with pytest.raises(ValueError, match="not a CloudFormation intrinsic"):
        to_cloudformation(result, **ENV, references={LAMBDA: "aws_lambda_function.x.arn"})


PIECE_TEXT = st.text(alphabet="ab:/*?${}!", max_size=12)


@given(st.lists(st.one_of(PIECE_TEXT, st.sampled_from(["aws", "us-east-1", "123456789012"])),
                max_size=8))
def test_any_string_survives_the_round_trip(parts: list[str]) -> None:
    """Whatever a string holds (``${``, ``${!``, the account, ARN separators), the
    CloudFormation value evaluates back to it."""
    text = "arn:" + ":".join(parts) if len(parts) > 4 else "".join(parts)
    deploy = Deploy(**ENV, references={"arn:aws:s3:::b": {"Fn::GetAtt": ["B", "Arn"]},
                                       "ab": {"Ref": "Named"}})
    assert cfn(value(deploy.pieces(text)),
               {**PSEUDO, "B.Arn": "arn:aws:s3:::b", "Named": "ab"}) == text


@given(st.text(max_size=30))
@example("\x85")  # NEL, LINE and PARAGRAPH SEPARATOR: line breaks to YAML (found by CI)
@example("a\u2028b")
@example("\u2029")
def test_any_string_survives_yaml(text: str) -> None:
    """YAML output keeps any string (quotes, control characters, ``*``, ``&``, ``!``, line
    breaks) exactly, with no anchors or aliases."""
    deploy = Deploy(**ENV)
    template = {"Resources": {"R": {"Properties": {"Resource": [
        value(deploy.pieces(text)), value(deploy.pieces(f"arn:aws:s3:::{text}"))]}}}}
    assert yaml.safe_load(dumps(template)) == template
