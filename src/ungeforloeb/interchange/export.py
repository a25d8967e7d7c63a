"""Export: the application's store as one interchange log, streamed page by page.

The event lines are written as the store's notification log is paged through
(:meth:`~ungeforloeb.application.app.Ungeforloeb.records`), so the file is never held in memory.
The trailer's verdict digest is derived from the exported records with the audit's own code
(:func:`~ungeforloeb.interchange.audit.verdict_digest`), so ``verify --recompute`` can re-derive
it from the log alone, bit for bit. For it, the export keeps only an index (each stream's young
person and the sequence numbers of its events) and then reads the cases back one at a time by
stream from the store, so memory grows with the number of streams, not with the events' data.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper

from ungeforloeb import __version__
from ungeforloeb.casefile.decode import record_from_state
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.interchange import format as fmt
from ungeforloeb.interchange.audit import (
    Digest,
    InCaseOrder,
    chunked,
    judge_chunk,
    rule_regimes,
    verdict_digest,
)
from ungeforloeb.interchange.checkpoint import Checkpoint, Signer
from ungeforloeb.interchange.errors import ExportError
from ungeforloeb.interchange.merkle import TreeBuilder, event_leaf_hash
from ungeforloeb.interchange.parallel import available_cores, pool
from ungeforloeb.interchange.ranges import Source
from ungeforloeb.interchange.reader import pack

DigestOf = Callable[[Iterable[CaseFile], date], str]
PARALLEL_EVENTS = 20_000
"""With ``jobs`` left to its default, the trailer is judged in worker processes from this many
events on (fewer would cost more to start than they save)."""


class Store(Protocol):
    """What the export reads of an application (:class:`~ungeforloeb.application.Ungeforloeb`
    is one): its recorder and mapper, and its events as light records in notification order.
    """

    @property
    def recorder(self) -> ApplicationRecorder: ...

    @property
    def mapper(self) -> Mapper[UUID]: ...

    def records(self, start: int = 1, stop: int | None = None) -> Iterator[EventRecord]: ...


@runtime_checkable
class PlainJsonMapper(Protocol):
    """A mapper that stores an event's state as plain JSON (the application's
    :class:`~ungeforloeb.application.mapper.OrjsonMapper`)."""

    def decode_state(self, data: bytes) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    event_count: int
    final_hash: str
    verdicts_as_of: date
    verdict_digest: str
    exported_at: datetime
    tree_size: int = 0
    root: bytes | None = None
    """The Merkle root over the event lines (docs/interchange.md, section 11), unless not built."""
    trailer_hash: str = ""
    checkpoint: str | None = None
    """The signed checkpoint's text, when the export was signed."""

    def checkpoint_of(self, origin: str) -> Checkpoint:
        if self.root is None:
            raise ExportError("the export built no Merkle tree, so it has no checkpoint")
        return Checkpoint(origin, self.tree_size, self.root, self.trailer_hash)


class CaseIndex:
    """Which young person each exported stream belongs to (as
    :func:`~ungeforloeb.casefile.records.group_by_case` decides it), and the log's sequence
    numbers of each stream's events: enough to read the cases back one at a time."""

    def __init__(self) -> None:
        self.streams_of: dict[str, list[str]] = {}
        self.seqs: dict[str, array[int]] = {}
        self.spans: dict[str, array[int]] = {}
        """Each stream's lines as packed (byte offset, length) in the log being written (only
        for a trailer judged by workers reading the log back)."""

    def add_line(self, rec: EventRecord, offset: int, length: int) -> None:
        """:meth:`add`, and where the event's line is in the log."""
        self.add(rec)
        spans = self.spans.get(rec.stream_id)
        if spans is None:
            self.spans[rec.stream_id] = spans = array("q")
        spans.append(pack(offset, length))

    def chunks(self) -> Iterator[list[tuple[str, array[int]]]]:
        """The cases in ascending id order, each with its lines' packed positions in log order,
        in the audit's tasks (:func:`~ungeforloeb.interchange.audit.chunked`)."""
        def cases() -> Iterator[tuple[str, array[int]]]:
            for case_id in sorted(self.streams_of):
                parts = [self.spans[sid] for sid in self.streams_of[case_id]]
                yield case_id, parts[0] if len(parts) == 1 else array("q", sorted(
                    p for part in parts for p in part))

        return chunked(cases())

    def add(self, rec: EventRecord) -> None:
        seqs = self.seqs.get(rec.stream_id)
        if seqs is None:
            if rec.stream_type == "YoungPerson":
                case_id = rec.stream_id
            else:
                yp = rec.payload.get("young_person_id")
                case_id = yp if isinstance(yp, str) and rec.version == 1 else "?" + rec.stream_id
            self.streams_of.setdefault(case_id, []).append(rec.stream_id)
            self.seqs[rec.stream_id] = seqs = array("q")
        seqs.append(rec.seq)

    def case_files(self, app: Store) -> Iterator[CaseFile]:
        """Each case file, read back from the store stream by stream (records in log order)."""
        mapper = app.mapper
        if not isinstance(mapper, PlainJsonMapper):
            raise ExportError("the store's mapper does not keep events as plain JSON "
                              "(export needs the application's own mapper)")
        for case_id in sorted(self.streams_of):  # case order: the digest streams (InCaseOrder)
            stream_ids = self.streams_of[case_id]
            records: list[EventRecord] = []
            for sid in stream_ids:
                seqs = self.seqs[sid]
                stored = app.recorder.select_events(UUID(sid), lte=len(seqs))
                for ev, seq in zip(stored, seqs, strict=True):
                    records.append(record_from_state(seq, sid, ev.originator_version, ev.topic,
                                                     mapper.decode_state(ev.state)))
            records.sort(key=lambda r: r.seq)
            yield CaseFile(case_id, records)


def municipality_of(app: Store, stop: int | None = None) -> str | None:
    """The municipality code of the store's first FirstContactRegistered event, if any."""
    for rec in app.records(stop=stop):
        if rec.type == "FirstContactRegistered":
            code = rec.payload["municipality_code"]
            return str(code)
    return None


def export_log(app: Store, out: IO[bytes], *, exported_at: datetime | None = None,
               municipality_code: str | None = None, as_of: date | None = None,
               regimes: Mapping[str, str] | None = None, digest: DigestOf = verdict_digest,
               progress: Callable[[int, int], None] | None = None,
               merkle: bool = True, jobs: int | None = 1, path: str | None = None,
               trailer_progress: Callable[[int, int], None] | None = None) -> ExportSummary:
    """Write the store's events to ``out`` as a log.

    ``exported_at`` (default: now, UTC) goes into the header; ``as_of`` (default: the day the
    log's last event happened; the export day for an empty store) is the date of the
    trailer's verdict digest. ``municipality_code`` defaults to the
    store's (its cases must all share it). ``progress(done, total)`` is called as events are
    written. Only the events stored when the export starts are exported. ``merkle``: build the
    Merkle tree over the event lines as they are written (its root is in the summary).

    ``jobs``: worker processes that judge the trailer's verdicts by reading the cases back from
    the log being written, as an audit does (``None``: the cores available, from
    :data:`PARALLEL_EVENTS` events on); only when ``out`` is the file at ``path`` and the digest
    is the default. The log is the same, bit for bit, for every number of jobs.
    ``trailer_progress(cases done, cases)`` is called as the trailer's cases are judged by them.
    """
    when = (exported_at or datetime.now(tz=UTC)).astimezone(UTC)
    last: date | None = None
    stop = app.recorder.max_notification_id() or 0
    code = municipality_code or municipality_of(app, stop)
    line, previous = fmt.seal(fmt.header(
        library_version=__version__, exported_at=when, municipality_code=code,
        regimes=rule_regimes() if regimes is None else regimes), fmt.GENESIS_HASH)
    out.write(line)
    index = CaseIndex()
    tree = TreeBuilder() if merkle else None
    if jobs is None:
        jobs = available_cores() if stop >= PARALLEL_EVENTS else 1
    parallel = jobs > 1 and path is not None and digest is verdict_digest
    offset = len(line)
    seq = 0
    if stop:
        for rec in app.records(1, stop):
            seq += 1
            if rec.type == "FirstContactRegistered" and rec.payload["municipality_code"] != code:
                raise ExportError(
                    f"event {seq} ({rec.type}) of young person {rec.stream_id} names "
                    f"municipality {rec.payload['municipality_code']}, not {code}: a log holds "
                    f"the cases of one municipality, and this store holds more than one")
            rec = rec._replace(seq=seq)
            if last is None or rec.occurred_on > last:
                last = rec.occurred_on
            line, previous = fmt.seal(fmt.event(rec, seq), previous)
            out.write(line)
            if tree is not None:
                tree.append(event_leaf_hash(line))
            if parallel:
                index.add_line(rec, offset, len(line))
                offset += len(line)
            else:
                index.add(rec)
            if progress is not None and seq % 500 == 0:
                progress(seq, stop)
    day = as_of or last or when.date()
    if parallel:
        assert path is not None
        out.flush()
        vd = _judged_in_workers(index, Source(path=path), day, jobs, trailer_progress)
    else:
        vd = digest(InCaseOrder(index.case_files(app)), day)
    line, trailer_hash = fmt.seal(fmt.trailer(event_count=seq, final_hash=previous,
                                              verdicts_as_of=day, verdict_digest=vd), previous)
    out.write(line)
    if progress is not None:
        progress(seq, max(seq, stop))
    return ExportSummary(seq, previous, day, vd, when, seq,
                         tree.root() if tree is not None else None, trailer_hash)


def _judged_in_workers(index: CaseIndex, source: Source, day: date, jobs: int,
                       progress: Callable[[int, int], None] | None) -> str:
    """The trailer's verdict digest, the cases read back from the event lines already written
    and judged in ``jobs`` worker processes with the audit's own task (so the digest is the
    one ``verify --recompute`` derives from the log)."""
    digest = Digest()
    cases = len(index.streams_of)
    done = 0
    tasks = ((source, chunk, day, None, False, False) for chunk in index.chunks())
    with pool(jobs) as workers:
        for judged in workers.map(judge_chunk, tasks):
            digest.update_lines(judged.lines)
            done += judged.tally.cases
            if progress is not None:
                progress(done, cases)
    return digest.hexdigest()


def checkpoint_path(log: str | Path) -> Path:
    """Where a log's signed checkpoint is written and looked for: beside it, with
    ``.checkpoint`` appended to its name."""
    p = Path(log)
    return p.with_name(p.name + ".checkpoint")


def export_to_file(app: Store, path: str | Path, *, signer: Signer | None = None,
                   origin: str | None = None, **options: object) -> ExportSummary:
    """Export to ``path`` atomically: written to a temporary file beside it, then renamed, so a
    failed export never leaves a partial log. With a ``signer``, the signed checkpoint is written
    beside it (:func:`checkpoint_path`; its origin defaults to the key's name)."""
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {target}: no directory {target.parent}")
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part",
                               dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as out:
            summary = export_log(app, out, path=tmp, **options)  # type: ignore[arg-type]
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it 0600)
        if signer is not None:
            note = summary.checkpoint_of(origin or signer.name).sign(signer)
            _write_atomically(checkpoint_path(target), note.encode())
            summary = dataclasses.replace(summary, checkpoint=note)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return summary


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
