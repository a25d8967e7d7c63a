"""Receiving across processes: a second application on the same store finds the young person's
orders and retention cases and stays idempotent (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

from datetime import date
from typing import Any

from exchange_support import CPR, EDUCATION, INSTITUTION
from ungeforloeb.application import SettableClock
from ungeforloeb.domain.exchange_values import EntryMode
from ungeforloeb.domain.values import VisitationGroup, VisitationStage
from ungeforloeb.exchange.messages import Optagelse, Provenance, RisikoForFrafald


def test_a_second_application_on_the_store_receives_where_the_first_left_off(
        backend: Any) -> None:
    clock = SettableClock(date(2024, 12, 31))
    first = backend.app(clock=clock)
    yp = first.register_first_contact(occurred_on=date(2024, 1, 8), recorded_by="cw-1",
                                      municipality_code="101", birth_date=date(2003, 5, 1),
                                      cpr=CPR, name="Test Testesen")
    first.visitate(yp, occurred_on=date(2024, 1, 8), recorded_by="cw-1",
                   stage=VisitationStage.PRELIMINARY, group=VisitationGroup.EDUCATION_READY,
                   perspective_recorded=True, justification_recorded=True)
    order = first.issue_order(yp, occurred_on=date(2024, 1, 8), recorded_by="cw-1")
    admission = Optagelse(yp, Provenance("h-1", INSTITUTION, "easy-a", EntryMode.AUTOMATIC,
                                         date(2024, 3, 1), date(2024, 3, 2)),
                          EDUCATION, date(2024, 8, 12))
    assert first.receive_institution_message(admission).applied == ("h-1",)

    second = backend.app(clock=clock)
    assert second.receive_institution_message(admission).duplicate
    risk = RisikoForFrafald(yp, Provenance("h-2", INSTITUTION, "easy-a", EntryMode.MANUAL,
                                           date(2024, 9, 2), date(2024, 9, 2)))
    assert second.receive_institution_message(risk).applied == ("h-2",)
    (case,) = second.retention_cases_of(yp)
    assert case.order_id == order and case.admission_id == "h-1"
    assert [o.id for o in second.orders_of(yp)] == [order]
