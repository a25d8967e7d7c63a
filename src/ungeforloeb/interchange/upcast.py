"""Schema evolution of event payloads in the log: old versions' field lists and the upcasters.

An event type's current schema version is its class's ``class_version`` (the catalogue's
``schema_version``). A log may hold lines written at an older version; the reader validates such
a payload against that version's fields (listed here), then brings it up to date with the event
class's own ``upcast_vN_vN+1`` functions — the same functions the store's mapper and the live
``records()`` use, so a v1 line and a v1 stored event become the same v2 payload.

To add a version (see docs/interchange.md, "Adding a schema version"): give the event class
``class_version = N + 1`` and ``upcast_vN_vN+1(state)``, and add the old field list here as
``(name, N)``.
"""

from __future__ import annotations

from typing import Any

from ungeforloeb.application.mapper import upcast_state
from ungeforloeb.domain.catalogue import EVENT_TYPES

FieldList = tuple[tuple[str, Any], ...]

LEGACY_PAYLOAD_FIELDS: dict[tuple[str, int], FieldList] = {
    # v2 renamed follows_up_current_step to current_step_followed_up.
    ("ConversationHeld", 1): (
        ("follows_up_current_step", bool),
        ("education_focus", bool),
        ("job_focus", bool),
    ),
}
"""(event type, schema version) → that version's payload fields, for every version before the
current one that a log may still hold."""


def payload_fields(type_name: str, schema_version: int) -> FieldList | None:
    """The payload fields of ``type_name`` at ``schema_version``; ``None`` if not readable."""
    entry = EVENT_TYPES[type_name]
    if schema_version == entry.schema_version:
        return entry.payload_fields
    return LEGACY_PAYLOAD_FIELDS.get((type_name, schema_version))


def readable_versions(type_name: str) -> list[int]:
    """The schema versions of ``type_name`` this library reads, oldest first."""
    current = EVENT_TYPES[type_name].schema_version
    old = [v for (t, v) in LEGACY_PAYLOAD_FIELDS if t == type_name and v < current]
    return [*sorted(old), current]


def upcast_payload(type_name: str, schema_version: int, payload: dict[str, Any]) -> dict[str, Any]:
    """A payload written at ``schema_version`` brought to the current version (a new dict)."""
    entry = EVENT_TYPES[type_name]
    if schema_version >= entry.schema_version:
        return payload
    state = dict(payload)
    state["class_version"] = schema_version
    return upcast_state(entry.cls, state)
