"""Shared test set-up: hypothesis profiles and persistence back-ends.

Back-ends: every application test that takes the ``backend`` fixture runs once on SQLite (a
file in the test's temporary directory) and once on PostgreSQL (a fresh schema in the server's
database, dropped afterwards). PostgreSQL is configured by the same ``POSTGRES_*`` variables
eventsourcing reads, defaulting to the local server (127.0.0.1:5432, database ``test``, user
``postgres``). When the server cannot be reached the PostgreSQL run is skipped locally and fails
when ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# ------------------------------------------------------------------ back-ends

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")

POSTGRES_SETTINGS = {
    "POSTGRES_DBNAME": os.environ.get("POSTGRES_DBNAME", "test"),
    "POSTGRES_HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
    "POSTGRES_PORT": os.environ.get("POSTGRES_PORT", "5432"),
    "POSTGRES_USER": os.environ.get("POSTGRES_USER", "postgres"),
    "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
}
"""Where the PostgreSQL runs go (the environment's settings, else the local server)."""

SCHEMA_PREFIX = "ungeforloeb_test_"


def _postgres_connect() -> Any:
    import psycopg

    return psycopg.connect(
        dbname=POSTGRES_SETTINGS["POSTGRES_DBNAME"], host=POSTGRES_SETTINGS["POSTGRES_HOST"],
        port=POSTGRES_SETTINGS["POSTGRES_PORT"], user=POSTGRES_SETTINGS["POSTGRES_USER"],
        password=POSTGRES_SETTINGS["POSTGRES_PASSWORD"], autocommit=True, connect_timeout=3,
    )


_postgres_problem: list[str | None] = []


def postgres_problem() -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it can (checked once)."""
    if not _postgres_problem:
        try:
            with _postgres_connect() as conn:
                conn.execute("SELECT 1")
            _postgres_problem.append(None)
        except Exception as e:  # any failure to connect means: not reachable
            where = (f"{POSTGRES_SETTINGS['POSTGRES_USER']}@{POSTGRES_SETTINGS['POSTGRES_HOST']}:"
                     f"{POSTGRES_SETTINGS['POSTGRES_PORT']}/{POSTGRES_SETTINGS['POSTGRES_DBNAME']}")
            _postgres_problem.append(f"PostgreSQL unreachable at {where}: {e}")
    return _postgres_problem[0]


def require_postgres() -> None:
    """Skip (locally) or fail (``CI=true``) when PostgreSQL is unreachable."""
    problem = postgres_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


def close_app(app: Any) -> None:
    """Close an application's event store and the identity store it opened (which holds its
    own connection)."""
    app.close()
    close_identities = getattr(app.identities, "close", None)
    if close_identities is not None:
        close_identities()


class Stores:
    """Fresh, isolated event stores of one kind, and applications on them.

    ``new_store()`` returns the environment of a store nobody else uses (a new SQLite file, a
    new PostgreSQL schema); ``app(env)`` opens an application on it. ``close()`` closes every
    application opened and removes every PostgreSQL schema made.
    """

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self._tmp = tmp_path
        self._apps: list[Any] = []
        self._schemas: list[str] = []
        self._n = 0

    def new_store(self) -> dict[str, str]:
        self._n += 1
        if self.kind == "sqlite":
            path = self._tmp / f"store-{self._n}.sqlite"
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
        schema = SCHEMA_PREFIX + uuid.uuid4().hex[:16]
        with _postgres_connect() as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self._schemas.append(schema)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            **POSTGRES_SETTINGS,
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": "2",
        }

    def app(self, env: dict[str, str], **kwargs: Any) -> Any:
        from ungeforloeb.application import Ungeforloeb

        application = Ungeforloeb(env=env, **kwargs)
        self._apps.append(application)
        return application

    def close(self) -> None:
        while self._apps:
            close_app(self._apps.pop())
        if self._schemas:
            with _postgres_connect() as conn:
                while self._schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{self._schemas.pop()}" CASCADE')


class Backend:
    """One fresh store of a kind; ``app()`` opens another application on the same store."""

    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self.kind = stores.kind
        self.env = stores.new_store()

    def app(self, **kwargs: Any) -> Any:
        return self.stores.app(self.env, **kwargs)


BACKEND_PARAMS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKEND_PARAMS)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    """A factory of fresh stores, once on SQLite and once on PostgreSQL."""
    if request.param == "postgres":
        require_postgres()
    factory = Stores(request.param, tmp_path)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def backend(stores: Stores) -> Backend:
    """A fresh store, once on SQLite and once on PostgreSQL."""
    return Backend(stores)
