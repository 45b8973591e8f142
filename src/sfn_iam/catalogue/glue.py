"""AWS Glue: ``glue:startJobRun`` (request-response, ``.sync``). Template: glue-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html, now part of
connect-glue.html).

The template grants on ``*`` ("AWS Glue does not have resource-based control"). The Service
Authorization Reference ("Actions defined by AWS Glue") now gives ``glue:StartJobRun``,
``glue:GetJobRun``, ``glue:GetJobRuns`` and ``glue:BatchStopJobRun`` the resource type
``job`` (required): ``arn:PARTITION:glue:REGION:ACCOUNT:job/JOB_NAME``. So they are granted
on the job the Task names (``JobName``); a dynamic name gives ``job/*`` with a
``dynamic-resource`` warning; ``--as-templates`` grants the template's ``*``.

The template's heading says "Request Response and Callback", but the Glue integration
supports no ``.waitForTaskToken`` (connect-glue.md, the optimized-integrations table): that
suffix is an unsupported pattern. No ``.sync`` EventBridge rule: Step Functions polls Glue.
"""

from __future__ import annotations

from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import ONLY_SYNC, RR_ONLY, RR_SYNC, Rule, escape, g, param, sar, star
from sfn_iam.task import Task

DOC = "connect-glue.html"
JOB = "arn:{partition}:glue:{region}:{account}:job/{name}"

# Glue job names: "Single-line string pattern", 1 to 255 characters (no line breaks).
_NAME = LazyPattern(r"^[^\r\n]{1,255}$")


def _job(t: Task, text: str) -> str | None:
    # StartJobRun takes a name, not an ARN: an ARN is not a job name
    if text.startswith("arn:") or not _NAME.match(text):
        return None
    return t.named(JOB, escape(text))

JOB_NAME = sar(param("JobName", "", "arn:{partition}:glue:{region}:{account}:job/*",
                     convert=_job, expected="a Glue job name"), star)

RULES = {
    "startJobRun": Rule(
        RR_SYNC,
        (
            # One grant per pattern, so that a dynamic JobName is reported once per state.
            g("glue:StartJobRun", JOB_NAME, when=RR_ONLY),
            g(("glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"),
              JOB_NAME, when=ONLY_SYNC),
        ),
        DOC,
    ),
}
