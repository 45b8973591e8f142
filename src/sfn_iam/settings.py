"""Permissions that come from the state machine's settings rather than its states: X-Ray
tracing, CloudWatch Logs delivery, a customer managed KMS key (CURRENT-DOCS §7)."""

from __future__ import annotations

from functools import cache

from sfn_iam.arn import Env
from sfn_iam.conditions import make_condition
from sfn_iam.errors import UsageError
from sfn_iam.findings import Finding
from sfn_iam.model import Grant, Provenance
from sfn_iam.rules import DOC_BASE

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

MACHINE = ("(state machine)",)

XRAY_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
# cw-logs.html, current text: the archive's nine actions plus logs:CreateLogStream. The console
# and the CDK emit eight (no CreateLogStream / PutLogEvents); the documented ten are safe.
LOGS_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:CreateLogStream",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutLogEvents",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)

_KEY_ARN = r"arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)/([A-Za-z0-9/_-]+)"
_KEY_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}"


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """A pattern compiled on first use: start-up does not pay for what a run does not use."""
    import re

    return re.compile(pattern)


class Settings:
    """The machine's settings. Immutable by convention; a plain slotted class with the
    value semantics of the frozen dataclass it was, without the dataclass at start-up."""

    __slots__ = ("kms_key", "logging", "xray")
    xray: bool
    logging: bool
    kms_key: str | None

    def __init__(self, xray: bool = False, logging: bool = False,
                 kms_key: str | None = None) -> None:
        object.__setattr__(self, "xray", xray)
        object.__setattr__(self, "logging", logging)
        object.__setattr__(self, "kms_key", kms_key)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[bool, bool, str | None]:
        return (self.xray, self.logging, self.kms_key)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Settings(xray={self.xray!r}, logging={self.logging!r}, kms_key={self.kms_key!r})"


def key_arn(key: str, env: Env) -> tuple[str, list[Finding]]:
    """``--kms-key``: a key ARN, or a key ID completed in the machine's region and account."""
    findings: list[Finding] = []
    m = _regex(_KEY_ARN).fullmatch(key)
    if m:
        if m.group(4) == "alias":
            findings.append(Finding(
                "malformed-value",
                f"{key} is an alias ARN: KMS authorises the key itself, so grant on the key ARN "
                "(pass the key ARN to --kms-key)", MACHINE, "--kms-key"))
        return key, findings
    if _regex(_KEY_ID).fullmatch(key):
        arn = (f"arn:{env.partition_or('aws')}:kms:{env.region_or_star()}:"
               f"{env.account_or_star()}:key/{key}")
        return arn, findings
    raise UsageError(f"--kms-key {key!r} is not a KMS key ARN or key ID")


def settings_grants(settings: Settings, env: Env) -> tuple[list[Grant], list[Finding]]:
    grants: list[Grant] = []
    findings: list[Finding] = []
    if settings.xray:
        grants.append(Grant(XRAY_ACTIONS, ("*",),
                            Provenance(MACHINE, "xray", "--xray", DOC_BASE + "xray-iam.html")))
    if settings.logging:
        # Vended-log-delivery APIs: they take no resource ARN, so "*" (cw-logs.html).
        grants.append(Grant(LOGS_ACTIONS, ("*",),
                            Provenance(MACHINE, "logging", "--logging", DOC_BASE + "cw-logs.html")))
    if settings.kms_key:
        grants += _kms(settings, env, findings)
    return grants, findings


def _kms(settings: Settings, env: Env, findings: list[Finding]) -> list[Grant]:
    assert settings.kms_key
    key, more = key_arn(settings.kms_key, env)
    findings += more
    doc = DOC_BASE + "encryption-at-rest.html"
    machine, name = env.state_machine(env.partition_or("aws"))
    context = "kms:EncryptionContext:aws:states:stateMachineArn"
    # The documented condition is StringEquals on the exact machine ARN; when the ARN is
    # unknown, StringLike over the account's machines (and an unknown-state-machine warning).
    op = "StringEquals" if name != "*" else "StringLike"
    grants = [Grant(("kms:Decrypt", "kms:GenerateDataKey"), (key,),
                    Provenance(MACHINE, "kms", "--kms-key", doc),
                    make_condition({op: {context: machine}}))]
    if settings.logging:
        # Logging with a CMK: GenerateDataKey for the log delivery. The doc writes
        # StringEquals with "arn:aws:logs:REGION:ACCOUNT:*", which can never equal a real
        # SourceArn: StringLike is what makes the wildcard work.
        logs = (f"arn:{env.partition_or('aws')}:logs:{env.region_or_star()}:"
                f"{env.account_or_star()}:*")
        grants.append(Grant(("kms:GenerateDataKey",), (key,),
                            Provenance(MACHINE, "kms+logging", "--kms-key --logging", doc),
                            make_condition({"StringLike": {"kms:EncryptionContext:SourceArn": logs}})))
    return grants
