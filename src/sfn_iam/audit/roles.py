"""Where the role's permissions come from: policy files, CloudFormation roles, and the state
machine's own role in a CloudFormation/SAM template.

Everything here works on already-parsed data (dicts as ``json.load`` or a CloudFormation YAML
reader gives them, intrinsics in long form: ``{"Fn::GetAtt": ["Fn", "Arn"]}``). Intrinsics are
resolved by an injectable ``resolve(value) -> value``; :class:`Resolver` is the default: pseudo
parameters, parameter defaults, ``Ref``/``Fn::GetAtt`` of the common resource types (named by
their name property, else by their logical ID), ``Fn::Sub``, ``Fn::Join``. What it cannot
resolve becomes ``${...}``, which the evaluator treats as a policy variable without a value:
undecided, never guessed.
"""

from __future__ import annotations

import json

from sfn_iam.errors import SfnIamError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Resolve = Callable[[Any], Any]


class RoleError(SfnIamError):
    """A policy file or template that does not give a role's permissions."""


class RolePolicies:
    """The documents of a role: ``documents`` (name, policy document) pairs; ``not_evaluated``
    managed policies named by ARN (or by an expression) whose document is not given."""

    __slots__ = ("documents", "not_evaluated")

    def __init__(self) -> None:
        self.documents: list[tuple[str, dict[str, Any]]] = []
        self.not_evaluated: list[str] = []

    def extend(self, other: RolePolicies) -> None:
        self.documents += other.documents
        self.not_evaluated += [a for a in other.not_evaluated if a not in self.not_evaluated]


# --- policy files -----------------------------------------------------------------------------


def from_file_value(value: Any, name: str, resolve: Resolve | None = None) -> RolePolicies:
    """A parsed ``--policy`` file: a policy document, a list of them, a role as CloudFormation
    writes it (``{"Type": "AWS::IAM::Role", "Properties": ...}`` or the properties alone:
    ``Policies``, ``ManagedPolicyArns``), or the output of ``aws iam get-role-policy``."""
    res = resolve or Resolver({})
    out = RolePolicies()
    if isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(from_file_value(item, f"{name}[{i}]", res))
        return out
    if not isinstance(value, dict):
        raise RoleError(f"{name}: not a policy document or a role (expected a JSON object)")
    if "Resources" in value:
        raise RoleError(f"{name}: a template: pass it with --template-role")
    if "Statement" in value:
        out.documents.append((name, res(value)))
        return out
    version = value.get("PolicyVersion")
    if isinstance(version, dict) and "Document" in version:  # aws iam get-policy-version
        out.documents.append((name, _document(res(version["Document"]), name)))
        return out
    if "PolicyDocument" in value:  # aws iam get-role-policy, or one entry of Policies
        label = value.get("PolicyName") if isinstance(value.get("PolicyName"), str) else name
        out.documents.append((f"{name}: {label}", _document(res(value["PolicyDocument"]), name)))
        return out
    props = value.get("Properties") if "Type" in value else value
    if isinstance(props, dict) and ("Policies" in props or "ManagedPolicyArns" in props):
        return cfn_role(props, name, {}, res)
    raise RoleError(f"{name}: not a policy document (no Statement) nor a role (no Policies or "
                    "ManagedPolicyArns)")


def _document(doc: Any, name: str) -> dict[str, Any]:
    if isinstance(doc, str):  # some tools write the document as a JSON string
        try:
            doc = json.loads(doc)
        except ValueError:
            raise RoleError(f"{name}: PolicyDocument is a string that is not JSON") from None
    if not isinstance(doc, dict):
        raise RoleError(f"{name}: PolicyDocument is not an object")
    return doc


def cfn_role(props: dict[str, Any], name: str, resources: dict[str, Any],
             resolve: Resolve) -> RolePolicies:
    """An ``AWS::IAM::Role``'s ``Policies`` and ``ManagedPolicyArns`` (a managed policy of the
    same template, named by ``Ref``, is read from ``resources``)."""
    out = RolePolicies()
    policies = props.get("Policies") or []
    if not isinstance(policies, list):
        raise RoleError(f"{name}: Policies is not a list")
    for i, entry in enumerate(policies):
        if not isinstance(entry, dict) or "PolicyDocument" not in entry:
            raise RoleError(f"{name}: Policies[{i}] has no PolicyDocument")
        label = entry.get("PolicyName")
        label = label if isinstance(label, str) else f"Policies[{i}]"
        out.documents.append((f"{name}: {label}",
                              _document(resolve(entry["PolicyDocument"]), name)))
    arns = props.get("ManagedPolicyArns") or []
    for arn in arns if isinstance(arns, list) else [arns]:
        ref = arn.get("Ref") if isinstance(arn, dict) else None
        target = resources.get(ref) if isinstance(ref, str) else None
        if isinstance(target, dict) and target.get("Type") == "AWS::IAM::ManagedPolicy":
            doc = (target.get("Properties") or {}).get("PolicyDocument")
            out.documents.append((f"{ref}", _document(resolve(doc), ref)))  # type: ignore[arg-type]
        else:
            value = resolve(arn)
            out.not_evaluated.append(value if isinstance(value, str) else json.dumps(value))
    return out


# --- templates --------------------------------------------------------------------------------

STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")


def state_machines(template: dict[str, Any]) -> list[str]:
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return []
    return sorted(k for k, v in resources.items()
                  if isinstance(v, dict) and v.get("Type") in STATE_MACHINE_TYPES)


def template_role(template: dict[str, Any], state_machine: str | None = None,
                  resolve: Resolve | None = None, name: str = "template") -> RolePolicies:
    """The permissions of a state machine's role in a parsed template: its ``Role``/``RoleArn``
    (an ``AWS::IAM::Role`` of the template with its ``Policies``, ``ManagedPolicyArns`` and the
    ``AWS::IAM::Policy``/``ManagedPolicy`` resources attached to it), or SAM's ``Policies``
    (documents, managed policy names, SAM policy templates) and ``Connectors`` (on the state
    machine, and ``AWS::Serverless::Connector`` resources whose Source it is)."""
    res = resolve or Resolver(template)
    resources: dict[str, Any] = template.get("Resources") or {}
    machines = state_machines(template)
    if state_machine is None:
        if len(machines) != 1:
            raise RoleError(f"{name}: {len(machines)} state machines "
                            f"({', '.join(machines) or 'none'}): name one with --state-machine")
        state_machine = machines[0]
    elif state_machine not in machines:
        raise RoleError(f"{name}: no state machine {state_machine!r} "
                        f"(found: {', '.join(machines) or 'none'})")
    sm = resources[state_machine]
    props = sm.get("Properties") or {}
    role = props.get("RoleArn", props.get("Role"))
    out = RolePolicies()
    if role is not None:
        logical = _logical_role(role)
        target = resources.get(logical) if logical else None
        if not isinstance(target, dict) or target.get("Type") != "AWS::IAM::Role":
            value = res(role)
            out.not_evaluated.append(f"role {value if isinstance(value, str) else logical} "
                                     "(not defined in the template)")
            return out
        out.extend(cfn_role(target.get("Properties") or {}, logical, resources, res))  # type: ignore[arg-type]
        out.extend(_attached(resources, logical, res))  # type: ignore[arg-type]
        # SAM attaches a Connector's policy to the source's role, whichever role that is
        out.extend(connectors(template, state_machine, res))
        return out
    if sm.get("Type") == "AWS::Serverless::StateMachine":
        out.extend(sam_policies(props.get("Policies"), f"{state_machine}.Policies", res))
        out.extend(connectors(template, state_machine, res))
        tracing = props.get("Tracing")
        if isinstance(tracing, dict) and tracing.get("Enabled") is True:
            # SAM adds this managed policy to the role it makes (samtranslator's
            # StateMachineGenerator._construct_role)
            part = res({"Ref": "AWS::Partition"})
            name = "AWSXrayWriteOnlyAccess" if part == "aws" else "AWSXRayDaemonWriteAccess"
            out.not_evaluated.append(f"arn:{part}:iam::aws:policy/{name}")
    return out


def _logical_role(role: Any) -> str | None:
    if isinstance(role, dict):
        if "Fn::GetAtt" in role:
            att = role["Fn::GetAtt"]
            parts = att.split(".", 1) if isinstance(att, str) else att
            if isinstance(parts, list) and parts and isinstance(parts[0], str):
                return parts[0]
        if isinstance(role.get("Ref"), str):
            return str(role["Ref"])
        sub = role.get("Fn::Sub")
        if isinstance(sub, str) and sub.endswith(".Arn}") and "${" in sub:
            return sub[sub.rindex("${") + 2: -len(".Arn}")]
    return None


def _attached(resources: dict[str, Any], role: str, resolve: Resolve) -> RolePolicies:
    """``AWS::IAM::Policy`` and ``AWS::IAM::ManagedPolicy`` resources whose ``Roles`` name the
    role (by ``Ref``)."""
    out = RolePolicies()
    for logical in sorted(resources):
        res = resources[logical]
        if not isinstance(res, dict) or res.get("Type") not in ("AWS::IAM::Policy",
                                                                "AWS::IAM::ManagedPolicy"):
            continue
        props = res.get("Properties") or {}
        roles = props.get("Roles") or []
        if any(isinstance(r, dict) and r.get("Ref") == role for r in roles):
            out.documents.append((logical, _document(resolve(props.get("PolicyDocument")),
                                                     logical)))
    return out


# --- SAM --------------------------------------------------------------------------------------


def sam_policies(policies: Any, name: str, resolve: Resolve) -> RolePolicies:
    """SAM ``Policies``: a managed policy name or ARN, a policy document, a SAM policy template
    (``{"LambdaInvokePolicy": {"FunctionName": ...}}``), or a list of them."""
    out = RolePolicies()
    if policies is None:
        return out
    items = policies if isinstance(policies, list) else [policies]
    for i, item in enumerate(items):
        label = f"{name}[{i}]"
        if isinstance(item, str):
            arn = item if item.startswith("arn:") else f"arn:aws:iam::aws:policy/{item}"
            out.not_evaluated.append(arn)
        elif isinstance(item, dict) and "Statement" in item:
            out.documents.append((label, resolve(item)))
        elif isinstance(item, dict) and len(item) == 1:
            (template, params), = item.items()
            if template in ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::ImportValue", "Fn::If"):
                value = resolve(item)
                out.not_evaluated.append(value if isinstance(value, str) else json.dumps(item))
                continue
            out.documents.append((f"{label} {template}",
                                  expand_sam_template(template, params, label, resolve)))
        else:
            raise RoleError(f"{label}: not a SAM policy (a name, a document or a template)")
    return out


def _sam_data(kind: str) -> dict[str, Any]:
    """The SAM translator's own data (``aws-sam-translator``), read from its installed files
    without importing it (its model imports pydantic)."""
    from importlib.util import find_spec
    from pathlib import Path

    relative = {"templates": "policy_templates_data/policy_templates.json",
                "connectors": "model/connector_profiles/profiles.json"}[kind]
    spec = find_spec("samtranslator")
    origin = spec.origin if spec is not None else None
    path = Path(origin).parent / relative if origin else None
    if path is None or not path.is_file():
        raise RoleError("SAM policy templates and Connectors need the aws-sam-translator "
                        "package: pip install 'sfn-iam[sam]'")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


_SAM_CACHE: dict[str, dict[str, Any]] = {}


def _sam(kind: str) -> dict[str, Any]:
    if kind not in _SAM_CACHE:
        _SAM_CACHE[kind] = _sam_data(kind)
    return _SAM_CACHE[kind]


def expand_sam_template(template: str, params: Any, name: str,
                        resolve: Resolve) -> dict[str, Any]:
    """A SAM policy template as the SAM translator expands it: its ``Definition`` with each
    ``{"Ref": Parameter}`` replaced by the given value, then the intrinsics resolved."""
    templates = _sam("templates")["Templates"]
    spec = templates.get(template)
    if spec is None:
        raise RoleError(f"{name}: {template!r} is not a SAM policy template")
    given = params if isinstance(params, dict) else {}
    missing = [p for p in spec.get("Parameters", {}) if p not in given]
    if missing:
        raise RoleError(f"{name}: {template} needs {', '.join(missing)}")

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in given:
                return given[node["Ref"]]
            return {k: fill(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v) for v in node]
        return node

    doc = resolve(fill(spec["Definition"]))
    doc.setdefault("Version", "2012-10-17")
    return doc  # type: ignore[no-any-return]


def connectors(template: dict[str, Any], state_machine: str, resolve: Resolve) -> RolePolicies:
    """The policies SAM Connectors give the state machine: ``Connectors`` on it, and
    ``AWS::Serverless::Connector`` resources with ``Source: {Id: <it>}``."""
    out = RolePolicies()
    resources: dict[str, Any] = template.get("Resources") or {}
    found: list[tuple[str, dict[str, Any]]] = []
    # embedded Connectors are a resource attribute (beside Properties); read inside
    # Properties as well, where they are sometimes written
    sm = resources[state_machine]
    own = {**((sm.get("Properties") or {}).get("Connectors") or {}), **(sm.get("Connectors") or {})}
    found += [(f"{state_machine}.Connectors.{k}", v.get("Properties") or {})
              for k, v in sorted(own.items()) if isinstance(v, dict)]
    for logical in sorted(resources):
        res = resources[logical]
        if isinstance(res, dict) and res.get("Type") == "AWS::Serverless::Connector":
            props = res.get("Properties") or {}
            if (props.get("Source") or {}).get("Id") == state_machine:
                found.append((logical, props))
    if not found:
        return out
    profiles = _sam("connectors")["Permissions"].get("AWS::StepFunctions::StateMachine", {})
    for label, props in found:
        dests = props.get("Destination")
        for dest in dests if isinstance(dests, list) else [dests]:
            out.documents += _connector(label, dest, props.get("Permissions") or [],
                                        resources, profiles, resolve)
    return out


def _connector(label: str, dest: Any, permissions: list[str], resources: dict[str, Any],
               profiles: dict[str, Any], resolve: Resolve) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(dest, dict):
        raise RoleError(f"{label}: Destination is not an object")
    if "Id" in dest:
        target = resources.get(dest["Id"]) or {}
        kind = target.get("Type", "")
        arn: Any = {"Fn::GetAtt": [dest["Id"], "Arn"]}
        if kind == "AWS::Serverless::Function":
            kind = "AWS::Lambda::Function"
        elif kind == "AWS::Serverless::SimpleTable":
            kind = "AWS::DynamoDB::Table"
        elif kind == "AWS::Serverless::StateMachine":
            kind, arn = "AWS::StepFunctions::StateMachine", {"Ref": dest["Id"]}
        elif kind in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
            arn = {"Fn::GetAtt": [dest["Id"], "Arn"]} if kind == "AWS::SQS::Queue" \
                else {"Ref": dest["Id"]}
    else:
        kind, arn = dest.get("Type", ""), dest.get("Arn")
    profile = profiles.get(kind)
    if profile is None:
        raise RoleError(f"{label}: SAM has no connector from a state machine to {kind or '?'}")
    value = resolve(arn)
    out = []
    for access in permissions:
        category = profile["Properties"]["AccessCategories"].get(access)
        if category is None:
            raise RoleError(f"{label}: {kind} connectors have no {access!r} permissions")
        text = json.dumps(category).replace("%{Destination.Arn}", _json_inner(value))
        text = text.replace("%{Destination.Name}", _json_inner(_name_of(value)))
        doc = json.loads(text)
        doc["Version"] = "2012-10-17"
        out.append((f"{label} ({access})", doc))
    return out


def _json_inner(value: Any) -> str:
    return json.dumps(value if isinstance(value, str) else str(value))[1:-1]


def _name_of(arn: Any) -> str:
    if not isinstance(arn, str):
        return str(arn)
    return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


# --- intrinsics -------------------------------------------------------------------------------

#: resource type -> (name property, Ref gives, Arn pattern); {n} the name, {p} {r} {a} the
#: partition, region and account. Ref "name" returns the name, "arn" the ARN, "url" the URL.
_TYPES: dict[str, tuple[str, str, str]] = {
    "AWS::Lambda::Function": ("FunctionName", "name", "arn:{p}:lambda:{r}:{a}:function:{n}"),
    "AWS::Serverless::Function": ("FunctionName", "name", "arn:{p}:lambda:{r}:{a}:function:{n}"),
    "AWS::SNS::Topic": ("TopicName", "arn", "arn:{p}:sns:{r}:{a}:{n}"),
    "AWS::SQS::Queue": ("QueueName", "url", "arn:{p}:sqs:{r}:{a}:{n}"),
    "AWS::DynamoDB::Table": ("TableName", "name", "arn:{p}:dynamodb:{r}:{a}:table/{n}"),
    "AWS::Serverless::SimpleTable": ("TableName", "name", "arn:{p}:dynamodb:{r}:{a}:table/{n}"),
    "AWS::S3::Bucket": ("BucketName", "name", "arn:{p}:s3:::{n}"),
    "AWS::StepFunctions::StateMachine": ("StateMachineName", "arn",
                                         "arn:{p}:states:{r}:{a}:stateMachine:{n}"),
    "AWS::Serverless::StateMachine": ("Name", "arn", "arn:{p}:states:{r}:{a}:stateMachine:{n}"),
    "AWS::Events::EventBus": ("Name", "name", "arn:{p}:events:{r}:{a}:event-bus/{n}"),
    "AWS::IAM::Role": ("RoleName", "name", "arn:{p}:iam::{a}:role/{n}"),
    "AWS::Glue::Job": ("Name", "name", "arn:{p}:glue:{r}:{a}:job/{n}"),
    "AWS::CodeBuild::Project": ("Name", "name", "arn:{p}:codebuild:{r}:{a}:project/{n}"),
    "AWS::ECS::Cluster": ("ClusterName", "name", "arn:{p}:ecs:{r}:{a}:cluster/{n}"),
    "AWS::Batch::JobQueue": ("JobQueueName", "arn", "arn:{p}:batch:{r}:{a}:job-queue/{n}"),
    "AWS::Athena::WorkGroup": ("Name", "name", "arn:{p}:athena:{r}:{a}:workgroup/{n}"),
    "AWS::StepFunctions::Activity": ("Name", "arn", "arn:{p}:states:{r}:{a}:activity:{n}"),
}


class Resolver:
    """Resolves CloudFormation intrinsics in long form as far as the template allows (see
    the module doc). ``region``/``account`` fill ``AWS::Region``/``AWS::AccountId`` (else
    they stay ``${AWS::Region}``...: unknown)."""

    def __init__(self, template: dict[str, Any], region: str | None = None,
                 account: str | None = None, partition: str | None = None) -> None:
        self.resources: dict[str, Any] = template.get("Resources") or {}
        params = template.get("Parameters") or {}
        self.params = {k: v.get("Default") for k, v in params.items()
                       if isinstance(v, dict) and "Default" in v}
        self.pseudo = {"AWS::Region": region, "AWS::AccountId": account,
                       "AWS::Partition": partition or _partition(region),
                       "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}

    def __call__(self, value: Any) -> Any:
        return self.resolve(value)

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > 50:
            return "${...}"
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                return self.ref(arg)
            if key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and len(parts) == 2 and all(
                        isinstance(p, str) for p in parts):
                    return self.get_att(parts[0], parts[1])
                return "${Fn::GetAtt}"
            if key == "Fn::Sub":
                return self.sub(arg, depth)
            if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                parts = self.resolve(arg[1], depth + 1)
                if isinstance(arg[0], str) and isinstance(parts, list) and all(
                        isinstance(p, str) for p in parts):
                    return arg[0].join(parts)
                return "${Fn::Join}"
            if key.startswith("Fn::") or key == "Condition":
                return "${" + key + "}"
        return {k: self.resolve(v, depth + 1) for k, v in value.items()}

    def ref(self, name: str) -> str:
        if name in self.pseudo:
            v = self.pseudo[name]
            return v if v is not None else "${" + name + "}"
        if name in self.params and isinstance(self.params[name], (str, int)):
            return str(self.params[name])
        res = self.resources.get(name)
        if isinstance(res, dict) and res.get("Type") in _TYPES:
            _, gives, _ = _TYPES[res["Type"]]
            if gives == "name":
                return self._name(name, res)
            if gives == "arn":
                return self.get_att(name, "Arn")
            env = self._env()
            return f"https://sqs.{env['r']}.amazonaws.com/{env['a']}/{self._name(name, res)}"
        return "${" + name + "}"

    def get_att(self, name: str, attribute: str) -> str:
        res = self.resources.get(name)
        if isinstance(res, dict) and res.get("Type") in _TYPES:
            kind = res["Type"]
            if attribute == "Arn":
                return _TYPES[kind][2].format(n=self._name(name, res), **self._env())
            if attribute in ("Name", "QueueName", "TopicName"):
                return self._name(name, res)
        return "${" + name + "." + attribute + "}"

    def _env(self) -> dict[str, str]:
        return {"p": self.ref("AWS::Partition"), "r": self.ref("AWS::Region"),
                "a": self.ref("AWS::AccountId")}

    def _name(self, logical: str, res: dict[str, Any]) -> str:
        """The resource's name property when it is written out, else its logical ID (the
        physical name CloudFormation makes up is unknown before deployment; the same logical
        ID gives the same name on both sides of the comparison). A state machine without a
        name is named ``<LogicalId>-<random>`` by CloudFormation, which policies match with
        ``<LogicalId>-*``: it gets ``<LogicalId>-GENERATED``."""
        prop = _TYPES[res["Type"]][0]
        value = (res.get("Properties") or {}).get(prop)
        value = self.resolve(value) if value is not None else None
        if isinstance(value, str):
            return value
        if res["Type"] in ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"):
            return f"{logical}-GENERATED"
        return logical

    def sub(self, arg: Any, depth: int) -> str:
        import re

        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text, local = arg[0], arg[1] if isinstance(arg[1], dict) else {}
        elif isinstance(arg, str):
            text, local = arg, {}
        else:
            return "${Fn::Sub}"

        def one(m: re.Match[str]) -> str:
            inner = m.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in local:
                v = self.resolve(local[inner], depth + 1)
                return v if isinstance(v, str) else "${" + inner + "}"
            if "." in inner:
                name, attribute = inner.split(".", 1)
                return self.get_att(name, attribute)
            return self.ref(inner)

        return re.sub(r"\$\{([^}]*)\}", one, text)


def _partition(region: str | None) -> str:
    if region is None:
        return "aws"
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
