"""The view of one Task state that catalogue rules read: its parameters, its pattern, and
how to build ARNs in the state machine's partition, region and account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sfn_iam.arn import Env
from sfn_iam.findings import Finding
from sfn_iam.params import Params, Value
from sfn_iam.walk import StateRef

RR = ""
SYNC = "sync"
WAIT = "waitForTaskToken"


def pattern_key(pattern: str) -> str:
    """``sync:2`` authorises exactly like ``sync``."""
    return SYNC if pattern.startswith("sync") else pattern


@dataclass
class Task:
    ref: StateRef
    integration: str  # "sns:publish", "lambda:function-arn", ...
    pattern: str  # "", "sync", "sync:2", "waitForTaskToken"
    params: Params
    env: Env
    partition: str  # the partition of the Task Resource ARN
    resource: str = ""  # the Task Resource, placeholders substituted
    findings: list[Finding] = field(default_factory=list)

    @property
    def path(self) -> tuple[str, ...]:
        return self.ref.path

    @property
    def sync(self) -> bool:
        return pattern_key(self.pattern) == SYNC

    def value(self, *path: str | int) -> Value:
        return self.params.get(*path)

    def items(self, *path: str) -> list[tuple[int, Value]]:
        return self.params.items(*path)

    def fmt(self, template: str, **names: Any) -> str:
        """Fill ``{partition}``, ``{region}``, ``{account}`` (only those used, so that an
        unknown region is reported only where it matters) and the given names."""
        if "{partition}" in template:
            names["partition"] = self.env.partition_or(self.partition)
        if "{region}" in template:
            names["region"] = self.env.region_or_star()
        if "{account}" in template:
            names["account"] = self.env.account_or_star()
        return template.format(**names)

    def state_machine(self) -> tuple[str, str]:
        """``(ARN, name)`` of the state machine this Task runs in (``stateMachine:*`` and a
        finding when unknown): the HTTP Task, Distributed Map and encryption need it."""
        return self.env.state_machine(self.partition)

    def finding(self, code: str, message: str, parameter: str | None = None) -> None:
        self.findings.append(Finding(code, message, self.path, parameter))
