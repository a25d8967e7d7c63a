"""What the tables hold for one case, computed by the core's pure projections (no I/O).

A case's rows are a function of its case file and the projection's window of days:

* ``case_status`` — :func:`ungeforloeb.projections.status.case_status` of the whole case file;
* ``worklist_item`` — :func:`ungeforloeb.projections.worklist.worklist` of the case file on each
  day of the window (the worklist depends on the day asked: items come into the 14-day horizon,
  turn overdue, look-back windows move), so a query for a day in the window gets exactly what the
  pure worklist gives on that day;
* ``verdict`` — :func:`ungeforloeb.projections.compliance.evaluate_case` as of the window's
  first day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import Enum
from typing import Any

import attrs
import orjson

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.projections.compliance import evaluate_case
from ungeforloeb.projections.sources import WorkItemSource
from ungeforloeb.projections.status import CaseStatus, case_status
from ungeforloeb.projections.worklist import WorkItem, worklist
from ungeforloeb.rules.verdict import Verdict


@attrs.frozen
class CaseRows:
    """Everything the tables hold for one young person's case."""

    status: CaseStatus
    items: tuple[tuple[date, tuple[WorkItem, ...]], ...]
    """The worklist of the case on each day of the window, by day."""
    verdicts: tuple[Verdict, ...]
    """Every verdict as of the window's first day."""
    verdicts_as_of: date


def window_days(first_day: date, days: int) -> list[date]:
    """The days of a window: ``first_day`` and the ``days - 1`` following."""
    return [first_day + timedelta(days=n) for n in range(days)]


def case_rows(case_file: CaseFile, first_day: date, days: int,
              sources: Sequence[WorkItemSource] | None = None) -> CaseRows:
    """The rows of one case for the window starting ``first_day`` of ``days`` days."""
    return CaseRows(
        status=case_status(case_file.facts()),
        items=tuple((day, tuple(worklist([case_file], day, sources=sources)))
                    for day in window_days(first_day, days)),
        verdicts=tuple(evaluate_case(case_file, first_day)),
        verdicts_as_of=first_day,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def status_json(status: CaseStatus) -> str:
    """The whole status as JSON (the ``status`` jsonb column): attrs fields, dates ISO, enums
    as their values."""
    plain = attrs.asdict(status, value_serializer=lambda _i, _a, v: _plain(v))
    return orjson.dumps(plain).decode()


def next_deadline(status: CaseStatus) -> date | None:
    """The earliest current-step deadline of the open orders."""
    found = [d for o in status.open_orders if (d := o.current_deadline) is not None]
    return min(found, default=None)
