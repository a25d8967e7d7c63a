"""The light event record: what the fold needs of an event, whatever its source.

A record's ``payload`` is the plain JSON of the event's own fields (dates as ISO strings, enums as
their values, UUIDs as strings) — the same bytes the store holds and the interchange log carries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple


class EventRecord(NamedTuple):
    """One event, decoded lightly (no aggregate objects)."""

    seq: int
    """Global position (notification id in the store, sequence number in a log)."""
    stream_id: str
    stream_type: str
    version: int
    type: str
    occurred_on: date
    recorded_at: str
    """ISO 8601 date-time with offset (UTC), when the event was recorded."""
    recorded_by: str
    payload: dict[str, Any]

    @property
    def recorded_on(self) -> date:
        """The (UTC) day the event was recorded."""
        day = self.recorded_at[:10]
        found = _DAYS.get(day)
        if found is None:
            if len(_DAYS) > 100_000:
                _DAYS.clear()
            found = _DAYS[day] = date.fromisoformat(day)
        return found


_DAYS: dict[str, date] = {}
"""Days of recording by their ISO text (every verdict's event references ask; few distinct)."""


def group_by_case(records: Iterable[EventRecord]) -> dict[str, list[EventRecord]]:
    """Group records by young person id, in the order given.

    Orders and retention cases name their young person in their first event
    (``young_person_id``); later events of those streams are routed by stream id. A record of
    a stream whose first event was never seen is grouped under ``"?" + stream_id`` so that
    nothing is lost silently (the audit reports such streams).
    """
    owner: dict[str, str] = {}
    cases: dict[str, list[EventRecord]] = {}
    for rec in records:
        if rec.stream_type == "YoungPerson":
            case_id = rec.stream_id
        else:
            case_id = owner.get(rec.stream_id) or ""
            if not case_id:
                yp = rec.payload.get("young_person_id")
                case_id = yp if isinstance(yp, str) and rec.version == 1 else "?" + rec.stream_id
                owner[rec.stream_id] = case_id
        bucket = cases.get(case_id)
        if bucket is None:
            cases[case_id] = bucket = []
        bucket.append(rec)
    return cases
