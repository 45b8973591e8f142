"""Findings: everything that is not fatal. Codes are stable, kebab-case slugs (a data table,
in the spirit of parliament's config.yaml) so that scripts can filter on them."""

from __future__ import annotations

from sfn_iam.model import _Frozen, _read_only

#: code -> one-line title. Every Finding's code must be a key here (a test checks it).
CODES: dict[str, str] = {
    "dynamic-resource": "a dynamic value forced a wildcard resource",
    "unknown-region": "the region is unknown, so ARNs built from names use '*' for it",
    "unknown-account": "the account is unknown, so ARNs built from names use '*' for it",
    "unresolved-placeholder": "a ${Name} placeholder was not given a value with --substitute",
    "unknown-integration": "the Task Resource is not an integration sfn-iam knows",
    "unsupported-pattern": "the integration does not support this service integration pattern",
    "missing-parameter": "a parameter the integration needs is missing",
    "malformed-value": "a parameter value does not have the form the service expects",
    "unknown-passed-role": "a role is passed that the definition does not name (add iam:PassRole)",
    "no-permissions": "no Allow statement could be produced for the Task states",
    "policy-too-large": "the policy is over IAM's inline-policy size limit (--split writes managed ones)",
    "unknown-state-machine": "the state machine's own ARN is needed but unknown (pass --state-machine-arn)",
}


@_read_only
class Finding(_Frozen):
    """One warning: a stable ``code``, the message, the state and the parameter it is about."""

    __slots__ = ("_code", "_message", "_parameter", "_state_path")
    _fields = ("code", "message", "state_path", "parameter")

    code: str
    message: str
    state_path: tuple[str, ...]
    parameter: str | None

    def __init__(self, code: str, message: str, state_path: tuple[str, ...] = (),
                 parameter: str | None = None) -> None:
        self._code = code
        self._message = message
        self._state_path = state_path
        self._parameter = parameter

    def _key(self) -> tuple[object, ...]:
        return (self._code, self._message, self._state_path, self._parameter)

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
