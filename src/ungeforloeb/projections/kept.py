"""A case as the kept projection holds it: its verdicts and work items on a day, and the next day
on which any of them can change without a new event.

:func:`keep` judges one case file on a day with the one evaluator and derives its work items (the
same :func:`ungeforloeb.projections.worklist.items_from_verdicts` and not-law sources as the live
worklist), and :func:`next_change` says from which day the result may differ if nothing new is
recorded: a due duty falling due, an item's showing day, a period ending, a date a record names
(a message received later than noted, an education's start, a mentor's end), a record leaving a
look-back window, a case reaching a length a population asks for. The day is conservative —
a case re-judged on it may well come out the same — never late: a kept result is the same as a
rebuild from the events on every day before it (property-tested).

Where it is stored and how it is kept current (one evaluation per changed case, in the
transaction of the tracking position) is :mod:`ungeforloeb.application.kept`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from weakref import ref

import attrs

from ungeforloeb.casefile.fold import CaseFile, Facts
from ungeforloeb.projections.data_quality import data_quality
from ungeforloeb.projections.reminders import DEFAULT_NOTICE_DAYS, reminders
from ungeforloeb.projections.worklist import WorkItem, items_from_verdicts
from ungeforloeb.rules.calendar import Calendar, Calendars, Unit, subtract
from ungeforloeb.rules.evaluate import evaluate, plan_of
from ungeforloeb.rules.judging import collect_records
from ungeforloeb.rules.kinds import KINDS
from ungeforloeb.rules.model import RuleSet
from ungeforloeb.rules.verdict import Status, Verdict

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@attrs.frozen
class KeptVerdict:
    """What the kept projection holds of a verdict: everything but the explanation (explain
    re-judges the case on demand, with the same evaluator)."""

    case_id: str
    rule_id: str
    subject: str
    status: Status
    due_on: date | None
    control_point: str | None
    legal_source: str
    regime: str | None
    period: str | None
    group: str | None
    caseworker_id: str | None
    team_id: str | None
    met_by: int | None
    """Sequence number of the event that met it."""

    def __reduce__(self) -> tuple[type[KeptVerdict], tuple[object, ...]]:
        # by its fields, positionally: a cold start's workers send thousands (attrs' default,
        # a state dict set field by field, takes twice as long to load)
        return (KeptVerdict, (self.case_id, self.rule_id, self.subject, self.status,
                              self.due_on, self.control_point, self.legal_source, self.regime,
                              self.period, self.group, self.caseworker_id, self.team_id,
                              self.met_by))

    @classmethod
    def of(cls, v: Verdict) -> KeptVerdict:
        return cls(v.case_id, v.rule_id, v.subject, v.status, v.due_on, v.control_point,
                   v.legal_source, v.regime, v.period, v.group, v.caseworker_id, v.team_id,
                   v.met_by.seq if v.met_by is not None else None)


@attrs.frozen
class KeptCase:
    """One case judged on ``day``: verdicts, work items, and the next day they can change."""

    case_id: str
    day: date
    verdicts: tuple[KeptVerdict, ...]
    items: tuple[WorkItem, ...]
    next_change: date | None
    """The first day after ``day`` on which the case must be judged again even if nothing new
    is recorded (``None``: only a new event changes it)."""
    caseworker_id: str | None
    team_id: str | None

    def __reduce__(self) -> tuple[type[KeptCase], tuple[object, ...]]:
        return (KeptCase, (self.case_id, self.day, self.verdicts, self.items, self.next_change,
                           self.caseworker_id, self.team_id))


@lru_cache(maxsize=16384)
def _leaves_window(on: date, length: int, unit: Unit) -> tuple[date, date]:
    """The days a record of day ``on`` crosses the start of a look-back window of ``length``
    ``unit`` ending on ``d``: the first ``d`` whose window starts on it, and the first whose
    window starts after it (kinds differ on whether the start day is inside)."""
    d = Calendar().add(on, length, unit) - timedelta(days=5)
    d = max(d, on)
    while subtract(d, length, unit) < on:
        d += timedelta(days=1)
    start = d
    while subtract(d, length, unit) <= on:
        d += timedelta(days=1)
    return start, d


@attrs.frozen
class _RuleDays:
    """What :func:`next_change` needs of a rule set, taken once per rule set."""

    bounds: tuple[date, ...]
    """Every day a period starts or ends (which law judges changes)."""
    windows: tuple[tuple[int, Unit], ...]
    case_lengths: tuple[tuple[int, Unit], ...]


_RULE_DAYS: dict[int, tuple[ref[RuleSet], _RuleDays]] = {}


def _rule_days(rules: RuleSet) -> _RuleDays:
    found = _RULE_DAYS.get(id(rules))
    if found is not None and found[0]() is rules:
        return found[1]
    bounds = {r.effective_from for r in rules.rules} | {
        r.effective_to for r in rules.rules if r.effective_to is not None}
    days = _RuleDays(
        tuple(sorted(bounds)),
        tuple(sorted({w for r in rules.rules for w in KINDS[r.kind].windows(r)},
                     key=lambda w: (w[0], w[1].value))),
        tuple(dict.fromkeys(r.population.min_case_length for r in rules.rules
                            if r.population.min_case_length is not None)))
    if len(_RULE_DAYS) > 64:
        for key in [k for k, (r, _) in _RULE_DAYS.items() if r() is None]:
            del _RULE_DAYS[key]
    _RULE_DAYS[id(rules)] = (ref(rules), days)
    return days


@lru_cache(maxsize=65536)
def _named_days(value: str, notice_days: int) -> tuple[date, ...]:
    """The days a date a record names can change something: the day, the day after, and the
    notice before it; ``()`` for a string that is not a day."""
    if len(value) != 10 or not _ISO_DAY.fullmatch(value):
        return ()
    named = date.fromisoformat(value)
    return (named - timedelta(days=notice_days), named, named + timedelta(days=1))


def next_change(facts: Facts, verdicts: Sequence[Verdict], day: date, rules: RuleSet,
                calendar: Calendar, *, notice_days: int = DEFAULT_NOTICE_DAYS,
                ahead: Iterable[date] = ()) -> date | None:
    """The first day after ``day`` on which the case's verdicts or items can differ with no new
    event (conservative: never later than the real change). ``ahead``: the days of events
    already recorded that happen after ``day``."""
    after = day + timedelta(days=1)
    best: date | None = None

    def see(d: date) -> None:
        nonlocal best
        if d >= after and (best is None or d < best):
            best = d

    for d in ahead:
        see(d)
    plan = plan_of(rules)
    for v in verdicts:
        if v.status is Status.DUE and v.due_on is not None:
            see(v.due_on + timedelta(days=1))
            rule = plan.shown(v.rule_id, v.period)
            shown = rule.worklist.show_from_days
            if shown is not None:
                see(v.due_on - timedelta(days=shown))
    rule_days = _rule_days(rules)
    for d in rule_days.bounds:  # a period starting or ending changes which law judges
        if d >= after:
            see(d)
            break
    records = collect_records(facts)
    every_spell = [r for f in facts.earlier for r in collect_records(f)] + records
    for rec in every_spell:  # dates the records name: received, starts, ends, deadlines
        for value in rec.payload.values():
            if isinstance(value, str):
                for d in _named_days(value, notice_days):
                    see(d)
    if facts.benefit_ended is None or facts.benefit_ended.occurred_on > day:
        occurred = {rec.occurred_on for rec in records}
        for length, unit in rule_days.windows:
            for on in occurred:
                for d in _leaves_window(on, length, unit):
                    see(d)
        if facts.first_contact_on:
            for length, unit in rule_days.case_lengths:
                see(calendar.add(facts.first_contact_on, length, unit))
    return best


def keep(case_file: CaseFile, day: date, rules: RuleSet,
         calendars: Calendars | None = None) -> KeptCase:
    """Judge one case file on ``day`` (as known now) and derive what the kept projection holds."""
    facts = case_file.view(as_of=day)
    calendar = (calendars or Calendars()).for_municipality(facts.municipality_code)
    verdicts = evaluate(facts, day, rules, calendar, explain=False)
    current = facts.current_caseworker
    items: list[WorkItem] = []
    for item in _items(verdicts, facts, day, rules):
        if current is not None and (item.caseworker_id is None or item.team_id is None):
            item = attrs.evolve(item, caseworker_id=item.caseworker_id or current[0],
                                team_id=item.team_id or current[1])
        items.append(item)
    return KeptCase(case_file.young_person_id, day, tuple(KeptVerdict.of(v) for v in verdicts),
                    tuple(items),
                    next_change(facts, verdicts, day, rules, calendar,
                                ahead=(r.occurred_on for r in case_file.records
                                       if r.occurred_on > day)),
                    current[0] if current else None, current[1] if current else None)


def _items(verdicts: Sequence[Verdict], facts: Facts, day: date,
           rules: RuleSet) -> Iterable[WorkItem]:
    yield from items_from_verdicts(verdicts, facts, day, rules)
    yield from data_quality(facts, day)
    yield from reminders(facts, day)
