"""Read state machines where users keep them: CloudFormation and SAM templates, CDK cloud
assemblies, serverless.yml (serverless-step-functions) and Terraform, besides bare ASL.

Imported only when the input is not a plain definition (start-up and speed of ASL input are
unchanged). :func:`load_state_machines` returns every state machine of a file or folder as
a :class:`StateMachine`: its definition, the substitutions its template gives, the settings
its template switches on, and where each resolved value came from.

Values known only at deploy time are never guessed:

* a resource whose name is generated at deploy time (no ``FunctionName``...) gets a wildcard
  in the name part only (``function:*``) and a ``dynamic-resource`` warning naming the
  resource and the state. The reader puts a *token* in the name's place (a name no
  definition uses) and the wildcard replaces it in the finished grants, so every rule sees
  a well-formed ARN and the wildcard cannot spread beyond the name;
* the region or account, when not given, are tokens as well (``*`` in the grant and a
  warning);
* ``Fn::ImportValue``, SSM references, a parameter without a default and other deploy-time
  values stay ``${...}`` placeholders: the generator treats them as dynamic.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from typing import TYPE_CHECKING, Any

from sfn_iam.errors import DefinitionError
from sfn_iam.findings import Finding

if TYPE_CHECKING:
    from sfn_iam.generate import GenerateResult

__all__ = ["StateMachine", "detect_kind", "generate_state_machine", "load_state_machines"]

#: the kinds of input :func:`detect_kind` tells apart
KINDS = ("asl", "cloudformation", "sam", "cdk", "serverless", "terraform")

#: tokens stand for values made at deploy time; nothing in a definition looks like them
_TOKEN_PREFIX = "zqsfniam"
_TOKEN_RE = re.compile(r"zqsfniam[0-9]+q|999988887777")
#: without the account token: when the account is given, 999988887777 is a real account
_NAME_TOKEN_RE = re.compile(r"zqsfniam[0-9]+q")


def token_re(account: str | None) -> re.Pattern[str]:
    """The tokens of a run: the account token only when the account is unknown."""
    return _TOKEN_RE if account is None else _NAME_TOKEN_RE
ACCOUNT_TOKEN = "999988887777"
REGION_TOKEN = "zqsfniam0q"
_COUNTER = itertools.count(1)


def check_text(text: str, name: str, account: str | None) -> str:
    """Refuse a file that holds the text of a token (a name part sfn-iam makes wildcard):
    a literal in it would be widened. Practically never: the tokens are chosen unlike
    anything a template holds; the account token only matters when the account is unknown."""
    if _TOKEN_PREFIX in text or (account is None and ACCOUNT_TOKEN in text):
        held = _TOKEN_PREFIX if _TOKEN_PREFIX in text else ACCOUNT_TOKEN
        raise DefinitionError(f"holds {held!r}, which sfn-iam uses internally for values made at "
                              "deploy time" + ("" if held == _TOKEN_PREFIX else
                                               ": pass --account"), source=name)
    return text


class Context:
    """What resolving one file needs and collects: the environment (region, account,
    partition, ``--parameter`` values), the tokens and deploy-time values met, the origin of
    each resolved value, and findings."""

    def __init__(self, file: str, *, region: str | None, account: str | None,
                 partition: str | None, parameters: dict[str, str] | None) -> None:
        from sfn_iam.arn import partition_for_region

        self.file = file
        self.region = region
        self.account = account
        self.partition = partition or partition_for_region(region) or "aws"
        self.parameters = dict(parameters or {})
        #: token -> (what it stands for, how to narrow it)
        self.tokens: dict[str, tuple[str, str]] = {REGION_TOKEN: (
            "the region is unknown", "pass --region"), ACCOUNT_TOKEN: (
            "the account is unknown", "pass --account")}
        self._by_key: dict[str, str] = {}
        #: deploy-time placeholder name -> why it is known only at deploy time
        self.deploy: dict[str, str] = {}
        #: resolved value -> the template expression it came from
        self.origins: dict[str, Any] = {}
        self.findings: list[Finding] = []

    @property
    def region_value(self) -> str:
        return self.region or REGION_TOKEN

    @property
    def account_value(self) -> str:
        return self.account or ACCOUNT_TOKEN

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    def generated(self, key: str, what: str, hint: str) -> str:
        """The token for a name made at deploy time (the same one for the same ``key``)."""
        token = self._by_key.get(key)
        if token is None:
            token = f"{_TOKEN_PREFIX}{next(_COUNTER)}q"  # unique across files (nested stacks)
            self._by_key[key] = token
            self.tokens[token] = (what, hint)
        return token

    def deploy_value(self, label: str, why: str) -> str:
        """A ``${label}`` placeholder for a value known only at deploy time."""
        label = re.sub(r"[${}]", "", label)[:200] or "deploy-time value"
        self.deploy.setdefault(label, why)
        return "${" + label + "}"

    def origin(self, value: Any, expression: Any, override: bool = False) -> Any:
        if isinstance(value, str) and (override or value not in self.origins):
            self.origins[value] = expression
        return value

    def note(self, code: str, message: str) -> None:
        self.findings.append(Finding(code, message))


class StateMachine:
    """One state machine as its file declares it.

    ``name``: the CloudFormation logical id, the serverless machine key or the Terraform
    resource name; ``kind``: one of :data:`KINDS`; ``file``: where its definition was read;
    ``definition``: the parsed ASL (template functions resolved; ``${Name}`` placeholders
    kept); ``substitutions``: ``${Name}`` -> value (``DefinitionSubstitutions``,
    ``templatefile`` variables...); ``xray``, ``logging``, ``kms_key``, ``arn``: the settings
    the template switches on and the machine's own ARN (None when unknown); ``findings``:
    deploy-time values met while reading; ``origins``: each resolved value (as it appears in
    the policy: a deploy-time name part is ``*``) -> the template expression it came from
    (``{"Fn::GetAtt": ["MyFn", "Arn"]}``, ``"aws_lambda_function.x.arn"``); ``resources``:
    the template's resources by logical id or Terraform address."""

    __slots__ = (
        "_context",
        "_raw",
        "aliases",
        "arn",
        "definition",
        "file",
        "findings",
        "kind",
        "kms_key",
        "logging",
        "name",
        "origins",
        "region",
        "resources",
        "substitutions",
        "task_roles",
        "xray",
    )

    def __init__(self, name: str, kind: str, file: str, definition: Any,
                 substitutions: dict[str, str] | None = None, *, xray: bool = False,
                 logging: bool = False, kms_key: str | None = None, arn: str | None = None,
                 resources: dict[str, Any] | None = None,
                 context: Context | None = None) -> None:
        self.name = name
        self.kind = kind
        self.file = file
        #: what generation uses: deploy-time names as tokens (the public fields show them
        #: as ``*``, the way the policy does)
        self._raw = (definition, dict(substitutions or {}), kms_key, arn)
        pattern = token_re(context.account if context else None)
        self.definition = _untoken_deep(definition, pattern)
        self.substitutions = _untoken_deep(dict(substitutions or {}), pattern)
        self.xray = xray
        self.logging = logging
        self.kms_key = _untoken_deep(kms_key, pattern)
        self.arn = _untoken_deep(arn, pattern)
        self.resources = dict(resources or {})
        self._context = context
        self.findings: list[Finding] = list(context.findings) if context else []
        self.origins: dict[str, Any] = (
            {_untoken(k, pattern): v for k, v in context.origins.items()} if context else {})
        #: task definition ARN (as resolved) -> the role ARNs it passes (ECS runTask)
        self.task_roles: dict[str, list[str]] = {}
        #: other names --state-machine accepts (a CDK construct id and path)
        self.aliases: tuple[str, ...] = ()
        #: the region the file itself fixes (serverless.yml provider.region), if any
        self.region: str | None = None

    def __repr__(self) -> str:
        return f"StateMachine({self.name!r}, kind={self.kind!r}, file={self.file!r})"


def _untoken(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub("*", text) if _TOKEN_PREFIX in text or ACCOUNT_TOKEN in text else text


def _untoken_deep(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return _untoken(value, pattern)
    if isinstance(value, dict):
        return {_untoken_deep(k, pattern): _untoken_deep(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_untoken_deep(v, pattern) for v in value]
    return value


# --- detection ------------------------------------------------------------------------------


def detect_kind(path: str, value: Any = None) -> str:
    """The kind of ``path`` (a file or folder), from its content: a parsed ``value`` may be
    given. Raises DefinitionError when it is none of :data:`KINDS`."""
    if os.path.isdir(path):
        names = set(os.listdir(path))
        if "manifest.json" in names and (any(n.endswith(".template.json") for n in names)
                                         or "cdk.out" in path or any(
                                             n.startswith("assembly-") for n in names)):
            return "cdk"
        if any(n.endswith(".tf") for n in names):
            return "terraform"
        for n in ("serverless.yml", "serverless.yaml"):
            if n in names:
                return "serverless"
        for n in ("template.yaml", "template.yml", "template.json"):
            if n in names:
                return "sam"
        raise DefinitionError("is a directory with no CDK cloud assembly (manifest.json), Terraform "
                              "(*.tf), serverless.yml or template.yaml in it", source=path)
    if value is None:
        return "terraform" if path.endswith(".tf") else "asl"
    return kind_of(value, path)


def kind_of(value: Any, path: str) -> str:
    if not isinstance(value, dict):
        return "asl"
    if isinstance(value.get("Resources"), dict) and "States" not in value:
        if "AWS::Serverless-2016-10-31" in str(value.get("Transform", "")):
            return "sam"
        meta = value.get("Resources", {}).get("CDKMetadata")
        if isinstance(meta, dict) or "aws:cdk" in str(value.get("Metadata", ""))[:2000]:
            return "cdk"
        return "cloudformation"
    if "stepFunctions" in value or ("service" in value and "provider" in value):
        return "serverless"
    return "asl"


# --- loading --------------------------------------------------------------------------------


def load_state_machines(path: str, *, parameters: dict[str, str] | None = None,
                        region: str | None = None, account: str | None = None,
                        partition: str | None = None, max_bytes: int | None = None,
                        data: bytes | None = None) -> list[StateMachine]:
    """Every state machine of ``path``: an ASL file, a CloudFormation/SAM template, a CDK
    cloud assembly (``cdk.out/`` or one of its ``*.template.json``), a serverless.yml, or a
    Terraform file or folder. ``parameters`` fill template parameters and Terraform variables
    (else their defaults); ``region``, ``account``, ``partition`` fill the pseudo parameters.
    ``data``: the file's bytes when already read (``-`` is stdin). Raises
    :class:`DefinitionError` (one line naming the file and resource) on bad input."""
    try:
        return _load(path, parameters, region, account, partition, max_bytes, data)
    except RecursionError:
        raise DefinitionError("nested too deeply to resolve", source=path) from None


def _load(path: str, parameters: dict[str, str] | None, region: str | None,
          account: str | None, partition: str | None, max_bytes: int | None,
          data: bytes | None) -> list[StateMachine]:
    from sfn_iam.load import DEFAULT_MAX_BYTES

    limit = max_bytes or DEFAULT_MAX_BYTES
    ctx_args: dict[str, Any] = {"region": region, "account": account, "partition": partition,
                                "parameters": parameters}
    if data is None and os.path.isdir(path):
        kind = detect_kind(path)
        if kind == "cdk":
            from sfn_iam.sources import cdk

            return cdk.load_assembly(path, limit, ctx_args)
        if kind == "terraform":
            from sfn_iam.sources import terraform

            return terraform.load(path, limit, ctx_args)
        for n in ("serverless.yml", "serverless.yaml", "template.yaml", "template.yml",
                  "template.json"):
            if os.path.isfile(os.path.join(path, n)):
                return _load(os.path.join(path, n), parameters, region, account, partition,
                             limit, None)
    if data is None and path.endswith(".tf"):
        from sfn_iam.sources import terraform

        return terraform.load(path, limit, ctx_args)
    from sfn_iam.load import decode, parse_template, read_source

    if data is None:
        data, name = read_source(path, limit)
    else:
        name = "<stdin>" if path == "-" else path
    text = check_text(decode(data, name), name, account)
    try:
        value = parse_template(text, name)
    except DefinitionError:
        if "${" in text and text.lstrip().startswith("{"):  # JSON only after substitution
            return [_bare(name, text, ctx_args)]
        if re.search(r'^\s*(resource|variable|locals|module|data)\s+("|\{)', text, re.M):
            if path == "-":
                raise DefinitionError("Terraform is read from a file or a folder (its variables "
                                      "and modules are there), not from standard input",
                                      source=name) from None
            from sfn_iam.sources import terraform

            return terraform.load(path, limit, ctx_args)
        why = why_unreadable(text)
        if why is not None:
            raise DefinitionError(why, source=name) from None
        raise
    kind = kind_of(value, name)
    if kind in ("cloudformation", "sam", "cdk"):
        from sfn_iam.sources import cdk

        if name.endswith(".template.json"):  # a stack of a CDK cloud assembly
            return cdk.load_template(name, value, limit, ctx_args)
        return cdk.load_template(name, value, limit, ctx_args, kind)  # nested stacks too
    if kind == "serverless":
        from sfn_iam.sources import serverless

        return serverless.load(name, value, limit, ctx_args)
    return [_bare(name, value, ctx_args)]


_JINJA = re.compile(r"\{%-?\s*(if|for|set|raw|include|macro)\b|\{\{\s*cookiecutter\.")
_TWO_TAGS = re.compile(r"(?:^|[\s\[,:-])(![A-Za-z]+)\s+(![A-Za-z]+)\b")


def why_unreadable(text: str) -> str | None:
    """Why a template that is not JSON or YAML cannot be read, when the cause is a known one
    (a line naming it, else None): a Jinja or cookiecutter template (``sam init``'s app
    templates) not rendered yet, or two short-form tags on one value (``!GetAZs !Ref x``),
    which YAML does not allow (one tag a node)."""
    m = _JINJA.search(text)
    if m is not None:
        line = text.count("\n", 0, m.start()) + 1
        return (f"line {line}: is a Jinja/cookiecutter template ({m.group(0).strip()!r} ...), not "
                "a template yet: render it first (sam init, cookiecutter), then read the result")
    for m in _TWO_TAGS.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if "#" in text[start:m.start()]:  # in a comment
            continue
        line = text.count("\n", 0, m.start()) + 1
        inner = m.group(2)[1:]
        long_form = "Ref" if inner == "Ref" else f"Fn::{inner}"
        return (f"line {line}: two short-form functions on one value ({m.group(1)} "
                f"{m.group(2)}): YAML gives a value one tag; write the inner one in its long form "
                f"({m.group(1)} {{{long_form}: ...}})")
    return None


def _bare(name: str, value: Any, ctx_args: dict[str, Any]) -> StateMachine:
    """A bare definition: plain ASL, or ASL with template functions in it (an inline SAM
    ``Definition`` copied out), or text that is JSON only once ``${Name}`` is filled in."""
    from sfn_iam.sources import cloudformation

    ctx = Context(name, **ctx_args)
    if isinstance(value, str):
        value = parse_definition_text(value, {}, name)
    value = cloudformation.Resolver({}, ctx, lenient=True).value(value, "definition")
    base = os.path.basename(name)
    for suffix in (".json", ".yaml", ".yml", ".json5", ".asl"):
        base = base.removesuffix(suffix)
    return StateMachine(base or name, "asl", name, value, {}, context=ctx)


def parse_definition_text(text: str, substitutions: dict[str, str], name: str) -> Any:
    """A definition given as text (``DefinitionString``, a file, ``templatefile``): JSON or
    YAML; a text that is JSON only after substitution (``"TimeoutSeconds": ${timeout}``) is
    substituted as text first, the way CloudFormation and Terraform do, and a placeholder
    left without a value in such a place becomes a string."""
    from sfn_iam.load import parse

    try:
        return parse(text, name).value
    except DefinitionError:
        if "${" not in text:
            raise
    def outside_strings(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:  # a JSON string: placeholders in it stay for the generator
            return m.group(0)
        value = substitutions.get(name)
        # a placeholder without a value where a JSON value goes: keep it, as a string
        return json.dumps("${" + name + "}") if value is None else value

    done = re.sub(r'"(?:[^"\\]|\\.)*"|\$\{([^${}]*)\}', outside_strings, text)
    return parse(done, name).value


_PLACEHOLDER = re.compile(r"\$\{[^${}]*\}")


def split_text(text: str, delimiter: str) -> list[str]:
    """``text.split(delimiter)``, except that a ``${...}`` placeholder (a value known only at
    deploy time) is one piece of text: a delimiter inside its label does not split it
    (``Fn::Split [":", ARN]`` of a bucket whose name is made at deploy time)."""
    if "${" not in text or "$" in delimiter or "{" in delimiter or "}" in delimiter:
        return text.split(delimiter)
    pieces = [""]
    at = 0
    for m in _PLACEHOLDER.finditer(text):
        outside = text[at:m.start()].split(delimiter)
        pieces[-1] += outside[0]
        pieces.extend(outside[1:])
        pieces[-1] += m.group(0)
        at = m.end()
    outside = text[at:].split(delimiter)
    pieces[-1] += outside[0]
    pieces.extend(outside[1:])
    return pieces


def substitute_deep(value: Any, substitutions: dict[str, str]) -> Any:
    """``value`` with ``${Name}`` replaced in every string (keys too) where a value is given."""
    if not substitutions:
        return value
    pattern = re.compile(r"\$\{([^${}]*)\}")

    def one(text: str) -> str:
        if "${" not in text:
            return text
        return pattern.sub(lambda m: substitutions.get(m.group(1), m.group(0)), text)

    def walk(node: Any, depth: int) -> Any:
        if depth > 5000:
            raise DefinitionError("nested too deeply")
        if isinstance(node, str):
            return one(node)
        if isinstance(node, dict):
            return {one(k) if isinstance(k, str) else k: walk(v, depth + 1)
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, depth + 1) for v in node]
        return node

    return walk(value, 0)


def select(machines: list[StateMachine], name: str | None, source: str) -> list[StateMachine]:
    """The machine called ``name`` (``--state-machine``); all of them when None."""
    if name is None:
        return machines
    chosen = [m for m in machines if m.name == name] or [
        m for m in machines if name in m.aliases] or [  # the machine's own name (its ARN)
        m for m in machines if m.arn and m.arn.endswith(f":stateMachine:{name}")]
    if not chosen:
        names = ", ".join(m.name for m in machines) or "none"
        raise DefinitionError(f"no state machine named {name!r} (state machines: {names})",
                              source=source)
    return chosen


# --- generation -----------------------------------------------------------------------------


def generate_state_machine(machine: StateMachine, *, region: str | None = None,
                           account: str | None = None, partition: str | None = None,
                           substitutions: dict[str, str] | None = None, xray: bool = False,
                           logging: bool = False, kms_key: str | None = None,
                           state_machine_arn: str | None = None,
                           qualifier_condition: bool = False,
                           as_templates: bool = False) -> GenerateResult:
    """The policy of one :class:`StateMachine`: its substitutions applied (``substitutions``
    override them), its settings switched on (the arguments add to them), deploy-time names
    made wildcards in the name part only, each with a warning."""
    from sfn_iam.generate import generate_policy

    ctx = machine._context
    region = region or machine.region
    raw_definition, raw_subs, raw_kms_key, raw_arn = machine._raw
    subs = {**raw_subs, **(substitutions or {})}
    definition = substitute_deep(raw_definition, subs)
    own_arn = state_machine_arn
    if own_arn is None and raw_arn and region and account and "${" not in raw_arn:
        own_arn = raw_arn
    # The definition is substituted already; a value that is itself a deploy-time placeholder
    # (``TableName: !Ref ParamWithoutDefault`` gives ``${ParamWithoutDefault}``) must stay a
    # placeholder for the generator (dynamic, with its warning), not be filled again with its
    # own text, which would make it a literal name.
    static_subs = {k: v for k, v in subs.items() if not (isinstance(v, str) and "${" in v)}
    result = generate_policy(
        definition, region=region, account=account, partition=partition,
        xray=xray or machine.xray, logging=logging or machine.logging,
        kms_key=kms_key or raw_kms_key, substitutions=static_subs, source=machine.file,
        state_machine_arn=own_arn, qualifier_condition=qualifier_condition,
        as_templates=as_templates)
    from sfn_iam.sources import finish

    return finish.finish(result, machine, ctx, definition)
