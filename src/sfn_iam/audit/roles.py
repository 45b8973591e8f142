"""Where the role's permissions come from: policy files, CloudFormation roles, and the state
machine's own role in a CloudFormation/SAM template.

Everything here works on already-parsed data (dicts as ``json.load`` or a CloudFormation YAML
reader gives them, intrinsics in long form: ``{"Fn::GetAtt": ["Fn", "Arn"]}``). Intrinsics are
resolved by an injectable ``resolve(value) -> value``; the default is the template readers' own
resolver and resource table (:func:`sfn_iam.sources.template_values.template_resolver`), so the
role reads ``!GetAtt Worker.Arn`` exactly as the definition does. What is known only at deploy
time (a parameter without a default, ``Fn::ImportValue``, a name generated at deploy time, an
unknown region or account) becomes ``${...}``, which the evaluator treats as a policy variable
without a value: undecided, never guessed.
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


def default_resolver(template: dict[str, Any], name: str = "template", *,
                     region: str | None = None, account: str | None = None,
                     partition: str | None = None,
                     parameters: dict[str, str] | None = None) -> Resolve:
    """The template readers' resolver over ``template``, with a context of its own."""
    from sfn_iam.sources.template_values import template_context, template_resolver

    return template_resolver(template, template_context(
        name, region=region, account=account, partition=partition, parameters=parameters))


def policy_file_resolver(region: str | None = None, account: str | None = None,
                         partition: str | None = None,
                         parameters: dict[str, str] | None = None) -> Resolve:
    """For policy files: their template functions (a role as CloudFormation writes it)
    resolved without a template, pseudo parameters from the environment given; the template
    readers are imported only for a file that holds such functions."""

    def resolve(value: Any) -> Any:
        if not _has_functions(value):
            return value
        return default_resolver({}, "policy", region=region, account=account,
                                partition=partition, parameters=parameters)(value)

    return resolve


_plain = policy_file_resolver()


def _has_functions(value: Any) -> bool:
    """Does ``value`` hold a template function or a dynamic reference? (iterative: a
    hostile file may nest deeply)"""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(k == "Ref" or (isinstance(k, str) and k.startswith("Fn::")) for k in node):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and "{{resolve:" in node:
            return True
    return False


# --- policy files -----------------------------------------------------------------------------


def from_file_value(value: Any, name: str, resolve: Resolve | None = None) -> RolePolicies:
    """A parsed ``--policy`` file: a policy document, a list of them, a role as CloudFormation
    writes it (``{"Type": "AWS::IAM::Role", "Properties": ...}`` or the properties alone:
    ``Policies``, ``ManagedPolicyArns``), or the output of ``aws iam get-role-policy``."""
    res = resolve or _plain
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
            if value is None:  # AWS::NoValue (an Fn::If branch)
                continue
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
    res = resolve or default_resolver(template, name)
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
            try:
                value = res(role)
            except SfnIamError:  # an expression the resolver cannot read: not evaluated
                value = None
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
