"""``sfn-iam generate DEFINITION``: the policy on stdout, warnings on stderr.

``sfn-iam generate FILE... --jsonl``: many definitions in one process, one JSON line each on
stdout (errors too); exit 2 if any input was unusable, else 1 with ``--strict`` and any
warning, else 0.
"""

from __future__ import annotations

import json
import sys

from sfn_iam.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import argparse
    from types import SimpleNamespace
    from typing import Any

    from sfn_iam.generate import GenerateResult
    from sfn_iam.sources import StateMachine


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of bytes") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the limit must be at least 1 byte")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options; keep :func:`fast_parse` in step (a test compares the two)."""
    p.add_argument("definition", metavar="DEFINITION", nargs="*",
                   help="an Amazon States Language file (JSON or YAML), a CloudFormation or SAM "
                   "template, a CDK cloud assembly (cdk.out/ or a *.template.json), a "
                   "serverless.yml, a Terraform file or folder, or - for stdin; several with "
                   "--jsonl")
    p.add_argument("--state-machine", metavar="NAME",
                   help="the state machine to read from a template with several (the "
                   "CloudFormation logical id, the serverless machine key, the Terraform "
                   "resource name)")
    p.add_argument("--parameter", metavar="KEY=VALUE", action="append", default=[],
                   help="a template parameter or Terraform variable (else its default); may be "
                   "repeated")
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
    p.add_argument("--as-templates", action="store_true",
                   help="grant in the form of the AWS templates where sfn-iam scopes a grant "
                   "tighter (e.g. batch:SubmitJob on *)")
    p.add_argument("--target-policies", metavar="DIR",
                   help="write the policy of each cross-account target role (Task Credentials) "
                   "to DIR/<role-name>.json")
    p.add_argument("--substitute", metavar="NAME=VALUE", action="extend", nargs="+", default=[],
                   help="values for ${NAME} placeholders (DefinitionSubstitutions); takes several "
                   "and may be repeated")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings as errors: print them and exit 1 without a policy")
    p.add_argument("--max-bytes", type=_positive_int, default=None, metavar="N",
                   help="refuse input larger than N bytes (default 8 MiB; AWS allows 1 MB)")
    p.add_argument("--provenance", action="store_true",
                   help="print {policy, grants, warnings} with every grant's provenance")
    p.add_argument("--split", metavar="DIR",
                   help="also write the policy as managed-policy documents that each fit IAM's "
                   "6,144-character limit: DIR/policy-1.json, policy-2.json, ...")
    p.add_argument("--jsonl", action="store_true",
                   help="process every DEFINITION in one run: one JSON line each on stdout, "
                   '{"file", "policy", "warnings"} or {"file", "error"}')
    # issue 13: output formats (sfn_iam.render) and live accounts (sfn_iam.live)
    p.add_argument("--format", choices=FORMATS, default="json",
                   help="json: the policy document; cfn: a CloudFormation template with the "
                   "role; sam: a SAM Policies list; terraform: aws_iam_policy_document + "
                   "aws_iam_role")
    p.add_argument("--all-in-region", metavar="REGION",
                   help="read every state machine of the account in REGION (needs "
                   "sfn-iam[aws]); one JSON line each, as --jsonl")
    p.add_argument("--profile", help="the AWS profile for a state machine ARN or "
                   "--all-in-region (default: the boto3 credential chain)")


#: --format's choices (issue 13)
FORMATS = ("json", "cfn", "sam", "terraform")

#: the options :func:`fast_parse` reads: flag -> dest, and option with one value -> dest
_FLAGS = {"--xray": "xray", "--logging": "logging", "--qualifier-condition": "qualifier_condition",
          "--strict": "strict", "--provenance": "provenance", "--jsonl": "jsonl",
          "--as-templates": "as_templates"}
_VALUES = {"--region": "region", "--account": "account", "--partition": "partition",
           "--state-machine-arn": "state_machine_arn", "--kms-key": "kms_key",
           "--target-policies": "target_policies", "--split": "split",
           "--state-machine": "state_machine", "--format": "format"}


def fast_parse(argv: list[str]) -> SimpleNamespace | None:
    """The arguments of a plain command line, as :func:`add_arguments`' parser gives them, or
    None for anything else (argparse then parses it: help, errors, abbreviations, ``=``,
    --substitute, --max-bytes, a value that starts with ``-``...). Start-up does not pay for
    importing argparse and building the parser (about 4 ms) when they would change nothing;
    a test compares the two on every shape of command line this accepts.

    Accepted: the exact option names of ``_FLAGS`` and ``_VALUES`` (each value the next
    argument, not empty, not starting with ``-``) and one run of DEFINITION arguments (``-``
    or not starting with ``-``) before, between or after them."""
    from types import SimpleNamespace

    ns = SimpleNamespace(
        definition=[], region=None, account=None, partition=None, state_machine_arn=None,
        xray=False, logging=False, kms_key=None, qualifier_condition=False,
        target_policies=None, substitute=[], strict=False, max_bytes=None, provenance=False,
        split=None, jsonl=False, as_templates=False, state_machine=None, parameter=[],
        format="json", all_in_region=None, profile=None)
    files: list[str] = ns.definition
    runs = 0  # runs of DEFINITION arguments
    previous_positional = False
    i, n = 0, len(argv)
    while i < n:
        arg = argv[i]
        if arg in _FLAGS:
            setattr(ns, _FLAGS[arg], True)
            previous_positional = False
        elif arg in _VALUES:
            if i + 1 >= n:
                return None
            value = argv[i + 1]
            if not value or value.startswith("-") or (arg == "--format" and value not in FORMATS):
                return None
            setattr(ns, _VALUES[arg], value)
            previous_positional = False
            i += 1
        elif arg == "-" or (arg and not arg.startswith("-")):
            if not previous_positional:
                runs += 1
                if runs > 1:
                    return None
            files.append(arg)
            previous_positional = True
        else:
            return None
        i += 1
    if not files:
        return None
    return ns


def parse_substitutions(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--substitute {item!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


def _definitions(args: argparse.Namespace) -> list[str]:
    """The DEFINITION arguments. ``--substitute A=1 B=2 FILE``: argparse hands FILE to
    --substitute (it takes several values); take every value without ``=`` back."""
    files = list(args.definition)
    loose = [s for s in args.substitute if "=" not in s]
    if loose and (args.jsonl or not files):
        args.substitute = [s for s in args.substitute if "=" in s]
        files += loose
    if not files:
        raise UsageError("expected a DEFINITION (a file, or - for stdin)")
    if len(files) > 1 and not args.jsonl:
        raise UsageError(f"expected one DEFINITION, got {len(files)}; add --jsonl to process "
                         "several in one run (one JSON line each)")
    return files


def parse_parameters(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--parameter {item!r}: expected KEY=VALUE")
        out[name.strip()] = value
    return out


def _is_template_path(path: str) -> bool:
    """A folder or a Terraform file: read by sfn_iam.sources without a look at the text."""
    import os

    return path != "-" and (path.endswith(".tf") or os.path.isdir(path))


def _needs_sources(value: Any, data: bytes) -> bool:
    """A parsed file that is not plain ASL: a template, or ASL with template functions."""
    if not isinstance(value, dict):
        return False
    if "States" not in value:
        return ("Resources" in value or "stepFunctions" in value
                or ("service" in value and "provider" in value))
    if b"Fn::" not in data and b"Ref" not in data:
        return False
    from sfn_iam.sources.cloudformation import has_functions

    return has_functions(value)


def run(args: argparse.Namespace) -> int:
    if args.all_in_region is not None or _live_arn(args.definition):
        from sfn_iam.commands.generate_live import run_live  # issue 13: a live account

        return run_live(args)
    files = _definitions(args)
    subs = parse_substitutions(args.substitute)
    params = parse_parameters(args.parameter)
    if args.jsonl:
        return _run_jsonl(args, files, subs, params)
    from sfn_iam.cli import one_line
    from sfn_iam.errors import DefinitionError
    from sfn_iam.load import DEFAULT_MAX_BYTES, load, read_source

    if _is_template_path(files[0]):
        return _emit_template(args, files[0], subs, params, None)
    data, name = read_source(files[0], args.max_bytes or DEFAULT_MAX_BYTES)
    try:
        loaded = load(data, name)
    except DefinitionError:
        if b"!" not in data and b"${" not in data and b"resource" not in data:
            raise
        return _emit_template(args, files[0], subs, params, data)
    if _needs_sources(loaded.value, data):
        return _emit_template(args, files[0], subs, params, data)
    err = sys.stderr
    if loaded.lenient:
        err.write(f"sfn-iam: note: {one_line(name)} is not strict JSON (comments or trailing "
                  "commas): read anyway, but AWS accepts strict JSON only\n")
    # the generator says what is wrong with a top level that is not an object
    result = _generate(args, loaded.value if isinstance(loaded.value, dict) else data, name, subs)
    return emit(args, result)


def _from_sources(args: argparse.Namespace, path: str, subs: dict[str, str],
                  params: dict[str, str], data: bytes | None,
                  every: bool = False) -> list[tuple[StateMachine, GenerateResult]]:
    """The policy of the template's state machine (``--state-machine`` chooses one of
    several); with ``every``, of each of them."""
    from sfn_iam.load import DEFAULT_MAX_BYTES
    from sfn_iam.sources import generate_state_machine, load_state_machines, select

    _generate(args, _PROBE, None, subs)  # a malformed option: a usage error first
    machines = load_state_machines(
        path, parameters=params, region=args.region, account=args.account,
        partition=args.partition, max_bytes=args.max_bytes or DEFAULT_MAX_BYTES, data=data)
    shown = "<stdin>" if path == "-" else path
    machines = select(machines, args.state_machine, shown)
    if len(machines) > 1 and not every:
        names = ", ".join(m.name for m in machines)
        raise UsageError(f"{shown}: {len(machines)} state machines ({names}): choose one with "
                         "--state-machine NAME")
    return [(m, generate_state_machine(
        m, region=args.region, account=args.account, partition=args.partition,
        substitutions=subs, xray=args.xray, logging=args.logging, kms_key=args.kms_key,
        state_machine_arn=args.state_machine_arn, qualifier_condition=args.qualifier_condition,
        as_templates=args.as_templates))
        for m in machines]


#: the writers each template kind can refer back to (its own resources)
_REFERABLE = {"cfn": ("cloudformation", "sam", "cdk"), "sam": ("cloudformation", "sam", "cdk"),
              "terraform": ("terraform",)}


def _emit_template(args: argparse.Namespace, path: str, subs: dict[str, str],
                   params: dict[str, str], data: bytes | None) -> int:
    """The policy of a template's state machine, in ``--format``: the writers refer to the
    template's own resources (``!GetAtt``, ``aws_lambda_function.x.arn``) where the
    definition's values came from them, for a template of their own family."""
    machine, result = _from_sources(args, path, subs, params, data)[0]
    if args.format == "json":
        return emit(args, result)
    refs = label = None
    family = _REFERABLE.get(args.format, ())
    if machine.kind in family or (machine.kind == "serverless" and "sam" in family):
        from sfn_iam.render.references import free_label

        label = free_label(machine, args.format)  # not a name the input uses already
    if machine.kind in family:
        from sfn_iam.cli import one_line
        from sfn_iam.render.references import references

        refs, cyclic = references(machine, args.format)
        for name in cyclic:
            sys.stderr.write(f"sfn-iam: note: {one_line(name)} depends on the state machine: "
                             "the role names it by its value, not a reference to it (that "
                             "would be a circular dependency)\n")
    own = args.state_machine_arn or (
        machine.arn if machine.arn and "*" not in machine.arn and "${" not in machine.arn
        else None)
    return emit(args, result, {
        "region": args.region or machine.region, "account": args.account,
        "partition": args.partition, "state_machine_arn": own, "references": refs,
        "label": label,
        "json_template": machine.kind == "cdk" or (
            machine.kind in ("cloudformation", "sam") and path.endswith(".json"))})


def emit(args: argparse.Namespace, result: GenerateResult,
         deploy: dict[str, Any] | None = None) -> int:
    """Warnings on stderr, then the policy in ``--format`` on stdout; ``deploy``: the
    region, account, partition and state machine ARN the writers use (default: the
    options)."""
    err = sys.stderr
    from sfn_iam.cli import one_line

    if args.format != "json" and args.provenance:
        raise UsageError("--provenance prints JSON: use it with --format json")
    label = "error" if args.strict else "warning"
    for finding in result.warnings:
        err.write(f"sfn-iam: {label}: {one_line(str(finding))}\n")
    if args.strict and result.warnings:
        return 1
    if result.target_policies:
        _targets(result.target_policies, args.target_policies)
    if args.format == "json" or args.split:
        _size(result, args.split)
    if args.format != "json":
        from sfn_iam.render import managed_policy_count, render

        if managed_policy_count(result) > 10:
            err.write("sfn-iam: warning: the template attaches more than 10 managed policies: "
                      "over IAM's default quota of managed policies per role\n")
        deploy = deploy or {"region": args.region, "account": args.account,
                            "partition": args.partition,
                            "state_machine_arn": args.state_machine_arn}
        sys.stdout.write(render(result, args.format, **deploy))
        return 0
    out: object = _provenance(result) if args.provenance else result.document
    sys.stdout.write(json.dumps(out, indent=2) + "\n")
    return 0


def _live_arn(definitions: list[str]) -> bool:
    """One DEFINITION that is a state machine ARN (and no file of that name)."""
    if len(definitions) != 1 or not definitions[0].startswith("arn:"):
        return False
    import os

    return not os.path.exists(definitions[0])


def _generate(args: argparse.Namespace, data: bytes | dict[str, Any], name: str | None,
              subs: dict[str, str]) -> GenerateResult:
    from sfn_iam.generate import generate_policy

    return generate_policy(
        data, region=args.region, account=args.account, partition=args.partition,
        xray=args.xray, substitutions=subs, source=name,
        state_machine_arn=args.state_machine_arn, logging=args.logging, kms_key=args.kms_key,
        qualifier_condition=args.qualifier_condition, as_templates=args.as_templates,
    )


def _warnings(result: GenerateResult) -> list[dict[str, Any]]:
    return [
        {"code": f.code, "state": f.where, "parameter": f.parameter, "message": f.message}
        for f in result.warnings
    ]


def _provenance(result: GenerateResult) -> dict[str, Any]:
    return {
        "policy": result.document,
        "grants": [g.to_json() for g in result.grants],
        "warnings": _warnings(result),
        "size": result.size,
    }


_PROBE: dict[str, Any] = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def _run_jsonl(args: argparse.Namespace, files: list[str], subs: dict[str, str],
               params: dict[str, str] | None = None) -> int:
    from sfn_iam.errors import DefinitionError
    from sfn_iam.load import DEFAULT_MAX_BYTES

    if args.target_policies:
        raise UsageError("--target-policies writes the files of one definition; with --jsonl "
                         'each line carries its "target_policies"')
    if args.split:
        raise UsageError('--split writes the files of one definition; with --jsonl each line '
                         'carries its "size"')
    if args.format != "json":
        raise UsageError("--jsonl writes JSON lines: use it with --format json")
    _generate(args, _PROBE, None, subs)  # a malformed option: one usage error, not a line each
    max_bytes = args.max_bytes or DEFAULT_MAX_BYTES
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    write = sys.stdout.write
    status = 0
    for path in files:
        line: dict[str, Any] = {"file": "<stdin>" if path == "-" else path}
        try:
            results = _jsonl_one(args, path, max_bytes, subs, params or {})
        except DefinitionError as exc:
            line["error"] = exc.what if exc.where is None else f"{exc.where}: {exc.what}"
            status = max(status, 2)
        except UsageError:
            raise
        except Exception as exc:  # one bad input must not end the batch; never a traceback
            line["error"] = f"internal error: {type(exc).__name__}: {exc} (please report this)"
            status = 3
        else:
            for machine, result in results:
                one = dict(line)
                if machine is not None:
                    one["state_machine"] = machine
                if args.strict and result.warnings:
                    status = max(status, 1)
                else:
                    one["policy"] = result.document
                    if args.provenance:
                        one["grants"] = [g.to_json() for g in result.grants]
                one["warnings"] = _warnings(result)
                one["size"] = result.size
                if result.target_policies:
                    one["target_policies"] = result.target_policies
                write(dumps(one) + "\n")
            continue
        write(dumps(line) + "\n")
    return status


def _jsonl_one(args: argparse.Namespace, path: str, max_bytes: int, subs: dict[str, str],
               params: dict[str, str]) -> list[tuple[str | None, GenerateResult]]:
    """One input of a --jsonl run: a definition (one result, no machine name) or a
    template (a result per state machine)."""
    from sfn_iam.errors import DefinitionError
    from sfn_iam.load import load, read_source

    if _is_template_path(path):
        return [(m.name, r) for m, r in _from_sources(args, path, subs, params, None, every=True)]
    data, name = read_source(path, max_bytes)
    maybe_template = b"Resources" in data or b"stepFunctions" in data or b"Fn::" in data \
        or b"!" in data or b"Ref" in data or b"${" in data
    if maybe_template:
        try:
            value = load(data, name).value
        except DefinitionError:
            value = None
        if value is None or _needs_sources(value, data):
            return [(m.name, r) for m, r in _from_sources(args, path, subs, params, data, every=True)]
        if isinstance(value, dict):
            return [(None, _generate(args, value, name, subs))]
    return [(None, _generate(args, data, name, subs))]


def _size(result: GenerateResult, directory: str | None) -> None:
    """Report the size when it is over the managed-policy limit; ``--split`` writes the
    managed-policy documents."""
    from sfn_iam.policy import MANAGED_LIMIT, split

    if result.size > MANAGED_LIMIT and directory is None:
        sys.stderr.write(f"sfn-iam: note: the policy is {result.size:,} characters, over the "
                         f"{MANAGED_LIMIT:,} of a managed policy; --split DIR writes it as "
                         "several that fit\n")
    if directory is None:
        return
    from pathlib import Path

    parts = split(result.document, MANAGED_LIMIT)
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for i, part in enumerate(parts, 1):
            (out / f"policy-{i}.json").write_text(json.dumps(part, indent=2) + "\n")
    except OSError as exc:
        raise UsageError(f"--split {directory}: {exc.strerror or exc}") from None
    from sfn_iam.cli import one_line

    sys.stderr.write(f"sfn-iam: note: the policy ({result.size:,} characters) written as "
                     f"{len(parts)} managed policies to {one_line(directory)}\n")
    if len(parts) > 10:
        sys.stderr.write("sfn-iam: warning: more than 10 managed policies: over IAM's default "
                         "quota of managed policies per role\n")


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

    from sfn_iam.cli import one_line

    roles = one_line(", ".join(policies))
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
          f"to {one_line(directory)} ({roles})", file=sys.stderr)
