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
from ungeforloeb.cli._common import DEFAULT_DB, find_case, open_store, parse_date

_DB = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
                   show_default=True, help="SQLite event store.")


@main.command("own-view")
@click.argument("case_id")
@click.option("--as-of", "as_of", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="The day the rules' verdicts are for (default: today, UTC).")
@click.option("--format", "fmt", type=click.Choice(["json", "html"]), default="json",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@_DB
def own_view_command(case_id: str, as_of: date | None, fmt: str, out: Path | None,
                     db: Path) -> None:
    """Everything recorded about one young person, in Danish: their identity (while it is
    kept), every event of their case with who recorded it and when, the messages sent and
    received, and what the rules say (001:632: they may always see it all).

    CASE_ID is the young person's id, or an unambiguous prefix of it."""
    from ungeforloeb.report.own_view import own_view, render_html

    app = open_store(db)
    person = UUID(find_case(app.case_files(), case_id).young_person_id)
    view = own_view(app, person, as_of or datetime.now(UTC).date())
    data = render_html(view).encode() if fmt == "html" else \
        orjson.dumps(view, option=orjson.OPT_INDENT_2) + b"\n"
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out}", err=True)
