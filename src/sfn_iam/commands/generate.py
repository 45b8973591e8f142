"""``sfn-iam generate DEFINITION``: the policy on stdout, warnings on stderr."""

from __future__ import annotations

import argparse
import json
import sys

from sfn_iam.errors import UsageError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("definition", metavar="DEFINITION", nargs="?",
                   help="an Amazon States Language file (JSON or YAML), or - for stdin")
    p.add_argument("--region", help="the region the state machine runs in (completes ARNs built "
                   "from names; sets the partition)")
    p.add_argument("--account", help="the 12-digit account ID the state machine runs in")
    p.add_argument("--partition", help="aws, aws-cn, aws-us-gov, ... (default: from the region)")
    p.add_argument("--state-machine-arn", metavar="ARN",
                   help="the state machine's own ARN (Distributed Map, HTTP Task and encryption "
                   "grant on it; also gives the region and account)")
    p.add_argument("--xray", action="store_true", help="add the X-Ray tracing permissions")
    p.add_argument("--logging", action="store_true",
                   help="add the CloudWatch Logs delivery permissions (logging enabled)")
    p.add_argument("--kms-key", metavar="KEY_ARN",
                   help="the customer managed KMS key the state machine is encrypted with")
    p.add_argument("--qualifier-condition", action="store_true",
                   help="scope StartExecution of a nested version or alias with "
                   "states:StateMachineQualifier")
    p.add_argument("--target-policies", metavar="DIR",
                   help="write the policy of each cross-account target role (Task Credentials) "
                   "to DIR/<role-name>.json")
    p.add_argument("--substitute", metavar="NAME=VALUE", action="extend", nargs="+", default=[],
                   help="values for ${NAME} placeholders (DefinitionSubstitutions); takes several "
                   "and may be repeated")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings as errors: print them and exit 1 without a policy")
    p.add_argument("--max-bytes", type=int, default=None, metavar="N",
                   help="refuse input larger than N bytes (default 8 MiB; AWS allows 1 MB)")
    p.add_argument("--provenance", action="store_true",
                   help="print {policy, grants, warnings} with every grant's provenance")


def parse_substitutions(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--substitute {item!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    from sfn_iam.generate import generate_policy
    from sfn_iam.load import DEFAULT_MAX_BYTES, read_source

    if args.definition is None:
        # "--substitute A=1 B=2 FILE": argparse hands FILE to --substitute; take it back.
        loose = [s for s in args.substitute if "=" not in s]
        if len(loose) != 1:
            raise UsageError("expected one DEFINITION (a file, or - for stdin)")
        args.definition = loose[0]
        args.substitute = [s for s in args.substitute if "=" in s]
    subs = parse_substitutions(args.substitute)
    data, name = read_source(args.definition, args.max_bytes or DEFAULT_MAX_BYTES)
    result = generate_policy(
        data, region=args.region, account=args.account, partition=args.partition,
        xray=args.xray, substitutions=subs, source=name,
        state_machine_arn=args.state_machine_arn, logging=args.logging, kms_key=args.kms_key,
        qualifier_condition=args.qualifier_condition,
    )
    label = "error" if args.strict else "warning"
    for finding in result.warnings:
        print(f"sfn-iam: {label}: {finding}", file=sys.stderr)
    if args.strict and result.warnings:
        return 1
    if result.target_policies:
        _targets(result.target_policies, args.target_policies)
    if args.provenance:
        out: object = {
            "policy": result.document,
            "grants": [g.to_json() for g in result.grants],
            "warnings": [
                {"code": f.code, "state": f.where, "parameter": f.parameter, "message": f.message}
                for f in result.warnings
            ],
        }
    else:
        out = result.document
    sys.stdout.write(json.dumps(out, indent=2) + "\n")
    return 0


def target_file_name(role: str) -> str:
    """``arn:aws:iam::111122223333:role/path/Deploy`` -> ``111122223333-Deploy.json``."""
    if role == "*":
        return "dynamic-roles.json"
    account = role.split(":")[4]
    name = role.rsplit("/", 1)[-1]
    safe = "".join(c if c.isalnum() or c in "+=,.@_-" else "_" for c in name)
    return f"{account}-{safe}.json"


def _targets(policies: dict[str, dict[str, object]], directory: str | None) -> None:
    from pathlib import Path

    roles = ", ".join(policies)
    if directory is None:
        print(f"sfn-iam: note: {len(policies)} cross-account target role(s) need their own "
              f"policies ({roles}); write them with --target-policies DIR", file=sys.stderr)
        return
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for role, doc in policies.items():
            (out / target_file_name(role)).write_text(json.dumps(doc, indent=2) + "\n")
    except OSError as exc:
        raise UsageError(f"--target-policies {directory}: {exc.strerror or exc}") from None
    print(f"sfn-iam: note: wrote the policies of {len(policies)} cross-account target role(s) "
          f"to {directory} ({roles})", file=sys.stderr)
