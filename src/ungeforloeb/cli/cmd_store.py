"""``ungeforloeb reindex``: build a store's person → streams index (stores written before it)."""

from __future__ import annotations

from pathlib import Path

import click

from ungeforloeb.application.store_index import person_streams_unbuilt, stderr_progress
from ungeforloeb.cli import main
from ungeforloeb.cli._common import DEFAULT_DB, one_line_errors, open_store


@main.command("reindex")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="SQLite event store.")
@one_line_errors
def reindex_command(db: Path) -> None:
    """Index every stream of the store by young person, in one transaction.

    A store written by a version without the index is indexed by the first case lookup anyway;
    run this beforehand (e.g. while upgrading) so that no lookup waits for it. Safe to repeat."""
    app = open_store(db)
    index = person_streams_unbuilt(app.recorder)
    was = index.index_complete()
    streams = index.build_index(stderr_progress)
    click.echo(f"{streams:,} streams indexed in {db}"
               + (" (the index was already complete)" if was else ""))
