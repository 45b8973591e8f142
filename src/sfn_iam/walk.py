"""Walk every state of a definition, at any depth, and check the structure on the way.

Iterative (an explicit stack), so a definition nested thousands of levels deep neither
recurses nor blows the stack; each state is visited once. Limits (:data:`MAX_STATES`,
:data:`MAX_PATH_NAMES`) bound the time and memory any input can cost.
"""

from __future__ import annotations

from sfn_iam.errors import DefinitionError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

STATE_TYPES = frozenset({"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})
QUERY_LANGUAGES = frozenset({"JSONPath", "JSONata"})


class StateRef:
    """One state: its path through Parallel branches and Map processors, and its body.

    Read-only by convention. A plain slotted class rather than a frozen dataclass: it is
    made once per state, and start-up does not pay for building the dataclass."""

    __slots__ = ("body", "path", "query_language", "type")

    #: The state's Type ("" for a Map's ItemReader / ResultWriter); the walk has checked it.
    type: str

    def __init__(self, path: tuple[str, ...], body: dict[str, Any], query_language: str,
                 type: str | None = None) -> None:  # the ASL field name
        self.path = path
        self.body = body
        self.query_language = query_language
        self.type = str(body.get("Type", "")) if type is None else type

    def __repr__(self) -> str:
        return f"StateRef({self.path!r}, {self.body!r}, {self.query_language!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StateRef):
            return NotImplemented
        return (self.path, self.body, self.query_language) == (
            other.path, other.body, other.query_language)

    __hash__ = None  # type: ignore[assignment]  # the body is a dict

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def jsonata(self) -> bool:
        return self.query_language == "JSONata"

    @property
    def where(self) -> str:
        return " > ".join(self.path)


#: At most this many states are walked (every state of every branch and Map, each time it
#: is reached): AWS caps a definition at 1 MB, which holds far fewer. It bounds the walk of
#: a shared structure (a dict built in Python, YAML anchors) that would expand without end.
MAX_STATES = 250_000
#: The state paths of all the states may add up to at most this many names. A path is as
#: long as the state is deep, so deep nesting costs time, memory and output in proportion to
#: (depth x states); this bounds that product (5,000 levels nested one in the other fit).
MAX_PATH_NAMES = 25_000_000


def _where(path: tuple[str, ...]) -> str:
    """``state 'A > branch 1 > B'``; a very deep path is shortened in the middle."""
    if len(path) > 12:
        shown = [*path[:4], f"... {len(path) - 8:,} more ...", *path[-4:]]
        return "state '" + " > ".join(shown) + "'"
    return "state '" + " > ".join(path) + "'"


def _fail(what: str, path: tuple[str, ...] | str) -> DefinitionError:
    return DefinitionError(what, path if isinstance(path, str) else _where(path))


def _query_language(body: dict[str, Any], default: str, where: tuple[str, ...] | str) -> str:
    ql = body.get("QueryLanguage", default)
    if not isinstance(ql, str) or ql not in QUERY_LANGUAGES:
        raise _fail(f'"QueryLanguage" must be "JSONPath" or "JSONata", not {_short(ql)}', where)
    return str(ql)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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


def iter_states(
    definition: Any, *, max_states: int = MAX_STATES, max_path_names: int = MAX_PATH_NAMES,
    only: frozenset[str] | None = None, tally: list[int] | None = None,
) -> Iterator[StateRef]:
    """Yield every state in document order, depth first. Raises DefinitionError on bad input.

    The walk keeps one list of names (the current path) and one frame per level, so its
    memory is linear in the depth; each yielded path is a new tuple. A structure that
    contains itself (possible in a dict built in Python) is refused, and so is a walk past
    ``max_states`` states or ``max_path_names`` path names in all.

    ``only``: yield only the states of these types (every state is still walked and
    checked); ``tally``: a list whose first item becomes the number of states walked, when
    the walk ends.
    """
    if not isinstance(definition, dict):
        raise DefinitionError(
            f"the top level must be an object with \"StartAt\" and \"States\", not a "
            f"{type(definition).__name__}"
        )
    top_ql = definition.get("QueryLanguage", "JSONPath")
    if top_ql != "JSONPath" and top_ql != "JSONata":  # noqa: PLR1714  # also for unhashables
        top_ql = _query_language(definition, "JSONPath", "top level")  # raises
    states = definition.get("States")
    if states.__class__ is not dict or not states or not isinstance(
            definition.get("StartAt", ""), str):
        states = _states_of(definition, "top level", "the state machine")  # checks, raises
    names: list[str] = []  # names[:depth] is the prefix of the frame being read
    # a frame: (iterator over its states, depth, id of its States object), or a Parallel's
    # branch not entered yet: (None, depth of the Parallel's path, (index, branch))
    stack: list[tuple[Any, int, Any]] = []
    open_states: set[int] = set()  # the States objects of the enclosing frames
    # [states, path names] counted so far: a frame counts all its states when it is entered
    counted = [0, 0]
    limits = (max_states, max_path_names)
    _enter(stack, open_states, states, names, counted, limits)
    # (StateRef is called by its name: compiled, that is a direct call to its constructor)
    while stack:
        items, depth, key = stack[-1]
        del names[depth:]
        if items is None:  # a Parallel's branch: enter it, and read it now
            stack.pop()
            index, branch = key
            names.append(_BRANCH_NAMES[index] if index < 16 else f"branch {index + 1}")
            states = branch.get("States") if type(branch) is dict else None
            if type(states) is not dict or not states or type(branch.get("StartAt", "")) is not str:
                states = _states_of(branch, tuple(names), "a branch")  # checks, raises
            _enter(stack, open_states, states, names, counted, limits)
            items, depth, key = stack[-1]
        prefix = tuple(names)
        # this frame's states, until one opens a frame of its own; a state's path is made
        # only when it is yielded or wrong
        for name, body in items:
            if type(body) is not dict and not isinstance(body, dict):
                raise _fail(f"a state must be an object, not a {type(body).__name__}",
                            _path(prefix, name))
            stype = body.get("Type")
            if type(stype) is not str or stype not in STATE_TYPES:
                if isinstance(stype, str) and str(stype) in STATE_TYPES:
                    stype = str(stype)  # a str subclass (a dict built in Python)
                elif stype is None:
                    raise _fail('has no "Type" (one of Task, Pass, Choice, Wait, Succeed, Fail, '
                                "Parallel, Map)", _path(prefix, name))
                else:
                    raise _fail(
                        f'"Type" is {_short(stype)}; expected one of Task, Pass, Choice, Wait, '
                        "Succeed, Fail, Parallel, Map",
                        _path(prefix, name),
                    )
            ql = body.get("QueryLanguage")
            if ql is None:
                ql = top_ql
            elif type(ql) is not str or ql not in QUERY_LANGUAGES:
                _query_language(body, top_ql, _path(prefix, name))  # raises
            if stype == "Task":
                # the usual Task, checked inline; anything unusual gets the full check
                resource = body.get("Resource")
                block = body.get("Arguments" if ql == "JSONata" else "Parameters")
                if (type(resource) is not str or not resource.strip()
                        or (block is not None and type(block) is not dict)):
                    _check_task(StateRef(_path(prefix, name), body, ql, stype))
            if only is None or stype in only:
                # concatenation, not (*prefix, name): about 40 ns less per state
                yield StateRef(prefix + (name if type(name) is str else str(name),),  # noqa: RUF005
                                body, ql, stype)
            if stype == "Parallel":
                branches = body.get("Branches")
                if not isinstance(branches, list) or not branches:
                    raise _fail('a Parallel state needs "Branches", a non-empty list',
                                _path(prefix, name))
                names.append(name if type(name) is str else str(name))
                # the branches in reverse, so that the first is read first
                stack.extend((None, depth + 1, (i, branches[i]))
                             for i in range(len(branches) - 1, -1, -1))
                break
            if stype == "Map":
                proc = body.get("ItemProcessor", body.get("Iterator"))
                path = _path(prefix, name)
                if proc is None:
                    raise _fail('a Map state needs "ItemProcessor" (or the older "Iterator")', path)
                names.append(path[-1])
                _enter(stack, open_states, _states_of(proc, path, '"ItemProcessor"'), names,
                       counted, limits)
                break
        else:
            stack.pop()
            open_states.discard(key)
    if tally is not None:
        tally[0] = counted[0]


_BRANCH_NAMES = tuple(f"branch {i + 1}" for i in range(16))


def _path(prefix: tuple[str, ...], name: Any) -> tuple[str, ...]:
    return (*prefix, name if type(name) is str else str(name))


def _enter(stack: list[tuple[Any, int, Any]], open_states: set[int],
           states: dict[str, Any], names: list[str], counted: list[int],
           limits: tuple[int, int]) -> None:
    """Push the frame that reads ``states``, whose prefix is ``names``, counting its states
    (and the names of their paths) against the limits."""
    key = id(states)
    if key in open_states:
        raise _fail("contains itself: these States are those of an enclosing branch or Map "
                    "(a recursive structure is not a definition)", tuple(names))
    counted[0] += len(states)
    counted[1] += len(states) * (len(names) + 1)
    if counted[0] > limits[0]:
        raise DefinitionError(
            f"has more than {limits[0]:,} states (every state of every branch and "
            "Map, each time it is reached): refused")
    if counted[1] > limits[1]:
        raise _fail(
            f"the states are nested too deeply: their paths add up to more than "
            f"{limits[1]:,} names (about 5,000 levels of Parallel or Map nested in "
            "one another): refused", tuple(names) or "top level")
    open_states.add(key)
    stack.append((iter(states.items()), len(names), key))


def _check_task(ref: StateRef) -> None:
    body = ref.body
    resource = body.get("Resource")
    if not isinstance(resource, str) or not resource.strip():
        if isinstance(resource, dict) and any(str(k).startswith(("Fn::", "Ref")) for k in resource):
            raise _fail(f'"Resource" is a CloudFormation function ({_short(resource)}), which '
                        "sfn-iam does not evaluate: give the ARN, or a ${Name} placeholder and "
                        "--substitute Name=ARN", ref.path)
        what = "has no" if resource is None else "has a non-string"
        raise _fail(
            f'a Task state {what} "Resource" (e.g. "arn:aws:states:::lambda:invoke")', ref.path
        )
    field = "Arguments" if ref.jsonata else "Parameters"
    block = body.get(field)
    expression = ref.jsonata and isinstance(block, str)
    if block is not None and not isinstance(block, dict) and not expression:
        raise _fail(f'"{field}" must be an object, not a {type(block).__name__}', ref.path)
