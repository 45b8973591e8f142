"""sfn-iam: least-privilege IAM policies for AWS Step Functions state machines.

The public API is imported lazily (PEP 562) so that ``import sfn_iam`` and the CLI's
start-up stay cheap; the catalogue and YAML are loaded only when a definition needs them.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["DefinitionError", "GenerateResult", "StateMachine", "__version__", "generate_policy",
           "generate_state_machine", "load_state_machines", "to_cloudformation", "to_sam",
           "to_terraform"]

#: ``typing.TYPE_CHECKING`` without importing typing (mypy treats any ``TYPE_CHECKING`` as true)
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from sfn_iam.errors import DefinitionError
    from sfn_iam.generate import GenerateResult, generate_policy
    from sfn_iam.render import to_cloudformation, to_sam, to_terraform
    from sfn_iam.sources import StateMachine, generate_state_machine, load_state_machines


def __getattr__(name: str) -> Any:
    if name in ("generate_policy", "GenerateResult"):
        from sfn_iam import generate

        return getattr(generate, name)
    if name in ("load_state_machines", "generate_state_machine", "StateMachine"):
        from sfn_iam import sources  # templates: imported only when asked for

        return getattr(sources, name)
    if name in ("to_cloudformation", "to_sam", "to_terraform"):  # the writers (issue 13)
        from sfn_iam import render

        return getattr(render, name)
    if name == "DefinitionError":
        from sfn_iam.errors import DefinitionError

        return DefinitionError
    raise AttributeError(f"module 'sfn_iam' has no attribute {name!r}")
