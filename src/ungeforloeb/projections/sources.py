"""The worklist's default item sources, one line each.

A source is a function ``(facts, on) -> Iterable[WorkItem]`` (see
:mod:`ungeforloeb.projections.worklist`). Each feature registers its source here.
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
    from ungeforloeb.projections.worklist import step_deadlines

    sources: list[WorkItemSource] = [
        step_deadlines,  # order step deadlines due within 14 days or overdue, not yet met
        __import__("ungeforloeb.exchange.checks", fromlist=["_"]).data_quality,  # exchange
        __import__("ungeforloeb.exchange.routing", fromlist=["_"]).missing_receipts,  # exchange
        __import__("ungeforloeb.exchange.retention", fromlist=["_"]).retention_items,  # exchange
        __import__("ungeforloeb.projections.compliance", fromlist=["_"]).compliance_items,  # rules
    ]
    return sources
