"""The event catalogue: every event type, its aggregate (stream type), its fields and meaning.

Event types are named by their class name (``FirstContactRegistered``); names are unique across
aggregates, checked at import. This is what the interchange log, the docs and the fold use.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any

from ungeforloeb.domain.base import CaseEvent
from ungeforloeb.domain.education_order import EducationOrder
from ungeforloeb.domain.retention import RetentionCase
from ungeforloeb.domain.young_person import YoungPerson

AGGREGATES: tuple[type[Any], ...] = (YoungPerson, EducationOrder, RetentionCase)

ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "occurred_on",
     "recorded_by"}
)
"""Fields every event has that are not its payload."""


@dataclass(frozen=True)
class EventType:
    """One entry of the catalogue."""

    name: str
    stream_type: str
    cls: type[CaseEvent]
    payload_fields: tuple[tuple[str, Any], ...]
    """(name, type) of each payload field, in declaration order."""
    schema_version: int
    meaning: str


def _payload_fields(cls: type[CaseEvent]) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, hints[f.name]) for f in dataclasses.fields(cls)
        if f.name not in ENVELOPE_FIELDS
    )


def _build() -> dict[str, EventType]:
    catalogue: dict[str, EventType] = {}
    for aggregate in AGGREGATES:
        for attr in vars(aggregate).values():
            if (isinstance(attr, type) and issubclass(attr, CaseEvent)
                    and attr.__name__ not in ("Event", "Created")):
                name = attr.__name__
                if name in catalogue:
                    raise RuntimeError(f"event type name {name} is not unique")
                doc = " ".join((attr.__doc__ or "").split())
                catalogue[name] = EventType(
                    name=name,
                    stream_type=aggregate.__name__,
                    cls=attr,
                    payload_fields=_payload_fields(attr),
                    schema_version=getattr(attr, "class_version", 1),
                    meaning=doc,
                )
    return catalogue


EVENT_TYPES: dict[str, EventType] = _build()
"""Event type name → catalogue entry."""

BY_CLASS: dict[type[Any], EventType] = {e.cls: e for e in EVENT_TYPES.values()}
"""Event class → catalogue entry."""

STREAM_TYPES: frozenset[str] = frozenset(a.__name__ for a in AGGREGATES)
