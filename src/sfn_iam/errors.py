"""Errors for input that cannot be used. Everything else is a Finding (see findings.py)."""

from __future__ import annotations


class SfnIamError(Exception):
    """Base class: the input or the invocation cannot be used (CLI exit 2)."""


class DefinitionError(SfnIamError):
    """The definition is not a usable Amazon States Language document.

    ``where`` is the state path (``"Fan > branch 2 > Q"``) or a field location, ``what``
    says what is wrong and what to do about it.
    """

    def __init__(self, what: str, where: str | None = None, source: str | None = None) -> None:
        self.what = what
        self.where = where
        self.source = source
        super().__init__(self.__str__())

    def with_source(self, source: str) -> DefinitionError:
        return DefinitionError(self.what, self.where, source)

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.where) if p]
        return ": ".join([*parts, self.what])


class UsageError(SfnIamError):
    """A command-line option or library argument is wrong."""
