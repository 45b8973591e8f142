"""CloudFormation and SAM templates: the intrinsic functions, and the state machines.

:class:`Resolver` evaluates the template functions (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``,
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` with ``Conditions``, ``Fn::FindInMap``,
``Fn::Base64``, ``Fn::Length``, ``Fn::ToJsonString``; ``Fn::ImportValue``, ``Fn::GetAZs``,
``Fn::Cidr`` and ``{{resolve:...}}`` references are known only at deploy time) over the
template's parameters, mappings, conditions and resources (:mod:`.resource_types`). An unknown
function is an error naming the file and the resource; so is a circular reference.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import (
    Context,
    StateMachine,
    check_text,
    parse_definition_text,
    split_text,
)
from sfn_iam.sources.resource_types import CFN_TYPES

_SUB = re.compile(r"\$\{([^}]*)\}")
_DEPTH = 400
MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")


def has_functions(value: Any) -> bool:
    """Does ``value`` hold a template function (``{"Ref": ...}``, ``{"Fn::...": ...}``)?"""
    stack = [value]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > 2_000_000:
            return False
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


class Resolver:
    """Evaluate template functions. ``lenient``: a name that is neither a parameter nor a
    resource of the template (a bare definition, a reference into another stack) is a
    deploy-time value, not an error."""

    def __init__(self, template: dict[str, Any], ctx: Context, *, lenient: bool = False,
                 extra_refs: dict[str, Any] | None = None,
                 ref_overrides: dict[str, str] | None = None,
                 exports: dict[str, tuple[Any, Any]] | None = None) -> None:
        self.template = template
        self.ctx = ctx
        self.lenient = lenient
        resources = template.get("Resources")
        self.resources: dict[str, Any] = resources if isinstance(resources, dict) else {}
        params = template.get("Parameters")
        self.params: dict[str, Any] = params if isinstance(params, dict) else {}
        mappings = template.get("Mappings")
        self.mappings: dict[str, Any] = mappings if isinstance(mappings, dict) else {}
        conditions = template.get("Conditions")
        self.conditions: dict[str, Any] = conditions if isinstance(conditions, dict) else {}
        self.extra_refs = extra_refs or {}
        #: logical id -> what its Ref gives instead of the table's (serverless functions)
        self.ref_overrides = ref_overrides or {}
        #: export name -> (exporting template, output value): the other stacks of a CDK
        #: cloud assembly, so that Fn::ImportValue of one of them is that stack's value
        self.exports = exports or {}
        self._imports: tuple[str, ...] = ()  # the imports being resolved (a loop)
        self._active: list[str] = []  # resources being resolved (circular references)
        self._cache: dict[tuple[str, str], Any] = {}
        self._conditions: dict[str, bool] = {}
        self.where = ""  # the resource being read, for messages

    # -- errors --------------------------------------------------------------------------

    def error(self, what: str) -> DefinitionError:
        where = f"resource {self.where}" if self.where else None
        return DefinitionError(what, where, self.ctx.file)

    # -- values --------------------------------------------------------------------------

    def value(self, node: Any, where: str = "", depth: int = 0) -> Any:
        """``node`` with every template function evaluated (``AWS::NoValue`` removed)."""
        if depth > _DEPTH:
            raise self.error("nested too deeply to resolve")
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref" or (key.startswith("Fn::") and key != "Fn::Transform"):
                    return self.function(key, arg, depth)
                if key == "Condition" and isinstance(arg, str) and where == "condition":
                    return self.condition(arg)
            out = {}
            for k, v in node.items():
                r = self.value(v, where, depth + 1)
                if r is not _NO_VALUE:
                    out[k] = r
            return out
        if isinstance(node, list):
            return [r for r in (self.value(v, where, depth + 1) for v in node) if r is not _NO_VALUE]
        if isinstance(node, str) and "{{resolve:" in node:
            return self.ctx.deploy_value(node.strip("{}"), "a dynamic reference resolved at "
                                         "deploy time")
        return node

    def string(self, node: Any, depth: int = 0) -> str:
        v = self.value(node, "", depth + 1)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, str):
            return v
        raise self.error(f"expected a string, got {_show(v)}")

    def function(self, key: str, arg: Any, depth: int) -> Any:
        handler = _FUNCTIONS.get(key)
        if handler is None:
            raise self.error(f"unknown intrinsic function {key}")
        result = handler(self, arg, depth + 1)
        if key in ("Ref", "Fn::GetAtt"):  # the reference itself, over how the name was made
            self.ctx.origin(result, {key: arg}, override=True)
        elif key in ("Fn::Sub", "Fn::ImportValue", "Fn::Join"):
            self.ctx.origin(result, {key: arg})
        return result

    # -- Ref / GetAtt --------------------------------------------------------------------

    def ref(self, name: Any, depth: int) -> Any:
        if not isinstance(name, str):
            raise self.error(f"Ref takes a name, got {_show(name)}")
        ctx = self.ctx
        pseudo = _PSEUDO.get(name)
        if pseudo is not None:
            return pseudo(self)
        if name in ctx.parameters:
            return ctx.parameters[name]
        if name in self.params:
            return self.parameter(name)
        if name in self.resources:
            return self.attribute(name, None, depth)
        if name in self.extra_refs:
            return self.extra_refs[name]
        head, _, tail = name.partition(".")
        if tail in ("Alias", "Version") and head in self.resources:  # SAM AutoPublishAlias
            fn = self.attribute(head, "Arn", depth)
            if isinstance(fn, str) and not fn.startswith("${"):
                return fn + ":" + self.ctx.generated(
                    name, f"the {tail.lower()} of {head} is made at deploy time",
                    "grants cover every version and alias of the function")
        if self.lenient:
            return ctx.deploy_value(name, f"Ref {name} is not in this file: known at deploy time")
        raise self.error(f"Ref {name}: no parameter or resource of that name in the template")

    def parameter(self, name: str) -> Any:
        spec = self.params[name]
        spec = spec if isinstance(spec, dict) else {}
        ptype = str(spec.get("Type", "String"))
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            return self.ctx.deploy_value(
                name, f"template parameter {name} is read from SSM at deploy time (pass "
                f"--parameter {name}=VALUE)")
        if "Default" not in spec:
            return self.ctx.deploy_value(
                name, f"template parameter {name} has no default (pass --parameter {name}=VALUE)")
        default = spec["Default"]
        if "CommaDelimitedList" in ptype or ptype.startswith("List<"):
            if isinstance(default, str):
                return [s.strip() for s in default.split(",")]
            return default
        if isinstance(default, bool):
            return "true" if default else "false"
        return str(default) if isinstance(default, (int, float)) else default

    def getatt(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            raise self.error(f"Fn::GetAtt takes [LogicalId, Attribute], got {_show(arg)}")
        attr = arg[1] if isinstance(arg[1], str) else self.string(arg[1], depth)
        name = arg[0]
        if name not in self.resources:
            if self.lenient or name in self.extra_refs:
                return self.ctx.deploy_value(f"{name}.{attr}",
                                             f"{name}.{attr} is not in this file")
            raise self.error(f"Fn::GetAtt {name}.{attr}: no resource {name} in the template")
        return self.attribute(name, attr, depth)

    def attribute(self, logical_id: str, attr: str | None, depth: int) -> Any:
        """``Ref`` (attr None) or ``Fn::GetAtt`` of a resource of this template."""
        key = (logical_id, attr or "")
        if key in self._cache:
            return self._cache[key]
        res = self.resources[logical_id]
        rtype = str(res.get("Type", "")) if isinstance(res, dict) else ""
        row = CFN_TYPES.get(rtype)
        what = None if row is None else row[3].get(attr) if attr is not None else (
            self.ref_overrides.get(logical_id, row[2]))
        if row is None or what is None or what == "id":
            label = logical_id if attr is None else f"{logical_id}.{attr}"
            result: Any = self.ctx.deploy_value(
                label, f"{'Ref' if attr is None else 'Fn::GetAtt'} {label} ({rtype or 'resource'}) "
                "is known only at deploy time")
        else:
            result = self.made(logical_id, rtype, what, depth)
            self._arn_origin(logical_id, rtype, row, depth)
        self._cache[key] = result
        return result

    def _arn_origin(self, logical_id: str, rtype: str, row: Any, depth: int) -> None:
        """Policies hold ARNs: whatever the template asked for (a queue's URL, a table's
        name), its ARN's origin is recorded too, as the expression that gives the ARN."""
        if row[2] == "arn":
            expr: Any = {"Ref": logical_id}
        else:
            attr = next((a for a, w in row[3].items() if w == "arn"), None)
            if attr is None:
                return
            expr = {"Fn::GetAtt": [logical_id, attr]}
        self.ctx.origin(self.made(logical_id, rtype, "arn", depth), expr)

    def name_of(self, logical_id: str, rtype: str, depth: int) -> str:
        """The resource's name: its name property, or a token for a generated name."""
        row = CFN_TYPES[rtype]
        res = self.resources[logical_id]
        props = res.get("Properties") if isinstance(res, dict) else None
        props = props if isinstance(props, dict) else {}
        prop = row[1]
        if prop and prop in props:
            if logical_id in self._active:
                chain = " -> ".join([*self._active[self._active.index(logical_id):], logical_id])
                raise self.error(f"circular reference: {chain}")
            self._active.append(logical_id)
            saved, self.where = self.where, logical_id
            try:
                name = self.string(props[prop], depth)
            finally:
                self._active.pop()
                self.where = saved
            if rtype == "AWS::SQS::Queue" and props.get("FifoQueue") in (True, "true") \
                    and not name.endswith(".fifo"):
                name += ".fifo"
            if name.strip():  # an empty name (a parameter defaulting to ""): generated
                return name
        if not prop:
            return self.ctx.generated(logical_id, f"the ID of {logical_id} ({rtype}) is made at "
                                      "deploy time", "pass its ARN instead to narrow it")
        return self.ctx.generated(logical_id, f"the name of {logical_id} ({rtype}) is generated "
                                  "at deploy time", f"give it a {prop} property to narrow it")

    def qualified(self, logical_id: str, rtype: str, depth: int) -> str:
        """The ARN of a Lambda alias or version: its function's ARN and the qualifier (a
        version number is made at deploy time)."""
        res = self.resources[logical_id]
        props = res.get("Properties") if isinstance(res, dict) else None
        props = props if isinstance(props, dict) else {}
        fn = self.string(props.get("FunctionName", ""), depth)
        if not fn.startswith("arn:"):
            fn = CFN_TYPES["AWS::Lambda::Function"][0].format(
                partition=self.ctx.partition, region=self.ctx.region_value,
                account=self.ctx.account_value, name=fn)
        if rtype == "AWS::Lambda::Alias" and "Name" in props:
            return f"{fn}:{self.string(props['Name'], depth)}"
        return f"{fn}:" + self.ctx.generated(logical_id, f"the version number of {logical_id} "
                                             "is made at deploy time",
                                             "grants cover every version of the function")

    def made(self, logical_id: str, rtype: str, what: str, depth: int) -> str:
        if rtype in ("AWS::Lambda::Alias", "AWS::Lambda::Version") and what == "arn":
            return self.qualified(logical_id, rtype, depth)
        row = CFN_TYPES[rtype]
        name = self.name_of(logical_id, rtype, depth)
        ctx = self.ctx
        if what == "name":
            return name
        if what == "url":
            return f"https://sqs.{ctx.region_value}.{ctx.url_suffix}/{ctx.account_value}/{name}"
        path = "/"
        if rtype == "AWS::IAM::Role":
            props = self.resources[logical_id].get("Properties") or {}
            p = props.get("Path") if isinstance(props, dict) else None
            path = self.string(p, depth) if p is not None else "/"
        return row[0].format(partition=ctx.partition, region=ctx.region_value,
                             account=ctx.account_value, name=name, path=path)

    # -- conditions ----------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.conditions:
            raise self.error(f"condition {name} is not in the template's Conditions")
        if name in self._active:
            raise self.error(f"circular condition {name}")
        self._active.append(name)
        try:
            value = self.truth(self.conditions[name])
        finally:
            self._active.pop()
        self._conditions[name] = value
        return value

    def truth(self, node: Any) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg)
            if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
                a, b = (self.value(x) for x in arg)
                if _unknown(a) or _unknown(b):
                    self.ctx.note("deploy-time-value",
                                  f"a condition compares {_show(a)} with {_show(b)}, known only "
                                  "at deploy time: taken as true (pass --parameter to decide it)")
                    return True
                return bool(a == b)
            if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
                return not self.truth(arg[0])
            if key == "Fn::And" and isinstance(arg, list):
                return all(self.truth(x) for x in arg)
            if key == "Fn::Or" and isinstance(arg, list):
                return any(self.truth(x) for x in arg)
            if key in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"):
                raise self.error(f"{key} takes a list of conditions or values, got {_show(arg)}")
        v = self.value(node)
        if isinstance(v, (bool, str)):
            return v in (True, "true", "True")
        raise self.error(f"not a condition: {_show(node)}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE: Any = _NoValue()


def _unknown(v: Any) -> bool:
    from sfn_iam.sources import _TOKEN_PREFIX

    return isinstance(v, str) and ("${" in v or _TOKEN_PREFIX in v)


def _show(v: Any) -> str:
    text = json.dumps(v, default=str) if not isinstance(v, str) else repr(v)
    return text if len(text) < 80 else text[:77] + "..."


def _stack_name(r: Resolver) -> str:
    if "AWS::StackName" in r.ctx.parameters:
        return r.ctx.parameters["AWS::StackName"]
    return r.ctx.generated("AWS::StackName", "the stack name is known at deploy time",
                           "pass --parameter AWS::StackName=NAME")


_PSEUDO: dict[str, Any] = {
    "AWS::Region": lambda r: r.ctx.region_value,
    "AWS::AccountId": lambda r: r.ctx.account_value,
    "AWS::Partition": lambda r: r.ctx.partition,
    "AWS::URLSuffix": lambda r: r.ctx.url_suffix,
    "AWS::StackName": _stack_name,
    "AWS::StackId": lambda r: r.ctx.deploy_value("AWS::StackId", "the stack ID"),
    "AWS::NotificationARNs": lambda r: [r.ctx.deploy_value("AWS::NotificationARNs",
                                                           "the stack's notification ARNs")],
    "AWS::NoValue": lambda r: _NO_VALUE,
}


def _sub(r: Resolver, arg: Any, depth: int) -> str:
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
        template, names = arg[0], {k: r.value(v, "", depth + 1) for k, v in arg[1].items()}
    elif isinstance(arg, list) and len(arg) == 1:
        template, names = arg[0], {}
    else:
        template, names = arg, {}
    if not isinstance(template, str):
        template = r.string(template, depth)

    def one(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in names:
            v = names[name]
            return v if isinstance(v, str) else json.dumps(v) if not isinstance(v, (int, float)) \
                else str(v)
        if name in _PSEUDO or name in r.ctx.parameters or name in r.params \
                or name in r.resources:
            v = r.ref(name, depth)
            return v if isinstance(v, str) else ",".join(map(str, v)) if isinstance(v, list) \
                else str(v)
        if "." in name:
            head, _, attr = name.partition(".")
            if head in r.resources:
                return str(r.getatt([head, attr], depth))
        return m.group(0)  # not the template's: a DefinitionSubstitutions name, kept

    return _SUB.sub(one, template)


def _join(r: Resolver, arg: Any, depth: int) -> str:
    if not (isinstance(arg, list) and len(arg) == 2):
        raise r.error(f"Fn::Join takes [delimiter, [values]], got {_show(arg)}")
    parts = r.value(arg[1], "", depth + 1)
    if not isinstance(parts, list):
        raise r.error(f"Fn::Join needs a list of values, got {_show(parts)}")
    return r.string(arg[0], depth).join(r.string(p, depth) for p in parts)


def _select(r: Resolver, arg: Any, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        raise r.error(f"Fn::Select takes [index, list], got {_show(arg)}")
    items = r.value(arg[1], "", depth + 1)
    try:
        index = int(r.string(arg[0], depth))
    except ValueError:
        raise r.error(f"Fn::Select index {_show(arg[0])} is not a number") from None
    if isinstance(items, str) and _unknown(items):
        return items
    if isinstance(items, list) and not 0 <= index < len(items) and any(map(_unknown, items)):
        return r.ctx.deploy_value(f"Fn::Select {index} of {','.join(map(str, items))}",
                                  "a part of a value known only at deploy time")
    if not isinstance(items, list) or not 0 <= index < len(items):
        raise r.error(f"Fn::Select index {index} is outside {_show(items)}")
    return items[index]


def _split(r: Resolver, arg: Any, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        raise r.error(f"Fn::Split takes [delimiter, string], got {_show(arg)}")
    delim = r.string(arg[0], depth)
    if not delim:
        raise r.error("Fn::Split with an empty delimiter")
    return split_text(r.string(arg[1], depth), delim)


def _if(r: Resolver, arg: Any, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
        raise r.error(f"Fn::If takes [condition, then, else], got {_show(arg)}")
    return r.value(arg[1] if r.condition(arg[0]) else arg[2], "", depth + 1)


def _find_in_map(r: Resolver, arg: Any, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) in (3, 4)):
        raise r.error(f"Fn::FindInMap takes [map, key, key], got {_show(arg)}")
    keys = [r.string(a, depth) for a in arg[:3]]
    default = arg[3].get("DefaultValue") if len(arg) == 4 and isinstance(arg[3], dict) else None
    if any(_unknown(k) for k in keys):
        return r.ctx.deploy_value("Fn::FindInMap " + ".".join(keys),
                                  "a mapping looked up with a deploy-time key")
    node: Any = r.mappings
    for k in keys:
        if not isinstance(node, dict) or k not in node:
            if default is not None:
                return r.value(default, "", depth + 1)
            raise r.error(f"Fn::FindInMap: no {'.'.join(keys)} in Mappings")
        node = node[k]
    return r.value(node, "", depth + 1)


def _deploy(what: str) -> Any:
    def handler(r: Resolver, arg: Any, depth: int) -> Any:
        shown = r.value(arg, "", depth + 1)
        label = f"{what} {shown if isinstance(shown, str) else json.dumps(shown, default=str)}"
        return r.ctx.deploy_value(label, f"{what} is known only at deploy time")
    return handler


def _import_value(r: Resolver, arg: Any, depth: int) -> Any:
    """``Fn::ImportValue``: the output another stack of the same cloud assembly exports (its
    value resolved in that stack's template), else a value known only at deploy time."""
    name = r.value(arg, "", depth + 1)
    if isinstance(name, str) and name in r.exports and name not in r._imports:
        template, expr = r.exports[name]
        other = Resolver(template, r.ctx, lenient=True, exports=r.exports)
        other._imports = (*r._imports, name)
        other.where = r.where
        return other.value(expr, "", depth + 1)
    return _deploy("Fn::ImportValue")(r, arg, depth)


def _base64(r: Resolver, arg: Any, depth: int) -> str:
    import base64

    text = r.string(arg, depth)
    return text if _unknown(text) else base64.b64encode(text.encode()).decode()


def _length(r: Resolver, arg: Any, depth: int) -> Any:
    v = r.value(arg, "", depth + 1)
    if not isinstance(v, list):
        raise r.error(f"Fn::Length needs a list, got {_show(v)}")
    return len(v)


def _to_json(r: Resolver, arg: Any, depth: int) -> str:
    return json.dumps(r.value(arg, "", depth + 1), separators=(",", ":"))


def _condition_fn(name: str) -> Any:
    def handler(r: Resolver, arg: Any, depth: int) -> Any:
        return r.truth({name: arg})
    return handler


_FUNCTIONS: dict[str, Any] = {
    "Ref": lambda r, a, d: r.ref(a, d),
    "Fn::GetAtt": lambda r, a, d: r.getatt(a, d),
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": _import_value,
    "Fn::GetAZs": _deploy("Fn::GetAZs"),
    "Fn::Cidr": _deploy("Fn::Cidr"),
    "Fn::Base64": _base64,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json,
    "Fn::Equals": _condition_fn("Fn::Equals"),
    "Fn::Not": _condition_fn("Fn::Not"),
    "Fn::And": _condition_fn("Fn::And"),
    "Fn::Or": _condition_fn("Fn::Or"),
}


# --- state machines -------------------------------------------------------------------------


def load(name: str, template: Any, kind: str, max_bytes: int, ctx_args: dict[str, Any],
         extra_refs: dict[str, Any] | None = None,
         exports: dict[str, tuple[Any, Any]] | None = None) -> list[StateMachine]:
    """The state machines of a CloudFormation or SAM template (already parsed)."""
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise DefinitionError("a template needs a Resources section", source=name)
    machines = []
    # SAM makes resources of its own (<Function>Role, ServerlessRestApi, <Function>Alias...):
    # a Ref to a name the template does not declare is a deploy-time value there
    lenient = kind == "sam"
    for logical_id, res in template["Resources"].items():
        if not isinstance(res, dict) or res.get("Type") not in MACHINE_TYPES:
            continue
        ctx = Context(name, **ctx_args)
        r = Resolver(template, ctx, extra_refs=extra_refs, lenient=lenient, exports=exports)
        r.where = str(logical_id)
        machines.append(machine(r, str(logical_id), res, kind, max_bytes))
    if not machines:
        raise DefinitionError("no state machine in this template (no AWS::StepFunctions::"
                              "StateMachine or AWS::Serverless::StateMachine resource)", source=name)
    return machines


def machine(r: Resolver, logical_id: str, res: dict[str, Any], kind: str,
            max_bytes: int) -> StateMachine:
    ctx = r.ctx
    props = res.get("Properties")
    if not isinstance(props, dict):
        raise r.error("the state machine has no Properties")
    if "Condition" in res and isinstance(res["Condition"], str) and not r.condition(res["Condition"]):
        ctx.note("deploy-time-value", f"{logical_id} is created only when condition "
                 f"{res['Condition']} holds (it does not with these parameters)")
    subs: dict[str, str] = {}
    raw_subs = props.get("DefinitionSubstitutions")
    if raw_subs is not None:
        resolved = r.value(raw_subs)
        if not isinstance(resolved, dict):
            raise r.error(f"DefinitionSubstitutions must be a map, got {_show(resolved)}")
        for key, v in resolved.items():
            subs[str(key)] = v if isinstance(v, str) else json.dumps(v) if not isinstance(
                v, (int, float)) or isinstance(v, bool) else str(v)
            ctx.origin(subs[str(key)], raw_subs[key] if isinstance(raw_subs, dict) else v)
    file = ctx.file
    if "Definition" in props:
        definition = r.value(props["Definition"], "definition")
    elif "DefinitionString" in props:
        text = r.value(props["DefinitionString"])
        if not isinstance(text, str):
            raise r.error(f"DefinitionString must be a string, got {_show(text)}")
        definition = _parse(r, text, subs, file)
    elif "DefinitionUri" in props or "DefinitionS3Location" in props:
        key = "DefinitionUri" if "DefinitionUri" in props else "DefinitionS3Location"
        file = _local_file(r, r.value(props[key]), key)
        from sfn_iam.load import decode, parse_template, read_source

        data, shown = read_source(file, max_bytes)
        text = check_text(decode(data, shown), shown, ctx.account)
        try:
            definition = r.value(parse_template(text, shown), "definition")
        except DefinitionError:
            if "${" not in text:
                raise
            definition = parse_definition_text(text, subs, shown)
    else:
        raise r.error("the state machine has no Definition, DefinitionString, DefinitionUri "
                      "or DefinitionS3Location")
    if not isinstance(definition, dict):
        raise r.error(f"the definition is not an object: {_show(definition)}")
    sm = StateMachine(logical_id, kind, file, definition, subs, context=ctx,
                      resources=r.resources, **settings(r, props, res["Type"]))
    sm.task_roles = task_roles(r)
    return sm


def _parse(r: Resolver, text: str, subs: dict[str, str], file: str) -> Any:
    try:
        return parse_definition_text(text, subs, file)
    except DefinitionError as exc:
        raise r.error(f"DefinitionString: {exc.what}") from None


def _local_file(r: Resolver, where: Any, key: str) -> str:
    base = os.path.dirname(os.path.abspath(r.ctx.file))
    if isinstance(where, dict):
        bucket, obj = where.get("Bucket"), where.get("Key")
        raise r.error(f"{key} points at S3 (s3://{bucket}/{obj}): sfn-iam reads local files; "
                      "give the definition file's path, or the template before packaging")
    if not isinstance(where, str) or _unknown(where):
        raise r.error(f"{key} must be a path to a local file, got {_show(where)}")
    if where.startswith("s3://"):
        raise r.error(f"{key} points at S3 ({where}): sfn-iam reads local files")
    path = os.path.normpath(os.path.join(base, where))
    if not os.path.isfile(path):
        # written on a case-insensitive file system (macOS, Windows): the file in another case
        folder, name = os.path.split(path)
        same = [n for n in (os.listdir(folder) if os.path.isdir(folder) else [])
                if n.lower() == name.lower()]
        if len(same) != 1:
            raise r.error(f"{key} {where!r}: no such file ({path})")
        r.ctx.note("template-note", f"{key} {where!r} is {same[0]!r} on this file system "
                   "(a case-insensitive one deploys it): read that file")
        path = os.path.join(folder, same[0])
    return path


def settings(r: Resolver, props: dict[str, Any], rtype: str) -> dict[str, Any]:
    """xray, logging, kms_key and arn as the template sets them."""
    sam = rtype == "AWS::Serverless::StateMachine"
    tracing = r.value(props.get("Tracing" if sam else "TracingConfiguration") or {})
    xray = isinstance(tracing, dict) and tracing.get("Enabled") in (True, "true", "True")
    logging_cfg = r.value(props.get("Logging" if sam else "LoggingConfiguration") or {})
    logging = isinstance(logging_cfg, dict) and str(logging_cfg.get("Level", "OFF")) != "OFF"
    kms_key = None
    enc = r.value(props.get("EncryptionConfiguration") or {})
    if isinstance(enc, dict) and enc.get("Type") == "CUSTOMER_MANAGED_KMS_KEY":
        key = enc.get("KmsKeyId")
        if isinstance(key, str) and key:
            kms_key = key_arn(key, r.ctx)
    # without a name property, the name part of the ARN is a deploy-time token
    arn = r.attribute(r.where, None, 0) if r.where in r.resources else None
    return {"xray": xray, "logging": logging, "kms_key": kms_key,
            "arn": arn if isinstance(arn, str) else None}


def key_arn(key: str, ctx: Context) -> str:
    """A KMS key as the template gives it (an ARN, or a key ID such as ``Ref`` of a key
    returns, possibly made at deploy time) -> its ARN."""
    if key.startswith("arn:") or "${" in key:
        return key
    return f"arn:{ctx.partition}:kms:{ctx.region_value}:{ctx.account_value}:key/{key}"


def task_roles(r: Resolver) -> dict[str, list[str]]:
    """ECS task definitions of the template: their ARN -> the roles a runTask passes."""
    out: dict[str, list[str]] = {}
    for logical_id, res in r.resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::ECS::TaskDefinition":
            continue
        raw_props = res.get("Properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        roles = []
        for key in ("TaskRoleArn", "ExecutionRoleArn"):
            if key in props:
                v = r.value(props[key])
                if isinstance(v, str) and v:
                    roles.append(v)
        arn = r.attribute(str(logical_id), None, 0)
        if isinstance(arn, str) and roles:
            out[arn] = roles
            out[r.name_of(str(logical_id), "AWS::ECS::TaskDefinition", 0)] = roles
    return out
