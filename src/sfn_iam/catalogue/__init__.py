"""The integration catalogue: one module per service, named by the service segment of the
Task Resource (``arn:aws:states:::<service>:<api>``), loaded only when a Task uses it.

The registry is the file name: ``emr-containers`` -> ``sfn_iam.catalogue.emr_containers``,
``lambda`` -> ``sfn_iam.catalogue.lambda_``. Nothing is scanned or imported up front.
"""

from __future__ import annotations

import keyword
import sys
from functools import cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import re
    from types import ModuleType

    from sfn_iam.params import Value
    from sfn_iam.task import Task

_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz")
_REST = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _is_service(service: str) -> bool:
    """``^[a-z][a-z0-9-]{0,62}$`` without compiling a regex at every start (the ``$`` of
    ``re.match`` also took a trailing newline, which names no module either)."""
    return (0 < len(service) <= 63 and service[0] in _FIRST
            and all(c in _REST for c in service[1:]))


def module_name(service: str) -> str:
    name = service.replace("-", "_")
    return f"{name}_" if keyword.iskeyword(name) else name


@cache
def service_module(service: str) -> ModuleType | None:
    """The catalogue module of ``service``, or None when there is none."""
    if not _is_service(service):
        return None
    dotted = f"{__name__}.{module_name(service)}"
    # not importlib.util.find_spec + import_module: importlib.util (and contextlib) cost
    # start-up; a missing module is told apart from a module that fails to import
    try:
        __import__(dotted)
    except ModuleNotFoundError as exc:
        if exc.name == dotted:
            return None
        raise
    return sys.modules[dotted]


def known_services() -> list[str]:
    """Every service the catalogue covers (for docs and tests; reads the package folder)."""
    from importlib.resources import files

    names = []
    for entry in files(__name__).iterdir():
        stem = entry.name.removesuffix(".py")
        # aws_sdk.py is the AWS SDK table's entry, not an optimized integration's rules
        if entry.name.endswith(".py") and not stem.startswith("_") and stem != "aws_sdk":
            names.append(stem.rstrip("_").replace("_", "-"))
    return sorted(names)


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled on first use: importing a catalogue module
    compiles no regex, and a run pays only for the patterns it matches. (A plain class whose
    methods read the compiled pattern from an attribute: the catalogue modules are compiled
    with mypyc, whose classes cannot have their methods replaced on the instance.)"""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        c = self._compiled
        if c is None:
            import re

            c = self._compiled = re.compile(self.pattern, self.flags)
        return c

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        c = self._compiled
        if c is None:
            c = self.compiled()
        return c.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0,
                  endpos: int = sys.maxsize) -> re.Match[str] | None:
        c = self._compiled
        if c is None:
            c = self.compiled()
        return c.fullmatch(string, pos, endpos)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        c = self._compiled
        if c is None:
            c = self.compiled()
        return c.search(string, pos, endpos)

    def sub(self, repl: str, string: str, count: int = 0) -> str:
        c = self._compiled
        if c is None:
            c = self.compiled()
        return c.sub(repl, string, count)


def memo_value(t: Task, *path: str | int) -> Value:
    """``t.value(*path)``, read once per Task however many resolvers ask for it (the memo
    lives on the Task: nothing is shared between Tasks, runs or threads)."""
    memo = t.memo
    if memo is None:
        memo = t.memo = {}
    v = memo.get(path)
    if v is None:
        v = memo[path] = t.at(path)
    return v
