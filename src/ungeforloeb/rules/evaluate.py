"""The evaluator: a case's facts, an as-of date, a rule set and a calendar → verdicts.

Dispatch only. Nothing here knows a date of the law or what a rule kind checks: which period of
a rule applies (chosen by the day its ``period_by`` names), its population
(:func:`ungeforloeb.rules.judging.population`), and its judgement (the rule's kind,
:mod:`ungeforloeb.rules.kinds`) all come from the rule data. A rule a later regime abolished is
capped at its end; the explanation names the rule, its period and regime, the event that chose
the period, the clock, and what met it.

The facts are expected to be a view as of ``as_of`` (and as known at a date, when the caller
wants that; :meth:`ungeforloeb.casefile.CaseFile.view` does the filtering). Records after
``as_of`` are ignored here as well, so a verdict as of D never depends on an event after D.

Order independence: among events on the same day, choices never depend on their recording order
(sequence numbers only break ties between identical types on identical days).

The rule set is compiled once into a :class:`Plan` (its rules in judging order, each rule's
periods, and what each period's kind needs), cached per rule set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any
from weakref import ref

import attrs

from ungeforloeb.casefile.fold import Facts
from ungeforloeb.rules.calendar import Calendar, Calendars
from ungeforloeb.rules.judging import (
    Case,
    Decided,
    Outcome,
    Subject,
    date_of,
    population,
    resolve,
    subjects,
)
from ungeforloeb.rules.kinds import KINDS
from ungeforloeb.rules.model import Rule, RuleSet, SetAside
from ungeforloeb.rules.verdict import DISTRIBUTED, EventRef, Status, Verdict, spell_subject

__all__ = ["Plan", "evaluate", "period_day", "plan_of"]


def period_day(rule: Rule, subject: Subject, case: Case) -> Decided | None:
    """The day (and its event) that chooses the rule's period, as the rule's ``period_by`` says;
    with nothing judged yet, the triggering event's day."""
    if rule.period_by == "clock_start" and rule.clock is not None:
        found: Decided | None = resolve(rule.clock.start, subject, case.as_of)
        if found is not None:
            return found
    elif rule.period_by == "judged":
        judged_day = KINDS[rule.kind].judged_day
        if judged_day is not None:
            found = judged_day(rule, subject, case)
            if found is not None:
                return found
    return resolve(rule.applies_by, subject, case.as_of)


def _decided_text(decided: Decided) -> str:
    rec, on = decided
    if rec is None:
        return f"the window's end on {on.isoformat()}"
    return EventRef.of(rec, on).text()


@dataclass(frozen=True, slots=True)
class _Texts:
    """The parts of a period's explanations that do not depend on the case, made once."""

    head: str
    """``Rule <id> <period> (<regime>)``"""
    source_population: str
    clock: str | None

    @classmethod
    def of(cls, rule: Rule) -> _Texts:
        return cls(f"Rule {rule.id} {rule.period_text()} ({rule.regime})",
                   f"Source: {rule.legal_source}. Population: {rule.population.describe()}.",
                   rule.clock.describe() if rule.clock is not None else None)


def _explain(rule: Rule, out: Outcome, decided: Decided | None, *,
             chosen: bool = True, texts: _Texts | None = None) -> str:
    parts = [f"{rule.description}: {out.status.value} — {out.reason}."]
    if not chosen:
        parts.append(f"Rule {rule.id}: no period applies.")
        return " ".join(parts)
    t = texts if texts is not None else _Texts.of(rule)
    parts.append(t.head + (f", chosen by {_decided_text(decided)}" if decided else "") + ".")
    parts.append(t.source_population)
    if t.clock is not None:
        parts.append(f"Clock: {t.clock}"
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


@dataclass(frozen=True, slots=True)
class _Period:
    """One period of a rule, compiled: the rule and what the cap needs."""

    rule: Rule
    abolished: bool
    """Ended by a later regime, neither amended nor replaced: capped at its end."""
    why: str | None
    legal_source: str = ""
    period: str = ""
    """The period's text (:meth:`Rule.period_text`), made once."""
    texts: _Texts | None = None
    reference: Rule | None = None
    """The rule with the audit's own population in place of the law's (for the reference
    figure), when its audit reference names one."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule_id: str
    scope: str
    shown: Rule
    """The latest period (for verdicts no period applies to)."""
    periods: tuple[_Period, ...]
    set_asides: tuple[SetAside, ...] = ()
    """The decisions that set this rule aside."""
    shown_source: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A rule set compiled once: its rules in judging order (rules another rule's population
    depends on first), each with its periods resolved."""

    rules: tuple[_Compiled, ...]
    by_period: Mapping[tuple[str, str], Rule]
    """Each period of each rule by (rule id, period text)."""

    latest: Mapping[str, Rule]
    """Each rule's latest period (:meth:`RuleSet.latest`)."""

    def period_named(self, rule_id: str, period: str | None) -> Rule | None:
        """The period of ``rule_id`` whose text is ``period`` (as
        :meth:`RuleSet.period_named`, looked up)."""
        return self.by_period.get((rule_id, period)) if period is not None else None

    def shown(self, rule_id: str, period: str | None) -> Rule:
        """The period a verdict names, else the rule's latest (a verdict no period applied to);
        ``KeyError`` for a rule not in the set."""
        found = self.by_period.get((rule_id, period)) if period is not None else None
        return found if found is not None else self.latest[rule_id]

    @classmethod
    def of(cls, rules: RuleSet) -> Plan:
        ids = list(rules.ids)
        dependent = {r.id for r in rules.rules if r.population.after_status is not None}
        ordered = [i for i in ids if i not in dependent] + [i for i in ids if i in dependent]
        out = []
        for rule_id in ordered:
            periods = rules.periods(rule_id)
            latest = rules.latest(rule_id)
            out.append(_Compiled(rule_id, latest.scope, latest, tuple(
                _Period(p, p.effective_to is not None and not rules.continues(p)
                        and rules.replaced_by(p) is None, rules.ended_because(p),
                        p.legal_source, p.period_text(), _Texts.of(p), _reference_rule(p))
                for p in periods), tuple(sa for sa in rules.set_asides if rule_id in sa.rules),
                latest.legal_source))
        return cls(tuple(out), {(r.id, r.period_text()): r for r in rules.rules},
                   {c.rule_id: c.shown for c in out})


def _reference_rule(rule: Rule) -> Rule | None:
    if rule.audit is None or rule.audit.population is None:
        return None
    return attrs.evolve(rule, population=rule.audit.population)


_JUDGED = (Status.MET, Status.MISSED, Status.UNUSED)

_PLANS: dict[int, tuple[ref[RuleSet], Plan]] = {}


def plan_of(rules: RuleSet) -> Plan:
    """The compiled plan of a rule set (compiled once, kept while the rule set lives; looked up
    by identity, as hashing a rule set means hashing every rule)."""
    found = _PLANS.get(id(rules))
    if found is not None and found[0]() is rules:
        return found[1]
    plan = Plan.of(rules)
    if len(_PLANS) > 64:
        for key in [k for k, (r, _) in _PLANS.items() if r() is None]:
            del _PLANS[key]
    _PLANS[id(rules)] = (ref(rules), plan)
    return plan


def _capped(period: _Period, out: Outcome, case: Case, day: date) -> Outcome:
    """A duty abolished by a later regime (ended, neither amended nor replaced) cannot fall due
    after its end: open or missed with a due date on or after the end (or with none), it is not
    applicable from the end on. What fell due before the end stands — and so does a duty
    without a due date decided on a judged event before the end (``period_by = "judged"``:
    ``day`` is that event's day). A replaced duty triggered before the change stays judged by
    its old rule (the transition)."""
    end = period.rule.effective_to
    if not period.abolished or end is None or case.as_of < end:
        return out
    if out.status not in (Status.DUE, Status.MISSED):
        return out
    if out.due_on is not None and out.due_on < end:
        return out
    if out.due_on is None and period.rule.period_by == "judged" and day < end:
        return out
    falls = f"fell due on {out.due_on.isoformat()}" if out.due_on else "the case ended"
    return Outcome(Status.NOT_APPLICABLE,
                   f"the duty ended on {end.isoformat()}"
                   + (f" ({period.why})" if period.why else "") + f" before it {falls}",
                   out.due_on, out.clock_start, out.met_by)


def _set_aside(compiled: _Compiled, out: Outcome, day: date, case: Case) -> Outcome:
    """An open or missed duty falling due (or, without a due date, decided) while a decision
    that sets its rule aside runs is not applicable, with the decision as the reason."""
    if not compiled.set_asides or out.status not in (Status.DUE, Status.MISSED):
        return out
    on = out.due_on or day
    for sa in compiled.set_asides:
        if not sa.in_force(on):
            continue
        for rec in case.records:
            if rec.type != sa.by:
                continue
            starts = date_of(rec, "starts_on")
            ends = date_of(rec, "ends_on")
            if starts is not None and starts <= on and (ends is None or on < ends):
                return Outcome(Status.NOT_APPLICABLE,
                               f"set aside by {EventRef.of(rec).text()} (from "
                               f"{starts.isoformat()}"
                               + (f" until {ends.isoformat()}" if ends else "")
                               + f"): {sa.why}", out.due_on, out.clock_start, out.met_by)
    return out


def _judge(compiled: _Compiled, subject: Subject, case: Case,
           prior: Mapping[tuple[str, str], Verdict], explain: bool) -> Verdict:
    chosen: _Period | None = None
    decided: Decided | None = None
    for p in compiled.periods:
        found = period_day(p.rule, subject, case)
        if found is not None and p.rule.in_force(found[1]):
            chosen, decided = p, found
            break
    shown = chosen.rule if chosen is not None else compiled.shown
    ctx: dict[str, Any] = {
        "case_id": case.facts.young_person_id, "rule_id": compiled.rule_id,
        "control_point": shown.control_point,
        "legal_source": chosen.legal_source if chosen is not None else compiled.shown_source,
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
            spans = ", ".join(p.rule.period_text() for p in compiled.periods)
            reason = (f"not in force on {found[1].isoformat()} ({_decided_text(found)}); "
                      f"periods {spans}")
        out = Outcome(Status.NOT_APPLICABLE, reason)
        return Verdict(status=out.status, due_on=None, clock_start=None, met_by=None,
                       explanation=_explain(shown, out, found, chosen=False) if explain else "",
                       decided_by=decided_ref, **ctx)
    rule = chosen.rule
    decided_ref = EventRef.of(decided[0], decided[1]) if decided[0] is not None else None
    try:
        out = population(rule, subject, case, decided[1], prior) or _set_aside(
            compiled, _capped(chosen, KINDS[rule.kind].judge(rule, subject, case), case,
                              decided[1]),
            decided[1], case)
        if rule.right and out.status is Status.MISSED and out.met_by is None:
            out = Outcome(Status.UNUSED, f"a right, not a duty: not used ({out.reason})",
                          out.due_on, out.clock_start, None, out.closed_by)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        # a record the rule needs lacks a field or holds a value of another shape (a log from
        # elsewhere, an event of an older version): the case cannot be judged, and says why
        out = Outcome(Status.NOT_DOCUMENTED,
                      f"cannot be judged: a record it needs is malformed "
                      f"({type(exc).__name__}: {str(exc)[:80]})")
    reference = None
    if chosen.reference is not None and out.status in _JUDGED:
        reference = population(chosen.reference, subject, case, decided[1], prior) is None
    value = None
    if rule.id in DISTRIBUTED and out.status is Status.MET and out.met_by is not None:
        rec = next((r for r in subject.records if r.seq == out.met_by.seq), None)
        value = rec.payload.get(DISTRIBUTED[rule.id]) if rec is not None else None
    return Verdict(status=out.status, due_on=out.due_on, clock_start=out.clock_start,
                   met_by=out.met_by, value=value,
                   explanation=_explain(rule, out, decided, texts=chosen.texts) if explain
                   else "",
                   regime=rule.regime, period=chosen.period, decided_by=decided_ref,
                   closed_by=out.closed_by, reference=reference, **ctx)


def evaluate(facts: Facts, as_of: date, rules: RuleSet,
             calendars: Calendars | Calendar | None = None, *,
             explain: bool = True) -> list[Verdict]:
    """Every rule's verdicts for one case as of ``as_of``, sorted by (rule id, subject): each
    benefit spell of the person judged as a case of its own (:attr:`Facts.spells`), a later
    spell's verdicts with the spell in their subject (:func:`spell_subject`).

    ``explain=False`` leaves every verdict's explanation empty (``""``), everything else the
    same: for callers that keep or count verdicts and never show the text (the kept projection,
    the worklist); explain, the audit's output and its digest keep the default."""
    if isinstance(calendars, Calendar):
        calendar = calendars
    else:
        calendar = (calendars or Calendars()).for_municipality(facts.municipality_code)
    verdicts: list[Verdict] = []
    for spell in facts.spells:
        found = _evaluate_spell(spell, as_of, rules, calendar, explain)
        if spell.spell != 1:
            found = [attrs.evolve(v, subject=spell_subject(spell.spell, v.subject))
                     for v in found]
        verdicts.extend(found)
    verdicts.sort(key=_SORT_KEY)  # Verdict.sort_key, without a call per verdict
    return verdicts


_SORT_KEY = attrgetter("case_id", "rule_id", "subject")


def _evaluate_spell(facts: Facts, as_of: date, rules: RuleSet, calendar: Calendar,
                    explain: bool) -> list[Verdict]:
    case = Case.of(facts, as_of, calendar)
    prior: dict[tuple[str, str], Verdict] = {}
    verdicts: list[Verdict] = []
    by_scope: dict[str, list[Subject]] = {}
    for compiled in plan_of(rules).rules:
        subs = by_scope.get(compiled.scope)
        if subs is None:
            by_scope[compiled.scope] = subs = subjects(compiled.scope, case)
        if not subs:
            shown = compiled.shown
            out = Outcome(Status.NOT_APPLICABLE,
                          f"no {compiled.scope} to judge as of {as_of.isoformat()}")
            verdicts.append(Verdict(
                case_id=facts.young_person_id, rule_id=compiled.rule_id,
                control_point=shown.control_point, status=out.status, due_on=None,
                clock_start=None, met_by=None, legal_source=compiled.shown_source,
                explanation=_explain(shown, out, None, chosen=False) if explain else "",
                group=case.group,
                caseworker_id=case.caseworker[0] if case.caseworker else None,
                team_id=case.caseworker[1] if case.caseworker else None))
            continue
        for sub in subs:
            v = _judge(compiled, sub, case, prior, explain)
            prior[(compiled.rule_id, sub.key)] = v
            verdicts.append(v)
    return verdicts
