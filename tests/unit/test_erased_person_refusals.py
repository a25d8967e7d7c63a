"""Given a young person whose personal data was erased, when any command is given to one of
their education orders or retention cases (or would open one), then it is refused with
``PersonalDataErasedError`` naming the command, the order or case and its id, the young person
and why — and nothing is recorded. Before the erasure the same commands are accepted (so the
refusal is the erasure's doing, not the command's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.domain.errors import EventOutOfOrderError, PersonalDataErasedError
from ungeforloeb.domain.values import (
    ContactChannel,
    ContactKind,
    DeadlineMoveReason,
    InterruptionReason,
    OrderEndReason,
    OrderStep,
    RetentionInitiative,
    RetentionOutcome,
)

ERASED_ON = date(2024, 9, 2)
DAY = date(2024, 9, 2)
CW = "cw-1"


def _given_a_case() -> tuple[Ungeforloeb, UUID, UUID, UUID]:
    """A young person with an admitted and started order and an open retention case."""
    app = Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                      clock=SettableClock(date(2024, 9, 3)))
    yp = app.register_first_contact(occurred_on=date(2024, 1, 2), recorded_by=CW,
                                    municipality_code="101", birth_date=date(2004, 5, 1),
                                    cpr="010504-1234", name="Test Testesen")
    order = app.issue_order(yp, occurred_on=date(2024, 1, 5), recorded_by=CW)
    app.admit(order, occurred_on=date(2024, 4, 1), recorded_by="udb", admission_id="adm-1",
              institution_id="280727", education_code="EUD-1", starts_on=date(2024, 8, 12),
              qualifying=True)
    app.start_education(order, occurred_on=date(2024, 8, 12), recorded_by="udb",
                        admission_id="adm-1")
    case = app.report_risk_of_dropout(yp, occurred_on=date(2024, 8, 26), recorded_by="udb",
                                      institution_id="280727", report_id="udb-1",
                                      received_on=date(2024, 8, 27), order_id=order,
                                      admission_id="adm-1")
    return app, yp, order, case


Command = Callable[[Ungeforloeb, UUID, UUID, UUID], Any]

ORDER_COMMANDS: dict[str, Command] = {
    "set_step_deadline": lambda a, yp, o, c: a.set_step_deadline(
        o, occurred_on=DAY, recorded_by=CW, step=OrderStep.PROPOSE_WISH,
        deadline=date(2024, 10, 1)),
    "move_step_deadline": lambda a, yp, o, c: a.move_step_deadline(
        o, occurred_on=DAY, recorded_by=CW, step=OrderStep.PROPOSE_WISH,
        deadline=date(2024, 10, 1), reason=DeadlineMoveReason.ILLNESS),
    "propose_wish": lambda a, yp, o, c: a.propose_wish(
        o, occurred_on=DAY, recorded_by=CW, education_code="EUD-2"),
    "submit_application": lambda a, yp, o, c: a.submit_application(
        o, occurred_on=DAY, recorded_by=CW, institution_id="280727", education_code="EUD-2"),
    "admit": lambda a, yp, o, c: a.admit(
        o, occurred_on=DAY, recorded_by="udb", admission_id="adm-2", institution_id="280727",
        education_code="EUD-2", starts_on=date(2024, 9, 20), qualifying=True),
    "record_admission_qualifying": lambda a, yp, o, c: a.record_admission_qualifying(
        o, occurred_on=DAY, recorded_by=CW, admission_id="adm-1", qualifying=True),
    "assess_duty_to_start": lambda a, yp, o, c: a.assess_duty_to_start(
        o, occurred_on=DAY, recorded_by=CW, admission_id="adm-1",
        ordered_to_start_and_complete=True),
    "complete_education": lambda a, yp, o, c: a.complete_education(
        o, occurred_on=DAY, recorded_by="udb", admission_id="adm-1"),
    "interrupt_education": lambda a, yp, o, c: a.interrupt_education(
        o, occurred_on=DAY, recorded_by="udb", admission_id="adm-1",
        reason=next(iter(InterruptionReason))),
    "end_order": lambda a, yp, o, c: a.end_order(
        o, occurred_on=DAY, recorded_by=CW, reason=next(iter(OrderEndReason))),
    "exchange_contact": lambda a, yp, o, c: a.exchange_contact(
        o, occurred_on=DAY, recorded_by="udb", institution_id="280727",
        contact_kind=next(iter(ContactKind)), contact_id="kp-1", message_id="m-1",
        received_on=DAY, admission_id="adm-1"),
}

RETENTION_COMMANDS: dict[str, Command] = {
    "contact_young_person": lambda a, yp, o, c: a.contact_young_person(
        c, occurred_on=DAY, recorded_by=CW, channel=ContactChannel.PHONE),
    "decide_retention_initiative": lambda a, yp, o, c: a.decide_retention_initiative(
        c, occurred_on=DAY, recorded_by=CW, initiative=next(iter(RetentionInitiative)),
        with_institution=True),
    "close_retention_case": lambda a, yp, o, c: a.close_retention_case(
        c, occurred_on=DAY, recorded_by=CW, outcome=RetentionOutcome.RETAINED),
}

OPENING_COMMANDS: dict[str, Command] = {
    "issue_order": lambda a, yp, o, c: a.issue_order(yp, occurred_on=DAY, recorded_by=CW),
    "report_risk_of_dropout": lambda a, yp, o, c: a.report_risk_of_dropout(
        yp, occurred_on=DAY, recorded_by="udb", institution_id="280727", report_id="udb-2",
        received_on=DAY),
}


def _count(app: Ungeforloeb) -> int:
    return sum(1 for _ in app.records())


@pytest.mark.parametrize("command", sorted(ORDER_COMMANDS))
def test_a_command_on_an_erased_persons_order_is_refused(command: str) -> None:
    app, yp, order, case = _given_a_case()
    app.erase_personal_data(yp, occurred_on=ERASED_ON, recorded_by="dpo-1")
    before = _count(app)
    with pytest.raises(PersonalDataErasedError) as refused:
        ORDER_COMMANDS[command](app, yp, order, case)
    assert str(refused.value) == (
        f"{command}: order {order} belongs to young person {yp}, whose personal data was "
        f"erased on {ERASED_ON.isoformat()}; nothing more is recorded about them")
    assert (refused.value.command, refused.value.case_id) == (command, order)
    assert _count(app) == before


@pytest.mark.parametrize("command", sorted(RETENTION_COMMANDS))
def test_a_command_on_an_erased_persons_retention_case_is_refused(command: str) -> None:
    app, yp, order, case = _given_a_case()
    app.erase_personal_data(yp, occurred_on=ERASED_ON, recorded_by="dpo-1")
    before = _count(app)
    with pytest.raises(PersonalDataErasedError, match=(
            f"^{command}: retention case {case} belongs to young person {yp}, whose personal "
            f"data was erased on {ERASED_ON.isoformat()}; nothing more is recorded")):
        RETENTION_COMMANDS[command](app, yp, order, case)
    assert _count(app) == before


@pytest.mark.parametrize("command", sorted(OPENING_COMMANDS))
def test_opening_an_order_or_retention_case_for_an_erased_person_is_refused(command: str) -> None:
    app, yp, order, case = _given_a_case()
    app.erase_personal_data(yp, occurred_on=ERASED_ON, recorded_by="dpo-1")
    before = _count(app)
    with pytest.raises(PersonalDataErasedError, match=(
            f"^{command}: the young person {yp}'s personal data was erased on "
            f"{ERASED_ON.isoformat()}")):
        OPENING_COMMANDS[command](app, yp, order, case)
    assert _count(app) == before


@pytest.mark.parametrize("command", sorted({**ORDER_COMMANDS, **RETENTION_COMMANDS,
                                            **OPENING_COMMANDS}))
def test_without_erasure_the_same_command_is_not_refused_for_erasure(command: str) -> None:
    app, yp, order, case = _given_a_case()
    table = {**ORDER_COMMANDS, **RETENTION_COMMANDS, **OPENING_COMMANDS}
    try:
        table[command](app, yp, order, case)
    except PersonalDataErasedError:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{command} refused for erasure although nothing was erased")
    except EventOutOfOrderError:
        pass  # the order's own sequence may refuse it; not for erasure


def test_after_erasure_the_orders_and_cases_still_read() -> None:
    app, yp, order, case = _given_a_case()
    app.erase_personal_data(yp, occurred_on=ERASED_ON, recorded_by="dpo-1")
    assert [o.id for o in app.orders_of(yp)] == [order]
    assert [c.id for c in app.retention_cases_of(yp)] == [case]
    assert [r.type for r in app.case_file(yp).records][-1] == "PersonalDataErased"
