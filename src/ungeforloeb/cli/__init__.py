"""The command line: ``ungeforloeb demo``, ``status``, ``worklist`` and more.

Each sub-command lives in its own module and registers itself on :data:`main`.
"""

from __future__ import annotations

import click

from ungeforloeb import __version__


@click.group()
@click.version_option(__version__, prog_name="ungeforloeb")
def main() -> None:
    """ungeforloeb — education orders, deadlines and the focus audit's control points, derived
    from the event log."""


def _register() -> None:
    # Sub-command modules import the group and decorate their commands onto it.
    import importlib
    import pkgutil

    import ungeforloeb.cli as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"ungeforloeb.cli.{info.name}")


_register()
