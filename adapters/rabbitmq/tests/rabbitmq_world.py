"""One municipality on a SQLite file for the RabbitMQ tests, and helpers on the broker."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pika

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.exchange_commands import Dispatch
from ungeforloeb.domain.exchange_values import EntryMode
from ungeforloeb.domain.values import ContactKind, VisitationGroup, VisitationStage
from ungeforloeb.exchange.codec import unstructure_inbound
from ungeforloeb.exchange.messages import Contact, Optagelse, Provenance, RisikoForFrafald

INSTITUTION = "280727"
EDUCATION = "eud-gf1"
DAY = date(2024, 3, 1)
CASEWORKER = "cw-1"
CONTACT = Contact("cw-1", ContactKind.PERSON, "12345678", "anne.jensen@kk.dk")


class World:
    """A SQLite store with young people, each with an education order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.app = Ungeforloeb(path)
        self.people: list[UUID] = []
        self.orders: list[UUID] = []

    def close(self) -> None:
        self.app.close()

    def person(self, n: int = 0) -> UUID:
        while len(self.people) <= n:
            i = len(self.people)
            yp = self.app.register_first_contact(
                occurred_on=date(2024, 1, 8), recorded_by=CASEWORKER, municipality_code="101",
                birth_date=date(2003, 5, 1), cpr=f"01050312{i:02d}", name=f"Test {i}")
            self.app.visitate(yp, occurred_on=date(2024, 1, 8), recorded_by=CASEWORKER,
                              stage=VisitationStage.PRELIMINARY,
                              group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
                              justification_recorded=True)
            self.orders.append(self.app.issue_order(yp, occurred_on=date(2024, 1, 8),
                                                    recorded_by=CASEWORKER))
            self.people.append(yp)
        return self.people[n]

    def admission(self, report_id: str, n: int = 0) -> Optagelse:
        return Optagelse(self.person(n), _prov(report_id), EDUCATION, date(2024, 8, 12))

    def risk(self, report_id: str, n: int = 0) -> RisikoForFrafald:
        return RisikoForFrafald(self.person(n), _prov(report_id))

    def notify(self, n: int = 0, admission_id: str | None = None) -> Dispatch:
        """Admit person ``n`` and send DataTilInstitution (records InstitutionNotified)."""
        admission_id = admission_id or f"adm-{n}"
        order = self.orders[self.people.index(self.person(n))]
        self.app.admit(order, occurred_on=DAY, recorded_by=CASEWORKER,
                       admission_id=admission_id, institution_id=INSTITUTION,
                       education_code=EDUCATION, starts_on=date(2024, 8, 12), qualifying=True)
        self.app.assess_duty_to_start(order, occurred_on=DAY, recorded_by=CASEWORKER,
                                      admission_id=admission_id,
                                      ordered_to_start_and_complete=True)
        dispatch = self.app.assess_support_and_notify(
            order, occurred_on=DAY, recorded_by=CASEWORKER, admission_id=admission_id,
            academic_support=True, social_support=False, needs_documented=True,
            no_support_need=False, other_support_persons=False,
            wants_institution_contact=True, contact=CONTACT)
        assert dispatch is not None
        return dispatch

    def reports(self, n: int = 0) -> list[str]:
        """The report ids stored for person ``n`` (InstitutionReportReceived), in order."""
        wanted = str(self.person(n))
        return [r.payload["report_id"] for r in self.app.records()
                if r.type == "InstitutionReportReceived" and r.stream_id == wanted]


def _prov(report_id: str) -> Provenance:
    return Provenance(report_id, INSTITUTION, "easy-a", EntryMode.AUTOMATIC, DAY,
                      date(2024, 3, 2))


def body(message: Any) -> bytes:
    return orjson.dumps(unstructure_inbound(message))


def send(connection: Any, queue: str, *bodies: bytes) -> None:
    """Publish bodies to ``queue`` (declared durable), with confirms."""
    channel = connection.channel()
    channel.queue_declare(queue=queue, durable=True)
    channel.confirm_delivery()
    for i, b in enumerate(bodies):
        channel.basic_publish(exchange="", routing_key=queue, body=b,
                              properties=pika.BasicProperties(
                                  delivery_mode=2, content_type="application/json",
                                  message_id=f"m-{i}", headers={"sender": "test"}))
    channel.close()


def drain(connection: Any, queue: str, *, expect: int | None = None,
          timeout: float = 5.0) -> list[tuple[Any, bytes]]:
    """Every message now in ``queue`` (acked): (properties, body); waits up to ``timeout``
    for ``expect`` messages when given."""
    channel = connection.channel()
    out: list[tuple[Any, bytes]] = []
    deadline = time.monotonic() + timeout
    while True:
        method, props, data = channel.basic_get(queue=queue, auto_ack=True)
        if method is not None:
            out.append((props, data))
            continue
        if expect is None or len(out) >= expect or time.monotonic() > deadline:
            break
        connection.sleep(0.05)
    channel.close()
    return out


def depth(connection: Any, queue: str) -> int:
    channel = connection.channel()
    count = int(channel.queue_declare(queue=queue, durable=True, passive=True)
                .method.message_count)
    channel.close()
    return count
