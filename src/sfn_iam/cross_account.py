"""Cross-account Tasks (``Credentials.RoleArn``, CURRENT-DOCS §9.1): the Task runs as the
target role, so the execution role needs only ``sts:AssumeRole`` on it; the service
permissions (polling included) are the target role's and are reported apart."""

from __future__ import annotations

from functools import cache

from sfn_iam.arn import Env
from sfn_iam.findings import Finding
from sfn_iam.model import Grant, Provenance
from sfn_iam.params import Params
from sfn_iam.rules import DOC_BASE, escape
from sfn_iam.walk import StateRef

DOC = DOC_BASE + "concepts-access-cross-acct-resources.html"
DYNAMIC_KEY = "*"
_ROLE = r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}"

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """A pattern compiled on first use: start-up does not pay for what a run does not use."""
    import re

    return re.compile(pattern)


def assume(ref: StateRef, env: Env, findings: list[Finding]) -> tuple[str, list[Grant]]:
    """``(target key, [sts:AssumeRole grant])`` for a Task with ``Credentials``."""
    creds = Params(ref.body, ref.jsonata, env.substitutions, field="Credentials")
    v = creds.get("RoleArn")
    text = v.text
    if v.static and text and _regex(_ROLE).fullmatch(text):
        why = Provenance(ref.path, "credentials", v.where, DOC,
                         "the Task runs as this role; its permissions are the role's own")
        return text, [Grant(("sts:AssumeRole",), (escape(text),), why)]
    if v.absent:
        findings.append(Finding("missing-parameter",
                                "Credentials needs RoleArn; the Task's permissions are reported "
                                "apart and no role is assumed", ref.path, v.where))
        return DYNAMIC_KEY, []
    arn = f"arn:{env.partition_or('aws')}:iam::*:role/*"
    if v.static:
        findings.append(Finding("malformed-value", f"{v.value!r} is not an IAM role ARN; "
                                f"sts:AssumeRole granted on {arn}", ref.path, v.where))
    else:
        findings.append(Finding(
            "dynamic-resource",
            f"{v.reason} ({v.expr}) is known only at run time: sts:AssumeRole granted on {arn}",
            ref.path, v.where))
    why = Provenance(ref.path, "credentials", v.where, DOC, "the target role is dynamic")
    return DYNAMIC_KEY, [Grant(("sts:AssumeRole",), (arn,), why, dynamic=True)]
