"""The audit trail: every event of a case, with when it happened and when and by whom recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.domain.values import OrderStep, VisitationGroup, VisitationStage
from ungeforloeb.projections.audit_trail import (
    audit_trail,
    late_entries,
    render_payload,
)

DAY = date(2024, 9, 2)


@pytest.fixture
def case() -> CaseFile:
    """First contact and first conversation on 2 Sep (the conversation noted 13 days late);
    visitation and an order on 3 Sep."""
    clock = SettableClock(DAY)
    app = Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    yp = app.register_first_contact(occurred_on=DAY, recorded_by="cw-001",
                                    municipality_code="101", birth_date=date(2004, 2, 29))
    clock.set(datetime(2024, 9, 3, 10, 30, tzinfo=UTC))
    app.visitate(yp, occurred_on=date(2024, 9, 3), recorded_by="cw-001",
                 stage=VisitationStage.PRELIMINARY, group=VisitationGroup.EDUCATION_READY,
                 perspective_recorded=True, justification_recorded=False)
    order = app.issue_order(yp, occurred_on=date(2024, 9, 3), recorded_by="cw-001")
    app.set_step_deadline(order, occurred_on=date(2024, 9, 3), recorded_by="cw-001",
                          step=OrderStep.PROPOSE_WISH, deadline=date(2024, 10, 1))
    clock.set(date(2024, 9, 15))
    app.hold_first_conversation(yp, occurred_on=DAY, recorded_by="team-a")
    return app.case_file(yp)


def test_every_event_of_every_stream_of_the_case_in_recording_order(case: CaseFile) -> None:
    trail = audit_trail(case)
    assert [e.event_type for e in trail] == [
        "FirstContactRegistered", "Visitated", "OrderIssued", "StepDeadlineSet",
        "FirstConversationHeld"]
    assert [e.seq for e in trail] == sorted(e.seq for e in trail)
    assert {e.stream_type for e in trail} == {"YoungPerson", "EducationOrder"}


def test_each_entry_says_when_it_happened_and_when_and_by_whom_it_was_recorded(
        case: CaseFile) -> None:
    visitated = audit_trail(case)[1]
    assert visitated.occurred_on == date(2024, 9, 3)
    assert visitated.recorded_at.startswith("2024-09-03T10:30")
    assert visitated.recorded_by == "cw-001"
    assert visitated.stream_id == case.young_person_id
    assert visitated.payload == ("stage=preliminary, group=UP, perspective_recorded=yes, "
                                 "justification_recorded=no")


def test_a_recording_more_than_the_limit_after_the_event_is_late(case: CaseFile) -> None:
    trail = audit_trail(case)
    (late,) = late_entries(trail)
    assert late.event_type == "FirstConversationHeld"
    assert late.lag_days == 13
    assert late.recorded_by == "team-a"
    assert late_entries(audit_trail(case, late_after_days=13)) == []
    assert len(late_entries(audit_trail(case, late_after_days=0))) == 1


def test_the_trail_can_be_read_in_the_order_things_happened(case: CaseFile) -> None:
    trail = audit_trail(case, order="occurred")
    assert [e.event_type for e in trail] == [
        "FirstContactRegistered", "FirstConversationHeld", "Visitated", "OrderIssued",
        "StepDeadlineSet"]
    assert [e.occurred_on for e in trail] == sorted(e.occurred_on for e in trail)


def test_the_payload_rendering_leaves_out_the_young_persons_id_and_dashes_none() -> None:
    rendered = render_payload({"young_person_id": "x", "step": 1, "order_id": None,
                               "topics": ["education", "job"], "deadline": "2024-10-01"})
    assert rendered == "step=1, order_id=-, topics=[education, job], deadline=2024-10-01"


def test_an_unknown_order_is_refused(case: CaseFile) -> None:
    with pytest.raises(ValueError, match="order must be 'recorded' or 'occurred'"):
        audit_trail(case, order="sideways")  # type: ignore[arg-type]
