"""Amazon SNS: ``sns:publish`` (request-response, ``.waitForTaskToken``). Template: sns-iam.md."""

from sfn_iam.rules import RR_WAIT, Rule, first, g, param, star_if

DOC = "connect-sns.html"

RULES = {
    "publish": Rule(
        RR_WAIT,
        (
            g(
                "sns:Publish",
                first(
                    param(
                        "TopicArn",
                        "arn:{partition}:sns:{region}:{account}:{name}",
                        "*",
                        required=False,
                        service="sns",
                    ),
                    # sns-iam.md: publishing to TargetArn (a mobile endpoint) or PhoneNumber
                    # is authorised on "*": neither is a topic resource.
                    star_if("TargetArn"),
                    star_if("PhoneNumber"),
                    missing="TopicArn, TargetArn or PhoneNumber",
                ),
            ),
        ),
        DOC,
    ),
}
