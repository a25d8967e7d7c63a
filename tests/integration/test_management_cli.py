"""``status-on``, ``flows`` and ``what-if`` on the demo's store and its exported log: the same
figures from both, every number of the JSON in the table, and a reform replayed per case."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.cli import main

FIXTURE_2027 = Path(__file__).parent.parent / "fixtures" / "regimes_2027" / "from_2027.toml"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("mi")
    db, log = tmp / "demo.sqlite", tmp / "demo.jsonl"
    assert run("demo", "--db", str(db), "--people", "60", "--fresh").exit_code == 0
    result = run("export", "--db", str(db), "--out", str(log), "--as-of", "2024-12-31",
                 "--exported-at", "2025-01-02T08:00:00+00:00")
    assert result.exit_code == 0, result.output
    return {"db": db, "log": log}


@pytest.mark.parametrize("command", [
    ("status-on", "--on", "2024-09-30", "--cap", "20"),
    ("flows", "--from", "2024-01-01", "--to", "2024-12-31", "--every", "month"),
])
def test_the_store_and_its_log_give_the_same_figures(demo: dict[str, Path],
                                                     command: tuple[str, ...]) -> None:
    for fmt in ("json", "csv", "table"):
        live = run(*command, "--format", fmt, "--db", str(demo["db"]))
        audit = run(*command, "--format", fmt, "--log", str(demo["log"]))
        assert live.exit_code == audit.exit_code == 0, live.output + audit.output
        assert live.output == audit.output


def test_every_count_of_the_json_is_in_the_table(demo: dict[str, Path]) -> None:
    data = orjson.loads(run("status-on", "--on", "2024-09-30", "--format", "json", "--db",
                            str(demo["db"])).output)
    assert data["total"] > 0
    table = run("status-on", "--on", "2024-09-30", "--db", str(demo["db"])).output
    numbers = set(re.findall(r"\b\d+\b", table))
    assert str(data["total"]) in numbers
    for cell in data["cells"]:
        assert str(cell["count"]) in numbers
        assert len(cell["case_ids"]) == cell["count"]


LOCAL_TARGET = """
[regime]
id = "local_targets_101"
name = "Municipality 101's local targets"
effective_from = 2024-01-02
law = "no law: the municipality's own target, stricter than the law's week"
certainty = "a municipality's choice"

[[amends]]
rule = "cp01_first_conversation"
from = 2024-01-02
[amends.clock]
start = { event = "FirstContactRegistered" }
length = 2
unit = "calendar_days"
set_by = "municipality"
"""


def test_what_if_a_stricter_local_target_lists_the_cases_it_would_make_late(
        demo: dict[str, Path], tmp_path: Path) -> None:
    regime = tmp_path / "local_targets_101.toml"
    regime.write_text(LOCAL_TARGET, encoding="utf-8")
    result = run("what-if", "--as-of", "2024-12-31", "--add", str(regime), "--format", "json",
                 "--log", str(demo["log"]))
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.output)
    assert data["base_rules"] != data["other_rules"]
    assert data["changes"], "a 2-day target makes some first conversations late"
    assert {c["rule_id"] for c in data["changes"]} == {"cp01_first_conversation"}
    assert {(c["before"], c["after"]) for c in data["changes"]} <= {("met", "missed"),
                                                                      ("due", "missed")}
    assert all("local_targets_101" in c["why"] for c in data["changes"])
    table = run("what-if", "--as-of", "2024-12-31", "--add", str(regime), "--db",
                str(demo["db"]))
    assert f"{len(data['changes'])} verdicts change" in table.output


def test_what_if_the_2027_reform_leaves_a_2024_history_as_it_was(demo: dict[str, Path]) -> None:
    """The example reform ends the order's duties from 2027: what fell due in 2024 stands."""
    result = run("what-if", "--as-of", "2027-03-01", "--add", str(FIXTURE_2027), "--format",
                 "json", "--log", str(demo["log"]))
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.output)
    assert data["base_rules"] != data["other_rules"]
    assert data["changes"] == []


def test_what_if_under_the_same_rules_changes_nothing(demo: dict[str, Path],
                                                      tmp_path: Path) -> None:
    from ungeforloeb.rules.loader import packaged_files

    for name, raw in packaged_files():
        (tmp_path / name).write_bytes(raw)
    data = orjson.loads(run("what-if", "--as-of", "2024-12-31", "--regimes", str(tmp_path),
                            "--format", "json", "--db", str(demo["db"])).output)
    assert data["changed_verdicts"] == 0 and data["base_rules"] == data["other_rules"]


def test_bad_input_is_one_line(demo: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[regime]\nid = 'x'\n", encoding="utf-8")
    result = run("what-if", "--as-of", "2024-12-31", "--add", str(bad), "--db",
                 str(demo["db"]))
    assert result.exit_code == 1 and result.output.startswith("error: bad.toml")
    assert "Traceback" not in result.output
    result = run("what-if", "--as-of", "2024-12-31", "--db", str(demo["db"]))
    assert result.exit_code == 2 and "--regimes DIR or one or more --add FILE" in result.output
    result = run("status-on", "--on", "2024-12-31", "--bands", "18-x", "--db", str(demo["db"]))
    assert result.exit_code == 2 and "LOW-HIGH" in result.output


def test_the_management_page_is_written_once_in_danish_or_english(demo: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "mi.html"
    common = ("management-report", "--from", "2024-01-01", "--to", "2024-12-31", "--log",
              str(demo["log"]), "--out", str(out))
    assert run(*common).exit_code == 0
    danish = out.read_text(encoding="utf-8")
    assert '<html lang="da">' in danish and "Tilgang og afgang" in danish
    again = run(*common)
    assert again.exit_code == 2 and "--force" in again.output
    assert run(*common, "--force", "--lang", "en").exit_code == 0
    english = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in english and "Entries and exits" in english
    assert "<script" not in english  # self-contained, no scripts



def _kept_copy(demo: dict[str, Path], tmp: Path) -> Path:
    """A copy of the demo's store with its kept verdicts and timelines brought up to date."""
    db = tmp / "demo.sqlite"
    with sqlite3.connect(demo["db"]) as source, sqlite3.connect(db) as target:
        source.backup(target)  # the WAL too
    db.with_name("demo.sqlite.key").write_bytes(demo["db"].with_name("demo.sqlite.key")
                                                 .read_bytes())
    result = run("keep", "--db", str(db), "--on", "2025-01-02")
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def kept_demo(demo: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _kept_copy(demo, tmp_path_factory.mktemp("mi-kept"))


@pytest.mark.parametrize("command", [
    ("status-on", "--on", "2024-09-30", "--cap", "20", "--bands", "15-19,20-29"),
    ("status-on", "--on", "2024-03-31"),
    ("flows", "--from", "2024-01-01", "--to", "2024-12-31", "--every", "month"),
    ("flows", "--from", "2024-02-05", "--to", "2024-06-30", "--every", "week",
     "--as-of", "2025-06-30"),
])
def test_a_kept_store_answers_from_its_kept_timelines_with_the_same_figures(
        demo: dict[str, Path], kept_demo: Path, command: tuple[str, ...]) -> None:
    kept = CliRunner().invoke(main, [*command, "--format", "json", "--db", str(kept_demo)],
                              catch_exceptions=False)
    audit = run(*command, "--format", "json", "--log", str(demo["log"]))
    assert kept.exit_code == audit.exit_code == 0, kept.output + audit.output
    from_kept, from_log = orjson.loads(kept.stdout), orjson.loads(audit.stdout)
    assert (from_kept.pop("source"), from_log.pop("source")) == ("kept", "events")
    assert from_kept == from_log
    csv = CliRunner().invoke(main, [*command, "--format", "csv", "--db", str(kept_demo)])
    assert csv.stdout == run(*command, "--format", "csv", "--log", str(demo["log"])).stdout
    assert "answered from the kept timelines" in csv.stderr
    table = run(*command, "--db", str(kept_demo)).output
    assert "from the kept" in table


def test_known_at_and_a_store_behind_its_kept_timelines_are_computed_from_the_events(
        demo: dict[str, Path], tmp_path: Path) -> None:
    db = _kept_copy(demo, tmp_path)
    known = run("status-on", "--on", "2024-09-30", "--known-at", "2024-10-01", "--format",
                "json", "--db", str(db))
    assert orjson.loads(known.stdout)["source"] == "events"
    app = Ungeforloeb(db, clock=SettableClock(date(2025, 1, 2)))
    app.register_first_contact(occurred_on=date(2024, 12, 30), recorded_by="cw-1",
                               municipality_code="101", birth_date=date(2005, 3, 3))
    app.close()
    behind = orjson.loads(run("status-on", "--on", "2024-12-31", "--format", "json", "--db",
                              str(db)).stdout)
    assert behind["source"] == "events"
    assert run("keep", "--db", str(db), "--on", "2025-01-02").exit_code == 0
    caught_up = orjson.loads(run("status-on", "--on", "2024-12-31", "--format", "json",
                                 "--db", str(db)).stdout)
    assert caught_up["source"] == "kept"
    assert {**behind, "source": "kept"} == caught_up
