"""AWS Batch: ``batch:submitJob`` (request-response, ``.sync``). Template: batch-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html, now part of
connect-batch.html).

AWS Batch has only partial resource-level control, so the template grants on ``*`` whatever
the job queue and definition are: no resource depends on the parameters, and a dynamic
parameter forces nothing (and is not reported). SubmitJob passes no IAM role.
"""

from sfn_iam.rules import ONLY_SYNC, RR_SYNC, Rule, events_rule, g, star

DOC = "connect-batch.html"
EVENTS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")

RULES = {
    "submitJob": Rule(
        RR_SYNC,
        (
            g("batch:SubmitJob", star),
            g(("batch:DescribeJobs", "batch:TerminateJob"), star, when=ONLY_SYNC),
            g(EVENTS, events_rule("StepFunctionsGetEventsForBatchJobsRule"), when=ONLY_SYNC),
        ),
        DOC,
    ),
}
