"""Which of a template's own resources the role may refer to.

A state machine read from a template (:mod:`sfn_iam.sources`) knows where each resolved value
came from (``origins``: value -> ``{"Fn::GetAtt": ["MyFn", "Arn"]}`` or
``"aws_lambda_function.x.arn"``). The writers put those expressions in the role instead of
the resolved names, so the role follows the stack. Two kinds are left out, and the role
names them by their resolved value instead (the same value, deployed where the policy was
generated for):

* a resource that depends on the state machine, directly or through others (a Lambda whose
  environment holds the machine's ARN, the machine itself when it starts itself): the
  machine depends on its role, so a reference would be a circular dependency;
* in Terraform, a block that is not in the machine's module, or one made with ``count`` /
  ``for_each`` (``aws_lambda_function.x.arn`` would not name one instance).

Nor is a pseudo parameter (``aws`` -> ``{"Ref": "AWS::Partition"}``): the writers put those
in an ARN's partition, region and account fields only. A value with a wildcard
(``arn:aws:sns:us-east-1:123456789012:*``: a name made at deploy
time) is never a reference either: two topics without a name resolve to the same value, and
a grant on it may be merged with a dynamic one (``TopicArn.$``); one topic's ``!Ref`` in its
place would deny the others. It stays the wildcard, as in the JSON policy.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from typing import Any

    from sfn_iam.sources import StateMachine

#: a ``${Name}`` / ``${Name.Attribute}`` of an Fn::Sub string (not ``${!Literal}``)
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
#: a Terraform address inside an expression: type.name, data.type.name, local.x, module.x
_TF_ADDRESS = re.compile(r"\b(?:data\.)?[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*")


def references(machine: StateMachine, fmt: str) -> tuple[dict[str, object], list[str]]:
    """The origins of ``machine`` the writer of ``fmt`` (``cfn``, ``sam``, ``terraform``)
    may write as references, and the other resources left out because they depend on the
    machine (sorted)."""
    counted: set[str] = set()
    if fmt == "terraform":
        try:
            graph, machine_id = _terraform_graph(machine, counted)
        except Exception:  # the reader read the folder; should this not: no references
            return {}, []
    else:
        graph = {k: _cfn_names(v) for k, v in machine.resources.items() if isinstance(v, dict)}
        machine_id = machine.name
    tainted = _dependents(graph, machine_id)
    kept: dict[str, object] = {}
    dropped: set[str] = set()
    for value, expr in machine.origins.items():
        if "*" in value:  # a name made at deploy time: maybe several resources, or a grant
            continue      # merged with a dynamic value; the expression would narrow them all
        if _pseudo(expr):  # the writers place these by ARN field, never by equal text
            continue
        if fmt == "terraform":
            names = _terraform_target(expr, graph, counted)
        else:
            names = _cfn_names(expr) if isinstance(expr, dict) else None
        if names is None:
            continue
        bad = [n for n in names if n in tainted]
        if bad:  # the machine itself goes unsaid: its own ARN is always built from its name
            dropped.update(n for n in bad if n != machine_id)
        else:
            kept[value] = expr
    return kept, sorted(dropped)


def _pseudo(expr: object) -> bool:
    """A pseudo parameter (``{"Ref": "AWS::Partition"}``) or the data source Terraform gets
    the partition, region or account from: as a name it would replace every segment equal to
    ``aws`` or ``us-east-1`` (an S3 key ``logs/aws/*``), which need not follow the stack."""
    if isinstance(expr, dict):
        ref = expr.get("Ref")
        return len(expr) == 1 and isinstance(ref, str) and ref.startswith("AWS::")
    return isinstance(expr, str) and expr.startswith(
        ("data.aws_partition.", "data.aws_region.", "data.aws_caller_identity."))


def _dependents(graph: dict[str, set[str]], root: str) -> set[str]:
    """``root`` and every node that depends on it, directly or through others."""
    users: dict[str, set[str]] = {}
    for node, deps in graph.items():
        for dep in deps:
            users.setdefault(dep, set()).add(node)
    out = {root}
    todo = [root]
    while todo:
        for user in users.get(todo.pop(), ()):
            if user not in out:
                out.add(user)
                todo.append(user)
    return out


def _cfn_names(node: Any) -> set[str]:
    """The logical ids an expression or resource refers to (Ref, Fn::GetAtt, Fn::Sub,
    DependsOn); pseudo parameters left out."""
    out: set[str] = set()
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo += item
        elif isinstance(item, dict):
            for key, arg in item.items():
                if key == "Ref" and isinstance(arg, str):
                    out.add(arg)
                elif key == "Fn::GetAtt":
                    first = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(first, str):
                        out.add(first.split(".")[0])
                elif key == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(text, str):
                        out.update(m.group(1) for m in _SUB_NAME.finditer(text))
                elif key == "DependsOn":
                    out.update(x for x in (arg if isinstance(arg, list) else [arg])
                               if isinstance(x, str))
                todo.append(arg)
    return {n for n in out if not n.startswith("AWS::")}


def _terraform_target(expr: object, graph: dict[str, set[str]],
                      counted: set[str]) -> set[str] | None:
    """The block an origin refers to; None (not a reference the writer may use) for a block
    not in the module, or made with count / for_each (the expression names no instance)."""
    if not isinstance(expr, str):
        return None
    parts = expr.split(".")
    address = ".".join(parts[:3] if parts[0] == "data" else parts[:2])
    if address not in graph or address in counted:
        return None
    return {address}


def _terraform_graph(machine: StateMachine,
                     counted: set[str]) -> tuple[dict[str, set[str]], str]:
    """The blocks of the machine's module (resources, data sources, locals, module calls)
    and the addresses each refers to; and the machine's own address. ``counted`` receives
    the blocks made with count / for_each."""
    import os

    import hcl2

    folder = os.path.dirname(os.path.abspath(machine.file))
    bodies: dict[str, Any] = {}
    for entry in sorted(os.listdir(folder)):
        if not entry.endswith(".tf"):
            continue
        with open(os.path.join(folder, entry), encoding="utf-8") as fh:
            doc = hcl2.load(fh)
        for kind in ("resource", "data"):
            for block in doc.get(kind) or []:
                for rtype, named in block.items():
                    for name, body in named.items():
                        prefix = "data." if kind == "data" else ""
                        address = f"{prefix}{_unquote(rtype)}.{_unquote(name)}"
                        bodies[address] = body
                        if isinstance(body, dict) and ("count" in body or "for_each" in body):
                            counted.add(address)
        for block in doc.get("locals") or []:
            for name, body in block.items():
                bodies[f"local.{name}"] = body
        for block in doc.get("module") or []:
            for name, body in block.items():
                bodies[f"module.{_unquote(name)}"] = body
    graph = {address: {m.group(0) for m in _TF_ADDRESS.finditer(str(body))} & bodies.keys()
             for address, body in bodies.items()}
    return graph, _terraform_machine(machine, bodies)


def _terraform_machine(machine: StateMachine, bodies: dict[str, Any]) -> str:
    for name in (machine.name, *machine.aliases):
        last = ".".join(name.split(".")[-2:]) if "." in name else name
        for address in (last, f"aws_sfn_state_machine.{last}", f"module.{last}"):
            if address in bodies:
                return address
    return f"aws_sfn_state_machine.{machine.name}"


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def free_label(machine: StateMachine, fmt: str) -> str | None:
    """A label for the writer's blocks that the input does not use already (None: the
    writer's default is free): the role's logical id for ``cfn`` (``StateMachineRole``,
    then ``StateMachineRole2``...), the managed policies' prefix for ``sam``, the blocks'
    label for ``terraform`` (``state_machine``, then ``sfn_iam``, ``sfn_iam_2``...)."""
    if fmt == "terraform":
        try:
            taken = {a.rsplit(".", 1)[-1] for a in _terraform_graph(machine, set())[0]}
        except Exception:  # unreadable here: the reader read it; keep the default
            return None
        candidates = ["state_machine", "sfn_iam", *(f"sfn_iam_{i}" for i in range(2, 100))]
        for label in candidates:
            if not any(t == label or t.startswith(label + "_") for t in taken):
                return None if label == "state_machine" else label
        return None
    taken = set(machine.resources)
    for key, res in machine.resources.items():  # the roles SAM makes: <id>Role
        if isinstance(res, dict) and str(res.get("Type", "")).startswith("AWS::Serverless::"):
            taken.add(key + "Role")
    base = "StateMachineRole" if fmt == "cfn" else "StateMachine"
    for i in range(1, 100):
        label = base if i == 1 else f"{base}{i}"
        if label not in taken and not any(t.startswith(label + "Policy") for t in taken):
            return None if i == 1 else label
    return None
