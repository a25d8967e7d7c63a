"""``ungeforloeb keep``: bring the kept verdicts of a store up to date (a daily job)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.kept import KeptVerdicts
from ungeforloeb.cli import main
from ungeforloeb.cli._common import DB, StoreSetting, one_line_errors, open_store, parse_date
from ungeforloeb.cli._output import emit, format_option
from ungeforloeb.cli._progress import progress
from ungeforloeb.cli.cmd_cases import WORKLIST_COLUMNS, item_dict, worklist_rows


@main.command("keep")
@click.option("--on", "on", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="The day to keep the verdicts for (default: today; never backwards).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes that read and judge the cases of a first run (default: "
                   "the cores available, from 20,000 events on). The rows are the same for "
                   "every N.")
@DB
@one_line_errors
def keep_command(on: date | None, jobs: int | None, db: Path) -> None:
    """Apply every event recorded since the last run to the kept verdicts and worklists (in the
    store's file, tables kept_*), then roll the day: only the cases whose next change has come
    are judged again. Run it after loading events and once a day."""
    kept = KeptVerdicts(_sqlite_store(db), jobs=jobs)
    with progress() as tracker:
        total = kept.app.recorder.max_notification_id() or 0
        advance = tracker.phase("keep: applying the events", total - kept.store.position())
        done = kept.update(on or date.today(), progress=(
            lambda events, _cases: advance(events)) if advance else None)
    click.echo(f"kept verdicts for {done.day.isoformat()}: {done.events} events applied "
               f"(position {done.position}), {done.judged} case judgements, {done.rolled} "
               f"cases rolled to the day")


@main.command("kept-worklist")
@click.option("--caseworker", default=None, help="Only this caseworker's items.")
@click.option("--team", default=None, help="Only this team's items.")
@click.option("--top", type=click.IntRange(min=0), default=50, show_default=True,
              help="Show at most this many items.")
@format_option()
@DB
@one_line_errors
def kept_worklist_command(caseworker: str | None, team: str | None, top: int, fmt: str,
                          db: Path) -> None:
    """The worklist of the kept day, read from the kept rows through their indexes (run
    ``ungeforloeb keep`` first). For another day, use ``ungeforloeb worklist --on``."""
    kept = KeptVerdicts(_sqlite_store(db))
    if kept.day is None:
        raise click.UsageError(f"no kept verdicts in {db}; run `ungeforloeb keep --db {db}` "
                               f"first")
    items = kept.worklist(caseworker=caseworker, team=team)
    who = f" for {caseworker}" if caseworker else ""
    who += f" in {team}" if team else ""
    shown = items if fmt != "table" else items[:top]
    emit(worklist_rows(shown), WORKLIST_COLUMNS, fmt=fmt,
         title=f"Kept worklist on {kept.day.isoformat()}{who} ({len(items)} items, "
               f"{sum(i.overdue for i in items)} overdue)",
         caption=f"… and {len(items) - len(shown)} more" if len(shown) < len(items) else None,
         data={"on": kept.day.isoformat(), "caseworker": caseworker, "team": team,
               "count": len(items), "items": [item_dict(i) for i in items]})


def _sqlite_store(db: Path) -> Ungeforloeb:
    """The store, which must be SQLite: on PostgreSQL the kept verdicts are kept in tables of
    their own by the PostgreSQL adapter (``ungeforloeb-postgres keep --schema …``)."""
    if StoreSetting.of(db).postgres:
        raise click.UsageError("on PostgreSQL the kept verdicts are kept by the adapter: run "
                               "`ungeforloeb-postgres keep --schema SCHEMA` (adapters/postgres)")
    return open_store(db)
