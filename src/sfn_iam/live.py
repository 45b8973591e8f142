"""State machines and roles read from a live account (the optional extra ``sfn-iam[aws]``).

boto3 is imported only here, and only when a live path is used. Credentials, region and
endpoint come the boto3 way (profile, environment, ``AWS_ENDPOINT_URL``, config files). Every
call the reader makes is listed in :data:`CALLS` with the IAM action it needs: a missing
permission is one line naming that action, and :func:`reader_policy` is the least-privilege
policy of the reader itself."""

from __future__ import annotations

import re

from sfn_iam.errors import SfnIamError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from sfn_iam.generate import GenerateResult

_MACHINES = "arn:{partition}:states:{region}:{account}:stateMachine:*"
_ROLES = "arn:{partition}:iam::{account}:role/*"
#: AWS managed policies live in the account "aws": the reader reads any policy attached
_POLICIES = "arn:{partition}:iam::*:policy/*"

#: every call the reader makes: API operation -> (IAM action, resource it is authorised on)
CALLS: dict[str, tuple[str, str]] = {
    "ListStateMachines": ("states:ListStateMachines", "*"),
    "DescribeStateMachine": ("states:DescribeStateMachine", _MACHINES),
    "DescribeStateMachineAlias": ("states:DescribeStateMachineAlias", _MACHINES),
    "GetRole": ("iam:GetRole", _ROLES),
    "ListRolePolicies": ("iam:ListRolePolicies", _ROLES),
    "GetRolePolicy": ("iam:GetRolePolicy", _ROLES),
    "ListAttachedRolePolicies": ("iam:ListAttachedRolePolicies", _ROLES),
    "GetPolicy": ("iam:GetPolicy", _POLICIES),
    "GetPolicyVersion": ("iam:GetPolicyVersion", _POLICIES),
}

_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
#: the credentials themselves were refused (not a missing permission)
_REJECTED = frozenset({"UnrecognizedClientException", "InvalidClientTokenId",
                       "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
                       "InvalidSignatureException"})

#: partition -> a region whose IAM endpoint serves it (``aws`` needs none: aws-global)
_IAM_REGION = {"aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}

_MACHINE_ARN = re.compile(r"arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:"
                          r"([A-Za-z0-9_-]{1,80})(?::([A-Za-z0-9_-]{1,80}))?")


class LiveError(SfnIamError):
    """The account could not be read (permissions, credentials, a missing resource): exit 2."""


def is_state_machine_arn(text: str) -> bool:
    return _MACHINE_ARN.fullmatch(text) is not None


def reader_policy(partition: str = "aws", region: str = "*",
                  account: str = "*") -> dict[str, Any]:
    """The least-privilege policy of the reader itself: read-only, the actions of
    :data:`CALLS` on their resources, merged as every policy is."""
    from sfn_iam.model import Grant, Provenance
    from sfn_iam.policy import document, merge

    grants = [Grant((action,), (resource.format(partition=partition, region=region,
                                                account=account),),
                    Provenance(("(reader)",), f"live:{operation}"))
              for operation, (action, resource) in CALLS.items()]
    return document(merge(grants))


class Session:
    """A boto3 session and its clients, made on first use; every call goes through
    :meth:`call`, which turns AWS errors into one-line :class:`LiveError`."""

    def __init__(self, profile: str | None = None, region: str | None = None,
                 endpoint_url: str | None = None) -> None:
        self.profile = profile
        self.region = region
        self.endpoint_url = endpoint_url
        self._session: Any = None
        self._clients: dict[tuple[str, str | None], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        found = self._clients.get(key)
        if found is None:
            try:
                import boto3  # type: ignore[import-untyped,unused-ignore]
            except ImportError:
                raise LiveError("reading a live account needs boto3: pip install "
                                "'sfn-iam[aws]'") from None
            if self._session is None:
                self._session = self._make(boto3)
            found = self._session.client(service, region_name=key[1],
                                         endpoint_url=self.endpoint_url)
            self._clients[key] = found
        return found

    def _make(self, boto3: Any) -> Any:
        from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
            ProfileNotFound,
        )

        try:
            return boto3.session.Session(profile_name=self.profile)
        except ProfileNotFound as exc:
            raise LiveError(str(exc)) from None

    def call(self, service: str, operation: str, subject: str, region: str | None = None,
             **kwargs: Any) -> dict[str, Any]:
        """``operation`` of ``service`` (API name, e.g. ``DescribeStateMachine``) on
        ``subject`` (named in errors)."""
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
        client = self.client(service, region)  # first: without boto3, the message says so
        from botocore import exceptions as bx  # type: ignore[import-untyped,unused-ignore]

        try:
            return dict(getattr(client, method)(**kwargs))
        except bx.ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = str(error.get("Code", "")), str(error.get("Message", ""))
            inner = re.search(r"<Code>([^<]*)</Code>.*<Message>([^<]*)</Message>", message, re.S)
            if inner:  # an XML error body the client did not parse
                code, message = inner.group(1), inner.group(2)
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _REJECTED or "security token" in message:
                raise LiveError(f"{subject}: the AWS credentials were refused ({code}: "
                                f"{message}); check the profile or the AWS_* variables") from None
            if (code in _DENIED or "AccessDenied" in code or "not authorized" in message
                    or status == 403):
                action = CALLS[operation][0]
                raise LiveError(f"{subject}: access denied: reading it needs the IAM "
                                f"permission {action} (the reader's least-privilege policy "
                                "is in the README, 'Live accounts')") from None
            raise LiveError(f"{subject}: {operation} failed: {code}: {message}") from None
        except bx.NoCredentialsError:
            raise LiveError("no AWS credentials found (set a profile or the AWS_* environment "
                            "variables, as for the AWS CLI)") from None
        except bx.NoRegionError:
            raise LiveError("no AWS region given (pass --all-in-region REGION or set "
                            "AWS_REGION)") from None
        except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError) as exc:
            raise LiveError(f"{subject}: cannot reach AWS: {exc}") from None
        except bx.BotoCoreError as exc:
            raise LiveError(f"{subject}: {operation} failed: {exc}") from None


class Machine:
    """A state machine as read from the account: what ``generate`` needs to work out its
    policy (definitions of every version an alias routes to, settings) and its role."""

    __slots__ = ("arn", "definitions", "kms_key", "logging", "role_arns", "xray")

    def __init__(self, arn: str, definitions: list[tuple[str, str]], role_arns: list[str],
                 logging: bool = False, xray: bool = False, kms_key: str | None = None) -> None:
        #: the unqualified ARN (what the policy grants on: AWS authorises versions and
        #: aliases on the state machine's ARN)
        self.arn = arn
        #: (the ARN read, the definition text): one, or one per version an alias routes to
        self.definitions = definitions
        self.role_arns = role_arns
        self.logging = logging
        self.xray = xray
        self.kms_key = kms_key

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]


def describe(arn: str, session: Session | None = None) -> Machine:
    """Read a state machine: DescribeStateMachine of the ARN (a version ARN reads that
    version); an alias ARN is read with DescribeStateMachineAlias, then every version it
    routes to."""
    m = _MACHINE_ARN.fullmatch(arn)
    if m is None:
        raise LiveError(f"{arn}: not a state machine ARN such as "
                        "arn:aws:states:us-east-1:123456789012:stateMachine:NAME[:VERSION|ALIAS]")
    session = session or Session()
    region, qualifier = m.group(2), m.group(5)
    unqualified = arn if qualifier is None else arn.rsplit(":", 1)[0]
    if qualifier is None or qualifier.isdigit():
        read = [arn]
    else:
        alias = session.call("stepfunctions", "DescribeStateMachineAlias", arn, region,
                             stateMachineAliasArn=arn)
        read = [str(r["stateMachineVersionArn"]) for r in alias.get("routingConfiguration", [])]
        if not read:
            raise LiveError(f"{arn}: the alias routes to no version")
    definitions, roles = [], []
    logging = xray = False
    kms_key = None
    for version in read:
        d = session.call("stepfunctions", "DescribeStateMachine", version, region,
                         stateMachineArn=version)
        definitions.append((version, str(d["definition"])))
        if d.get("roleArn") and d["roleArn"] not in roles:
            roles.append(str(d["roleArn"]))
        logging |= (d.get("loggingConfiguration") or {}).get("level", "OFF") != "OFF"
        xray |= bool((d.get("tracingConfiguration") or {}).get("enabled"))
        enc = d.get("encryptionConfiguration") or {}
        if enc.get("type") == "CUSTOMER_MANAGED_KMS_KEY" and enc.get("kmsKeyId"):
            kms_key = str(enc["kmsKeyId"])
            if kms_key.startswith("alias/"):  # an alias name: its ARN (a warning says why
                kms_key = f"arn:{m.group(1)}:kms:{region}:{m.group(3)}:{kms_key}"  # not ideal)
    return Machine(unqualified, definitions, roles, logging, xray, kms_key)


def list_state_machines(region: str, session: Session | None = None,
                        page_size: int | None = None) -> Iterator[str]:
    """The ARN of every state machine of the account in ``region`` (ListStateMachines,
    every page; ``page_size`` as maxResults)."""
    session = session or Session()
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"nextToken": token} if token else {}
        if page_size:
            kwargs["maxResults"] = page_size
        page = session.call("stepfunctions", "ListStateMachines", f"region {region}", region,
                            **kwargs)
        for item in page.get("stateMachines", []):
            yield str(item["stateMachineArn"])
        token = page.get("nextToken")
        if not token:
            return


def generate(machine: Machine, *, substitutions: dict[str, str] | None = None,
             qualifier_condition: bool = False) -> GenerateResult:
    """The policy of a machine read from the account (its settings included). For an alias
    that routes to two versions, the policy both need."""
    from sfn_iam.generate import generate_policy

    results = [generate_policy(text, state_machine_arn=machine.arn, source=source,
                               xray=machine.xray, logging=machine.logging,
                               kms_key=machine.kms_key, substitutions=substitutions,
                               qualifier_condition=qualifier_condition)
               for source, text in machine.definitions]
    return results[0] if len(results) == 1 else _union(results)


def _union(results: list[GenerateResult]) -> GenerateResult:
    from sfn_iam import policy
    from sfn_iam.generate import GenerateResult

    grants = [g for r in results for g in r.grants]
    findings = list(dict.fromkeys(f for r in results for f in r.warnings))
    doc = policy.document(policy.merge(grants)) if grants else results[0].document
    return GenerateResult(doc, findings, grants, sum(r.task_states for r in results),
                          sum(r.recognised for r in results),
                          sum(r.activities for r in results), sum(r.states for r in results),
                          {k: v for r in results for k, v in r.target_policies.items()}, {},
                          policy.policy_size(doc),
                          sorted({s for r in results for s in r.unjudged}))


def role_policies(role_arn: str, session: Session | None = None) -> list[dict[str, Any]]:
    """Every policy of a role: ``{"name", "type": "inline", "document"}`` for its inline
    policies (ListRolePolicies, GetRolePolicy), then ``{"name", "type": "managed", "arn",
    "document"}`` for the managed policies attached (ListAttachedRolePolicies, GetPolicy,
    GetPolicyVersion of the default version); each in the order IAM lists them. GetRole first:
    a missing role is one clear error."""
    session = session or Session()
    name = role_arn.rsplit("/", 1)[-1]
    if not role_arn.startswith("arn:") or ":role/" not in role_arn:
        raise LiveError(f"{role_arn}: not an IAM role ARN such as "
                        "arn:aws:iam::123456789012:role/NAME")
    # IAM is global to a partition: outside "aws", a region of the role's partition picks
    # its endpoint (a client without a region is aws-global)
    region = _IAM_REGION.get(role_arn.split(":")[1])
    session.call("iam", "GetRole", role_arn, region, RoleName=name)
    out: list[dict[str, Any]] = []
    for policy_name in _pages(session, "ListRolePolicies", role_arn, region, "PolicyNames",
                              RoleName=name):
        got = session.call("iam", "GetRolePolicy", role_arn, region, RoleName=name,
                           PolicyName=policy_name)
        out.append({"name": str(policy_name), "type": "inline",
                    "document": _document(got["PolicyDocument"])})
    for attached in _pages(session, "ListAttachedRolePolicies", role_arn, region,
                           "AttachedPolicies", RoleName=name):
        arn = str(attached["PolicyArn"])
        meta = session.call("iam", "GetPolicy", arn, region, PolicyArn=arn)["Policy"]
        version = session.call("iam", "GetPolicyVersion", arn, region, PolicyArn=arn,
                               VersionId=meta["DefaultVersionId"])["PolicyVersion"]
        out.append({"name": str(attached["PolicyName"]), "type": "managed", "arn": arn,
                    "document": _document(version["Document"])})
    return out


def _pages(session: Session, operation: str, subject: str, region: str | None, key: str,
           **kwargs: Any) -> Iterator[Any]:
    """The items of every page of an IAM list operation (``Marker`` / ``IsTruncated``)."""
    marker: str | None = None
    while True:
        page = session.call("iam", operation, subject, region, **kwargs,
                            **({"Marker": marker} if marker else {}))
        yield from page.get(key, [])
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            return


def _document(doc: object) -> dict[str, Any]:
    """A policy document as IAM returns it: boto3 decodes it; URL-encoded JSON otherwise."""
    if isinstance(doc, str):
        import json
        from urllib.parse import unquote

        doc = json.loads(unquote(doc))
    if not isinstance(doc, dict):
        raise LiveError(f"a policy document is not a JSON object: {doc!r:.80}")
    return doc


def each(arns: list[str], session: Session,
         progress: Callable[[int, int, str], None] | None = None
         ) -> Iterator[tuple[str, Machine | LiveError]]:
    """``(arn, machine)`` for every ARN, or ``(arn, error)`` when that one cannot be read;
    ``progress(done, total, arn)`` before each."""
    for i, arn in enumerate(arns):
        if progress is not None:
            progress(i, len(arns), arn)
        try:
            yield arn, describe(arn, session)
        except LiveError as exc:
            yield arn, exc
