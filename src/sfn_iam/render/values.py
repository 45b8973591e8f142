"""The strings of a policy as template text: each cut into literal text, the deployment's
partition / region / account, and references to the template's own resources.

A value is rewritten only where the deployed value is the same: the partition, region and
account fields of an ARN that equal the ``--partition`` / ``--region`` / ``--account`` the
policy was generated for become the template's pseudo parameters (``${AWS::Partition}``,
``data.aws_partition``, ...), and a string that equals a template value (``references``: ARN
-> expression), or starts with one followed by ``:`` or ``/`` (a Lambda version, an S3 key),
becomes that expression; a referenced name (not an ARN: a table or bucket name, what a
CloudFormation ``Ref`` gives) replaces the segments of an ARN's resource part equal to it.
Deployed where the policy was generated for, the template gives back the policy, byte for
byte; deployed elsewhere, it follows the stack."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping

#: a piece of a value: ("text", literal), ("pseudo", "partition" | "region" | "account"),
#: or ("ref", expression)
Piece = tuple[str, object]

PSEUDO = ("partition", "region", "account")


class Deploy:
    """Where the role is deployed: the values the policy was generated with, the state
    machine's own ARN, and the template values its strings may be written as."""

    __slots__ = ("account", "name", "names", "partition", "references", "region",
                 "state_machine_arn")

    def __init__(self, region: str | None = None, account: str | None = None,
                 partition: str | None = None, state_machine_arn: str | None = None,
                 references: Mapping[str, object] | None = None) -> None:
        from sfn_iam.arn import partition_for_region
        from sfn_iam.generate import _check_env, _from_state_machine_arn

        _check_env(region, account, partition)
        if state_machine_arn is not None:
            region, account, partition = _from_state_machine_arn(
                state_machine_arn, region, account, partition)
        self.region = region
        self.account = account
        self.partition = partition or partition_for_region(region) or "aws"
        self.state_machine_arn = state_machine_arn
        #: the state machine's name, or None when unknown
        self.name = state_machine_arn.split(":")[6] if state_machine_arn else None
        refs = _acyclic(references or {}, state_machine_arn)
        #: referenced ARNs (matched whole, or as the start of a value)
        self.references = {k: v for k, v in refs.items() if k.startswith("arn:")}
        #: referenced names (a table or bucket name: matched as a whole segment of an ARN's
        #: resource part, between ":" and "/"); never the state machine's own name in a
        #: Step Functions ARN
        self.names = {k: v for k, v in refs.items() if not k.startswith("arn:")}

    def pieces(self, value: str) -> list[Piece]:
        """``value`` as literal text, pseudo parameters and references (in order)."""
        refs = self.references
        if refs:
            expr = refs.get(value)
            if expr is not None:
                return [("ref", expr)]
            # the longest referenced ARN the value starts with, followed by ":" or "/"
            for i in range(len(value) - 1, 4, -1):
                if value[i] in ":/":
                    expr = refs.get(value[:i])
                    if expr is not None:
                        return [("ref", expr), ("text", value[i:])]
        if value.startswith("arn:"):
            fields = value.split(":", 5)
            if len(fields) == 6:
                return self._arn(fields)
        expr = self.names.get(value)
        if expr is not None:
            return [("ref", expr)]
        if value and value == self.account:
            return [("pseudo", "account")]
        return [("text", value)]

    def _arn(self, fields: list[str]) -> list[Piece]:
        out: list[Piece] = [("text", "arn:")]
        wanted = {1: ("partition", self.partition), 3: ("region", self.region),
                  4: ("account", self.account)}
        for i in range(1, 6):
            pseudo = wanted.get(i)
            if pseudo is not None and pseudo[1] and fields[i] == pseudo[1]:
                out.append(("pseudo", pseudo[0]))
            elif i == 5 and self.names:
                out += self._segments(fields[5], self.name if fields[2] == "states" else None)
            else:
                out.append(("text", fields[i]))
            if i < 5:
                out.append(("text", ":"))
        return _joined(out)

    def _segments(self, resource: str, own: str | None) -> list[Piece]:
        """An ARN's resource part with every segment that is a referenced name as that
        reference (``table/Orders`` -> ``table/`` + the table's Ref)."""
        import re

        out: list[Piece] = []
        for segment in re.split(r"([:/])", resource):
            expr = None if segment == own else self.names.get(segment)
            out.append(("text", segment) if expr is None else ("ref", expr))
        return out

    def own_arn_pieces(self) -> list[Piece]:
        """The state machine's own ARN for the trust policy, built from its name (never a
        reference to the state machine, which depends on the role: a circular dependency);
        unknown, every state machine of the account. The account is always the stack's: an
        execution role serves state machines of its own account."""
        if self.state_machine_arn:
            return self.pieces(self.state_machine_arn)
        region: Piece = ("pseudo", "region") if self.region else ("text", "*")
        return _joined([("text", "arn:"), ("pseudo", "partition"), ("text", ":states:"),
                        region, ("text", ":"), ("pseudo", "account"),
                        ("text", ":stateMachine:*")])


def _acyclic(references: Mapping[str, object], own: str | None) -> dict[str, object]:
    """The references without the state machine's own ARN (and its versions and aliases,
    which start with it): the machine depends on its role, so the role may not depend on
    it."""
    out: dict[str, object] = {}
    for key, expr in references.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"references: {key!r} is not a resolved value (a string)")
        if own and (key == own or key.startswith((own + ":", own + "/"))):
            continue
        out[key] = expr
    return out


def _joined(pieces: list[Piece]) -> list[Piece]:
    """Adjacent text pieces joined into one."""
    out: list[Piece] = []
    for kind, value in pieces:
        if kind == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", f"{out[-1][1]}{value}")
        elif kind != "text" or value:
            out.append((kind, value))
    return out
