"""Amazon SQS: ``sqs:sendMessage`` (request-response, ``.waitForTaskToken``). Template: sqs-iam.md.

IAM authorises SendMessage on the queue ARN, but the Task names the queue by URL:
``https://sqs.<region>.amazonaws.com/<account>/<name>`` (also the legacy
``https://<region>.queue.amazonaws.com/...`` and ``https://queue.amazonaws.com/...`` forms,
and ``.amazonaws.com.cn`` in China). The ARN takes its region and account from the URL.
"""

from __future__ import annotations

from sfn_iam.arn import partition_for_region
from sfn_iam.catalogue import LazyPattern
from sfn_iam.rules import RR_WAIT, Rule, escape, g, param
from sfn_iam.task import Task

DOC = "connect-sqs.html"

_URL = LazyPattern(
    r"^https?://(?:sqs\.(?P<r1>[a-z0-9-]+)\.|(?P<r2>[a-z]{2}(?:-[a-z]+)+-\d+)\.queue\.|queue\.)"
    r"(?:amazonaws\.com(?:\.cn)?|api\.aws|c2s\.ic\.gov|sc2s\.sgov\.gov)"
    r"/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)/?$"
)


def queue_arn(t: Task, url: str) -> str | None:
    if url.startswith("arn:"):  # not what the API takes, but unambiguous
        return escape(url) if ":sqs:" in url else None
    m = _URL.match(url)
    if not m:
        return None
    region = m.group("r1") or m.group("r2") or "us-east-1"  # queue.amazonaws.com is us-east-1
    partition = t.env.partition or partition_for_region(region) or t.partition
    return f"arn:{partition}:sqs:{region}:{m.group('account')}:{escape(m.group('name'))}"


queue = param("QueueUrl", "", "*", convert=queue_arn,
              expected="an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)",
              prefix_arn=True)  # a queue ARN is used as written


RULES = {"sendMessage": Rule(RR_WAIT, (g("sqs:SendMessage", queue),), DOC)}
