"""Dates as the law counts them: calendar days, weeks, months and Danish working days.

Every clock names its unit (:class:`Unit`); the audit never said which it used (003, whole text),
so the rule data must.

- **Months** are counted with :class:`dateutil.relativedelta.relativedelta`: 31 January + 1 month
  is 28 February (29 in a leap year), never 3 March.
- **Working days** (*arbejdsdage*) are Monday–Friday that are not Danish public holidays
  (``holidays.Denmark``: New Year, Maundy Thursday, Good Friday, Easter Sunday and Monday, Store
  Bededag until 2023, Ascension, Whit Sunday and Monday, 25–26 December) and not one of the
  municipality's optional days off (:data:`OPTIONAL_DAYS_OFF`: Grundlovsdag, 24 December,
  31 December, 1 May), which are days off under many agreements but not by law.
- A clock of length *n* started on day *s* falls due on the *n*-th unit after *s* (the start day
  itself is not counted): first contact on Monday 6 May + 1 week is due Monday 13 May; + 5
  working days from Friday 3 May 2024 is Monday 13 May (9 May is Ascension Day).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache

import attrs
import holidays


class Unit(Enum):
    """The unit a clock counts in."""

    CALENDAR_DAYS = "calendar_days"
    WEEKS = "weeks"
    MONTHS = "months"
    WORKING_DAYS = "working_days"


OPTIONAL_DAYS_OFF: Mapping[str, tuple[int, int]] = {
    "grundlovsdag": (6, 5),
    "christmas_eve": (12, 24),
    "new_years_eve": (12, 31),
    "may_day": (5, 1),
}
"""Days off under many agreements but not public holidays: name → (month, day)."""


class CalendarError(ValueError):
    """Raised when a calendar is configured with an unknown optional day off."""


def add_months(day: date, months: int) -> date:
    """``day`` plus (or minus) whole months, the day clamped to the month's last (31 January + 1
    month is 28 or 29 February): what :class:`dateutil.relativedelta.relativedelta` gives, without
    building one per call."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    last = monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=day.day if day.day <= last else last)


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[date]:
    found: dict[date, str] = holidays.country_holidays("DK", years=year)
    return frozenset(found)


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _check_days_off(_: object, __: object, value: frozenset[str]) -> None:
    unknown = sorted(set(value) - set(OPTIONAL_DAYS_OFF))
    if unknown:
        raise CalendarError(
            f"unknown optional day(s) off {unknown}; expected some of {sorted(OPTIONAL_DAYS_OFF)}"
        )


@attrs.frozen
class Calendar:
    """A working-day calendar: Danish public holidays plus the optional days off chosen."""

    days_off: frozenset[str] = attrs.field(default=frozenset(), converter=_names,
                                           validator=_check_days_off)

    @classmethod
    def with_days_off(cls, names: Iterable[str]) -> Calendar:
        """A calendar with the named optional days off (see :data:`OPTIONAL_DAYS_OFF`)."""
        return cls(frozenset(names))

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a public holiday or one of this calendar's days off."""
        if day in _public_holidays(day.year):
            return True
        return any(OPTIONAL_DAYS_OFF[n] == (day.month, day.day) for n in self.days_off)

    def is_working_day(self, day: date) -> bool:
        """Monday–Friday and not a holiday or day off."""
        return day.weekday() < 5 and not self.is_holiday(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted); ``n`` = 0
        gives ``start``."""
        if n < 0:
            raise ValueError(f"working days must be 0 or more, got {n}")
        day = start
        left = n
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def add(self, start: date, length: int, unit: Unit) -> date:
        """The day a clock of ``length`` ``unit`` started on ``start`` falls due."""
        if unit is Unit.CALENDAR_DAYS:
            return start + timedelta(days=length)
        if unit is Unit.WEEKS:
            return start + timedelta(weeks=length)
        if unit is Unit.MONTHS:
            return add_months(start, length)
        return _add_working_days(self, start, length)


@lru_cache(maxsize=65536)
def _add_working_days(calendar: Calendar, start: date, n: int) -> date:
    return calendar.add_working_days(start, n)


@attrs.frozen
class Calendars:
    """The calendar of each municipality (by three-digit code), with a default."""

    default: Calendar = Calendar()
    by_municipality: Mapping[str, Calendar] = attrs.field(factory=dict)

    def for_municipality(self, code: str | None) -> Calendar:
        """The municipality's calendar, or the default when it has none configured."""
        if code is None:
            return self.default
        return self.by_municipality.get(code, self.default)


DEFAULT_CALENDAR = Calendar()
"""Public holidays only: no optional days off."""


def describe(length: int, unit: Unit) -> str:
    """A clock in words, e.g. ``"1 week"`` or ``"5 working days"``."""
    word = {
        Unit.CALENDAR_DAYS: ("calendar day", "calendar days"),
        Unit.WEEKS: ("week", "weeks"),
        Unit.MONTHS: ("month", "months"),
        Unit.WORKING_DAYS: ("working day", "working days"),
    }[unit]
    return f"{length} {word[0] if length == 1 else word[1]}"


def subtract(end: date, length: int, unit: Unit) -> date:
    """The start of a look-back window of ``length`` ``unit`` ending on ``end`` (calendar units
    only: a window is measured in calendar time)."""
    if unit is Unit.CALENDAR_DAYS:
        return end - timedelta(days=length)
    if unit is Unit.WEEKS:
        return end - timedelta(weeks=length)
    if unit is Unit.MONTHS:
        return add_months(end, -length)
    raise ValueError("a look-back window is measured in calendar days, weeks or months")
