"""Injectable clocks: the application asks its clock when an event is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

Clock = Callable[[], datetime]
"""A function returning the current time, timezone-aware."""


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(tz=UTC)


class SettableClock:
    """A clock a simulation, migration or test moves by hand.

    ``SettableClock(day)`` reads 09:00 UTC on ``day`` until it is set again.
    """

    def __init__(self, start: date | datetime) -> None:
        self._now = self._coerce(start)

    @staticmethod
    def _coerce(value: date | datetime) -> datetime:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"SettableClock needs a timezone-aware datetime, got {value!r}")
            return value.astimezone(UTC)
        return datetime.combine(value, time(9, 0), tzinfo=UTC)

    def set(self, value: date | datetime) -> None:
        """Move the clock to ``value`` (a date reads as 09:00 UTC that day)."""
        self._now = self._coerce(value)

    def __call__(self) -> datetime:
        return self._now
