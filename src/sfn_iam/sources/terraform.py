"""Terraform: ``aws_sfn_state_machine`` resources of a file or a folder (every ``*.tf`` of
the folder gives variables, locals, data sources and resources), parsed with python-hcl2.

``definition`` may be ``jsonencode({...})``, ``file(...)``, ``templatefile(path, {vars})``, a
heredoc, a ``local``, a ``var`` with a default, or ``data.template_file.x.rendered``.
References to resources of the folder become their ARNs (:mod:`.resource_types`); names built
from ``random_*`` resources or ``name_prefix`` get a wildcard in that part only;
``data.aws_region`` / ``data.aws_caller_identity`` / ``data.aws_partition`` come from
``--region`` / ``--account`` (and the partition rule); ``--parameter NAME=VALUE`` sets a
variable, else its default.
"""

from __future__ import annotations

import base64
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
from sfn_iam.sources.hcl_expr import Evaluator, HclError, Index, parse_value, template_node
from sfn_iam.sources.resource_types import CFN_TYPES, TF_TYPES

_MAX_FILES = 200
_META_ARGS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def _files(path: str) -> tuple[str, list[str]]:
    folder = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)))
    names = sorted(n for n in os.listdir(folder) if n.endswith(".tf"))[:_MAX_FILES]
    return folder, [os.path.join(folder, n) for n in names]


def _parse(path: str, max_bytes: int, account: str | None) -> dict[str, Any]:
    from sfn_iam.load import decode, read_source

    data, name = read_source(path, max_bytes)
    text = check_text(decode(data, name), name, account)
    # deferred: only Terraform input pays for it; the ignore lets mypyc's build, which has no
    # hcl2 installed, type-check the package (else the build falls back to pure Python)
    import hcl2  # type: ignore[import-not-found,import-untyped,unused-ignore]

    try:
        doc = hcl2.loads(text)
    except RecursionError:
        raise DefinitionError("nested too deeply to read", source=name) from None
    except Exception as exc:  # lark's errors: one line with where it failed
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DefinitionError(f"not valid Terraform: {first[:200]}", source=name) from None
    if not isinstance(doc, dict):
        raise DefinitionError("not valid Terraform", source=name)
    return doc


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


class Module:
    """The blocks of a folder: variables, locals, data sources, resources."""

    def __init__(self, folder: str, files: list[str], ctx_args: dict[str, Any],
                 max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.variables: dict[str, Any] = {}
        self.locals: dict[str, tuple[Any, str]] = {}
        self.data: dict[tuple[str, str], Any] = {}
        self.resources: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        self.modules: dict[str, tuple[dict[str, Any], str]] = {}
        self.outputs: dict[str, tuple[Any, str]] = {}
        #: terraform.tfvars and *.auto.tfvars of the folder: variable -> (value, file)
        self.tfvars: dict[str, tuple[Any, str]] = {}
        self.ctx_args = ctx_args
        total = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
        if total > 4 * max_bytes:  # each file is capped; the folder is too
            raise DefinitionError(f"the *.tf files of this folder hold {total:,} bytes, more than "
                                  f"{4 * max_bytes:,} (four times --max-bytes)", source=folder)
        for f in files:
            self.add(f, _parse(f, max_bytes, ctx_args.get("account")))
        names = sorted(n for n in os.listdir(folder) if n == "terraform.tfvars"
                       or n.endswith(".auto.tfvars"))
        for n in names[:20]:  # the order Terraform reads them: terraform.tfvars, then *.auto
            path = os.path.join(folder, n)
            for key, value in _parse(path, max_bytes, ctx_args.get("account")).items():
                if not key.startswith("__"):
                    self.tfvars[key] = (value, path)

    def add(self, file: str, doc: dict[str, Any]) -> None:
        for block in doc.get("variable") or []:
            for name, body in block.items():
                self.variables[_unquote(name)] = body if isinstance(body, dict) else {}
        for block in doc.get("module") or []:
            for name, body in block.items():
                if isinstance(body, dict):
                    self.modules[_unquote(name)] = (body, file)
        for block in doc.get("output") or []:
            for name, body in block.items():
                if isinstance(body, dict) and "value" in body:
                    self.outputs[_unquote(name)] = (body["value"], file)
        for block in doc.get("locals") or []:
            for name, value in block.items():
                if not name.startswith("__"):
                    self.locals[name] = (value, file)
        for kind, target in (("data", self.data), ("resource", self.resources)):
            for block in doc.get(kind) or []:
                for rtype, named in block.items():
                    if not isinstance(named, dict):
                        continue
                    for rname, body in named.items():
                        if isinstance(body, dict):
                            target[(_unquote(rtype), _unquote(rname))] = (body, file)


def local_module(parent: Module, body: dict[str, Any], cache: dict[str, Module]) -> Module | None:
    """The module a ``module`` block calls, when its source is a local folder."""
    source = body.get("source")
    if not isinstance(source, str):
        return None
    source = source.strip('"')
    if not source.startswith(("./", "../")):
        return None
    folder = os.path.normpath(os.path.join(parent.folder, source))
    if folder not in cache:
        if len(cache) > 50 or not os.path.isdir(folder):
            return None
        _, files = _files(folder)
        cache[folder] = Module(folder, files, parent.ctx_args, parent.max_bytes)
    return cache[folder]


class Scope:
    """Evaluate expressions of a module for one state machine (its own Context). A module
    called by another gets its ``inputs`` (evaluated in the caller's scope)."""

    def __init__(self, module: Module, ctx: Context, inputs: dict[str, Any] | None = None,
                 parent: Scope | None = None, cache: dict[str, Module] | None = None,
                 depth: int = 0) -> None:
        self.m = module
        self.ctx = ctx
        self.inputs = inputs or {}
        self.parent = parent
        self.modules = cache if cache is not None else {}
        self.children: dict[str, Scope | None] = {}
        self.depth = depth
        self.active: list[str] = []
        self.cache: dict[str, Any] = {}
        self.evaluator = Evaluator(self.lookup, self.functions(), self.unknown)
        self.file = ctx.file
        #: each / count of the resource instance being read (a for_each or count machine)
        self.bindings: dict[str, Any] | None = None

    def unknown(self, label: str) -> str:
        return self.ctx.deploy_value(label, f"{label} is known only at apply time")

    def error(self, what: str, where: str | None = None) -> DefinitionError:
        return DefinitionError(what, where, self.file)

    def value(self, raw: Any, file: str | None = None,
              scope: dict[str, Any] | None = None) -> Any:
        saved = self.file
        if file:
            self.file = file
        try:
            return self.evaluator.eval(parse_value(raw), scope if scope is not None
                                       else self.bindings)
        except HclError as exc:
            raise self.error(str(exc)) from None
        finally:
            self.file = saved

    def _guard(self, key: str, compute: Any) -> Any:
        if key in self.cache:
            return self.cache[key]
        if key in self.active:
            raise self.error("circular reference: " + " -> ".join(
                [*self.active[self.active.index(key):], key]))
        if len(self.active) > 100:
            raise self.error("references nested too deeply")
        self.active.append(key)
        try:
            result = compute()
        finally:
            self.active.pop()
        self.cache[key] = result
        return result

    # -- references ----------------------------------------------------------------------

    def lookup(self, root: str, path: list[Any], scope: dict[str, Any]) -> Any:
        from sfn_iam.sources.hcl_expr import _walk

        if root in scope:
            return _walk(scope[root], path)
        if root == "var" and path:
            return _walk(self.variable(str(path[0])), path[1:])
        if root == "local" and path:
            name = str(path[0])
            if name not in self.m.locals:
                raise self.error(f"local.{name} is not declared")
            raw, file = self.m.locals[name]
            return _walk(self._guard(f"local.{name}", lambda: self.value(raw, file)), path[1:])
        if root == "path" and path:
            return self.m.folder if path[0] in ("module", "root", "cwd") else self.unknown(
                f"path.{path[0]}")
        if root == "data" and len(path) >= 3:
            attrs = [str(p) for p in path[2:] if not isinstance(p, Index)]
            return self.data(str(path[0]), str(path[1]), attrs)
        if root == "module" and len(path) >= 2:
            child = self.child(str(path[0]))
            out = str(path[1])
            if child is not None and out in child.m.outputs:
                raw, file = child.m.outputs[out]
                value = child._guard(f"output.{out}", lambda: child.value(raw, file))
                return _walk(value, path[2:])
        if root in ("module", "each", "count", "terraform", "self"):
            return self.unknown(".".join([root, *map(str, path)]))
        if path:
            # the instance of a count / for_each resource ([0], ["key"]) does not change its name
            steps = [p for p in path[1:] if not isinstance(p, Index) and p != "*"]
            keys = [p.key for p in path[1:2] if isinstance(p, Index)]
            value = self.resource(root, str(path[0]), [str(s) for s in steps],
                                  keys[0] if keys else None)
            # a splat (aws_glue_job.x.*.id, x[*].id) is a list, one item per instance (the
            # instances share their name here): join(",", x.*.id) must not read a string
            return [value] if "*" in path[1:2] else value
        return self.unknown(root)

    def child(self, name: str) -> Scope | None:
        """The scope of the module ``name`` calls (a local folder), with its inputs."""
        if name in self.children:
            return self.children[name]
        found = self.m.modules.get(name)
        scope = None
        if found is not None and self.depth < 20:
            body, file = found
            module = local_module(self.m, body, self.modules)
            if module is not None:
                inputs = {k: (v, file) for k, v in body.items()
                          if not k.startswith("__") and k not in _META_ARGS}
                scope = Scope(module, self.ctx, inputs, self, self.modules, self.depth + 1)
        self.children[name] = scope
        return scope

    def variable(self, name: str) -> Any:
        if name in self.inputs and self.parent is not None:
            raw, file = self.inputs[name]
            parent = self.parent
            return self._guard(f"var.{name}", lambda: parent.value(raw, file))
        if name in self.ctx.parameters and self.parent is None:
            return self.ctx.parameters[name]
        if name in self.m.tfvars and self.parent is None:
            raw, file = self.m.tfvars[name]
            return self._guard(f"var.{name}", lambda: self.value(raw, file))
        spec = self.m.variables.get(name)
        if spec is None:
            raise self.error(f"var.{name} is not declared")
        if "default" not in spec:
            return self.ctx.deploy_value(f"var.{name}", f"variable {name} has no default (pass "
                                         f"--parameter {name}=VALUE)")
        return self._guard(f"var.{name}", lambda: self.value(spec["default"]))

    def data(self, dtype: str, name: str, attrs: list[str]) -> Any:
        ctx = self.ctx
        attr = attrs[0] if attrs else ""
        if dtype == "aws_region":
            return ctx.region_value if attr in ("name", "id", "region") else self.unknown(
                f"data.aws_region.{name}.{attr}")
        if dtype == "aws_caller_identity" and attr in ("account_id", "id"):  # id: the account
            return ctx.account_value
        if dtype == "aws_partition":
            if attr in ("partition", "id"):  # id: the partition too (provider documentation)
                return ctx.partition
            if attr == "dns_suffix":
                return ctx.url_suffix
        if dtype == "template_file" and attr == "rendered":
            found = self.m.data.get((dtype, name))
            if found is None:
                raise self.error(f"data.template_file.{name} is not declared")
            body, file = found
            return self._guard(f"data.template_file.{name}", lambda: self.render(body, file))
        return self.unknown(f"data.{dtype}.{name}.{'.'.join(attrs)}")

    def render(self, body: dict[str, Any], file: str) -> str:
        template = self.value(body.get("template", '""'), file)
        variables = self.value(body.get("vars", {}), file) if "vars" in body else {}
        return self.template(str(template), variables if isinstance(variables, dict) else {})

    def template(self, text: str, variables: dict[str, Any]) -> str:
        try:
            node = template_node(text)
            return str(self.evaluator.eval(("concat", [*node[1], ("lit", "")]), variables))
        except HclError as exc:
            raise self.error(f"template: {exc}") from None

    def resource(self, rtype: str, name: str, attrs: list[str], key: Any = None) -> Any:
        """``rtype.name[key].attrs``: ``key`` (a count index or for_each key) fills
        ``count.index`` / ``each.key`` in the resource's name."""
        address = f"{rtype}.{name}"
        if rtype.startswith("random_"):
            token = self.ctx.generated(address, f"{address} is a random value made at apply "
                                       "time", "a fixed name narrows it")
            return self.ctx.origin(token, address)
        row = TF_TYPES.get(rtype)
        found = self.m.resources.get((rtype, name))
        attr = attrs[0] if attrs else "id"
        what = row[2].get(attr) if row else None
        if found is None or row is None or what is None or what == "id":
            return self.unknown(f"{address}.{attr}")
        body, file = found
        each = None
        if key is not None:
            # each.value is the for_each map's value for the key (a set's: the key itself)
            value: Any = key
            if "for_each" in body:
                coll = self._guard(f"{address}.for_each",
                                   lambda: self.value(body["for_each"], file))
                if isinstance(coll, dict):
                    value = coll[str(key)] if str(key) in coll else self.unknown(
                        f"{address}[{key!r}]")
                elif isinstance(coll, str):  # the collection is known only at apply time
                    value = self.unknown(f"{address}[{key!r}].each.value")
            each = {"each": {"key": key, "value": value}, "count": {"index": key}}
        result = self._guard(f"{address}[{key!r}].{attr}",
                             lambda: self.made(rtype, name, body, file, what, each))
        if what != "arn" and "arn" in row[2] and row[2]["arn"] == "arn":  # the ARN's origin too
            self.ctx.origin(self.made(rtype, name, body, file, "arn", each), f"{address}.arn")
        return self.ctx.origin(result, f"{address}.{attr}")

    def made(self, rtype: str, name: str, body: dict[str, Any], file: str, what: str,
             each: dict[str, Any] | None = None) -> str:
        cfn_type, name_attr, _ = TF_TYPES[rtype]
        ctx = self.ctx
        address = f"{rtype}.{name}"
        given = str(self.value(body[name_attr], file, each)) \
            if name_attr and name_attr in body else ""
        if given.strip():  # an empty name (a variable defaulting to ""): made at apply time
            res_name = given
        elif "name_prefix" in body:
            res_name = str(self.value(body["name_prefix"], file)) + ctx.generated(
                address, f"the name of {address} is name_prefix plus a suffix made at apply "
                "time", f"set {name_attr} to narrow it")
        else:
            hint = f"set {name_attr} to narrow it" if name_attr else "its ID is made at apply time"
            res_name = ctx.generated(address, f"the name of {address} is generated at apply time",
                                     hint)
        if rtype == "aws_sqs_queue" and body.get("fifo_queue") in (True, "true") \
                and not res_name.endswith(".fifo"):
            res_name += ".fifo"
        if what == "name":
            return res_name
        if what == "url":
            return f"https://sqs.{ctx.region_value}.{ctx.url_suffix}/{ctx.account_value}/{res_name}"
        path = str(self.value(body["path"], file)) if rtype == "aws_iam_role" and "path" in body \
            else "/"
        return CFN_TYPES[cfn_type][0].format(partition=ctx.partition, region=ctx.region_value,
                                             account=ctx.account_value, name=res_name, path=path)

    # -- functions -----------------------------------------------------------------------

    def read(self, path: Any) -> str:
        if not isinstance(path, str) or "${" in path:
            why = [w for label, w in self.ctx.deploy.items()
                   if isinstance(path, str) and "${" + label + "}" in path]
            raise self.error(f"file({path!r}): the path is known only at apply time"
                             + (f": {why[0]}; or read the configuration that calls this "
                                "module" if why else ""))
        full = path if os.path.isabs(path) else os.path.join(self.m.folder, path)
        from sfn_iam.load import decode, read_source

        try:
            data, name = read_source(os.path.normpath(full), self.m.max_bytes)
        except DefinitionError as exc:
            raise self.error(f"file({path!r}): {exc.what}") from None
        return check_text(decode(data, name), name, self.ctx.account)

    def functions(self) -> dict[str, Any]:
        def templatefile(path: Any, variables: Any = None) -> str:
            return self.template(self.read(path), variables if isinstance(variables, dict) else {})

        def fmt(spec: Any, *args: Any) -> str:
            try:
                return str(spec).replace("%v", "%s").replace("%d", "%s") % tuple(args)
            except (TypeError, ValueError):
                raise self.error(f"format({spec!r}): wrong arguments") from None

        def merge(*maps: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for m in maps:
                if isinstance(m, dict):
                    out.update(m)
            return out

        def lookup(m: Any, key: Any, default: Any = None) -> Any:
            return m.get(key, default) if isinstance(m, dict) else default

        def coalesce(*args: Any) -> Any:
            return next((a for a in args if a not in (None, "")), None)

        def element(items: Any, i: Any) -> Any:
            return items[int(i) % len(items)] if isinstance(items, list) and items else items

        return {
            "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
            "jsondecode": lambda v: json.loads(v) if isinstance(v, str) and "${" not in v else v,
            "file": self.read,
            "templatefile": templatefile,
            "format": fmt,
            "join": lambda sep, items: str(sep).join(map(str, items or [])),
            "concat": lambda *ls: [x for seq in ls for x in (seq or [])],
            "lower": lambda s: str(s).lower(),
            "upper": lambda s: str(s).upper(),
            "replace": lambda s, a, b: str(s).replace(str(a), str(b)),
            "trimspace": lambda s: str(s).strip(),
            "merge": merge,
            "lookup": lookup,
            "element": element,
            "length": lambda v: len(v) if isinstance(v, (list, dict, str)) else 0,
            "tostring": lambda v: v if isinstance(v, str) else json.dumps(v),
            "tonumber": lambda v: v,
            "tolist": lambda v: list(v or []),
            "toset": lambda v: list(dict.fromkeys(v or [])),
            "tomap": lambda v: v,
            "try": lambda *args: args[0] if args else None,
            "coalesce": coalesce,
            "split": lambda sep, s: split_text(str(s), str(sep)),
            "abspath": lambda p: p,
            "basename": lambda p: os.path.basename(str(p)),
            "dirname": lambda p: os.path.dirname(str(p)),
            "base64encode": lambda s: base64.b64encode(str(s).encode()).decode(),
            "trimsuffix": lambda s, x: str(s).removesuffix(str(x)),
            "trimprefix": lambda s, x: str(s).removeprefix(str(x)),
            "substr": lambda s, a, n: str(s)[int(a):int(a) + int(n)] if int(n) >= 0 else str(s)[int(a):],
        }


def load(path: str, max_bytes: int, ctx_args: dict[str, Any]) -> list[StateMachine]:
    folder, files = _files(path)
    if not files:
        raise DefinitionError("no Terraform file (*.tf)", source=path)
    if not os.path.isdir(path) and os.path.abspath(path) not in map(os.path.abspath, files):
        files.append(path)
    module = Module(folder, files, ctx_args, max_bytes)
    only = None if os.path.isdir(path) else os.path.abspath(path)
    machines: list[StateMachine] = []
    _collect(module, module, [], only, ctx_args, machines, {})
    if not machines and only is not None:  # main.tf calling a module, outputs.tf, ...
        _collect(module, module, [], None, ctx_args, machines, {})
    if not machines:
        raise DefinitionError("no aws_sfn_state_machine resource", source=path)
    return machines


def _collect(root: Module, module: Module, calls: list[str], only: str | None,
             ctx_args: dict[str, Any], out: list[StateMachine], cache: dict[str, Module]) -> None:
    """The machines of ``module`` and of the local modules it calls; ``calls``: the module
    names from ``root`` to ``module`` (each machine is evaluated through that chain, so the
    inputs of every call reach it)."""
    for (rtype, name), (body, file) in module.resources.items():
        if rtype != "aws_sfn_state_machine" or (only and os.path.abspath(file) != only):
            continue
        scope = _scope(root, calls, file, ctx_args, cache)
        if scope is None or _not_created(scope, body, file):
            continue
        for suffix, bindings in _instances(scope, body, file):
            if bindings is not None:  # a fresh scope: values are cached per instance
                scope = _scope(root, calls, file, ctx_args, cache)
                if scope is None:
                    break
                scope.bindings = bindings
            out.append(_machine(scope, name + suffix, body, file, calls))
    for call, (body, file) in module.modules.items():
        # a registry module that makes the machine from a definition input
        if "definition" in body and local_module(module, body, cache) is None and (
                not only or os.path.abspath(file) == only):
            scope = Scope(root, Context(file, **ctx_args), cache=cache)
            for c in calls:
                scope = scope.child(c) if scope is not None else None
            if scope is not None:
                out.append(_machine(scope, call, body, file, calls, registry=True))
    if only is not None or len(calls) > 10:
        return
    for call, (body, _file) in module.modules.items():
        child = local_module(module, body, cache)
        if child is not None:
            _collect(root, child, [*calls, call], None, ctx_args, out, cache)


def _scope(root: Module, calls: list[str], file: str, ctx_args: dict[str, Any],
           cache: dict[str, Module]) -> Scope | None:
    scope: Scope | None = Scope(root, Context(file, **ctx_args), cache=cache)
    for call in calls:
        scope = scope.child(call) if scope is not None else None
    return scope


def _instances(scope: Scope, body: dict[str, Any],
               file: str) -> list[tuple[str, dict[str, Any] | None]]:
    """The instances of a machine with ``for_each`` (a map or set known here: one machine a
    key, named ``m["key"]`` as Terraform addresses it, with ``each.key`` / ``each.value``) or
    ``count`` of 2 or more (``m[0]``..., with ``count.index``); else the machine itself."""
    try:
        if "for_each" in body:
            coll = scope.value(body["for_each"], file)
            if isinstance(coll, dict):
                pairs = list(coll.items())
            elif isinstance(coll, list):
                pairs = [(str(v), v) for v in coll]
            else:
                return [("", None)]
            return [(f"[{json.dumps(str(k))}]", {"each": {"key": str(k), "value": v}})
                    for k, v in pairs[:100]]
        if "count" in body:
            count = scope.value(body["count"], file)
            n = int(count) if isinstance(count, (int, float, str)) and str(count).isdigit() else -1
            if n == 1:
                return [("", {"count": {"index": 0}})]
            if n > 1:
                return [(f"[{i}]", {"count": {"index": i}}) for i in range(min(n, 100))]
    except DefinitionError:
        pass
    return [("", None)]


def _not_created(scope: Scope, body: dict[str, Any], file: str) -> bool:
    """``count = 0`` (``var.create ? 1 : 0`` with create false): the resource does not exist."""
    if "count" not in body:
        return False
    try:
        count = scope.value(body["count"], file)
    except DefinitionError:
        return False
    return count in (0, "0", False)


def _machine(scope: Scope, name: str, body: dict[str, Any], file: str,
             calls: list[str], registry: bool = False) -> StateMachine:
    """An ``aws_sfn_state_machine`` resource, or (``registry``) a call of a registry module
    that makes one from its ``definition`` input (terraform-aws-modules/step-functions)."""
    ctx = scope.ctx
    module = scope.m
    last = f"module.{name}" if registry else f"aws_sfn_state_machine.{name}"
    where = ".".join([*(f"module.{c}" for c in calls), last])
    if "definition" not in body:
        raise DefinitionError("no definition", where, file)
    try:
        definition = scope.value(body["definition"], file)
    except DefinitionError as exc:
        raise DefinitionError(exc.what, where, exc.source or file) from None
    if isinstance(definition, str):
        if not definition.strip():
            raw = body["definition"]
            ref = re.fullmatch(r"\$\{(var\.[A-Za-z0-9_-]+)\}", raw) if isinstance(raw, str) else None
            raise DefinitionError(
                "the definition is empty" + (
                    f" ({ref.group(1)} is empty by default: a module read on its own; read the "
                    "configuration that calls it, or pass --parameter "
                    f"{ref.group(1)[4:]}=DEFINITION)" if ref else ""), where, file)
        if "${" in definition and definition.strip().startswith("${"):
            raise DefinitionError(f"the definition is known only at apply time ({definition[:80]})",
                                  where, file)
        try:
            definition = parse_definition_text(definition, {}, file)
        except DefinitionError as exc:
            raise DefinitionError(f"the definition is not JSON: {exc.what}", where, file) from None
    if not isinstance(definition, dict):
        raise DefinitionError("the definition is not an object", where, file)
    settings = _settings(scope, body, file)
    given = scope.value(body["name"], file) if "name" in body else None
    if given is not None and str(given).strip():
        sm_name = str(given)
    else:  # no name, or an empty one (a module's var.name read on its own): made at apply
        sm_name = ctx.generated(where, f"the name of {where} is generated at apply time",
                                "set name to narrow it")
    arn = f"arn:{ctx.partition}:states:{ctx.region_value}:{ctx.account_value}:stateMachine:{sm_name}"
    resources = {f"{t}.{n}": b for (t, n), (b, _) in module.resources.items()}
    sm = StateMachine(name, "terraform", file, definition, {}, arn=arn, resources=resources,
                      context=ctx, **settings)
    sm.aliases = (where,)
    if registry:
        sm.aliases = (where, last)
    if calls:  # a machine in a called module: its address; the resource name also selects it
        sm.name, sm.aliases = where, (name,)
    sm.task_roles = _task_roles(scope)
    return sm


def _block(body: dict[str, Any], key: str) -> dict[str, Any]:
    v = body.get(key)
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return v[0]
    return v if isinstance(v, dict) else {}


def _settings(scope: Scope, body: dict[str, Any], file: str) -> dict[str, Any]:
    tracing = _block(body, "tracing_configuration")
    xray = bool(tracing) and scope.value(tracing.get("enabled", "false"), file) in (True, "true")
    if "tracing_enabled" in body:  # terraform-aws-modules/step-functions
        xray = xray or scope.value(body["tracing_enabled"], file) in (True, "true")
    log = _block(body, "logging_configuration")
    logging = bool(log) and str(scope.value(log.get("level", '"OFF"'), file)) != "OFF"
    enc = _block(body, "encryption_configuration")
    kms_key = None
    if enc and str(scope.value(enc.get("type", '""'), file)) == "CUSTOMER_MANAGED_KMS_KEY":
        key = scope.value(enc.get("kms_key_id", '""'), file)
        if isinstance(key, str) and key:
            from sfn_iam.sources.cloudformation import key_arn

            kms_key = key_arn(key, scope.ctx)
    return {"xray": xray, "logging": logging, "kms_key": kms_key}


def _task_roles(scope: Scope) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for (rtype, name), (body, file) in scope.m.resources.items():
        if rtype != "aws_ecs_task_definition":
            continue
        roles = [r for r in (scope.value(body[k], file) for k in ("task_role_arn",
                                                                    "execution_role_arn")
                             if k in body) if isinstance(r, str) and r]
        if roles:
            for attr in ("arn", "arn_without_revision", "family"):
                v = scope.resource(rtype, name, [attr])
                if isinstance(v, str):
                    out[v] = roles
    return out
