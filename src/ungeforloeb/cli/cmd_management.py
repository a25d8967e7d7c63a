"""``ungeforloeb status-on``, ``flows``, ``what-if``: management information from the log.

Each reads the store (``--db``) or an exported log (``--log``, checked as ``verify`` checks it)
and writes nothing. Figures come with the pseudonymous case ids behind them in JSON.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import click
import orjson
from rich.table import Table

from ungeforloeb.application.kept_timelines import KeptTimelines, open_kept_timelines
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.cli import main
from ungeforloeb.cli._common import DEFAULT_DB, console, one_line_errors, open_store, parse_date
from ungeforloeb.domain.redact import scrub
from ungeforloeb.interchange.errors import InterchangeError
from ungeforloeb.projections.management import (
    DEFAULT_BANDS,
    STATE_LABELS,
    flows,
    flows_csv,
    outcomes,
    status_on,
    timelines,
)
from ungeforloeb.projections.what_if import what_if
from ungeforloeb.rules.datafile import RuleDataError
from ungeforloeb.rules.loader import default_rules, load_directory, load_rule_set, packaged_files

_DB = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
                   show_default=True, help="SQLite event store (read only).")
_LOG = click.option("--log", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                    default=None, help="Read an exported log instead of the store.")
_KNOWN_AT = click.option("--known-at", callback=parse_date, default=None, metavar="YYYY-MM-DD",
                         help="Only what had been recorded by this day (default: everything).")
_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]),
                       default="table", show_default=True,
                       help="A table, CSV, or JSON with the case ids behind each figure.")


def _case_files(db: Path, log: Path | None) -> Iterable[CaseFile]:
    if log is not None:
        from ungeforloeb.interchange.audit import read_case_files

        with log.open("rb") as stream:
            _, files = read_case_files(stream)
        return files.values()
    return open_store(db).case_files().values()


def _kept(db: Path, log: Path | None, known_at: date | None) -> KeptTimelines | None:
    """The store's kept timelines when they answer: the store, not a log; no known-at (past
    knowledge is computed from the events); kept up to the store's last event (``ungeforloeb
    keep``). Else ``None`` and the figures are computed from the events."""
    if log is not None or known_at is not None or not db.exists():
        return None
    return open_kept_timelines(open_store(db))


def _source(kept: KeptTimelines | None, fmt: str) -> str:
    """Which path answered: ``source`` in JSON, in the table's head, on stderr for CSV."""
    if kept is not None and fmt == "csv":
        click.echo("answered from the kept timelines", err=True)
    return "kept" if kept is not None else "events"


_FROM_KEPT = {"kept": ", from the kept timelines", "events": ""}


def _bands(ctx: click.Context, param: click.Parameter,
           value: str | None) -> tuple[tuple[int, int], ...]:
    if value is None:
        return DEFAULT_BANDS
    out = []
    for part in value.split(","):
        try:
            low, high = (int(x) for x in part.strip().split("-"))
        except ValueError:
            raise click.BadParameter(f"{part!r}: write bands as LOW-HIGH,LOW-HIGH, e.g. "
                                     f"15-17,18-24,25-29", ctx=ctx, param=param) from None
        if low > high:
            raise click.BadParameter(f"{part!r}: the lower age comes first", ctx=ctx,
                                     param=param)
        out.append((low, high))
    return tuple(out)


def _run(work: Callable[[], None]) -> None:
    """Bad input (a log, rule data): one line on stderr, exit 1."""
    try:
        work()
    except (InterchangeError, RuleDataError) as err:
        click.echo(f"error: {scrub(str(err))}", err=True)
        sys.exit(1)


def _json(data: object) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")


@main.command("status-on")
@click.option("--on", "on", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="The day (the group at the end of it).")
@_KNOWN_AT
@click.option("--bands", callback=_bands, default=None, metavar="LOW-HIGH,…",
              help="Age bands (default 15-17,18-24,25-29).")
@click.option("--cap", type=click.IntRange(min=0), default=None,
              help="A target or cap on the group's size (e.g. 200).")
@_FORMAT
@_LOG
@_DB
@one_line_errors
def status_on_command(on: date, known_at: date | None, bands: tuple[tuple[int, int], ...],
                      cap: int | None, fmt: str, log: Path | None, db: Path) -> None:
    """How many young people are in the group on a day: by state, group, age band, team and
    caseworker, against a cap."""

    def work() -> None:
        kept = _kept(db, log, known_at)
        if kept is not None:
            result = kept.status_on(on, bands=bands, cap=cap)
        else:
            result = status_on(timelines(_case_files(db, log), known_at), on, bands=bands,
                               cap=cap, known_at=known_at)
        source = _source(kept, fmt)
        if fmt == "json":
            _json({**result.to_dict(), "source": source})
            return
        if fmt == "csv":
            click.echo(result.to_csv(), nl=False)
            return
        out = console()
        known = f", known at {known_at.isoformat()}" if known_at else ""
        head = f"In the group on {on.isoformat()}{known}{_FROM_KEPT[source]}: {result.total}"
        if cap is not None:
            head += f" (cap {cap}: {'over by ' if result.total > cap else 'under by '}" \
                    f"{abs(result.total - cap)})"
        out.print(head)
        for dimension in ("state", "group", "age_band", "team", "caseworker"):
            table = Table(title=dimension.replace("_", " "), title_justify="left")
            table.add_column(dimension.replace("_", " "))
            table.add_column("young people", justify="right")
            for value, count in result.counts(dimension).items():
                label = STATE_LABELS[value][1] if dimension == "state" else value
                table.add_row(label, str(count))
            out.print(table)

    _run(work)


@main.command("flows")
@click.option("--from", "start", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="First day of the period.")
@click.option("--to", "end", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="Last day of the period.")
@click.option("--every", type=click.Choice(["week", "month"]), default="month",
              show_default=True, help="Week by week or month by month.")
@click.option("--as-of", "as_of", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="The day the outcome figures are judged on (default: the last day).")
@_KNOWN_AT
@_FORMAT
@_LOG
@_DB
@one_line_errors
def flows_command(start: date, end: date, every: str, as_of: date | None,
                  known_at: date | None, fmt: str, log: Path | None, db: Path) -> None:
    """Inflow and outflow with their reasons, week by week or month by month, and the outcome
    figures of the period's cohort."""
    if end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")

    def work() -> None:
        kept = _kept(db, log, known_at)
        if kept is not None:
            rows = kept.flows(start, end, every)
            results = kept.outcomes(start, end, as_of or end)
        else:
            lines = timelines(_case_files(db, log), known_at)
            rows = flows(lines, start, end, every)
            results = outcomes(lines, start, end, as_of or end)
        source = _source(kept, fmt)
        if fmt == "json":
            _json({"from": start.isoformat(), "to": end.isoformat(), "every": every,
                   "known_at": known_at.isoformat() if known_at else None, "source": source,
                   "flows": [r.to_dict() for r in rows],
                   "outcomes": [o.to_dict() for o in results]})
            return
        if fmt == "csv":
            click.echo(flows_csv(rows), nl=False)
            return
        out = console()
        table = Table(title=f"Flows {start.isoformat()} – {end.isoformat()}, by {every}"
                            f"{_FROM_KEPT[source]}",
                      title_justify="left")
        for name in ("from", "to", "before", "in", "out", "after"):
            table.add_column(name, justify="left" if name in ("from", "to") else "right")
        for r in rows:
            table.add_row(r.start.isoformat(), r.end.isoformat(), str(r.stock_before),
                          str(r.inflow_total), str(r.outflow_total), str(r.stock_after))
        out.print(table)
        reasons = Table(title="Out, by reason", title_justify="left")
        reasons.add_column("reason")
        reasons.add_column("young people", justify="right")
        total = sum((r.outflow for r in rows), start=type(rows[0].outflow)()) if rows else {}
        for reason, count in sorted(total.items()):
            reasons.add_row(reason, str(count))
        out.print(reasons)
        table = Table(title="Outcomes of the period's cohort", title_justify="left")
        table.add_column("figure")
        table.add_column("met", justify="right")
        table.add_column("of", justify="right")
        table.add_column("share", justify="right")
        table.add_column("open", justify="right")
        for o in results:
            share = "–" if o.share is None else f"{o.share:.0%}"
            if o.median_days is not None:
                share = f"median {o.median_days:g} d"
            table.add_row(o.label[1], str(o.numerator), str(o.denominator), share, str(o.open))
        out.print(table)

    _run(work)


@main.command("what-if")
@click.option("--as-of", "as_of", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="Judge what had happened by this day.")
@click.option("--regimes", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="A directory of regime files to judge by instead of the "
                                 "packaged ones.")
@click.option("--add", "added", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A regime file to add to the packaged ones (repeatable), e.g. a reform or "
                   "a municipality's local targets.")
@_KNOWN_AT
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Changed verdicts to list in the table (all in CSV and JSON).")
@_FORMAT
@_LOG
@_DB
@one_line_errors
def what_if_command(as_of: date, regimes: Path | None, added: tuple[Path, ...],
                    known_at: date | None, limit: int, fmt: str, log: Path | None,
                    db: Path) -> None:
    """Replay the history under another set of regime files and list, per case and rule, the
    verdicts that change and why. Nothing is written."""
    if (regimes is None) == (not added):
        raise click.UsageError("give either --regimes DIR or one or more --add FILE")

    def work() -> None:
        if regimes is not None:
            other = load_directory(regimes)
        else:
            other = load_rule_set([*packaged_files(),
                                   *((p.name, p.read_bytes()) for p in added)])
        result = what_if(_case_files(db, log), as_of, default_rules(), other,
                         known_at=known_at)
        if fmt == "json":
            _json(result.to_dict())
            return
        if fmt == "csv":
            click.echo(result.to_csv(), nl=False)
            return
        out = console()
        out.print(f"{result.cases} cases as of {as_of.isoformat()}: "
                  f"{len(result.changes)} verdicts change")
        table = Table(title="By rule (met / missed, before → after)", title_justify="left")
        table.add_column("rule")
        table.add_column("met", justify="right")
        table.add_column("missed", justify="right")
        table.add_column("changed", justify="right")
        for s in result.summary:
            if s.changed:
                table.add_row(s.rule_id, f"{s.met_before} → {s.met_after}",
                              f"{s.missed_before} → {s.missed_after}", str(s.changed))
        out.print(table)
        table = Table(title="Changed verdicts", title_justify="left")
        table.add_column("case", no_wrap=True)
        table.add_column("rule")
        table.add_column("before → after")
        table.add_column("why")
        for c in result.changes[:limit]:
            table.add_row(c.case_id[:8], c.rule_id + (f" [{c.subject}]" if c.subject else ""),
                          f"{c.before.value if c.before else '–'} → "
                          f"{c.after.value if c.after else '–'}", c.why)
        out.print(table)
        if len(result.changes) > limit:
            out.print(f"… and {len(result.changes) - limit} more (--limit, or --format csv)")

    _run(work)


@main.command("management-report")
@click.option("--from", "start", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="First day of the period.")
@click.option("--to", "end", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="Last day of the period.")
@click.option("--on", "on", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="The day the group is shown on, and the outcomes judged (default: --to).")
@click.option("--every", type=click.Choice(["week", "month"]), default="month",
              show_default=True, help="Week by week or month by month.")
@click.option("--cap", type=click.IntRange(min=0), default=None,
              help="A target or cap on the group's size (e.g. 200).")
@click.option("--bands", callback=_bands, default=None, metavar="LOW-HIGH,…",
              help="Age bands (default 15-17,18-24,25-29).")
@click.option("--municipality", default=None, help="The municipality named in the header.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
              help="Danish (default) or English.")
@_KNOWN_AT
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@_LOG
@_DB
@one_line_errors
def management_report_command(start: date, end: date, on: date | None, every: str,
                              cap: int | None, bands: tuple[tuple[int, int], ...],
                              municipality: str | None, lang: str, known_at: date | None,
                              out: Path, force: bool, log: Path | None, db: Path) -> None:
    """One self-contained HTML page for managers: the group over time against the cap, entries
    and exits, states, the group on a day by group, age band, team and caseworker, and the
    cohort's outcomes — each figure linked to its cases."""
    from ungeforloeb.projections.management import periods
    from ungeforloeb.report.management import Page, render_management

    if end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    if out.exists() and not force:
        raise click.UsageError(f"{out} exists; give --force to overwrite it")

    def work() -> None:
        day = on or end
        kept = _kept(db, log, known_at)
        if kept is not None:
            series = [kept.status_on(last, bands=bands, cap=cap)
                      for _, last in periods(start, end, every)]
            page = Page(start, end, kept.status_on(day, bands=bands, cap=cap), series,
                        kept.flows(start, end, every), kept.outcomes(start, end, day),
                        default_rules().digest, municipality)
        else:
            lines = timelines(_case_files(db, log), known_at)
            series = [status_on(lines, last, bands=bands, cap=cap, known_at=known_at)
                      for _, last in periods(start, end, every)]
            page = Page(start, end,
                        status_on(lines, day, bands=bands, cap=cap, known_at=known_at),
                        series, flows(lines, start, end, every),
                        outcomes(lines, start, end, day), default_rules().digest, municipality)
        out.write_text(render_management(page, lang), encoding="utf-8")
        click.echo(f"wrote {out} ({out.stat().st_size:,} bytes"
                   f"{_FROM_KEPT['kept' if kept else 'events']})", err=True)

    _run(work)
