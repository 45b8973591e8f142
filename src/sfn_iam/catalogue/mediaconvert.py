"""AWS Elemental MediaConvert: ``mediaconvert:createJob`` (request-response and ``.sync``).
Template: CURRENT-DOCS §3.10, the IAM section of
https://docs.aws.amazon.com/step-functions/latest/dg/connect-mediaconvert.html (formerly
mediaconvert-iam.html; new since the 2023 snapshot).

"Because MediaConvert provides partial support for resource-level access control, you must use
``"Resource": "*"``": ``mediaconvert:CreateJob`` on ``*``; ``.sync`` adds ``GetJob`` and
``CancelJob`` (the job ID is known only at run time) and the managed rule
``StepFunctionsGetEventsForMediaConvertJobRule``.

``.waitForTaskToken`` has "no specific optimization" on the integration page: not supported.
"""

from __future__ import annotations

from sfn_iam.rules import ONLY_SYNC, RR_SYNC, Rule, events_rule, g, passed_to, role, star

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
            g("mediaconvert:CreateJob", star),
            g(("mediaconvert:GetJob", "mediaconvert:CancelJob"), star, when=ONLY_SYNC),
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
