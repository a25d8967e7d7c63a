"""``ungeforloeb init`` creates the configured store; ``reindex`` builds a store's person →
streams index (stores written before it)."""

from __future__ import annotations

from pathlib import Path

import click

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.store_index import person_streams_unbuilt
from ungeforloeb.cli import main
from ungeforloeb.cli._common import DB, StoreSetting, one_line_errors, open_store
from ungeforloeb.cli._progress import progress


@main.command("reindex")
@DB
@one_line_errors
def reindex_command(db: Path) -> None:
    """Index every stream of the store by young person, in one transaction.

    A store written by a version without the index is indexed by the first case lookup anyway;
    run this beforehand (e.g. while upgrading) so that no lookup waits for it. Safe to repeat."""
    app = open_store(db)
    index = person_streams_unbuilt(app.recorder)
    was = index.index_complete()
    with progress() as tracker:
        streams = index.build_index(tracker.pairs("reindex: indexing the streams by young "
                                                  "person"))
    click.echo(f"{streams:,} streams indexed in {StoreSetting.of(db).name()}"
               + (" (the index was already complete)" if was else ""))


@main.command("init")
@DB
@one_line_errors
def init_command(db: Path) -> None:
    """Create the configured event store, empty: the SQLite file, or on PostgreSQL
    (PERSISTENCE_MODULE=eventsourcing.postgres, POSTGRES_*) the schema POSTGRES_SCHEMA and the
    store's tables in it. Safe to repeat: an existing store is left as it is."""
    from psycopg import sql

    store = StoreSetting.of(db)
    existed = store.exists()
    if store.postgres and not existed:
        with store.connect() as conn:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(store.schema)))
    elif not store.postgres and not db.parent.is_dir():
        raise click.UsageError(f"cannot create {db}: no directory {db.parent}")
    app = Ungeforloeb(db, env={"CREATE_TABLE": "y"})
    try:
        events = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    if existed:
        click.echo(f"the event store {store.name()} already exists ({events:,} events); "
                   f"left as it is")
    else:
        click.echo(f"created the event store {store.name()}")
