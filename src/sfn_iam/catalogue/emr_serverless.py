"""Amazon EMR Serverless: ``emr-serverless:<api>``, every API request-response and ``.sync``
(no ``.waitForTaskToken``). Template: CURRENT-DOCS §3.8, the IAM section of
https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr-serverless.html (new since the
2023 snapshot).

- ``createApplication``: ``CreateApplication`` on ``arn:...:emr-serverless:R:A:/*`` and the
  service-linked role; ``.sync`` polls and deletes ``/applications/*`` (the ID is not known
  before the call) and uses ``StepFunctionsGetEventsForEMRServerlessApplicationRule``;
- ``startApplication``, ``stopApplication``, ``deleteApplication``: the action on the
  application (``ApplicationId``), ``.sync`` adds ``GetApplication`` (and ``StopApplication``
  to cancel a start) and the same rule;
- ``startJobRun``: ``StartJobRun`` on the application and ``iam:PassRole`` on
  ``ExecutionRoleArn``; ``.sync`` adds ``GetJobRun``/``CancelJobRun`` on its job runs and
  ``StepFunctionsGetEventsForEMRServerlessJobRule``;
- ``cancelJobRun``: ``CancelJobRun`` on the job run (``JobRunId``), ``.sync`` adds
  ``GetJobRun`` and the job rule.

An application is ``arn:PARTITION:emr-serverless:REGION:ACCOUNT:/applications/ID`` (the
resource part starts with ``/``); a dynamic application gives ``/applications/*``, as the
template's dynamic form. IDs admit no IAM wildcard (a malformed one holding ``*``, ``?`` or
``${`` is refused: no grant for it); roles are escaped by :func:`sfn_iam.rules.role`.
"""

from __future__ import annotations

from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import (
    ONLY_SYNC,
    RR_ONLY,
    RR_SYNC,
    Res,
    Rule,
    dynamic_res,
    escape,
    events_rule,
    fixed,
    g,
    has_iam_special,
    malformed,
    param,
    passed_to,
    role,
)
from sfn_iam.task import Task

DOC = "connect-emr-serverless.html"
EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
APP_RULE = events_rule("StepFunctionsGetEventsForEMRServerlessApplicationRule")
JOB_RULE = events_rule("StepFunctionsGetEventsForEMRServerlessJobRule")

APP = "arn:{partition}:emr-serverless:{region}:{account}:/applications/{name}"
ANY_APP = "arn:{partition}:emr-serverless:{region}:{account}:/applications/*"
SLR = ("arn:{partition}:iam::{account}:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
       "AWSServiceRoleForAmazonEMRServerless*")
SLR_CONDITION = {"StringLike": {"iam:AWSServiceName": "ops.emr-serverless.amazonaws.com"}}

# Application and job run IDs: lowercase letters and digits (API pattern [0-9a-z]+).
_ID = LazyPattern(r"^[0-9a-z]{1,64}$")
_EXPECTED = "an EMR Serverless {} ID (lowercase letters and digits)"


def _application_arn(t: Task, text: str) -> str | None:
    # The ID pattern admits no IAM wildcard; escaped all the same (literal by construction).
    return t.fmt(APP, name=escape(text)) if _ID.fullmatch(text) else None


def _job_runs_arn(t: Task, text: str) -> str | None:
    return t.fmt(APP + "/jobruns/*", name=escape(text)) if _ID.fullmatch(text) else None


# The API takes the ID only, so an ARN (or anything else) is a malformed value.
application = param("ApplicationId", "", ANY_APP, convert=_application_arn,
                    expected=_EXPECTED.format("application"))
# The template's dynamic .sync form is "/applications/*", which covers the job runs.
job_runs = param("ApplicationId", "", ANY_APP, convert=_job_runs_arn,
                 expected=_EXPECTED.format("application"))


def job_run(t: Task) -> list[Res]:
    """``/applications/APP/jobruns/RUN`` from ``ApplicationId`` and ``JobRunId``."""
    app = application(t)
    if not app or app[0].dynamic:
        return app
    v = t.value("JobRunId")
    if v.absent:
        t.finding("missing-parameter",
                  f"the {t.integration} integration needs JobRunId; no permission granted",
                  v.where)
        return []
    runs = "{app}/jobruns/*"  # the application's ARN goes in as a name, never as a template
    if v.dynamic:
        # Narrower than the template's dynamic "/applications/*" (which is for a dynamic
        # application): the application is known, so only its job runs.
        return [dynamic_res(t, v, runs, app=app[0].arn)]
    if v.text is None or not _ID.fullmatch(v.text):
        message = f"{v.value!r} is not {_EXPECTED.format('job run')}"
        if isinstance(v.value, str) and has_iam_special(v.value):
            return malformed(t, v, message, "*")  # refused: no grant, not the dynamic form
        t.finding("malformed-value", message, v.where)
        return [dynamic_res(t, v, runs, app=app[0].arn)]
    return [Res(app[0].arn + "/jobruns/" + escape(v.text), v.where)]


def _app_rule(action: str, sync_actions: tuple[str, ...]) -> Rule:
    """start/stop/deleteApplication: ``action`` on the application; ``.sync`` adds
    ``sync_actions`` there and the application rule."""
    return Rule(
        RR_SYNC,
        (
            g(f"emr-serverless:{action}", application, when=RR_ONLY),
            g((f"emr-serverless:{action}", *sync_actions), application, when=ONLY_SYNC),
            g(EVENTS, APP_RULE, when=ONLY_SYNC),
        ),
        DOC,
    )


RULES = {
    "createApplication": Rule(
        RR_SYNC,
        (
            g("emr-serverless:CreateApplication",
              fixed("arn:{partition}:emr-serverless:{region}:{account}:/*")),
            # Needed only for the first application of the account, but a definition cannot
            # tell: granted as the template does.
            g("iam:CreateServiceLinkedRole", fixed(SLR), condition=SLR_CONDITION),
            g(("emr-serverless:GetApplication", "emr-serverless:DeleteApplication"),
              fixed(ANY_APP), when=ONLY_SYNC),
            g(EVENTS, APP_RULE, when=ONLY_SYNC),
        ),
        DOC,
    ),
    "startApplication": _app_rule(
        "StartApplication", ("emr-serverless:GetApplication", "emr-serverless:StopApplication")),
    "stopApplication": _app_rule("StopApplication", ("emr-serverless:GetApplication",)),
    "deleteApplication": _app_rule("DeleteApplication", ("emr-serverless:GetApplication",)),
    "startJobRun": Rule(
        RR_SYNC,
        (
            g("emr-serverless:StartJobRun", application),
            g("iam:PassRole", role("ExecutionRoleArn", required=True),
              condition=passed_to("emr-serverless.amazonaws.com")),
            g(("emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"), job_runs,
              when=ONLY_SYNC),
            g(EVENTS, JOB_RULE, when=ONLY_SYNC),
        ),
        DOC,
    ),
    "cancelJobRun": Rule(
        RR_SYNC,
        (
            g("emr-serverless:CancelJobRun", job_run, when=RR_ONLY),
            g(("emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"), job_run,
              when=ONLY_SYNC),
            g(EVENTS, JOB_RULE, when=ONLY_SYNC),
        ),
        DOC,
    ),
}
