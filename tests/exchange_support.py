"""Shared set-up of the exchange tests: an in-memory application with one young person who has
an education order, and builders of inbound messages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.casefile.fold import Facts
from ungeforloeb.domain.exchange_values import EntryMode
from ungeforloeb.domain.values import ContactKind, VisitationGroup, VisitationStage
from ungeforloeb.exchange.messages import (
    Afbrydelse,
    Contact,
    Gennemfoerelse,
    IndberetInstitutionKontakt,
    Modtagelseskvittering,
    Optagelse,
    Provenance,
    RisikoForFrafald,
)
from ungeforloeb.projections.worklist import WorkItem

INSTITUTION = "280727"
OTHER_INSTITUTION = "157209"
EDUCATION = "eud-gf1"
CPR = "0105031234"
FIRST_CONTACT = date(2024, 1, 8)
TODAY = date(2024, 12, 31)
CASEWORKER = "cw-1"
CONTACT = Contact("cw-1", ContactKind.PERSON, "12345678", "anne.jensen@kk.dk")


def new_world(*, birth_date: date = date(2003, 5, 1), designate: bool = True) -> World:
    return World(birth_date, designate)


class World:
    """One municipality (101), one young person with an order issued at first contact."""

    def __init__(self, birth_date: date, designate: bool) -> None:
        self.clock = SettableClock(TODAY)
        self.app = Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                               clock=self.clock)
        self.yp = self.app.register_first_contact(
            occurred_on=FIRST_CONTACT, recorded_by=CASEWORKER, municipality_code="101",
            birth_date=birth_date, cpr=CPR, name="Test Testesen")
        self.app.assign_caseworker(self.yp, occurred_on=FIRST_CONTACT, recorded_by=CASEWORKER,
                                   caseworker_id=CASEWORKER, team_id="team-1")
        self.app.visitate(self.yp, occurred_on=FIRST_CONTACT, recorded_by=CASEWORKER,
                          stage=VisitationStage.PRELIMINARY,
                          group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
                          justification_recorded=True)
        self.order = self.app.issue_order(self.yp, occurred_on=FIRST_CONTACT,
                                          recorded_by=CASEWORKER)
        if designate:
            self.app.designate_recipient("101", kind=ContactKind.TEAM,
                                         recipient_id="ungeteam")

    # ----------------------------------------------------------------- messages

    def prov(self, report_id: str, occurred: date, received: date | None = None, *,
             institution: str = INSTITUTION, system: str = "easy-a",
             entry: EntryMode = EntryMode.AUTOMATIC) -> Provenance:
        return Provenance(report_id, institution, system, entry, occurred,
                          received or occurred + timedelta(days=1))

    def admission(self, report_id: str, occurred: date, starts_on: date, **kw: Any) -> Optagelse:
        school = kw.pop("school", None)
        return Optagelse(self.yp, self.prov(report_id, occurred, **kw), EDUCATION, starts_on,
                         school)

    def completion(self, report_id: str, occurred: date, **kw: Any) -> Gennemfoerelse:
        return Gennemfoerelse(self.yp, self.prov(report_id, occurred, **kw), EDUCATION)

    def interruption(self, report_id: str, occurred: date, **kw: Any) -> Afbrydelse:
        return Afbrydelse(self.yp, self.prov(report_id, occurred, **kw), EDUCATION, "01")

    def risk(self, report_id: str, occurred: date, **kw: Any) -> RisikoForFrafald:
        return RisikoForFrafald(self.yp, self.prov(report_id, occurred, **kw))

    def contact(self, report_id: str, occurred: date, **kw: Any) -> IndberetInstitutionKontakt:
        return IndberetInstitutionKontakt(self.yp, self.prov(report_id, occurred, **kw),
                                          Contact("vejleder-7", ContactKind.PERSON))

    def receipt(self, report_id: str, occurred: date, in_reply_to: str,
                **kw: Any) -> Modtagelseskvittering:
        return Modtagelseskvittering(self.yp, self.prov(report_id, occurred, **kw),
                                     in_reply_to, Contact("sps-team", ContactKind.TEAM))

    # ----------------------------------------------------------------- reading

    def receive(self, *messages: Any) -> None:
        for m in messages:
            self.app.receive_institution_message(m)

    def facts(self, as_of: date = TODAY) -> Facts:
        return self.app.case_file(self.yp).view(as_of=as_of)

    def items(self, source: Any, on: date = TODAY) -> list[WorkItem]:
        return list(source(self.facts(on), on))

    def reports(self) -> list[str]:
        return sorted(r.payload["report_id"]
                      for r in self.facts().other.get("InstitutionReportReceived", []))

    def start(self, admission_id: str, on: date) -> None:
        self.app.start_education(self.order, occurred_on=on, recorded_by=CASEWORKER,
                                 admission_id=admission_id)

    @property
    def young_person_id(self) -> UUID:
        return self.yp
