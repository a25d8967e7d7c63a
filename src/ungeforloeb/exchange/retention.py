"""Retention after a risk-of-dropout message: the reaction duty, the 15–17-year-olds' contact
rule and the mentor right's window, as worklist items of kind ``"retention"``.

A risk message opens a retention case, or adds to the open one for that institution
(:meth:`~ungeforloeb.application.exchange_commands.ExchangeCommands.receive_institution_message`).
Here the deadlines that follow, derived from the case file. The clocks, populations and
legal sources of the first three come from the rule data (``rules/regimes/*.toml``), period by
period, so the library's compliance verdicts and these worklist items agree on the law:

- **Reaction duty** (rule ``x22_risk_reaction``, from 1 Jan 2022; 000:133–136, 360–371): a risk
  message *received within the first six months after the start* obliges the municipality to
  contact the young person "as soon as possible" (the rule data's clock: 5 working days from
  receipt). The start is the recorded ``EducationStarted`` of the admission, else — our reading,
  for the worklist only — the admission's ``starts_on`` (the rule's verdict is then
  ``not_documented``).
- **Deciding retention initiatives with the institution** (``exchange.retention.initiative``):
  the same duty's second half; the law gives no number of days, ours is
  :attr:`Settings.initiative_working_days` (10) from receipt.
- **15–17-year-olds** (rule ``kui_contact_15_17``: Vejledningsbekendtgørelsen § 29 as 002:249–253
  cites it, and § 10 of the order on the duty to be in education, work or other activity, outside
  the seeds): contact within 5 working days of becoming aware, i.e. of receiving the message;
  age on that day. Applies whatever the time since start; it takes the place of the reaction
  item when both apply.
- **Mentor right** (rule ``mentor_right_window``, LAB § 167 stk. 3): the right runs up to 6
  months from *admission* by the statute, from *education start* by the guidance (000:128–130);
  the anchor is the rule data's clock start (``Admitted`` or ``EducationStarted``), which
  :attr:`Settings.mentor_anchor` can override. While a risk case is open and the window is open
  without a transition mentor, an item shows the window's end; once granted, an item
  (``exchange.retention.mentor_support``) shows when the support, with its extensions, ends
  within :attr:`Settings.mentor_notice_days`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial
from typing import Any, Literal

import attrs

from ungeforloeb.casefile.fold import Admission, Facts, Retention
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.projections.worklist import WorkItem
from ungeforloeb.rules.calendar import Calendars, Unit, describe
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.rules.model import Rule, RuleSet

REACTION_RULE = "x22_risk_reaction"
YOUTH_RULE = "kui_contact_15_17"
MENTOR_RULE = "mentor_right_window"
INITIATIVE_SOURCE = ("duty to decide retention initiatives with the institution 'hurtigst "
                     "muligt' after a risk message in the first 6 months after start "
                     "(000:133-136, 360-371)")
MENTOR_SUPPORT_SOURCE = "LAB § 167 stk. 3: mentor support up to 6 months, extendable"


@attrs.frozen
class Settings:
    """The retention clocks. The reaction duty, the 15–17 rule and the mentor window come from
    the rule data (:func:`ungeforloeb.rules.loader.default_rules`: rules
    ``x22_risk_reaction``, ``kui_contact_15_17``, ``mentor_right_window``), period by period;
    the rest are ours."""

    rules: RuleSet | None = None
    """The rule set to read; ``None``: the packaged regimes."""
    initiative_working_days: int = 10
    """Our reading of "hurtigst muligt" for deciding initiatives with the institution."""
    mentor_anchor: Literal["admission", "start"] | None = None
    """Overrides the mentor window's anchor; ``None``: the rule data's clock start
    (``Admitted``: admission, as the statute reads; ``EducationStarted``: start)."""
    mentor_notice_days: int = 14
    calendars: Calendars = attrs.field(factory=Calendars)

    def rule_set(self) -> RuleSet:
        return self.rules if self.rules is not None else default_rules()


DEFAULT = Settings()


def noted_on(report: EventRecord) -> date:
    """The day the institution noted the risk (a later report on a case keeps it apart)."""
    noted = report.payload.get("noted_on")
    return date.fromisoformat(noted) if noted else report.occurred_on


def _reports(facts: Facts, case: Retention) -> list[EventRecord]:
    again = [r for r in facts.other.get("RiskOfDropoutReportedAgain", [])
             if r.stream_id == case.case_id]
    return sorted([*case.reports, *again], key=lambda r: (r.payload["received_on"], r.seq))


def _admission(facts: Facts, case: Retention, first: EventRecord) -> Admission | None:
    """The admission the risk is about: the one the case names, else the latest admission at
    the reporting institution admitted by the day the risk arose and not ended before it (the
    admission may have been received after the risk message: the link is read from the data,
    so the order messages arrive in does not matter)."""
    wanted = case.rec.payload.get("admission_id")
    for adm in facts.admissions:
        if wanted is not None and adm.admission_id == wanted:
            return adm
    candidates = [
        adm for adm in facts.admissions
        if adm.institution_id == first.payload["institution_id"]
        and adm.rec.occurred_on <= noted_on(first)
        and not any(s is not None and s.occurred_on < noted_on(first)
                    for s in (adm.completed, adm.interrupted))]
    return max(candidates, key=lambda a: (a.rec.occurred_on, a.admission_id), default=None)


def _length(rule: Rule, default: tuple[int, Unit]) -> tuple[int, Unit]:
    clock = rule.clock
    if clock is None or clock.length is None or clock.unit is None:
        return default
    return clock.length, clock.unit


def retention_items(facts: Facts, on: date, *,
                    settings: Settings = DEFAULT) -> Iterator[WorkItem]:
    """Worklist source: the retention deadlines of every open retention case."""
    cal = settings.calendars.for_municipality(facts.municipality_code)
    rules = settings.rule_set()
    for case in facts.retention_cases.values():
        if case.closed is not None:
            continue
        reports = _reports(facts, case)
        first = reports[0]
        received = date.fromisoformat(first.payload["received_on"])
        adm = _admission(facts, case, first)
        causes = tuple(r.seq for r in reports) + ((adm.rec.seq,) if adm else ())
        label = (f"risk of dropout {', '.join(r.payload['report_id'] for r in reports)} from "
                 f"{first.payload['institution_id']} received {received.isoformat()}")
        youth_rule = rules.period_on(YOUTH_RULE, received)
        age = facts.age_on(received)
        band = youth_rule.population.age if youth_rule is not None else None
        youth = youth_rule is not None and band is not None and age is not None and \
            band[0] <= age <= band[1]
        reaction = rules.period_on(REACTION_RULE, received)
        within = False
        if adm is not None and reaction is not None:
            window = reaction.population.within
            months = (window.length, window.unit) if window is not None else (6, Unit.MONTHS)
            start = adm.education_start
            within = start <= received <= cal.add(start, *months)
        contact_rule = youth_rule if youth else reaction if within else None
        if not case.contacts and contact_rule is not None:
            length, unit = _length(contact_rule, (5, Unit.WORKING_DAYS))
            due = cal.add(received, length, unit)
            yield WorkItem(
                young_person_id=facts.young_person_id, kind="retention",
                title=f"Contact the young person ({label}; {describe(length, unit)})",
                due_on=due, overdue=on > due, rule_id=contact_rule.id,
                legal_source=contact_rule.legal_source, cause=causes)
        if within and not any(i.payload.get("with_institution") for i in case.initiatives):
            due = cal.add_working_days(received, settings.initiative_working_days)
            yield WorkItem(
                young_person_id=facts.young_person_id, kind="retention",
                title=f"Decide retention initiatives with the institution ({label})",
                due_on=due, overdue=on > due, rule_id="exchange.retention.initiative",
                legal_source=INITIATIVE_SOURCE, cause=causes)
        if adm is not None:
            yield from _mentor(facts, on, adm, causes, settings)


def mentor_window(adm: Admission, settings: Settings = DEFAULT) -> tuple[date, date, Rule] | None:
    """The mentor right's window (first day, last day) for an admission and the rule period
    that sets it (in force on the admission day), or ``None`` when no period applies."""
    rule = settings.rule_set().period_on(MENTOR_RULE, adm.rec.occurred_on)
    if rule is None:
        return None
    anchor_kind = settings.mentor_anchor
    if anchor_kind is None:
        started = rule.clock is not None and rule.clock.start.event == "EducationStarted"
        anchor_kind = "start" if started else "admission"
    anchor = adm.rec.occurred_on if anchor_kind == "admission" else adm.education_start
    length, unit = _length(rule, (6, Unit.MONTHS))
    calendar = settings.calendars.default
    return anchor, calendar.add(anchor, length, unit), rule


def _mentor(facts: Facts, on: date, adm: Admission, causes: tuple[int, ...],
            settings: Settings) -> Iterator[WorkItem]:
    found = mentor_window(adm, settings)
    if found is None:
        return
    anchor, end, rule = found
    grants = [m for m in facts.mentors if m.payload.get("purpose") == "transition"
              and m.occurred_on >= anchor]
    if not grants:
        if on <= end:
            yield WorkItem(
                young_person_id=facts.young_person_id, kind="retention",
                title=(f"Mentor right for admission {adm.admission_id} open until "
                       f"{end.isoformat()} (from {anchor.isoformat()}); no transition mentor "
                       f"granted"),
                due_on=end, overdue=False, rule_id=rule.id, legal_source=rule.legal_source,
                cause=causes)
        return
    untils = [date.fromisoformat(m.payload["until"]) for m in grants if m.payload.get("until")]
    if not untils:
        return
    support_end = max(untils)
    if on <= support_end <= on + timedelta(days=settings.mentor_notice_days):
        extended = any(m.payload.get("extension") for m in grants)
        yield WorkItem(
            young_person_id=facts.young_person_id, kind="retention",
            title=(f"Mentor support ends {support_end.isoformat()}"
                   f"{' (extended)' if extended else ''}: extend if needed"),
            due_on=support_end, overdue=False, rule_id="exchange.retention.mentor_support",
            legal_source=MENTOR_SUPPORT_SOURCE, cause=causes + tuple(m.seq for m in grants))


def retention_source(settings: Settings) -> Any:
    """The retention source with other settings."""
    return partial(retention_items, settings=settings)
