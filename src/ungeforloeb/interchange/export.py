"""Export: the application's store as one interchange log, streamed page by page.

The event lines are written as the store's notification log is paged through
(:meth:`~ungeforloeb.application.app.Ungeforloeb.records`), so the file is never held in memory.
The trailer's verdict digest is derived from the exported records with the audit's own code
(:func:`~ungeforloeb.interchange.audit.verdict_digest`), so ``verify --recompute`` can re-derive
it from the log alone, bit for bit.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from ungeforloeb import __version__
from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.interchange import format as fmt
from ungeforloeb.interchange.audit import case_files, rule_regimes, verdict_digest
from ungeforloeb.interchange.errors import ExportError

Digest = Callable[[Mapping[str, CaseFile], date], str]


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote."""

    event_count: int
    final_hash: str
    verdicts_as_of: date
    verdict_digest: str
    exported_at: datetime


def municipality_of(app: Ungeforloeb, stop: int | None = None) -> str | None:
    """The municipality code of the store's first FirstContactRegistered event, if any."""
    for rec in app.records(stop=stop):
        if rec.type == "FirstContactRegistered":
            code = rec.payload["municipality_code"]
            return str(code)
    return None


def export_log(app: Ungeforloeb, out: IO[bytes], *, exported_at: datetime | None = None,
               municipality_code: str | None = None, as_of: date | None = None,
               regimes: Mapping[str, str] | None = None, digest: Digest = verdict_digest,
               progress: Callable[[int, int], None] | None = None) -> ExportSummary:
    """Write the store's events to ``out`` as a log.

    ``exported_at`` (default: now, UTC) goes into the header; ``as_of`` (default: the export
    day) is the date of the trailer's verdict digest. ``municipality_code`` defaults to the
    store's (its cases must all share it). ``progress(done, total)`` is called as events are
    written. Only the events stored when the export starts are exported.
    """
    when = (exported_at or datetime.now(tz=UTC)).astimezone(UTC)
    day = as_of or when.date()
    stop = app.recorder.max_notification_id() or 0
    code = municipality_code or municipality_of(app, stop)
    line, previous = fmt.seal(fmt.header(
        library_version=__version__, exported_at=when, municipality_code=code,
        regimes=rule_regimes() if regimes is None else regimes), fmt.GENESIS_HASH)
    out.write(line)
    kept: list[EventRecord] = []
    seq = 0
    if stop:
        for rec in app.records(1, stop):
            seq += 1
            if rec.type == "FirstContactRegistered" and rec.payload["municipality_code"] != code:
                raise ExportError(
                    f"event {seq} ({rec.type}) of young person {rec.stream_id} names "
                    f"municipality {rec.payload['municipality_code']}, not {code}: export one "
                    f"municipality at a time (--municipality)")
            rec = rec._replace(seq=seq)
            line, previous = fmt.seal(fmt.event(rec, seq), previous)
            out.write(line)
            kept.append(rec)
            if progress is not None and seq % 500 == 0:
                progress(seq, stop)
    vd = digest(case_files(kept), day)
    line, _ = fmt.seal(fmt.trailer(event_count=seq, final_hash=previous, verdicts_as_of=day,
                                   verdict_digest=vd), previous)
    out.write(line)
    if progress is not None:
        progress(seq, max(seq, stop))
    return ExportSummary(seq, previous, day, vd, when)


def export_to_file(app: Ungeforloeb, path: str | Path, **options: object) -> ExportSummary:
    """Export to ``path`` atomically: written to a temporary file beside it, then renamed, so a
    failed export never leaves a partial log."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part",
                               dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as out:
            summary = export_log(app, out, **options)  # type: ignore[arg-type]
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return summary
