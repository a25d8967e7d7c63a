"""The pure fold from a young person's event records to their case facts.

``fold(records)`` is a function of the records alone: no clock, no rules, no I/O. Views for an
as-of date (what had happened by D) and a known-at date (what was recorded by T) are filters on
the records before the fold, so a verdict as of D can never depend on an event after D.

Every fact keeps the record it came from (``rec``) so that explanations can name the event, its
sequence number and its dates.

Benefit spells: a young person who comes back to benefit after their spell ended starts a new
spell (``BenefitSpellStarted``, the spell's first contact). The fold splits the records into
spells — the young person's own records by the day they happened (on or after a spell's start
belongs to that spell), an order's or retention case's whole stream by the day it was opened (a
risk report about an order's admission goes with the order) — and folds each spell on its own,
so a spell's facts, and so its verdicts, never change because a later spell started.
:func:`fold` returns the latest spell, with the earlier ones in :attr:`Facts.earlier`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.young_person import assignment_order


@dataclass(slots=True)
class Visitation:
    rec: EventRecord
    stage: str
    group: str
    perspective_recorded: bool
    justification_recorded: bool


@dataclass(slots=True)
class Offer:
    rec: EventRecord
    offer_id: str
    kind: str
    individually_assessed: bool
    purpose_stated: bool
    ended: EventRecord | None = None


@dataclass(slots=True)
class Admission:
    rec: EventRecord
    order_id: str
    admission_id: str
    institution_id: str
    education_code: str
    starts_on: date
    duty_assessed: EventRecord | None = None
    started: EventRecord | None = None
    completed: EventRecord | None = None
    interrupted: EventRecord | None = None
    extra: dict[str, list[EventRecord]] = field(default_factory=dict)
    """Further records about this admission by event type (the exchange adds these)."""

    @property
    def education_start(self) -> date:
        """The education's start: the recorded ``EducationStarted``, else the admission's
        ``starts_on`` (the one definition used by the worklist, the rules and the exchange)."""
        return self.started.occurred_on if self.started is not None else self.starts_on


@dataclass(slots=True)
class Order:
    rec: EventRecord
    order_id: str
    step: int
    deadlines: dict[int, date] = field(default_factory=dict)
    """The current deadline of each step (after any moves)."""
    deadline_records: list[EventRecord] = field(default_factory=list)
    wishes: list[EventRecord] = field(default_factory=list)
    applications: list[EventRecord] = field(default_factory=list)
    admissions: dict[str, Admission] = field(default_factory=dict)
    ended: EventRecord | None = None


@dataclass(slots=True)
class Retention:
    rec: EventRecord
    case_id: str
    reports: list[EventRecord] = field(default_factory=list)
    contacts: list[EventRecord] = field(default_factory=list)
    initiatives: list[EventRecord] = field(default_factory=list)
    closed: EventRecord | None = None


@dataclass(slots=True)
class Facts:
    """Everything known of one young person's case, as plain data."""

    young_person_id: str
    first_contact: EventRecord | None = None
    municipality_code: str | None = None
    birth_date: date | None = None
    first_conversation: EventRecord | None = None
    visitations: list[Visitation] = field(default_factory=list)
    literacy_assessments: list[EventRecord] = field(default_factory=list)
    literacy_tests: list[EventRecord] = field(default_factory=list)
    guidance: list[EventRecord] = field(default_factory=list)
    coordinating_caseworker_offers: list[EventRecord] = field(default_factory=list)
    conversations: list[EventRecord] = field(default_factory=list)
    plan_updates: list[EventRecord] = field(default_factory=list)
    offers: dict[str, Offer] = field(default_factory=dict)
    absences: list[EventRecord] = field(default_factory=list)
    sanctions: list[EventRecord] = field(default_factory=list)
    cv_available: list[EventRecord] = field(default_factory=list)
    job_seeker_registrations: list[EventRecord] = field(default_factory=list)
    caseworker_assignments: list[EventRecord] = field(default_factory=list)
    mentors: list[EventRecord] = field(default_factory=list)
    benefit_ended: EventRecord | None = None
    orders: dict[str, Order] = field(default_factory=dict)
    retention_cases: dict[str, Retention] = field(default_factory=dict)
    other: dict[str, list[EventRecord]] = field(default_factory=dict)
    """Records of event types this fold does not model specifically, by type."""
    orphans: list[EventRecord] = field(default_factory=list)
    """Records that name an order, admission or case never seen (reported by the audit)."""
    spell: int = 1
    """The benefit spell these facts are of: 1 opened by ``FirstContactRegistered``, each
    later one by ``BenefitSpellStarted`` (then :attr:`first_contact` is that record); 0 for a
    young person followed by the youth effort before any benefit spell (no first contact)."""
    earlier: list[Facts] = field(default_factory=list)
    """The person's earlier spells, oldest first (set on the latest spell only)."""
    caseworker_before: tuple[str, str] | None = None
    """The caseworker (and team) at the end of the spell before, who stays the caseworker of
    a later spell until one is assigned in it."""

    @property
    def spells(self) -> list[Facts]:
        """Every spell of the person, oldest first (the earlier ones, then this one)."""
        return [*self.earlier, self]

    # ------------------------------------------------------------ derived facts

    @property
    def first_contact_on(self) -> date | None:
        return self.first_contact.occurred_on if self.first_contact else None

    @property
    def final_visitation(self) -> Visitation | None:
        """The first final visitation, if any."""
        for v in self.visitations:
            if v.stage == "final":
                return v
        return None

    @property
    def current_group(self) -> str | None:
        """The visitation group now (in a view as of D: on D, which is also the group at the end
        of the case as the audit classed cases, 003:677–679).

        The latest visitation by ``occurred_on``; on one day a final visitation wins over a
        preliminary one, then the group code decides — never the order of recording.
        """
        if not self.visitations:
            return None
        return max(self.visitations, key=_visitation_key).group

    @property
    def current_caseworker(self) -> tuple[str, str] | None:
        """(caseworker_id, team_id) of the latest assignment by ``occurred_on``; assignments on
        one day are ordered by caseworker id, then team id — never by the order of recording."""
        usable = [r for r in self.caseworker_assignments
                  if isinstance(r.payload.get("caseworker_id"), str)
                  and isinstance(r.payload.get("team_id"), str)]
        if not usable:
            return self.caseworker_before
        rec = max(usable, key=assignment_key)
        return rec.payload["caseworker_id"], rec.payload["team_id"]

    @property
    def admissions(self) -> list[Admission]:
        """Every admission under every order, by admission date."""
        out = [a for o in self.orders.values() for a in o.admissions.values()]
        out.sort(key=lambda a: (a.rec.occurred_on, a.rec.seq))
        return out

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day``."""
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def _visitation_key(v: Visitation) -> tuple[date, bool, str]:
    return (v.rec.occurred_on, v.stage == "final", v.group)


def assignment_key(rec: EventRecord) -> tuple[date, str, str]:
    """The order of caseworker assignments: by day, then caseworker id, then team id (the same
    on every path, whatever order same-day assignments were recorded in)."""
    return assignment_order(rec.occurred_on, str(rec.payload.get("caseworker_id") or ""),
                            str(rec.payload.get("team_id") or ""))


def _yp(f: Facts, r: EventRecord) -> None:
    t = r.type
    p = r.payload
    if t == "FirstContactRegistered":
        f.first_contact = r
        f.municipality_code = p["municipality_code"]
        f.birth_date = date.fromisoformat(p["birth_date"])
    elif t == "FirstConversationHeld":
        if f.first_conversation is None:
            f.first_conversation = r
    elif t == "Visitated":
        f.visitations.append(Visitation(r, p["stage"], p["group"], p["perspective_recorded"],
                                        p["justification_recorded"]))
    elif t == "LiteracyTestAssessed":
        f.literacy_assessments.append(r)
    elif t == "LiteracyTestTaken":
        f.literacy_tests.append(r)
    elif t == "RightsGuidanceGiven":
        f.guidance.append(r)
    elif t == "CoordinatingCaseworkerOffered":
        f.coordinating_caseworker_offers.append(r)
    elif t == "ConversationHeld":
        f.conversations.append(r)
    elif t == "PlanUpdated":
        f.plan_updates.append(r)
    elif t == "OfferStarted":
        f.offers[p["offer_id"]] = Offer(r, p["offer_id"], p["kind"], p["individually_assessed"],
                                        p["purpose_stated"])
    elif t == "OfferEnded":
        offer = f.offers.get(p["offer_id"])
        if offer is None:
            f.orphans.append(r)
        else:
            offer.ended = r
    elif t == "AbsenceRecorded":
        f.absences.append(r)
    elif t == "SanctionDecided":
        f.sanctions.append(r)
    elif t == "CvMadeAvailable":
        f.cv_available.append(r)
    elif t == "JobSeekerRegistered":
        f.job_seeker_registrations.append(r)
    elif t == "CaseworkerAssigned":
        f.caseworker_assignments.append(r)
    elif t == "MentorGranted":
        f.mentors.append(r)
    elif t == "BenefitEnded":
        f.benefit_ended = r
    elif t == SPELL_START:
        f.first_contact = r
    elif t == YOUTH_EFFORT:
        f.municipality_code = p["municipality_code"]
        f.birth_date = date.fromisoformat(p["birth_date"])
        f.other.setdefault(t, []).append(r)
    else:
        f.other.setdefault(t, []).append(r)


_ADMISSION_SLOTS = {
    "DutyToStartAssessed": "duty_assessed",
    "EducationStarted": "started",
    "EducationCompleted": "completed",
    "EducationInterrupted": "interrupted",
}


def _order(f: Facts, r: EventRecord) -> None:
    t = r.type
    p = r.payload
    if t == "OrderIssued":
        f.orders[r.stream_id] = Order(r, r.stream_id, int(p["step"]))
        return
    order = f.orders.get(r.stream_id)
    if order is None:
        f.orphans.append(r)
        return
    if t in ("StepDeadlineSet", "StepDeadlineMoved"):
        order.deadlines[int(p["step"])] = date.fromisoformat(p["deadline"])
        order.deadline_records.append(r)
    elif t == "EducationWishProposed":
        order.wishes.append(r)
    elif t == "ApplicationSubmitted":
        order.applications.append(r)
    elif t == "Admitted":
        order.admissions[p["admission_id"]] = Admission(
            r, r.stream_id, p["admission_id"], p["institution_id"], p["education_code"],
            date.fromisoformat(p["starts_on"]))
    elif t == "OrderEnded":
        order.ended = r
    else:
        admission_id = p.get("admission_id")
        if admission_id is None:
            f.other.setdefault(t, []).append(r)
            return
        admission = order.admissions.get(admission_id)
        if admission is None:
            f.orphans.append(r)
            return
        if t == "AdmissionQualifyingRecorded":
            # the case view's admission carries the flag as settled (the stored one unchanged)
            admission.rec = admission.rec._replace(
                payload={**admission.rec.payload, "qualifying": p["qualifying"]})
        slot = _ADMISSION_SLOTS.get(t)
        if slot is None:
            admission.extra.setdefault(t, []).append(r)
        elif getattr(admission, slot) is None:
            setattr(admission, slot, r)


def _retention(f: Facts, r: EventRecord) -> None:
    t = r.type
    if t in REPORT_OPENERS:
        case = f.retention_cases.get(r.stream_id)
        if case is None:
            f.retention_cases[r.stream_id] = case = Retention(r, r.stream_id)
        case.reports.append(r)
        return
    case = f.retention_cases.get(r.stream_id)
    if case is None:
        f.orphans.append(r)
        return
    if t == "YoungPersonContacted":
        case.contacts.append(r)
    elif t == "RetentionInitiativeDecided":
        case.initiatives.append(r)
    elif t == "RetentionCaseClosed":
        case.closed = r
    else:
        f.other.setdefault(t, []).append(r)


_BY_STREAM: dict[str, Callable[[Facts, EventRecord], None]] = {
    "YoungPerson": _yp,
    "EducationOrder": _order,
    "RetentionCase": _retention,
}


def _occurred(r: EventRecord) -> date:
    return r.occurred_on


SPELL_START = "BenefitSpellStarted"
"""The event that starts a benefit spell after the first (the spell's first contact)."""
YOUTH_EFFORT = "YouthEffortFollowed"
"""The event that opens a young person followed by the youth effort without benefit (their
records before any benefit spell are spell 0)."""
REPORT_OPENERS = ("RiskOfDropoutReported", "InterruptionNoted")
"""The events that open a retention case (each a subject of the rules' ``report`` scope)."""


def _fold_one(young_person_id: str, records: Iterable[EventRecord]) -> Facts:
    facts = Facts(young_person_id)
    for r in records:
        handler = _BY_STREAM.get(r.stream_type)
        if handler is None:
            facts.other.setdefault(r.type, []).append(r)
        else:
            handler(facts, r)
    return facts


def split_spells(records: Iterable[EventRecord]) -> list[list[EventRecord]]:
    """The records (sorted by ``occurred_on``) split into the person's benefit spells, oldest
    first: a young person's record goes to the spell running on its day; an order's or
    retention case's stream goes whole to the spell running on the day it was opened, except
    a retention case about an order's admission, which goes with the order; an offer's end
    goes with its start."""
    recs = sorted(records, key=_occurred)
    starts = sorted(r.occurred_on for r in recs
                    if r.type == SPELL_START and r.stream_type == "YoungPerson")
    if not starts:
        return [recs]
    stream_spell: dict[str, int] = {}
    for r in recs:
        if r.stream_type == "YoungPerson" or r.stream_id in stream_spell:
            continue
        order_id = r.payload.get("order_id")
        owner = stream_spell.get(order_id) if isinstance(order_id, str) else None
        stream_spell[r.stream_id] = (owner if owner is not None
                                     else bisect_right(starts, r.occurred_on))
    out: list[list[EventRecord]] = [[] for _ in range(len(starts) + 1)]
    offer_spell: dict[object, int] = {}
    for r in recs:
        if r.stream_type != "YoungPerson":
            n = stream_spell[r.stream_id]
        elif r.type == "OfferEnded" and r.payload.get("offer_id") in offer_spell:
            n = offer_spell[r.payload.get("offer_id")]  # with the offer it ends
        else:
            n = bisect_right(starts, r.occurred_on)
            if r.type == "OfferStarted":
                offer_spell[r.payload.get("offer_id")] = n
        out[n].append(r)
    return out


def fold(young_person_id: str, records: Iterable[EventRecord]) -> Facts:
    """Fold one young person's records into their facts: the latest benefit spell's, with the
    earlier spells' in :attr:`Facts.earlier` (see :func:`split_spells`).

    Records are taken in the order of ``occurred_on`` (a stable sort: ties keep recording
    order, which within a stream is its version order, and the domain refuses a fact dated
    before one it depends on), so that the same history recorded in another order gives the
    same facts.
    """
    parts = split_spells(records)
    spells = [_fold_one(young_person_id, part) for part in parts]
    person = spells[0]
    first = 0 if any(r.type == YOUTH_EFFORT for r in parts[0]) else 1
    person.spell = first
    for n, spell in enumerate(spells[1:], start=first + 1):
        spell.spell = n
        spell.municipality_code = person.municipality_code
        spell.birth_date = person.birth_date
        spell.caseworker_before = spells[n - 2].current_caseworker
    latest = spells[-1]
    latest.earlier = spells[:-1]
    return latest


@dataclass(slots=True)
class CaseFile:
    """One young person's records, in recording order, with views by date."""

    young_person_id: str
    records: Sequence[EventRecord]

    def view(self, as_of: date | None = None, known_at: date | None = None) -> Facts:
        """The facts as of ``as_of`` (events that happened on or before it), keeping only events
        recorded on or before ``known_at`` (UTC day) when given."""
        recs: Iterable[EventRecord] = self.records
        if as_of is not None:
            recs = [r for r in recs if r.occurred_on <= as_of]
        if known_at is not None:
            limit = known_at.isoformat()
            recs = [r for r in recs if r.recorded_at[:10] <= limit]
        return fold(self.young_person_id, recs)

    def facts(self) -> Facts:
        """All the facts recorded."""
        return fold(self.young_person_id, self.records)


def payload_value(rec: EventRecord, name: str) -> Any:
    """A payload field of a record (helper for rule predicates)."""
    return rec.payload.get(name)


def fold_days(young_person_id: str,
              records: Iterable[EventRecord]) -> Iterable[tuple[date, Facts]]:
    """The fold day by day: after the records of each day on which something happened, that
    day and the facts as of it (one :class:`Facts`, updated in place — read it before the next
    step). The facts of a day are those :func:`fold` gives for the records up to that day
    (for a person with benefit spells, or followed by the youth effort, a new :class:`Facts`
    each day: the latest spell's, as :func:`fold` gives them)."""
    ordered = sorted(records, key=_occurred)
    if any(r.type in (SPELL_START, YOUTH_EFFORT) for r in ordered):
        # more than one spell (or none yet): each day's facts as fold() splits them, folded
        # afresh (rare: only people who came back to benefit or the youth effort follows)
        days = sorted({r.occurred_on for r in ordered})
        for day in days:
            yield day, fold(young_person_id, [r for r in ordered if r.occurred_on <= day])
        return
    facts = Facts(young_person_id)
    i = 0
    while i < len(ordered):
        day = ordered[i].occurred_on
        while i < len(ordered) and ordered[i].occurred_on == day:
            r = ordered[i]
            handler = _BY_STREAM.get(r.stream_type)
            if handler is None:
                facts.other.setdefault(r.type, []).append(r)
            else:
                handler(facts, r)
            i += 1
        yield day, facts
