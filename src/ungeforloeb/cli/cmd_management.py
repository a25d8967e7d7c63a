"""``ungeforloeb status-on``, ``flows``, ``what-if``: management information from the log.

Each reads the store (``--db``) or an exported log (``--log``, checked as ``verify`` checks it)
and writes nothing. Figures come with the pseudonymous case ids behind them in JSON.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

import click
import orjson

from ungeforloeb.application.kept_timelines import KeptTimelines, open_kept_timelines
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DB,
    FORCE,
    one_line_errors,
    open_store,
    parse_date,
    read_case_files,
    refuse_overwrite,
)
from ungeforloeb.cli._output import Column, emit
from ungeforloeb.cli._progress import Tracker, progress
from ungeforloeb.domain.redact import scrub
from ungeforloeb.interchange.errors import InterchangeError
from ungeforloeb.projections.management import (
    DEFAULT_BANDS,
    STATE_LABELS,
    FlowRow,
    Outcome,
    StatusOn,
    flows,
    flows_csv,
    outcomes,
    status_on,
    timelines,
)
from ungeforloeb.projections.what_if import WhatIf, what_if
from ungeforloeb.rules.datafile import RuleDataError
from ungeforloeb.rules.loader import default_rules, load_directory, load_rule_set, packaged_files

_DB = DB
_LOG = click.option("--log", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                    default=None, help="Read an exported log instead of the store.")
_KNOWN_AT = click.option("--known-at", callback=parse_date, default=None, metavar="YYYY-MM-DD",
                         help="Only what had been recorded by this day (default: everything).")
_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]),
                       default="table", show_default=True,
                       help="A table (stacked when the terminal is narrow; plain tab-separated "
                            "lines when piped), CSV, or JSON with the case ids behind each "
                            "figure.")


def _case_files(db: Path, log: Path | None, tracker: Tracker) -> Iterable[CaseFile]:
    """Every case file of the log or the store, read and then handed on as a phase of
    ``tracker`` each (their use, e.g. building the timelines, is the second)."""
    if log is not None:
        from ungeforloeb.interchange.audit import read_case_files as read_log

        with log.open("rb") as stream:
            _, files = read_log(stream, tracker.phase("reading the log (bytes)",
                                                      log.stat().st_size))
        return tracker.track(files.values(), "building the cases' timelines")
    return tracker.track(read_case_files(open_store(db), tracker),
                         "building the cases' timelines")


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
            with progress() as tracker:
                result = status_on(timelines(_case_files(db, log, tracker), known_at), on,
                                   bands=bands, cap=cap, known_at=known_at)
        source = _source(kept, fmt)
        if fmt == "json":
            _json({**result.to_dict(), "source": source})
            return
        if fmt == "csv":
            click.echo(result.to_csv(), nl=False)
            return
        status_on_table(result, on, known_at, cap, _FROM_KEPT[source])

    _run(work)


def status_on_table(result: StatusOn, on: date, known_at: date | None, cap: int | None,
                    source: str = "") -> None:
    """``status-on``'s figures as listings (:func:`~ungeforloeb.cli._output.emit`): the total
    against the cap, then one listing per dimension."""
    known = f", known at {known_at.isoformat()}" if known_at else ""
    head = f"In the group on {on.isoformat()}{known}{source}: {result.total}"
    if cap is not None:
        head += f" (cap {cap}: {'over by ' if result.total > cap else 'under by '}" \
                f"{abs(result.total - cap)})"
    click.echo(head)
    for dimension in ("state", "group", "age_band", "team", "caseworker"):
        name = dimension.replace("_", " ")
        rows = [{"value": STATE_LABELS[value][1] if dimension == "state" else value,
                 "count": count} for value, count in result.counts(dimension).items()]
        emit(rows, (Column(name, "value", wrap=True), Column("young people", "count",
                                                             numeric=True)),
             fmt="table", title=name)


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
            with progress() as tracker:
                lines = timelines(_case_files(db, log, tracker), known_at)
                tracker.step("counting the flows and outcomes")
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
        flows_table(rows, results, start, end, every, _FROM_KEPT[source])

    _run(work)


def flows_table(rows: Sequence[FlowRow], results: Sequence[Outcome], start: date, end: date,
                every: str, source: str = "") -> None:
    """``flows``' figures as three listings: the periods, the outflow by reason, the
    cohort's outcomes."""
    emit([{"from": r.start.isoformat(), "to": r.end.isoformat(), "before": r.stock_before,
           "in": r.inflow_total, "out": r.outflow_total, "after": r.stock_after} for r in rows],
         (Column("from", "from"), Column("to", "to"),
          *(Column(n, n, numeric=True) for n in ("before", "in", "out", "after"))),
         fmt="table", title=f"Flows {start.isoformat()} – {end.isoformat()}, by {every}{source}")
    total: Counter[str] = Counter()
    for r in rows:
        total.update(r.outflow)
    emit([{"reason": reason, "count": count} for reason, count in sorted(total.items())],
         (Column("reason", "reason", wrap=True), Column("young people", "count", numeric=True)),
         fmt="table", title="Out, by reason")
    figures = []
    for o in results:
        share = "–" if o.share is None else f"{o.share:.0%}"
        if o.median_days is not None:
            share = f"median {o.median_days:g} d"
        figures.append({"figure": o.label[1], "met": o.numerator, "of": o.denominator,
                        "share": share, "open": o.open})
    emit(figures, (Column("figure", "figure", wrap=True), Column("met", "met", numeric=True),
                   Column("of", "of", numeric=True), Column("share", "share", numeric=True),
                   Column("open", "open", numeric=True)),
         fmt="table", title="Outcomes of the period's cohort")


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
        with progress() as tracker:
            result = what_if(_case_files(db, log, tracker), as_of, default_rules(), other,
                             known_at=known_at)
        if fmt == "json":
            _json(result.to_dict())
            return
        if fmt == "csv":
            click.echo(result.to_csv(), nl=False)
            return
        what_if_table(result, as_of, limit)

    _run(work)


def what_if_table(result: WhatIf, as_of: date, limit: int) -> None:
    """``what-if``'s answer as listings: per rule the counts before and after, then the
    changed verdicts (at most ``limit``)."""
    click.echo(f"{result.cases} cases as of {as_of.isoformat()}: "
               f"{len(result.changes)} verdicts change")
    emit([{"rule": s.rule_id, "met": f"{s.met_before} → {s.met_after}",
           "missed": f"{s.missed_before} → {s.missed_after}", "changed": s.changed}
          for s in result.summary if s.changed],
         (Column("rule", "rule"), Column("met", "met", numeric=True),
          Column("missed", "missed", numeric=True), Column("changed", "changed", numeric=True)),
         fmt="table", title="By rule (met / missed, before → after)")
    more = len(result.changes) - limit
    emit([{"case": c.case_id[:8], "rule": c.rule_id + (f" [{c.subject}]" if c.subject else ""),
           "change": f"{c.before.value if c.before else '–'} → "
                     f"{c.after.value if c.after else '–'}", "why": c.why}
          for c in result.changes[:limit]],
         (Column("case", "case"), Column("rule", "rule", wrap=True),
          Column("before → after", "change"), Column("why", "why", wrap=True)),
         fmt="table", title="Changed verdicts",
         caption=f"… and {more} more (--limit, or --format csv)" if more > 0 else None)


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
@FORCE
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
    refuse_overwrite(out, force=force)

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
            with progress() as tracker:
                lines = timelines(_case_files(db, log, tracker), known_at)
                tracker.step("counting and writing the page")
                series = [status_on(lines, last, bands=bands, cap=cap, known_at=known_at)
                          for _, last in periods(start, end, every)]
                page = Page(start, end,
                            status_on(lines, day, bands=bands, cap=cap, known_at=known_at),
                            series, flows(lines, start, end, every),
                            outcomes(lines, start, end, day), default_rules().digest,
                            municipality)
        out.write_text(render_management(page, lang), encoding="utf-8")
        click.echo(f"wrote {out} ({out.stat().st_size:,} bytes"
                   f"{_FROM_KEPT['kept' if kept else 'events']})", err=True)

    _run(work)
