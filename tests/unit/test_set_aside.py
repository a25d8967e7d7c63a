"""Decisions that set duties aside: the job track (§ 30 a, from 1 April 2022) and the exemption
from job conversations and offers (from 1 July 2026). Given a case, when the caseworker records
the decision, then the duties the rule data lists are not applicable while it runs — with the
decision as the reason — and refused outside the days a regime allows it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.domain.errors import InvalidCommandError
from ungeforloeb.domain.values import OrderStep, VisitationGroup, VisitationStage
from ungeforloeb.projections.compliance import evaluate_case
from ungeforloeb.rules.verdict import Status, Verdict


def _app(day: date) -> tuple[Ungeforloeb, SettableClock]:
    clock = SettableClock(day)
    return Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock), clock


def _order_case(first: date, deadline: date) -> tuple[Ungeforloeb, UUID, UUID]:
    app, clock = _app(first)
    yp = app.register_first_contact(occurred_on=first, recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2003, 5, 1))
    app.visitate(yp, occurred_on=first, recorded_by="cw-1", stage=VisitationStage.FINAL,
                 group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
                 justification_recorded=True)
    order = app.issue_order(yp, occurred_on=first, recorded_by="cw-1")
    app.set_step_deadline(order, occurred_on=first, recorded_by="cw-1",
                          step=OrderStep.PROPOSE_WISH, deadline=deadline)
    clock.set(date(2026, 11, 1))
    return app, yp, order


def _verdict(app: Ungeforloeb, yp: UUID, rule: str, as_of: date) -> Verdict:
    (v,) = [v for v in evaluate_case(app.case_file(yp), as_of) if v.rule_id == rule]
    return v


@pytest.mark.parametrize(("deadline", "status"), [
    (date(2023, 3, 31), Status.MISSED),  # fell due the day before the job track began
    (date(2023, 4, 1), Status.NOT_APPLICABLE),  # falls due on its first day
])
def test_the_job_track_sets_the_orders_steps_aside_while_it_runs(deadline: date,
                                                                 status: Status) -> None:
    app, yp, _ = _order_case(date(2023, 1, 9), deadline)
    app.decide_job_track(yp, occurred_on=date(2023, 3, 30), recorded_by="cw-1",
                         starts_on=date(2023, 4, 1))
    v = _verdict(app, yp, "order_step1_deadline", date(2023, 6, 1))
    assert v.status is status
    if status is Status.NOT_APPLICABLE:
        assert "set aside by JobTrackDecided" in v.explanation and "§ 30 a" in v.explanation


def test_a_job_track_that_ended_sets_nothing_aside_after_its_end() -> None:
    app, yp, _ = _order_case(date(2023, 1, 9), date(2023, 9, 1))
    app.decide_job_track(yp, occurred_on=date(2023, 3, 30), recorded_by="cw-1",
                         starts_on=date(2023, 4, 1), ends_on=date(2023, 9, 1))
    assert _verdict(app, yp, "order_step1_deadline", date(2023, 10, 1)).status is Status.MISSED


def test_a_decision_is_refused_before_its_law_and_before_the_first_contact() -> None:
    app, yp, _ = _order_case(date(2022, 1, 10), date(2022, 6, 1))
    before = len(list(app.records()))
    with pytest.raises(InvalidCommandError, match=r"decide_job_track.*starts_on.*JobTrackDecided"):
        app.decide_job_track(yp, occurred_on=date(2022, 3, 1), recorded_by="cw-1",
                             starts_on=date(2022, 3, 31))
    with pytest.raises(InvalidCommandError, match=r"exempt_from_contact.*starts_on"):
        app.exempt_from_contact(yp, occurred_on=date(2026, 6, 1), recorded_by="cw-1",
                                starts_on=date(2026, 6, 30))
    with pytest.raises(InvalidCommandError, match=r"decide_job_track.*ends_on.*after starts_on"):
        app.decide_job_track(yp, occurred_on=date(2022, 4, 1), recorded_by="cw-1",
                             starts_on=date(2022, 4, 1), ends_on=date(2022, 4, 1))
    assert len(list(app.records())) == before
    app2, yp2, _ = _order_case(date(2022, 5, 2), date(2022, 9, 1))
    with pytest.raises(InvalidCommandError, match=r"starts_on.*on or after the first contact"):
        app2.decide_job_track(yp2, occurred_on=date(2022, 5, 2), recorded_by="cw-1",
                              starts_on=date(2022, 4, 30))


def test_the_exemption_sets_the_conversation_duties_aside_from_july_2026() -> None:
    app, yp, _ = _order_case(date(2026, 3, 2), date(2026, 12, 1))
    app.hold_conversation(yp, occurred_on=date(2026, 8, 3), recorded_by="cw-1",
                          follows_up_current_step=False, education_focus=True, job_focus=False)
    assert _verdict(app, yp, "cp13_follow_up_current_step",
                    date(2026, 9, 1)).status is Status.MISSED
    app.exempt_from_contact(yp, occurred_on=date(2026, 7, 1), recorded_by="cw-1",
                            starts_on=date(2026, 7, 1))
    v = _verdict(app, yp, "cp13_follow_up_current_step", date(2026, 9, 1))
    assert v.status is Status.NOT_APPLICABLE and "ContactExemptionDecided" in v.explanation
    # the order's own step deadline is not a conversation: it stands
    assert _verdict(app, yp, "order_step1_deadline", date(2026, 12, 2)).status is Status.MISSED
