"""ARNs: partitions, parsing, and building ARNs for names given without one."""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time

_PARTITION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


_PARTITION_OF: dict[str, str] = {}


def partition_for_region(region: str | None) -> str | None:
    """``cn-*`` -> ``aws-cn``, ``us-gov-*`` -> ``aws-us-gov`` (and the ISO regions), else ``aws``."""
    if not region:
        return None
    known = _PARTITION_OF.get(region)
    if known is not None:
        return known
    if len(_PARTITION_OF) < 256:
        _PARTITION_OF[region] = _partition_for_region(region)
    return _partition_for_region(region)


def _partition_for_region(region: str) -> str:
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


if TYPE_CHECKING:
    from typing import Any, NamedTuple

    class _ArnFields(NamedTuple):
        partition: str
        service: str
        region: str
        account: str
        resource: str
else:  # the same named tuple, without importing typing at run time
    _ArnFields = namedtuple("Arn", ("partition", "service", "region", "account", "resource"))


class Arn(_ArnFields):
    """The six parts of an ARN (``arn:`` and five fields), as a named tuple."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its six parts, or None when ``text`` is not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        return None
    return _new_tuple(Arn, parts[1:])  # Arn(*parts[1:]), without NamedTuple's __new__


_new_tuple = tuple.__new__


class Env:
    """Where the state machine runs. ``None`` means unknown: the field becomes ``*`` in ARNs
    built from names, and a finding says so (recorded in ``used_unknown``).

    ``state_machine_arn`` is the state machine's own ARN (Distributed Map, HTTP Task and
    encryption need it); ``qualifier_condition`` scopes StartExecution of a version or alias
    with ``states:StateMachineQualifier``; ``as_templates`` grants the documented template
    form where sfn-iam is tighter than it."""

    __slots__ = ("account", "as_templates", "partition", "qualifier_condition", "region",
                 "state_machine_arn", "substitutions", "used_unknown")
    _fields = ("region", "account", "partition", "substitutions", "used_unknown",
               "state_machine_arn", "qualifier_condition", "as_templates")

    def __init__(self, region: str | None = None, account: str | None = None,
                 partition: str | None = None, substitutions: dict[str, str] | None = None,
                 used_unknown: set[str] | None = None, state_machine_arn: str | None = None,
                 qualifier_condition: bool = False, as_templates: bool = False) -> None:
        self.region = region
        self.account = account
        self.partition = partition
        self.substitutions: dict[str, str] = {} if substitutions is None else substitutions
        self.used_unknown: set[str] = set() if used_unknown is None else used_unknown
        self.state_machine_arn = state_machine_arn
        self.qualifier_condition = qualifier_condition
        #: grant in the AWS templates' form where sfn-iam is tighter (rules.sar)
        self.as_templates = as_templates

    def replace(self, **changes: Any) -> Env:
        """A copy with ``changes`` (like ``dataclasses.replace``: the other fields, the
        ``substitutions`` and ``used_unknown`` containers included, are shared)."""
        fields = {f: getattr(self, f) for f in self._fields}
        fields.update(changes)
        return Env(**fields)

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"Env({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Env:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

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
