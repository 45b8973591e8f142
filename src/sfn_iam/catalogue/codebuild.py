"""AWS CodeBuild: ``startBuild``, ``startBuildBatch``, ``retryBuildBatch`` (request-response,
``.sync``) and ``stopBuild``, ``batchDeleteBuilds``, ``batchGetReports``, ``stopBuildBatch``,
``deleteBuildBatch`` (request-response). Template: codebuild-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html, now part of
connect-codebuild.html).

The per-API templates are the reference. The first "Resources" example of the page (an SNS
topic and StartBuild/StopBuild/BatchGetBuilds/BatchGetReports on ``*`` in ``sa-east-1``,
account ``123456789012``) is a sample policy with concrete values, a listed defect: not used.

Every API is authorised on the project (``project/NAME``), except BatchGetReports, on the
report group (``report-group/NAME``). Where the project comes from:

- ``ProjectName`` (startBuild, startBuildBatch): a name or a project ARN;
- ``Id`` / ``Ids`` (the others): a build ID ``PROJECT:UUID``, a build ARN
  ``arn:...:build/PROJECT:UUID`` or, for the batch APIs, a build-batch ARN
  ``arn:...:build-batch/PROJECT:UUID``: the project is the part before the colon;
- ``ReportArns`` (batchGetReports): ``arn:...:report/GROUP:ID`` -> ``report-group/GROUP``.

The dynamic forms differ per API in the template and are followed exactly:
``arn:PARTITION:codebuild:REGION:*:project/*`` (any account) for StartBuild, StopBuild and
BatchDeleteBuilds, ``...:REGION:*:report-group/*`` for BatchGetReports, and
``...:REGION:ACCOUNT:project/*`` for the four build-batch APIs.
"""

from __future__ import annotations

from sfn_iam.arn import parse_arn
from sfn_iam.catalogue import LazyPattern
from sfn_iam.params import Value
from sfn_iam.rules import (
    ONLY_SYNC,
    RR_ONLY,
    RR_SYNC,
    Res,
    Resolver,
    Rule,
    dynamic_value,
    escape,
    events_rule,
    g,
    malformed,
    passed_to,
    role,
)
from sfn_iam.task import Task

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

    #: turns one static string into the resource ARN, or None when it is not the expected form.
    Convert = Callable[[Task, str], "str | None"]

DOC = "connect-codebuild.html"
EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")

PROJECT = "arn:{partition}:codebuild:{region}:{account}:project/{name}"
ANY_ACCOUNT_PROJECTS = "arn:{partition}:codebuild:{region}:*:project/*"
ANY_ACCOUNT_REPORT_GROUPS = "arn:{partition}:codebuild:{region}:*:report-group/*"
PROJECTS = "arn:{partition}:codebuild:{region}:{account}:project/*"

_NAME = LazyPattern(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$")
_ID = LazyPattern(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_-]{1,254}):(?P<uuid>[^:/\s]+)$")


def _arn(text: str, kind: str) -> tuple[str, str] | None:
    """``(arn-prefix up to the account, rest after 'kind/')`` for a codebuild ARN of ``kind``.
    The prefix is escaped (its partition, region and account are not checked); the rest is
    raw, for the caller to check and escape."""
    a = parse_arn(text)
    if a is None or a.service != "codebuild" or not a.resource.startswith(kind + "/"):
        return None
    return escape(f"arn:{a.partition}:codebuild:{a.region}:{a.account}"), a.resource[len(kind) + 1:]


def project_name(t: Task, text: str) -> str | None:
    """``ProjectName``: a project name or a project ARN (used as written)."""
    if text.startswith("arn:"):
        parts = _arn(text, "project")
        return escape(text) if parts and _NAME.match(parts[1]) else None
    return t.fmt(PROJECT, name=escape(text)) if _NAME.match(text) else None


def build_project(*kinds: str) -> Convert:
    """The project of a build (batch) ID ``PROJECT:UUID`` or of an ARN of one of ``kinds``
    (``build``, ``build-batch``): the project ARN in the same partition/region/account."""

    def convert(t: Task, text: str) -> str | None:
        if text.startswith("arn:"):
            for kind in kinds:
                parts = _arn(text, kind)
                m = _ID.match(parts[1]) if parts else None
                if parts and m:
                    return f"{parts[0]}:project/{escape(m.group('name'))}"
            return None
        m = _ID.match(text)
        return t.fmt(PROJECT, name=escape(m.group("name"))) if m else None

    return convert


def report_group(t: Task, text: str) -> str | None:
    """The report group of a report ARN ``arn:...:report/GROUP:ID``."""
    parts = _arn(text, "report")
    m = _ID.match(parts[1]) if parts else None
    return f"{parts[0]}:report-group/{escape(m.group('name'))}" if parts and m else None


def _one(t: Task, v: Value, convert: Convert, dynamic: str, expected: str) -> list[Res]:
    if v.dynamic:
        return dynamic_value(t, v, dynamic, lambda text: convert(t, text))
    arn = convert(t, v.text or "")
    if arn is None:
        return malformed(t, v, f"{v.value!r} is not {expected}", dynamic)
    return [Res(arn, v.where)]


def one(path: str, convert: Convert, dynamic: str, expected: str) -> Resolver:
    """The resource named by the single value at ``path``."""

    def resolve(t: Task) -> list[Res]:
        v = t.value(path)
        if v.absent:
            t.finding("missing-parameter",
                      f"{t.integration} needs {path}; no permission granted", v.where)
            return []
        return _one(t, v, convert, dynamic, expected)

    return resolve


def each(path: str, convert: Convert, dynamic: str, expected: str) -> Resolver:
    """The resources named by every element of the list at ``path`` (a dynamic list, or a
    dynamic element, gives the dynamic form)."""

    def resolve(t: Task) -> list[Res]:
        elements = t.items(path)
        if not elements:
            v = t.value(path)
            t.finding("missing-parameter" if v.absent else "malformed-value",
                      f"{t.integration} needs {path}, a non-empty list; no permission granted",
                      v.where)
            return []
        return [res for _, v in elements for res in _one(t, v, convert, dynamic, expected)]

    return resolve


# Not in the template: StartBuild and StartBuildBatch take ServiceRoleOverride, and CodeBuild
# requires iam:PassRole on it (rule 3 of the house: every role passed in parameters).
PASS_ROLE = g("iam:PassRole", role("ServiceRoleOverride"), condition=passed_to("codebuild.amazonaws.com"))

_PROJECT_NAME = "a CodeBuild project name or project ARN"
_BUILD_ID = "a build ID (PROJECT:UUID) or build ARN"
_BATCH_ID = "a build batch ID (PROJECT:UUID) or build-batch ARN"
_REPORT = "a report ARN (arn:...:report/GROUP:ID)"

START_BUILD = one("ProjectName", project_name, ANY_ACCOUNT_PROJECTS, _PROJECT_NAME)
START_BATCH = one("ProjectName", project_name, PROJECTS, _PROJECT_NAME)
BATCH_OF_ID = one("Id", build_project("build-batch"), PROJECTS, _BATCH_ID)

RULES = {
    "startBuild": Rule(
        RR_SYNC,
        (
            # One grant per pattern, so that the project is resolved (and reported) once.
            g("codebuild:StartBuild", START_BUILD, when=RR_ONLY),
            g(("codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds"),
              START_BUILD, when=ONLY_SYNC),
            g(EVENTS, events_rule("StepFunctionsGetEventForCodeBuildStartBuildRule"), when=ONLY_SYNC),
            PASS_ROLE,
        ),
        DOC,
    ),
    "stopBuild": Rule(
        RR_ONLY,
        (g("codebuild:StopBuild",
           one("Id", build_project("build"), ANY_ACCOUNT_PROJECTS, _BUILD_ID)),),
        DOC,
    ),
    "batchDeleteBuilds": Rule(
        RR_ONLY,
        (g("codebuild:BatchDeleteBuilds",
           each("Ids", build_project("build"), ANY_ACCOUNT_PROJECTS, _BUILD_ID)),),
        DOC,
    ),
    "batchGetReports": Rule(
        RR_ONLY,
        (g("codebuild:BatchGetReports",
           each("ReportArns", report_group, ANY_ACCOUNT_REPORT_GROUPS, _REPORT)),),
        DOC,
    ),
    "startBuildBatch": Rule(
        RR_SYNC,
        (
            g("codebuild:StartBuildBatch", START_BATCH, when=RR_ONLY),
            g(("codebuild:StartBuildBatch", "codebuild:StopBuildBatch",
               "codebuild:BatchGetBuildBatches"), START_BATCH, when=ONLY_SYNC),
            g(EVENTS, events_rule("StepFunctionsGetEventForCodeBuildStartBuildBatchRule"),
              when=ONLY_SYNC),
            PASS_ROLE,
        ),
        DOC,
    ),
    "stopBuildBatch": Rule(RR_ONLY, (g("codebuild:StopBuildBatch", BATCH_OF_ID),), DOC),
    "retryBuildBatch": Rule(
        RR_SYNC,
        (
            g("codebuild:RetryBuildBatch", BATCH_OF_ID, when=RR_ONLY),
            # The template's .sync for RetryBuildBatch shows no EventBridge rule statement
            # (unlike StartBuildBatch): followed as written, so none is granted.
            g(("codebuild:RetryBuildBatch", "codebuild:StopBuildBatch",
               "codebuild:BatchGetBuildBatches"), BATCH_OF_ID, when=ONLY_SYNC),
        ),
        DOC,
    ),
    "deleteBuildBatch": Rule(RR_ONLY, (g("codebuild:DeleteBuildBatch", BATCH_OF_ID),), DOC),
}
