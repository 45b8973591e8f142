"""Amazon API Gateway: ``apigateway:invoke`` (request-response, ``.waitForTaskToken``).
Template: api-gateway-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html).

The template's resource ``arn:[[region]]:[[accountId]]:*`` is malformed (a known defect).
``execute-api:Invoke`` is authorised on the method being called::

    arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH

built from the parameters: ``ApiEndpoint`` (``API_ID.execute-api.REGION.amazonaws.com``) gives
the API id and region, ``Stage``, ``Method`` and ``Path`` the rest; the account is the state
machine's (IAM_ROLE calls cannot cross accounts, connect-api-gateway.md). A dynamic part
becomes ``*`` in its own segment only. A static Stage or Path is a literal (``*``, ``?``,
``${`` escaped); an ApiEndpoint or Method that is malformed *and* holds such characters is
refused (no grant) rather than widened to ``*``.
"""

from __future__ import annotations

from sfn_iam.arn import partition_for_region
from sfn_iam.catalogue import LazyPattern
from sfn_iam.params import Value, with_markers
from sfn_iam.rules import RR_WAIT, Res, Rule, escape, g, has_iam_special
from sfn_iam.task import Task

DOC = "connect-api-gateway.html"

METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
AUTH_TYPES = frozenset({"NO_AUTH", "IAM_ROLE", "RESOURCE_POLICY"})

_ENDPOINT = LazyPattern(
    r"^(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)"
    r"\.amazonaws\.com(?:\.cn)?$"
)
_HOST = LazyPattern(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


class _Parts:
    """The dynamic values that widened a segment of the ARN to ``*``."""

    def __init__(self) -> None:
        self.wild: list[Value] = []

    def widen(self, v: Value) -> str:
        self.wild.append(v)
        return "*"


def _check_auth_type(t: Task) -> bool:
    """``AuthType`` is NO_AUTH (the default), IAM_ROLE or RESOURCE_POLICY; True when it is
    NO_AUTH (given or by default).

    The 2023 template grants ``execute-api:Invoke`` to every apigateway:invoke state, and so do
    we, whatever the AuthType: with NO_AUTH API Gateway does not evaluate the role's policy, so
    the grant is unused there but harmless, and it keeps the workflow working when the API's
    method is later switched to IAM authorisation. (The template's only defect here is the
    malformed resource ARN.) With NO_AUTH the grant is marked template-only in its provenance
    (``Provenance.template_only``): a role without it still works, so an audit must not call
    it missing.
    """
    v = t.value("AuthType")
    if v.static and (not isinstance(v.value, str) or v.value not in AUTH_TYPES):
        t.finding("malformed-value",
                  f"AuthType {v.value!r} is not NO_AUTH, IAM_ROLE or RESOURCE_POLICY", v.where)
    return v.absent or (v.static and v.value == "NO_AUTH")


def _refused(t: Task, v: Value, what: str) -> bool:
    """A malformed static value holding IAM wildcard or policy-variable characters: a finding
    and no grant (its ``*`` fallback would be the widening those characters ask for)."""
    if not (isinstance(v.value, str) and has_iam_special(v.value)):
        return False
    t.finding("malformed-value",
              f"{what} {v.value!r} is malformed and contains IAM wildcard or policy-variable "
              "characters (*, ?, ${); no permission granted", v.where)
    return True


_MARKS = [f"zzsfniam{chr(97 + i)}zz" for i in range(26)]


def _partly_static_endpoint(t: Task, v: Value) -> tuple[str, str, str] | None:
    """(partition, region, API id) of an endpoint with ``${Name}`` placeholders left in it
    (``${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}`` once the pseudo parameters
    are filled): the static parts are kept, a part a placeholder touches is ``*``. None when
    the static parts do not say which region (rules.partial, for a host)."""
    text = v.value
    if text.__class__ is not str or "sfniam" in text:
        return None
    probe = with_markers(text.removeprefix("https://").rstrip("/"), _MARKS)
    m = _ENDPOINT.match(probe) if probe is not None else None
    if m is None or "sfniam" in m.group("region"):
        return None
    region = m.group("region")
    api = "*" if "sfniam" in m.group("api") else m.group("api")
    partition = t.env.partition or partition_for_region(region) or t.partition
    return partition, region, api


def _endpoint(t: Task, v: Value, parts: _Parts) -> tuple[str, str, str] | None:
    """(partition, region, API id) from ``ApiEndpoint`` (present); None when refused."""
    partition = t.env.partition_or(t.partition)
    if v.dynamic:
        known = _partly_static_endpoint(t, v)
        if known is not None:  # ${Api}.execute-api.us-east-1.amazonaws.com: the region is known
            parts.wild.append(v)
            return known
        # The endpoint names both the API and its region: both are unknown.
        return partition, "*", parts.widen(v)
    host = (v.text or "").removeprefix("https://").rstrip("/")
    m = _ENDPOINT.match(host)
    if m:
        region = m.group("region")
        partition = t.env.partition or partition_for_region(region) or t.partition
        return partition, region, m.group("api")
    if _refused(t, v, "ApiEndpoint"):
        return None
    if _HOST.match(host):
        # A custom domain name (which the integration does not support, connect-api-gateway.md):
        # IAM sees the API id behind it, which the definition does not say. The API is taken
        # to be in the state machine's region.
        t.finding("malformed-value",
                  f"ApiEndpoint {host!r} is a custom domain name, not API_ID.execute-api."
                  "REGION.amazonaws.com: the API id is unknown, execute-api:Invoke granted on "
                  "every API (*) for this stage, method and path", v.where)
        return partition, t.env.region_or_star(), "*"
    t.finding("malformed-value",
              f"ApiEndpoint {v.value!r} is not API_ID.execute-api.REGION.amazonaws.com; "
              "execute-api:Invoke granted on every API (*) in every region", v.where)
    return partition, "*", "*"


def _segment(t: Task, key: str, parts: _Parts, default: str) -> str:
    v = t.value(key)
    if v.absent:
        return default
    if v.dynamic:
        return parts.widen(v)
    if not isinstance(v.value, str):
        t.finding("malformed-value", f"{key} should be a string; granted on *", v.where)
        return "*"
    return escape(v.value)


def _method(t: Task, v: Value, parts: _Parts) -> str | None:
    if v.dynamic:
        return parts.widen(v)
    method = v.value.upper() if isinstance(v.value, str) else None
    if method not in METHODS:
        if _refused(t, v, "Method"):
            return None
        t.finding("malformed-value",
                  f"Method {v.value!r} is not one of {', '.join(sorted(METHODS))}; granted on *",
                  v.where)
        return "*"
    return method


def invoke_arn(t: Task) -> list[Res]:
    no_auth = _check_auth_type(t)
    endpoint, method_v = t.value("ApiEndpoint"), t.value("Method")
    for v in (endpoint, method_v):
        if v.absent:
            t.finding("missing-parameter",
                      f"apigateway:invoke needs {v.where.rsplit('.', 1)[-1]}; no permission granted",
                      v.where)
    if endpoint.absent or method_v.absent:
        return []
    parts = _Parts()
    found = _endpoint(t, endpoint, parts)
    # No Stage: an HTTP API's $default stage (the only case where Stage may be omitted).
    stage = _segment(t, "Stage", parts, "$default")
    method = _method(t, method_v, parts)
    path = _segment(t, "Path", parts, "")
    if found is None or method is None:
        return []
    partition, region, api = found
    # The resource path keeps its leading "/" (added when the Path omits it): GET /bills is
    # .../GET/bills, the root resource is .../GET/. Path parameters such as {id} are literal.
    path = "/*" if path == "*" else "/" + path.lstrip("/")
    account = t.env.account_or_star()
    arn = f"arn:{partition}:execute-api:{region}:{account}:{api}/{stage}/{method}{path}"
    if not parts.wild:
        return [Res(arn, endpoint.where, template_only=no_auth)]
    first, *rest = parts.wild
    for v in rest:  # the core reports the first; say which other values widened the ARN
        t.finding("dynamic-resource",
                  f"{v.reason or 'a dynamic value'} ({v.expr}) is known only at run time: "
                  f"execute-api:Invoke granted on {arn}", v.where)
    return [Res(arn, first.where, True, first.reason, first.expr, template_only=no_auth)]


RULES = {"invoke": Rule(RR_WAIT, (g("execute-api:Invoke", invoke_arn),), DOC)}
