"""Writers: the execution role where users deploy it (CloudFormation, SAM, Terraform).
Imported only by ``--format cfn|sam|terraform`` and the library calls."""

from __future__ import annotations

from sfn_iam.render.cloudformation import dumps, to_cloudformation, to_sam
from sfn_iam.render.terraform import to_terraform

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping

    from sfn_iam.generate import GenerateResult

__all__ = ["dumps", "managed_policy_count", "render", "to_cloudformation", "to_sam",
           "to_terraform"]


def managed_policy_count(result: GenerateResult) -> int:
    """How many managed policies the writers attach (0: the policy is inline)."""
    from sfn_iam.render.cloudformation import _parts

    parts = _parts(result)
    return 0 if parts is None else len(parts)


def render(result: GenerateResult, fmt: str, *, region: str | None = None,
           account: str | None = None, partition: str | None = None,
           state_machine_arn: str | None = None,
           references: Mapping[str, object] | None = None, json_template: bool = False,
           label: str | None = None) -> str:
    """The text of ``--format fmt`` (cfn, sam, terraform). ``json_template``: CloudFormation
    and SAM as JSON (a JSON input template) instead of YAML. ``label``: the role's logical
    id (cfn), the managed policies' prefix (sam) or the blocks' label (terraform) instead of
    the writer's default."""
    deploy = {"region": region, "account": account, "partition": partition,
              "state_machine_arn": state_machine_arn, "references": references}
    named = {} if label is None else {"name" if fmt == "terraform" else "logical_id": label}
    if fmt == "terraform":
        return to_terraform(result, **deploy, **named)  # type: ignore[arg-type]
    if fmt == "cfn":
        template = to_cloudformation(result, **deploy, **named)  # type: ignore[arg-type]
    elif fmt == "sam":
        template = to_sam(result, **deploy, **named)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown format {fmt!r}: cfn, sam or terraform")
    return dumps(template, "json" if json_template else "yaml")
