"""AWS Lambda: ``lambda:invoke`` (request-response, ``.waitForTaskToken``) and a function
ARN used directly as the Task Resource. Template: lambda-iam.md.

``FunctionName`` takes a name (``my-fn``), a name with a version or alias (``my-fn:prod``),
a partial ARN (``123456789012:function:my-fn``) or a full ARN. IAM authorises
``lambda:InvokeFunction`` on the function ARN *as called*: an unqualified ARN for an
unqualified call, ``function:NAME:QUALIFIER`` for a version or alias, so the grant carries
the qualifier exactly as the Task gives it.
"""

from __future__ import annotations

from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import RR_ONLY, RR_WAIT, Res, Rule, escape, g, param
from sfn_iam.task import Task

DOC = "connect-lambda.html"
DYNAMIC = "arn:{partition}:lambda:{region}:{account}:function:*"
NAMED = "arn:{partition}:lambda:{region}:{account}:function:{name}"

_NAME = LazyPattern(r"^[A-Za-z0-9_-]{1,140}(?::[A-Za-z0-9$_-]{1,128})?$")
_PARTIAL = LazyPattern(r"^(?P<account>\d{12}):function:(?P<rest>[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?)$")
_ARN = LazyPattern(r"^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?$")


def function_arn(t: Task, text: str) -> str | None:
    # The forms admit no IAM wildcard; "$" (``$LATEST``) stays literal. Escaped all the same,
    # so that the resource is a literal whatever the patterns come to accept.
    if ":function:" not in text:  # a name, with or without a qualifier
        return t.named(NAMED, escape(text)) if _NAME.match(text) else None
    if text.startswith("arn:"):
        return escape(text) if _ARN.match(text) else None
    m = _PARTIAL.match(text)
    if m:
        return t.fmt("arn:{partition}:lambda:{region}:{acct}:function:{rest}",
                     acct=m.group("account"), rest=escape(m.group("rest")))
    return None


function = param("FunctionName", "", DYNAMIC, convert=function_arn,
                 expected="a Lambda function name, partial ARN or ARN")


def direct(t: Task) -> list[Res]:
    """A function ARN used as the Task Resource (the legacy form)."""
    if _ARN.match(t.resource):
        return [Res(escape(t.resource), "Resource")]
    t.finding("malformed-value", f"{t.resource!r} is not a Lambda function ARN", "Resource")
    return []


RULES = {
    "invoke": Rule(RR_WAIT, (g("lambda:InvokeFunction", function),), DOC),
    "function-arn": Rule(RR_ONLY, (g("lambda:InvokeFunction", direct),), DOC),
}
