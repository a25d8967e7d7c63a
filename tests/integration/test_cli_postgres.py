"""The command line on PostgreSQL (``PERSISTENCE_MODULE=eventsourcing.postgres``, ``POSTGRES_*``):
``init`` creates the schema and its tables, every command reads and writes that store (no
SQLite file appears), names it, and says in one line when the server cannot be reached.

Runs against the real server (127.0.0.1:5432, database ``test``), each test in schemas of its
own; skipped locally when the server is unreachable, failed with ``CI=true``."""

from __future__ import annotations

import csv
import io
import re
import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from conftest import POSTGRES_SETTINGS, SCHEMA_PREFIX, _postgres_connect, require_postgres
from ungeforloeb.cli import main

pytestmark = pytest.mark.postgres


def run(env: dict[str, str] | None, *args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture
def schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names for fresh schemas (dropped afterwards); the test runs in an empty folder, so a
    SQLite file written by mistake would show."""
    require_postgres()
    monkeypatch.chdir(tmp_path)
    made: list[str] = []
    yield made
    with _postgres_connect() as conn:
        for schema in made:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    assert list(tmp_path.iterdir()) == [] or all(
        p.suffix in (".jsonl", ".proof", ".checkpoint") for p in tmp_path.iterdir())


def pg_env(schemas: list[str]) -> dict[str, str]:
    schemas.append(f"{SCHEMA_PREFIX}cli_{uuid.uuid4().hex[:12]}")
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", **POSTGRES_SETTINGS,
            "POSTGRES_SCHEMA": schemas[-1], "POSTGRES_POOL_SIZE": "1"}


def name_of(env: dict[str, str]) -> str:
    return (f"postgresql://{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:"
            f"{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']} schema {env['POSTGRES_SCHEMA']}")


def test_init_creates_the_schema_that_every_command_then_uses(schemas: list[str],
                                                              tmp_path: Path) -> None:
    env = pg_env(schemas)
    missing = run(env, "cases")
    assert missing.exit_code == 2
    assert f"no event store in {name_of(env)}; run `ungeforloeb init`" in missing.output

    made = run(env, "init")
    assert made.exit_code == 0, made.output
    assert made.output == f"created the event store {name_of(env)}\n"
    with _postgres_connect() as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (env["POSTGRES_SCHEMA"],))}
    assert {"ungeforloeb_events", "ungeforloeb_person_identity"} <= tables
    again = run(env, "init")
    assert again.exit_code == 0 and "already exists (0 events); left as it is" in again.output

    demo = run(env, "demo", "--people", "8", "--seed", "3")
    assert demo.exit_code == 0, demo.output
    assert f"into {name_of(env)} in" in demo.output
    assert not (tmp_path / "ungeforloeb.sqlite").exists()
    refill = run(env, "demo", "--people", "8")
    assert refill.exit_code == 2 and "already holds events" in refill.output

    # the same figures as the same demo on SQLite
    sqlite = tmp_path / "same.sqlite"
    assert run(None, "demo", "--db", sqlite, "--people", "8", "--seed", "3").exit_code == 0
    on_pg = run(env, "compliance", "--as-of", "2024-12-31", "--format", "json")
    on_file = run(None, "compliance", "--as-of", "2024-12-31", "--format", "json", "--db",
                  sqlite)
    assert on_pg.exit_code == on_file.exit_code == 0, on_pg.output + on_file.output
    figures = ("rule_id", "met", "missed", "due", "not_applicable", "not_documented")
    assert [{k: r[k] for k in figures} for r in orjson.loads(on_pg.output)["rows"]] == \
        [{k: r[k] for k in figures} for r in orjson.loads(on_file.output)["rows"]]
    for p in tmp_path.glob("same.sqlite*"):
        p.unlink()

    cases = orjson.loads(run(env, "cases", "--format", "json").output)
    assert len(cases) == 8
    case = cases[0]["young_person_id"][:8]
    for command in (("trail", case, "--format", "csv"),
                    ("explain", case, "1", "--as-of", "2024-12-31", "--format", "csv"),
                    ("worklist", "--on", "2024-10-01", "--format", "csv"),
                    ("status-on", "--on", "2024-10-01", "--format", "csv"),
                    ("own-view", case, "--as-of", "2024-12-31")):
        result = run(env, *command)
        assert result.exit_code == 0, (command, result.output)
        assert result.output.strip()
    rows = list(csv.DictReader(io.StringIO(run(env, "trail", case, "--format", "csv").output)))
    assert rows and all(r["event_type"] for r in rows)

    shown = run({**env, "UNGEFORLOEB_PROGRESS": "1"}, "cases")
    assert f"store: {name_of(env)}" in shown.stderr
    kept = run(env, "keep", "--on", "2024-12-31")
    assert kept.exit_code == 2 and "ungeforloeb-postgres keep" in kept.output


def test_a_log_exported_from_postgresql_imports_into_another_schema(schemas: list[str],
                                                                    tmp_path: Path) -> None:
    first, second = pg_env(schemas), pg_env(schemas)
    assert run(first, "init").exit_code == 0
    assert run(first, "demo", "--people", "5").exit_code == 0
    log = tmp_path / "pg.jsonl"
    exported = run(first, "export", "--out", log)
    assert exported.exit_code == 0, exported.output
    not_yet = run(second, "import", log)
    assert not_yet.exit_code == 2 and "run `ungeforloeb init`" in not_yet.output
    assert run(second, "init").exit_code == 0
    imported = run(second, "import", log)
    assert imported.exit_code == 0, imported.output
    events = exported.output.split()[1]
    assert imported.output == f"imported {events} events into {name_of(second)}\n"
    again = tmp_path / "again.jsonl"
    assert run(second, "export", "--out", again, "--exported-at",
               orjson.loads(log.read_bytes().split(b"\n")[0])["exported_at"]).exit_code == 0
    assert again.read_bytes() == log.read_bytes()


def test_an_unreachable_server_is_one_line_naming_where_without_the_password() -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": "127.0.0.1",
           "POSTGRES_PORT": "9", "POSTGRES_DBNAME": "cases", "POSTGRES_USER": "ungeforloeb",
           "POSTGRES_PASSWORD": "not-to-be-shown", "POSTGRES_SCHEMA": "s"}
    for command in (("cases",), ("init",), ("compliance", "--as-of", "2024-12-31")):
        result = run(env, *command)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("error: cannot connect to PostgreSQL at 127.0.0.1:9, "
                                        "database cases (user ungeforloeb): ")
        assert result.output.count("\n") == 1
        assert "not-to-be-shown" not in result.output
        assert "Traceback" not in result.output


def test_settings_left_out_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POSTGRES_PASSWORD", raising=False)
    result = run({"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": "db",
                  "POSTGRES_USER": "u"}, "cases")
    assert result.exit_code == 1
    assert "POSTGRES_DBNAME" in result.output and "POSTGRES_PASSWORD" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_readmes_postgresql_commands_run_as_written(schemas: list[str]) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## On PostgreSQL")
    (block,) = re.findall(r"```sh\n(.*?)```", readme[start:readme.index("\n## ", start + 3)],
                          flags=re.DOTALL)
    settings = dict(re.findall(r"(POSTGRES_\w+|PERSISTENCE_MODULE)=(\S*)", block))
    assert settings["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    env = {**pg_env(schemas), "POSTGRES_POOL_SIZE": "1"}
    assert set(settings) <= set(env)
    commands = [shlex.split(line.split("#")[0])[1:] for line in block.splitlines()
                if line.startswith(".venv/bin/ungeforloeb")]
    assert [c[0] for c in commands] == ["init", "demo", "compliance"]
    for args in commands:
        result = run(env, *args)
        assert result.exit_code == 0, f"{args}: {result.output}"
