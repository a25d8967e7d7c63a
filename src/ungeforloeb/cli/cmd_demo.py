"""``ungeforloeb demo``: simulate one municipality for a year into a fresh store (a new SQLite
file, or an empty PostgreSQL schema)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from pathlib import Path

import click
from rich.table import Table

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DEFAULT_DB,
    StoreSetting,
    console,
    one_line_errors,
    read_case_files,
)
from ungeforloeb.cli._output import compliance_listing, emit
from ungeforloeb.cli._progress import note, progress
from ungeforloeb.cli.cmd_cases import WORKLIST_COLUMNS, worklist_rows
from ungeforloeb.projections.audit_trail import DEFAULT_LATE_AFTER_DAYS
from ungeforloeb.projections.compliance import evaluate_all
from ungeforloeb.projections.worklist import worklist
from ungeforloeb.simulation.generator import Scenario, simulate

_SIDE_FILES = ("-wal", "-shm", "-journal")


def remove_store(db: Path) -> None:
    """Delete a SQLite store and its side files."""
    for path in (db, *(db.with_name(db.name + s) for s in _SIDE_FILES)):
        path.unlink(missing_ok=True)


def summarise(case_files: list[CaseFile]) -> dict[str, int]:
    """People, events, groups and outcomes of a store's case files."""
    counts: Counter[str] = Counter()
    for case in case_files:
        facts = case.facts()
        counts["people"] += 1
        counts["events"] += len(case.records)
        counts["recorded late"] += sum(
            (r.recorded_on - r.occurred_on).days > DEFAULT_LATE_AFTER_DAYS for r in case.records)
        counts[f"group {facts.current_group or 'not visitated'}"] += 1
        for admission in facts.admissions:
            counts["admissions"] += 1
            counts["starts"] += admission.started is not None
            counts["dropouts"] += admission.interrupted is not None
            counts["completions"] += admission.completed is not None
        counts["retention cases"] += len(facts.retention_cases)
    return dict(counts)


_EXCHANGE_KINDS = (("retention", "Retention deadlines after risk-of-dropout messages"),
                   ("data_quality", "Data-quality items on institutions' reports"),
                   ("receipt", "Notifications with no receipt or contact from the institution"))

_SUMMARY_ORDER = ("people", "events", "recorded late", "group AAUP", "group UP", "group AP",
                  "group not visitated", "admissions", "starts", "dropouts", "completions",
                  "retention cases")
_LABELS = {"recorded late": f"events recorded > {DEFAULT_LATE_AFTER_DAYS} days late",
           "group AAUP": "visitated ÅUP", "group UP": "visitated UP", "group AP": "visitated AP",
           "group not visitated": "not yet visitated"}


@main.command("demo")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="SQLite file to create (with PostgreSQL configured: "
                                      "the empty store the POSTGRES_* settings name).")
@click.option("--people", type=click.IntRange(min=1), default=500, show_default=True,
              help="Young people with a first contact in the simulated period.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Seed of the random generator: the same seed gives the same events.")
@click.option("--year", type=click.IntRange(2016, 2100), default=2024, show_default=True,
              help="First simulated calendar year.")
@click.option("--years", type=click.IntRange(1, 50), default=1, show_default=True,
              help="Number of simulated years.")
@click.option("--fresh", is_flag=True, help="Replace the store if the file exists.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
              help="Worklist items to show.")
@one_line_errors
def demo(db: Path, people: int, seed: int, year: int, years: int, fresh: bool, top: int) -> None:
    """Simulate one municipality's young people over a year, through the application's
    commands, into a new SQLite store; print a summary, the compliance table beside the focus
    audit's 2018–2020 shares, and the worklist of the last day."""
    out = console()
    store = StoreSetting.of(db)
    if store.postgres:
        if fresh:
            raise click.UsageError("--fresh replaces a SQLite file; on PostgreSQL give an empty "
                                   "schema (POSTGRES_SCHEMA), made by `ungeforloeb init`")
        if not store.exists():
            raise click.UsageError(f"no event store in {store.name()}; run `ungeforloeb init` "
                                   f"to create it")
    else:
        if not db.parent.is_dir():
            raise click.UsageError(f"cannot write {db}: no directory {db.parent}")
        if db.exists():
            if not fresh:
                raise click.UsageError(
                    f"{db} already exists; the demo does not append to an existing store. "
                    f"Use --fresh to replace it, or --db to write another file.")
            remove_store(db)
    scenario = Scenario(people=people, seed=seed, year=year, years=years)
    clock = SettableClock(scenario.first_day)
    app = Ungeforloeb(db, clock=clock)
    if store.postgres and app.recorder.max_notification_id():
        raise click.UsageError(f"{store.name()} already holds events; the demo writes only "
                               f"into an empty store")
    note(f"store: {store.name()}")
    started = time.perf_counter()
    total_days = (scenario.last_day - scenario.first_day).days + 1
    # Everything is computed first, with progress on standard error, then printed.
    with progress() as tracker:
        bar = tracker.phase("simulating the days", total_days)

        def advance(day: date) -> None:
            if bar is not None:
                bar((day - scenario.first_day).days + 1)

        stats = simulate(app, clock, scenario, progress=advance)
        elapsed = time.perf_counter() - started
        case_files = read_case_files(app, tracker)
        counts = summarise(list(tracker.track(case_files, "summarising the cases")))
        report = evaluate_all(tracker.track(case_files, "judging the compliance table"),
                              scenario.last_day)
        items = worklist(tracker.track(case_files, "judging the worklist"), scenario.last_day)
    out.print(f"Simulated {stats.events:,} events for {people:,} young people "
              f"({scenario.first_day} to {scenario.last_day}, seed {seed}) into {store.name()} "
              f"in {elapsed:.1f} s.", soft_wrap=True)
    summary = Table(title="Summary", title_justify="left", show_header=False)
    summary.add_column("what")
    summary.add_column("count", justify="right")
    for key in _SUMMARY_ORDER:
        summary.add_row(_LABELS.get(key, key), f"{counts.get(key, 0):,}")
    out.print(summary)
    rows, columns, ctitle, caption = compliance_listing(report, reference=True,
                                                        count=len(report.verdicts))
    emit(rows, columns, fmt="table", title=ctitle, caption=caption)
    out.print("The right-hand column is the focus audit's share for 2018–2020 (369 cases, "
              "judged by the pre-2020 rules): a reference, not our figure.")
    title = (f"Worklist on {scenario.last_day.isoformat()} ({len(items)} items, "
             f"{sum(i.overdue for i in items)} overdue)")
    if top:
        emit(worklist_rows(items[:top]), WORKLIST_COLUMNS, fmt="table", title=title,
             caption=f"… and {len(items) - top} more" if len(items) > top else None)
    else:
        out.print(title)
    by_kind = Counter(i.kind for i in items)
    out.print("Worklist items by kind: " + ", ".join(
        f"{kind} {n:,}" for kind, n in sorted(by_kind.items())))
    for kind, label in _EXCHANGE_KINDS:
        of_kind = [i for i in items if i.kind == kind]
        if of_kind and top:
            emit(worklist_rows(of_kind[:5]), WORKLIST_COLUMNS, fmt="table",
                 title=f"{label} ({len(of_kind)} items)")
