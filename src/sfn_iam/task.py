"""The view of one Task state that catalogue rules read: its parameters, its pattern, and
how to build ARNs in the state machine's partition, region and account."""

from __future__ import annotations

from sfn_iam.findings import Finding
from sfn_iam.params import Params

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

    from sfn_iam.arn import Env
    from sfn_iam.params import Value
    from sfn_iam.walk import StateRef

RR = ""
SYNC = "sync"
WAIT = "waitForTaskToken"


def pattern_key(pattern: str) -> str:
    """``sync:2`` authorises exactly like ``sync``."""
    return SYNC if pattern.startswith("sync") else pattern


class Task(Params):
    """One Task as the catalogue rules see it: its parameters (it *is* their
    :class:`~sfn_iam.params.Params`, so that one object is made per Task, not two), its
    pattern, and where the state machine runs. A plain slotted class."""

    __slots__ = ("env", "findings", "integration", "memo", "partition", "pattern", "ref",
                 "resource")

    def value(self, *path: str | int) -> Value:
        """The parameter at ``path`` (:meth:`Params.get`): what rules read."""
        return self.at(path)

    def __init__(self, ref: StateRef, integration: str, pattern: str, env: Env,
                 partition: str, resource: str = "",
                 findings: list[Finding] | None = None) -> None:
        # Params.__init__(self, ref.body, ref.jsonata, env.substitutions), inline
        body = ref.body
        if ref.query_language == "JSONata":
            self.field, self.root, self.jsonata = "Arguments", body.get("Arguments"), True
        else:
            self.field, self.root, self.jsonata = "Parameters", body.get("Parameters"), False
            if self.root is None and "Arguments" in body:
                # An Arguments block in a JSONPath state: read it rather than miss a resource.
                self.field, self.root = "Arguments", body["Arguments"]
        self.substitutions = env.substitutions
        self.unresolved: list[tuple[str, str]] = []
        self.ref = ref
        self.integration = integration  # "sns:publish", "lambda:function-arn", ...
        self.pattern = pattern  # "", "sync", "sync:2", "waitForTaskToken"
        self.env = env
        self.partition = partition  # the partition of the Task Resource ARN
        self.resource = resource  # the Task Resource, placeholders substituted
        #: where the findings go (the run's list: a Task adds to it directly)
        self.findings: list[Finding] = [] if findings is None else findings
        #: parameter values several resolvers of this Task read (see catalogue.memo_value)
        self.memo: dict[tuple[str | int, ...], Value] | None = None

    @property
    def params(self) -> Params:
        """The parameters (this Task itself)."""
        return self

    def __repr__(self) -> str:
        return (f"Task(ref={self.ref!r}, integration={self.integration!r}, "
                f"pattern={self.pattern!r}, field={self.field!r}, env={self.env!r}, "
                f"partition={self.partition!r}, resource={self.resource!r}, "
                f"findings={self.findings!r})")

    @property
    def path(self) -> tuple[str, ...]:
        return self.ref.path

    @property
    def sync(self) -> bool:
        return pattern_key(self.pattern) == SYNC

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
        # with no names, the text worked out once (a template with other fields raises, as
        # format() would)
        return baked[0].format(**names) if names or baked[2] is None else baked[2]

    def named(self, template: str, name: str) -> str:
        """``fmt(template, name=name)``, quicker: most resources are a name in a template."""
        env = self.env
        key = (template, self.partition, env.partition, env.region, env.account)
        baked = _BAKED.get(key)
        if baked is None:
            baked = _bake(template, self.partition, env)
        elif baked[1]:
            env.used_unknown.update(baked[1])
        prefix = baked[3]
        return baked[0].format(name=name) if prefix is None else prefix + name + baked[4]

    def state_machine(self) -> tuple[str, str]:
        """``(ARN, name)`` of the state machine this Task runs in (``stateMachine:*`` and a
        finding when unknown): the HTTP Task, Distributed Map and encryption need it."""
        return self.env.state_machine(self.partition)

    def finding(self, code: str, message: str, parameter: str | None = None) -> None:
        # Finding(code, message, self.path, parameter), without the named tuple's __new__
        self.findings.append(_new_tuple(Finding, (code, message, self.ref.path, parameter)))


_new_tuple = tuple.__new__

#: (template, Task partition, env partition, region, account) -> (the template with
#: ``{partition}``, ``{region}``, ``{account}`` filled in and the other fields left, the
#: unknowns it used, the text when no other field is given, and the text before and after
#: ``{name}`` when that is the one field left, else None): :meth:`Task.fmt` works each
#: template out once, not once per Task.
_Baked = tuple[str, tuple[str, ...], "str | None", "str | None", str]
_BAKED: dict[tuple[str, str, str | None, str | None, str | None], _Baked] = {}


def _bake(template: str, partition: str, env: Env) -> _Baked:
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
        plain: str | None = baked.format()
    except (IndexError, KeyError):  # other fields to fill: only with names
        plain = None
    prefix: str | None = None
    suffix = ""
    before, found, after = baked.partition("{name}")
    if found and "{" not in before + after and "}" not in before + after:
        prefix, suffix = before, after
    out = (baked, unknowns, plain, prefix, suffix)
    if len(_BAKED) < 4096:
        _BAKED[(template, partition, env.partition, env.region, env.account)] = out
    return out
