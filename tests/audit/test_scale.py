"""The audit reads big roles in linear time: literal actions and resources are looked up in
indexes, not matched one by one (8,000 functions against a role of 8,000 statements took 90 s
before the indexes, 0.2 s after)."""

from __future__ import annotations

import time
from typing import Any

from sfn_iam import generate_policy
from sfn_iam.audit import audit


def _definition(n: int) -> dict[str, Any]:
    states = {f"S{i}": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": f"fn-{i}"},
                        **({"Next": f"S{i + 1}"} if i < n - 1 else {"End": True})}
              for i in range(n)}
    return {"StartAt": "S0", "States": states}


def _seconds(n: int, one_statement_each: bool) -> float:
    result = generate_policy(_definition(n), region="us-east-1", account="123456789012")
    doc = result.document
    if one_statement_each:
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": r}
            for r in doc["Statement"][0]["Resource"]]}
    doc["Statement"].append({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"})
    start = time.perf_counter()
    report = audit(result, [doc])
    took = time.perf_counter() - start
    assert len(report.needs) == n and report.missing == []
    assert [e.action for e in report.excess] == ["sqs:SendMessage"]
    return took


def test_big_roles_in_linear_time() -> None:
    for each in (False, True):
        small, big = _seconds(500, each), _seconds(8000, each)
        # 16 times the work: well under 16 x 16 (quadratic), with room for a noisy machine
        assert big < max(small, 0.02) * 60, (each, small, big)
        assert big < 10
