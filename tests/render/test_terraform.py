"""The Terraform writer: the output parses with python-hcl2, names only blocks that exist
(its own, or the input's when it references them), and the policy an
``aws_iam_policy_document`` block stands for is ``--format json``'s policy when the data
sources give the same partition, region and account."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfn_iam import generate_policy
from sfn_iam.policy import MANAGED_LIMIT, split
from sfn_iam.render import to_terraform
from sfn_iam.render.terraform import _Writer
from sfn_iam.render.values import Deploy
from tests.render.evaluate import hcl_string, heredoc_json, normal, terraform_policy

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.asl.*"))
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
ENV = {"region": "us-east-1", "account": "123456789012", "state_machine_arn": ARN}
DATA = {"data.aws_partition.state_machine.partition": "aws",
        "data.aws_region.state_machine.name": "us-east-1",
        "data.aws_caller_identity.state_machine.account_id": "123456789012"}
#: a reference: data.TYPE.NAME or TYPE.NAME (the attribute after it is not checked)
REFERENCE = re.compile(r"\b(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)")


def declared(parsed: dict[str, Any]) -> set[str]:
    """Every block an HCL document declares: ``data.TYPE.NAME`` and ``TYPE.NAME``."""
    out = set()
    for kind in ("data", "resource"):
        for block in parsed.get(kind, []):
            for rtype, named in block.items():
                for name in named:
                    address = f"{rtype.strip(chr(34))}.{name.strip(chr(34))}"
                    out.add(f"data.{address}" if kind == "data" else address)
    return out


def referenced(parsed: Any) -> set[str]:
    """Every block the expressions of a parsed HCL document name."""
    if isinstance(parsed, dict):
        return {r for k, v in parsed.items() for r in referenced(v)}
    if isinstance(parsed, list):
        return {r for v in parsed for r in referenced(v)}
    if isinstance(parsed, str):
        exprs = re.findall(r"(?<!\$)\$\{([^}]*)\}", parsed)
        return {m for e in exprs for m in REFERENCE.findall(e)}
    return set()


@pytest.mark.parametrize("env", [ENV, {}], ids=["known", "unknown"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_parses_and_deploys_the_json_policy(path: Path, env: dict[str, str]) -> None:
    result = generate_policy(path.read_text(), **env)
    text = to_terraform(result, **env)
    parsed = hcl2.loads(text)
    assert referenced(parsed) <= declared(parsed)
    assert "resource" in parsed and 'aws_iam_role' in str(parsed["resource"])
    if result.document.get("Statement"):
        assert terraform_policy(parsed, "state_machine", DATA) == normal(result.document)
    if env:
        assert "123456789012" not in text and "us-east-1" not in text
    trust = terraform_policy(parsed, "state_machine_trust", DATA)
    assert trust["Statement"][0]["Condition"] == {
        "ArnLike": {"aws:SourceArn": [ARN if env else
                                      "arn:aws:states:*:123456789012:stateMachine:*"]},
        "StringEquals": {"aws:SourceAccount": ["123456789012"]}}


def test_a_policy_over_the_inline_limit_becomes_attached_policies() -> None:
    from tests.render.test_cloudformation import _big_definition

    result = generate_policy(_big_definition(220), **ENV)
    parsed = hcl2.loads(to_terraform(result, **ENV))
    parts = split(result.document, MANAGED_LIMIT)
    assert len(parts) > 1
    for i, part in enumerate(parts, 1):
        assert terraform_policy(parsed, f"state_machine_{i}", DATA) == normal(part)
    resources = declared(parsed)
    assert {f"aws_iam_role_policy_attachment.state_machine_{i}" for i in range(1, len(parts) + 1)
            } <= resources
    assert "aws_iam_role_policy.state_machine" not in resources
    assert referenced(parsed) <= resources


INPUT_TF = '''
resource "aws_lambda_function" "ship" {
  function_name = "ship-order"
  role          = aws_iam_role.lambda.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "ship.zip"
}

resource "aws_sfn_state_machine" "orders" {
  name       = "Orders"
  role_arn   = aws_iam_role.state_machine.arn
  definition = "{}"
}
'''


def test_references_name_the_inputs_resources_and_never_the_state_machine() -> None:
    from tests.render.test_cloudformation import LAMBDA, _lambda_machine

    result = generate_policy(_lambda_machine(), **ENV)
    refs = {LAMBDA: "aws_lambda_function.ship.arn", ARN: "aws_sfn_state_machine.orders.arn"}
    text = to_terraform(result, **ENV, references=refs)
    parsed = hcl2.loads(text)
    given_blocks = declared(hcl2.loads(INPUT_TF)) | {"aws_iam_role.lambda"}
    assert referenced(parsed) <= declared(parsed) | given_blocks
    assert "aws_lambda_function.ship" in referenced(parsed)
    assert "aws_sfn_state_machine" not in text  # its own ARN: built from its name, no cycle
    assert "ship-order" not in text
    values = {**DATA, "aws_lambda_function.ship.arn": LAMBDA}
    assert terraform_policy(parsed, "state_machine", values) == normal(result.document)


def test_a_reference_that_is_not_a_terraform_expression_is_refused() -> None:
    from tests.render.test_cloudformation import LAMBDA, _lambda_machine

    result = generate_policy(_lambda_machine(), **ENV)
    for bad in ({"Fn::GetAtt": ["Ship", "Arn"]}, 'x"} evil ${', "ship"):
        with pytest.raises(ValueError, match="not a Terraform reference"):
            to_terraform(result, **ENV, references={LAMBDA: bad})


@given(st.lists(st.one_of(st.text(alphabet='ab:/*?${}%"\\\n', max_size=10),
                          st.sampled_from(["aws", "us-east-1", "123456789012"])), max_size=8))
def test_any_string_survives_the_round_trip(parts: list[str]) -> None:
    """Whatever a string holds (``${``, ``%{``, quotes, backslashes, new lines), the HCL
    string evaluates back to it, and parses."""
    text = "arn:" + ":".join(parts) if len(parts) > 4 else "".join(parts)
    writer = _Writer(Deploy(**ENV, references={"ab": "aws_s3_bucket.ab.bucket"}),
                     "state_machine")
    expression = writer.string(text)
    values = {**DATA, "aws_s3_bucket.ab.bucket": "ab"}
    assert hcl_string(expression, values) == text
    parsed = hcl2.loads(f"x = [{expression}]\n")
    assert hcl_string(parsed["x"][0], values) == text


def test_a_dollar_before_an_interpolation_stays_a_dollar() -> None:
    writer = _Writer(Deploy(**ENV), "state_machine")
    expression = writer.template([("text", "a$"), ("pseudo", "account"), ("text", "%"),
                                  ("pseudo", "region")])
    assert "$${" not in expression and "%${" not in expression
    assert hcl_string(hcl2.loads(f"x = {expression}\n")["x"], DATA) == "a$123456789012%us-east-1"


def test_an_ampersand_brace_is_never_read_as_a_policy_variable() -> None:
    """aws_iam_policy_document reads ``&{x}`` in its blocks as the policy variable ``${x}``:
    a statement holding ``&{`` goes in as JSON (source_policy_documents), which it does not
    rewrite; the other statements stay blocks."""
    definition = {"StartAt": "R", "States": {
        "R": {"Type": "Task", "Resource": "arn:aws:states:::s3:getObject", "Next": "L",
              "Parameters": {"Bucket": "b", "Key": 'a&{aws:username}/x$%{y}"q\\'}},
        "L": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
              "Parameters": {"FunctionName": "f"}}}}
    result = generate_policy(definition, **ENV)
    text = to_terraform(result, **ENV)
    parsed = hcl2.loads(text)
    block = parsed["data"][-1]['"aws_iam_policy_document"']['"state_machine"']
    assert len(block["source_policy_documents"]) == 1 and len(block["statement"]) == 1
    assert "&{" not in str(block["statement"])
    deployed = terraform_policy(parsed, "state_machine", DATA)
    key = json.dumps
    assert sorted(map(key, deployed["Statement"])) == sorted(
        map(key, normal(result.document)["Statement"]))
    assert referenced(parsed) <= declared(parsed)


@given(st.text(alphabet='ab:/*?${}%&"\\\n', max_size=16))
def test_any_string_survives_the_json_path(text: str) -> None:
    writer = _Writer(Deploy(**ENV), "state_machine")
    statement = {"Effect": "Allow", "Action": ["s3:GetObject"],
                 "Resource": [f"arn:aws:s3:::{text}", f"arn:aws:sqs:us-east-1:123456789012:{text}"]}
    body = writer.json({"Version": "2012-10-17", "Statement": [statement]})
    heredoc = '"<<-EOT\n' + "".join(f"    {x}\n" for x in body.splitlines()) + '    EOT"'
    assert json.loads(heredoc_json(heredoc, DATA))["Statement"] == [statement]
