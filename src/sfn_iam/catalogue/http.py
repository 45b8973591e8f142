"""HTTP Task: ``http:invoke`` (request-response only). Template: CURRENT-DOCS §3.11, "IAM
permissions to run an HTTP Task" in
https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html (new since the 2023
snapshot).

- ``states:InvokeHTTPEndpoint`` on the state machine's own ARN (``--state-machine-arn``;
  ``stateMachine:*`` and a finding when unknown), scoped by ``states:HTTPMethod``
  (StringEquals, the ``Method``) and ``states:HTTPEndpoint`` (StringLike: the ``ApiEndpoint``,
  followed by ``*`` when ``QueryParameters`` are appended). A dynamic method drops its
  condition; a dynamic endpoint keeps the literal prefix of ``States.Format('https://host/...{}',
  ...)`` or of a JSONata ``'https://host/...' & ...`` followed by ``*``, else drops it;
- ``events:RetrieveConnectionCredentials`` on the EventBridge connection
  (``InvocationConfig.ConnectionArn``, or the legacy ``Authentication.ConnectionArn``);
- ``secretsmanager:GetSecretValue`` and ``DescribeSecret`` on the connection's secret,
  ``secret:events!connection/NAME/*`` in the connection's region and account.

The method and the endpoint (or its literal start) are IAM literals in the condition values
(``*``, ``?``, ``${`` escaped; the only wildcard is the ``*`` sfn-iam appends). A malformed
``Method``, ``ApiEndpoint`` or ``ConnectionArn`` holding such characters is refused: nothing is
granted for it (dropping the condition, or the dynamic ``connection/*``, is what they ask for).
"""

from __future__ import annotations

import re

from sfn_iam.catalogue import LazyPattern
from sfn_iam.params import Value, substitute
from sfn_iam.rules import RR_ONLY, Res, Rule, dynamic_res, escape, g, has_iam_special, malformed
from sfn_iam.task import Task

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

DOC = "call-https-apis.html"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")

ANY_CONNECTION = "arn:{partition}:events:{region}:{account}:connection/*"
ANY_SECRET = "arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/*"
_CONNECTION = LazyPattern(
    r"^arn:(?P<partition>aws[a-z-]*):events:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"connection/(?P<name>[.\-_A-Za-z0-9]{1,64})(?:/[0-9A-Za-z-]+)?$"
)
# The literal start of a dynamic endpoint: States.Format('LITERAL{}...', ...) or the JSONata
# {% 'LITERAL' & ... %}.
# (States.Format escapes ', {, } and \ with a backslash: the literal runs to the first
# unescaped brace, the escapes read as the characters they stand for)
# The literal prefix, then optionally the rest from the first brace: no two ways to match the
# same text, so an unclosed string is linear (the first form backtracked quadratically).
_FORMAT = LazyPattern(r"^\s*States\.Format\(\s*'(?P<lit>(?:[^'\\{}]|\\.)*)(?:[{}](?:[^'\\]|\\.)*)?'")
_FORMAT_ESCAPE = LazyPattern(r"\\(.)", re.DOTALL)
_JSONATA = LazyPattern(r"^\s*\{%\s*(?P<q>['\"])(?P<lit>[^'\"\\]*)(?P=q)\s*&")
# A prefix narrows the endpoint only when it names the whole host (scheme://host/...);
# "https://api.example.com*" would also match https://api.example.com.attacker.net.
_HOST_PREFIX = LazyPattern(r"^https?://[^/?#*]+/")


# --------------------------------------------------------------------------- connection


def _connection_value(t: Task) -> Value | None:
    """``InvocationConfig.ConnectionArn`` or ``Authentication.ConnectionArn`` (legacy); None
    and one finding when neither is given: an HTTP Task requires a connection."""
    for path in (("InvocationConfig", "ConnectionArn"), ("Authentication", "ConnectionArn")):
        v = t.at(path)
        if not v.absent:
            return v
    return None


def _connection(t: Task, static: str, dynamic: str, report: bool) -> list[Res]:
    v = _connection_value(t)
    if v is None:
        if report:
            t.finding("missing-parameter",
                      "an HTTP Task needs an EventBridge connection "
                      "(InvocationConfig.ConnectionArn or Authentication.ConnectionArn); "
                      "no permission granted for it", t.params.field)
        return []
    if v.dynamic:
        return [dynamic_res(t, v, dynamic, value_service="events")]
    m = _CONNECTION.fullmatch(v.text or "")
    if m is None:
        message = (f"{v.value!r} is not an EventBridge connection ARN "
                   "(arn:PARTITION:events:REGION:ACCOUNT:connection/NAME/ID)")
        if report:
            return malformed(t, v, message, dynamic)
        # the secret: the same decision, reported once (by the connection)
        return [] if _special(v) else [dynamic_res(t, v, dynamic)]
    # The pattern admits no IAM wildcard; the parts are escaped all the same.
    parts = {k: escape(x) for k, x in m.groupdict().items()}
    return [Res(static.format(arn=escape(v.text or ""), **parts), v.where)]


def connection(t: Task) -> list[Res]:
    return _connection(t, "{arn}", ANY_CONNECTION, report=True)


def connection_secret(t: Task) -> list[Res]:
    # The region and account are the connection's (as written), like the connection itself.
    return _connection(
        t,
        "arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/{name}/*",
        ANY_SECRET, report=False)


# --------------------------------------------------------------------------- endpoint


def _special(v: Value) -> bool:
    return v.static and isinstance(v.value, str) and has_iam_special(v.value)


def invoke_target(t: Task) -> list[Res]:
    """The state machine itself, when the call is well formed (ApiEndpoint and Method are
    required: without them the Task fails and nothing is granted). A malformed Method or
    ApiEndpoint holding IAM wildcard or policy-variable characters is refused too: its
    condition would be dropped, which is the widening those characters ask for."""
    missing = [key for key in ("ApiEndpoint", "Method") if t.value(key).absent]
    for key in missing:
        t.finding("missing-parameter",
                  f"an HTTP Task needs {key}; states:InvokeHTTPEndpoint not granted",
                  t.value(key).where)
    if missing:
        return []
    method, endpoint = t.value("Method"), t.value("ApiEndpoint")
    if _special(method) and method.value not in METHODS:
        return malformed(t, method, f"Method {method.value!r} should be one of "
                         f"{', '.join(METHODS)}; states:InvokeHTTPEndpoint not granted", "*")
    if _special(endpoint) and not endpoint.value.startswith("https://"):
        return malformed(t, endpoint, f"ApiEndpoint {endpoint.value!r} should be an https:// "
                         "URL; states:InvokeHTTPEndpoint not granted", "*")
    arn, _ = t.state_machine()
    return [Res(arn)]


def _dynamic_prefix(t: Task, v: Value) -> str | None:
    """The literal start of a dynamic ``ApiEndpoint`` when it names the host, else None.
    ``${Name}`` placeholders (DefinitionSubstitutions) are filled in the expression first,
    as they are in the deployed definition: ``States.Format('${BaseUrl}/items/{}', $.id)``;
    one left without a value leaves no literal start."""
    expr, missing = substitute(v.expr or "", t.env.substitutions)
    if missing:
        return None
    m = _FORMAT.match(expr)
    if m is not None:
        lit = _FORMAT_ESCAPE.sub(r"\1", m.group("lit"))
    elif (m := _JSONATA.match(expr)) is not None:
        lit = m.group("lit")
    else:
        return None
    return lit if _HOST_PREFIX.match(lit) else None


# The condition values are IAM literals: StringLike reads "*" and "?" as wildcards and both
# operators read "${" as a policy variable, so the user's text is escaped; the only wildcard
# is the deliberate "*" appended after it (query parameters, the dynamic rest of a URL).


def _endpoint_pattern(t: Task) -> str | None:
    v = t.value("ApiEndpoint")
    appended = not t.value("QueryParameters").absent
    if v.dynamic:
        prefix = _dynamic_prefix(t, v)
        if prefix is None:
            t.finding("dynamic-resource",
                      f"{v.reason} ({v.expr}) is known only at run time: "
                      "states:InvokeHTTPEndpoint granted without the states:HTTPEndpoint "
                      "condition (any endpoint)", v.where)
            return None
        t.finding("dynamic-resource",
                  f"{v.reason} ({v.expr}) is known only at run time: "
                  f"states:InvokeHTTPEndpoint granted for endpoints like {prefix}*", v.where)
        return escape(prefix) + "*"
    text = v.text
    if text is None or not text.startswith("https://"):
        # (one holding IAM wildcard characters was refused by invoke_target)
        t.finding("malformed-value", f"ApiEndpoint {v.value!r} should be an https:// URL",
                  v.where)
        if text is None:
            return None
    # Query parameters are appended to the URL at run time.
    return escape(text) + "*" if appended else escape(text)


def _method(t: Task) -> str | None:
    v = t.value("Method")
    if v.dynamic:
        t.finding("dynamic-resource",
                  f"{v.reason} ({v.expr}) is known only at run time: "
                  "states:InvokeHTTPEndpoint granted without the states:HTTPMethod condition "
                  "(any method)", v.where)
        return None
    if v.text is None or v.text not in METHODS:
        # (one holding IAM wildcard characters was refused by invoke_target)
        t.finding("malformed-value",
                  f"Method {v.value!r} should be one of {', '.join(METHODS)}", v.where)
    return None if v.text is None else escape(v.text)


def endpoint_condition(t: Task) -> dict[str, dict[str, Any]] | None:
    out: dict[str, dict[str, Any]] = {}
    method = _method(t)
    if method is not None:
        out["StringEquals"] = {"states:HTTPMethod": method}
    endpoint = _endpoint_pattern(t)
    if endpoint is not None:
        out["StringLike"] = {"states:HTTPEndpoint": endpoint}
    return out or None


RULES = {
    "invoke": Rule(
        RR_ONLY,
        (
            g("states:InvokeHTTPEndpoint", invoke_target, condition=endpoint_condition),
            g("events:RetrieveConnectionCredentials", connection),
            # The template example has secret:events!connection/* in any region and account;
            # the console scopes it to the connection's own secret (CURRENT-DOCS §3.11), which
            # is what is granted here.
            g(("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
              connection_secret),
        ),
        DOC,
    ),
}
