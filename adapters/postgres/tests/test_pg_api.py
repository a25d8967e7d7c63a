"""The Python API refuses what it cannot follow, before touching any server."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ungeforloeb_postgres import advance, catch_up, start

MESSAGE = re.escape("PERSISTENCE_MODULE=eventsourcing.postgres")


@pytest.mark.parametrize("env", [{}, {"PERSISTENCE_MODULE": "eventsourcing.sqlite"},
                                 {"PERSISTENCE_MODULE": "eventsourcing.popo"}])
def test_a_store_other_than_postgresql_is_refused(env: dict[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERSISTENCE_MODULE", raising=False)
    monkeypatch.delenv("UNGEFORLOEB_PERSISTENCE_MODULE", raising=False)
    with pytest.raises(ValueError, match=MESSAGE):
        start(env, "live")
    with pytest.raises(ValueError, match=MESSAGE):
        catch_up(env, "live")
    with pytest.raises(ValueError, match=MESSAGE):
        advance(env, "live", date(2025, 1, 1))


def test_a_schema_is_required() -> None:
    with pytest.raises(ValueError, match="schema"):
        start({"PERSISTENCE_MODULE": "eventsourcing.postgres"}, " ")
