"""The case as the rules see it on a day, and what every rule kind shares to judge it.

A :class:`Case` is a case's records as of a day, with its derived facts (group, caseworker,
calendar, end) taken once from the case view (:class:`ungeforloeb.casefile.fold.Facts`). A
:class:`Subject` is what one verdict is about — the case, one admission, order, risk report or
notification — with its records indexed once by event type, so a kind reads the events it needs
without scanning the rest. :func:`population` says whether a subject is in a rule's population;
the kinds (:mod:`ungeforloeb.rules.kinds`) judge the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ungeforloeb.casefile.fold import REPORT_OPENERS, SPELL_START, Facts
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.rules.calendar import Calendar
from ungeforloeb.rules.model import DateRef, EventMatch, Rule
from ungeforloeb.rules.verdict import EventRef, Status, Verdict

Decided = tuple[EventRecord | None, date]
"""The day that chose a rule's period, and the event it came from (``None``: a window's end)."""


# ---------------------------------------------------------------------------- the case's records


def collect_records(facts: Facts) -> list[EventRecord]:
    """Every record the fold kept (orphans excluded), once each, by (occurred_on, seq)."""
    out: list[EventRecord] = []
    for one in (facts.first_contact, facts.first_conversation, facts.benefit_ended):
        if one is not None:
            out.append(one)
    out.extend(v.rec for v in facts.visitations)
    for many in (facts.literacy_assessments, facts.literacy_tests, facts.guidance,
                 facts.coordinating_caseworker_offers, facts.conversations, facts.plan_updates,
                 facts.absences, facts.sanctions, facts.cv_available,
                 facts.job_seeker_registrations, facts.caseworker_assignments, facts.mentors):
        out.extend(many)
    for offer in facts.offers.values():
        out.append(offer.rec)
        if offer.ended is not None:
            out.append(offer.ended)
    for order in facts.orders.values():
        out.append(order.rec)
        out.extend(order.deadline_records)
        out.extend(order.wishes)
        out.extend(order.applications)
        if order.ended is not None:
            out.append(order.ended)
        for adm in order.admissions.values():
            out.append(adm.rec)
            for slot in (adm.duty_assessed, adm.started, adm.completed, adm.interrupted):
                if slot is not None:
                    out.append(slot)
            for recs in adm.extra.values():
                out.extend(recs)
    for case in facts.retention_cases.values():
        out.extend(case.reports)
        out.extend(case.contacts)
        out.extend(case.initiatives)
        if case.closed is not None:
            out.append(case.closed)
    for recs in facts.other.values():
        out.extend(recs)
    unique = {r.seq: r for r in out}
    return sorted(unique.values(), key=lambda r: (r.occurred_on, r.seq))


_KEYS: dict[int, tuple[object, tuple[object, ...]]] = {}


def _value_key(ref: DateRef | EventMatch) -> tuple[object, ...]:
    """A hashable key equal for equal rule data (a rule file's ``where`` is a dict), made once
    per object: the entry holds the object, so its id is not reused while the entry lives."""
    found = _KEYS.get(id(ref))
    if found is not None and found[0] is ref:
        return found[1]
    where_key = repr(sorted(ref.where.items()))
    key: tuple[object, ...] = (
        ("d", ref.event, where_key, ref.field, ref.which) if isinstance(ref, DateRef)
        else ("m", ref.event, where_key, ref.groups))
    if len(_KEYS) > 100_000:  # rule sets loaded again and again (tests): start over
        _KEYS.clear()
    _KEYS[id(ref)] = (ref, key)
    return key


FIRST_CONTACT = "FirstContactRegistered"
SAME_AS: Mapping[str, str] = {SPELL_START: FIRST_CONTACT}
"""Event types the rules read as another: a later benefit spell's start is that spell's first
contact, so a rule naming ``FirstContactRegistered`` judges every spell from its own start (a
spell's records hold one of the two, never both)."""


def _index(records: Sequence[EventRecord]) -> dict[str, tuple[EventRecord, ...]]:
    by_type: dict[str, list[EventRecord]] = {}
    for r in records:
        by_type.setdefault(r.type, []).append(r)
        also = SAME_AS.get(r.type)
        if also is not None:
            by_type.setdefault(also, []).append(r)
    return {k: tuple(v) for k, v in by_type.items()}


@dataclass(frozen=True, slots=True)
class Subject:
    """What one verdict is about, with the records that may be used for it (by occurred_on,
    seq), indexed once by event type."""

    key: str
    records: tuple[EventRecord, ...]
    by_type: Mapping[str, tuple[EventRecord, ...]] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict, compare=False)
    """What :meth:`matching` and :func:`resolve` found, by the value of the rule data asked
    about (several rules and periods ask the same: :func:`_value_key`)."""

    @classmethod
    def of(cls, key: str, records: Sequence[EventRecord]) -> Subject:
        recs = tuple(records)
        return cls(key, recs, _index(recs))

    def events(self, event_type: str) -> tuple[EventRecord, ...]:
        """The subject's records of one event type, in order."""
        return self.by_type.get(event_type, ())

    def matching(self, matches: Iterable[EventMatch], group: str | None) -> Iterator[EventRecord]:
        """The records matching any of ``matches`` (each record once)."""
        asked = tuple(matches)
        key = (group, *map(_value_key, asked))
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._matching(asked, group)
        return iter(found)

    def _matching(self, matches: tuple[EventMatch, ...],
                  group: str | None) -> tuple[EventRecord, ...]:
        if len(matches) == 1:
            m = matches[0]
            return tuple(r for r in self.events(m.event) if matches_event(r, m, group))
        seen: set[int] = set()
        out = []
        for m in matches:
            for r in self.events(m.event):
                if r.seq not in seen and matches_event(r, m, group):
                    seen.add(r.seq)
                    out.append(r)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Case:
    """The case as the rules see it on ``as_of``."""

    facts: Facts
    as_of: date
    records: tuple[EventRecord, ...]
    group: str | None
    caseworker: tuple[str, str] | None
    calendar: Calendar
    ended_on: date | None
    """The day benefit ended, if it had by ``as_of``."""
    ended: EventRecord | None = None

    @property
    def end(self) -> date:
        """The end of the case for look-back windows: benefit end, or ``as_of``."""
        return self.ended_on if self.ended_on is not None else self.as_of

    @classmethod
    def of(cls, facts: Facts, as_of: date, calendar: Calendar) -> Case:
        records = tuple(r for r in collect_records(facts) if r.occurred_on <= as_of)
        ended = next((r for r in records if r.type == "BenefitEnded"), None)
        return cls(facts, as_of, records, facts.current_group, facts.current_caseworker,
                   calendar, ended.occurred_on if ended is not None else None, ended)

    def window_end(self) -> Decided:
        """The end of the case's look-back windows, and the event that ended it (if any)."""
        return (self.ended, self.end)


def _admission_records(records: Sequence[EventRecord],
                       adm: EventRecord) -> tuple[EventRecord, ...]:
    aid = adm.payload.get("admission_id")
    inst = adm.payload.get("institution_id")
    out = []
    for r in records:
        other = r.payload.get("admission_id")
        if other is not None:
            if other == aid:
                out.append(r)
            continue
        if r.type in ("ContactExchanged", "ReceiptReceived") and \
                r.payload.get("institution_id") != inst:
            continue
        out.append(r)
    return tuple(out)


def subjects(scope: str, case: Case) -> list[Subject]:
    """The subjects of a scope in a case (the case itself, each admission, order, report or
    notification sent)."""
    recs = case.records
    if scope == "case":
        return [Subject.of("", recs)]
    if scope == "admission":
        return [Subject.of(f"admission:{r.payload.get('admission_id', '?')}",
                           _admission_records(recs, r))
                for r in recs if r.type == "Admitted"]
    if scope == "notification":
        out_n = []
        for r in recs:
            if r.type != "InstitutionNotified":
                continue
            adm = next((a for a in recs if a.type == "Admitted"
                        and a.payload.get("admission_id") == r.payload.get("admission_id")),
                       None)
            base = _admission_records(recs, adm) if adm is not None else recs
            message_id = r.payload.get("message_id")
            mine_n = tuple(x for x in base
                           if (x.type != "ReceiptReceived"
                               or x.payload.get("in_reply_to") == message_id)
                           and (x.type != "InstitutionNotified" or x.seq == r.seq))
            out_n.append(Subject.of(f"notification:{message_id}", mine_n))
        return out_n
    if scope == "order":
        return [Subject.of(f"order:{r.stream_id}",
                           tuple(x for x in recs
                                 if x.stream_type != "EducationOrder"
                                 or x.stream_id == r.stream_id))
                for r in recs if r.type == "OrderIssued"]
    out = []
    seen: set[str] = set()
    for r in recs:
        if r.type not in REPORT_OPENERS or r.stream_id in seen:
            continue
        seen.add(r.stream_id)
        aid = r.payload.get("admission_id")
        mine = tuple(x for x in recs
                     if (x.stream_type != "RetentionCase" or x.stream_id == r.stream_id)
                     and (aid is None or x.payload.get("admission_id") in (None, aid)))
        out.append(Subject.of(f"report:{r.payload.get('report_id', r.stream_id)}", mine))
    return out


# ------------------------------------------------------------------------------ small helpers


def where(rec: EventRecord, condition: Mapping[str, Any]) -> bool:
    """Whether the record's payload has every value of ``condition``."""
    if not condition:
        return True
    return all(k in rec.payload and rec.payload[k] == v for k, v in condition.items())


def matches_event(rec: EventRecord, m: EventMatch, group: str | None) -> bool:
    """Whether the record matches (type, payload values, group)."""
    if (rec.type != m.event and SAME_AS.get(rec.type) != m.event) or not where(rec, m.where):
        return False
    return not m.groups or group in m.groups


def date_of(rec: EventRecord, field_name: str | None) -> date | None:
    """The record's ``occurred_on``, or a date field of its payload."""
    if field_name is None:
        return rec.occurred_on
    value = rec.payload.get(field_name)
    return date.fromisoformat(value) if isinstance(value, str) else None


def resolve(ref: DateRef, subject: Subject,
            not_after: date | None = None) -> tuple[EventRecord, date] | None:
    """The first (or latest) event matching ``ref`` and the date it gives; with ``not_after``,
    only dates on or before it (a message noted before D but received after D had not
    reached the municipality as of D)."""
    key = (_value_key(ref), not_after)
    if key in subject.memo:
        return subject.memo[key]  # type: ignore[no-any-return]
    found = subject.memo[key] = _resolve(ref, subject, not_after)
    return found


def _resolve(ref: DateRef, subject: Subject,
             not_after: date | None) -> tuple[EventRecord, date] | None:
    found = []
    for r in subject.events(ref.event):
        if where(r, ref.where):
            d = date_of(r, ref.field)
            if d is not None and (not_after is None or d <= not_after):
                found.append((d, r.occurred_on, r.seq, r))
    if not found:
        return None
    pick = max(found) if ref.which == "latest" else min(found)
    return pick[3], pick[0]


def first(recs: Iterable[EventRecord]) -> EventRecord | None:
    """The earliest record; same-day ties by type, then seq (not recording order of types)."""
    return min(recs, key=lambda r: (r.occurred_on, r.type, r.seq), default=None)


@dataclass(slots=True)
class Outcome:
    """What a kind decides (the evaluator adds the rule's context)."""

    status: Status
    reason: str
    due_on: date | None = None
    clock_start: EventRef | None = None
    met_by: EventRef | None = None
    closed_by: EventRef | None = None


def lapse(rule: Rule, subject: Subject, case: Case, since: date,
          due: date | None) -> tuple[Outcome | None, EventRef | None]:
    """An unmet duty and the events that end it (``lapses_by``): an end on or before the due
    date (or, without one, any end) makes it lapse; an end after it closes a miss."""
    if not rule.lapses_by:
        return None, None
    hit = first(r for r in subject.matching(rule.lapses_by, case.group)
                if since <= r.occurred_on <= case.as_of)
    if hit is None:
        return None, None
    ref = EventRef.of(hit)
    if due is None or hit.occurred_on <= due:
        return Outcome(Status.NOT_APPLICABLE, f"the duty lapsed: {ref.text()} before it fell "
                                              f"due", due), ref
    return None, ref


# ------------------------------------------------------------------------------- population


def population(rule: Rule, subject: Subject, case: Case, decided_on: date,
               prior: Mapping[tuple[str, str], Verdict]) -> Outcome | None:
    """``None`` when the subject is in the rule's population; else why not (an outcome)."""
    p = rule.population
    d = case.as_of.isoformat()
    if case.facts.spell == 0 and not p.youth_effort:
        return Outcome(Status.NOT_APPLICABLE,
                       "followed by the youth effort without a benefit case; the rule applies "
                       "to benefit spells")
    if p.groups:
        if case.group is None:
            return Outcome(Status.NOT_DOCUMENTED,
                           f"no visitation recorded as of {d}: the group (rule applies to "
                           f"{'/'.join(p.groups)}) cannot be judged")
        if case.group not in p.groups:
            return Outcome(Status.NOT_APPLICABLE,
                           f"group {case.group} at the end of the case; rule applies to "
                           f"{'/'.join(p.groups)}")
    if p.age is not None:
        age = case.facts.age_on(decided_on)
        if age is None:
            return Outcome(Status.NOT_DOCUMENTED, "birth date not recorded: age cannot be judged")
        if not p.age[0] <= age <= p.age[1]:
            return Outcome(Status.NOT_APPLICABLE,
                           f"aged {age} on {decided_on.isoformat()}; rule applies to ages "
                           f"{p.age[0]}–{p.age[1]}")
    for req in p.requires:
        of_type = subject.events(req.event)
        if not of_type:
            return Outcome(Status(req.missing), f"no {req.event} recorded as of {d}")
        if req.where_any and not any(where(r, w) for r in of_type for w in req.where_any):
            rec = of_type[-1]
            return Outcome(Status.NOT_APPLICABLE,
                           f"{EventRef.of(rec).text()} does not put the case in the population")
    if p.requires_any:
        hit = first(subject.matching(p.requires_any, case.group))
        if hit is None:
            types = list(dict.fromkeys(m.event for m in p.requires_any))
            seen = [t for t in types if subject.events(t)]
            if len(seen) < len(types):
                return Outcome(Status.NOT_DOCUMENTED,
                               f"no {' or '.join(t for t in types if t not in seen)} recorded "
                               f"as of {d}, and nothing recorded puts the case in the "
                               f"population")
            return Outcome(Status.NOT_APPLICABLE,
                           "none of " + ", ".join(EventRef.of(subject.events(t)[-1]).text()
                                                  for t in types)
                           + " puts the case in the population")
    for m in p.excluded_if:
        hit = first(subject.matching((m,), case.group))
        if hit is not None:
            return Outcome(Status.NOT_APPLICABLE, f"excluded by {EventRef.of(hit).text()}")
    if p.within is not None:
        w = p.within
        subj = resolve(w.subject, subject, case.as_of)
        if subj is None:
            return Outcome(Status.NOT_APPLICABLE, f"no {w.subject.describe()} as of {d}")
        anchors = [(dt, r) for r in subject.events(w.anchor.event)
                   if where(r, w.anchor.where)
                   and (dt := date_of(r, w.anchor.field)) is not None and dt <= subj[1]]
        if not anchors:
            return Outcome(Status.NOT_DOCUMENTED,
                           f"no {w.anchor.describe()} recorded on or before "
                           f"{subj[1].isoformat()}: the window cannot be judged")
        anchor_on, anchor = max(anchors, key=lambda a: (a[0], a[1].seq))
        end = case.calendar.add(anchor_on, w.length, w.unit)
        if subj[1] > end:
            return Outcome(Status.NOT_APPLICABLE,
                           f"{w.subject.describe()} {subj[1].isoformat()} is after the window "
                           f"ending {end.isoformat()} ({EventRef.of(anchor).text()})")
    if p.min_case_length is not None:
        start = case.facts.first_contact_on
        if start is None or case.calendar.add(start, *p.min_case_length) > case.end:
            return Outcome(Status.NOT_APPLICABLE, "the case is shorter than required")
    if p.after_status is not None:
        other = prior.get((p.after_status[0], subject.key))
        if other is None or other.status.value not in p.after_status[1]:
            shown = other.status.value if other else "not judged"
            return Outcome(Status.NOT_APPLICABLE,
                           f"{p.after_status[0]} is {shown}, not "
                           f"{'/'.join(p.after_status[1])}")
    return None
