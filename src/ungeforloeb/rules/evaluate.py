"""The pure evaluator: a case's facts, an as-of date, a rule set and a calendar → verdicts.

Nothing here knows a date of the law: which period of a rule applies, its population, its clock
and what meets it all come from the rule data. Each rule *kind* is one small pure function,
chosen by the ``kind`` key in the data and parameterised by it.

The facts are expected to be a view as of ``as_of`` (and as known at a date, when the caller
wants that; :meth:`ungeforloeb.casefile.CaseFile.view` does the filtering). Records after
``as_of`` are ignored here as well, so a verdict as of D never depends on an event after D.

Order independence: among events on the same day, choices never depend on their recording order
(sequence numbers only break ties between identical types on identical days).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ungeforloeb.casefile.fold import Facts, assignment_key
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.rules.calendar import Calendar, Calendars, subtract
from ungeforloeb.rules.model import DateRef, EventMatch, Rule, RuleSet
from ungeforloeb.rules.verdict import EventRef, Status, Verdict

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


@dataclass(frozen=True, slots=True)
class Subject:
    """What one verdict is about, with the records that may be used for it."""

    key: str
    records: tuple[EventRecord, ...]


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

    @property
    def end(self) -> date:
        """The end of the case for look-back windows: benefit end, or ``as_of``."""
        return self.ended_on if self.ended_on is not None else self.as_of


def _admission_records(records: Sequence[EventRecord], adm: EventRecord) -> tuple[EventRecord,
                                                                                  ...]:
    aid = adm.payload["admission_id"]
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
    """The subjects of a scope in a case (the case itself, each admission, order or report)."""
    recs = case.records
    if scope == "case":
        return [Subject("", recs)]
    if scope == "admission":
        return [Subject(f"admission:{r.payload['admission_id']}", _admission_records(recs, r))
                for r in recs if r.type == "Admitted"]
    if scope == "notification":
        out_n = []
        for r in recs:
            if r.type != "InstitutionNotified":
                continue
            adm = next((a for a in recs if a.type == "Admitted"
                        and a.payload["admission_id"] == r.payload.get("admission_id")), None)
            base = _admission_records(recs, adm) if adm is not None else recs
            message_id = r.payload.get("message_id")
            mine_n = tuple(x for x in base
                           if (x.type != "ReceiptReceived"
                               or x.payload.get("in_reply_to") == message_id)
                           and (x.type != "InstitutionNotified" or x.seq == r.seq))
            out_n.append(Subject(f"notification:{message_id}", mine_n))
        return out_n
    if scope == "order":
        return [Subject(f"order:{r.stream_id}",
                        tuple(x for x in recs
                              if x.stream_type != "EducationOrder" or x.stream_id == r.stream_id))
                for r in recs if r.type == "OrderIssued"]
    out = []
    seen: set[str] = set()
    for r in recs:
        if r.type != "RiskOfDropoutReported" or r.stream_id in seen:
            continue
        seen.add(r.stream_id)
        aid = r.payload.get("admission_id")
        mine = tuple(x for x in recs
                     if (x.stream_type != "RetentionCase" or x.stream_id == r.stream_id)
                     and (aid is None or x.payload.get("admission_id") in (None, aid)))
        out.append(Subject(f"report:{r.payload.get('report_id', r.stream_id)}", mine))
    return out


# ------------------------------------------------------------------------------ small helpers


def _where(rec: EventRecord, where: Mapping[str, Any]) -> bool:
    return all(k in rec.payload and rec.payload[k] == v for k, v in where.items())


def _matches(rec: EventRecord, m: EventMatch, group: str | None) -> bool:
    if rec.type != m.event or not _where(rec, m.where):
        return False
    return not m.groups or group in m.groups


def _date_of(rec: EventRecord, field: str | None) -> date | None:
    if field is None:
        return rec.occurred_on
    value = rec.payload.get(field)
    return date.fromisoformat(value) if isinstance(value, str) else None


def resolve(ref: DateRef, records: Iterable[EventRecord],
            not_after: date | None = None) -> tuple[EventRecord, date] | None:
    """The first (or latest) event matching ``ref`` and the date it gives; with ``not_after``,
    only dates on or before it (a message noted before D but received after D had not
    reached the municipality as of D)."""
    found = []
    for r in records:
        if r.type == ref.event and _where(r, ref.where):
            d = _date_of(r, ref.field)
            if d is not None and (not_after is None or d <= not_after):
                found.append((d, r.occurred_on, r.seq, r))
    if not found:
        return None
    pick = max(found) if ref.which == "latest" else min(found)
    return pick[3], pick[0]


def _first(recs: Iterable[EventRecord]) -> EventRecord | None:
    """The earliest record; same-day ties by type, then seq (not recording order of types)."""
    return min(recs, key=lambda r: (r.occurred_on, r.type, r.seq), default=None)


@dataclass(slots=True)
class Outcome:
    """What a kind function decides (the evaluator adds the rule's context)."""

    status: Status
    reason: str
    due_on: date | None = None
    clock_start: EventRef | None = None
    met_by: EventRef | None = None
    closed_by: EventRef | None = None


def _lapse(rule: Rule, subject: Subject, case: Case, since: date,
           due: date | None) -> tuple[Outcome | None, EventRef | None]:
    """An unmet duty and the events that end it (``lapses_by``): an end on or before the due
    date (or, without one, any end) makes it lapse; an end after it closes a miss."""
    if not rule.lapses_by:
        return None, None
    hit = _first(r for r in subject.records if since <= r.occurred_on <= case.as_of
                 and any(_matches(r, m, case.group) for m in rule.lapses_by))
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
        of_type = [r for r in subject.records if r.type == req.event]
        if not of_type:
            return Outcome(Status(req.missing), f"no {req.event} recorded as of {d}")
        if req.where_any and not any(_where(r, w) for r in of_type for w in req.where_any):
            rec = of_type[-1]
            return Outcome(Status.NOT_APPLICABLE,
                           f"{EventRef.of(rec).text()} does not put the case in the population")
    for m in p.excluded_if:
        hit = _first(r for r in subject.records if _matches(r, m, case.group))
        if hit is not None:
            return Outcome(Status.NOT_APPLICABLE, f"excluded by {EventRef.of(hit).text()}")
    if p.within is not None:
        w = p.within
        subj = resolve(w.subject, subject.records, case.as_of)
        if subj is None:
            return Outcome(Status.NOT_APPLICABLE, f"no {w.subject.describe()} as of {d}")
        anchors = [(dt, r) for r in subject.records if r.type == w.anchor.event
                   and _where(r, w.anchor.where)
                   and (dt := _date_of(r, w.anchor.field)) is not None and dt <= subj[1]]
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


# ------------------------------------------------------------------------------- rule kinds


def _clocked(rule: Rule, subject: Subject, case: Case, late_counts: bool) -> Outcome:
    clock = rule.clock
    assert clock is not None
    d = case.as_of.isoformat()
    start = resolve(clock.start, subject.records, case.as_of)
    if start is None:
        return Outcome(Status.NOT_APPLICABLE,
                       f"clock not started: no {clock.start.describe()} as of {d}")
    start_ref = EventRef.of(start[0], start[1])
    base = resolve(clock.base, subject.records) if clock.base is not None else start
    if base is None:
        assert clock.base is not None
        return Outcome(Status.NOT_APPLICABLE, f"no {clock.base.describe()} as of {d}: "
                                              f"nothing to judge yet", clock_start=start_ref)
    due = (case.calendar.add(base[1], clock.length, clock.unit)
           if clock.length is not None and clock.unit is not None else None)
    sat = _first(r for r in subject.records
                 if r.occurred_on >= start[1]
                 and any(_matches(r, m, case.group) for m in rule.satisfied_by))
    met_ref = EventRef.of(sat) if sat is not None else None
    if due is None:
        if sat is not None:
            return Outcome(Status.MET, "documented", None, start_ref, met_ref)
        if case.ended_on is not None:
            return Outcome(Status.MISSED,
                           f"the case ended on {case.ended_on.isoformat()} without it", None,
                           start_ref)
        return Outcome(Status.DUE, "open until the case ends", None, start_ref)
    if sat is not None and sat.occurred_on <= due:
        return Outcome(Status.MET, "in time", due, start_ref, met_ref)
    lapsed, closed = _lapse(rule, subject, case, start[1], due) if sat is None else (None, None)
    if lapsed is not None:
        lapsed.clock_start = start_ref
        return lapsed
    if sat is not None and late_counts:
        return Outcome(Status.MET, f"documented late ({(sat.occurred_on - due).days} days after "
                                   f"the expected date)", due, start_ref, met_ref)
    if sat is not None:
        return Outcome(Status.MISSED, f"late by {(sat.occurred_on - due).days} days", due,
                       start_ref, met_ref)
    if case.as_of <= due:
        return Outcome(Status.DUE, f"open, due {due.isoformat()}", due, start_ref)
    return Outcome(Status.MISSED, f"not done by {due.isoformat()}", due, start_ref,
                   closed_by=closed)


def deadline(rule: Rule, subject: Subject, case: Case) -> Outcome:
    """Something must happen by a due date; a late event is missed."""
    return _clocked(rule, subject, case, late_counts=False)


def documented(rule: Rule, subject: Subject, case: Case) -> Outcome:
    """Something must be documented; late documentation counts, absence after the expected
    date (or the case's end) does not."""
    return _clocked(rule, subject, case, late_counts=True)


def _flag_events(rule: Rule, subject: Subject,
                 case: Case) -> tuple[list[EventRecord], str, bool]:
    """The events an event_flag rule judges, the window's text, and whether ``after`` was
    found (``False``: no such event as of the day)."""
    m = rule.satisfied_by[0]
    events = [r for r in subject.records if _matches(r, m, case.group)]
    if rule.after is not None:
        after = resolve(rule.after, subject.records, case.as_of)
        if after is None:
            return [], "", False
        events = [r for r in events if r.occurred_on >= after[1]]
    window = ""
    if rule.which == "any_in_window":
        assert rule.window is not None
        since = subtract(case.end, *rule.window)
        events = [r for r in events if since <= r.occurred_on <= case.end]
        window = f" between {since.isoformat()} and {case.end.isoformat()}"
    elif events:
        day = (max if rule.which == "latest" else min)(r.occurred_on for r in events)
        events = [r for r in events if r.occurred_on == day]
    return events, window, True


def event_flag(rule: Rule, subject: Subject, case: Case) -> Outcome:
    """The first / latest / any-in-window recorded event must carry ``flag`` = true."""
    m = rule.satisfied_by[0]
    assert rule.flag is not None
    events, window, found = _flag_events(rule, subject, case)
    if not found:
        assert rule.after is not None
        return Outcome(Status(rule.if_none),
                       f"no {rule.after.describe()} as of {case.as_of.isoformat()}")
    if not events:
        return Outcome(Status(rule.if_none), f"no {m.event} to judge{window}")
    judged = _first(events)
    assert judged is not None
    yes = _first(r for r in events if r.payload.get(rule.flag) is True)
    if yes is not None:
        return Outcome(Status.MET, f"{rule.flag} recorded{window}", None, EventRef.of(judged),
                       EventRef.of(yes))
    if all(rule.flag not in r.payload or r.payload[rule.flag] is None for r in events):
        return Outcome(Status.NOT_DOCUMENTED, f"{m.event} has no {rule.flag} to judge",
                       None, EventRef.of(judged))
    return Outcome(Status.MISSED, f"{rule.flag} not recorded{window}", None, EventRef.of(judged))


def single_caseworker(rule: Rule, subject: Subject, case: Case) -> Outcome:
    """One caseworker over the look-back window ending at the case's end."""
    assert rule.window is not None
    since = subtract(case.end, *rule.window)
    assigns = sorted((r for r in subject.records if r.type == "CaseworkerAssigned"),
                     key=assignment_key)
    if not assigns:
        return Outcome(Status.NOT_DOCUMENTED, "no caseworker assignment recorded")
    before = [r for r in assigns if r.occurred_on <= since]
    inside = [r for r in assigns if since < r.occurred_on <= case.end]
    used = ([before[-1]] if before else []) + inside
    ids = sorted({r.payload["caseworker_id"] for r in used})
    first = EventRef.of(used[0]) if used else None
    if len(ids) == 1:
        return Outcome(Status.MET, f"one caseworker ({ids[0]}) since {since.isoformat()}",
                       None, first)
    return Outcome(Status.MISSED, f"{len(ids)} caseworkers since {since.isoformat()}: "
                                  f"{', '.join(ids)}", None, first)


def step_deadline(rule: Rule, subject: Subject, case: Case) -> Outcome:
    """The order's step deadline as set (and moved) by the case; met by the step's event."""
    sets = [r for r in subject.records
            if r.type in ("StepDeadlineSet", "StepDeadlineMoved") and r.payload.get("step")
            == rule.step]
    if not sets:
        return Outcome(Status.NOT_APPLICABLE, f"no deadline set for step {rule.step}")
    latest = max(sets, key=lambda r: (r.occurred_on, r.seq))
    due = date.fromisoformat(latest.payload["deadline"])
    sat = _first(r for r in subject.records
                 if any(_matches(r, m, case.group) for m in rule.satisfied_by))
    start = EventRef.of(latest)
    if sat is not None:
        status = Status.MET if sat.occurred_on <= due else Status.MISSED
        return Outcome(status, "in time" if status is Status.MET else
                       f"late by {(sat.occurred_on - due).days} days", due, start,
                       EventRef.of(sat))
    lapsed, closed = _lapse(rule, subject, case, date.min, due)
    if lapsed is not None:
        lapsed.clock_start = start
        return lapsed
    if case.as_of <= due:
        return Outcome(Status.DUE, f"open, due {due.isoformat()}", due, start)
    return Outcome(Status.MISSED, f"not done by {due.isoformat()}", due, start,
                   closed_by=closed)


KIND_FUNCTIONS: Mapping[str, Callable[[Rule, Subject, Case], Outcome]] = {
    "deadline": deadline,
    "documented": documented,
    "event_flag": event_flag,
    "single_caseworker": single_caseworker,
    "step_deadline": step_deadline,
}


Decided = tuple[EventRecord | None, date]
"""The day that chose a rule's period, and the event it came from (``None``: a window's end)."""


def _window_end(case: Case) -> Decided:
    ended = next((r for r in case.records if r.type == "BenefitEnded"), None)
    return (ended, case.end)


def _judged_flag(rule: Rule, subject: Subject, case: Case) -> Decided | None:
    if rule.which == "any_in_window":
        return _window_end(case)
    events, _, _ = _flag_events(rule, subject, case)
    judged = _first(events)
    return (judged, judged.occurred_on) if judged is not None else None


JUDGED: Mapping[str, Callable[[Rule, Subject, Case], Decided | None]] = {
    "event_flag": _judged_flag,
    "single_caseworker": lambda rule, subject, case: _window_end(case),
}
"""For ``period_by = "judged"``: the day of what each kind judges."""


def period_day(rule: Rule, subject: Subject, case: Case) -> Decided | None:
    """The day (and its event) that chooses the rule's period, as the rule's ``period_by`` says;
    with nothing judged yet, the triggering event's day."""
    if rule.period_by == "clock_start" and rule.clock is not None:
        found: Decided | None = resolve(rule.clock.start, subject.records, case.as_of)
        if found is not None:
            return found
    elif rule.period_by == "judged" and rule.kind in JUDGED:
        found = JUDGED[rule.kind](rule, subject, case)
        if found is not None:
            return found
    return resolve(rule.applies_by, subject.records, case.as_of)


# ------------------------------------------------------------------------------- evaluator


def _decided_text(decided: Decided) -> str:
    rec, on = decided
    if rec is None:
        return f"the window's end on {on.isoformat()}"
    return EventRef.of(rec, on).text()


def _explain(rule: Rule, out: Outcome, decided: Decided | None, *,
             chosen: bool = True) -> str:
    parts = [f"{rule.description}: {out.status.value} — {out.reason}."]
    if not chosen:
        parts.append(f"Rule {rule.id}: no period applies.")
        return " ".join(parts)
    parts.append(f"Rule {rule.id} {rule.period_text()} ({rule.regime})"
                 + (f", chosen by {_decided_text(decided)}" if decided else "") + ".")
    parts.append(f"Source: {rule.legal_source}.")
    parts.append(f"Population: {rule.population.describe()}.")
    if rule.clock is not None:
        parts.append(f"Clock: {rule.clock.describe()}"
                     + (f", due {out.due_on.isoformat()}" if out.due_on else "") + ".")
    elif out.due_on is not None:
        parts.append(f"Due {out.due_on.isoformat()}.")
    if out.clock_start is not None:
        parts.append(f"Started by {out.clock_start.text()}.")
    if out.met_by is None:
        parts.append("Met by: none.")
    elif out.status is Status.MISSED:
        parts.append(f"Done late by {out.met_by.text()}.")
    else:
        parts.append(f"Met by {out.met_by.text()}.")
    if out.closed_by is not None:
        parts.append(f"No longer open: {out.closed_by.text()}.")
    return " ".join(parts)


def _capped(rule: Rule, rules: RuleSet, out: Outcome, case: Case) -> Outcome:
    """A duty abolished by a later regime (ended, neither amended nor replaced) cannot fall due
    after its end: open or missed with a due date on or after the end (or with none), it is not
    applicable from the end on. What fell due before the end stands. A replaced duty triggered
    before the change stays judged by its old rule (the transition)."""
    end = rule.effective_to
    if end is None or case.as_of < end or rules.continues(rule) or rules.replaced_by(rule):
        return out
    if out.status not in (Status.DUE, Status.MISSED):
        return out
    if out.due_on is not None and out.due_on < end:
        return out
    why = rules.ended_because(rule)
    falls = f"fell due on {out.due_on.isoformat()}" if out.due_on else "the case ended"
    return Outcome(Status.NOT_APPLICABLE,
                   f"the duty ended on {end.isoformat()}" + (f" ({why})" if why else "")
                   + f" before it {falls}", out.due_on, out.clock_start, out.met_by)


def _judge(rule_id: str, rules: RuleSet, subject: Subject, case: Case,
           prior: Mapping[tuple[str, str], Verdict]) -> Verdict:
    periods = rules.periods(rule_id)
    chosen: Rule | None = None
    decided: Decided | None = None
    for p in periods:
        found = period_day(p, subject, case)
        if found is not None and p.in_force(found[1]):
            chosen, decided = p, found
            break
    shown = chosen or rules.latest(rule_id)
    ctx: dict[str, Any] = {
        "case_id": case.facts.young_person_id, "rule_id": rule_id,
        "control_point": shown.control_point, "legal_source": shown.legal_source,
        "subject": subject.key, "group": case.group,
        "caseworker_id": case.caseworker[0] if case.caseworker else None,
        "team_id": case.caseworker[1] if case.caseworker else None,
    }
    if chosen is None or decided is None:
        found = period_day(shown, subject, case)
        decided_ref = None
        if found is None:
            reason = f"no {shown.applies_by.describe()} as of {case.as_of.isoformat()}"
        else:
            if found[0] is not None:
                decided_ref = EventRef.of(found[0], found[1])
            spans = ", ".join(p.period_text() for p in periods)
            reason = (f"not in force on {found[1].isoformat()} ({_decided_text(found)}); "
                      f"periods {spans}")
        out = Outcome(Status.NOT_APPLICABLE, reason)
        return Verdict(status=out.status, due_on=None, clock_start=None, met_by=None,
                       explanation=_explain(shown, out, found, chosen=False),
                       decided_by=decided_ref,
                       **ctx)
    decided_ref = EventRef.of(decided[0], decided[1]) if decided[0] is not None else None
    out = population(chosen, subject, case, decided[1], prior) or \
        _capped(chosen, rules, KIND_FUNCTIONS[chosen.kind](chosen, subject, case), case)
    return Verdict(status=out.status, due_on=out.due_on, clock_start=out.clock_start,
                   met_by=out.met_by, explanation=_explain(chosen, out, decided),
                   regime=chosen.regime, period=chosen.period_text(), decided_by=decided_ref,
                   closed_by=out.closed_by, **ctx)


def _order(rules: RuleSet) -> list[str]:
    """Rule ids, those another rule's population depends on first."""
    ids = list(rules.ids)
    dependent = {r.id for r in rules.rules if r.population.after_status is not None}
    return [i for i in ids if i not in dependent] + [i for i in ids if i in dependent]


def evaluate(facts: Facts, as_of: date, rules: RuleSet,
             calendars: Calendars | Calendar | None = None) -> list[Verdict]:
    """Every rule's verdicts for one case as of ``as_of``, sorted by (rule id, subject)."""
    if isinstance(calendars, Calendar):
        calendar = calendars
    else:
        calendar = (calendars or Calendars()).for_municipality(facts.municipality_code)
    records = tuple(r for r in collect_records(facts) if r.occurred_on <= as_of)
    ended = next((r.occurred_on for r in records if r.type == "BenefitEnded"), None)
    case = Case(facts, as_of, records, facts.current_group, facts.current_caseworker, calendar,
                ended)
    prior: dict[tuple[str, str], Verdict] = {}
    verdicts: list[Verdict] = []
    for rule_id in _order(rules):
        scope = rules.latest(rule_id).scope
        subs = subjects(scope, case)
        if not subs:
            shown = rules.latest(rule_id)
            out = Outcome(Status.NOT_APPLICABLE,
                          f"no {scope} to judge as of {as_of.isoformat()}")
            verdicts.append(Verdict(
                case_id=facts.young_person_id, rule_id=rule_id,
                control_point=shown.control_point, status=out.status, due_on=None,
                clock_start=None, met_by=None, legal_source=shown.legal_source,
                explanation=_explain(shown, out, None, chosen=False), group=case.group,
                caseworker_id=case.caseworker[0] if case.caseworker else None,
                team_id=case.caseworker[1] if case.caseworker else None))
            continue
        for sub in subs:
            v = _judge(rule_id, rules, sub, case, prior)
            prior[(rule_id, sub.key)] = v
            verdicts.append(v)
    verdicts.sort(key=lambda v: v.sort_key)
    return verdicts
