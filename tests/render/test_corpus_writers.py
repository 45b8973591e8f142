"""Every policy of the shared corpus (``../shared/corpus``, real public state machines;
skipped when absent) through the writers: the CloudFormation template deploys the JSON
policy (its intrinsic functions evaluated), the Terraform parses with python-hcl2 and its
policy document is the JSON policy, and all the CloudFormation roles together pass
cfn-lint."""

from __future__ import annotations

import csv
import json
from typing import Any

import hcl2
import pytest
import yaml

from sfn_iam import generate_policy
from sfn_iam.errors import DefinitionError
from sfn_iam.policy import MANAGED_LIMIT, split
from sfn_iam.render import dumps, to_cloudformation, to_terraform
from tests.render.evaluate import cfn, normal, terraform_policy
from tests.render.test_cloudformation import lint
from tests.test_corpus import ACCOUNT, CORPUS, REGION, substitutions

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(),
                                reason=f"no corpus at {CORPUS}")
ENV = {"region": REGION, "account": ACCOUNT}
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
DATA = {"data.aws_partition.state_machine.partition": "aws",
        "data.aws_region.state_machine.name": REGION,
        "data.aws_caller_identity.state_machine.account_id": ACCOUNT}


def _policies() -> list[tuple[str, Any]]:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for row in rows:
        folder = CORPUS / row["id"]
        (path,) = sorted(folder.glob("definition.asl.*"))
        try:
            result = generate_policy(path.read_bytes(), **ENV,
                                     substitutions=substitutions(folder, path.read_text()))
        except DefinitionError:
            continue
        out.append((row["id"], result))
    return out


def test_every_corpus_policy_deploys_as_the_json_policy() -> None:
    """CloudFormation for every corpus policy; Terraform (python-hcl2 takes ~20 ms a
    document) and cfn-lint (~50 ms a role) for an evenly spread sample of 40."""
    policies = _policies()
    assert len(policies) > 500
    sample = set(range(0, len(policies), max(1, len(policies) // 40)))
    roles: dict[str, Any] = {}
    for i, (name, result) in enumerate(policies):
        template = to_cloudformation(result, **ENV)
        resources = template["Resources"]
        deployed = cfn(resources, PSEUDO)
        role = deployed["StateMachineRole"]["Properties"]
        if "ManagedPolicyArns" in role:
            parts = [deployed[r["Ref"]]["Properties"]["PolicyDocument"]
                     for r in role["ManagedPolicyArns"]]
            assert parts == split(result.document, MANAGED_LIMIT), name
        elif result.document.get("Statement"):
            assert role["Policies"] == [{"PolicyName": "sfn-iam",
                                         "PolicyDocument": result.document}], name
        if i not in sample:
            continue
        assert yaml.safe_load(dumps(template)) == template, name  # quoting of odd names
        parsed = hcl2.loads(to_terraform(result, **ENV))
        if "ManagedPolicyArns" not in role and result.document.get("Statement"):
            assert terraform_policy(parsed, "state_machine", DATA) == normal(result.document), name
        for logical, res in resources.items():
            roles[f"C{i}{logical}"] = json.loads(json.dumps(res).replace(
                '"Ref": "StateMachineRolePolicy', f'"Ref": "C{i}StateMachineRolePolicy'))
    assert len(roles) >= 40
    assert lint({"AWSTemplateFormatVersion": "2010-09-09", "Resources": roles}) == []
