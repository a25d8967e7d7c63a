"""The exchange's command path reads no history back: what it needs per message — the report
ids seen, the reports still pending, the sent message ids a receipt answers, the young person's
orders and retention cases — comes from the aggregates (held in eventsourcing's aggregate cache,
as in a bulk load) and the store's person → streams index, never from the young person's events
or the notification log."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from exchange_support import CONTACT, TODAY, World
from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.domain.values import ContactKind, VisitationGroup, VisitationStage


class Spy:
    """Counts calls to a recorder's reads of events and of the notification log."""

    def __init__(self, recorder: Any) -> None:
        self.calls: list[str] = []
        for name in ("select_events", "select_notifications"):
            real = getattr(recorder, name)

            def counted(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
                self.calls.append(_name)
                return _real(*args, **kw)

            setattr(recorder, name, counted)


def _world_on_sqlite(tmp_path: Path) -> World:
    world = World.__new__(World)
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
           "SQLITE_DBNAME": str(tmp_path / "x.sqlite"), "AGGREGATE_CACHE_MAXSIZE": "1000",
           "AGGREGATE_CACHE_FASTFORWARD": "n"}
    world.clock = SettableClock(TODAY)
    world.app = Ungeforloeb(env=env, clock=world.clock)
    first = date(2024, 1, 8)
    world.yp = world.app.register_first_contact(
        occurred_on=first, recorded_by="cw-1", municipality_code="101",
        birth_date=date(2003, 5, 1))
    world.app.visitate(world.yp, occurred_on=first, recorded_by="cw-1",
                       stage=VisitationStage.PRELIMINARY,
                       group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
                       justification_recorded=True)
    world.order = world.app.issue_order(world.yp, occurred_on=first, recorded_by="cw-1")
    world.app.designate_recipient("101", kind=ContactKind.TEAM, recipient_id="ungeteam")
    return world


def test_receiving_messages_reads_no_events_back(tmp_path: Path) -> None:
    w = _world_on_sqlite(tmp_path)
    spy = Spy(w.app.recorder)
    # An admission, a completion before the start is known (pending), a contact, a risk
    # message (opens a retention case), then the start: the pending completion is applied.
    w.receive(w.admission("adm-1", date(2024, 6, 3), date(2024, 8, 12)),
              w.completion("done-1", date(2024, 11, 1)),
              w.contact("kontakt-1", date(2024, 6, 10)),
              w.risk("risk-1", date(2024, 9, 2)))
    assert w.app._person(w.yp, "test").pending_reports == {"done-1"}
    w.app.assess_support(w.order, occurred_on=date(2024, 6, 12), recorded_by="cw-1",
                         admission_id="adm-1", academic_support=True, social_support=False,
                         needs_documented=True, no_support_need=False,
                         other_support_persons=False, wants_institution_contact=True,
                         contact_kind=CONTACT.kind, contact_id=CONTACT.contact_id)
    w.app.notify_institution(w.order, occurred_on=date(2024, 6, 12), recorded_by="cw-1",
                             admission_id="adm-1", message_id="dti-1")
    w.receive(w.receipt("kvit-1", date(2024, 6, 13), "dti-1"))
    w.start("adm-1", date(2024, 8, 12))
    person = w.app._person(w.yp, "test")
    assert person.pending_reports == frozenset()
    assert person.received_reports == {"adm-1", "done-1", "kontakt-1", "risk-1", "kvit-1"}
    assert spy.calls == []
    # What was applied, read from the store afterwards.
    types = [r.type for r in w.app.case_file(w.yp).records]
    for applied in ("Admitted", "ContactExchanged", "RiskOfDropoutReported",
                    "ReceiptReceived", "EducationCompleted"):
        assert applied in types
    assert types.count("InstitutionReportApplied") == 5
    w.app.close()
