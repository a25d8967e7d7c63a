"""A log checked in parallel ranges, and the index of where each case's lines are.

Every line states its hash, the SHA-256 of its predecessor's hash and its own bytes; so a range
of lines can be checked on its own, from the hash its predecessor states, and ranges checked
side by side prove the whole chain. :func:`index_log` checks the header, splits the event lines
into ranges at line boundaries, has each range checked (:class:`~ungeforloeb.interchange.reader.
RangeChecker`, in worker processes when a pool has more than one), joins what a range cannot
check alone (stream versions across ranges, references to earlier streams, the trailer's count
and final hash), and returns a :class:`LogIndex`: per case, the byte positions of its lines (8
bytes per event), so the audit can read the cases back one at a time.

When anything is wrong, the log is read again from the start by
:class:`~ungeforloeb.interchange.reader.LogReader`, which raises the first error exactly as a
sequential read does (same line, event type and field): a fault costs one more read, a valid log
none.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange.format import GENESIS_HASH
from ungeforloeb.interchange.parallel import Pool, available_cores, pool
from ungeforloeb.interchange.reader import (
    Header,
    LogReader,
    RangeChecker,
    RangeError,
    Trailer,
    record_of_line,
    unpack,
)

RANGE_BYTES = 16 * 2**20
"""About this many bytes of event lines per range (at least one range per job)."""

Stages = Callable[[str, int, int], None]
"""Progress: called with the stage (``check``, ``judge``), work done and work in all."""


class Source:
    """A log's bytes: a file by path (each process opens its own), or a seekable stream read
    by this process only. A stream that cannot seek is first copied to a temporary file."""

    def __init__(self, path: str | None = None, stream: IO[bytes] | None = None) -> None:
        self.path = path
        self._stream = stream
        self._fd: int | None = None
        self._spool: Any = None

    @classmethod
    def of(cls, stream: IO[bytes]) -> Source:
        """The source of an open binary stream (read from its first byte): its file by path when
        it is a regular file, the stream itself when it can seek, else a temporary copy."""
        name = getattr(stream, "name", None)
        if isinstance(name, str) and os.path.isfile(name):
            return cls(path=name)
        if stream.seekable():
            return cls(stream=stream)
        # kept open while the source is used; closed (and so removed) by close()
        spool = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="ungeforloeb-log-", suffix=".jsonl")
        shutil.copyfileobj(stream, spool)
        spool.flush()
        source = cls(path=spool.name)
        source._spool = spool
        return source

    def __getstate__(self) -> dict[str, Any]:
        if self.path is None:
            raise TypeError("a log read from a stream is read by one process only")
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(path=state["path"])  # type: ignore[misc]

    @property
    def parallel(self) -> bool:
        """Whether worker processes can read it (by path)."""
        return self.path is not None

    def size(self) -> int:
        if self.path is not None:
            return os.path.getsize(self.path)
        assert self._stream is not None
        return self._stream.seek(0, os.SEEK_END)

    def read(self, offset: int, length: int) -> bytes:
        if self.path is not None:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDONLY)
            return os.pread(self._fd, length, offset)
        assert self._stream is not None
        self._stream.seek(offset)
        return self._stream.read(length)

    def lines(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The lines (with their line feeds) from byte ``start`` up to byte ``end``."""
        if self.path is not None:
            with open(self.path, "rb") as f:
                yield from _lines_of(f, start, end)
        else:
            assert self._stream is not None
            yield from _lines_of(self._stream, start, end)

    def line_start_before(self, offset: int) -> int:
        """The byte where the line ending just before ``offset`` starts."""
        back = 4096
        while True:
            lo = max(0, offset - 1 - back)
            chunk = self.read(lo, offset - 1 - lo)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                return lo + cut + 1
            if lo == 0:
                return 0
            back *= 4

    def next_line_start(self, offset: int) -> int:
        """The first line start at or after ``offset`` (a line start is just after ``\\n``)."""
        if offset == 0:
            return 0
        step = 4096
        pos = offset - 1
        while True:
            chunk = self.read(pos, step)
            if not chunk:
                return self.size()
            cut = chunk.find(b"\n")
            if cut >= 0:
                return pos + cut + 1
            pos += len(chunk)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._spool is not None:
            self._spool.close()
            self._spool = None


def _lines_of(f: IO[bytes], start: int, end: int | None) -> Iterator[bytes]:
    f.seek(start)
    at = start
    for raw in f:
        if end is not None and at >= end:
            return
        at += len(raw)
        yield raw


def count_lines(source: Source, start: int, end: int) -> int:
    """The line feeds between byte ``start`` and ``end``."""
    n = 0
    at = start
    while at < end:
        chunk = source.read(at, min(end - at, 8 * 2**20))
        if not chunk:
            break
        n += chunk.count(b"\n")
        at += len(chunk)
    return n


@dataclass(frozen=True)
class RangeResult:
    """What one range's check found (see :class:`RangeChecker`)."""

    error_line: int | None
    last_hash: str
    streams: dict[str, list[Any]]
    references: list[tuple[int, str, str]]
    positions: dict[str, array[int]]


def check_range(source: Source, header: Header, start: int, end: int, first_line: int,
                previous_hash: str) -> RangeResult:
    """Check the event lines between bytes ``start`` and ``end`` (a worker's task)."""
    checker = RangeChecker(header, first_line, previous_hash)
    try:
        last = checker.check(source.lines(start, end), start)
    except RangeError as err:
        return RangeResult(err.line, "", {}, [], {})
    return RangeResult(None, last, checker.streams, checker.references, checker.positions)


class LogIndex:
    """A checked log's header and trailer, and per case the positions of its lines."""

    def __init__(self, header: Header, trailer: Trailer, event_count: int,
                 cases: dict[str, list[array[int]]]) -> None:
        self.header = header
        self.trailer = trailer
        self.event_count = event_count
        self._cases = cases
        self.case_ids = sorted(cases)
        """Every case's young person id, ascending (the order of the verdict digest)."""

    def positions(self, case_id: str) -> array[int]:
        """The packed positions of the case's lines, in log order."""
        parts = self._cases[case_id]
        if len(parts) == 1:
            return parts[0]
        merged = array("q", sorted(p for part in parts for p in part))
        return merged

    def events_of(self, case_id: str) -> int:
        return sum(len(p) for p in self._cases[case_id])

    def case_file(self, source: Source, case_id: str) -> CaseFile:
        """The case file of one case, read back from the log."""
        return read_case(source, case_id, self.positions(case_id))


def read_case(source: Source, case_id: str, positions: array[int]) -> CaseFile:
    """A case file from its lines' positions (lines already checked)."""
    records = []
    loads = orjson.loads
    for p in positions:
        offset, length = unpack(p)
        records.append(record_of_line(loads(source.read(offset, length))))
    return CaseFile(case_id, records)


def _first_error(source: Source) -> e.LogError:
    """The first error of the log, read from the start as :class:`LogReader` reads it."""
    reader = LogReader(source.lines())
    try:
        for _ in reader.records():
            pass
    except e.LogError as err:
        return err
    return e.LogError(None, "the log failed a check in parallel ranges that a sequential "
                            "read passes (a fault of this library: please report it)")


SMALL_LOG = 8 * 2**20
"""A log smaller than this (about 20,000 events) is read in this process unless more jobs are
asked for: starting worker processes takes longer than reading it."""


def jobs_for(source: Source, jobs: int | None) -> int:
    """The worker processes to use: ``jobs`` when given, else the cores available for a log of
    :data:`SMALL_LOG` or more; one for a stream (only this process can read it)."""
    if not source.parallel:
        return 1
    if jobs is not None:
        return jobs
    return available_cores() if source.size() >= SMALL_LOG else 1


def check_log(source: Source, jobs: int | None = None,
              progress: Stages | None = None) -> LogIndex:
    """:func:`index_log` with ``jobs`` worker processes (see :func:`jobs_for`)."""
    with pool(jobs_for(source, jobs)) as workers:
        return index_log(source, workers, progress)


def index_log(source: Source, workers: Pool, progress: Stages | None = None) -> LogIndex:
    """Check a whole log and index its cases; raise the first
    :class:`~ungeforloeb.interchange.errors.LogError` on any fault."""
    try:
        return _index(source, workers, progress)
    except RangeError:
        raise _first_error(source) from None


def _index(source: Source, workers: Pool, progress: Stages | None) -> LogIndex:
    size = source.size()
    reader = LogReader(())
    # the header (line 1)
    first_end = source.next_line_start(1) if size else 0
    if first_end == 0 or first_end > size:
        raise RangeError(1)
    raw = source.read(0, first_end)
    try:
        obj, body = reader._decode(raw, 1)
        if obj.get("kind") != "header":
            raise RangeError(1)
        header = reader._header(obj, 1)
        reader.header = header
        previous = reader._chain(obj, body, GENESIS_HASH, 1, None)
    except e.LogError:
        raise RangeError(1) from None
    # the trailer (the last line)
    last_start = source.line_start_before(size)
    if last_start < first_end or not source.read(size - 1, 1) == b"\n":
        raise RangeError(2)
    # the event lines between, in ranges
    bounds = _bounds(source, first_end, last_start, workers.jobs)
    spans = list(itertools.pairwise(bounds))
    counts = list(workers.map(count_lines, ((source, a, b) for a, b in spans)))
    tasks = []
    line = 2
    for (a, b), n in zip(spans, counts, strict=True):
        stated = previous if a == first_end else _stated_hash(source, a)
        tasks.append((source, header, a, b, line, stated))
        line += n
    trailer_line = line
    streams: dict[str, list[Any]] = {}
    positions: dict[str, array[int]] = {}
    references: list[tuple[int, str, str]] = []
    last_hash = previous
    done = first_end
    for (a, b), result in zip(spans, workers.map(check_range, tasks), strict=True):
        if result.error_line is not None:
            raise RangeError(result.error_line)
        for sid, (stype, first_v, last_v, first_line, owner) in result.streams.items():
            state = streams.get(sid)
            if state is None:
                if first_v != 1:
                    raise RangeError(first_line)
                streams[sid] = [stype, last_v, first_line, owner]
            else:
                if state[0] != stype or first_v != state[1] + 1:
                    raise RangeError(first_line)
                state[1] = last_v
        for sid, where in result.positions.items():
            have = positions.get(sid)
            if have is None:
                positions[sid] = where
            else:
                have.extend(where)
        references.extend(result.references)
        last_hash = result.last_hash
        done += b - a
        if progress is not None:
            progress("check", done, size)
    for line_no, ref, kind in references:
        state = streams.get(ref)
        if state is None or state[0] != kind or state[2] >= line_no:
            raise RangeError(line_no)
    # the trailer
    reader.event_count = trailer_line - 2
    try:
        obj, body = reader._decode(source.read(last_start, size - last_start), trailer_line)
        if obj.get("kind") != "trailer":
            raise RangeError(trailer_line)
        trailer = reader._trailer(obj, trailer_line, last_hash)
        reader._chain(obj, body, last_hash, trailer_line, None)
    except e.LogError:
        raise RangeError(trailer_line) from None
    if progress is not None:
        progress("check", size, size)
    cases: dict[str, list[array[int]]] = {}
    for sid, (stype, _v, _line, owner) in streams.items():
        case_id = sid if stype == "YoungPerson" else owner if owner is not None else "?" + sid
        cases.setdefault(case_id, []).append(positions.pop(sid))
    return LogIndex(header, trailer, trailer_line - 2, cases)


def _bounds(source: Source, start: int, end: int, jobs: int) -> list[int]:
    """Line starts splitting bytes ``start``..``end`` into ranges of about
    :data:`RANGE_BYTES` (at least ``jobs`` ranges when there is enough)."""
    if end <= start:
        return [start, end]
    parts = max(jobs, -(-(end - start) // RANGE_BYTES))
    out = [start]
    for k in range(1, parts):
        cut = source.next_line_start(start + (end - start) * k // parts)
        if out[-1] < cut < end:
            out.append(cut)
    out.append(end)
    return out


def _stated_hash(source: Source, line_start: int) -> str:
    """The hash stated by the line that ends just before ``line_start``."""
    begin = source.line_start_before(line_start)
    try:
        stated = orjson.loads(source.read(begin, line_start - begin)).get("hash")
    except (orjson.JSONDecodeError, AttributeError):
        stated = None
    return stated if isinstance(stated, str) else ""
