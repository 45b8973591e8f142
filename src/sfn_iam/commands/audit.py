"""``sfn-iam audit DEFINITION --policy FILE ...``: will this role work, and what in it is too
much? Exit 0 nothing missing, 1 something missing (with --strict: excess or undecided too),
2 unusable input."""

from __future__ import annotations

import sys

from sfn_iam.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

FORMATS = ("text", "json", "sarif", "markdown")


def add_generate_options(p: argparse.ArgumentParser) -> None:
    """The options of ``generate`` that change what is needed."""
    p.add_argument("--region", help="the region the state machine runs in")
    p.add_argument("--account", help="the 12-digit account ID the state machine runs in")
    p.add_argument("--partition", help="aws, aws-cn, aws-us-gov, ... (default: from the region)")
    p.add_argument("--state-machine-arn", metavar="ARN", help="the state machine's own ARN")
    p.add_argument("--xray", action="store_true", help="X-Ray tracing is enabled")
    p.add_argument("--logging", action="store_true", help="CloudWatch Logs logging is enabled")
    p.add_argument("--kms-key", metavar="KEY_ARN", help="the customer managed KMS key")
    p.add_argument("--qualifier-condition", action="store_true",
                   help="scope StartExecution of a nested version or alias with a condition")
    p.add_argument("--substitute", metavar="NAME=VALUE", action="append", default=[],
                   help="a value for a ${NAME} placeholder (may be repeated)")
    from sfn_iam.commands.generate import _positive_int

    p.add_argument("--max-bytes", type=_positive_int, default=None, metavar="N",
                   help="refuse input larger than N bytes (default 8 MiB)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("definition", metavar="DEFINITION",
                   help="an Amazon States Language file (JSON or YAML), - for stdin, a template "
                   "that holds the state machine (CloudFormation, SAM, CDK, serverless.yml, "
                   "Terraform: its own role is audited when no --policy is given), or a state "
                   "machine ARN (read with sfn-iam[aws], its role too)")
    p.add_argument("--policy", metavar="FILE", action="append", default=[],
                   help="a policy document, a list of them, or a role as CloudFormation writes "
                   "it (Policies, ManagedPolicyArns); may be repeated: the documents together")
    p.add_argument("--managed-policy", metavar="ARN=FILE", action="append", default=[],
                   help="the document of a managed policy the role names by ARN (a policy "
                   "document or 'aws iam get-policy-version' output); may be repeated")
    p.add_argument("--template-role", metavar="TEMPLATE",
                   help="read the state machine's role from a CloudFormation/SAM template "
                   "(JSON or YAML, short-form tags included): its IAM role, SAM Policies "
                   "(policy templates included) and Connectors")
    p.add_argument("--state-machine", metavar="LOGICAL_ID",
                   help="which state machine of the template (when it has several)")
    p.add_argument("--parameter", metavar="KEY=VALUE", action="append", default=[],
                   help="a template parameter or Terraform variable (may be repeated)")
    p.add_argument("--profile", help="the AWS profile for a state machine ARN (default: the "
                   "boto3 credential chain)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (a table), json, sarif (code scanning) or markdown (a PR comment)")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 on excess or undecided permissions too")
    add_generate_options(p)


def _from_template(args: argparse.Namespace, options: dict[str, Any]
                   ) -> tuple[Any, str, str, str, Any] | None:
    """(result, the definition's file, its text, the template kind, the context the machine
    was read with) when DEFINITION is a template (``sfn_iam.sources``), else None: a bare
    definition."""
    from sfn_iam.commands import generate as gen
    from sfn_iam.errors import DefinitionError
    from sfn_iam.load import DEFAULT_MAX_BYTES, load, read_source

    path, data = args.definition, None
    if not gen._is_template_path(path):
        data, _name = read_source(path, args.max_bytes or DEFAULT_MAX_BYTES)
        try:
            loaded = load(data, _name)
        except DefinitionError:
            if b"!" not in data and b"${" not in data and b"resource" not in data:
                raise
        else:
            if not gen._needs_sources(loaded.value, data):
                return None
    from sfn_iam.sources import generate_state_machine, load_state_machines, select

    machines = load_state_machines(
        path, parameters=gen.parse_parameters(args.parameter), region=args.region,
        account=args.account, partition=args.partition,
        max_bytes=args.max_bytes or DEFAULT_MAX_BYTES, data=data)
    shown = "<stdin>" if path == "-" else path
    machines = select(machines, args.state_machine, shown)
    if len(machines) > 1:
        names = ", ".join(m.name for m in machines)
        raise UsageError(f"{shown}: {len(machines)} state machines ({names}): choose one with "
                         "--state-machine NAME")
    machine = machines[0]
    if args.template_role and not args.state_machine:
        args.state_machine = machine.name  # the same machine's role
    result = generate_state_machine(machine, **options)
    try:
        with open(machine.file, encoding="utf-8-sig") as f:
            text = f.read(args.max_bytes or DEFAULT_MAX_BYTES)
    except (OSError, UnicodeDecodeError):
        text = ""
    from sfn_iam.sources.template_values import machine_context

    return result, machine.file, text, machine.kind, machine_context(machine)


def _live(args: argparse.Namespace, options: dict[str, Any], role: Any) -> tuple[Any, str, str]:
    """A state machine read from the account (sfn-iam[aws]): its policy and its role's
    policies (inline and attached managed ones)."""
    from sfn_iam import live

    given = [f"--{o.replace('_', '-')}" for o in ("region", "account", "partition",
                                                  "state_machine_arn") if getattr(args, o)]
    if given:
        raise UsageError(f"{', '.join(given)}: a state machine read from the account has "
                         "its own region, account and ARN")
    session = live.Session(profile=args.profile)
    machine = live.describe(args.definition, session)
    machine.xray = machine.xray or args.xray
    machine.logging = machine.logging or args.logging
    machine.kms_key = args.kms_key or machine.kms_key
    result = live.generate(machine, substitutions=options["substitutions"],
                           qualifier_condition=args.qualifier_condition)
    if not args.policy and not args.template_role:
        for role_arn in machine.role_arns:
            for item in live.role_policies(role_arn, session):
                role.documents.append((f"{role_arn} {item['name']}", item["document"]))
    return result, machine.arn, machine.definitions[0][1]


def generate_options(args: argparse.Namespace) -> dict[str, Any]:
    from sfn_iam.commands.generate import parse_substitutions

    return {"region": args.region, "account": args.account, "partition": args.partition,
            "xray": args.xray, "logging": args.logging, "kms_key": args.kms_key,
            "state_machine_arn": args.state_machine_arn,
            "qualifier_condition": args.qualifier_condition,
            "substitutions": parse_substitutions(args.substitute)}


def read_value(path: str, max_bytes: int | None) -> tuple[Any, str, str]:
    """A JSON or YAML file (``-`` for stdin) -> (parsed value, its name, its text)."""
    from sfn_iam.load import DEFAULT_MAX_BYTES, decode, parse, read_source

    data, name = read_source(path, max_bytes or DEFAULT_MAX_BYTES)
    text = decode(data, name)
    return parse(text, name).value, name, text


def run(args: argparse.Namespace) -> int:
    from sfn_iam.audit import audit, render
    from sfn_iam.audit.roles import RolePolicies, from_file_value
    from sfn_iam.generate import generate_policy

    options = generate_options(args)
    role = RolePolicies()
    files: dict[str, str | None] = {}
    context = None  # the context the machine was read with (a template)
    from sfn_iam.commands.generate import _live_arn

    if _live_arn([args.definition]):
        result, name, source = _live(args, options, role)
    else:
        needed = _from_template(args, options)
        if needed is None:
            if args.state_machine and not args.template_role:
                raise UsageError("--state-machine names a state machine of the template")
            value, name, source = read_value(args.definition, args.max_bytes)
            result = generate_policy(value if isinstance(value, dict) else source, source=name,
                                     **options)
        else:
            result, name, source, kind, context = needed
            if not args.policy and not args.template_role and kind in ("cloudformation", "sam"):
                # the machine's own role, in the same template (a folder's template.yaml)
                import os

                same = context is not None and os.path.isfile(context.file)
                args.template_role = context.file if same else args.definition
        if not args.policy and not args.template_role:
            raise UsageError("audit needs the role: --policy FILE (repeatable) or "
                             "--template-role TEMPLATE")
    from sfn_iam.audit.roles import policy_file_resolver
    from sfn_iam.commands.generate import parse_parameters

    resolve = policy_file_resolver(options["region"], options["account"], options["partition"],
                                   parse_parameters(args.parameter))
    for path in args.policy:
        pvalue, pname, ptext = read_value(path, args.max_bytes)
        role.extend(from_file_value(pvalue, pname, resolve))
        files[pname] = ptext
    if args.template_role:
        try:
            found, tname, ttext = _template_role(args, options, context)
        except RecursionError:
            raise UsageError(f"{args.template_role}: nested too deeply to be a template "
                             "sfn-iam can read") from None
        role.extend(found)
        files[tname] = ttext
    for item in args.managed_policy:
        arn, sep, path = item.partition("=")
        if not sep or not arn or not path:
            raise UsageError(f"--managed-policy {item!r}: expected ARN=FILE")
        mvalue, mname, mtext = read_value(path, args.max_bytes)
        found = from_file_value(mvalue, mname, resolve)
        role.documents += [(f"{arn} ({n})", d) for n, d in found.documents]
        role.not_evaluated = [a for a in role.not_evaluated if a != arn]
        files[mname] = mtext
    report = audit(result, role.documents, not_evaluated=role.not_evaluated)
    out = sys.stdout
    if args.format == "json":
        out.write(render.as_json(report))
    elif args.format == "markdown":
        out.write(render.markdown(report))
    elif args.format == "sarif":
        out.write(render.sarif(report, name, source, files))
    else:
        import os

        colour = out.isatty() and not os.environ.get("NO_COLOR")
        out.write(render.text(report, colour=colour))
    return report.exit_code(args.strict)


def load_template(path: str, max_bytes: int | None) -> tuple[Any, str, str]:
    """A CloudFormation/SAM template -> (parsed, name, text), short-form tags (``!GetAtt``)
    read as their long form (``sfn_iam.load.parse_template``, the template readers' own)."""
    from sfn_iam.load import DEFAULT_MAX_BYTES, decode, parse_template, read_source

    data, name = read_source(path, max_bytes or DEFAULT_MAX_BYTES)
    text = decode(data, name)
    return parse_template(text, name), name, text


def _template_role(args: argparse.Namespace, options: dict[str, Any],
                   context: Any = None) -> tuple[Any, str, str]:
    """The role of the template's state machine, the template's name and its text. Its
    intrinsics are resolved by the template readers' resolver (the definition's own): with
    ``context``, the one the machine was read with, when the role is in that same template;
    else a context with the same region, account, partition and ``--parameter`` values."""
    from sfn_iam.audit.roles import template_role
    from sfn_iam.commands.generate import parse_parameters
    from sfn_iam.sources.template_values import template_context, template_resolver

    template, tname, text = load_template(args.template_role, args.max_bytes)
    if not isinstance(template, dict):
        raise UsageError(f"{tname}: not a CloudFormation template (expected an object)")
    if context is None or not _same_file(context.file, args.template_role):
        context = template_context(tname, region=options["region"], account=options["account"],
                                   partition=options["partition"],
                                   parameters=parse_parameters(args.parameter))
    resolve = template_resolver(template, context)
    return template_role(template, args.state_machine, resolve, tname), tname, text


def _same_file(a: str, b: str) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
