"""Reminders: work that no rule requires but a caseworker wants to see in time. Not law.

- **Mentor support ending** (``reminder.mentor_support_ends``): a transition mentor granted with
  an end date shows from ``notice_days`` before that day, so that an extension can be decided in
  time. Whether support may be extended, and for how long, is the rule data's business (the
  mentor right, ``mentor_right_window``); this only reminds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

from ungeforloeb.casefile.fold import Facts
from ungeforloeb.projections.sources import WorkItemSource
from ungeforloeb.projections.worklist import WorkItem

DEFAULT_NOTICE_DAYS = 14
"""A mentor's support shows this many days before it ends (our choice)."""

MENTOR_SUPPORT = "reminder.mentor_support_ends"
NOT_LAW = "not law: a reminder to decide an extension before the support ends"


def reminders(facts: Facts, on: date, *,
              notice_days: int = DEFAULT_NOTICE_DAYS) -> Iterator[WorkItem]:
    """Worklist source: transition mentor support ending within ``notice_days`` of ``on``, in
    every benefit spell (a grant of an earlier spell still ends on its day)."""
    for spell in facts.spells:
        yield from _spell_reminders(spell, on, notice_days)


def _spell_reminders(facts: Facts, on: date, notice_days: int) -> Iterator[WorkItem]:
    grants = [m for m in facts.mentors if m.payload.get("purpose") == "transition"]
    untils = [date.fromisoformat(m.payload["until"]) for m in grants if m.payload.get("until")]
    if not untils:
        return
    support_end = max(untils)
    if on <= support_end <= on + timedelta(days=notice_days):
        extended = any(m.payload.get("extension") for m in grants)
        yield WorkItem(
            young_person_id=facts.young_person_id, kind="reminder",
            title=(f"Mentor support ends {support_end.isoformat()}"
                   f"{' (extended)' if extended else ''}: extend if needed"),
            due_on=support_end, overdue=False, rule_id=MENTOR_SUPPORT, legal_source=NOT_LAW,
            cause=tuple(m.seq for m in grants))


def reminder_source(notice_days: int = DEFAULT_NOTICE_DAYS) -> WorkItemSource:
    """The reminders with another notice period."""
    return partial(reminders, notice_days=notice_days)
