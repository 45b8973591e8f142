"""The view of one Task state that catalogue rules read: its parameters, its pattern, and
how to build ARNs in the state machine's partition, region and account."""

from __future__ import annotations

from sfn_iam.findings import Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from sfn_iam.arn import Env
    from sfn_iam.params import Params, Value
    from sfn_iam.walk import StateRef

RR = ""
SYNC = "sync"
WAIT = "waitForTaskToken"


def pattern_key(pattern: str) -> str:
    """``sync:2`` authorises exactly like ``sync``."""
    return SYNC if pattern.startswith("sync") else pattern


class Task:
    """One Task as the catalogue rules see it. A plain slotted class: one is made per Task."""

    __slots__ = (
        "env",
        "findings",
        "integration",
        "memo",
        "params",
        "partition",
        "pattern",
        "ref",
        "resource",
        "value",
    )

    #: ``t.value(*path)``: the parameter at ``path`` (``Params.get`` of this Task's
    #: parameters, bound in the constructor: rules read several values per Task)
    value: Callable[..., Value]

    def __init__(self, ref: StateRef, integration: str, pattern: str, params: Params, env: Env,
                 partition: str, resource: str = "",
                 findings: list[Finding] | None = None) -> None:
        self.ref = ref
        self.integration = integration  # "sns:publish", "lambda:function-arn", ...
        self.pattern = pattern  # "", "sync", "sync:2", "waitForTaskToken"
        self.params = params
        self.value = params.get
        self.env = env
        self.partition = partition  # the partition of the Task Resource ARN
        self.resource = resource  # the Task Resource, placeholders substituted
        self.findings: list[Finding] = [] if findings is None else findings
        #: parameter values several resolvers of this Task read (see catalogue.memo_value)
        self.memo: dict[tuple[str | int, ...], Value] = {}

    def __repr__(self) -> str:
        return (f"Task(ref={self.ref!r}, integration={self.integration!r}, "
                f"pattern={self.pattern!r}, params={self.params!r}, env={self.env!r}, "
                f"partition={self.partition!r}, resource={self.resource!r}, "
                f"findings={self.findings!r})")

    @property
    def path(self) -> tuple[str, ...]:
        return self.ref.path

    @property
    def sync(self) -> bool:
        return pattern_key(self.pattern) == SYNC

    def items(self, *path: str) -> list[tuple[int, Value]]:
        return self.params.items(*path)

    def fmt(self, template: str, **names: Any) -> str:
        """Fill ``{partition}``, ``{region}``, ``{account}`` (only those used, so that an
        unknown region is reported only where it matters) and the given names."""
        env = self.env
        key = (template, self.partition, env.partition, env.region, env.account)
        baked = _BAKED.get(key)
        if baked is None:
            baked = _bake(template, self.partition, env)
        elif baked[1]:  # the unknown region or account it used: reported
            env.used_unknown.update(baked[1])
        return baked[0].format(**names) if names else baked[2]

    def state_machine(self) -> tuple[str, str]:
        """``(ARN, name)`` of the state machine this Task runs in (``stateMachine:*`` and a
        finding when unknown): the HTTP Task, Distributed Map and encryption need it."""
        return self.env.state_machine(self.partition)

    def finding(self, code: str, message: str, parameter: str | None = None) -> None:
        self.findings.append(Finding(code, message, self.path, parameter))


#: (template, Task partition, env partition, region, account) -> (the template with
#: ``{partition}``, ``{region}``, ``{account}`` filled in and the other fields left, the
#: unknowns it used, the text when no other field is given): :meth:`Task.fmt` works each
#: template out once, not once per Task.
_BAKED: dict[tuple[str, str, str | None, str | None, str | None],
             tuple[str, tuple[str, ...], str]] = {}


def _bake(template: str, partition: str, env: Env) -> tuple[str, tuple[str, ...], str]:
    fields = {}
    if "{partition}" in template:
        fields["partition"] = env.partition or env.partition_or(partition)
    if "{region}" in template:
        fields["region"] = env.region or env.region_or_star()
    if "{account}" in template:
        fields["account"] = env.account or env.account_or_star()
    unknowns = tuple(name for name in ("region", "account")
                     if name in fields and not getattr(env, name))
    baked = template
    for name, value in fields.items():
        # braces in a value (an account read from a role ARN) stay literal in format()
        baked = baked.replace("{" + name + "}", value.replace("{", "{{").replace("}", "}}"))
    try:
        plain = baked.format()
    except (IndexError, KeyError):  # other fields to fill: only with names
        plain = ""
    out = (baked, unknowns, plain)
    if len(_BAKED) < 4096:
        _BAKED[(template, partition, env.partition, env.region, env.account)] = out
    return out
