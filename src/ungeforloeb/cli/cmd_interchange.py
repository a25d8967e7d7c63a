"""``ungeforloeb export``, ``verify``, ``import`` and ``audit``: the interchange log.

Bad input never ends in a traceback: a fault of the log exits with 1 and one line naming the
line, event type and field; a usage error (missing file, bad option) exits with 2. Progress bars
appear on a terminal only (on standard error), never when piped.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click
import orjson
from rich.console import Console
from rich.markup import escape

from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DB,
    FORCE,
    StoreSetting,
    case_count,
    console,
    one_line_errors,
    open_store,
    parse_date,
    refuse_overwrite,
)
from ungeforloeb.cli._progress import progress
from ungeforloeb.domain.redact import scrub
from ungeforloeb.interchange.errors import InterchangeError

if TYPE_CHECKING:
    from ungeforloeb.casefile.fold import CaseFile
    from ungeforloeb.interchange.audit import Audited
    from ungeforloeb.interchange.checkpoint import Verifier
    from ungeforloeb.interchange.ranges import LogIndex, Source

_DB = DB
_LOG = click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _fail(err: Exception) -> NoReturn:
    click.echo(f"error: {scrub(str(err))}", err=True)
    sys.exit(1)


def _parse_datetime(ctx: click.Context, param: click.Parameter,
                    value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise click.BadParameter(f"{value!r} is not a date-time with a zone; write it as "
                                 "2024-12-31T23:00:00+00:00", ctx=ctx, param=param)
    return parsed.astimezone(UTC)


@main.command("export")
@_DB
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The log file to write (JSON Lines).")
@click.option("--exported-at", callback=_parse_datetime, default=None,
              metavar="YYYY-MM-DDTHH:MM:SS+00:00",
              help="The export time in the header (default: now). Fix it to reproduce a log.")
@click.option("--as-of", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Date of the trailer's verdict digest (default: the day the last event "
                   "happened).")
@click.option("--municipality", default=None, metavar="CODE",
              help="Municipality code for the header (default: the store's).")
@click.option("--sign-key", "sign_key", envvar="UNGEFORLOEB_SIGNING_KEY", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="The municipality's signer key (from `ungeforloeb keygen`; or the setting "
                   "UNGEFORLOEB_SIGNING_KEY): also write the signed checkpoint, LOG.checkpoint.")
@click.option("--origin", default=None, metavar="NAME",
              help="The checkpoint's origin line (default: the key's name).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes that judge the trailer's verdicts, reading the cases "
                   "back from the log written (default: the cores available, from 20,000 "
                   "events on). The log is the same for every N.")
@FORCE
@one_line_errors
def export_command(db: Path, out: Path, exported_at: datetime | None, as_of: date | None,
                   municipality: str | None, sign_key: Path | None, origin: str | None,
                   jobs: int | None, force: bool) -> None:
    """Write the store's events as an interchange log (streamed)."""
    from ungeforloeb.interchange.audit import verdict_digest
    from ungeforloeb.interchange.checkpoint import read_signer
    from ungeforloeb.interchange.export import PARALLEL_EVENTS, checkpoint_path, export_to_file
    from ungeforloeb.interchange.parallel import available_cores

    refuse_overwrite(out, *([checkpoint_path(out)] if sign_key is not None else []),
                     force=force)
    signer = read_signer(sign_key) if sign_key is not None else None
    app = open_store(db)
    total = app.recorder.max_notification_id() or 0
    if jobs is None:
        jobs = available_cores() if total >= PARALLEL_EVENTS else 1
    try:
        with progress() as tracker:
            options: dict[str, Any] = {"jobs": jobs}
            if tracker.shown and jobs > 1:
                judging: list[Callable[[int, int], None] | None] = []

                def trailer(done: int, of: int) -> None:
                    if not judging:  # the phase starts when the events are written
                        judging.append(tracker.pairs(
                            "export: judging the trailer's verdicts", of))
                    if judging[0] is not None:
                        judging[0](done, of)

                options.update(progress=tracker.pairs("export: writing the events", total),
                               trailer_progress=trailer)
            elif tracker.shown:
                cases = case_count(app)

                def digest(files: Iterable[CaseFile], day: date) -> str:
                    from ungeforloeb.interchange.audit import InCaseOrder

                    # the trailer's verdicts, judged case by case after the events are written
                    tracked = tracker.track(files, "export: judging the trailer's verdicts",
                                            cases)
                    return verdict_digest(InCaseOrder(tracked) if isinstance(
                        files, InCaseOrder) else list(tracked), day)

                options.update(progress=tracker.pairs("export: writing the events", total),
                               digest=digest)
            summary = export_to_file(
                app, out, exported_at=exported_at, as_of=as_of, municipality_code=municipality,
                signer=signer, origin=origin, **options)
    except InterchangeError as err:
        _fail(err)
    assert summary.root is not None
    click.echo(f"exported {summary.event_count} events to {out}; final hash "
               f"{summary.final_hash}; verdict digest as of "
               f"{summary.verdicts_as_of.isoformat()} {summary.verdict_digest}")
    click.echo(f"merkle root {summary.root.hex()} over {summary.tree_size} events"
               + (f"; signed checkpoint {checkpoint_path(out)}" if signer is not None else ""))


@main.command("keygen")
@click.option("--name", required=True, metavar="NAME",
              help="The key's name, also the checkpoints' origin (e.g. kommune-101.example.dk).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="The signer key file (kept secret); the verifier key, to hand "
                                   "to auditors, goes to FILE.pub.")
@click.option("--force", is_flag=True,
              help="Overwrite the key files if they exist (the old key is lost).")
@one_line_errors
def keygen_command(name: str, out: Path, force: bool) -> None:
    """Make an Ed25519 key pair for signing checkpoints (C2SP signed-note key format)."""
    import os

    from ungeforloeb.interchange.checkpoint import Signer

    pub = out.with_name(out.name + ".pub")
    refuse_overwrite(out, pub, force=force)
    signer = Signer.generate(name)
    if force:
        out.unlink(missing_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(signer.text() + "\n")
    pub.write_text(signer.verifier().text() + "\n", encoding="ascii")
    click.echo(f"signer key {out} (keep it secret); verifier key {pub}: "
               f"{signer.verifier().text()}")


def _size(path: Path) -> int:
    return path.stat().st_size


_KEY = click.option("--key", "key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                    default=None, metavar="PUB",
                    help="The exporter's verifier key: the signed checkpoint must bear its valid "
                         "signature and name this log's Merkle root.")
_CHECKPOINT = click.option(
    "--checkpoint", "checkpoint", default=None, metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The signed checkpoint (default: LOG.checkpoint, when it exists).")
_EXPECT_ROOT = click.option(
    "--expect-root", "expect_root", default=None, metavar="HASH",
    help="The Merkle root recorded at export (hex or base64): the log's must equal it.")


def _checkpoint_text(log: Path, given: Path | None, needed: bool) -> str | None:
    from ungeforloeb.interchange.export import checkpoint_path

    path = given if given is not None else checkpoint_path(log)
    if given is None and not path.exists():
        if needed:
            raise click.UsageError(f"--key needs the log's signed checkpoint: no {path} "
                                   "(give it with --checkpoint)")
        return None
    return path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class _Anchors:
    """What a log is checked against besides itself: its signed checkpoint, the exporter's key,
    the root recorded at export (the same options for verify, import and audit)."""

    checkpoint: str | None
    verifier: Verifier | None
    expect_root: str | None

    @classmethod
    def of(cls, log: Path, key: Path | None, checkpoint: Path | None,
           expect_root: str | None) -> _Anchors:
        from ungeforloeb.interchange.checkpoint import read_verifier

        verifier = read_verifier(key) if key is not None else None
        note = _checkpoint_text(log, checkpoint, key is not None) \
            if key is not None or checkpoint is not None else None
        return cls(note, verifier, expect_root)

    @property
    def any(self) -> bool:
        return self.checkpoint is not None or self.verifier is not None \
            or self.expect_root is not None


@main.command("import")
@_LOG
@_DB
@_KEY
@_CHECKPOINT
@_EXPECT_ROOT
@one_line_errors
def import_command(log: Path, db: Path, key: Path | None, checkpoint: Path | None,
                   expect_root: str | None) -> None:
    """Load a log into an empty store, all or nothing, after the checks of verify --recompute
    (and of --key, --expect-root when given)."""
    from ungeforloeb.application import Ungeforloeb
    from ungeforloeb.interchange.importer import import_log

    anchors = _Anchors.of(log, key, checkpoint, expect_root)
    store = StoreSetting.of(db)
    if store.postgres:
        open_store(db)  # the schema must exist (`ungeforloeb init`); the import checks it is empty
    created = not store.postgres and not db.exists()
    try:
        app = Ungeforloeb(db)
        with progress() as tracker, log.open("rb") as stream:
            reader = import_log(app, stream, progress=tracker.phase(
                                    "import: reading the log's events",
                                    _trailer_events(log) if tracker.shown else None),
                                checkpoint=anchors.checkpoint, verifier=anchors.verifier,
                                expect_root=anchors.expect_root)
    except BaseException:
        if created:  # leave no empty store behind
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
        raise
    click.echo(f"imported {reader.event_count} events into {store.name()}")


_JOBS = click.option(
    "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
    help="Worker processes that check ranges of lines and judge cases (default: the cores "
         "available). The output and the digest are the same for every N.")


@main.command("verify")
@_LOG
@click.option("--recompute", is_flag=True,
              help="Also re-derive the verdicts by an audit and compare the trailer's digest.")
@_KEY
@_CHECKPOINT
@_EXPECT_ROOT
@_JOBS
@one_line_errors
def verify_command(log: Path, recompute: bool, key: Path | None, checkpoint: Path | None,
                   expect_root: str | None, jobs: int | None) -> None:
    """Check a log: schema, order, stream versions, hash chain, trailer (exit 0 or 1); with
    --key its signed checkpoint, with --expect-root its Merkle root."""
    from ungeforloeb.interchange.verify import verify_log

    anchors = _Anchors.of(log, key, checkpoint, expect_root)
    verifier, note = anchors.verifier, anchors.checkpoint
    try:
        with progress() as tracker, log.open("rb") as stream:
            bar = tracker.phase("verify: checking the lines (bytes)", _size(log))
            result = verify_log(stream, recompute_digest=recompute, progress=bar, jobs=jobs,
                                checkpoint=note, verifier=verifier, expect_root=expect_root)
    except InterchangeError as err:
        _fail(err)
    digest = "recomputed and equal" if recompute else "not recomputed (use --recompute)"
    click.echo(f"ok: {log} holds {result.event_count} events, hash chain intact to "
               f"{result.trailer.final_hash}; verdict digest as of "
               f"{result.trailer.verdicts_as_of.isoformat()} {digest}")
    if result.tree is not None:
        checked = []
        if verifier is not None:
            checked.append(f"checkpoint signed by {verifier.name}")
        elif note is not None:
            checked.append("checkpoint (its signature not checked: give --key)")
        if expect_root is not None:
            checked.append("root recorded at export")
        click.echo(f"merkle root {result.tree.root.hex()} over {result.tree.size} events equal "
                   f"to the " + " and the ".join(checked))


@main.command("audit")
@click.argument("log", type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", "as_of", callback=parse_date, metavar="YYYY-MM-DD",
              help="Judge what had happened by this day (required for a log; a pack names its "
                   "own).")
@click.option("--known-at", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Only what had been recorded by this day.")
@click.option("--format", "fmt",
              type=click.Choice(["table", "json", "jsonl", "csv", "html", "pdf"]),
              default="table", show_default=True,
              help="jsonl: one verdict a line as they are judged (for large logs); html: the "
                   "report (with --out, a page per control point with every case beside it, in "
                   "NAME-sager/); pdf: the summary for the audit file (needs --out).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--case", "case_id", default=None, metavar="ID",
              help="One young person's verdicts with their explanations.")
@click.option("--no-reference", is_flag=True, help="Leave out the audit's 2018–20 column.")
@click.option("--lang", type=click.Choice(("da", "en")), default="da", show_default=True,
              help="Language of the HTML and PDF report (da: Danish words, numbers and dates, "
                   "the rules' Danish quotes).")
@_KEY
@_CHECKPOINT
@_EXPECT_ROOT
@_JOBS
@FORCE
@one_line_errors
def audit_command(log: Path, as_of: date | None, known_at: date | None, fmt: str,
                  out: Path | None, case_id: str | None, no_reference: bool, lang: str,
                  key: Path | None, checkpoint: Path | None, expect_root: str | None,
                  jobs: int | None, force: bool) -> None:
    """Replay a log (no database) and print the compliance verdicts, streamed case by case,
    after the checks of verify --recompute (and of --key, --expect-root when given). Given an
    auditor's pack (a directory or zip from `ungeforloeb pack`), re-derive its verdicts and
    answer identical or the first difference."""
    if log.is_dir() or zipfile.is_zipfile(log):
        _audit_pack(log, key)
        return
    if as_of is None:
        raise click.UsageError("Missing option '--as-of' (needed to audit a log).")
    if fmt == "pdf" and out is None:
        raise click.UsageError("--format pdf needs --out FILE (a PDF is not written to a "
                               "terminal).")
    if fmt == "pdf" and case_id is not None:
        raise click.UsageError("--format pdf is the summary of every case; leave out --case.")
    from ungeforloeb.interchange.audit import audit_log, regime_mismatch
    from ungeforloeb.interchange.ranges import Source, check_log
    from ungeforloeb.interchange.sinks import JsonLines, JsonReport
    from ungeforloeb.interchange.verify import check_anchors, check_digest, verify_log

    anchors = _Anchors.of(log, key, checkpoint, expect_root)
    source = Source(path=str(log))
    # The trailer's digest is checked as verify --recompute checks it, before any output: in
    # the audit's own pass when it judges as of the trailer's date into a report made at the
    # end (table, CSV, HTML), else in a pass of its own first.
    single = case_id is None and fmt in ("table", "csv", "html", "pdf") and known_at is None \
        and as_of == _trailer_date(source)
    if out is not None:
        refuse_overwrite(out, force=force)
    try:
        if not single:
            with progress() as tracker, log.open("rb") as stream:
                verify_log(stream, recompute_digest=True, jobs=jobs,
                           checkpoint=anchors.checkpoint, verifier=anchors.verifier,
                           expect_root=anchors.expect_root,
                           progress=tracker.phase("audit: verifying the log (bytes)",
                                                  _size(log)))
        if case_id is not None:
            with progress() as tracker:
                index = check_log(source, jobs, tracker.stages("audit"))
            _audit_case(index, source, case_id, as_of, known_at, fmt, out, lang)
            return
        opened: list[IO[bytes]] = []

        def open_out() -> IO[bytes]:
            opened.append(out.open("wb") if out is not None else sys.stdout.buffer)
            return opened[-1]

        from ungeforloeb.rules.loader import default_rules

        sink: JsonLines | JsonReport | None = None
        if fmt == "jsonl":
            sink = JsonLines(open_out, as_of, known_at, default_rules().digest)
        elif fmt == "json":
            sink = JsonReport(open_out)
        try:
            with progress() as tracker:
                audited = audit_log(source, as_of, known_at, jobs=jobs, sink=sink,
                                    indented=fmt == "json", keep_missed=fmt == "html",
                                    progress=tracker.stages("audit"))
            if single:
                index = audited.index
                check_digest(index.header, index.trailer, index.event_count, audited.digest)
                check_anchors(source, checkpoint=anchors.checkpoint, verifier=anchors.verifier,
                              expect_root=anchors.expect_root)
            if sink is not None:
                sink.finish(audited)
        finally:
            if isinstance(sink, JsonReport):
                sink.close()
            for f in opened:
                if f is not sys.stdout.buffer:
                    f.close()
    except InterchangeError as err:
        _fail(err)
    finally:
        source.close()
    mismatch = regime_mismatch(audited.index.header.regimes)
    if mismatch:
        click.echo("warning: the log was judged under other rule data than this library's "
                   "(" + "; ".join(mismatch) + "): verdicts may differ from the exporter's",
                   err=True)
    # the last phase (summing up, writing a report) until the command ends
    finishing = ExitStack()
    click.get_current_context().call_on_close(finishing.close)
    finishing.enter_context(progress()).step(
        "audit: writing the report" if fmt == "html" else "audit: summing up the verdicts")
    report = audited.report()
    if fmt == "table":
        from ungeforloeb.cli._output import compliance_listing, emit

        finishing.close()
        # exactly what `ungeforloeb compliance` prints for the same verdicts
        target = out.open("w", encoding="utf-8") if out is not None else None
        try:
            rows, columns, title, caption = compliance_listing(
                report, reference=not no_reference, count=report.verdict_count)
            emit(rows, columns, fmt="table", title=title, caption=caption,
                 out=Console(file=target, no_color=True, highlight=False)
                 if target is not None else None)
        finally:
            if target is not None:
                target.close()
    elif fmt in ("html", "pdf"):
        _audit_report(log, audited, fmt, out, lang)
    elif fmt == "csv":
        _write(report.to_csv().encode("utf-8"), out)


def _audit_report(log: Path, audited: Audited, fmt: str, out: Path | None, lang: str) -> None:
    """The HTML report (with ``out``: and the pages of its cases beside it) or the PDF of its
    summary, of a streamed audit: the header names the log, the breakdowns are the tally's."""
    from ungeforloeb.report.html import Breakdown, LogFacts, render_html, write_report

    report = audited.report()
    index = audited.index
    facts = LogFacts(source=log.name, municipality=index.header.municipality_code,
                     final_hash=index.trailer.final_hash, event_count=index.event_count,
                     exported_by=index.header.library_version, regimes=index.header.regimes)
    breakdown = Breakdown(audited.tally.teams, audited.tally.months, report.by_caseworker())
    cases, verdicts = report.case_count, report.verdict_count
    if fmt == "pdf":
        from ungeforloeb.report.pdf import render_pdf

        assert out is not None
        out.write_bytes(render_pdf(report, lang=lang, log=facts, breakdown=breakdown,
                                   cases=cases, verdicts=verdicts))
    elif out is not None:
        write_report(out, report, lang=lang, log=facts, breakdown=breakdown, cases=cases,
                     verdicts=verdicts)
    else:
        _write(render_html(report, lang=lang, log=facts, breakdown=breakdown, cases=cases,
                           verdicts=verdicts).encode("utf-8"), None)


def _audit_pack(pack: Path, key: Path | None) -> None:
    from ungeforloeb.interchange.checkpoint import read_verifier
    from ungeforloeb.interchange.pack import audit_pack

    verifier = read_verifier(key) if key is not None else None
    with progress() as tracker:
        summary = audit_pack(pack, verifier=verifier,
                             progress=tracker.pairs("audit: re-deriving the pack's verdicts"))
    signed = (f"checkpoint signed by {summary.signed_by}" if summary.signed_by else
              "checkpoint matches (its signature not checked: give --key)" if summary.checkpoint
              else "no checkpoint")
    click.echo(f"identical: {summary.verdict_count} verdicts of {summary.case_count} cases as "
               f"of {summary.as_of.isoformat()} re-derived with the pack's rules "
               f"({summary.rules_digest[:16]}…), digest {summary.verdict_digest}; {signed}")


def _trailer_date(source: Source) -> date | None:
    """The trailer's ``verdicts_as_of``, read from the log's last line (``None`` when it cannot
    be read: the checks then name what is wrong)."""
    try:
        size = source.size()
        start = source.line_start_before(size)
        return date.fromisoformat(orjson.loads(source.read(start, size - start))["verdicts_as_of"])
    except (ValueError, KeyError, TypeError, OSError):
        return None


def _trailer_events(log: Path) -> int | None:
    """The trailer's ``event_count`` (for the progress of an import; ``None`` when it cannot
    be read: the import's checks then name what is wrong)."""
    from ungeforloeb.interchange.ranges import Source

    source = Source(path=str(log))
    try:
        size = source.size()
        start = source.line_start_before(size)
        return int(orjson.loads(source.read(start, size - start))["event_count"])
    except (ValueError, KeyError, TypeError, OSError):
        return None
    finally:
        source.close()


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)


def _audit_case(index: LogIndex, source: Source, case_id: str, as_of: date,
                known_at: date | None, fmt: str, out: Path | None, lang: str = "da") -> None:
    from ungeforloeb.projections.compliance import evaluate_case

    wanted = case_id.strip().lower()
    ids = index.case_ids
    matches = [k for k in ids if k == wanted] or [k for k in ids if k.startswith(wanted)]
    if len(matches) != 1:
        raise click.BadParameter(
            f"no young person with id {case_id!r} in the log" if not matches else
            f"{case_id!r} matches {len(matches)} cases; give more of the id",
            param_hint="--case")
    files = {matches[0]: index.case_file(source, matches[0])}
    verdicts = sorted(evaluate_case(files[matches[0]], as_of, known_at),
                      key=lambda v: v.sort_key)
    if fmt == "json":
        data = [v.to_dict() for v in verdicts]
        _write(orjson.dumps({"case_id": matches[0], "as_of": as_of.isoformat(),
                             "known_at": known_at.isoformat() if known_at else None,
                             "verdicts": data}, option=orjson.OPT_INDENT_2) + b"\n", out)
        return
    if fmt in ("csv", "html"):
        from ungeforloeb.interchange.audit import evaluate

        report = evaluate([files[matches[0]]], as_of, known_at)
        if fmt == "csv":
            _write(report.to_csv(verdicts=True).encode("utf-8"), out)
        else:
            from ungeforloeb.report.html import render_html

            one = {matches[0]: files[matches[0]]}
            _write(render_html(report, one, source=f"case {matches[0]}", lang=lang)
                   .encode("utf-8"), out)
        return
    known = f", known at {known_at.isoformat()}" if known_at else ""
    lines: list[str] = [f"[bold]Case {matches[0]} as of {as_of.isoformat()}{known}: "
                        f"{len(verdicts)} verdicts[/]", ""]
    for v in verdicts:
        subject = f" [{v.subject}]" if v.subject else ""
        lines.append(f"[bold]{escape(v.rule_id)}{escape(subject)}: {v.status.value}[/]")
        for label, value in (
                ("control point", v.control_point or "–"),
                ("regime", f"{v.regime} {v.period}" if v.regime else "–"),
                ("clock started by", v.clock_start.text() if v.clock_start else "–"),
                ("due on", v.due_on.isoformat() if v.due_on else "–"),
                ("met by", v.met_by.text() if v.met_by else "none"),
                ("legal source", v.legal_source),
                ("explanation", v.explanation)):
            lines.append(f"  {label:<17}{escape(value)}")
        lines.append("")
    if out is None:
        con = console()
        for line in lines:
            con.print(line)
    else:
        with out.open("w", encoding="utf-8") as f:
            con = Console(file=f, width=160, no_color=True, highlight=False)
            for line in lines:
                con.print(line)


__all__ = ["audit_command", "export_command", "import_command", "keygen_command",
           "verify_command"]
