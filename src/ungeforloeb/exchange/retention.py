"""Retention after a risk-of-dropout message: the reaction duty, the 15–17-year-olds' contact
rule and the mentor right's window, as worklist items of kind ``"retention"``.

A risk message opens a retention case, or adds to the open one for that institution
(:meth:`~ungeforloeb.application.exchange_commands.ExchangeCommands.receive_institution_message`).
Here the deadlines that follow, derived from the case file:

- **Reaction duty** (from 1 Jan 2022; 000:133–136, 360–371): a risk message *received within the
  first six months after the start* obliges the municipality to contact the young person and to
  decide on retention initiatives with the institution "as soon as possible". The law gives no
  number of days; ours are :data:`Settings.contact_working_days` and
  :data:`Settings.initiative_working_days` after the day it was received. The start is the
  recorded ``EducationStarted`` of the linked admission, else the admission's ``starts_on``.
- **15–17-year-olds** (Vejledningsbekendtgørelsen § 29 as 002:249–253 cites it; a municipal source
  cites § 10 of the order on the duty to be in education, work or other activity — outside the
  seeds): contact within 5 working days of becoming aware, i.e. of receiving the message; age
  on the day the message says the risk arose (its ``occurred_on``). Applies whatever the time
  since start.
- **Mentor right** (LAB § 167 stk. 3, from 1 Jan 2022): the right runs up to 6 months from
  *admission* by the statute; the guidance says from *education start* (000:128–130). The anchor
  is data (:data:`Settings.mentor_anchor`, default ``"admission"``). While a risk case is open
  and the window is open without a transition mentor granted, an item shows the window's end;
  once granted, an item shows when the support (with its extensions) ends within 14 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial
from typing import Any, Literal

import attrs
from dateutil.relativedelta import relativedelta

from ungeforloeb.casefile.fold import Admission, Facts, Retention
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.projections.worklist import WorkItem
from ungeforloeb.rules.calendar import Calendars

REACTION_FROM = date(2022, 1, 1)
REACTION_SOURCE = ("LAB § 30 (reaction to risk of dropout in the first 6 months after start; "
                   "§ 30 stk. 9 in the consultation draft of lov nr. 2590 af 28/12/2021, final "
                   "number unchecked); 000:133–136, 360–371")
YOUTH_SOURCE = ("Vejledningsbekendtgørelsen § 29 (002:249–253); a municipal source cites § 10 "
                "of the order on the duty to be in education, work or other activity "
                "(outside the seeds)")
MENTOR_SOURCE = ("LAB § 167 stk. 3 (from 1 Jan 2022; statute: up to 6 months from admission; "
                 "the guidance 000:128–130 says from education start)")


@attrs.frozen
class Settings:
    """The retention clocks (configurable rule data)."""

    contact_working_days: int = 5
    """Our reading of "hurtigst muligt" for the contact after a risk message (000:133)."""
    initiative_working_days: int = 10
    """Our reading of "hurtigst muligt" for deciding initiatives with the institution."""
    window_months: int = 6
    """The first six months after the start (000:133)."""
    youth_ages: tuple[int, int] = (15, 17)
    youth_working_days: int = 5
    mentor_anchor: Literal["admission", "start"] = "admission"
    mentor_months: int = 6
    mentor_notice_days: int = 14
    calendars: Calendars = attrs.field(factory=Calendars)


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


def start_of(adm: Admission) -> date:
    """The education start: the recorded start, else the admission's ``starts_on``."""
    return adm.started.occurred_on if adm.started is not None else adm.starts_on


def retention_items(facts: Facts, on: date, *,
                    settings: Settings = DEFAULT) -> Iterator[WorkItem]:
    """Worklist source: the retention deadlines of every open retention case."""
    cal = settings.calendars.for_municipality(facts.municipality_code)
    for case in facts.retention_cases.values():
        if case.closed is not None:
            continue
        reports = _reports(facts, case)
        first = reports[0]
        received = date.fromisoformat(first.payload["received_on"])
        adm = _admission(facts, case, first)
        causes = tuple(r.seq for r in reports) + ((adm.rec.seq,) if adm else ())
        age = facts.age_on(noted_on(first))
        youth = age is not None and settings.youth_ages[0] <= age <= settings.youth_ages[1]
        within = False
        if adm is not None and received >= REACTION_FROM:
            start = start_of(adm)
            within = start <= received <= start + relativedelta(months=settings.window_months)
        label = f"risk of dropout from {first.payload['institution_id']} received " \
                f"{received.isoformat()}"
        if not case.contacts and (youth or within):
            days = settings.youth_working_days if youth else settings.contact_working_days
            due = cal.add_working_days(received, days)
            yield WorkItem(
                young_person_id=facts.young_person_id, kind="retention",
                title=f"Contact the young person ({label}; {days} working days)",
                due_on=due, overdue=on > due,
                rule_id="exchange.retention.contact_15_17" if youth
                else "exchange.retention.contact",
                legal_source=YOUTH_SOURCE if youth else REACTION_SOURCE, cause=causes)
        if within and not any(i.payload.get("with_institution") for i in case.initiatives):
            due = cal.add_working_days(received, settings.initiative_working_days)
            yield WorkItem(
                young_person_id=facts.young_person_id, kind="retention",
                title=f"Decide retention initiatives with the institution ({label})",
                due_on=due, overdue=on > due, rule_id="exchange.retention.initiative",
                legal_source=REACTION_SOURCE, cause=causes)
        if adm is not None:
            yield from _mentor(facts, on, adm, causes, settings)


def mentor_window(adm: Admission, settings: Settings = DEFAULT) -> tuple[date, date]:
    """The mentor right's window (first day, last day) for an admission, by the anchor."""
    anchor = adm.rec.occurred_on if settings.mentor_anchor == "admission" else start_of(adm)
    return anchor, anchor + relativedelta(months=settings.mentor_months)


def _mentor(facts: Facts, on: date, adm: Admission, causes: tuple[int, ...],
            settings: Settings) -> Iterator[WorkItem]:
    anchor, end = mentor_window(adm, settings)
    if anchor < REACTION_FROM or (on > end and not facts.mentors):
        return
    grants = [m for m in facts.mentors if m.payload.get("purpose") == "transition"
              and m.occurred_on >= anchor]
    if not grants:
        if on <= end:
            yield WorkItem(
                young_person_id=facts.young_person_id, kind="retention",
                title=(f"Mentor right for admission {adm.admission_id} open until "
                       f"{end.isoformat()} (from {settings.mentor_anchor} "
                       f"{anchor.isoformat()}); no transition mentor granted"),
                due_on=end, overdue=False, rule_id="exchange.retention.mentor_window",
                legal_source=MENTOR_SOURCE, cause=causes)
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
            legal_source=MENTOR_SOURCE, cause=causes + tuple(m.seq for m in grants))


def retention_source(settings: Settings) -> Any:
    """The retention source with other settings."""
    return partial(retention_items, settings=settings)
