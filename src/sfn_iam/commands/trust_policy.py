"""``sfn-iam trust-policy``: the execution role's trust policy, with the confused-deputy
conditions of procedure-create-iam-role.html (CURRENT-DOCS §8)."""

from __future__ import annotations

import argparse
import json
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--region", help="the region of the state machine")
    p.add_argument("--account", help="the 12-digit account ID of the state machine")
    p.add_argument("--partition", help="aws, aws-cn, aws-us-gov, ... (default: from the region)")
    p.add_argument("--state-machine-arn", metavar="ARN",
                   help="the exact state machine (the strictest aws:SourceArn)")


def trust_policy(region: str | None = None, account: str | None = None,
                 partition: str | None = None,
                 state_machine_arn: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """The trust policy and any warnings. ``aws:SourceArn`` is the machine's ARN when known,
    else ``arn:P:states:REGION:ACCOUNT:stateMachine:*`` (unknown parts ``*``);
    ``aws:SourceAccount`` pins the account."""
    from sfn_iam.arn import partition_for_region
    from sfn_iam.generate import _check_env, _from_state_machine_arn

    _check_env(region, account, partition)
    if state_machine_arn:
        region, account, partition = _from_state_machine_arn(
            state_machine_arn, region, account, partition)
    warnings = []
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "states.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    if account:
        part = partition or partition_for_region(region) or "aws"
        source = state_machine_arn or f"arn:{part}:states:{region or '*'}:{account}:stateMachine:*"
        statement["Condition"] = {
            "ArnLike": {"aws:SourceArn": source},
            "StringEquals": {"aws:SourceAccount": account},
        }
    else:
        warnings.append("the account is unknown: the trust policy has no confused-deputy "
                        "conditions (pass --account or --state-machine-arn)")
    return {"Version": "2012-10-17", "Statement": [statement]}, warnings


def run(args: argparse.Namespace) -> int:
    doc, warnings = trust_policy(args.region, args.account, args.partition, args.state_machine_arn)
    for w in warnings:
        print(f"sfn-iam: warning: {w}", file=sys.stderr)
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    return 0
