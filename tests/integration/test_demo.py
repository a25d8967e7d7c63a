"""`ungeforloeb demo`: a seeded municipality into a fresh SQLite store, readable by others."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import orjson
from click.testing import CliRunner

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.cli import main
from ungeforloeb.projections.worklist import worklist

PEOPLE = "60"


def run_demo(db: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["demo", "--db", str(db), "--people", PEOPLE,
                                       "--seed", "7", *extra])
    return result.exit_code, result.output


def stored_rows(db: Path) -> list[tuple[object, ...]]:
    """Every stored event as a plain tuple (recording times included)."""
    app = Ungeforloeb(db)
    return [tuple(r) for r in app.records()]


def test_the_same_seed_on_fresh_files_gives_the_same_events(tmp_path: Path) -> None:
    code_a, out_a = run_demo(tmp_path / "a.sqlite")
    code_b, out_b = run_demo(tmp_path / "b.sqlite")
    assert (code_a, code_b) == (0, 0), out_a + out_b

    a, b = stored_rows(tmp_path / "a.sqlite"), stored_rows(tmp_path / "b.sqlite")
    assert len(a) > 500
    assert a == b
    assert out_a.replace("a.sqlite", "b.sqlite").split(" in ")[0] == out_b.split(" in ")[0]


def test_another_seed_gives_other_events(tmp_path: Path) -> None:
    run_demo(tmp_path / "a.sqlite")
    CliRunner().invoke(main, ["demo", "--db", str(tmp_path / "c.sqlite"), "--people", PEOPLE,
                              "--seed", "8"])
    assert stored_rows(tmp_path / "a.sqlite") != stored_rows(tmp_path / "c.sqlite")


def test_it_prints_a_summary_and_the_worklist_of_the_last_day(tmp_path: Path) -> None:
    code, out = run_demo(tmp_path / "a.sqlite", "--top", "5")
    assert code == 0, out
    assert f"for {PEOPLE} young people (2024-01-01 to 2024-12-31, seed 7)" in out
    for label in ("people", "events", "visitated ÅUP", "visitated UP", "visitated AP",
                  "admissions", "dropouts", "completions", "retention cases"):
        assert label in out
    assert "Worklist on 2024-12-31" in out
    assert "more item" in out or "overdue" in out
    assert "simulating" not in out  # no progress bar when not on a terminal


def test_some_facts_are_recorded_late_so_known_at_differs_from_as_of(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    run_demo(db)
    cases = list(Ungeforloeb(db).case_files().values())
    late = [r for c in cases for r in c.records if (r.recorded_on - r.occurred_on).days > 7]
    assert late
    days = sorted({r.occurred_on + timedelta(days=3) for r in late})[:20]
    assert any(worklist(cases, day) != worklist(cases, day, known_at=day) for day in days)


def test_an_existing_store_is_not_appended_to_unless_fresh(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    run_demo(db)
    before = stored_rows(db)

    code, out = run_demo(db)
    assert code == 2
    assert "already exists" in out and "--fresh" in out
    assert stored_rows(db) == before

    code, out = run_demo(db, "--fresh")
    assert code == 0, out
    assert stored_rows(db) == before  # replaced by the same events, not appended to


def test_a_second_process_reads_the_events_back(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    run_demo(db)
    here = [[r.seq, r.stream_id, r.type, r.occurred_on.isoformat(), r.recorded_at]
            for r in Ungeforloeb(db).records()]
    script = (
        "import sys, orjson\n"
        "from ungeforloeb.application import Ungeforloeb\n"
        "rows = [[r.seq, r.stream_id, r.type, r.occurred_on.isoformat(), r.recorded_at]\n"
        "        for r in Ungeforloeb(sys.argv[1]).records()]\n"
        "sys.stdout.buffer.write(orjson.dumps(rows))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(db)], capture_output=True,
                          check=True, timeout=120)
    assert orjson.loads(done.stdout) == here


def test_the_case_commands_read_the_demo_store(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    run_demo(db)
    runner = CliRunner()
    cases = runner.invoke(main, ["cases", "--db", str(db)])
    assert cases.exit_code == 0, cases.output
    assert f"{PEOPLE} cases" in cases.output
    some_id = Ungeforloeb(db).case_files().popitem()[0]

    trail = runner.invoke(main, ["trail", some_id[:8], "--db", str(db)])
    assert trail.exit_code == 0, trail.output
    assert "FirstContactRegistered" in trail.output

    listed = runner.invoke(main, ["worklist", "--on", "2024-06-30", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "Worklist on 2024-06-30" in listed.output


def test_the_case_commands_say_clearly_what_is_wrong(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["cases", "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2
    assert "no event store" in missing.output

    run_demo(tmp_path / "a.sqlite")
    bad_date = runner.invoke(main, ["worklist", "--on", "30-06-2024",
                                    "--db", str(tmp_path / "a.sqlite")])
    assert bad_date.exit_code == 2
    assert "'30-06-2024' is not a date; write it as YYYY-MM-DD" in bad_date.output
    unknown = runner.invoke(main, ["trail", "ffffffff", "--db", str(tmp_path / "a.sqlite")])
    assert unknown.exit_code == 2
    assert "no young person with id 'ffffffff'" in unknown.output
