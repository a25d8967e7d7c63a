"""``ungeforloeb-http --db FILE --host 127.0.0.1 --port 8000``: serve a store over HTTP."""

from __future__ import annotations

from pathlib import Path

import click
import uvicorn
from pydantic import ValidationError

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.app import DEFAULT_DB
from ungeforloeb.exchange.routing import RoutingError, load_routing
from ungeforloeb_http.app import create_app
from ungeforloeb_http.settings import HttpSettings


@click.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="SQLite event store (ignored when PERSISTENCE_MODULE "
                                      "says eventsourcing.postgres).")
@click.option("--create", is_flag=True, help="Create the store if it does not exist.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--routing", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="TOML file of the designated recipients of the "
                                 "institutions' messages (see docs/exchange.md, Routing).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info",
                                                "debug"]), default="info", show_default=True)
def main(db: Path, create: bool, host: str, port: int, routing: Path | None,
         log_level: str) -> None:
    """Serve the ungeforloeb application of a store over HTTP (OpenAPI at /openapi.json,
    interactive documentation at /docs). Tokens are verified as the UNGEFORLOEB_HTTP_*
    environment says (see the adapter's README)."""
    import os

    try:
        settings = HttpSettings()  # type: ignore[call-arg]
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: "
                             f"{e['msg'].removeprefix('Value error, ')}" for e in err.errors())
        raise click.UsageError(f"UNGEFORLOEB_HTTP_* settings: {problems}") from None

    postgres = os.environ.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"
    if not postgres and not db.is_file() and not create:
        raise click.UsageError(f"no event store at {db}; give --create to start a new one")
    recipients = None
    if routing is not None:
        try:
            recipients = load_routing(routing)
        except RoutingError as err:
            raise click.UsageError(str(err)) from None
    app = Ungeforloeb(db)
    try:
        if recipients is not None:
            app.use_routing(recipients)
        uvicorn.run(create_app(app, settings), host=host, port=port, log_level=log_level)
    finally:
        app.close()
