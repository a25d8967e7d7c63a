"""A case's audit trail: every event of the young person's streams, in order.

Each line says what happened (event type and a compact rendering of its payload), on which day
it happened (``occurred_on``), when and by whom it was recorded, and in which stream. A
recording made more than ``late_after_days`` days after the day it happened is marked late:
those are the facts that were not known on the day they happened, and the reason a verdict
"as known at" a date can differ from one "as of" that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

import attrs

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord

DEFAULT_LATE_AFTER_DAYS = 7
"""A recording more than this many calendar days after the event is marked late."""

_OMIT = frozenset({"young_person_id"})
"""Payload fields left out of the rendering: the trail is already the young person's."""


@attrs.frozen
class TrailEntry:
    """One line of the audit trail."""

    seq: int
    occurred_on: date
    recorded_at: str
    """ISO 8601 date-time (UTC) of the recording."""
    recorded_by: str
    event_type: str
    stream_type: str
    stream_id: str
    version: int
    payload: str
    """Compact ``field=value`` rendering of the event's own fields."""
    lag_days: int
    """Calendar days from ``occurred_on`` to the (UTC) day of recording."""
    late: bool


def render_value(value: Any) -> str:
    """A payload value as short text: booleans as yes/no, lists joined, None as a dash."""
    if value is None:
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + render_payload(value) + "}"
    return str(value)


def render_payload(payload: dict[str, Any]) -> str:
    """``field=value, …`` of an event's own fields, in stored order, without the person's id."""
    return ", ".join(f"{k}={render_value(v)}" for k, v in payload.items() if k not in _OMIT)


def trail_entry(rec: EventRecord, *, late_after_days: int = DEFAULT_LATE_AFTER_DAYS) -> TrailEntry:
    """The trail line of one record."""
    lag = (rec.recorded_on - rec.occurred_on).days
    return TrailEntry(
        seq=rec.seq,
        occurred_on=rec.occurred_on,
        recorded_at=rec.recorded_at,
        recorded_by=rec.recorded_by,
        event_type=rec.type,
        stream_type=rec.stream_type,
        stream_id=rec.stream_id,
        version=rec.version,
        payload=render_payload(rec.payload),
        lag_days=lag,
        late=lag > late_after_days,
    )


def audit_trail(case: CaseFile | Iterable[EventRecord], *,
                late_after_days: int = DEFAULT_LATE_AFTER_DAYS,
                order: Literal["recorded", "occurred"] = "recorded") -> list[TrailEntry]:
    """Every event of a case, in recording order (``order="recorded"``, by sequence number) or
    in the order things happened (``order="occurred"``, ties by sequence number)."""
    records = case.records if isinstance(case, CaseFile) else list(case)
    entries = [trail_entry(r, late_after_days=late_after_days) for r in records]
    if order == "occurred":
        entries.sort(key=lambda e: (e.occurred_on, e.seq))
    elif order == "recorded":
        entries.sort(key=lambda e: e.seq)
    else:
        raise ValueError(f"audit_trail: order must be 'recorded' or 'occurred', got {order!r}")
    return entries


def late_entries(entries: Iterable[TrailEntry]) -> list[TrailEntry]:
    """The entries recorded late."""
    return [e for e in entries if e.late]
