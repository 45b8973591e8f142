"""``sfn-iam generate ARN`` and ``sfn-iam generate --all-in-region REGION``: state machines
read from a live account (sfn_iam.live; boto3 is imported only here)."""

from __future__ import annotations

import json
import sys

from sfn_iam.commands.generate import _warnings, emit, parse_substitutions
from sfn_iam.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from sfn_iam.live import Machine


def run_live(args: argparse.Namespace) -> int:
    from sfn_iam import live

    given = [f"--{o.replace('_', '-')}" for o in ("region", "account", "partition",
                                                  "state_machine_arn") if getattr(args, o)]
    if given:
        raise UsageError(f"{', '.join(given)}: a state machine read from the account has "
                         "its own region, account and ARN")
    for option in ("target_policies", "split"):
        if getattr(args, option) and args.all_in_region is not None:
            raise UsageError(f"--{option.replace('_', '-')} writes the files of one state "
                             "machine, not with --all-in-region")
    subs = parse_substitutions(args.substitute)
    session = live.Session(profile=args.profile, region=args.all_in_region)
    if args.all_in_region is not None:
        return _all_in_region(args, session, subs)
    if args.jsonl:
        raise UsageError("--jsonl reads files; a state machine ARN prints its policy (or use "
                         "--all-in-region)")
    machine = live.describe(args.definition[0], session)
    _settings(args, machine)
    result = live.generate(machine, substitutions=subs,
                           qualifier_condition=args.qualifier_condition)
    return emit(args, result, {"state_machine_arn": machine.arn})


def _settings(args: argparse.Namespace, machine: Machine) -> None:
    """--xray, --logging, --kms-key add to the machine's own settings."""
    machine.xray = machine.xray or args.xray
    machine.logging = machine.logging or args.logging
    machine.kms_key = args.kms_key or machine.kms_key


def _all_in_region(args: argparse.Namespace, session: Any, subs: dict[str, str]) -> int:
    from sfn_iam import live
    from sfn_iam.generate import _check_env

    region = args.all_in_region
    if args.definition:
        raise UsageError("--all-in-region reads every state machine of the region: give no "
                         "DEFINITION")
    if args.format != "json":
        raise UsageError("--all-in-region writes JSON lines: use it with --format json")
    try:
        _check_env(region, None, None)
    except UsageError:
        raise UsageError(f"--all-in-region {region!r} is not an AWS region name such as "
                         "us-east-1") from None
    arns = list(live.list_state_machines(region, session))
    tty = sys.stderr.isatty()
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    status = 0
    for arn, machine in live.each(arns, session, _progress if tty else None):
        line, code = _line(args, arn, machine, subs)
        status = max(status, code)
        if tty:
            sys.stderr.write("\r\x1b[K")
        sys.stdout.write(dumps(line) + "\n")
    if tty:
        sys.stderr.write(f"\r\x1b[Ksfn-iam: {len(arns)} state machine(s) in {region}\n")
    return status


def _line(args: argparse.Namespace, arn: str, machine: Machine | Exception,
          subs: dict[str, str]) -> tuple[dict[str, Any], int]:
    """The JSON line of one state machine, and its exit status (2 error, 1 strict)."""
    from sfn_iam import live
    from sfn_iam.errors import DefinitionError

    line: dict[str, Any] = {"arn": arn}
    try:
        if isinstance(machine, Exception):
            raise machine
        _settings(args, machine)
        result = live.generate(machine, substitutions=subs,
                               qualifier_condition=args.qualifier_condition)
    except (live.LiveError, DefinitionError, UsageError) as exc:
        line["error"] = str(exc)
        return line, 2
    line["role"] = machine.role_arns[0] if len(machine.role_arns) == 1 else machine.role_arns
    status = 0
    if args.strict and result.warnings:
        status = 1
    else:
        line["policy"] = result.document
        if args.provenance:
            line["grants"] = [g.to_json() for g in result.grants]
    line["warnings"] = _warnings(result)
    line["size"] = result.size
    return line, status


def _progress(done: int, total: int, arn: str) -> None:
    from sfn_iam.cli import one_line

    name = one_line(arn.rsplit(":", 1)[-1])[:40]
    sys.stderr.write(f"\r\x1b[Ksfn-iam: [{done + 1}/{total}] {name}")
    sys.stderr.flush()
