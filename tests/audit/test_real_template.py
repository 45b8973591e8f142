"""``--template-role``'s code on a real SAM template (fixtures/generate-thumbnail, MIT-0, see
its SOURCES.md): SAM Connectors as resources (state machine -> two Lambda functions), a SAM
policy template, DefinitionSubstitutions resolved with the same resolver. The template uses
short-form tags (``!GetAtt``), which the project's template readers will read; here a small
test-only loader turns them into long form, and the role functions work on the parsed dict."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sfn_iam import generate_policy
from sfn_iam.audit import audit
from sfn_iam.audit.roles import default_resolver, template_role

HERE = Path(__file__).resolve().parent / "fixtures" / "generate-thumbnail"
REGION, ACCOUNT = "us-east-1", "123456789012"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("samtranslator") is None,
                                reason="aws-sam-translator is not installed")


def cfn_yaml(text: str) -> Any:
    class Loader(yaml.SafeLoader):
        pass

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    Loader.add_multi_constructor("!", tag)
    return yaml.load(text, Loader=Loader)  # a SafeLoader subclass: safe


def test_real_sam_template_with_connectors() -> None:
    template = cfn_yaml((HERE / "template.yaml").read_text())
    resolve = default_resolver(template, region=REGION, account=ACCOUNT)
    role = template_role(template, None, resolve, "template.yaml")
    docs = dict(role.documents)
    assert set(docs) == {
        "ThumbnailCreationStateMachine.Policies[0] StepFunctionsExecutionPolicy",
        "StepFunctionTogetImageMetadataFunctionConnector (Write)",
        "StepFunctionTogenerateThumbnailFunctionConnector (Write)"}
    machine = template["Resources"]["ThumbnailCreationStateMachine"]["Properties"]
    subs = {k: resolve(v) for k, v in machine["DefinitionSubstitutions"].items()}
    assert subs["getImageMetadataArn"] == (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:generate-thumbnail-getImageMetadata")
    result = generate_policy((HERE / "statemachine.asl.json").read_bytes(), region=REGION,
                             account=ACCOUNT, substitutions=subs)
    report = audit(result, role.documents, not_evaluated=role.not_evaluated)
    # the Connectors give exactly the two invocations the Tasks need ...
    assert report.missing == [] and report.undecided == []
    # ... plus lambda:InvokeAsync, and the policy template a StartExecution no state makes
    assert sorted((e.action, e.kind) for e in report.excess) == [
        ("lambda:InvokeAsync", "not-needed"), ("lambda:InvokeAsync", "not-needed"),
        ("states:StartExecution", "not-needed")]
    assert json.dumps(report.to_json())
