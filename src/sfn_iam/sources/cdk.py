"""CDK cloud assemblies (``cdk.out/``): every stack template the manifest names, and the
nested stacks they deploy (``*.nested.template.json``, named by the ``aws:asset:path``
metadata), with the parameters the parent passes them. A stack template is CloudFormation
JSON: :mod:`.cloudformation` reads it (CDK's ``Fn::Join`` of JSON fragments included).

``--state-machine`` takes the logical id (``MyMachine6C968CA5``) or the construct id of the
``aws:cdk:path`` metadata (``MyMachine``)."""

from __future__ import annotations

import os
from typing import Any

from sfn_iam.errors import DefinitionError
from sfn_iam.sources import StateMachine

_MAX_TEMPLATES = 500


def _machines_or_none(folder: str, max_bytes: int, ctx_args: dict[str, Any],
                      depth: int) -> list[StateMachine]:
    try:
        return load_assembly(folder, max_bytes, ctx_args, depth)
    except DefinitionError as exc:
        if "no state machine" in exc.what:
            return []
        raise


def load_assembly(folder: str, max_bytes: int, ctx_args: dict[str, Any],
                  depth: int = 0) -> list[StateMachine]:
    names: list[str] = []
    nested_assemblies: list[str] = []
    manifest = os.path.join(folder, "manifest.json")
    if os.path.isfile(manifest):
        doc = _read(manifest, max_bytes, ctx_args.get("account"))
        artifacts = doc.get("artifacts") if isinstance(doc, dict) else None
        for art in (artifacts or {}).values():
            if isinstance(art, dict) and art.get("type") == "aws:cloudformation:stack":
                tf = (art.get("properties") or {}).get("templateFile")
                if isinstance(tf, str):
                    names.append(tf)
            elif isinstance(art, dict) and art.get("type") == "cdk:cloud-assembly":
                sub_dir = (art.get("properties") or {}).get("directoryName")
                if isinstance(sub_dir, str):  # a CDK Pipelines stage: an assembly of its own
                    nested_assemblies.append(os.path.join(folder, sub_dir))
    if not names and not os.path.isfile(manifest):
        names = sorted(n for n in os.listdir(folder)
                       if n.endswith(".template.json") and ".nested." not in n)
    machines: list[StateMachine] = []
    if os.path.isfile(manifest):
        for sub_dir in nested_assemblies[:50]:
            if os.path.isfile(os.path.join(sub_dir, "manifest.json")) and depth < 5:
                machines += _machines_or_none(sub_dir, max_bytes, ctx_args, depth + 1)
    seen: set[str] = set()
    stacks = []
    for n in names:
        path = os.path.join(folder, n)
        if not os.path.isfile(path):
            raise DefinitionError(f"the manifest names {n}, which is not in the folder",
                                  source=manifest)
        stacks.append((path, _read(path, max_bytes, ctx_args.get("account"))))
    exports = _exports(stacks)
    for path, template in stacks:
        machines += _stack(path, template, max_bytes, ctx_args, None, seen, exports=exports)
    if not machines:
        raise DefinitionError("no state machine in this cloud assembly", source=folder)
    return _unique(machines)


def load_template(path: str, template: Any, max_bytes: int,
                  ctx_args: dict[str, Any], kind: str = "cdk") -> list[StateMachine]:
    machines = _stack(path, template, max_bytes, ctx_args, None, set(), kind)
    if not machines:
        raise DefinitionError("no state machine in this template (no AWS::StepFunctions::"
                              "StateMachine or AWS::Serverless::StateMachine resource) or in "
                              "its nested stacks", source=path)
    return _unique(machines)


def _read(path: str, max_bytes: int, account: str | None) -> Any:
    from sfn_iam.load import decode, parse_template, read_source
    from sfn_iam.sources import check_text

    data, name = read_source(path, max_bytes)
    return parse_template(check_text(decode(data, name), name, account), name)


def _exports(stacks: list[tuple[str, Any]]) -> dict[str, tuple[Any, Any]]:
    """The outputs the stacks of an assembly export (CDK's cross-stack references:
    ``Fn::ImportValue`` of ``StackA:ExportsOutputFnGetAtt...``): literal export name -> (the
    exporting template, the output's value)."""
    out: dict[str, tuple[Any, Any]] = {}
    for _path, template in stacks:
        outputs = template.get("Outputs") if isinstance(template, dict) else None
        for output in (outputs.values() if isinstance(outputs, dict) else ()):
            export = output.get("Export") if isinstance(output, dict) else None
            name = export.get("Name") if isinstance(export, dict) else None
            if isinstance(name, str) and "Value" in output:
                out.setdefault(name, (template, output["Value"]))
    return out


def _stack(path: str, template: Any, max_bytes: int, ctx_args: dict[str, Any],
           parent: Any, seen: set[str], kind: str = "cdk",
           exports: dict[str, tuple[Any, Any]] | None = None) -> list[StateMachine]:
    """The machines of a stack template and of the nested stacks it deploys from local files
    (CDK's ``aws:asset:path``; a ``TemplateURL`` / SAM ``Location`` that is a local path)."""
    from sfn_iam.sources import Context, cloudformation

    if path in seen or len(seen) > _MAX_TEMPLATES:
        raise DefinitionError("nested stacks refer to each other in a loop", source=path)
    seen.add(path)
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise DefinitionError("not a CloudFormation template (no Resources)", source=path)
    out: list[StateMachine] = []
    has_machine = any(isinstance(r, dict) and r.get("Type") in cloudformation.MACHINE_TYPES
                      for r in template["Resources"].values())
    if has_machine:
        out += cloudformation.load(path, template, kind, max_bytes, ctx_args, exports=exports)
        for m in out:
            res = template["Resources"].get(m.name) or {}
            cdk_path = (res.get("Metadata") or {}).get("aws:cdk:path") if isinstance(res, dict) \
                else None
            if isinstance(cdk_path, str):
                parts = cdk_path.split("/")
                m.aliases = (parts[-2] if parts[-1] == "Resource" and len(parts) > 1
                             else parts[-1], cdk_path)
    folder = os.path.dirname(path)
    for logical_id, res in template["Resources"].items():
        if not isinstance(res, dict) or res.get("Type") not in (
                "AWS::CloudFormation::Stack", "AWS::Serverless::Application"):
            continue
        asset = (res.get("Metadata") or {}).get("aws:asset:path")
        if not isinstance(asset, str):  # before packaging: a local path
            props = res.get("Properties") or {}
            asset = props.get("TemplateURL") or props.get("Location")
            if not isinstance(asset, str) or "://" in asset:
                continue
        nested_path = os.path.join(folder, asset)
        if not os.path.isfile(nested_path):
            continue
        # the parameters the parent passes, resolved in the parent's context
        ctx = Context(path, **ctx_args)
        r = cloudformation.Resolver(template, ctx)
        r.where = str(logical_id)
        params = (res.get("Properties") or {}).get("Parameters") or {}
        values = {k: r.value(v) for k, v in params.items()} if isinstance(params, dict) else {}
        nested_args = dict(ctx_args)
        nested_args["parameters"] = {**(ctx_args.get("parameters") or {}),
                                     **{k: v for k, v in values.items() if isinstance(v, str)}}
        nested_template = _read(nested_path, max_bytes, ctx_args.get("account"))
        nested = _stack(nested_path, nested_template, max_bytes, nested_args, ctx, seen, kind,
                        exports)
        for m in nested:
            if m._context is not None:
                _inherit(m._context, ctx)
        out += nested
    return out


def _inherit(child: Any, parent: Any) -> None:
    """Tokens the parent made (names passed down as parameters) keep their meaning."""
    for token, why in parent.tokens.items():
        child.tokens.setdefault(token, why)
    for label, why in parent.deploy.items():
        child.deploy.setdefault(label, why)


def _unique(machines: list[StateMachine]) -> list[StateMachine]:
    counts: dict[str, int] = {}
    for m in machines:
        counts[m.name] = counts.get(m.name, 0) + 1
    for m in machines:
        if counts[m.name] > 1:
            stack = os.path.basename(m.file).split(".")[0]
            m.name = f"{stack}/{m.name}"
    return machines
