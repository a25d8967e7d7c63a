"""Record decoding: a stored event's plain JSON state into a light :class:`EventRecord`.

The live read path (the application's ``records()``), the export and the adapters read the store
through it; the log reader builds the same records from a log's lines.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from typing import Any

from eventsourcing.utils import resolve_topic

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.catalogue import BY_CLASS, ENVELOPE_FIELDS
from ungeforloeb.domain.upcast import upcast_for_topic

_PAYLOAD_SKIP = frozenset(ENVELOPE_FIELDS) | {"recorded_at", "class_version"}


def record_from_state(seq: int, stream_id: str, version: int, topic: str,
                      state: dict[str, Any]) -> EventRecord:
    """Build a light record from a stored event's plain JSON state."""
    type_name, stream_type = _topic_names(topic)
    state = upcast_for_topic(topic, state)
    payload = {k: v for k, v in state.items() if k not in _PAYLOAD_SKIP}
    # positional: seq, stream_id, stream_type, version, type, occurred_on, recorded_at,
    # recorded_by, payload (faster than keywords on this hot path)
    return EventRecord(seq, stream_id, stream_type, version, type_name,
                       day(state["occurred_on"]), state["recorded_at"], state["recorded_by"],
                       payload)


def event_type_name(topic: str) -> str:
    """The catalogue name (``FirstContactRegistered``) of a stored event's topic."""
    return _topic_names(topic)[0]


@cache
def _topic_names(topic: str) -> tuple[str, str]:
    """(event type name, stream type) of a stored event's topic."""
    return BY_CLASS[resolve_topic(topic)].name, topic.rsplit(":", 1)[-1].split(".", 1)[0]


@lru_cache(maxsize=8192)
def day(iso: str) -> date:
    """``date.fromisoformat``, memoised (a store has few distinct days; dates are immutable)."""
    return date.fromisoformat(iso)
