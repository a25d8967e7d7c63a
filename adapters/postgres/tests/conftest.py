"""Fixtures of the PostgreSQL adapter's tests: the real local server, schemas of their own.

Every test gets a fresh schema for the application's store and another for the tables, and
drops both afterwards. When the server cannot be reached the tests skip locally and fail when
``CI=true``. Server: the ``POSTGRES_*`` variables, else 127.0.0.1:5432, database ``test``,
user ``postgres``.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")

SERVER = {
    "POSTGRES_DBNAME": os.environ.get("POSTGRES_DBNAME", "test"),
    "POSTGRES_HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
    "POSTGRES_PORT": os.environ.get("POSTGRES_PORT", "5432"),
    "POSTGRES_USER": os.environ.get("POSTGRES_USER", "postgres"),
    "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
}

_problem: list[str | None] = []


def connect() -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname=SERVER["POSTGRES_DBNAME"], host=SERVER["POSTGRES_HOST"],
        port=SERVER["POSTGRES_PORT"], user=SERVER["POSTGRES_USER"],
        password=SERVER["POSTGRES_PASSWORD"], autocommit=True, connect_timeout=3,
        row_factory=dict_row)


def _server_problem() -> str | None:
    if not _problem:
        try:
            with connect() as conn:
                conn.execute("SELECT 1")
            _problem.append(None)
        except Exception as e:  # any failure to connect means: no server here
            _problem.append(f"PostgreSQL unreachable at {SERVER['POSTGRES_HOST']}:"
                            f"{SERVER['POSTGRES_PORT']}/{SERVER['POSTGRES_DBNAME']} "
                            f"({type(e).__name__})")
    return _problem[0]


class PgWorld:
    """A fresh store schema and a fresh tables schema; things to close at the end."""

    def __init__(self) -> None:
        token = uuid.uuid4().hex[:12]
        self.store_schema = f"ungeforloeb_pgtest_{token}_store"
        self.schema = f"ungeforloeb_pgtest_{token}_tables"
        with connect() as conn:
            conn.execute(f'CREATE SCHEMA "{self.store_schema}"')
        self.env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres", **SERVER,
            "POSTGRES_SCHEMA": self.store_schema,
            "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "2",
        }
        self.closers: list[Any] = []

    def app(self, **kwargs: Any) -> Any:
        from ungeforloeb.application import Ungeforloeb

        app = Ungeforloeb(env=self.env, **kwargs)
        self.closers.append(app.close)
        return app

    def query(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        with connect() as conn:
            return list(conn.execute(sql.replace("{s}", f'"{self.schema}"'), params))

    def close(self) -> None:
        while self.closers:
            # a runner stopped on an injected error re-raises it on close
            with contextlib.suppress(Exception):
                self.closers.pop()()
        with connect() as conn:
            for schema in (self.schema, self.store_schema):
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg() -> Iterator[PgWorld]:
    problem = _server_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem}: the server must run in CI (CI=true)", pytrace=False)
        pytest.skip(problem)
    world = PgWorld()
    try:
        yield world
    finally:
        world.close()
