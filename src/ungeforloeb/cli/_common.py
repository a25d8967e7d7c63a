"""What the case commands share: date parsing, opening a store, and the worklist table."""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from eventsourcing.persistence import PersistenceError
from rich.console import Console

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.app import DEFAULT_DB
from ungeforloeb.application.store_index import person_streams
from ungeforloeb.casefile.fold import CaseFile

__all__ = ["DEFAULT_DB", "console", "one_line_errors", "open_store", "parse_date"]

F = TypeVar("F", bound=Callable[..., None])

_FULL = (errno.ENOSPC, errno.EDQUOT)


def _why(err: BaseException, where: Path | None = None) -> str:
    """What a store or file error means, in a few words: a full disk, a read-only store, or
    the error's own text (scrubbed: no CPR number or name in it). ``where``: the file in
    question, whose file system is asked when the error's text does not say (SQLite's
    "unable to open database file" on a read-only or full disk)."""
    from ungeforloeb.domain.redact import scrub

    text = scrub(str(err.strerror if isinstance(err, OSError) and err.strerror else err))
    low = f"{text} {err.__cause__ or ''}".lower()
    number = getattr(err, "errno", None)
    if number in _FULL or "full" in low or "no space" in low:
        return f"the disk is full ({text})"
    if number == errno.EROFS or "readonly" in low or "read-only" in low:
        return f"it is read-only ({text})"
    if number == errno.EACCES or "permission" in low:
        return f"permission denied ({text})"
    if where is not None:
        folder = where if where.is_dir() else where.parent
        try:
            disk = os.statvfs(folder)
        except OSError:
            return text
        if disk.f_flag & os.ST_RDONLY:
            return f"it is read-only ({text})"
        if disk.f_bavail == 0:
            return f"the disk is full ({text})"
    return text


def one_line_errors(command: F) -> F:
    """Every command's error handler: a store that cannot be read or written (full disk,
    read-only, locked, wrong key), a file that cannot be written, bad input refused by the
    domain or the interchange log — one line on stderr (``error: …``), exit 1, no traceback,
    nothing personal in it. Usage errors (exit 2) are click's and pass through."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        from ungeforloeb.application.keys import KeyConfigurationError, KeyUnavailableError
        from ungeforloeb.domain.errors import DomainError
        from ungeforloeb.domain.redact import scrub
        from ungeforloeb.interchange.errors import InterchangeError

        try:
            command(*args, **kwargs)
        except click.ClickException:
            raise
        except BrokenPipeError:
            # the reader stopped early (`| head`): not an error of ours; no message, as cat
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except (PersistenceError, sqlite3.Error) as err:
            db = kwargs.get("db")
            store = f"{db}: " if isinstance(db, Path) else ""
            _exit(f"the event store cannot be used: {store}"
                  f"{_why(err, db if isinstance(db, Path) else None)}")
        except (KeyConfigurationError, KeyUnavailableError, DomainError,
                InterchangeError) as err:
            _exit(scrub(str(err)))
        except OSError as err:
            name = str(err.filename) if err.filename else None
            _exit(f"cannot use {scrub(name)}: {_why(err, Path(name))}" if name
                  else _why(err))

    run.one_line_errors = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


def _exit(line: str) -> None:
    click.echo(f"error: {' '.join(line.split())}", err=True)
    sys.exit(1)


def parse_date(ctx: click.Context | None, param: click.Parameter | None,
               value: str | None) -> date | None:
    """Click callback: a calendar day written as YYYY-MM-DD (``None`` stays ``None``)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-12-31",
            ctx=ctx, param=param) from None


def open_store(db: Path) -> Ungeforloeb:
    """The application on an existing SQLite store; a usage error (exit 2) when it is missing."""
    if not db.is_file():
        raise click.UsageError(
            f"no event store at {db}; run `ungeforloeb demo --db {db}` first, or give --db")
    return Ungeforloeb(db)


def console() -> Console:
    """Standard output; plain text when it is not a terminal (wide, so lines do not wrap)."""
    out = Console()
    if not out.is_terminal:
        out = Console(width=160, no_color=True, highlight=False)
    return out


def find_case(app: Ungeforloeb, case_id: str) -> CaseFile:
    """The case file of ``case_id``: a full young person id or an unambiguous prefix, found
    through the store's person → streams index (no scan of the events)."""
    wanted = case_id.strip().lower()
    matches = [m for m in person_streams(app.recorder).people_with_prefix(wanted, 2)
               if str(m).startswith(wanted)]
    if len(matches) == 1:
        return app.case_file(matches[0])
    if not matches:
        raise click.BadParameter(f"no young person with id {case_id!r} in the store",
                                 param_hint="CASE_ID")
    raise click.BadParameter(f"{case_id!r} matches more than one case; give more of the id",
                             param_hint="CASE_ID")
