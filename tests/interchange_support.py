"""Shared helpers of the interchange tests: a small history, an export to bytes, re-sealing."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.clock import SettableClock
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.domain.retention import RetentionCase
from ungeforloeb.domain.values import (
    ContactChannel,
    LiteracyTestNeed,
    MentorPurpose,
    OfferKind,
    OrderStep,
    VisitationGroup,
    VisitationStage,
)
from ungeforloeb.interchange import format as fmt
from ungeforloeb.interchange.export import export_log

EXPORTED_AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
REGIMES = {"test-regime": "ab" * 32}
PERSON_A = UUID("00000000-0000-4000-8000-00000000000a")
PERSON_B = UUID("00000000-0000-4000-8000-00000000000b")
ORDER_A = UUID("00000000-0000-4000-8000-0000000000a1")
RETENTION_A = UUID("00000000-0000-4000-8000-0000000000a2")


def fake_digest(files: Iterable[CaseFile], as_of: date) -> str:
    """A digest of the case files' records (stands in for the verdicts where rules don't
    matter)."""
    h = hashlib.sha256(as_of.isoformat().encode())
    for cf in sorted(files, key=lambda c: c.young_person_id):
        h.update(cf.young_person_id.encode())
        for r in cf.records:
            h.update(orjson.dumps([r.seq, r.type, r.version, r.payload],
                                  option=orjson.OPT_SORT_KEYS))
    return h.hexdigest()


def new_app(start: date = date(2024, 1, 2)) -> tuple[Ungeforloeb, SettableClock]:
    clock = SettableClock(start)
    return Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock), clock


def small_history(app: Ungeforloeb, clock: SettableClock) -> None:
    """Two young people, an order with an admission, a retention case: most event shapes."""
    d = date(2024, 1, 2)
    clock.set(d)
    a = app.register_first_contact(occurred_on=d, recorded_by="cw-1", municipality_code="101",
                                   birth_date=date(2005, 5, 5), young_person_id=PERSON_A)
    app.hold_first_conversation(a, occurred_on=date(2024, 1, 2), recorded_by="cw-1")
    app.visitate(a, occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                 stage=VisitationStage.PRELIMINARY, group=VisitationGroup.EDUCATION_READY,
                 perspective_recorded=True, justification_recorded=False)
    clock.set(date(2024, 1, 20))
    app.assess_literacy_test(a, occurred_on=date(2024, 1, 10), recorded_by="cw-1",
                             need=LiteracyTestNeed.NEEDED)
    app.hold_conversation(a, occurred_on=date(2024, 1, 15), recorded_by="cw-1",
                          follows_up_current_step=True, education_focus=True)
    app.start_offer(a, occurred_on=date(2024, 1, 16), recorded_by="cw-1", offer_id="o-1",
                    kind=OfferKind.COMPANY_INTERNSHIP, individually_assessed=True,
                    purpose_stated=False)
    app.grant_mentor(a, occurred_on=date(2024, 1, 17), recorded_by="cw-1",
                     purpose=MentorPurpose.GENERAL, until=date(2024, 6, 1))
    order = app.issue_order(a, occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                            order_id=ORDER_A)
    app.set_step_deadline(order, occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                          step=OrderStep.PROPOSE_WISH, deadline=date(2024, 2, 1))
    b = app.register_first_contact(occurred_on=date(2024, 1, 18), recorded_by="cw-2",
                                   municipality_code="101", birth_date=date(2006, 2, 28),
                                   young_person_id=PERSON_B)
    app.hold_conversation(b, occurred_on=date(2024, 1, 19), recorded_by="cw-2",
                          follows_up_current_step=False, education_focus=False, job_focus=True)
    clock.set(date(2024, 3, 1))
    app.admit(order, occurred_on=date(2024, 2, 20), recorded_by="cw-1", admission_id="adm-1",
              institution_id="123456", education_code="EUD-1", starts_on=date(2024, 2, 26),
              qualifying=True)
    app.start_education(order, occurred_on=date(2024, 2, 26), recorded_by="cw-1",
                        admission_id="adm-1")
    retention = RetentionCase.open(occurred_on=date(2024, 2, 28), recorded_by="udb",
                                   recorded_at=clock(), young_person_id=a,
                                   institution_id="123456", report_id="rep-1",
                                   received_on=date(2024, 2, 28), order_id=order,
                                   admission_id="adm-1", case_id=RETENTION_A)
    app.save(retention)
    case = retention.id
    app.contact_young_person(case, occurred_on=date(2024, 2, 29), recorded_by="cw-1",
                             channel=ContactChannel.PHONE)


def export_bytes(app: Ungeforloeb, **options: Any) -> bytes:
    out = io.BytesIO()
    options.setdefault("exported_at", EXPORTED_AT)
    options.setdefault("regimes", REGIMES)
    options.setdefault("digest", fake_digest)
    export_log(app, out, **options)
    return out.getvalue()


def small_log() -> bytes:
    app, clock = new_app()
    small_history(app, clock)
    return export_bytes(app)


def reseal(objs: list[dict[str, Any]]) -> bytes:
    """Lines from objects (their ``hash`` recomputed, the trailer's final hash and count set),
    so that a test can change a line's content and still have a valid chain."""
    previous = fmt.GENESIS_HASH
    out = []
    events = 0
    for obj in objs:
        obj = {k: v for k, v in obj.items() if k != "hash"}
        if obj.get("kind") == "event":
            events += 1
        if obj.get("kind") == "trailer":
            obj["final_hash"] = previous
            obj["event_count"] = events
        line, previous = fmt.seal(obj, previous)
        out.append(line)
    return b"".join(out)


def parse(data: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in data.splitlines()]


def downgrade_to_v1(log: bytes) -> bytes:
    """The log as a writer of ConversationHeld v1 would have written it."""
    objs = parse(log)
    objs[0]["library_version"] = "0.0.9"
    for obj in objs:
        if obj.get("type") == "ConversationHeld":
            p = obj["payload"]
            obj["payload"] = {"follows_up_current_step": p["current_step_followed_up"],
                              "education_focus": p["education_focus"],
                              "job_focus": p["job_focus"]}
            obj["schema_version"] = 1
    return reseal(objs)
