"""The Python API refuses what it cannot follow, before touching any server."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ungeforloeb_postgres import PostgresKeptStore, follow, keep

MESSAGE = re.escape("PERSISTENCE_MODULE=eventsourcing.postgres")


@pytest.mark.parametrize("env", [{}, {"PERSISTENCE_MODULE": "eventsourcing.sqlite"},
                                 {"PERSISTENCE_MODULE": "eventsourcing.popo"}])
def test_a_store_other_than_postgresql_is_refused(env: dict[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERSISTENCE_MODULE", raising=False)
    monkeypatch.delenv("UNGEFORLOEB_PERSISTENCE_MODULE", raising=False)
    with pytest.raises(ValueError, match=MESSAGE):
        keep(env, "kept", date(2025, 1, 1))
    with pytest.raises(ValueError, match=MESSAGE):
        follow(env, "kept", poll=0.1)


def test_a_schema_is_required() -> None:
    with pytest.raises(ValueError, match="schema"):
        PostgresKeptStore({"PERSISTENCE_MODULE": "eventsourcing.postgres"}, " ")
