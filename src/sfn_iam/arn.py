"""ARNs: partitions, parsing, and building ARNs for names given without one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

_PARTITION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


def partition_for_region(region: str | None) -> str | None:
    """``cn-*`` -> ``aws-cn``, ``us-gov-*`` -> ``aws-us-gov`` (and the ISO regions), else ``aws``."""
    if not region:
        return None
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


class Arn(NamedTuple):
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its six parts, or None when ``text`` is not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


@dataclass
class Env:
    """Where the state machine runs. ``None`` means unknown: the field becomes ``*`` in ARNs
    built from names, and a finding says so (recorded in ``used_unknown``)."""

    region: str | None = None
    account: str | None = None
    partition: str | None = None
    substitutions: dict[str, str] = field(default_factory=dict)
    used_unknown: set[str] = field(default_factory=set)
    #: the state machine's own ARN (Distributed Map, HTTP Task, encryption need it)
    state_machine_arn: str | None = None
    #: scope StartExecution of a version or alias with ``states:StateMachineQualifier``
    qualifier_condition: bool = False

    def state_machine(self, partition: str) -> tuple[str, str]:
        """``(ARN, name)`` of the state machine itself. Unknown: every state machine of the
        account (``stateMachine:*``, name ``*``), recorded in ``used_unknown``."""
        if self.state_machine_arn:
            name = self.state_machine_arn.split(":")[6]
            return self.state_machine_arn, name
        self.used_unknown.add("state-machine")
        arn = (f"arn:{self.partition_or(partition)}:states:{self.region_or_star()}:"
               f"{self.account_or_star()}:stateMachine:*")
        return arn, "*"

    def partition_or(self, fallback: str) -> str:
        return self.partition or partition_for_region(self.region) or fallback

    def region_or_star(self) -> str:
        if self.region:
            return self.region
        self.used_unknown.add("region")
        return "*"

    def account_or_star(self) -> str:
        if self.account:
            return self.account
        self.used_unknown.add("account")
        return "*"
