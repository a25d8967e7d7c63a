"""Errors of the interchange log: one small class per way a log can be wrong.

Every :class:`LogError` names where (the 1-based line number), what (the event type and the
field, when known), what was expected and what arrived, e.g.::

    line 7 (ConversationHeld), field 'payload.topics': expected a list of codes from
    education, job, got ['politics']

The reader raises the first error it meets, so a message always points at the first bad line.
"""

from __future__ import annotations

from typing import Any

from ungeforloeb.domain.redact import scrub, shown

_MISSING: Any = object()


class InterchangeError(Exception):
    """Base of every error the interchange commands raise on bad input or a refused store.

    Its text is scrubbed (:func:`~ungeforloeb.domain.redact.scrub`): a CPR number in a log line
    never comes back in the message."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))


class LogError(InterchangeError):
    """Raised when an interchange log is not valid.

    ``line`` is the 1-based line number (``None`` for the file as a whole), ``event_type`` and
    ``field`` name the event and field when known; ``expected`` says what was expected.
    """

    def __init__(self, line: int | None, problem: str = "", *, event_type: str | None = None,
                 field: str | None = None, expected: str | None = None,
                 got: object = _MISSING) -> None:
        self.line = line
        self.event_type = event_type
        self.field = field
        self.expected = expected
        where = f"line {line}" if line is not None else "log"
        if event_type:
            where += f" ({event_type})"
        if field:
            where += f", field '{field}'"
        parts = [problem] if problem else []
        if expected is not None:
            parts.append(f"expected {expected}")
        if got is not _MISSING:
            parts.append(f"got {shown(got, field, limit=80)}")
        super().__init__(f"{where}: " + ", ".join(parts))


class MalformedJsonError(LogError):
    """Raised when a line is not one JSON object in UTF-8 ending with a line feed."""


class NonCanonicalLineError(LogError):
    """Raised when a line parses but is not written in its canonical form (sorted keys, no
    spaces; see docs/interchange.md)."""


class MissingFieldError(LogError):
    """Raised when a line or payload lacks a required field."""


class UnknownFieldError(LogError):
    """Raised when a line or payload has a field the format does not define."""


class InvalidValueError(LogError):
    """Raised when a field's value has the wrong type, pattern or code."""


class InvalidDateError(InvalidValueError):
    """Raised when a date or date-time does not parse or is not in its canonical ISO 8601 form."""


class UnknownEventTypeError(LogError):
    """Raised when an event line names an event type the catalogue does not know."""


class UnknownSchemaVersionError(LogError):
    """Raised when an event line names a schema version this library cannot read."""


class UnsupportedFormatError(LogError):
    """Raised when the header names another format or a format version this library cannot read.
    """


class SequenceError(LogError):
    """Raised when the global sequence numbers are not 1, 2, 3… in line order."""


class StreamVersionError(LogError):
    """Raised when a stream's versions have a gap or a duplicate, or a stream does not start
    with its creating event."""


class UnknownReferenceError(LogError):
    """Raised when an event names a young person (or order) that no earlier line created."""


class HashChainError(LogError):
    """Raised at the first line whose hash does not chain to the line before."""


class TrailerError(LogError):
    """Raised when the trailer's event count or final hash disagrees with the lines."""


class TruncatedLogError(LogError):
    """Raised when the log ends without a trailer, or is empty."""


class DigestMismatchError(LogError):
    """Raised by ``verify --recompute`` when the re-derived verdict digest differs from the
    trailer's."""


class StoreNotEmptyError(InterchangeError):
    """Raised when a log is imported into a store that already holds events."""


class ExportError(InterchangeError):
    """Raised when a store cannot be exported as one log (e.g. two municipality codes)."""


class CheckpointError(LogError):
    """Raised when a log's checkpoint cannot be read, or names another tree (size, Merkle root,
    trailer) than the log's: the events are not those that were exported."""


class SignatureError(CheckpointError):
    """Raised when a checkpoint bears no valid signature of the key given (``verify --key``)."""


class RootMismatchError(CheckpointError):
    """Raised when a log's Merkle root differs from the one the auditor recorded at export
    (``verify --expect-root``)."""


class KeyFileError(InterchangeError):
    """Raised when a signing or verifier key file cannot be read as a key."""


class ProofError(InterchangeError):
    """Raised when a proof file cannot be read, or does not prove what it claims."""


class PackError(InterchangeError):
    """Raised when an auditor's pack is incomplete, its manifest does not match its files, or
    its regime files are not those the log names."""


class PackDifference(InterchangeError):
    """Raised by ``audit PACK`` when the re-derived verdicts differ from the pack's: names the
    first difference (case, rule, subject, verdict)."""
