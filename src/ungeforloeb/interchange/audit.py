"""The auditor's replay: a log's records into case files and verdicts, without a database.

The records are folded exactly as the live path folds the store's records
(:func:`~ungeforloeb.casefile.records.group_by_case` → :class:`~ungeforloeb.casefile.fold.
CaseFile`), and judged by the same evaluator, so live and audit agree by construction. No
eventsourcing aggregate is built here.

:func:`audit_log` streams: the log is checked in parallel ranges and indexed
(:func:`~ungeforloeb.interchange.ranges.index_log`: 8 bytes per event), then the cases are read
back, folded and judged a chunk at a time, in worker processes with ``jobs`` > 1, and come back
in ascending case id order; each verdict goes once into the digest and the output as it comes,
and into running counts (:class:`Tally`) for the table. Memory holds the index, the counts and
the chunks in flight, not the log's records nor its verdicts.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import IO, TYPE_CHECKING, Any, Protocol

import attrs
import orjson

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord, group_by_case
from ungeforloeb.interchange.errors import DigestMismatchError
from ungeforloeb.interchange.parallel import Pool, pool
from ungeforloeb.interchange.ranges import (
    LogIndex,
    Source,
    Stages,
    index_log,
    jobs_for,
    read_case,
)
from ungeforloeb.interchange.reader import LogReader
from ungeforloeb.projections.compliance import (
    CaseworkerRow,
    ComplianceReport,
    ComplianceRow,
)
from ungeforloeb.rules.evaluate import evaluate as judge
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.rules.verdict import Status, Verdict

if TYPE_CHECKING:
    from ungeforloeb.rules.model import RuleSet

Progress = Callable[[int], None]
"""Called with the number of bytes read so far (for a progress bar)."""


def case_files(records: Iterable[EventRecord]) -> dict[str, CaseFile]:
    """Every young person's case file from records in log order (as the live path builds them).
    """
    return {k: CaseFile(k, v) for k, v in group_by_case(records).items()}


def evaluate(files: Iterable[CaseFile], as_of: date,
             known_at: date | None = None) -> ComplianceReport:
    """The compliance report of case files as of a date (the live projection's evaluator)."""
    from ungeforloeb.projections.compliance import evaluate_all

    return evaluate_all(files, as_of, known_at)


class InCaseOrder(Iterable[CaseFile]):
    """Case files that come in ascending order of young person id: :func:`verdict_digest`
    then judges them one at a time instead of holding every verdict (constant memory)."""

    def __init__(self, files: Iterable[CaseFile]) -> None:
        self._files = files

    def __iter__(self) -> Iterator[CaseFile]:
        return iter(self._files)


def verdict_digest(files: Iterable[CaseFile], as_of: date) -> str:
    """SHA-256 hex digest of every verdict as of ``as_of`` (the trailer's ``verdict_digest``)."""
    if isinstance(files, InCaseOrder):
        return _digest_case_by_case(files, as_of)
    return evaluate(files, as_of).digest()


def _digest_case_by_case(files: InCaseOrder, as_of: date) -> str:
    """The digest of :meth:`ComplianceReport.digest`, case by case (see :class:`Digest`)."""
    rules = default_rules()
    digest = Digest()
    last: str | None = None
    for cf in files:
        if last is not None and cf.young_person_id <= last:
            raise ValueError(f"verdict_digest: case {cf.young_person_id} after {last}: "
                             f"InCaseOrder needs ascending case ids")
        last = cf.young_person_id
        digest.update([verdict_bytes(v) for v in case_verdicts(cf, as_of, None, rules)])
    return digest.hexdigest()


def case_verdicts(cf: CaseFile, as_of: date, known_at: date | None,
                  rules: RuleSet) -> list[Verdict]:
    """One case's verdicts as of ``as_of`` (as known at ``known_at``), in digest order: the
    live compliance evaluator's (the case's view, then the judge)."""
    verdicts = judge(cf.view(as_of=as_of, known_at=known_at), as_of, rules)
    verdicts.sort(key=lambda v: v.sort_key)
    return verdicts


def verdict_bytes(v: Verdict) -> bytes:
    """A verdict's canonical JSON (sorted keys, compact): what the digest hashes, and one line
    of the audit's JSON Lines output."""
    return orjson.dumps(v.to_dict(), option=orjson.OPT_SORT_KEYS)


class Digest:
    """The verdict digest, fed in order: SHA-256 of the compact JSON array of every verdict
    sorted by (case id, rule id, subject), the same bytes as :meth:`ComplianceReport.digest`;
    with the cases in ascending id order it can be fed one case at a time."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256(b"[")
        self._first = True

    def update(self, verdicts: list[bytes]) -> None:
        """Add verdicts (each :func:`verdict_bytes`)."""
        self.update_lines(b"\n".join(verdicts))

    def update_lines(self, lines: bytes) -> None:
        """Add verdicts given as :func:`verdict_bytes` joined by line feeds (compact JSON has
        no raw line feed, so each one separates two verdicts)."""
        if not lines:
            return
        if not self._first:
            self._sha.update(b",")
        self._sha.update(lines.replace(b"\n", b","))
        self._first = False

    def hexdigest(self) -> str:
        sha = self._sha.copy()
        sha.update(b"]")
        return sha.hexdigest()


def rule_regimes() -> dict[str, str]:
    """Rule regime id → SHA-256 of its data file, from the rules package (the header's
    ``regimes``)."""
    return {regime.id: regime.sha256 for regime in default_rules().regimes}


def regime_mismatch(header_regimes: Mapping[str, str]) -> list[str]:
    """The regimes whose content differs between a log's header and this library's rules
    (a reason for other verdicts than the exporter's), as readable phrases."""
    ours = rule_regimes()
    out = []
    for rid in sorted(set(ours) | set(header_regimes)):
        theirs = header_regimes.get(rid)
        mine = ours.get(rid)
        if theirs != mine:
            out.append(f"{rid}: log {theirs[:12] if theirs else 'absent'}, "
                       f"library {mine[:12] if mine else 'absent'}")
    return out


class Counting:
    """Wraps a binary file: yields its lines and reports bytes read."""

    def __init__(self, stream: IO[bytes], progress: Progress | None) -> None:
        self._stream = stream
        self._progress = progress
        self.read = 0

    def __iter__(self) -> Any:
        for lines, raw in enumerate(self._stream, 1):
            self.read += len(raw)
            if self._progress is not None and lines % 1000 == 0:
                self._progress(self.read)
            yield raw
        if self._progress is not None:
            self._progress(self.read)


def read_case_files(stream: IO[bytes], progress: Progress | None = None,
                    case_id: str | None = None) -> tuple[LogReader, dict[str, CaseFile]]:
    """Read and check a whole log; return its reader (header, trailer) and its case files.

    With ``case_id``, only that young person's case file is kept (the others are still read and
    checked). Raises :class:`~ungeforloeb.interchange.errors.LogError` on any fault.
    """
    reader = LogReader(Counting(stream, progress))
    records: Iterable[EventRecord] = reader.records()
    files = case_files(records)
    if case_id is not None:
        files = {k: v for k, v in files.items() if k == case_id}
    return reader, files


def recompute(stream: IO[bytes], progress: Progress | None = None, *,
              jobs: int | None = None) -> LogIndex:
    """Verify a log and re-derive its verdict digest; raise if it differs from the trailer's.
    """
    source = Source.of(stream)
    try:
        stages = _bytes_only(progress) if progress is not None else None
        index, result = _recompute(source, stages, jobs)
    finally:
        source.close()
    trailer = index.trailer
    if result.digest != trailer.verdict_digest:
        mismatch = regime_mismatch(index.header.regimes)
        why = (" (the log was judged under other rule data: " + "; ".join(mismatch) + ")"
               if mismatch else "")
        raise DigestMismatchError(
            index.event_count + 2,
            f"the verdicts re-derived from the log differ from the exporter's{why}",
            field="verdict_digest", expected=result.digest, got=trailer.verdict_digest)
    return index


def _recompute(source: Source, progress: Stages | None,
               jobs: int | None) -> tuple[LogIndex, Audited]:
    audit = audit_log(source, None, jobs=jobs, progress=progress)
    return audit.index, audit


def _bytes_only(progress: Progress) -> Stages:
    def stages(stage: str, done: int, _total: int) -> None:
        if stage == "check":
            progress(done)

    return stages


# --------------------------------------------------------------------------- streaming


class VerdictSink(Protocol):
    """Where the streamed verdicts go, a chunk of cases at a time, in digest order."""

    def verdicts(self, lines: bytes, indented: bytes | None) -> None:
        """``lines``: the chunk's verdicts, each its canonical JSON (:func:`verdict_bytes`),
        joined by line feeds (empty when the chunk has none); ``indented``: the same as they
        stand in the report's JSON array (indented by four spaces, joined by ``,\\n``), when
        asked for."""


_JUDGED = (Status.MET, Status.MISSED, Status.UNUSED)
"""The statuses a group's share counts (met over these), as ComplianceReport.rows does."""


_LISTED = (Status.MISSED, Status.NOT_DOCUMENTED)
"""The statuses whose verdicts the HTML report lists case by case."""


@dataclass
class Tally:
    """Running counts of verdicts: what the compliance table's rows and the per-caseworker
    figures are made of, without the verdicts themselves. Tallies of chunks add up."""

    statuses: dict[tuple[str, str], int] = field(default_factory=dict)
    """(rule id, status) -> verdicts"""
    groups: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(rule id, group) -> [met, met + missed]"""
    caseworkers: dict[tuple[str | None, str | None], list[int]] = field(default_factory=dict)
    """(caseworker id, team id) -> [met, missed, due]"""
    sources: dict[tuple[str, str], None] = field(default_factory=dict)
    """(rule id, legal source) of the periods met, missed, unused or due verdicts were judged
    by: the rows name the sources the verdicts used"""
    references: dict[str, list[int]] = field(default_factory=dict)
    """Met and judged among the subjects in the audit's own population, per rule."""
    teams: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(rule id, team id or "") -> [met, judged]: the HTML report's breakdown by team"""
    months: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(rule id, "YYYY-MM" of the due day, else of the clock's start) -> [met, judged]: the
    HTML report's trend over months"""
    values: dict[tuple[str, str], int] = field(default_factory=dict)
    """(rule id, value) -> met verdicts with it (a distribution the audit gave)"""
    verdicts: int = 0
    cases: int = 0

    def add(self, v: Verdict) -> None:
        self.verdicts += 1
        status = v.status
        key = (v.rule_id, status.value)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        # as ComplianceReport.rows counts them (a test keeps the two equal)
        judged = status in _JUDGED
        if v.group is not None and judged:
            g = self.groups.setdefault((v.rule_id, v.group), [0, 0])
            g[0] += status is Status.MET
            g[1] += 1
        if v.value is not None:
            self.values[(v.rule_id, v.value)] = self.values.get((v.rule_id, v.value), 0) + 1
        if v.reference:
            ref = self.references.setdefault(v.rule_id, [0, 0])
            ref[0] += status is Status.MET
            ref[1] += 1
        if v.regime is not None and (judged or status is Status.DUE):
            self.sources[(v.rule_id, v.legal_source)] = None
        if judged:
            _count(self.teams, (v.rule_id, v.team_id or ""), status is Status.MET)
            month = v.due_on or (v.clock_start.on if v.clock_start else None)
            if month is not None:
                _count(self.months, (v.rule_id, month.isoformat()[:7]), status is Status.MET)
        c = self.caseworkers.setdefault((v.caseworker_id, v.team_id), [0, 0, 0])
        if status is Status.MET:
            c[0] += 1
        elif status is Status.MISSED:
            c[1] += 1
        elif status is Status.DUE:
            c[2] += 1

    def merge(self, other: Tally) -> None:
        for k, n in other.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + n
        for gk, (met, denominator) in other.groups.items():
            g = self.groups.setdefault(gk, [0, 0])
            g[0] += met
            g[1] += denominator
        for rk, (met, denominator) in other.references.items():
            ref = self.references.setdefault(rk, [0, 0])
            ref[0] += met
            ref[1] += denominator
        for counts_by, theirs in ((self.teams, other.teams), (self.months, other.months)):
            for tk, (met, judged) in theirs.items():
                t = counts_by.setdefault(tk, [0, 0])
                t[0] += met
                t[1] += judged
        for vk, n in other.values.items():
            self.values[vk] = self.values.get(vk, 0) + n
        for ck, counts in other.caseworkers.items():
            c = self.caseworkers.setdefault(ck, [0, 0, 0])
            for i in range(3):
                c[i] += counts[i]
        self.sources.update(other.sources)
        self.verdicts += other.verdicts
        self.cases += other.cases

    def rows(self, as_of: date, known_at: date | None, rules: RuleSet) -> list[ComplianceRow]:
        """The compliance table's rows, equal to :meth:`ComplianceReport.rows` of the same
        verdicts (:meth:`ComplianceReport.rows_from_counts` of the tally's counts)."""
        counts: dict[str, dict[str, int]] = {}
        for (rule_id, status), n in self.statuses.items():
            counts.setdefault(rule_id, {})[status] = n
        groups: dict[str, dict[str, list[int]]] = {}
        for (rule_id, group), met_den in self.groups.items():
            groups.setdefault(rule_id, {})[group] = met_den
        used: dict[str, list[str]] = {}
        for rule_id, source in self.sources:
            used.setdefault(rule_id, []).append(source)
        values: dict[str, dict[str, int]] = {}
        for (rule_id, value), n in self.values.items():
            values.setdefault(rule_id, {})[value] = n
        return ComplianceReport.rows_from_counts(rules, counts, groups, used, self.references,
                                                 values)

    def by_caseworker(self) -> list[CaseworkerRow]:
        """As :meth:`ComplianceReport.by_caseworker` of the same verdicts."""
        return [CaseworkerRow(k[0], k[1], *self.caseworkers[k])
                for k in sorted(self.caseworkers, key=lambda k: (k[0] or "", k[1] or ""))]


def _count(counts: dict[tuple[str, str], list[int]], key: tuple[str, str], met: bool) -> None:
    c = counts.setdefault(key, [0, 0])
    c[0] += met
    c[1] += 1


@dataclass
class Judged:
    """What judging a chunk of cases gave (a worker's answer); verdicts as joined bytes (see
    :class:`VerdictSink`): one object per chunk, not one per verdict."""

    lines: bytes
    indented: bytes | None
    kept: list[Verdict]
    tally: Tally
    events: int


def judge_chunk(source: Source, chunk: list[tuple[str, array[int]]], as_of: date,
                known_at: date | None, indented: bool, keep_missed: bool) -> Judged:
    """Read back, fold and judge a chunk of cases (a worker's task). ``keep_missed``: also
    return the missed and not documented verdicts (the HTML report lists their cases)."""
    rules = default_rules()
    tally = Tally()
    # per case, its verdicts joined at once: orjson's results carry spare capacity, so a
    # chunk keeps one bytes object per case, not one per verdict
    lines: list[bytes] = []
    pretty: list[bytes] = []
    kept: list[Verdict] = []
    events = 0
    for case_id, positions in chunk:
        cf = read_case(source, case_id, positions)
        events += len(positions)
        verdicts = case_verdicts(cf, as_of, known_at, rules)
        tally.cases += 1
        for v in verdicts:
            tally.add(v)
        if not verdicts:
            continue
        lines.append(b"\n".join([verdict_bytes(v) for v in verdicts]))
        if indented:
            pretty.append(b",\n".join([
                b"    " + orjson.dumps(v.to_dict(), option=orjson.OPT_SORT_KEYS
                                       | orjson.OPT_INDENT_2).replace(b"\n", b"\n    ")
                for v in verdicts]))
        if keep_missed:
            kept.extend(v for v in verdicts if v.status in _LISTED)
    return Judged(b"\n".join(lines), b",\n".join(pretty) if indented else None, kept, tally,
                  events)


CHUNK_EVENTS = 4000
"""About this many events of cases per task."""


@dataclass
class Audited:
    """What :func:`audit_log` found: the log's index (header, trailer, counts), the verdict
    digest, the tally and (when asked) the missed and not documented verdicts."""

    index: LogIndex
    as_of: date
    known_at: date | None
    digest: str
    tally: Tally
    kept: list[Verdict]

    def report(self) -> StreamedReport:
        """The compliance report of the counts (rows, per caseworker, digest)."""
        rules = default_rules()
        return _streamed_report(self, rules)


def audit_log(source: Source, as_of: date | None, known_at: date | None = None, *,
              jobs: int | None = None, sink: VerdictSink | None = None,
              indented: bool = False, keep_missed: bool = False,
              progress: Stages | None = None, workers: Pool | None = None) -> Audited:
    """Check and index the log, then judge every case as of ``as_of`` (default: the trailer's
    ``verdicts_as_of``) and stream the verdicts into the digest, the tally and ``sink``.

    ``jobs`` worker processes (default: the cores available, for a log of 8 MiB or more; see
    :func:`~ungeforloeb.interchange.ranges.jobs_for`) check ranges and judge cases; the output
    and digest are the same, bit for bit, for every number of jobs. Raises
    :class:`~ungeforloeb.interchange.errors.LogError` on any fault of the log. ``workers``: a
    pool to use instead of starting one (it is left open).
    """
    with nullcontext(workers) if workers is not None else pool(jobs_for(source, jobs)) as w:
        index = index_log(source, w, progress)
        day = as_of if as_of is not None else index.trailer.verdicts_as_of
        digest = Digest()
        tally = Tally()
        kept: list[Verdict] = []
        done = 0
        tasks = ((source, chunk, day, known_at, indented, keep_missed)
                 for chunk in _chunks(index))
        for judged in w.map(judge_chunk, tasks):
            digest.update_lines(judged.lines)
            if sink is not None:
                sink.verdicts(judged.lines, judged.indented)
            tally.merge(judged.tally)
            kept.extend(judged.kept)
            done += judged.events
            if progress is not None:
                progress("judge", done, index.event_count)
    return Audited(index, day, known_at, digest.hexdigest(), tally, kept)


def _chunks(index: LogIndex) -> Iterator[list[tuple[str, array[int]]]]:
    return chunked((case_id, index.positions(case_id)) for case_id in index.case_ids)


def chunked(cases: Iterable[tuple[str, array[int]]]) -> Iterator[list[tuple[str, array[int]]]]:
    """Cases with their lines' packed positions, in tasks of about :data:`CHUNK_EVENTS` events
    (the audit's, and the export's trailer judged by workers)."""
    chunk: list[tuple[str, array[int]]] = []
    events = 0
    for case_id, positions in cases:
        chunk.append((case_id, positions))
        events += len(positions)
        if events >= CHUNK_EVENTS:
            yield chunk
            chunk, events = [], 0
    if chunk:
        yield chunk


def _streamed_report(audited: Audited, rules: RuleSet) -> StreamedReport:
    return StreamedReport(
        audited.as_of, audited.known_at, tuple(audited.kept), rules,
        streamed_rows=tuple(audited.tally.rows(audited.as_of, audited.known_at, rules)),
        streamed_caseworkers=tuple(audited.tally.by_caseworker()),
        streamed_digest=audited.digest, verdict_count=audited.tally.verdicts,
        case_count=audited.tally.cases)



@attrs.frozen
class StreamedReport(ComplianceReport):
    """A compliance report made of a streamed audit's counts: its rows, per-caseworker figures
    and digest are those of every verdict, but :attr:`verdicts` holds only the verdicts kept
    for the HTML report (the missed and not documented ones), or none. The table, the CSV of
    rows and the HTML page are rendered from it as from a whole report."""

    streamed_rows: tuple[ComplianceRow, ...] = ()
    streamed_caseworkers: tuple[CaseworkerRow, ...] = ()
    streamed_digest: str = ""
    verdict_count: int = 0
    case_count: int = 0

    def rows(self) -> list[ComplianceRow]:
        return list(self.streamed_rows)

    def by_caseworker(self) -> list[CaseworkerRow]:
        return list(self.streamed_caseworkers)

    def digest(self) -> str:
        return self.streamed_digest

    def to_json(self) -> bytes:
        raise TypeError("a streamed report holds counts, not every verdict: write its JSON "
                        "with ungeforloeb.interchange.sinks.JsonReport")

    def to_csv(self, *, verdicts: bool = False) -> str:
        if verdicts:
            raise TypeError("a streamed report holds counts, not every verdict")
        return super().to_csv()
