"""How long personal data is kept after a spell closes, and the shredding of what is past it.

A young person's **spell closes** on the latest of: the day their benefit ended
(``BenefitEnded``, required), the day each education order ended (``OrderEnded``, or the day an
education under it was completed) and the day each retention case was closed
(``RetentionCaseClosed``) — and only when all of these have happened. Their personal data is
kept for the **retention period** after that day (``UNGEFORLOEB_RETENTION_YEARS`` or the
command's ``--years``; default :data:`DEFAULT_YEARS`) and then erased by crypto-shredding
(:meth:`~ungeforloeb.application.app.Ungeforloeb.erase_personal_data`), which keeps the events
and every figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from dateutil.relativedelta import relativedelta

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.casefile.fold import Facts

DEFAULT_YEARS = 5
"""A reading to be confirmed by each municipality's archive rules (see docs/privacy.md)."""
YEARS_SETTING = "UNGEFORLOEB_RETENTION_YEARS"


def spell_closed_on(facts: Facts) -> date | None:
    """The day the young person's spell closed, or None while anything is still open."""
    if facts.benefit_ended is None:
        return None
    days = [facts.benefit_ended.occurred_on]
    for order in facts.orders.values():
        completed = [a.completed.occurred_on for a in order.admissions.values() if a.completed]
        if order.ended is not None:
            days.append(order.ended.occurred_on)
        elif completed:
            days.append(min(completed))
        else:
            return None
    for case in facts.retention_cases.values():
        if case.closed is None:
            return None
        days.append(case.closed.occurred_on)
    return max(days)


@dataclass(frozen=True)
class PastRetention:
    """A young person whose retention period has run out."""

    young_person_id: UUID
    closed_on: date
    keep_until: date


def past_retention(app: Ungeforloeb, today: date, years: int) -> Iterator[PastRetention]:
    """Every young person not yet erased whose spell closed more than ``years`` before
    ``today`` (the retention period ends on the anniversary; shredded the day after)."""
    for case_id, case_file in sorted(app.case_files().items()):
        if case_id.startswith("?"):
            continue
        if any(r.type == "PersonalDataErased" for r in case_file.records):
            continue
        closed = spell_closed_on(case_file.facts())
        if closed is None:
            continue
        keep_until = closed + relativedelta(years=years)
        if today > keep_until:
            yield PastRetention(UUID(case_id), closed, keep_until)


def shred_past_retention(app: Ungeforloeb, today: date, years: int, *, recorded_by: str,
                         dry_run: bool) -> list[PastRetention]:
    """Erase (unless ``dry_run``) everyone past the retention period; returns who it was."""
    due = list(past_retention(app, today, years))
    if not dry_run:
        for person in due:
            app.erase_personal_data(person.young_person_id, occurred_on=today,
                                    recorded_by=recorded_by)
    return due
