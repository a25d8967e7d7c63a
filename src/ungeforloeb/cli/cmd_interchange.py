"""``ungeforloeb export``, ``verify``, ``import`` and ``audit``: the interchange log.

Bad input never ends in a traceback: a fault of the log exits with 1 and one line naming the
line, event type and field; a usage error (missing file, bad option) exits with 2. Progress bars
appear on a terminal only (on standard error), never when piped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click
import orjson
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DEFAULT_DB,
    console,
    one_line_errors,
    open_store,
    parse_date,
)
from ungeforloeb.domain.redact import scrub
from ungeforloeb.interchange.errors import InterchangeError

if TYPE_CHECKING:
    from ungeforloeb.interchange.ranges import LogIndex, Source, Stages

_DB = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
                   show_default=True, help="SQLite event store.")
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


@contextmanager
def _progress(label: str, total: int | None) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error when it is a terminal; ``None`` otherwise."""
    err = Console(stderr=True)
    if not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(done: int) -> None:
            bar.update(task, completed=done)

        yield advance


@main.command("export")
@_DB
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The log file to write (JSON Lines).")
@click.option("--exported-at", callback=_parse_datetime, default=None,
              metavar="YYYY-MM-DDTHH:MM:SS+00:00",
              help="The export time in the header (default: now). Fix it to reproduce a log.")
@click.option("--as-of", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Date of the trailer's verdict digest (default: the export day).")
@click.option("--municipality", default=None, metavar="CODE",
              help="Municipality code for the header (default: the store's).")
@one_line_errors
def export_command(db: Path, out: Path, exported_at: datetime | None, as_of: date | None,
                   municipality: str | None) -> None:
    """Write the store's events as an interchange log (streamed)."""
    from ungeforloeb.interchange.export import export_to_file

    app = open_store(db)
    total = app.recorder.max_notification_id() or 0
    try:
        with _progress("export", total) as bar:
            summary = export_to_file(
                app, out, exported_at=exported_at, as_of=as_of, municipality_code=municipality,
                progress=(lambda done, _total: bar(done)) if bar else None)
    except InterchangeError as err:
        _fail(err)
    click.echo(f"exported {summary.event_count} events to {out}; final hash "
               f"{summary.final_hash}; verdict digest as of "
               f"{summary.verdicts_as_of.isoformat()} {summary.verdict_digest}")


def _size(path: Path) -> int:
    return path.stat().st_size


@main.command("import")
@_LOG
@_DB
@one_line_errors
def import_command(log: Path, db: Path) -> None:
    """Load a log into an empty store, all or nothing."""
    from ungeforloeb.application import Ungeforloeb
    from ungeforloeb.interchange.importer import import_log

    created = not db.exists()
    try:
        app = Ungeforloeb(db)
        with _progress("import", None) as bar, log.open("rb") as stream:
            reader = import_log(app, stream, progress=bar)
    except BaseException:
        if created:  # leave no empty store behind
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
        raise
    click.echo(f"imported {reader.event_count} events into {db}")


_JOBS = click.option(
    "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
    help="Worker processes that check ranges of lines and judge cases (default: the cores "
         "available). The output and the digest are the same for every N.")


@contextmanager
def _stages(label: str) -> Iterator[Stages | None]:
    """Progress bars on standard error when it is a terminal (checking the lines, judging the
    cases); ``None`` otherwise."""
    err = Console(stderr=True)
    if not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{label}: {stage}", total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield advance


@main.command("verify")
@_LOG
@click.option("--recompute", is_flag=True,
              help="Also re-derive the verdicts by an audit and compare the trailer's digest.")
@_JOBS
@one_line_errors
def verify_command(log: Path, recompute: bool, jobs: int | None) -> None:
    """Check a log: schema, order, stream versions, hash chain, trailer (exit 0 or 1)."""
    from ungeforloeb.interchange.verify import verify_log

    try:
        with _progress("verify", _size(log)) as bar, log.open("rb") as stream:
            result = verify_log(stream, recompute_digest=recompute, progress=bar, jobs=jobs)
    except InterchangeError as err:
        _fail(err)
    digest = "recomputed and equal" if recompute else "not recomputed (use --recompute)"
    click.echo(f"ok: {log} holds {result.event_count} events, hash chain intact to "
               f"{result.trailer.final_hash}; verdict digest as of "
               f"{result.trailer.verdicts_as_of.isoformat()} {digest}")


@main.command("audit")
@_LOG
@click.option("--as-of", "as_of", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="Judge what had happened by this day.")
@click.option("--known-at", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Only what had been recorded by this day.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv", "html"]),
              default="table", show_default=True,
              help="jsonl: one verdict a line as they are judged (for large logs).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--case", "case_id", default=None, metavar="ID",
              help="One young person's verdicts with their explanations.")
@click.option("--no-reference", is_flag=True, help="Leave out the audit's 2018–20 column.")
@click.option("--lang", type=click.Choice(("en", "da")), default="en", show_default=True,
              help="Language of the HTML report (da: Danish words, the rules' Danish quotes).")
@_JOBS
@one_line_errors
def audit_command(log: Path, as_of: date, known_at: date | None, fmt: str, out: Path | None,
                  case_id: str | None, no_reference: bool, lang: str, jobs: int | None) -> None:
    """Replay a log (no database) and print the compliance verdicts, streamed case by case."""
    from ungeforloeb.interchange.audit import audit_log, regime_mismatch
    from ungeforloeb.interchange.ranges import Source, check_log
    from ungeforloeb.interchange.sinks import JsonLines, JsonReport

    source = Source(path=str(log))
    try:
        if case_id is not None:
            with _stages("audit") as bar:
                index = check_log(source, jobs, bar)
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
            with _stages("audit") as bar:
                audited = audit_log(source, as_of, known_at, jobs=jobs, sink=sink,
                                    indented=fmt == "json", keep_missed=fmt == "html",
                                    progress=bar)
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
    report = audited.report()
    if fmt == "table":
        from ungeforloeb.projections.compliance import render_table

        # exactly what `ungeforloeb compliance` prints for the same verdicts
        target = out.open("w", encoding="utf-8") if out is not None else None
        try:
            con = Console(file=target, width=160, no_color=True, highlight=False) \
                if target is not None else console()
            con.print(render_table(report, reference=not no_reference))
            con.print(f"rules {report.rules.digest[:16]}…  verdicts {report.digest()[:16]}…  "
                      f"({report.verdict_count} verdicts)")
        finally:
            if target is not None:
                target.close()
    elif fmt == "html":
        from ungeforloeb.report.html import render_html

        _write(render_html(report, source=log.name, cases=report.case_count,
                           verdicts=report.verdict_count, lang=lang).encode("utf-8"), out)
    elif fmt == "csv":
        _write(report.to_csv().encode("utf-8"), out)


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)


def _audit_case(index: LogIndex, source: Source, case_id: str, as_of: date,
                known_at: date | None, fmt: str, out: Path | None, lang: str = "en") -> None:
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


__all__ = ["audit_command", "export_command", "import_command", "verify_command"]
