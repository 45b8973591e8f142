"""The execution role as CloudFormation (``AWS::IAM::Role``) and as a SAM ``Policies`` list.

Strings are written with ``Fn::Sub`` and the pseudo parameters ``${AWS::Partition}``,
``${AWS::Region}``, ``${AWS::AccountId}`` where they hold the values the policy was generated
for, and with the template's own intrinsic functions where ``references`` names them (see
:mod:`sfn_iam.render.values`). The trust policy is ``sfn-iam trust-policy``'s, with the
confused-deputy conditions. A policy over IAM's inline limit becomes
``AWS::IAM::ManagedPolicy`` resources that each fit (:func:`sfn_iam.policy.split`)."""

from __future__ import annotations

import re

from sfn_iam.render.values import Deploy, Piece

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from sfn_iam.generate import GenerateResult

_PSEUDO = {"partition": "AWS::Partition", "region": "AWS::Region", "account": "AWS::AccountId"}
_NAME = re.compile(r"[A-Za-z0-9]+(::[A-Za-z0-9]+)?")
_ATTRIBUTE = re.compile(r"[A-Za-z0-9]+\.[A-Za-z0-9.]+")
#: a ``${...}`` (IAM's ``${*}``, ``${?}``, ``${$}``) that Fn::Sub would read as a variable
_CLOSED = re.compile(r"\$\{[^${}]*\}")
#: the most managed policies IAM attaches to a role by default (a quota that can be raised)
MANAGED_POLICIES_PER_ROLE = 10


def value(pieces: list[Piece]) -> object:
    """One string of a policy as CloudFormation: the plain string, a lone pseudo parameter or
    reference, or ``Fn::Sub`` (a literal ``${`` written ``${!``)."""
    if len(pieces) == 1:
        kind, item = pieces[0]
        if kind == "text":
            return item
        if kind == "pseudo":
            return {"Ref": _PSEUDO[str(item)]}
        return _intrinsic(item)
    text: list[str] = []
    variables: dict[str, object] = {}
    for kind, item in pieces:
        if kind == "text":
            text.append(_literal(str(item), variables))
        elif kind == "pseudo":
            text.append("${" + _PSEUDO[str(item)] + "}")
        else:
            text.append(_embedded(_intrinsic(item), variables))
    joined = "".join(text)
    return {"Fn::Sub": [joined, variables] if variables else joined}


def _literal(text: str, variables: dict[str, object]) -> str:
    """Literal text inside an Fn::Sub string: a ``${...}`` written ``${!...}``; text with
    any other ``${`` (unclosed, nested) is passed as a variable of the Fn::Sub's map, whose
    values Fn::Sub does not read."""
    if "${" not in text:
        return text
    if "${" not in _CLOSED.sub("", text):
        return _CLOSED.sub(lambda m: "${!" + m.group(0)[2:], text)
    key = f"Text{len(variables) + 1}"
    variables[key] = text
    return "${" + key + "}"


def _intrinsic(expr: object) -> dict[str, Any]:
    """``expr`` checked to be one CloudFormation intrinsic function (``{"Ref": ...}``,
    ``{"Fn::GetAtt": ...}``, ``{"Fn::Sub": ...}``, ...)."""
    if isinstance(expr, dict) and len(expr) == 1:
        fn = next(iter(expr))
        if fn == "Ref" or (isinstance(fn, str) and fn.startswith("Fn::")):
            return expr
    raise ValueError(f"references: {expr!r} is not a CloudFormation intrinsic function such "
                     "as {'Fn::GetAtt': ['MyFunction', 'Arn']}")


def _embedded(expr: dict[str, Any], variables: dict[str, object]) -> str:
    """``expr`` as a ``${...}`` inside an ``Fn::Sub`` string: ``${Name}`` for a Ref,
    ``${Name.Attribute}`` for a GetAtt, the text of a plain Fn::Sub, else a variable of the
    Fn::Sub's map."""
    (fn, arg), = expr.items()
    if fn == "Ref" and isinstance(arg, str) and _NAME.fullmatch(arg):
        return "${" + arg + "}"
    if fn == "Fn::GetAtt":
        name = ".".join(arg) if isinstance(arg, list) and all(isinstance(a, str) for a in arg) \
            else arg
        if isinstance(name, str) and _ATTRIBUTE.fullmatch(name):
            return "${" + name + "}"
    if fn == "Fn::Sub" and isinstance(arg, str):
        return arg
    key = f"Ref{len(variables) + 1}"
    variables[key] = expr
    return "${" + key + "}"


def document(doc: dict[str, Any], deploy: Deploy) -> dict[str, Any]:
    """A policy document with its resource and condition strings as CloudFormation."""
    statements = doc.get("Statement", [])
    return {"Version": doc.get("Version", "2012-10-17"),
            "Statement": [statement(st, deploy) for st in statements]}


def statement(st: dict[str, Any], deploy: Deploy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in st.items():
        if key in ("Resource", "NotResource"):
            out[key] = _strings(item, deploy)
        elif key == "Condition":
            out[key] = {op: {k: _strings(v, deploy) for k, v in block.items()}
                        for op, block in item.items()}
        else:
            out[key] = item
    return out


def _strings(item: object, deploy: Deploy) -> object:
    if isinstance(item, str):
        return value(deploy.pieces(item))
    if isinstance(item, list):
        return [_strings(x, deploy) for x in item]
    return item


def trust_document(deploy: Deploy) -> dict[str, Any]:
    """The trust policy of ``sfn-iam trust-policy``: states.amazonaws.com, only for this
    account's state machine(s) (confused deputy)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "states.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "ArnLike": {"aws:SourceArn": value(deploy.own_arn_pieces())},
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        },
    }]}


def _parts(result: GenerateResult) -> list[dict[str, Any]] | None:
    """The managed-policy documents when the policy is over the inline limit, else None."""
    from sfn_iam.policy import INLINE_LIMIT, MANAGED_LIMIT, split

    if result.size <= INLINE_LIMIT:
        return None
    return split(result.document, MANAGED_LIMIT)


def to_cloudformation(result: GenerateResult, *, region: str | None = None,
                      account: str | None = None, partition: str | None = None,
                      state_machine_arn: str | None = None,
                      references: Mapping[str, object] | None = None,
                      logical_id: str = "StateMachineRole") -> dict[str, Any]:
    """A CloudFormation template (a dict) with the execution role: ``AWS::IAM::Role`` with the
    trust policy and the policy inline, or ``AWS::IAM::ManagedPolicy`` resources when it is
    over IAM's inline limit. ``region`` / ``account`` / ``partition`` / ``state_machine_arn``
    are those the policy was generated with; ``references`` maps resolved values (ARNs) to
    the template expressions they came from (``{"Fn::GetAtt": ["MyFn", "Arn"]}``)."""
    if not _NAME.fullmatch(logical_id) or "::" in logical_id:
        raise ValueError(f"logical_id {logical_id!r} is not a CloudFormation logical ID")
    deploy = Deploy(region, account, partition, state_machine_arn, references)
    what = f"the state machine {deploy.name}" if deploy.name else "a Step Functions state machine"
    props: dict[str, Any] = {"AssumeRolePolicyDocument": trust_document(deploy)}
    resources: dict[str, Any] = {logical_id: {"Type": "AWS::IAM::Role", "Properties": props}}
    parts = _parts(result)
    if parts is not None:
        names = [f"{logical_id}Policy{i}" for i in range(1, len(parts) + 1)]
        props["ManagedPolicyArns"] = [{"Ref": n} for n in names]
        for name, part in zip(names, parts, strict=True):
            resources[name] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                "Description": f"Part of the execution role policy of {what} (sfn-iam)",
                "PolicyDocument": document(part, deploy)}}
    elif result.document.get("Statement"):
        props["Policies"] = [{"PolicyName": "sfn-iam",
                              "PolicyDocument": document(result.document, deploy)}]
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Least-privilege execution role of {what} (generated by sfn-iam)",
        "Resources": resources,
        "Outputs": {"RoleArn": {"Description": "the ARN to give the state machine's RoleArn",
                                "Value": {"Fn::GetAtt": [logical_id, "Arn"]}}},
    }


def to_sam(result: GenerateResult, *, region: str | None = None, account: str | None = None,
           partition: str | None = None, state_machine_arn: str | None = None,
           references: Mapping[str, object] | None = None,
           logical_id: str = "StateMachine") -> dict[str, Any]:
    """The ``Policies`` list of an ``AWS::Serverless::StateMachine`` (SAM creates the role):
    ``{"Policies": [document]}``; over IAM's inline limit, ``{"Policies": [Ref, ...],
    "Resources": {managed policies}}`` (the resources go into the template's Resources)."""
    deploy = Deploy(region, account, partition, state_machine_arn, references)
    parts = _parts(result)
    if parts is None:
        docs = [document(result.document, deploy)] if result.document.get("Statement") else []
        return {"Policies": docs}
    names = [f"{logical_id}Policy{i}" for i in range(1, len(parts) + 1)]
    return {"Policies": [{"Ref": n} for n in names],
            "Resources": {n: {"Type": "AWS::IAM::ManagedPolicy",
                              "Properties": {"PolicyDocument": document(p, deploy)}}
                          for n, p in zip(names, parts, strict=True)}}


def dumps(template: dict[str, Any], fmt: str = "yaml") -> str:
    """``template`` as YAML (block style, keys in order, no line wrapping) or JSON."""
    if fmt == "json":
        import json

        return json.dumps(template, indent=2) + "\n"
    import yaml

    class Dumper(yaml.SafeDumper):
        """No anchors and aliases (``&id001`` / ``*id001``) for objects the template shares:
        CloudFormation rejects YAML aliases."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    def text(dumper: Any, data: str) -> Any:
        """YAML reads NEL and the Unicode line and paragraph separators as line breaks: a
        string holding one is written double-quoted, where they are escaped."""
        style = '"' if any(c in data for c in "\x85\u2028\u2029") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(str, text)
    return str(yaml.dump(template, Dumper=Dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, width=1 << 30))
