"""Import: a checked log into an empty store, all or nothing.

The whole log is read and checked first, with the same checks as ``verify --recompute``: the
lines, the chain and the trailer (:class:`~ungeforloeb.interchange.reader.LogReader`), the
trailer's verdict digest re-derived from the records, and, when given, the signed checkpoint and
the root recorded at export (:mod:`~ungeforloeb.interchange.checkpoint`); a mismatch is refused
before anything is written.
every event is turned back into its domain event object and then into a stored event by the
application's own mapper, so the stored state holds the same bytes the live application would
have written (same stream ids, versions, ``recorded_at``). All stored events go to the recorder
in one ``insert_events`` call — one transaction, in log order — so the notification order is the
log's order and a failure writes nothing. Exporting the imported store again gives the same log,
byte for byte (given the same ``exported_at``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.catalogue import AGGREGATES, EVENT_TYPES
from ungeforloeb.domain.codec import codec
from ungeforloeb.interchange.audit import case_files, verdict_digest
from ungeforloeb.interchange.checkpoint import LogTree, Verifier, check_tree
from ungeforloeb.interchange.errors import StoreNotEmptyError
from ungeforloeb.interchange.merkle import TreeBuilder, event_leaf_hash
from ungeforloeb.interchange.reader import LogReader
from ungeforloeb.interchange.verify import check_digest as check_verdict_digest

Digest = Callable[[Iterable[CaseFile], date], str]

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


class _Tree:
    """The lines passed through, with the Merkle tree of their event lines built as they go
    (a line is hashed when the next one arrives, so after the reader has checked it)."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = lines
        self.tree = TreeBuilder()
        self.last = b""

    def __iter__(self) -> Iterator[bytes]:
        for n, line in enumerate(self._lines):
            if n >= 2:  # the line before was an event (line 1 is the header) …
                with contextlib.suppress(ValueError):  # … or not: the reader refuses the log
                    self.tree.append(event_leaf_hash(self.last))
            self.last = line
            yield line


def check_digest(reader: LogReader, records: Iterable[EventRecord],
                 digest: Digest = verdict_digest) -> None:
    """Re-derive a read log's verdict digest (as of its trailer's date) from its records and
    refuse it if it is not the trailer's, as ``verify --recompute`` does."""
    trailer, header = reader.trailer, reader.header
    assert trailer is not None and header is not None, "a log read to its end"
    check_verdict_digest(header, trailer, reader.event_count,
                         digest(case_files(records).values(), trailer.verdicts_as_of))


def import_log(app: ImportTarget, lines: Iterable[bytes],
               progress: Callable[[int], None] | None = None, *,
               digest: Digest = verdict_digest, checkpoint: str | None = None,
               verifier: Verifier | None = None, expect_root: str | None = None) -> LogReader:
    """Check the whole log, then write all its events into the (empty) store in one transaction.

    Raises :class:`~ungeforloeb.interchange.errors.StoreNotEmptyError` if the store holds
    events, and :class:`~ungeforloeb.interchange.errors.LogError` on any fault of the log —
    :class:`~ungeforloeb.interchange.errors.DigestMismatchError` when the verdicts re-derived
    with ``digest`` (the audit's) differ from the trailer's, a
    :class:`~ungeforloeb.interchange.errors.CheckpointError` when the log is not the one the
    ``checkpoint`` signed (by ``verifier``) or its root is not ``expect_root``; in every case
    nothing is written. Returns the reader (header, trailer, counts).
    """
    existing = app.recorder.max_notification_id()
    if existing:
        raise StoreNotEmptyError(
            f"the store already holds {existing} events: import needs an empty store, so that "
            f"the log's order and versions are kept exactly")
    passed = _Tree(lines)
    reader = LogReader(passed)
    records: list[EventRecord] = []
    pending: list[StoredEvent] = []
    keys: list[Any] = []  # a new data key for each young person (sealing their personal fields)
    mapper = app.mapper
    for rec in reader.records():
        records.append(rec)
        event = domain_event(rec)
        keys += app.data_keys_for([event])
        pending.append(mapper.to_stored_event(event))
        if progress is not None and len(pending) % 500 == 0:
            progress(len(pending))
    check_digest(reader, records, digest)
    if checkpoint is not None or verifier is not None or expect_root is not None:
        assert reader.trailer is not None
        trailer_hash = reader.trailer.hash
        check_tree(LogTree(passed.tree.size, passed.tree.root(), trailer_hash),
                   checkpoint=checkpoint, verifier=verifier, expect_root=expect_root)
    if pending:
        app.write_imported(pending, keys)
    if progress is not None:
        progress(len(pending))
    return reader
