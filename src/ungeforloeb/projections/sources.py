"""The worklist's default item sources, one line each.

A source is a function ``(facts, on) -> Iterable[WorkItem]`` (see
:mod:`ungeforloeb.projections.worklist`). The verdicts carry every duty of the law; the other
sources are not law and say so in each item's ``legal_source``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ungeforloeb.casefile.fold import Facts
    from ungeforloeb.projections.worklist import WorkItem

WorkItemSource = Callable[["Facts", date], "Iterable[WorkItem]"]


def default_sources() -> list[WorkItemSource]:
    """The sources every worklist uses unless told otherwise (imported lazily)."""
    from ungeforloeb.projections.data_quality import data_quality
    from ungeforloeb.projections.reminders import reminders
    from ungeforloeb.projections.worklist import verdict_items

    return [
        verdict_items,  # every rule's open and missed duties: the law, with its sources
        data_quality,  # checks on the institutions' reports (not law)
        reminders,  # mentor support ending (not law)
    ]
