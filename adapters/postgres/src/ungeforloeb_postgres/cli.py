"""``ungeforloeb-postgres``: keep the kept verdicts in PostgreSQL tables current.

The application's store comes from the environment, as for the core
(``PERSISTENCE_MODULE=eventsourcing.postgres`` and ``POSTGRES_*``); ``--schema`` names the
schema of the tables.
"""

from __future__ import annotations

import os
import signal
import threading
from datetime import datetime
from types import FrameType

import click

from ungeforloeb.application.kept import Update
from ungeforloeb_postgres.kept import follow, keep, today


def _app_env() -> dict[str, str]:
    env = dict(os.environ)
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        raise click.UsageError(
            "the store must be PostgreSQL: set PERSISTENCE_MODULE=eventsourcing.postgres and "
            "POSTGRES_DBNAME, POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD "
            "(POSTGRES_SCHEMA for the store's schema)")
    return env


def _said(schema: str, done: Update) -> str:
    return (f"kept verdicts in {schema} for {done.day.isoformat()}: {done.events} events "
            f"applied, {done.judged} cases judged, {done.rolled} rolled; position "
            f"{done.position}")


_DAY = click.DateTime(["%Y-%m-%d"])


@click.group()
def main() -> None:
    """The kept verdicts of ungeforloeb in PostgreSQL tables."""


@main.command(name="keep")
@click.option("--schema", required=True, help="Schema of the kept tables (created if need be).")
@click.option("--on", "on_day", type=_DAY, default=None,
              help="The day to keep the verdicts for (default: today, UTC; never backwards).")
def keep_command(schema: str, on_day: datetime | None) -> None:
    """Bring the kept verdicts in SCHEMA up to date: apply every event stored since the tracked
    position (each case a page touched judged once, rows and position in one transaction), then
    roll the day (only the cases whose next change came)."""
    env = _app_env()
    done = keep(env, schema, on_day.date() if on_day is not None else today())
    click.echo(_said(schema, done))


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@main.command()
@click.option("--schema", required=True, help="Schema of the kept tables (created if need be).")
@click.option("--until-caught-up", is_flag=True,
              help="Apply every event stored so far and roll the day once, then exit.")
@click.option("--on", "on_day", type=_DAY, default=None,
              help="Keep the verdicts for this day (default: today, UTC, following the "
                   "calendar while running).")
@click.option("--poll", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds between rounds (apply what is new, roll the day).")
def run(schema: str, until_caught_up: bool, on_day: datetime | None, poll: float) -> None:
    """Keep the tables in SCHEMA current until stopped (SIGTERM or Ctrl-C), or once with
    --until-caught-up."""
    env = _app_env()
    pinned = on_day.date() if on_day is not None else None
    if until_caught_up:
        click.echo(_said(schema, keep(env, schema, pinned or today())))
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"running: schema {schema}, a round every {poll:g} s")
    try:
        follow(env, schema, on=pinned, poll=poll, stop=stop,
               each=lambda done: click.echo(_said(schema, done)) if done.events or done.rolled
               else None)
    except KeyboardInterrupt:
        click.echo("stopping")


@main.command(name="advance")
@click.option("--schema", required=True, help="Schema of the kept tables.")
@click.option("--to", "to_day", type=_DAY, required=True,
              help="The kept day's new value (never backwards).")
def advance_command(schema: str, to_day: datetime) -> None:
    """Roll the kept day to --to: apply what is new, then re-judge the cases whose next change
    came (the same as ``keep --on``)."""
    env = _app_env()
    click.echo(_said(schema, keep(env, schema, to_day.date())))
