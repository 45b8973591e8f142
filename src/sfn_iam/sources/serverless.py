"""serverless.yml with the serverless-step-functions plugin
(``stepFunctions.stateMachines.NAME.definition``).

The Serverless Framework's variables are resolved first: ``${self:...}``, ``${sls:stage}``,
``${opt:stage, 'dev'}`` (``--parameter stage=prod`` sets the options), ``${aws:region}``,
``${aws:accountId}``, ``${env:X, default}``, ``${file(./x.yml)}`` and ``${file(x.yml):key}``;
``${ssm:...}``, ``${cf:...}``, ``${s3:...}``, ``${param:...}`` are known only at deploy time.
Then the CloudFormation functions of the definition (``Fn::GetAtt: [hello, Arn]`` of a function
of ``functions:``, ``Ref`` of ``resources.Resources``) are resolved by :mod:`.cloudformation`,
each function named as the framework names it: ``hello`` -> ``<service>-<stage>-hello``, logical
id ``HelloLambdaFunction``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import Context, StateMachine, check_text

_VAR = re.compile(r"\$\{([^${}]*)\}")
_SOURCES = ("self:", "opt:", "sls:", "env:", "file(", "aws:", "ssm:", "cf:", "s3:", "param:",
            "cf(", "strToBool(", "provider:")
_MAX_DEPTH = 30


def logical_id(name: str, suffix: str = "LambdaFunction") -> str:
    """The framework's logical id: ``hello-world`` -> ``HelloDashworldLambdaFunction``."""
    name = name[:1].upper() + name[1:]
    return name.replace("-", "Dash").replace("_", "Underscore") + suffix


class Variables:
    """Resolve the framework's ``${...}`` variables in a document."""

    def __init__(self, doc: dict[str, Any], file: str, ctx: Context, max_bytes: int) -> None:
        self.doc = doc
        self.file = file
        self.ctx = ctx
        self.max_bytes = max_bytes
        self.options = {k.removeprefix("opt:"): v for k, v in ctx.parameters.items()}
        self._depth = 0
        self._files: dict[str, Any] = {}

    def error(self, what: str) -> DefinitionError:
        return DefinitionError(what, None, self.file)

    def resolve(self, node: Any, depth: int = 0) -> Any:
        if depth > 400:
            raise self.error("nested too deeply")
        if isinstance(node, str):
            return self.text(node) if "${" in node else node
        if isinstance(node, dict):
            return {k: self.resolve(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v, depth + 1) for v in node]
        return node

    def text(self, text: str) -> Any:
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                raise self.error(f"variables refer to each other in a loop ({text[:80]!r})")
            for _ in range(50):
                m = None
                for cand in _VAR.finditer(text):
                    if cand.group(1).strip().startswith(_SOURCES) or ("," in cand.group(1) \
                            and cand.group(1).split(",")[0].strip().startswith(_SOURCES)):
                        m = cand
                        break
                if m is None:
                    return text
                value = self.variable(m.group(1))
                if m.start() == 0 and m.end() == len(text):
                    if not isinstance(value, str):
                        return self.resolve(value)
                    text = value
                    continue
                text = text[:m.start()] + (value if isinstance(value, str) else str(value)) \
                    + text[m.end():]
            raise self.error(f"too many variables in {text[:80]!r}")
        finally:
            self._depth -= 1

    def variable(self, expr: str) -> Any:
        """One ``${...}`` expression with its fallbacks (``a, b, 'c'``)."""
        for alternative in _split_fallbacks(expr):
            alt = alternative.strip()
            if (alt[:1] in "'\"") and alt[-1:] == alt[:1] and len(alt) >= 2:
                return alt[1:-1]
            if re.fullmatch(r"-?\d+(\.\d+)?", alt):
                return alt
            if alt in ("true", "false"):
                return alt
            value = self.source(alt)
            if value is not None:
                return value
        # the label must not read as a variable again (no source prefix at its start)
        return self.ctx.deploy_value("variable " + expr, f"the variable ${{{expr}}} has no value")

    def source(self, alt: str) -> Any:
        ctx = self.ctx
        if alt.startswith("self:"):
            return self.path(self.doc, alt[5:])
        if alt.startswith("opt:"):
            key = alt[4:]
            if key == "region" and ctx.region:
                return ctx.region
            return self.options.get(key)
        if alt == "sls:stage":
            return self.stage()
        if alt == "sls:instanceId":
            return ctx.deploy_value("variable sls:instanceId", "the deployment's instance id")
        if alt == "aws:region":
            return self.region()
        if alt == "aws:accountId":
            return ctx.account_value
        if alt.startswith("env:"):
            return os.environ.get(alt[4:])
        if alt.startswith("file("):
            return self.file_value(alt)
        if alt.startswith("provider:"):
            return self.provider(alt[9:])
        if alt.startswith(("ssm:", "cf:", "s3:", "param:", "cf(")):
            source = alt.split(":", maxsplit=1)[0]
            return ctx.deploy_value("variable " + alt, f"{source} values are read at deploy time")
        return None

    def provider(self, key: str) -> Any:
        provider = self.doc.get("provider")
        if isinstance(provider, str):
            provider = self.resolve(provider)
        raw = provider.get(key) if isinstance(provider, dict) else None
        return self.resolve(raw) if raw is not None else None

    def stage(self) -> str:
        stage = self.options.get("stage")
        if stage is None:
            stage = self.provider("stage") or "dev"
        return str(stage)

    def region(self) -> str:
        if self.ctx.region:
            return self.ctx.region
        if "region" in self.options:
            return str(self.options["region"])
        return str(self.provider("region") or "us-east-1")

    def path(self, root: Any, dotted: str) -> Any:
        node = root
        for part in (p for p in dotted.split(".") if p):
            if isinstance(node, str) and "${" in node:  # provider: ${file(../base.yml):provider}
                node = self.resolve(node)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        if node is root and not dotted:
            return None
        return self.resolve(node) if isinstance(node, (str, dict, list)) else node

    def file_value(self, alt: str) -> Any:
        m = re.fullmatch(r"file\(\s*([^)]*?)\s*\)(?::(.*))?", alt)
        if not m:
            raise self.error(f"cannot read the variable ${{{alt}}}")
        rel = m.group(1).strip("'\"")
        path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(self.file)), rel))
        if path not in self._files:
            if not os.path.isfile(path):
                raise self.error(f"${{{alt}}}: no such file ({path})")
            if len(self._files) > 100:
                raise self.error("too many included files")
            from sfn_iam.load import decode, parse_template, read_source

            data, name = read_source(path, self.max_bytes)
            text = check_text(decode(data, name), name, self.ctx.account)
            self._files[path] = (parse_template(text, name) if path.endswith(
                (".yml", ".yaml", ".json")) else text)
        value = self._files[path]
        if m.group(2):
            value = self.path(value, m.group(2).strip())
            if value is None:
                raise self.error(f"${{{alt}}}: no key {m.group(2).strip()!r} in {rel}")
            return value
        return self.resolve(value)


def _split_fallbacks(expr: str) -> list[str]:
    """``opt:stage, 'dev'`` -> ``["opt:stage", " 'dev'"]`` (commas in quotes kept)."""
    out, current, quote = [], "", ""
    for ch in expr:
        if quote:
            current += ch
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == ",":
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


def load(name: str, doc: Any, max_bytes: int, ctx_args: dict[str, Any]) -> list[StateMachine]:
    from sfn_iam.sources import cloudformation

    if not isinstance(doc, dict):
        raise DefinitionError("a serverless.yml is a mapping", source=name)
    step = doc.get("stepFunctions")
    machines_raw = step.get("stateMachines") if isinstance(step, dict) else None
    if not isinstance(machines_raw, dict) or not machines_raw:
        raise DefinitionError("no stepFunctions.stateMachines in this serverless.yml", source=name)
    out = []
    for key in machines_raw:
        ctx = Context(name, **ctx_args)
        v = Variables(doc, name, ctx, max_bytes)
        region = v.region()
        if ctx.region is None:  # the file's own region (provider.region, default us-east-1)
            ctx.region = region
        service = v.resolve(doc.get("service"))
        if isinstance(service, dict):
            service = service.get("name")
        stage = v.stage()
        template = _template(v, str(service), stage)
        spec = _pseudo_parameters(v.resolve(machines_raw[key]))
        if not isinstance(spec, dict) or "definition" not in spec:
            raise DefinitionError(f"state machine {key} has no definition", source=name)
        # the plugin writes a function of the service as its ARN, Ref included (#470)
        refs = {k: "arn" for k, res in template["Resources"].items()
                if res.get("Type") == "AWS::Lambda::Function"}
        r = cloudformation.Resolver(template, ctx, lenient=True, ref_overrides=refs)
        r.where = str(key)
        definition = r.value(spec["definition"], "definition")
        if isinstance(definition, str):
            from sfn_iam.sources import parse_definition_text

            definition = parse_definition_text(definition, {}, name)
        if not isinstance(definition, dict):
            raise DefinitionError(f"the definition of {key} is not an object", source=name)
        out.append(_machine(str(key), spec, r, definition, name))
    return out


def _pseudo_parameters(node: Any, depth: int = 0) -> Any:
    """The serverless-pseudo-parameters plugin's ``#{AWS::Region}`` / ``#{MyQueue}``: a
    ``Fn::Sub`` of ``${...}``."""
    if depth > 400:
        return node
    if isinstance(node, str):
        return {"Fn::Sub": re.sub(r"#\{([^}]*)\}", r"${\1}", node)} if "#{" in node else node
    if isinstance(node, dict):
        return {k: _pseudo_parameters(v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_pseudo_parameters(v, depth + 1) for v in node]
    return node


def _template(v: Variables, service: str, stage: str) -> dict[str, Any]:
    """The CloudFormation resources the definition may refer to: ``resources.Resources`` and
    a Lambda function per entry of ``functions:`` (under its logical id and its key)."""
    doc = v.doc
    resources: dict[str, Any] = {}
    extra = doc.get("resources")
    if isinstance(extra, dict) and isinstance(extra.get("Resources"), dict):
        resources.update(v.resolve(extra["Resources"]))
    functions = doc.get("functions")
    if isinstance(functions, dict):
        for key, raw_fn in functions.items():
            fn = v.resolve(raw_fn) if isinstance(raw_fn, dict) else {}
            fname = fn.get("name") if isinstance(fn, dict) else None
            res = {"Type": "AWS::Lambda::Function",
                   "Properties": {"FunctionName": fname or f"{service}-{stage}-{key}"}}
            resources.setdefault(logical_id(str(key)), res)
            resources.setdefault(str(key), res)
    step = doc.get("stepFunctions")
    activities = step.get("activities") if isinstance(step, dict) else None
    for activity in activities if isinstance(activities, list) else []:
        if isinstance(activity, str):
            resources.setdefault(logical_id(activity, "StepFunctionsActivity"), {
                "Type": "AWS::StepFunctions::Activity", "Properties": {"Name": activity}})
    template: dict[str, Any] = {"Resources": resources}
    if isinstance(extra, dict):
        for section in ("Conditions", "Mappings", "Parameters"):
            if isinstance(extra.get(section), dict):
                template[section] = extra[section]
    return template


def _machine(key: str, spec: dict[str, Any], r: Any, definition: Any, file: str) -> StateMachine:
    ctx = r.ctx
    name = spec.get("name")
    tracing = spec.get("tracingConfig") or {}
    logging_cfg = spec.get("loggingConfig") or {}
    xray = isinstance(tracing, dict) and tracing.get("enabled") in (True, "true")
    logging = isinstance(logging_cfg, dict) and str(logging_cfg.get("level", "OFF")) != "OFF" \
        and bool(logging_cfg)
    kms_key = None
    enc = spec.get("encryptionConfig")
    if isinstance(enc, dict):
        key_id = r.value(enc.get("kmsKeyId") or enc.get("KmsKeyId"))
        if isinstance(key_id, str):
            kms_key = key_id
    machine_name = r.string(name) if name is not None else ctx.generated(
        f"machine {key}", f"the name of state machine {key} is generated at deploy time",
        "give it a name to narrow it")
    arn = f"arn:{ctx.partition}:states:{ctx.region_value}:{ctx.account_value}:stateMachine:" \
        f"{machine_name}"
    sm = StateMachine(key, "serverless", file, definition, {}, xray=xray, logging=logging,
                      kms_key=kms_key, arn=arn, resources=r.resources, context=ctx)
    from sfn_iam.sources.cloudformation import task_roles

    sm.task_roles = task_roles(r)
    sm.region = ctx.region
    return sm
