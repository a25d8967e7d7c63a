"""What the case commands share: date parsing, opening a store, and the worklist table."""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
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
from ungeforloeb.cli._progress import Tracker

__all__ = ["DEFAULT_DB", "StoreSetting", "console", "one_line_errors", "open_store", "parse_date",
           "refuse_overwrite"]

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
            if isinstance(db, Path) and StoreSetting.of(db).postgres:
                _exit(f"the event store cannot be used: {StoreSetting.of(db).name()}: "
                      f"{scrub(str(err))}")
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


def setting(name: str) -> str:
    """A store setting as eventsourcing reads it: ``UNGEFORLOEB_NAME``, else ``NAME``."""
    return os.environ.get(f"UNGEFORLOEB_{name}") or os.environ.get(name) or ""


@dataclass(frozen=True, slots=True)
class StoreSetting:
    """Which store the commands use: the SQLite file ``path`` (``--db``), or, when
    ``PERSISTENCE_MODULE=eventsourcing.postgres``, the PostgreSQL database the ``POSTGRES_*``
    settings name (``--db`` is then not used)."""

    path: Path
    postgres: bool

    @classmethod
    def of(cls, db: Path) -> StoreSetting:
        """The configured store, given the ``--db`` option's value."""
        return cls(db, setting("PERSISTENCE_MODULE") == "eventsourcing.postgres")

    @property
    def schema(self) -> str:
        return setting("POSTGRES_SCHEMA") or "public"

    def where(self) -> str:
        """Host, port and database (never the password)."""
        return (f"{setting('POSTGRES_HOST') or '?'}:{setting('POSTGRES_PORT') or '5432'}, "
                f"database {setting('POSTGRES_DBNAME') or '?'}")

    def name(self) -> str:
        """The store in a few words: the SQLite path, or postgresql://user@host:port/db schema s
        (no password)."""
        if not self.postgres:
            return str(self.path)
        user = setting("POSTGRES_USER")
        return (f"postgresql://{user + '@' if user else ''}{setting('POSTGRES_HOST') or '?'}:"
                f"{setting('POSTGRES_PORT') or '5432'}/{setting('POSTGRES_DBNAME') or '?'} "
                f"schema {self.schema}")

    def connect(self) -> Any:
        """A psycopg connection (autocommit) to the configured server; an error names host,
        port and database, never the password."""
        import psycopg

        from ungeforloeb.domain.redact import scrub

        missing = [k for k in ("POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_USER")
                   if not setting(k)]
        if not any(k in os.environ for k in ("POSTGRES_PASSWORD",
                                               "UNGEFORLOEB_POSTGRES_PASSWORD")):
            missing.append("POSTGRES_PASSWORD (set it empty for a server that asks none)")
        if missing:
            _exit(f"PostgreSQL is configured (PERSISTENCE_MODULE=eventsourcing.postgres) but "
                  f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set")
        try:
            return psycopg.connect(
                dbname=setting("POSTGRES_DBNAME"), host=setting("POSTGRES_HOST"),
                port=setting("POSTGRES_PORT") or "5432", user=setting("POSTGRES_USER"),
                password=setting("POSTGRES_PASSWORD") or None, autocommit=True,
                connect_timeout=int(setting("POSTGRES_CONNECT_TIMEOUT") or "5"))
        except (psycopg.Error, ValueError) as err:
            password = setting("POSTGRES_PASSWORD")
            reason = " ".join(str(err).split())
            if password:
                reason = reason.replace(password, "***")
            reason = reason.rsplit("failed: ", 1)[-1] if "failed: " in reason else reason
            _exit(f"cannot connect to PostgreSQL at {self.where()} (user "
                  f"{setting('POSTGRES_USER')}): {scrub(reason)}")
            raise  # not reached

    def schema_exists(self) -> bool:
        with self.connect() as conn:
            return conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                (self.schema,)).fetchone() is not None

    def exists(self) -> bool:
        """Whether the store is there to be read (the SQLite file; the PostgreSQL schema with
        the event table)."""
        if not self.postgres:
            return self.path.is_file()
        with self.connect() as conn:
            return conn.execute("SELECT to_regclass(%s)", (
                f'"{self.schema}".ungeforloeb_events',)).fetchone()[0] is not None


def open_store(db: Path) -> Ungeforloeb:
    """The application on the configured store (the SQLite file ``db``, or PostgreSQL); a usage
    error (exit 2) when it is missing, naming the store and how to create it."""
    store = StoreSetting.of(db)
    if not store.exists():
        if store.postgres:
            raise click.UsageError(
                f"no event store in {store.name()}; run `ungeforloeb init` to create it")
        raise click.UsageError(
            f"no event store at {db}; run `ungeforloeb demo --db {db}` first, or give --db")
    from ungeforloeb.cli._progress import note

    note(f"store: {store.name()}")
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


def refuse_overwrite(*paths: Path, force: bool) -> None:
    """A usage error (exit 2, nothing written) when a file to write exists and ``--force`` was
    not given."""
    for path in paths:
        if path.exists() and not force:
            raise click.UsageError(f"{path} exists; give --force to overwrite it")


FORCE = click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
"""The ``--force`` option of every command that writes a file."""

DB = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
    show_default=True,
    help="SQLite event store (not used when PERSISTENCE_MODULE=eventsourcing.postgres: the "
         "POSTGRES_* settings name the store).")
"""The ``--db`` option of every command that reads or writes the store."""


def read_case_files(app: Ungeforloeb, tracker: Tracker) -> list[CaseFile]:
    """Every case file of the store (as :meth:`Ungeforloeb.case_files`), its reading shown as
    a phase of ``tracker``."""
    if not tracker.shown:
        return list(app.case_files().values())
    from ungeforloeb.casefile.records import group_by_case

    total = app.recorder.max_notification_id() or 0
    records = tracker.track(app.records(), "reading the events", total)
    return [CaseFile(k, v) for k, v in group_by_case(records).items()]


def case_count(app: Ungeforloeb) -> int:
    """The number of young people in the store (from its person → streams index)."""
    return len(person_streams(app.recorder).people_with_prefix("", 1 << 62))
