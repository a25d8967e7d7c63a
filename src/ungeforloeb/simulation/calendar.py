"""Working days for the simulation: Danish public holidays from the ``holidays`` package.

Caseworkers act on working days (Monday–Friday, not a Danish public holiday); young people and
institutions' systems may act on any day.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

ONE_DAY = timedelta(days=1)


class WorkCalendar:
    """Working days between two years (inclusive), looked up in constant time."""

    def __init__(self, first_year: int, last_year: int) -> None:
        days_off = holidays.country_holidays("DK", years=range(first_year, last_year + 1))
        self.first = date(first_year, 1, 1)
        self.last = date(last_year, 12, 31)
        self._off: frozenset[date] = frozenset(days_off)

    def is_working_day(self, day: date) -> bool:
        """Monday–Friday and not a Danish public holiday."""
        return day.weekday() < 5 and day not in self._off

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        while day.weekday() >= 5 or day in self._off:
            day += ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``n`` ≥ 0; 0 gives the next working day)."""
        day = self.next_working_day(day)
        for _ in range(n):
            day = self.next_working_day(day + ONE_DAY)
        return day
