"""The rule model: one rule period as a frozen value, as the regime data files declare it.

A rule is identified by a stable ``id``; the same id may have several *periods* (half-open
``[effective_from, effective_to)``) when a later regime amends or ends it. The loader computes the
periods (:mod:`ungeforloeb.rules.loader`); nothing here knows any date of the law.

Reading a rule top to bottom follows Catala's habit: id, period, source (with the statute's own
words where they matter), how sure the source is, the population, the clock, and what meets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from ungeforloeb.rules.calendar import Unit, describe

SCOPES = ("case", "admission", "order", "report", "notification")
"""What one verdict is about: the case, one admission, one order, one risk-of-dropout report,
one DataTilInstitution sent (``InstitutionNotified``)."""

PERIOD_BY = ("applies_by", "judged", "clock_start")
"""Which day chooses a rule's period (the law of that day judges the duty):

- ``applies_by``: the date of the ``applies_by`` event — the event that triggers the duty (first
  contact, admission, order, message received);
- ``judged``: the date of the event the rule judges (the latest conversation, offer or plan
  update; the first final visitation; for look-back windows, the window's end) — recurring
  duties are judged by the law of the day they were (or were not) done;
- ``clock_start``: the date of the clock's start event (e.g. each absence without a reason).
"""

CLOCK_SET_BY = ("law", "municipality", "recommendation")
"""Who sets a clock's length: the law; the municipality's configured target where the law says
only "as soon as possible" (or names no time); a recommendation that is not law."""

STATUSES = ("met", "missed", "due", "not_applicable", "not_documented", "unused")

GROUPS = ("AAUP", "UP", "AP")
"""Visitation group codes as stored in events (ÅUP is ``AAUP``)."""


@attrs.frozen
class Source:
    """A legal source, exactly as cited, and how sure we are of it."""

    text: str
    """Law, §, stk., nr., with the law's number and date, e.g. ``LBK nr. 1342 af 21/11/2016
    § 20 a``."""
    certainty: str
    """Seed document and line (``seed 003:1594-1596``) or the public source outside the seeds."""
    quote: str | None = None
    """The statute's or the guidance's own Danish words, where they matter."""
    citizen: str | None = None
    """The citation as a letter to the young person gives it (Danish, plain), where one does."""


@attrs.frozen
class EventMatch:
    """Events of one type whose payload has the given values (all of them), for some groups."""

    event: str
    where: Mapping[str, Any] = attrs.field(factory=dict)
    groups: tuple[str, ...] = ()
    """When not empty, the match counts only for cases in these visitation groups."""


@attrs.frozen
class DateRef:
    """A date taken from an event: its ``occurred_on``, or a date field of its payload."""

    event: str
    where: Mapping[str, Any] = attrs.field(factory=dict)
    field: str | None = None
    which: str = "first"
    """``first`` or ``latest`` (by occurred_on) among the matching events."""

    def describe(self) -> str:
        text = self.event
        if self.where:
            text += "(" + ", ".join(f"{k}={v}" for k, v in self.where.items()) + ")"
        if self.field:
            text += f".{self.field}"
        return ("latest " if self.which == "latest" else "") + text


@attrs.frozen
class Clock:
    """A clock: starts at ``start``; falls due ``length`` ``unit`` after ``base`` (default: the
    start). Without a length the duty runs to the end of the case (no clock in the law)."""

    start: DateRef
    length: int | None = None
    unit: Unit | None = None
    base: DateRef | None = None
    set_by: str = "law"
    """``law``, ``municipality`` (the municipality's configured target where the law leaves the
    time open) or ``recommendation`` (not law); see :data:`CLOCK_SET_BY`."""

    def describe(self) -> str:
        if self.length is None or self.unit is None:
            return f"from {self.start.describe()} until the case ends (no clock in the law)"
        base = self.base or self.start
        text = f"{describe(self.length, self.unit)} from {base.describe()}"
        if self.set_by == "municipality":
            text += " (the municipality's target: the law sets no time)"
        elif self.set_by == "recommendation":
            text += " (a recommendation, not law)"
        return text


@attrs.frozen
class Requirement:
    """The population needs an event of this type matching one of ``where_any`` (any payload
    if empty). No event of the type gives ``missing``; events that match none give
    ``not_applicable``."""

    event: str
    where_any: tuple[Mapping[str, Any], ...] = ()
    missing: str = "not_documented"


@attrs.frozen
class Window:
    """The population: ``subject`` date falls within ``length`` ``unit`` after the latest
    ``anchor`` on or before it (no anchor: ``not_documented``)."""

    anchor: DateRef
    length: int
    unit: Unit
    subject: DateRef


@attrs.frozen
class Population:
    """Who a rule applies to."""

    groups: tuple[str, ...] = ()
    """Visitation groups (the group at the end of the case, as the audit classed cases)."""
    age: tuple[int, int] | None = None
    """Inclusive age band on the deciding date."""
    requires: tuple[Requirement, ...] = ()
    requires_any: tuple[EventMatch, ...] = ()
    """At least one of these events (with its payload values) must be recorded: none of their
    types recorded is ``not_documented``; recorded but none matching is ``not_applicable``."""
    excluded_if: tuple[EventMatch, ...] = ()
    within: Window | None = None
    min_case_length: tuple[int, Unit] | None = None
    after_status: tuple[str, tuple[str, ...]] | None = None
    """(rule id, statuses): only where that rule's verdict has one of these statuses."""
    youth_effort: bool = False
    """Whether young people the youth effort follows without a benefit case are in the
    population too (the youth effort's duties); otherwise the rule is a benefit spell's."""

    def describe(self) -> str:
        parts: list[str] = []
        if self.youth_effort:
            parts.append("with or without benefit (also those the youth effort follows)")
        if self.groups:
            parts.append("group " + "/".join(self.groups) + " (at the end of the case)")
        if self.age:
            parts.append(f"aged {self.age[0]}–{self.age[1]}")
        for r in self.requires:
            if r.where_any:
                alts = " or ".join(", ".join(f"{k}={v}" for k, v in w.items())
                                   for w in r.where_any)
                parts.append(f"with {r.event} ({alts})")
            else:
                parts.append(f"with {r.event}")
        if self.requires_any:
            alts = " or ".join(
                m.event + (" (" + ", ".join(f"{k}={v}" for k, v in m.where.items()) + ")"
                           if m.where else "") for m in self.requires_any)
            parts.append(f"with {alts}")
        for e in self.excluded_if:
            cond = ", ".join(f"{k}={v}" for k, v in e.where.items())
            parts.append(f"except {e.event}" + (f" ({cond})" if cond else ""))
        if self.within:
            w = self.within
            parts.append(f"{w.subject.describe()} within {describe(w.length, w.unit)} after "
                         f"{w.anchor.describe()}")
        if self.min_case_length:
            parts.append(f"cases of at least {describe(*self.min_case_length)}")
        if self.after_status:
            parts.append(f"where {self.after_status[0]} is {'/'.join(self.after_status[1])}")
        return "; ".join(parts) if parts else "all"


@attrs.frozen
class Presentation:
    """How a rule's open verdicts show on a worklist (presentation, not law)."""

    item: str = "rule"
    """The work item's kind: ``rule``, ``deadline``, ``retention``, ``receipt``, …"""
    show_from_days: int | None = None
    """A due verdict shows from this many days before its due date (``None``: as soon as the
    duty is open)."""
    show_while: str | None = None
    """Shown only while this holds of the case (``retention_case_open``)."""
    show_missed: bool = True
    """Whether a missed duty stays on the worklist until done (``false`` for a right: an
    unused right is not work)."""


SHOW_WHILE = ("retention_case_open",)


@attrs.frozen
class AuditReference:
    """The focus audit's figure for this control point (2018–2020 cases, not ours)."""

    share: float | None
    n: int | None
    lines: str
    note: str | None = None
    """The audit's figure in words where it is not one share (a distribution of groups, a share
    per group), shown in the reference column."""
    population: Population | None = None
    """The audit's own population where it measured a narrower one than the law's trigger: the
    verdicts keep the law's population, and the reference figure (ours, on the audit's
    population) counts only the subjects in this one, so the shares stay comparable."""


@attrs.frozen
class KindSpec:
    """The fields of a rule's kind (each kind in :mod:`ungeforloeb.rules.kinds` declares its own
    subclass; a kind with no fields of its own uses this)."""


class HalfOpen:
    """A period [``effective_from``, ``effective_to``) of a rule, parameter, condition set or
    wording (``effective_to`` ``None``: open-ended)."""

    __slots__ = ()
    effective_from: date
    effective_to: date | None

    def in_force(self, day: date) -> bool:
        """Whether ``day`` falls in this period (half-open)."""
        return self.effective_from <= day and (self.effective_to is None
                                               or day < self.effective_to)


@attrs.frozen
class Rule(HalfOpen):
    """One period of one rule."""

    id: str
    kind: str
    """The kind's name (:data:`ungeforloeb.rules.kinds.KINDS`)."""
    description: str
    sources: tuple[Source, ...]
    effective_from: date
    effective_to: date | None
    """Exclusive; ``None`` while in force."""
    regime: str
    """The regime file that declared this period."""
    scope: str = attrs.field(validator=attrs.validators.in_(SCOPES))
    applies_by: DateRef
    """The date that decides which period applies (first contact, admission, message date)."""
    population: Population
    clock: Clock | None
    satisfied_by: tuple[EventMatch, ...]
    control_point: str | None = None
    audit: AuditReference | None = None
    reading: str | None = None
    """Which reading the rule takes where the law or the audit leaves a choice, and why."""
    spec: KindSpec = attrs.field(factory=KindSpec)
    """The kind's own fields."""
    period_by: str = "applies_by"
    """Which day chooses the period (:data:`PERIOD_BY`)."""
    lapses_by: tuple[EventMatch, ...] = ()
    """Events that end the duty: before it falls due it lapses (``not_applicable``); after, a
    miss stands but is no longer work (the verdict's ``closed_by``)."""
    worklist: Presentation = attrs.field(factory=Presentation)
    right: bool = False
    """A right of the young person, not a duty: its window passing unused is ``unused``, never
    ``missed``."""

    @property
    def legal_source(self) -> str:
        """Every source's text, joined."""
        return "; ".join(s.text for s in self.sources)


    def period_text(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "…"
        return f"[{self.effective_from.isoformat()}, {end})"


@attrs.frozen
class Parameter(HalfOpen):
    """One period of a dated value the law (or a service's conditions) sets, used by a decision
    outside the rule kinds (e.g. the UDB subscription's age limit)."""

    id: str
    value: int
    description: str
    sources: tuple[Source, ...]
    effective_from: date
    effective_to: date | None
    regime: str



@attrs.frozen
class Condition:
    """One condition of a :class:`Conditions` set: a named fact of the case view on the day
    (the vocabulary is :data:`ungeforloeb.rules.eligibility.FACTS`), with the value it compares
    with when it takes one, and the code recorded when it fails."""

    fact: str
    refusal: str
    value: int | None = None


@attrs.frozen
class Conditions(HalfOpen):
    """One period of a set of conditions a decision outside the duties checks in order (e.g.
    when UDB opens the jobcenter's subscription): the first that fails is the recorded reason.
    Judged by :func:`ungeforloeb.rules.eligibility.first_unmet`."""

    id: str
    description: str
    requires: tuple[Condition, ...]
    sources: tuple[Source, ...]
    effective_from: date
    effective_to: date | None
    regime: str



@attrs.frozen
class Wording(HalfOpen):
    """One period of a word the law prescribes in texts shown to people (e.g. who speaks in a
    letter: "jobcenteret", from 1 July 2026 "kommunen"): the date of the switch is rule data."""

    id: str
    value: str
    description: str
    sources: tuple[Source, ...]
    effective_from: date
    effective_to: date | None
    regime: str



@attrs.frozen
class SetAside:
    """A caseworker's decision (an event with ``starts_on`` and ``ends_on``) that sets rules
    aside while it runs: a duty of those rules falling due (or, without a due date, decided) in
    the decision's span is not applicable, with the decision as the reason."""

    by: str
    """The decision's event type."""
    rules: tuple[str, ...]
    why: str
    sources: tuple[Source, ...]
    effective_from: date
    regime: str

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day


@attrs.frozen
class Regime:
    """One regime data file."""

    id: str
    name: str
    effective_from: date
    law: str
    certainty: str
    file: str
    sha256: str
    notes: str | None = None
    ends: tuple[tuple[str, date, str], ...] = ()
    """(rule id, on, why) of every rule this regime ends."""
    replaced: tuple[tuple[str, str], ...] = ()
    """(rule id, replacing rule id) of the ended rules another rule replaces: a duty triggered
    under the old rule stays judged by it (the transition); an ended rule that nothing replaces
    is abolished, and nothing of it falls due after its end."""


@attrs.frozen
class RuleSet:
    """Every period of every rule, with the regimes that declared them."""

    regimes: tuple[Regime, ...]
    rules: tuple[Rule, ...]
    """Every period, in declaration order (file by file)."""
    parameters: tuple[Parameter, ...] = ()
    """Every period of every parameter, in declaration order."""
    set_asides: tuple[SetAside, ...] = ()
    """Every decision that sets rules aside, in declaration order."""
    conditions: tuple[Conditions, ...] = ()
    """Every period of every condition set, in declaration order."""

    def conditions_on(self, conditions_id: str, day: date) -> Conditions | None:
        """The period of a condition set in force on ``day``, if any."""
        for c in self.conditions:
            if c.id == conditions_id and c.in_force(day):
                return c
        return None

    wordings: tuple[Wording, ...] = ()
    """Every period of every prescribed wording, in declaration order."""

    def wording(self, wording_id: str, day: date) -> Wording | None:
        """The period of a prescribed wording in force on ``day``, if any."""
        for w in self.wordings:
            if w.id == wording_id and w.in_force(day):
                return w
        return None

    def set_aside_by(self, event_type: str, day: date) -> SetAside | None:
        """A set-aside by decisions of ``event_type`` in force on ``day``, if any."""
        for sa in self.set_asides:
            if sa.by == event_type and sa.in_force(day):
                return sa
        return None

    def parameter(self, parameter_id: str, day: date) -> Parameter | None:
        """The period of a parameter in force on ``day``, if any."""
        for p in self.parameters:
            if p.id == parameter_id and p.in_force(day):
                return p
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        """Rule ids in order of first declaration."""
        seen: dict[str, None] = {}
        for r in self.rules:
            seen.setdefault(r.id, None)
        return tuple(seen)

    def periods(self, rule_id: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.id == rule_id)

    def period_on(self, rule_id: str, day: date) -> Rule | None:
        """The period of ``rule_id`` in force on ``day``, if any (periods never overlap)."""
        for r in self.rules:
            if r.id == rule_id and r.in_force(day):
                return r
        return None

    def only(self, rule_ids: tuple[str, ...]) -> RuleSet:
        """The rule set with only these rules (and the rules their populations depend on)."""
        wanted = set(rule_ids)
        while True:
            more = {r.population.after_status[0] for r in self.rules
                    if r.id in wanted and r.population.after_status is not None} - wanted
            if not more:
                break
            wanted |= more
        return RuleSet(self.regimes, tuple(r for r in self.rules if r.id in wanted),
                       self.parameters, self.set_asides, self.conditions, self.wordings)

    def continues(self, rule: Rule) -> bool:
        """Whether another period of the rule starts where this one ends (amended, not
        ended)."""
        return rule.effective_to is not None and any(
            r.id == rule.id and r.effective_from == rule.effective_to for r in self.rules)

    def replaced_by(self, rule: Rule) -> str | None:
        """The rule that replaced this period's rule when a regime ended it, if any."""
        for reg in self.regimes:
            for rule_id, new in reg.replaced:
                if rule_id == rule.id and any(e[0] == rule.id and e[1] == rule.effective_to
                                              for e in reg.ends):
                    return new
        return None

    def ended_because(self, rule: Rule) -> str | None:
        """Why a regime ended this period (its ``[[ends]]`` entry), if one did."""
        for reg in self.regimes:
            for rule_id, on, why in reg.ends:
                if rule_id == rule.id and on == rule.effective_to:
                    return f"{reg.id}: {why}"
        return None

    def period_named(self, rule_id: str, period: str | None) -> Rule | None:
        """The period of ``rule_id`` whose :meth:`Rule.period_text` is ``period``."""
        if period is None:
            return None
        return next((r for r in self.rules if r.id == rule_id and r.period_text() == period),
                    None)

    def latest(self, rule_id: str) -> Rule:
        """The latest period of a rule (for descriptions)."""
        return max(self.periods(rule_id), key=lambda r: r.effective_from)

    @property
    def digest(self) -> str:
        """sha256 over the regime files' hashes, in order: what the log header records."""
        import hashlib

        h = hashlib.sha256()
        for reg in self.regimes:
            h.update(f"{reg.file}:{reg.sha256}\n".encode())
        return h.hexdigest()
