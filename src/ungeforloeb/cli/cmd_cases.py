"""``ungeforloeb worklist``, ``trail`` and ``cases``: read a store's cases."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.kept import KeptVerdicts
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DB,
    StoreSetting,
    find_case,
    one_line_errors,
    open_store,
    parse_date,
    read_case_files,
)
from ungeforloeb.cli._output import Column, emit, format_option
from ungeforloeb.cli._progress import progress
from ungeforloeb.projections.audit_trail import DEFAULT_LATE_AFTER_DAYS, audit_trail
from ungeforloeb.projections.status import CaseStatus, EnrolmentState, case_status
from ungeforloeb.projections.worklist import WorkItem, worklist

_DB = DB


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


WORKLIST_COLUMNS = (
    Column("due", "due_on"), Column("state", "state"), Column("case", "case"),
    Column("caseworker", "caseworker_id"), Column("team", "team_id"), Column("kind", "kind"),
    Column("what", "title", wrap=True), Column("source", "source", wrap=True),
    Column("cause (event #)", "cause"),
)


def worklist_rows(items: Sequence[WorkItem]) -> list[dict[str, Any]]:
    """The worklist's items as listing rows (short case ids; the JSON has the whole items)."""
    return [{"due_on": i.due_on.isoformat() if i.due_on else None,
             "state": "overdue" if i.overdue else "due", "case": i.young_person_id[:8],
             "caseworker_id": i.caseworker_id, "team_id": i.team_id, "kind": i.kind,
             "title": i.title, "source": i.legal_source or i.rule_id or "",
             "cause": " ".join(f"#{seq}" for seq in i.cause)} for i in items]


def item_dict(i: WorkItem) -> dict[str, Any]:
    return {"young_person_id": i.young_person_id, "kind": i.kind, "title": i.title,
            "due_on": i.due_on.isoformat() if i.due_on else None, "overdue": i.overdue,
            "rule_id": i.rule_id, "legal_source": i.legal_source,
            "caseworker_id": i.caseworker_id, "team_id": i.team_id, "cause": list(i.cause)}


@main.command("worklist")
@click.option("--on", "on", required=True, callback=parse_date, metavar="YYYY-MM-DD",
              help="The day the worklist is for.")
@click.option("--known-at", callback=parse_date, default=None, metavar="YYYY-MM-DD",
              help="Only what had been recorded by this day.")
@click.option("--caseworker", default=None, help="Only this caseworker's items.")
@click.option("--team", default=None, help="Only this team's items.")
@click.option("--top", type=click.IntRange(min=0), default=50, show_default=True,
              help="Show at most this many items in the table (CSV and JSON have all).")
@click.option("--all", "show_all", is_flag=True, help="Show every item.")
@format_option()
@_DB
@one_line_errors
def worklist_command(on: date, known_at: date | None, caseworker: str | None, team: str | None,
                     top: int, show_all: bool, fmt: str, db: Path) -> None:
    """What is due or overdue on a day, overdue first."""
    app = open_store(db)
    kept = _kept_for(app, db, on) if known_at is None else None
    if kept is not None:
        items = kept.worklist(caseworker=caseworker, team=team)
        source = ", from the kept verdicts"
    else:
        with progress() as tracker:
            files = read_case_files(app, tracker)
            items = worklist(tracker.track(files, "judging the cases"), on,
                             caseworker=caseworker, team=team, known_at=known_at)
        if not items and (team or caseworker):
            _known_owner(files, on, caseworker=caseworker, team=team)
        source = ""
    who = f" for {caseworker}" if caseworker else ""
    who += f" in {team}" if team else ""
    shown = items if show_all or fmt != "table" else items[:top]
    rest = len(items) - len(shown)
    emit(worklist_rows(shown), WORKLIST_COLUMNS, fmt=fmt,
         title=f"Worklist on {on.isoformat()}{who} ({len(items)} items, "
               f"{sum(i.overdue for i in items)} overdue{source})",
         caption=f"… and {rest} more (--all, or --format csv)" if rest > 0 else None,
         data={"on": on.isoformat(), "known_at": known_at.isoformat() if known_at else None,
               "caseworker": caseworker, "team": team, "count": len(items),
               "overdue": sum(i.overdue for i in items), "items": [item_dict(i) for i in items]})


def _kept_for(app: Ungeforloeb, db: Path, on: date) -> KeptVerdicts | None:
    """The store's kept verdicts when they are current for ``on`` — kept for that day and up to
    the store's last event (``ungeforloeb keep``) — so that the worklist is read through their
    indexes instead of judging every case; else ``None`` (nothing is created in the store)."""
    if StoreSetting.of(db).postgres:
        return None  # kept in PostgreSQL by the adapter (ungeforloeb-postgres keep)
    try:
        with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as c:
            found = c.execute("SELECT 1 FROM sqlite_master WHERE name='kept_tracking'").fetchone()
    except sqlite3.Error:
        return None
    if not found:
        return None
    kept = KeptVerdicts(app)
    if kept.day != on or kept.store.position() != (app.recorder.max_notification_id() or 0):
        return None
    return kept


def _known_owner(files: Sequence[CaseFile], on: date, *, caseworker: str | None,
                 team: str | None) -> None:
    """An unknown caseworker or team is a usage error naming the known ones (an empty
    worklist of a known one is just empty)."""
    owners = [f.view(as_of=on).current_caseworker for f in files]
    known = [o for o in owners if o is not None]
    for given, index, name in ((team, 1, "team"), (caseworker, 0, "caseworker")):
        names = sorted({o[index] for o in known})
        if given is not None and given not in names:
            listed = ", ".join(names[:20]) + (" …" if len(names) > 20 else "")
            raise click.BadParameter(f"no case in the store has {name} {given!r} on "
                                     f"{on.isoformat()}; {name}s: {listed or 'none'}",
                                     param_hint=f"--{name}")


TRAIL_COLUMNS = (
    Column("seq", "seq", numeric=True), Column("occurred", "occurred_on"),
    Column("recorded at (UTC)", "recorded"), Column("lag (days)", "lag_days", numeric=True),
    Column("by", "recorded_by"),
    Column("stream", "stream"), Column("event", "event_type"),
    Column("payload", "payload", wrap=True),
)


@main.command("trail")
@click.argument("case_id")
@click.option("--late-after", type=click.IntRange(min=0), default=DEFAULT_LATE_AFTER_DAYS,
              show_default=True, help="Mark recordings more than this many days late.")
@click.option("--by-occurred", is_flag=True, help="Order by the day things happened.")
@format_option()
@_DB
@one_line_errors
def trail_command(case_id: str, late_after: int, by_occurred: bool, fmt: str,
                  db: Path) -> None:
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
    rows = []
    for e in entries:
        recorded = e.recorded_at[:16].replace("T", " ")
        if e.late:
            recorded = f"{recorded} (late)"
        rows.append({"seq": e.seq, "occurred_on": e.occurred_on.isoformat(),
                     "recorded": recorded, "lag_days": e.lag_days,
                     "recorded_by": e.recorded_by,
                     "stream": f"{e.stream_type} {e.stream_id[:8]} v{e.version}",
                     "event_type": e.event_type, "payload": e.payload})
    late = sum(e.late for e in entries)
    emit(rows, TRAIL_COLUMNS, fmt=fmt, title=f"Audit trail of {case.young_person_id}",
         caption=f"{len(entries)} events; {late} recorded more than {late_after} days after "
                 f"they happened",
         data={"young_person_id": case.young_person_id, "late_after_days": late_after,
               "entries": [{"seq": e.seq, "occurred_on": e.occurred_on.isoformat(),
                            "recorded_at": e.recorded_at, "recorded_by": e.recorded_by,
                            "event_type": e.event_type, "stream_type": e.stream_type,
                            "stream_id": e.stream_id, "version": e.version,
                            "payload": e.payload, "lag_days": e.lag_days, "late": e.late}
                           for e in entries]})


CASES_COLUMNS = (
    Column("young person", "young_person_id"), Column("first contact", "first_contact_on"),
    Column("group", "group"), Column("caseworker", "caseworker_id"),
    Column("status", "status", wrap=True),
)


@main.command("cases")
@format_option()
@_DB
@one_line_errors
def cases_command(fmt: str, db: Path) -> None:
    """List the young people in a store with their group and status."""
    app = open_store(db)
    rows = []
    with progress() as tracker:
        files = read_case_files(app, tracker)
    for case in files:
        status = case_status(case.facts())
        rows.append({"first_contact_on": status.first_contact_on.isoformat()
                     if status.first_contact_on else None,
                     "young_person_id": case.young_person_id,
                     "group": status.group.value if status.group else None,
                     "caseworker_id": status.caseworker_id, "status": status_phrase(status)})
    rows.sort(key=lambda r: (r["first_contact_on"] or "", r["young_person_id"]))
    emit(rows, CASES_COLUMNS, fmt=fmt, title=f"Cases in {StoreSetting.of(db).name()}",
         caption=f"{len(rows)} cases")
