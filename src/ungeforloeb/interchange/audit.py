"""The auditor's replay: a log's records into case files and verdicts, without a database.

The records are folded exactly as the live path folds the store's records
(:func:`~ungeforloeb.casefile.records.group_by_case` → :class:`~ungeforloeb.casefile.fold.
CaseFile`), and judged by the same compliance evaluator, so live and audit agree by construction.
No eventsourcing aggregate is built here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import IO, TYPE_CHECKING, Any

import orjson

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord, group_by_case
from ungeforloeb.interchange.errors import DigestMismatchError
from ungeforloeb.interchange.reader import LogReader

if TYPE_CHECKING:
    from ungeforloeb.projections.compliance import ComplianceReport

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
    """The digest of :meth:`ComplianceReport.digest`, case by case: it hashes the compact JSON
    array of every verdict sorted by (case id, rule id, subject), so with the cases in id order
    the array can be hashed as each case is judged, its verdicts sorted the same way."""
    from ungeforloeb.projections.compliance import evaluate_case, load_rules

    rules = load_rules()
    digest = hashlib.sha256(b"[")
    separator = b""
    last: str | None = None
    for cf in files:
        if last is not None and cf.young_person_id <= last:
            raise ValueError(f"verdict_digest: case {cf.young_person_id} after {last}: "
                             f"InCaseOrder needs ascending case ids")
        last = cf.young_person_id
        verdicts = evaluate_case(cf, as_of, None, rules)
        verdicts.sort(key=lambda v: v.sort_key)
        for v in verdicts:
            digest.update(separator)
            digest.update(orjson.dumps(v.to_dict(), option=orjson.OPT_SORT_KEYS))
            separator = b","
    digest.update(b"]")
    return digest.hexdigest()


def rule_regimes() -> dict[str, str]:
    """Rule regime id → SHA-256 of its data file, from the rules package (the header's
    ``regimes``)."""
    from ungeforloeb.projections.compliance import load_rules

    return {regime.id: regime.sha256 for regime in load_rules().regimes}


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


def recompute(stream: IO[bytes], progress: Progress | None = None) -> LogReader:
    """Verify a log and re-derive its verdict digest; raise if it differs from the trailer's."""
    reader, files = read_case_files(stream, progress)
    trailer = reader.trailer
    assert trailer is not None
    digest = verdict_digest(files.values(), trailer.verdicts_as_of)
    if digest != trailer.verdict_digest:
        assert reader.header is not None
        mismatch = regime_mismatch(reader.header.regimes)
        why = (" (the log was judged under other rule data: " + "; ".join(mismatch) + ")"
               if mismatch else "")
        raise DigestMismatchError(
            reader.lines_read,
            f"the verdicts re-derived from the log differ from the exporter's{why}",
            field="verdict_digest", expected=digest, got=trailer.verdict_digest)
    return reader
