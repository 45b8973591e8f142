"""AWS Glue DataBrew: ``databrew:startJobRun`` (request-response, ``.sync``). Template:
databrew-iam.md (https://docs.aws.amazon.com/step-functions/latest/dg/databrew-iam.html, now
part of connect-databrew.html).

The template writes the actions in camelCase (``databrew:startJobRun``); IAM action names
are case-insensitive, and they are written here in IAM's PascalCase.

The template grants on ``job/*`` for a static job ``Name`` too. The Service Authorization
Reference ("Actions defined by AWS Glue DataBrew") gives ``databrew:StartJobRun``,
``databrew:ListJobRuns`` and ``databrew:StopJobRun`` the resource type ``Job`` (required):
``arn:PARTITION:databrew:REGION:ACCOUNT:job/NAME``. So a static ``Name`` is granted exactly;
a dynamic one gives the template's ``job/*`` with a ``dynamic-resource`` warning;
``--as-templates`` grants ``job/*`` as the template does.
"""

from sfn_iam.rules import ONLY_SYNC, RR_ONLY, RR_SYNC, Rule, fixed, g, param, sar

DOC = "connect-databrew.html"
JOBS = "arn:{partition}:databrew:{region}:{account}:job/*"

JOB = sar(param("Name", "arn:{partition}:databrew:{region}:{account}:job/{name}", JOBS),
          fixed(JOBS))

RULES = {
    "startJobRun": Rule(
        RR_SYNC,
        (
            # One grant per pattern, so that a dynamic Name is reported once per state.
            g("databrew:StartJobRun", JOB, when=RR_ONLY),
            g(("databrew:StartJobRun", "databrew:ListJobRuns", "databrew:StopJobRun"), JOB,
              when=ONLY_SYNC),
        ),
        DOC,
    ),
}
