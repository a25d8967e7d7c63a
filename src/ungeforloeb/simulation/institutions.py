"""The institutions' messages in the simulation: what the schools report arrives through the
exchange's inbound path (:meth:`~ungeforloeb.application.Ungeforloeb.receive_inbound`), with
the data-quality problems of seed 002 at small rates.

:func:`with_institution_messages` takes one young person's planned actions (from
:mod:`.person`) and turns every report the plan has the institutions make — admission,
interruption, completion, risk of dropout — into the typed inbound message, received on the day
the plan records it. The report ids are the plan's own admission and risk ids, so the
caseworker's later actions (start, duty assessment, contact after a risk) still name the right
admission; a retention case's id is the one the exchange derives from the risk report
(:func:`~ungeforloeb.application.exchange_commands.retention_case_id`), and the caseworker's
actions on it are re-targeted.

It then adds, each with a small probability (:data:`RATES`):

- the institution's contact person or team (IndberetInstitutionKontakt) some days after the
  admission, and a receipt (modtagelseskvittering) for a DataTilInstitution the caseworker sent —
  so that notifications without either show as missing receipts;
- a duplicate of a report, delivered again 1–3 days later (same report id: nothing changes);
- a late report: it says it happened 20–60 days before it was received;
- an entry by hand instead of automatic, and a school municipality other than the home one;
- a contradiction: an education reported completed is later reported interrupted;
- a stray completion from an institution with no admission;
- a second risk message on the same education some weeks after the first.

Every choice draws from the person's own generator after their plan is made, so the plan itself
does not change and the same seed gives the same messages.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from ungeforloeb.application.exchange_commands import retention_case_id
from ungeforloeb.domain.exchange_values import EntryMode
from ungeforloeb.domain.values import ContactKind, InterruptionReason
from ungeforloeb.exchange import codelists
from ungeforloeb.exchange.messages import (
    Afbrydelse,
    Contact,
    Gennemfoerelse,
    InboundMessage,
    IndberetInstitutionKontakt,
    Modtagelseskvittering,
    Optagelse,
    Provenance,
    RisikoForFrafald,
)
from ungeforloeb.simulation.plan import Action

UDB = "udb"
COMMAND = "receive_inbound"

RATES = {
    "contact": 0.6,  # the institution sends its contact after an admission
    "receipt": 0.5,  # a receipt for a DataTilInstitution sent
    "duplicate": 0.03,
    "late": 0.05,
    "manual": 0.15,  # entered by hand (a school secretary), 002:264
    "other_school_municipality": 0.03,
    "contradiction": 0.04,  # of completions: later also reported interrupted
    "stray_completion": 0.01,  # of people with an admission
    "second_risk": 0.2,  # of risk messages
}
"""How often each thing happens (plausible small rates, not measured ones)."""

SYSTEMS = {"280727": "easy-a", "851401": "easy-a", "157209": "lectio", "461104": "ludus",
           "751450": "easy-a"}
"""The student-administrative system each (illustrative) institution reports from."""

OTHER_MUNICIPALITIES = ("147", "461", "751", "851")

_REASON_CODES = {InterruptionReason(c.maps_to): code
                 for code, c in sorted(codelists.load("afbrudsaarsager").codes.items())}


def _at(day: date, rng: random.Random) -> datetime:
    """A nightly batch time on ``day`` (UDB's daily delivery)."""
    return datetime.combine(day, time(1 + rng.randrange(4), rng.randrange(60)), tzinfo=UTC)


def _rid(prefix: str, rng: random.Random) -> str:
    return f"{prefix}-{rng.getrandbits(48):012x}"


class _Messages:
    """The messages of one young person as they are made."""

    def __init__(self, actions: list[Action], rng: random.Random, last_day: date) -> None:
        self.rng = rng
        self.last_day = last_day
        self.actions = actions
        self.out: list[Action] = []
        self.yp: UUID | None = None
        self.admissions: dict[str, dict[str, Any]] = {}
        self.starts: dict[str, date] = {}
        self.case_ids: dict[UUID, UUID] = {}

    def chance(self, what: str) -> bool:
        return self.rng.random() < RATES[what]

    def provenance(self, report_id: str, institution: str, occurred: date,
                   received: date) -> Provenance:
        entry = EntryMode.MANUAL if self.chance("manual") else EntryMode.AUTOMATIC
        return Provenance(report_id, institution, SYSTEMS.get(institution, "sis-x"), entry,
                          occurred, received)

    def emit(self, recorded_at: datetime, message: InboundMessage) -> None:
        if recorded_at.date() > self.last_day:
            return
        assert self.yp is not None
        self.out.append(Action(recorded_at, message.provenance.occurred_on, COMMAND, self.yp,
                               UDB, {"message": message}))
        if self.chance("duplicate"):
            again = recorded_at + timedelta(days=self.rng.randint(1, 3))
            if again.date() <= self.last_day:
                self.out.append(Action(again, message.provenance.occurred_on, COMMAND,
                                       self.yp, UDB, {"message": message}))

    def late(self, occurred: date, not_before: date) -> date:
        """Now and then the report says it happened weeks before it was received."""
        if self.chance("late"):
            return max(occurred - timedelta(days=self.rng.randint(20, 60)), not_before)
        return occurred

    def run(self) -> list[Action]:
        for a in self.actions:
            if a.command == "register_first_contact":
                self.yp = a.kwargs["young_person_id"]
            elif a.command == "start_education":
                self.starts[a.kwargs["admission_id"]] = a.occurred_on
        for a in self.actions:
            handled = self.yp is not None and a.recorded_by == UDB and self.translate(a)
            if not handled:
                self.out.append(self.retarget(a))
        if self.yp is not None and self.admissions and self.chance("stray_completion"):
            self.stray_completion()
        self.out.sort(key=lambda x: x.recorded_at)
        return self.out

    def retarget(self, a: Action) -> Action:
        if a.target in self.case_ids:
            return a._replace(target=self.case_ids[a.target])
        return a

    def translate(self, a: Action) -> bool:
        """Turn one report of the plan into an inbound message; False if it is not one."""
        assert self.yp is not None
        received = a.recorded_at.date()
        kw = a.kwargs
        if a.command == "admit":
            inst = kw["institution_id"]
            self.admissions[kw["admission_id"]] = kw
            school = self.rng.choice(OTHER_MUNICIPALITIES) \
                if self.chance("other_school_municipality") else None
            self.emit(a.recorded_at, Optagelse(
                self.yp, self.provenance(kw["admission_id"], inst, a.occurred_on, received),
                kw["education_code"], kw["starts_on"], school))
            if self.chance("contact"):
                day = received + timedelta(days=self.rng.randint(3, 20))
                self.emit(_at(day, self.rng), IndberetInstitutionKontakt(
                    self.yp, self.provenance(_rid("kon", self.rng), inst, day, day),
                    Contact(f"vejl-{self.rng.randrange(1, 40)}",
                            ContactKind.PERSON if self.rng.random() < 0.7
                            else ContactKind.TEAM)))
            return True
        if a.command in ("interrupt_education", "complete_education"):
            adm = self.admissions.get(kw["admission_id"])
            if adm is None:
                return False
            inst, code = adm["institution_id"], adm["education_code"]
            start = self.starts.get(kw["admission_id"], a.occurred_on)
            occurred = self.late(a.occurred_on, start)
            prov = self.provenance(_rid("afb" if a.command == "interrupt_education" else "gen",
                                        self.rng), inst, occurred, received)
            if a.command == "interrupt_education":
                self.emit(a.recorded_at, Afbrydelse(self.yp, prov, code,
                                                    _REASON_CODES[kw["reason"]]))
                return True
            self.emit(a.recorded_at, Gennemfoerelse(self.yp, prov, code))
            if self.chance("contradiction"):
                day = received + timedelta(days=self.rng.randint(3, 20))
                self.emit(_at(day, self.rng), Afbrydelse(
                    self.yp, self.provenance(_rid("afb", self.rng), inst, day, day), code,
                    self.rng.choice(sorted(_REASON_CODES.values()))))
            return True
        if a.command == "report_risk_of_dropout":
            report_id = kw["report_id"]
            self.case_ids[kw["case_id"]] = retention_case_id(self.yp, report_id)
            adm = self.admissions.get(kw.get("admission_id") or "")
            start = self.starts.get(kw.get("admission_id") or "", a.occurred_on)
            occurred = self.late(a.occurred_on, start)
            code = adm["education_code"] if adm else None
            self.emit(a.recorded_at, RisikoForFrafald(
                self.yp, self.provenance(report_id, kw["institution_id"], occurred,
                                         kw["received_on"]), code))
            if self.chance("second_risk"):
                day = received + timedelta(days=self.rng.randint(7, 30))
                self.emit(_at(day, self.rng), RisikoForFrafald(
                    self.yp, self.provenance(_rid("risk", self.rng), kw["institution_id"],
                                             day, day), code))
            return True
        return False

    def receipts(self) -> None:
        """Receipts for the DataTilInstitution messages the caseworkers sent."""
        assert self.yp is not None
        for a in self.actions:
            if a.command != "notify_institution" or not self.chance("receipt"):
                continue
            adm = self.admissions.get(a.kwargs["admission_id"])
            if adm is None:
                continue
            day = a.recorded_at.date() + timedelta(days=self.rng.randint(1, 8))
            self.emit(_at(day, self.rng), Modtagelseskvittering(
                self.yp, self.provenance(_rid("kvit", self.rng), adm["institution_id"], day,
                                         day),
                a.kwargs["message_id"], Contact(f"sps-{self.rng.randrange(1, 9)}",
                                                ContactKind.TEAM)))

    def stray_completion(self) -> None:
        """A completion from an institution where no admission was ever reported."""
        assert self.yp is not None
        first = self.actions[0].occurred_on
        day = first + timedelta(days=self.rng.randint(30, 330))
        known = {adm["institution_id"] for adm in self.admissions.values()}
        others = sorted(set(SYSTEMS) - known)
        if not others:
            return
        self.emit(_at(day, self.rng), Gennemfoerelse(
            self.yp, self.provenance(_rid("gen", self.rng), self.rng.choice(others), day, day),
            "stx"))


def with_institution_messages(actions: list[Action], rng: random.Random,
                              last_day: date) -> list[Action]:
    """One young person's actions with the institutions' reports arriving as inbound messages
    (see the module's docstring), in recording order, nothing after ``last_day``."""
    messages = _Messages(actions, rng, last_day)
    out = messages.run()
    if messages.yp is not None and messages.admissions:
        messages.out = out
        messages.receipts()
        out = sorted(messages.out, key=lambda x: x.recorded_at)
    return out
