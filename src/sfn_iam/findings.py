"""Findings: everything that is not fatal. Codes are stable, kebab-case slugs (a data table,
in the spirit of parliament's config.yaml) so that scripts can filter on them."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time

#: code -> one-line title. Every Finding's code must be a key here (a test checks it).
CODES: dict[str, str] = {
    "dynamic-resource": "a dynamic value forced a wildcard resource",
    "unknown-region": "the region is unknown, so ARNs built from names use '*' for it",
    "unknown-account": "the account is unknown, so ARNs built from names use '*' for it",
    "unresolved-placeholder": "a ${Name} placeholder was not given a value with --substitute",
    "partition-placeholder": "a ${Name} placeholder for an integration's partition was read as the machine's",
    "unknown-integration": "the Task Resource is not an integration sfn-iam knows",
    "unsupported-pattern": "the integration does not support this service integration pattern",
    "missing-parameter": "a parameter the integration needs is missing",
    "malformed-value": "a parameter value does not have the form the service expects",
    "unknown-passed-role": "a role is passed that the definition does not name (add iam:PassRole)",
    "no-permissions": "no Allow statement could be produced for the Task states",
    "policy-too-large": "the policy is over IAM's inline-policy size limit (--split writes managed ones)",
    "unknown-state-machine": "the state machine's own ARN is needed but unknown (pass --state-machine-arn)",
    "sdk-wildcard-resource": "no parameter of an AWS SDK call names part of its resource: '*' there",
    "sdk-unsupported-call": "Step Functions documents this AWS SDK call as unsupported",
    "deploy-time-value": "a template value is known only at deploy time (Fn::ImportValue, SSM, ...)",
    "template-note": "the template was read leniently (e.g. a DefinitionUri in another letter case)",
    "missing-permission": "audit: the role does not allow a permission the state machine needs",
    "excess-permission": "audit: the role allows more than the state machine needs",
    "undecided-permission": "audit: whether the role allows a needed permission cannot be decided",
}


if TYPE_CHECKING:
    from typing import NamedTuple

    class _FindingFields(NamedTuple):
        code: str
        message: str
        state_path: tuple[str, ...] = ()
        parameter: str | None = None
else:  # the same named tuple, without importing typing at run time
    from collections import namedtuple

    _FindingFields = namedtuple("Finding", ("code", "message", "state_path", "parameter"),
                                defaults=((), None))


class Finding(_FindingFields):
    """One warning: a stable ``code``, the message, the state and the parameter it is about.

    A named tuple: a run can have thousands (one per dynamic value), and a tuple is made,
    hashed (findings are de-duplicated) and compared in C."""

    __slots__ = ()

    @property
    def where(self) -> str:
        return " > ".join(self.state_path)

    def __str__(self) -> str:
        head = []
        if self.state_path:
            head.append(f"state '{self.where}'")
        if self.parameter:
            head.append(self.parameter)
        prefix = ", ".join(head)
        return f"{prefix}: {self.message} [{self.code}]" if prefix else f"{self.message} [{self.code}]"
