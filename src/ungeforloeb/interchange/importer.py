"""Import: a checked log into an empty store, all or nothing.

The whole log is read and checked first (:class:`~ungeforloeb.interchange.reader.LogReader`);
every event is turned back into its domain event object and then into a stored event by the
application's own mapper, so the stored state holds the same bytes the live application would
have written (same stream ids, versions, ``recorded_at``). All stored events go to the recorder
in one ``insert_events`` call — one transaction, in log order — so the notification order is the
log's order and a failure writes nothing. Exporting the imported store again gives the same log,
byte for byte (given the same ``exported_at``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.catalogue import AGGREGATES, EVENT_TYPES
from ungeforloeb.domain.codec import codec
from ungeforloeb.interchange.errors import StoreNotEmptyError
from ungeforloeb.interchange.reader import LogReader

_AGGREGATE_TOPICS = {a.__name__: get_topic(a) for a in AGGREGATES}


def domain_event(rec: EventRecord) -> Any:
    """The domain event object a record stands for (as the application would have made it)."""
    cls = EVENT_TYPES[rec.type].cls
    state: dict[str, Any] = {"occurred_on": rec.occurred_on.isoformat(),
                             "recorded_by": rec.recorded_by, **rec.payload}
    for name, dec in codec(cls):
        if name in state:
            state[name] = dec(state[name])
    kwargs: dict[str, Any] = {
        "originator_id": UUID(rec.stream_id),
        "originator_version": rec.version,
        "timestamp": datetime.fromisoformat(rec.recorded_at),
    }
    if issubclass(cls, Aggregate.Created):
        kwargs["originator_topic"] = _AGGREGATE_TOPICS[rec.stream_type]
    kwargs.update(state)
    return cls(**kwargs)


class ImportTarget(Protocol):
    """What an import needs of the application (the library's ``Ungeforloeb``): its recorder
    and mapper, a new data key for each person whose first event is imported (sealing their
    personal fields), and one transaction writing the events with those keys."""

    @property
    def recorder(self) -> ApplicationRecorder: ...
    @property
    def mapper(self) -> Mapper[UUID]: ...
    def data_keys_for(self, events: Any) -> list[Any]: ...
    def write_imported(self, stored: list[StoredEvent], rows: list[Any]) -> None: ...


def import_log(app: ImportTarget, lines: Iterable[bytes],
               progress: Callable[[int], None] | None = None) -> LogReader:
    """Check the whole log, then write all its events into the (empty) store in one transaction.

    Raises :class:`~ungeforloeb.interchange.errors.StoreNotEmptyError` if the store holds
    events, and :class:`~ungeforloeb.interchange.errors.LogError` on any fault of the log; in
    both cases nothing is written. Returns the reader (header, trailer, counts).
    """
    existing = app.recorder.max_notification_id()
    if existing:
        raise StoreNotEmptyError(
            f"the store already holds {existing} events: import needs an empty store, so that "
            f"the log's order and versions are kept exactly")
    reader = LogReader(lines)
    pending: list[StoredEvent] = []
    keys: list[Any] = []  # a new data key for each young person (sealing their personal fields)
    mapper = app.mapper
    for rec in reader.records():
        event = domain_event(rec)
        keys += app.data_keys_for([event])
        pending.append(mapper.to_stored_event(event))
        if progress is not None and len(pending) % 500 == 0:
            progress(len(pending))
    if pending:
        app.write_imported(pending, keys)
    if progress is not None:
        progress(len(pending))
    return reader
