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
"""

from __future__ import annotations

import re
from typing import Any

from sfn_iam.params import Value
from sfn_iam.rules import RR_ONLY, Res, Rule, dynamic_res, g
from sfn_iam.task import Task

DOC = "call-https-apis.html"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")

ANY_CONNECTION = "arn:{partition}:events:{region}:{account}:connection/*"
ANY_SECRET = "arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/*"
_CONNECTION = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):events:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"connection/(?P<name>[.\-_A-Za-z0-9]{1,64})(?:/[0-9A-Za-z-]+)?$"
)
# The literal start of a dynamic endpoint: States.Format('LITERAL{}...', ...) or the JSONata
# {% 'LITERAL' & ... %}.
_FORMAT = re.compile(r"^\s*States\.Format\(\s*'(?P<lit>[^'\\{]*)(?P<rest>[^']*)'")
_JSONATA = re.compile(r"^\s*\{%\s*(?P<q>['\"])(?P<lit>[^'\"\\]*)(?P=q)\s*&")
# A prefix narrows the endpoint only when it names the whole host (scheme://host/...);
# "https://api.example.com*" would also match https://api.example.com.attacker.net.
_HOST_PREFIX = re.compile(r"^https?://[^/?#*]+/")


# --------------------------------------------------------------------------- connection


def _connection_value(t: Task) -> Value | None:
    """``InvocationConfig.ConnectionArn`` or ``Authentication.ConnectionArn`` (legacy); None
    and one finding when neither is given: an HTTP Task requires a connection."""
    for path in (("InvocationConfig", "ConnectionArn"), ("Authentication", "ConnectionArn")):
        v = t.value(*path)
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
        return [dynamic_res(t, v, dynamic)]
    m = _CONNECTION.match(v.text or "")
    if m is None:
        if report:
            t.finding("malformed-value",
                      f"{v.value!r} is not an EventBridge connection ARN "
                      "(arn:PARTITION:events:REGION:ACCOUNT:connection/NAME/ID)", v.where)
        return [dynamic_res(t, v, dynamic)]
    return [Res(static.format(arn=v.text, **m.groupdict()), v.where)]


def connection(t: Task) -> list[Res]:
    return _connection(t, "{arn}", ANY_CONNECTION, report=True)


def connection_secret(t: Task) -> list[Res]:
    # The region and account are the connection's (as written), like the connection itself.
    return _connection(
        t,
        "arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/{name}/*",
        ANY_SECRET, report=False)


# --------------------------------------------------------------------------- endpoint


def invoke_target(t: Task) -> list[Res]:
    """The state machine itself, when the call is well formed (ApiEndpoint and Method are
    required: without them the Task fails and nothing is granted)."""
    missing = [key for key in ("ApiEndpoint", "Method") if t.value(key).absent]
    for key in missing:
        t.finding("missing-parameter",
                  f"an HTTP Task needs {key}; states:InvokeHTTPEndpoint not granted",
                  t.value(key).where)
    if missing:
        return []
    arn, _ = t.state_machine()
    return [Res(arn)]


def _dynamic_prefix(v: Value) -> str | None:
    """The literal start of a dynamic ``ApiEndpoint`` when it names the host, else None."""
    expr = v.expr or ""
    m = _FORMAT.match(expr) or _JSONATA.match(expr)
    if m is None:
        return None
    lit = m.group("lit")
    return lit if _HOST_PREFIX.match(lit) else None


def _endpoint_pattern(t: Task) -> str | None:
    v = t.value("ApiEndpoint")
    appended = not t.value("QueryParameters").absent
    if v.dynamic:
        prefix = _dynamic_prefix(v)
        if prefix is None:
            t.finding("dynamic-resource",
                      f"{v.reason} ({v.expr}) is known only at run time: "
                      "states:InvokeHTTPEndpoint granted without the states:HTTPEndpoint "
                      "condition (any endpoint)", v.where)
            return None
        t.finding("dynamic-resource",
                  f"{v.reason} ({v.expr}) is known only at run time: "
                  f"states:InvokeHTTPEndpoint granted for endpoints like {prefix}*", v.where)
        return prefix + "*"
    text = v.text
    if text is None or not text.startswith("https://"):
        t.finding("malformed-value", f"ApiEndpoint {v.value!r} should be an https:// URL",
                  v.where)
        if text is None:
            return None
    # Query parameters are appended to the URL at run time.
    return text + "*" if appended else text


def _method(t: Task) -> str | None:
    v = t.value("Method")
    if v.dynamic:
        t.finding("dynamic-resource",
                  f"{v.reason} ({v.expr}) is known only at run time: "
                  "states:InvokeHTTPEndpoint granted without the states:HTTPMethod condition "
                  "(any method)", v.where)
        return None
    if v.text is None or v.text not in METHODS:
        t.finding("malformed-value",
                  f"Method {v.value!r} should be one of {', '.join(METHODS)}", v.where)
    return v.text


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
