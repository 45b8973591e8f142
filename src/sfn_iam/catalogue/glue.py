"""AWS Glue: ``glue:startJobRun`` (request-response, ``.sync``). Template: glue-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html, now part of
connect-glue.html).

The template grants on ``*`` ("AWS Glue does not have resource-based control"), so the
``JobName`` never changes the policy and a dynamic one is not reported. The template's
heading says "Request Response and Callback", but the Glue integration supports no
``.waitForTaskToken`` (connect-glue.md, the optimized-integrations table): that suffix is
an unsupported pattern. No ``.sync`` EventBridge rule: Step Functions polls Glue.
"""

from sfn_iam.rules import ONLY_SYNC, RR_SYNC, Rule, g, star

DOC = "connect-glue.html"

RULES = {
    "startJobRun": Rule(
        RR_SYNC,
        (
            # Kept on "*" as the template says, although Glue now authorises
            # StartJobRun on arn:...:glue:REGION:ACCOUNT:job/NAME: scoping it would be a
            # guess the template does not make.
            g("glue:StartJobRun", star),
            g(("glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"), star, when=ONLY_SYNC),
        ),
        DOC,
    ),
}
