"""The command line: ``ungeforloeb demo``, ``status``, ``worklist`` and more.

Each sub-command lives in its own module and registers itself on :data:`main`.
"""

from __future__ import annotations

import click

from ungeforloeb import __version__


@click.group()
@click.version_option(__version__, prog_name="ungeforloeb")
@click.option("--progress/--no-progress", "show_progress", default=None,
              envvar="UNGEFORLOEB_PROGRESS",
              help="Progress of long work (with the time left) on standard error. Default: "
                   "shown when standard error is a terminal. Standard output is the same "
                   "either way.")
def main(show_progress: bool | None) -> None:
    """ungeforloeb — education orders, deadlines and the focus audit's control points, derived
    from the event log.

    The store is the SQLite file given with --db, or the PostgreSQL database the settings
    PERSISTENCE_MODULE=eventsourcing.postgres and POSTGRES_* name; `ungeforloeb init` creates
    it."""
    from ungeforloeb.cli._progress import set_mode

    set_mode(show_progress)


def _register() -> None:
    # Sub-command modules import the group and decorate their commands onto it.
    import importlib
    import pkgutil

    import ungeforloeb.cli as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"ungeforloeb.cli.{info.name}")


_register()
