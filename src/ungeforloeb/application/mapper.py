"""Persistence of events: an orjson mapper that stores each event as plain JSON.

The stored state of an event is exactly its interchange payload plus the envelope
(``occurred_on``, ``recorded_by``, ``recorded_at``): dates as ISO 8601 strings, enums as their
values, UUIDs as strings. orjson encodes ``date``, ``datetime``, ``UUID`` and ``Enum`` natively;
decoding restores the types from the event class's annotations (one codec per class, built once).
This replaces eventsourcing's ``JSONTranscoder`` and its ``{"_type_": ..}`` wrappers, so that the
live projections, the export and the audit read the same plain JSON (see docs/interchange.md).

Cipher and compressor configured through eventsourcing's environment still apply.
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from ungeforloeb.application.personal import PERSONAL_FIELDS, PersonalData, open_fields, seal_fields
from ungeforloeb.domain.catalogue import BY_CLASS
from ungeforloeb.domain.codec import codec
from ungeforloeb.domain.upcast import upcast_state


class OrjsonMapper(Mapper[UUID]):
    """Maps domain events to stored events as plain JSON bytes, and back.

    With ``personal`` set (the application sets its identity store), the personal fields of
    events are sealed with the person's data key on the way in and opened on the way out
    (:mod:`ungeforloeb.application.personal`)."""

    personal: PersonalData | None = None

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        state["recorded_at"] = state.pop("timestamp")
        cls = type(domain_event)
        if self.personal is not None and BY_CLASS[cls].name in PERSONAL_FIELDS:
            seal_fields(self.personal, BY_CLASS[cls].name, originator_id, state)
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        data = orjson.dumps(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version,
                           topic=get_topic(cls), state=data)

    def decode_state(self, data: bytes) -> dict[str, Any]:
        """Decrypt, decompress and parse a stored state into its plain JSON dict (personal
        fields opened)."""
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        result: dict[str, Any] = orjson.loads(data)
        if self.personal is not None:
            open_fields(self.personal, result)
        return result

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        try:
            state = upcast_state(cls, self.decode_state(stored_event.state))
            for name, dec in codec(cls):
                if name in state:
                    state[name] = dec(state[name])
            state["timestamp"] = datetime.fromisoformat(state.pop("recorded_at"))
        except Exception as e:
            msg = (f"Failed to deserialise stored event {stored_event.topic} of "
                   f"{stored_event.originator_id} v{stored_event.originator_version}: {e}")
            raise MapperDeserialisationError(msg) from e
        oid = stored_event.originator_id
        state["originator_id"] = oid if isinstance(oid, UUID) else UUID(str(oid))
        state["originator_version"] = stored_event.originator_version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return typing.cast(DomainEventProtocol[UUID], event)

