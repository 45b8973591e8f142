"""Distributed Map: the child workflow executions a Map Run starts, and the S3 reader and
writer that feed it (CURRENT-DOCS §4; iam-policies-eg-dist-map.html). The children run with
the parent's execution role, so the walker also descends into ``ItemProcessor`` as usual."""

from __future__ import annotations

from sfn_iam.arn import Env
from sfn_iam.errors import DefinitionError
from sfn_iam.model import Grant, Provenance
from sfn_iam.rules import DOC_BASE, escape
from sfn_iam.walk import StateRef

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

DOC = DOC_BASE + "iam-policies-eg-dist-map.html"


def is_distributed(body: dict[str, Any]) -> bool:
    proc = body.get("ItemProcessor")
    config = proc.get("ProcessorConfig") if isinstance(proc, dict) else None
    return isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"


def child_grants(ref: StateRef, env: Env) -> list[Grant]:
    """``states:StartExecution`` on the machine itself; Describe/Stop/Redrive on the child
    executions. A child execution's ARN is ``execution:PARENT/MAP_RUN_LABEL:CHILD_ID``
    (``express:...`` for Express children), so ``execution:PARENT:*`` (the documented form)
    does not match it: IAM's ``*`` crosses ``/`` but the documented form needs ``:`` right
    after the name. Both forms are granted."""
    if not is_distributed(ref.body):
        return []
    machine, name = env.state_machine(env.partition_or("aws"))
    base = machine.rsplit(":stateMachine:", 1)[0]
    label = ref.body.get("Label")
    run = escape(label) if isinstance(label, str) and label else "*"

    def why(note: str) -> Provenance:
        return Provenance(ref.path, "map:distributed", "ItemProcessor.ProcessorConfig", DOC, note)

    children = (f"{base}:execution:{name}:*", f"{base}:execution:{name}/*")
    return [
        Grant(("states:StartExecution",), (machine,), why("the Map Run starts child executions")),
        Grant(("states:DescribeExecution", "states:StopExecution"), children,
              why("the Map Run watches and stops its child executions")),
        Grant(("states:RedriveExecution",), (f"{base}:execution:{name}/{run}:*",),
              why("redriving the parent redrives the Map Run's failed children")),
    ]


def reader_writer(ref: StateRef) -> Iterator[StateRef]:
    """The ``ItemReader`` and ``ResultWriter`` of a Map state, as Task-like states named
    ``Map > ItemReader`` / ``Map > ResultWriter`` for the catalogue's ``s3`` rules."""
    for field in ("ItemReader", "ResultWriter"):
        block = ref.body.get(field)
        if block is None:
            continue
        path = (*ref.path, field)
        if not isinstance(block, dict):
            raise DefinitionError(f'"{field}" must be an object', "state '" + " > ".join(path) + "'")
        resource = block.get("Resource")
        if resource is None and field == "ResultWriter":
            continue  # WriterConfig alone: results are transformed, nothing is written to S3
        if not isinstance(resource, str) or not resource.strip():
            raise DefinitionError(
                f'"{field}" needs "Resource" (e.g. "arn:aws:states:::s3:'
                f'{"getObject" if field == "ItemReader" else "putObject"}")',
                "state '" + " > ".join(path) + "'")
        yield StateRef(path, block, ref.query_language)
