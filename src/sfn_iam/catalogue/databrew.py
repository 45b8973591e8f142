"""AWS Glue DataBrew: ``databrew:startJobRun`` (request-response, ``.sync``). Template:
databrew-iam.md (https://docs.aws.amazon.com/step-functions/latest/dg/databrew-iam.html, now
part of connect-databrew.html).

The template writes the actions in camelCase (``databrew:startJobRun``); IAM action names
are case-insensitive, and they are written here in IAM's PascalCase.
"""

from sfn_iam.rules import ONLY_SYNC, RR_SYNC, Rule, fixed, g

DOC = "connect-databrew.html"

# The template grants on job/* for a static job Name too. A static Name could be scoped to
# job/<Name> (DataBrew authorises StartJobRun, ListJobRuns and StopJobRun on the job ARN),
# but the template does not do it, and the rules of the house are to follow the template:
# job/* it is, for static and dynamic names alike (so a dynamic Name is not reported).
JOBS = fixed("arn:{partition}:databrew:{region}:{account}:job/*")

RULES = {
    "startJobRun": Rule(
        RR_SYNC,
        (
            g("databrew:StartJobRun", JOBS),
            g(("databrew:ListJobRuns", "databrew:StopJobRun"), JOBS, when=ONLY_SYNC),
        ),
        DOC,
    ),
}
