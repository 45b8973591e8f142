"""Amazon DynamoDB: ``dynamodb:getItem``, ``putItem``, ``updateItem``, ``deleteItem``
(request-response only). Template: dynamo-iam.md
(https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html).

The item APIs are authorised on the table: ``TableName`` is a table name or a table ARN
(``arn:aws:dynamodb:REGION:ACCOUNT:table/NAME``), which keeps its own region and account.
A dynamic table gives ``*``, as the template shows.
"""

from __future__ import annotations

from sfn_iam.arn import parse_arn
from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import RR_ONLY, Rule, escape, g, param
from sfn_iam.task import Task

DOC = "connect-ddb.html"

_TABLE = LazyPattern(r"^table/[A-Za-z0-9_.-]{1,255}$")


def table_arn(_: Task, text: str) -> str | None:
    """A table ARN as written (escaped: its region and account are not checked); an index,
    stream or backup ARN is not a table."""
    parsed = parse_arn(text)
    return escape(text) if parsed and _TABLE.match(parsed.resource) else None


TABLE = param(
    "TableName",
    "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    "*",
    from_arn=table_arn,
    service="dynamodb",
    prefix_arn=True,  # a table ARN is used as written
)

# dynamo-iam.md grants all four item actions to every DynamoDB Task, whatever API it calls.
# Each API here gets only its own action (least privilege): a getItem state cannot write.
RULES = {
    "getItem": Rule(RR_ONLY, (g("dynamodb:GetItem", TABLE),), DOC),
    "putItem": Rule(RR_ONLY, (g("dynamodb:PutItem", TABLE),), DOC),
    "updateItem": Rule(RR_ONLY, (g("dynamodb:UpdateItem", TABLE),), DOC),
    "deleteItem": Rule(RR_ONLY, (g("dynamodb:DeleteItem", TABLE),), DOC),
}
