"""What the case commands share: date parsing, opening a store, and the worklist table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.app import DEFAULT_DB
from ungeforloeb.application.store_index import person_streams
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.projections.worklist import WorkItem

__all__ = ["DEFAULT_DB", "console", "open_store", "parse_date", "worklist_table"]


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


def worklist_table(items: Sequence[WorkItem], *, title: str, top: int | None = None) -> Table:
    """A rich table of work items (the first ``top`` of them when given)."""
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("due", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("case", no_wrap=True)
    table.add_column("caseworker", no_wrap=True)
    table.add_column("team", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("what")
    table.add_column("source")
    table.add_column("cause (event #)", no_wrap=True)
    shown = items if top is None else items[:top]
    for item in shown:
        table.add_row(
            item.due_on.isoformat() if item.due_on else "-",
            "[bold red]overdue[/]" if item.overdue else "due",
            item.young_person_id[:8],
            item.caseworker_id or "-",
            item.team_id or "-",
            item.kind,
            item.title,
            item.legal_source or item.rule_id or "",
            " ".join(f"#{seq}" for seq in item.cause[:3]) + (" …" if len(item.cause) > 3 else ""),
        )
    rest = len(items) - len(shown)
    if rest > 0:
        table.caption = f"… and {rest} more item{'s' if rest != 1 else ''} (of {len(items)})"
        table.caption_justify = "left"
    return table


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
