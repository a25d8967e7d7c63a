"""Management figures: given a young person's events, when the group is counted on a day or
over a period, then the state, the flows and the outcome figures are as the path says."""

from __future__ import annotations

from datetime import date

import pytest

from rules_builder import CaseBuilder
from ungeforloeb.projections.management import (
    band_of,
    flows,
    outcomes,
    periods,
    status_on,
    timeline,
    timelines,
)


def path() -> CaseBuilder:
    case = CaseBuilder(date(2024, 1, 8), birth_date=date(2006, 3, 1))
    case.visitate(date(2024, 1, 15), "UP", stage="preliminary")
    case.visitate(date(2024, 2, 1), "UP")
    order = case.order(date(2024, 2, 1))
    case.event("EducationWishProposed", date(2024, 2, 20), stream=order, education_code="e-1")
    case.admit(order, "a-1", on=date(2024, 5, 1), starts_on=date(2024, 8, 12))
    case.on_admission("EducationStarted", order, "a-1", date(2024, 8, 12))
    risk = case.risk_report(date(2024, 10, 1), admission_id="a-1")
    case.contacted(risk, date(2024, 10, 3))
    case.on_admission("EducationInterrupted", order, "a-1", date(2024, 11, 15),
                      reason="dropped_out")
    case.event("OfferStarted", date(2024, 12, 2), offer_id="o-1", kind="internship",
               individually_assessed=True, purpose_stated=True)
    case.event("BenefitEnded", date(2025, 2, 3), reason="started_work")
    return case


@pytest.mark.parametrize(("day", "state"), [
    (date(2024, 1, 7), None),            # before first contact
    (date(2024, 1, 8), "first_contact"),
    (date(2024, 1, 15), "in_visitation"),
    (date(2024, 2, 1), "order_step_1"),  # visitated and ordered on one day: the order wins
    (date(2024, 2, 20), "order_step_2"),
    (date(2024, 5, 1), "admitted"),
    (date(2024, 8, 12), "started"),
    (date(2024, 10, 1), "at_risk"),
    (date(2024, 11, 15), "interrupted"),
    (date(2025, 2, 2), "interrupted"),
    (date(2025, 2, 3), None),            # benefit ended: out of the group
])
def test_the_state_on_each_day_follows_the_path(day: date, state: str | None) -> None:
    found = status_on([timeline(path().case_file())], day)
    assert found.total == (0 if state is None else 1)
    if state is not None:
        assert found.counts("state")[state] == 1


def test_the_age_band_moves_on_the_birthday() -> None:
    line = timeline(path().case_file())
    assert status_on([line], date(2024, 2, 29)).counts("age_band") == {"15-17": 1}
    assert status_on([line], date(2024, 3, 1)).counts("age_band") == {"18-24": 1}
    assert band_of(30, ((15, 17), (18, 24), (25, 29))) == "other"
    assert band_of(None, ((15, 17),)) == "unknown"


def test_a_cap_says_how_far_over_or_under_the_group_is() -> None:
    found = status_on([timeline(path().case_file())], date(2024, 6, 1), cap=0)
    assert found.over_cap == 1


def test_flows_count_the_entry_and_the_exit_with_its_reason() -> None:
    lines = [timeline(path().case_file())]
    rows = flows(lines, date(2024, 1, 1), date(2025, 3, 31), "month")
    assert len(rows) == 15
    assert rows[0].inflow == {"new": 1} and rows[0].stock_after == 1
    assert rows[13].outflow == {"started_work": 1} and rows[13].stock_after == 0
    assert sum(r.inflow_total for r in rows) == sum(r.outflow_total for r in rows) == 1


def test_periods_are_calendar_months_or_monday_weeks_clipped_to_the_range() -> None:
    assert list(periods(date(2024, 1, 17), date(2024, 3, 5), "month")) == [
        (date(2024, 1, 17), date(2024, 1, 31)), (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 5))]
    weeks = list(periods(date(2024, 1, 3), date(2024, 1, 16), "week"))
    assert weeks == [(date(2024, 1, 3), date(2024, 1, 7)), (date(2024, 1, 8), date(2024, 1, 14)),
                     (date(2024, 1, 15), date(2024, 1, 16))]
    with pytest.raises(ValueError, match="every"):
        list(periods(date(2024, 1, 1), date(2024, 2, 1), "day"))


@pytest.mark.parametrize(("as_of", "left", "open_"), [
    (date(2025, 1, 7), 0, 1),   # the year after first contact has not passed: not counted yet
    (date(2025, 1, 8), 0, 0),   # it has: benefit had not ended for education or work by then
])
def test_leaving_within_a_year_counts_only_cohorts_whose_year_has_passed(
        as_of: date, left: int, open_: int) -> None:
    (figure, *_) = outcomes([timeline(path().case_file())], date(2024, 1, 1),
                            date(2024, 12, 31), as_of)
    assert figure.name == "left_for_education_or_work"
    assert (figure.numerator, figure.open) == (left, open_)
    assert figure.denominator == 1 - open_


def test_follow_up_and_days_without_activity() -> None:
    results = {o.name: o for o in outcomes([timeline(path().case_file())], date(2024, 1, 1),
                                           date(2024, 12, 31), date(2025, 6, 1))}
    followed = results["followed_up_after_start"]
    assert (followed.numerator, followed.denominator) == (1, 1)  # the contact on 3 October
    idle = results["days_without_activity_after_interruption"]
    assert idle.median_days == 17  # 15 November to the offer on 2 December


def test_known_at_leaves_out_what_was_recorded_later() -> None:
    case = CaseBuilder(date(2024, 1, 8))
    case.event("BenefitEnded", date(2024, 3, 1), reason="moved", recorded_on=date(2024, 5, 1))
    files = [case.case_file()]
    assert status_on(timelines(files), date(2024, 4, 1)).total == 0
    assert status_on(timelines(files, known_at=date(2024, 4, 1)), date(2024, 4, 1)).total == 1


def test_a_return_to_benefit_is_an_inflow_of_its_own_reason() -> None:
    case = CaseBuilder(date(2024, 1, 8))
    case.event("BenefitEnded", date(2024, 3, 1), reason="other")
    case.event("BenefitSpellStarted", date(2024, 6, 3), spell=2)
    lines = [timeline(case.case_file())]
    assert status_on(lines, date(2024, 4, 1)).total == 0
    assert status_on(lines, date(2024, 6, 3)).counts("state")["first_contact"] == 1
    rows = flows(lines, date(2024, 1, 1), date(2024, 6, 30), "month")
    assert rows[0].inflow == {"new": 1} and rows[2].outflow == {"other": 1}
    assert rows[5].inflow == {"returned": 1} and rows[5].stock_after == 1
