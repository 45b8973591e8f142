"""Walk every state of a definition, at any depth, and check the structure on the way.

Iterative (an explicit stack), so a definition nested thousands of levels deep neither
recurses nor blows the stack; each state is visited once, so the walk is linear.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sfn_iam.errors import DefinitionError

STATE_TYPES = frozenset({"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})
QUERY_LANGUAGES = frozenset({"JSONPath", "JSONata"})


@dataclass(frozen=True, slots=True)
class StateRef:
    """One state: its path through Parallel branches and Map processors, and its body."""

    path: tuple[str, ...]
    body: dict[str, Any]
    query_language: str

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def type(self) -> str:
        """The state's Type ("" for a Map's ItemReader / ResultWriter)."""
        return str(self.body.get("Type", ""))

    @property
    def jsonata(self) -> bool:
        return self.query_language == "JSONata"

    @property
    def where(self) -> str:
        return " > ".join(self.path)


def _fail(what: str, path: tuple[str, ...] | str) -> DefinitionError:
    where = path if isinstance(path, str) else "state '" + " > ".join(path) + "'"
    return DefinitionError(what, where)


def _query_language(body: dict[str, Any], default: str, where: tuple[str, ...] | str) -> str:
    ql = body.get("QueryLanguage", default)
    if not isinstance(ql, str) or ql not in QUERY_LANGUAGES:
        raise _fail(f'"QueryLanguage" must be "JSONPath" or "JSONata", not {ql!r}', where)
    return str(ql)


def _states_of(container: Any, where: tuple[str, ...] | str, what: str) -> dict[str, Any]:
    if not isinstance(container, dict):
        raise _fail(f"{what} must be an object with \"StartAt\" and \"States\"", where)
    states = container.get("States")
    if not isinstance(states, dict) or not states:
        kind = "missing" if states is None else f"a {type(states).__name__}"
        raise _fail(
            f'{what} needs "States", an object of named states (it is {kind})', where
        )
    start = container.get("StartAt")
    if start is not None and not isinstance(start, str):
        raise _fail(f'{what}: "StartAt" must be a state name (a string)', where)
    return states


def iter_states(definition: Any) -> Iterator[StateRef]:
    """Yield every state in document order, depth first. Raises DefinitionError on bad input."""
    if not isinstance(definition, dict):
        raise DefinitionError(
            f"the top level must be an object with \"StartAt\" and \"States\", not a "
            f"{type(definition).__name__}"
        )
    top_ql = _query_language(definition, "JSONPath", "top level")
    states = _states_of(definition, "top level", "the state machine")
    stack: list[tuple[Iterator[tuple[Any, Any]], tuple[str, ...]]] = [(iter(states.items()), ())]
    while stack:
        items, prefix = stack[-1]
        entry = next(items, None)
        if entry is None:
            stack.pop()
            continue
        name, body = entry
        path = (*prefix, str(name))
        if not isinstance(body, dict):
            raise _fail(f"a state must be an object, not a {type(body).__name__}", path)
        stype = body.get("Type")
        if stype is None:
            raise _fail('has no "Type" (one of Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map)', path)
        if not isinstance(stype, str) or stype not in STATE_TYPES:
            raise _fail(
                f'"Type" is {stype!r}; expected one of Task, Pass, Choice, Wait, Succeed, Fail, '
                "Parallel, Map",
                path,
            )
        ref = StateRef(path, body, _query_language(body, top_ql, path))
        if stype == "Task":
            _check_task(ref)
        yield ref
        if stype == "Parallel":
            branches = body.get("Branches")
            if not isinstance(branches, list) or not branches:
                raise _fail('a Parallel state needs "Branches", a non-empty list', path)
            for i in range(len(branches) - 1, -1, -1):
                bpath = (*path, f"branch {i + 1}")
                stack.append((iter(_states_of(branches[i], bpath, "a branch").items()), bpath))
        elif stype == "Map":
            proc = body.get("ItemProcessor", body.get("Iterator"))
            if proc is None:
                raise _fail('a Map state needs "ItemProcessor" (or the older "Iterator")', path)
            stack.append((iter(_states_of(proc, path, '"ItemProcessor"').items()), path))


def _check_task(ref: StateRef) -> None:
    body = ref.body
    resource = body.get("Resource")
    if not isinstance(resource, str) or not resource.strip():
        what = "has no" if resource is None else "has a non-string"
        raise _fail(
            f'a Task state {what} "Resource" (e.g. "arn:aws:states:::lambda:invoke")', ref.path
        )
    field = "Arguments" if ref.jsonata else "Parameters"
    block = body.get(field)
    expression = ref.jsonata and isinstance(block, str)
    if block is not None and not isinstance(block, dict) and not expression:
        raise _fail(f'"{field}" must be an object, not a {type(block).__name__}', ref.path)
