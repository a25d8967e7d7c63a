"""What every event and command of the domain shares.

Every event records a fact with three dates and a who:

- ``occurred_on`` — the day it happened in the young person's life or the case (a ``date``);
- ``timestamp`` — when it was recorded, from the application's injectable clock; exposed as
  :attr:`CaseEvent.recorded_at`;
- ``recorded_by`` — the caseworker, team or system id that recorded it. An id, never a name:
  lower-case letters, digits and ``.:_-`` only (see :data:`ID_PATTERN`).

Commands check their arguments and invariants *before* an event is triggered, so the event's
``apply`` only assigns (eventsourcing's "decide, then record").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,63}$")
"""Ids of caseworkers, teams, systems, offers, admissions and reports: never a person's name."""

CPR_LIKE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
"""Ten digits, optionally DDMMYY-SSSS: never accepted in an id, never echoed in an error."""

MUNICIPALITY_CODE = re.compile(r"^[0-9]{3}$")
"""Danish municipality code (kommunekode), three digits, e.g. ``101`` for København."""

INSTITUTION_ID = re.compile(r"^[0-9]{6}$")
"""Institution number (institutionsnummer), six digits."""

EDUCATION_CODE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
"""An education's code (e.g. a UDDANNELSE code); a code, never a description."""


class CaseEvent(Aggregate.Event):
    """Base of every event: when it happened, and who recorded it."""

    occurred_on: date
    recorded_by: str

    @property
    def recorded_at(self) -> datetime:
        """When the event was recorded (the application clock's time at the command)."""
        return self.timestamp


E = TypeVar("E", bound=Enum)


def check_id(command: str, field: str, value: object) -> str:
    """Return ``value`` if it is a valid id, else raise :class:`InvalidCommandError`."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise InvalidCommandError(
            command, field, "an id of lower-case letters, digits and .:_- (never a name)", value
        )
    if CPR_LIKE.fullmatch(value):  # the log reader refuses such a value in any field
        raise InvalidCommandError(command, field, "an id that is not a CPR number", value)
    return value


def check_actor_id(command: str, field: str, value: object) -> str:
    """:func:`check_id` for the id of a person or team (``recorded_by``, a caseworker, a
    contact): also refused when it holds a run of exactly ten digits, which looks like a CPR
    number. (Report and message ids may be long numbers and are not checked for this.)"""
    check_id(command, field, value)
    assert isinstance(value, str)
    if CPR_LIKE.search(value):
        raise InvalidCommandError(
            command, field, "an id with no run of ten digits (it looks like a CPR number)",
            value)
    return value


def check_pattern(command: str, field: str, value: object, pattern: re.Pattern[str],
                  what: str) -> str:
    """Return ``value`` if it is a string matching ``pattern``."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidCommandError(command, field, what, value)
    if CPR_LIKE.fullmatch(value):  # the log reader refuses such a value in any field
        raise InvalidCommandError(command, field, f"{what}, not a CPR number", value)
    return value


def check_date(command: str, field: str, value: object) -> date:
    """Return ``value`` if it is a ``datetime.date`` (and not a ``datetime``)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidCommandError(command, field, "a datetime.date", value)
    return value


def check_optional_date(command: str, field: str, value: object) -> date | None:
    """Return ``value`` if it is ``None`` or a ``datetime.date``."""
    if value is None:
        return None
    return check_date(command, field, value)


def check_bool(command: str, field: str, value: object) -> bool:
    """Return ``value`` if it is a ``bool`` (not merely truthy)."""
    if not isinstance(value, bool):
        raise InvalidCommandError(command, field, "True or False", value)
    return value


def check_enum(command: str, field: str, value: object, enum: type[E]) -> E:
    """Return ``value`` if it is a member of ``enum``."""
    if not isinstance(value, enum):
        options = ", ".join(f"{enum.__name__}.{m.name}" for m in enum)
        raise InvalidCommandError(command, field, f"one of {options}", value)
    return value


def check_uuid(command: str, field: str, value: object) -> UUID:
    """Return ``value`` if it is a ``uuid.UUID``."""
    if not isinstance(value, UUID):
        raise InvalidCommandError(command, field, "a uuid.UUID", value)
    return value


def check_not_in_future(command: str, occurred_on: date, recorded_at: datetime,
                        field: str = "occurred_on") -> None:
    """Refuse a fact dated after the day it is recorded: nothing is recorded before it happens.

    ``field`` names the date checked in the error (``received_on`` for a message's arrival)."""
    if occurred_on > recorded_at.date():
        raise InvalidCommandError(
            command,
            field,
            f"on or before the day it is recorded ({recorded_at.date().isoformat()})",
            occurred_on,
        )


def check_not_before(command: str, occurred_on: date, earlier_event: str, earlier_on: date,
                     what: str, case_id: Any) -> None:
    """Refuse a fact dated before the fact it depends on."""
    if occurred_on < earlier_on:
        raise EventOutOfOrderError(
            f"{command} on {occurred_on.isoformat()} before {earlier_event} on "
            f"{earlier_on.isoformat()} for {what} {case_id}"
        )
