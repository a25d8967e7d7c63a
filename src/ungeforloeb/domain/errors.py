"""Domain errors: small named classes whose messages say what is wrong and where."""

from __future__ import annotations

from uuid import UUID

from ungeforloeb.domain.redact import scrub, shown


class DomainError(Exception):
    """Base class of every error the domain raises on a refused command.

    Its text goes through :func:`~ungeforloeb.domain.redact.scrub`: whatever a subclass puts in
    its message, nothing shaped like a CPR number is kept."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))


class InvalidCommandError(DomainError, ValueError):
    """Raised when a command's argument is missing, of the wrong type or out of range.

    The message names the command, the field, what was expected and what arrived.
    """

    def __init__(self, command: str, field: str, expected: str, got: object) -> None:
        self.command = command
        self.field = field
        super().__init__(
            f"{command}: field '{field}' must be {expected}, got {shown(got, field)}"
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
        text = str(case_id) if isinstance(case_id, UUID) else shown(case_id)
        super().__init__(f"{command}: no {kind} with id {text}")


class PersonalDataErasedError(EventOutOfOrderError):
    """Raised when a command is given to an education order or a retention case (or would open
    one) of a young person whose personal data was erased: nothing more is recorded about them.

    The message names the command, the order or case and its id, the young person, and why."""

    def __init__(self, command: str, kind: str, case_id: UUID, young_person_id: UUID,
                 erased_on: object = None) -> None:
        self.command = command
        self.kind = kind
        self.case_id = case_id
        self.young_person_id = young_person_id
        on = f" on {erased_on.isoformat()}" if hasattr(erased_on, "isoformat") else ""
        whose = "" if case_id == young_person_id else \
            f"{kind} {case_id} belongs to young person {young_person_id}, whose "
        subject = whose or f"the {kind} {case_id}'s "
        super().__init__(f"{command}: {subject}personal data was erased{on}; nothing more is "
                         "recorded about them")
