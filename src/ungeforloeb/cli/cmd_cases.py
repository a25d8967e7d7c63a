"""``ungeforloeb worklist``, ``trail`` and ``cases``: read a store's cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import click
from rich.markup import escape
from rich.table import Table

from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DEFAULT_DB,
    console,
    find_case,
    open_store,
    parse_date,
    worklist_table,
)
from ungeforloeb.projections.audit_trail import DEFAULT_LATE_AFTER_DAYS, audit_trail
from ungeforloeb.projections.status import CaseStatus, EnrolmentState, case_status
from ungeforloeb.projections.worklist import worklist

_DB = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
                   show_default=True, help="SQLite event store.")


def status_phrase(status: CaseStatus) -> str:
    """A case's status in a few words, from the status projection."""
    states = [a.state for o in status.orders for a in o.admissions]
    if EnrolmentState.COMPLETED in states:
        return "completed education"
    if EnrolmentState.STARTED in states:
        return "in education"
    if status.benefit_ended_on is not None:
        return f"left benefit {status.benefit_ended_on.isoformat()}"
    if EnrolmentState.ADMITTED in states:
        return "admitted"
    if EnrolmentState.INTERRUPTED in states:
        return "interrupted, back on benefit"
    if status.open_orders:
        return f"on benefit, order at step {status.open_orders[-1].step.value}"
    return "on benefit, no open order"


@main.command("worklist")
@click.option("--on", "on", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="The day the worklist is for.")
@click.option("--known-at", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Only what had been recorded by this day.")
@click.option("--caseworker", default=None, help="Only this caseworker's items.")
@click.option("--team", default=None, help="Only this team's items.")
@click.option("--top", type=click.IntRange(min=0), default=50, show_default=True,
              help="Show at most this many items.")
@click.option("--all", "show_all", is_flag=True, help="Show every item.")
@_DB
def worklist_command(on: date, known_at: date | None, caseworker: str | None, team: str | None,
                     top: int, show_all: bool, db: Path) -> None:
    """What is due or overdue on a day, overdue first."""
    app = open_store(db)
    items = worklist(app.case_files().values(), on, caseworker=caseworker, team=team,
                     known_at=known_at)
    who = f" for {caseworker}" if caseworker else ""
    who += f" in {team}" if team else ""
    console().print(worklist_table(
        items, top=None if show_all else top,
        title=f"Worklist on {on.isoformat()}{who} ({len(items)} items, "
              f"{sum(i.overdue for i in items)} overdue)"))


@main.command("trail")
@click.argument("case_id")
@click.option("--late-after", type=click.IntRange(min=0), default=DEFAULT_LATE_AFTER_DAYS,
              show_default=True, help="Mark recordings more than this many days late.")
@click.option("--by-occurred", is_flag=True, help="Order by the day things happened.")
@_DB
def trail_command(case_id: str, late_after: int, by_occurred: bool, db: Path) -> None:
    """A case's audit trail: every event, when it happened, when and by whom it was recorded.

    CASE_ID is the young person's id, or an unambiguous prefix of it."""
    if len(case_id) == 36:
        try:
            UUID(case_id)
        except ValueError:
            raise click.BadParameter(f"{case_id!r} is not a case id",
                                     param_hint="CASE_ID") from None
    app = open_store(db)
    case = find_case(app, case_id)
    entries = audit_trail(case, late_after_days=late_after,
                          order="occurred" if by_occurred else "recorded")
    table = Table(title=f"Audit trail of {case.young_person_id}", title_justify="left")
    for name in ("seq", "occurred", "recorded at (UTC)", "by", "stream", "event", "payload"):
        table.add_column(name, no_wrap=name != "payload")
    for e in entries:
        recorded = e.recorded_at[:16].replace("T", " ")
        if e.late:
            recorded = f"[bold yellow]{recorded}[/] (+{e.lag_days} d, late)"
        table.add_row(str(e.seq), e.occurred_on.isoformat(), recorded, e.recorded_by,
                      f"{e.stream_type} {e.stream_id[:8]}", e.event_type, escape(e.payload))
    late = sum(e.late for e in entries)
    table.caption = (f"{len(entries)} events; {late} recorded more than {late_after} days "
                     f"after they happened")
    table.caption_justify = "left"
    console().print(table)


@main.command("cases")
@_DB
def cases_command(db: Path) -> None:
    """List the young people in a store with their group and status."""
    app = open_store(db)
    table = Table(title=f"Cases in {db}", title_justify="left")
    for name in ("young person", "first contact", "group", "caseworker", "status"):
        table.add_column(name, no_wrap=True)
    case_files = app.case_files()
    rows = []
    for case in case_files.values():
        status = case_status(case.facts())
        rows.append((status.first_contact_on or date.min, case.young_person_id,
                     status.group.value if status.group else "-", status.caseworker_id or "-",
                     status_phrase(status)))
    rows.sort()
    for first, yp, group, cw, phrase in rows:
        table.add_row(yp, first.isoformat() if first != date.min else "-", group, cw, phrase)
    table.caption = f"{len(rows)} cases"
    table.caption_justify = "left"
    console().print(table)
