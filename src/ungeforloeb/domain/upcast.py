"""Schema evolution of events: the upcasters, and old versions' payload fields.

An event type's current schema version is its class's ``class_version`` (the catalogue's
``schema_version``). A store or a log may hold states written at an older version.
:func:`upcast_state` brings such a state up to date with the event class's own
``upcast_vN_vN+1`` functions; the store's mapper, the live ``records()`` and the log reader all
call it, so a v1 line and a v1 stored event become the same v2 payload. The log reader first
validates an old payload against that version's fields, listed here.

To add a version (see docs/interchange.md, "Adding a schema version"): give the event class
``class_version = N + 1`` and ``upcast_vN_vN+1(state)``, and add the old field list here as
``(name, N)``.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from eventsourcing.utils import resolve_topic

from ungeforloeb.domain.catalogue import EVENT_TYPES

FieldList = tuple[tuple[str, Any], ...]

LEGACY_PAYLOAD_FIELDS: dict[tuple[str, int], FieldList] = {
    # v2 renamed follows_up_current_step to current_step_followed_up.
    ("ConversationHeld", 1): (
        ("follows_up_current_step", bool),
        ("education_focus", bool),
        ("job_focus", bool),
    ),
    # v2 added job_goal_recorded (control point 28).
    ("CvMadeAvailable", 1): (),
    # v2 added qualifying (studie- eller erhvervskompetencegivende).
    ("Admitted", 1): (
        ("admission_id", str),
        ("institution_id", str),
        ("education_code", str),
        ("starts_on", date),
    ),
}
"""(event type, schema version) → that version's payload fields, for every version before the
current one that a log may still hold."""


def upcast_state(cls: type[Any], state: dict[str, Any]) -> dict[str, Any]:
    """Bring a plain JSON state written by an older ``class_version`` of ``cls`` up to date.

    Removes ``class_version`` and runs ``upcast_v1_v2``, ``upcast_v2_v3``… in turn (in place);
    returns ``state``. The live read path, the mapper and the interchange log reader share it.
    """
    from_version = state.pop("class_version", 1)
    class_version = getattr(cls, "class_version", 1)
    while from_version < class_version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
        from_version += 1
    return state


def upcast_for_topic(topic: str, state: dict[str, Any]) -> dict[str, Any]:
    """:func:`upcast_state` for a stored event's topic (fast when already current)."""
    cls, current = _class_for_topic(topic)
    if current > 1 and state.get("class_version", 1) < current:
        return upcast_state(cls, state)
    return state


@cache
def _class_for_topic(topic: str) -> tuple[type[Any], int]:
    cls = resolve_topic(topic)
    return cls, getattr(cls, "class_version", 1)


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
