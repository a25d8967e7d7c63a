"""``ungeforloeb own-view``: everything recorded about one young person (JSON or one HTML page).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import click
import orjson

from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DB,
    FORCE,
    find_case,
    one_line_errors,
    open_store,
    parse_date,
    refuse_overwrite,
)

_DB = DB


@main.command("own-view")
@click.argument("case_id")
@click.option("--as-of", "as_of", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="The day the rules' verdicts are for (default: today, UTC).")
@click.option("--format", "fmt", type=click.Choice(["json", "html"]), default="json",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@FORCE
@_DB
@one_line_errors
def own_view_command(case_id: str, as_of: date | None, fmt: str, out: Path | None,
                     force: bool, db: Path) -> None:
    """Everything recorded about one young person, in Danish: their identity (while it is
    kept), every event of their case with who recorded it and when, the messages sent and
    received, and what the rules say (001:632: they may always see it all).

    CASE_ID is the young person's id, or an unambiguous prefix of it."""
    from ungeforloeb.report.own_view import own_view, render_html

    if out is not None:
        refuse_overwrite(out, force=force)
    app = open_store(db)
    person = UUID(find_case(app, case_id).young_person_id)
    view = own_view(app, person, as_of or datetime.now(UTC).date())
    data = render_html(view).encode() if fmt == "html" else \
        orjson.dumps(view, option=orjson.OPT_INDENT_2) + b"\n"
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out}", err=True)


@main.command("shred-expired")
@click.option("--years", type=click.IntRange(min=0), default=None,
              help="Retention period after a spell closes, in years (default: "
                   "$UNGEFORLOEB_RETENTION_YEARS, else 5).")
@click.option("--on", "on", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="The day to judge and record the erasures on (default: today, UTC).")
@click.option("--recorded-by", default="retention", show_default=True,
              help="Who records the erasures (an id, never a name).")
@click.option("--dry-run", is_flag=True, help="Only list who is past the period.")
@_DB
@one_line_errors
def shred_expired_command(years: int | None, on: date | None, recorded_by: str, dry_run: bool,
                          db: Path) -> None:
    """List the young people whose spell closed more than the retention period ago, and erase
    their personal data by crypto-shredding (events and figures are kept)."""
    import os

    from ungeforloeb.application.retention_period import (
        DEFAULT_YEARS,
        YEARS_SETTING,
        shred_past_retention,
    )
    if years is None:
        setting = os.environ.get(YEARS_SETTING, "").strip()
        if setting and not setting.isdigit():
            raise click.BadParameter(f"{YEARS_SETTING} must be a whole number of years",
                                     param_hint="--years")
        years = int(setting) if setting else DEFAULT_YEARS
    app = open_store(db)
    day = on or datetime.now(UTC).date()
    due = shred_past_retention(app, day, years, recorded_by=recorded_by, dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    for p in due:
        click.echo(f"{verb} {p.young_person_id}: spell closed {p.closed_on.isoformat()}, kept "
                   f"until {p.keep_until.isoformat()}")
    click.echo(f"{len(due)} young people past {years} years after their spell closed, as of "
               f"{day.isoformat()}{' (dry run: nothing erased)' if dry_run else ''}")
