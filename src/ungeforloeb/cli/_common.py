"""What the case commands share: date parsing, opening a store, and the worklist table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from rich.console import Console

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.app import DEFAULT_DB
from ungeforloeb.application.store_index import person_streams
from ungeforloeb.casefile.fold import CaseFile

__all__ = ["DEFAULT_DB", "console", "open_store", "parse_date"]


def parse_date(ctx: click.Context | None, param: click.Parameter | None,
               value: str | None) -> date | None:
    """Click callback: a calendar day written as YYYY-MM-DD (``None`` stays ``None``)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-12-31",
            ctx=ctx, param=param) from None


def open_store(db: Path) -> Ungeforloeb:
    """The application on an existing SQLite store; a usage error (exit 2) when it is missing."""
    if not db.is_file():
        raise click.UsageError(
            f"no event store at {db}; run `ungeforloeb demo --db {db}` first, or give --db")
    return Ungeforloeb(db)


def console() -> Console:
    """Standard output; plain text when it is not a terminal (wide, so lines do not wrap)."""
    out = Console()
    if not out.is_terminal:
        out = Console(width=160, no_color=True, highlight=False)
    return out


def find_case(app: Ungeforloeb, case_id: str) -> CaseFile:
    """The case file of ``case_id``: a full young person id or an unambiguous prefix, found
    through the store's person → streams index (no scan of the events)."""
    wanted = case_id.strip().lower()
    matches = [m for m in person_streams(app.recorder).people_with_prefix(wanted, 2)
               if str(m).startswith(wanted)]
    if len(matches) == 1:
        return app.case_file(matches[0])
    if not matches:
        raise click.BadParameter(f"no young person with id {case_id!r} in the store",
                                 param_hint="CASE_ID")
    raise click.BadParameter(f"{case_id!r} matches more than one case; give more of the id",
                             param_hint="CASE_ID")
