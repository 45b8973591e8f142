"""AWS Batch: ``batch:submitJob`` (request-response, ``.sync``). Template: batch-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html, now part of
connect-batch.html).

The template grants ``batch:SubmitJob`` on ``*`` ("AWS Batch has only partial resource-level
control"). The Service Authorization Reference now lists resource types for it, and the Batch
user guide ("Resource: Restrict to a job queue", "... job definition prefix") scopes it: "you
must provide both job queue and job definition resource types". So sfn-iam grants (SAR,
"Actions defined by AWS Batch"):

- ``batch:SubmitJob`` on the ``job-queue`` (``job-queue/NAME``, required) and the
  ``job-definition`` / ``job-definition-revision`` (``job-definition/NAME`` and
  ``job-definition/NAME:REVISION``; ``NAME:*`` for the latest revision) the Task names, and on
  ``job`` (``job/*``, required by the SAR; the job ID exists only once it is submitted);
- ``.sync``: ``batch:TerminateJob`` on ``job/*`` (SAR ``job``, the job ID known only at run
  time) and ``batch:DescribeJobs`` on ``*`` (the SAR lists no resource type for it).

``--as-templates`` grants the template's ``*`` instead. A dynamic queue or definition gives
``job-queue/*`` / ``job-definition/*`` in the machine's region and account, with a
``dynamic-resource`` warning. SubmitJob passes no IAM role.
"""

from __future__ import annotations

from sfn_iam.arn import parse_arn
from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import (
    ONLY_SYNC,
    RR_SYNC,
    Rule,
    both,
    escape,
    events_rule,
    fixed,
    g,
    param,
    sar,
    star,
)
from sfn_iam.task import Task

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

DOC = "connect-batch.html"
EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
BATCH = "arn:{partition}:batch:{region}:{account}:"
JOBS = fixed(BATCH + "job/*")

_NAME = r"[A-Za-z0-9_-]{1,128}"
_QUEUE = LazyPattern(rf"^job-queue/{_NAME}$")
_DEFINITION = LazyPattern(rf"^(?P<name>{_NAME})(?::(?P<rev>[0-9]{{1,10}}))?$")


def _queue_arn(_: Task, text: str) -> str | None:
    parsed = parse_arn(text)
    ok = parsed is not None and parsed.service == "batch" and _QUEUE.match(parsed.resource)
    return escape(text) if ok else None


def _definition(text: str, revision: bool) -> tuple[str, str] | None:
    """``(escaped prefix up to "job-definition/", the resource after it)`` for a job
    definition name, ``NAME:REVISION`` or ARN: ``NAME`` (``revision`` False) or
    ``NAME:REVISION`` / ``NAME:*`` (``revision`` True)."""
    prefix = ""
    if text.startswith("arn:"):
        parsed = parse_arn(text)
        if (parsed is None or parsed.service != "batch"
                or not parsed.resource.startswith("job-definition/")):
            return None
        prefix = escape(f"arn:{parsed.partition}:batch:{parsed.region}:{parsed.account}:")
        text = parsed.resource[len("job-definition/"):]
    m = _DEFINITION.match(text)
    if m is None:
        return None
    name = escape(m.group("name"))
    if not revision:
        return prefix, name
    return prefix, f"{name}:{m.group('rev') or '*'}"


def _definition_of(revision: bool) -> Callable[[Task, str], str | None]:
    def convert(t: Task, text: str) -> str | None:
        found = _definition(text, revision)
        if found is None:
            return None
        prefix, rest = found
        if prefix:
            return f"{prefix}job-definition/{rest}"
        return t.named(BATCH + "job-definition/{name}", rest)

    return convert


_EXPECTED = "a job definition name, NAME:REVISION or job-definition ARN"
QUEUE = param("JobQueue", BATCH + "job-queue/{name}", BATCH + "job-queue/*",
              from_arn=_queue_arn, service="batch")
DEFINITION = both(
    param("JobDefinition", "", BATCH + "job-definition/*", prefix_arn=True,
          convert=_definition_of(False), expected=_EXPECTED),
    param("JobDefinition", "", BATCH + "job-definition/*", prefix_arn=True,
          convert=_definition_of(True), expected=_EXPECTED),
)

RULES = {
    "submitJob": Rule(
        RR_SYNC,
        (
            g("batch:SubmitJob", sar(both(QUEUE, DEFINITION, JOBS), star)),
            g("batch:TerminateJob", sar(JOBS, star), when=ONLY_SYNC),
            g("batch:DescribeJobs", star, when=ONLY_SYNC),
            g(EVENTS, events_rule("StepFunctionsGetEventsForBatchJobsRule"), when=ONLY_SYNC),
        ),
        DOC,
    ),
}
