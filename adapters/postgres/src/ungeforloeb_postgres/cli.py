"""``ungeforloeb-postgres``: run the live tables, or move their worklist window.

The application's store comes from the environment, as for the core
(``PERSISTENCE_MODULE=eventsourcing.postgres`` and ``POSTGRES_*``); ``--schema`` names the
schema of the tables.
"""

from __future__ import annotations

import os
import signal
from datetime import datetime
from types import FrameType

import click

from ungeforloeb_postgres.projection import advance, catch_up, start, today


def _app_env() -> dict[str, str]:
    env = dict(os.environ)
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        raise click.UsageError(
            "the store must be PostgreSQL: set PERSISTENCE_MODULE=eventsourcing.postgres and "
            "POSTGRES_DBNAME, POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD "
            "(POSTGRES_SCHEMA for the store's schema)")
    return env


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.group()
def main() -> None:
    """Live projections of ungeforloeb in PostgreSQL tables."""


@main.command()
@click.option("--schema", required=True, help="Schema of the tables (created if need be).")
@click.option("--until-caught-up", is_flag=True,
              help="Apply every event stored so far, then exit.")
@click.option("--first-day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day of the worklist window (default: today, UTC, and the window "
                   "follows the day while running).")
@click.option("--days", type=click.IntRange(1, 366), default=None,
              help="Days in the worklist window (default 14, or as stored).")
@click.option("--timeout", type=float, default=600.0, show_default=True,
              help="With --until-caught-up: give up after this many seconds.")
@click.option("--poll", type=float, default=30.0, show_default=True,
              help="Seconds between checks for a new day (and for the runner's health).")
def run(schema: str, until_caught_up: bool, first_day: datetime | None, days: int | None,
        timeout: float, poll: float) -> None:
    """Keep the tables in SCHEMA current (or catch up once with --until-caught-up)."""
    env = _app_env()
    pinned = first_day.date() if first_day is not None else None
    if until_caught_up:
        position = catch_up(env, schema, timeout=timeout, first_day=pinned, days=days)
        click.echo(f"caught up: schema {schema} at position {position}")
        return
    signal.signal(signal.SIGTERM, _stop)
    runner = start(env, schema, first_day=pinned, days=days)
    click.echo(f"running: schema {schema} from position {runner.position}")
    try:
        while True:
            runner.run_forever(timeout=poll)  # re-raises the processing thread's error
            if runner.is_interrupted.is_set():
                break
            with runner.view.datastore.transaction(commit=False) as curs:
                current = runner.view.window(curs)
            if pinned is None and current is not None and today() > current[0]:
                n = advance(env, schema, today())
                click.echo(f"window moved to {today().isoformat()}: {n} cases recomputed")
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        runner.close()


@main.command(name="advance")
@click.option("--schema", required=True, help="Schema of the tables.")
@click.option("--to", "to_day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The window's new first day.")
@click.option("--days", type=click.IntRange(1, 366), default=None,
              help="Days in the window (default: as stored).")
def advance_command(schema: str, to_day: datetime, days: int | None) -> None:
    """Move the worklist window and recompute every case's items and verdicts."""
    env = _app_env()
    day = to_day.date()
    n = advance(env, schema, day, days)
    click.echo(f"window at {day.isoformat()}: {n} cases recomputed")


@main.command(name="keep")
@click.option("--schema", required=True, help="Schema of the kept tables (created if need be).")
@click.option("--on", "on_day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day to keep the verdicts for (default: today, UTC; never backwards).")
def keep_command(schema: str, on_day: datetime | None) -> None:
    """Bring the kept verdicts in SCHEMA up to date: apply every event stored since the tracked
    position (each case a page touched judged once, rows and position in one transaction), then
    roll the day (only the cases whose next change came)."""
    from ungeforloeb_postgres.kept import keep

    env = _app_env()
    done = keep(env, schema, on_day.date() if on_day is not None else today())
    click.echo(f"kept verdicts in {schema} for {done.day.isoformat()}: {done.events} events "
               f"applied, {done.judged} cases judged, {done.rolled} rolled; position "
               f"{done.position}")
