"""AWS Elemental MediaConvert: ``mediaconvert:createJob`` (request-response and ``.sync``).
Template: CURRENT-DOCS §3.10, the IAM section of
https://docs.aws.amazon.com/step-functions/latest/dg/connect-mediaconvert.html (formerly
mediaconvert-iam.html; new since the 2023 snapshot).

"Because MediaConvert provides partial support for resource-level access control, you must use
``"Resource": "*"``": ``mediaconvert:CreateJob`` on ``*``; ``.sync`` adds ``GetJob`` and
``CancelJob`` (the job ID is known only at run time; the Service Authorization Reference scopes
them to ``jobs/*`` of the account and region, the template to ``*``) and the managed rule
``StepFunctionsGetEventsForMediaConvertJobRule``.

``.waitForTaskToken`` has "no specific optimization" on the integration page: not supported.
"""

from __future__ import annotations

from sfn_iam.rules import (
    ONLY_SYNC,
    RR_SYNC,
    Rule,
    events_rule,
    fixed,
    g,
    passed_to,
    role,
    sar,
    star,
)

DOC = "connect-mediaconvert.html"
EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")

RULES = {
    "createJob": Rule(
        RR_SYNC,
        (
            # No mediaconvert:TagResource, as the template: the Service Authorization Reference
            # lists it for CreateJob, but TagResource tags queues, presets and job templates;
            # a job's tags (Step Functions adds ManagedByService: AWSStepFunctions) are set by
            # CreateJob itself, and the console-generated policy works without it.
            # CreateJob stays on "*": the Service Authorization Reference lists Queue,
            # JobTemplate and Preset for it, none required, and the job's Settings may name
            # presets and templates sfn-iam cannot all see (the template's "must use *").
            g("mediaconvert:CreateJob", star),
            # GetJob and CancelJob: the SAR resource type Job (required, jobs/JOB_ID); the job
            # ID is known only at run time: the account's jobs in the region (template: "*").
            g(("mediaconvert:GetJob", "mediaconvert:CancelJob"),
              sar(fixed("arn:{partition}:mediaconvert:{region}:{account}:jobs/*"), star),
              when=ONLY_SYNC),
            g(EVENTS, events_rule("StepFunctionsGetEventsForMediaConvertJobRule"), when=ONLY_SYNC),
            # The template grants iam:PassRole on "*" (no condition). That lets the execution
            # role pass any role to any service; CreateJob passes exactly the job's Role to
            # MediaConvert, so it is scoped to that role and to mediaconvert.amazonaws.com
            # (the Service Authorization Reference's condition for CreateJob). Role is
            # required by the API; a dynamic one gives every role of the account.
            g("iam:PassRole", role("Role", required=True),
              condition=passed_to("mediaconvert.amazonaws.com")),
        ),
        DOC,
    ),
}
