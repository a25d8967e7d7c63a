"""Domain errors: small named classes whose messages say what is wrong and where."""

from __future__ import annotations

import re

_CPR_LIKE = re.compile(r"\d{6}-?\d{4}")


def _shown(value: object) -> str:
    """The rejected value for an error message, with anything that looks like a CPR number
    redacted: a CPR typed into the wrong field must not travel on in an error or a log."""
    text = repr(value)
    return _CPR_LIKE.sub("<redacted: looks like a CPR number>", text)


class DomainError(Exception):
    """Base class of every error the domain raises on a refused command."""


class InvalidCommandError(DomainError, ValueError):
    """Raised when a command's argument is missing, of the wrong type or out of range.

    The message names the command, the field, what was expected and what arrived.
    """

    def __init__(self, command: str, field: str, expected: str, got: object) -> None:
        self.command = command
        self.field = field
        super().__init__(
            f"{command}: field '{field}' must be {expected}, got {_shown(got)}"
        )


class EventOutOfOrderError(DomainError):
    """Raised when a fact is recorded before the fact it depends on.

    For example ``EducationStarted before Admitted for order <id>``.
    """


class OrderClosedError(DomainError):
    """Raised when a command is given to an education order that has ended."""


class CaseClosedError(DomainError):
    """Raised when a command is given to a retention case that has been closed."""


class UnknownCaseError(DomainError, LookupError):
    """Raised when a command names a young person, order or retention case that does not exist."""

    def __init__(self, kind: str, case_id: object, command: str) -> None:
        self.kind = kind
        self.case_id = case_id
        super().__init__(f"{command}: no {kind} with id {case_id}")
