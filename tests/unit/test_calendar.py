"""Dates as the law counts them: months, weeks, calendar days and Danish working days."""

from __future__ import annotations

from datetime import date

import pytest

from ungeforloeb.rules.calendar import Calendar, CalendarError, Calendars, Unit, describe, subtract

PUBLIC = Calendar()


@pytest.mark.parametrize(("start", "months", "due"), [
    (date(2019, 1, 31), 1, date(2019, 2, 28)),  # 31 Jan + 1 month = 28 Feb
    (date(2020, 1, 31), 1, date(2020, 2, 29)),  # … = 29 Feb in a leap year
    (date(2019, 11, 30), 3, date(2020, 2, 29)),  # across a year end into a leap February
    (date(2019, 3, 31), 1, date(2019, 4, 30)),
    (date(2019, 3, 4), 3, date(2019, 6, 4)),
])
def test_months_are_counted_as_the_law_counts_them(start: date, months: int, due: date) -> None:
    assert PUBLIC.add(start, months, Unit.MONTHS) == due


def test_a_week_is_seven_calendar_days_after_the_start() -> None:
    assert PUBLIC.add(date(2024, 3, 4), 1, Unit.WEEKS) == date(2024, 3, 11)
    assert PUBLIC.add(date(2024, 3, 4), 3, Unit.WEEKS) == date(2024, 3, 25)
    assert PUBLIC.add(date(2024, 3, 4), 7, Unit.CALENDAR_DAYS) == date(2024, 3, 11)
    assert PUBLIC.add(date(2024, 3, 4), 0, Unit.CALENDAR_DAYS) == date(2024, 3, 4)


def test_working_days_skip_weekends() -> None:
    # Friday 1 March 2024 + 5 working days = Friday 8 March
    assert PUBLIC.add(date(2024, 3, 1), 5, Unit.WORKING_DAYS) == date(2024, 3, 8)
    # from a Saturday, the first working day is Monday
    assert PUBLIC.add(date(2024, 3, 2), 1, Unit.WORKING_DAYS) == date(2024, 3, 4)


def test_easter_is_skipped_and_the_last_working_day_before_it_counts() -> None:
    # Easter 2024: Maundy Thursday 28 Mar, Good Friday 29 Mar, Easter Monday 1 Apr
    assert PUBLIC.is_working_day(date(2024, 3, 27))  # last working day before Easter
    assert not PUBLIC.is_working_day(date(2024, 3, 28))
    assert not PUBLIC.is_working_day(date(2024, 4, 1))
    # Wednesday 27 March + 1 working day = Tuesday 2 April
    assert PUBLIC.add(date(2024, 3, 27), 1, Unit.WORKING_DAYS) == date(2024, 4, 2)
    # Tuesday 26 March + 5 working days: 27 Mar, 2, 3, 4, 5 Apr
    assert PUBLIC.add(date(2024, 3, 26), 5, Unit.WORKING_DAYS) == date(2024, 4, 5)


def test_store_bededag_is_a_holiday_until_2023_only() -> None:
    assert not PUBLIC.is_working_day(date(2023, 5, 5))  # Store Bededag 2023
    assert PUBLIC.is_working_day(date(2024, 4, 26))  # would have been Store Bededag 2024
    assert PUBLIC.add(date(2023, 5, 4), 1, Unit.WORKING_DAYS) == date(2023, 5, 8)


def test_ascension_and_whitsun_are_holidays() -> None:
    # Friday 3 May 2024 + 5 working days: 6, 7, 8, (9 Ascension), 10, 13 May
    assert PUBLIC.add(date(2024, 5, 3), 5, Unit.WORKING_DAYS) == date(2024, 5, 13)
    assert not PUBLIC.is_working_day(date(2024, 5, 20))  # Whit Monday


def test_optional_days_off_are_configurable_per_municipality() -> None:
    grundlov = date(2024, 6, 5)
    assert PUBLIC.is_working_day(grundlov)
    with_days_off = Calendar.with_days_off(["grundlovsdag", "christmas_eve", "new_years_eve",
                                            "may_day"])
    for day in (grundlov, date(2024, 12, 24), date(2024, 12, 31), date(2024, 5, 1)):
        assert not with_days_off.is_working_day(day)
    # Tuesday 4 June 2024 + 1 working day: Wednesday 5 June, or Thursday 6 June with Grundlovsdag
    assert PUBLIC.add(date(2024, 6, 4), 1, Unit.WORKING_DAYS) == date(2024, 6, 5)
    assert with_days_off.add(date(2024, 6, 4), 1, Unit.WORKING_DAYS) == date(2024, 6, 6)
    calendars = Calendars(by_municipality={"461": with_days_off})
    assert calendars.for_municipality("461") is with_days_off
    assert calendars.for_municipality("101") == PUBLIC
    assert calendars.for_municipality(None) == PUBLIC


def test_an_unknown_day_off_is_refused_by_name() -> None:
    with pytest.raises(CalendarError, match=r"unknown optional day\(s\) off \['easter_saturday'\]"):
        Calendar.with_days_off(["easter_saturday"])


def test_every_clock_names_its_unit() -> None:
    assert describe(1, Unit.WEEKS) == "1 week"
    assert describe(5, Unit.WORKING_DAYS) == "5 working days"
    assert describe(3, Unit.MONTHS) == "3 months"
    assert describe(21, Unit.CALENDAR_DAYS) == "21 calendar days"


def test_look_back_windows_are_calendar_time() -> None:
    assert subtract(date(2024, 2, 29), 12, Unit.MONTHS) == date(2023, 2, 28)
    with pytest.raises(ValueError, match="calendar days, weeks or months"):
        subtract(date(2024, 2, 29), 5, Unit.WORKING_DAYS)
