"""Small things a newcomer trips on: a control point's number names its rule, an unknown rule
suggests the closest; the worklist of the kept day is read from the kept verdicts, the same
items as judging every case."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from ungeforloeb.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("newcomer") / "demo.sqlite"
    assert run("demo", "--db", str(db), "--people", "30", "--fresh").exit_code == 0
    return db


def _case(store: Path) -> str:
    cases = orjson.loads(run("cases", "--format", "json", "--db", str(store)).output)
    return str(cases[0]["young_person_id"])[:8]


@pytest.mark.parametrize("given", ["6", "cp6", "CP06", "cp06_literacy_test_in_time"])
def test_a_control_points_number_names_its_rule(store: Path, given: str) -> None:
    result = run("explain", _case(store), given, "--as-of", "2024-12-31", "--db", str(store))
    assert result.exit_code == 0, result.output
    assert "cp06_literacy_test_in_time" in result.output


def test_an_unknown_rule_suggests_the_closest(store: Path) -> None:
    result = run("explain", _case(store), "cp06_literacy_test", "--as-of", "2024-12-31",
                 "--db", str(store))
    assert result.exit_code == 2
    assert "did you mean cp06_literacy_test_in_time" in result.output


def test_the_worklist_of_the_kept_day_comes_from_the_kept_verdicts(store: Path) -> None:
    args = ("worklist", "--on", "2024-10-01", "--caseworker", "cw-001", "--format", "json",
            "--db", str(store))
    judged = run(*args)
    assert judged.exit_code == 0, judged.output
    assert run("keep", "--db", str(store), "--on", "2024-10-01").exit_code == 0
    kept = run(*args)
    assert kept.exit_code == 0, kept.output
    assert orjson.loads(kept.output) == orjson.loads(judged.output)
    table = run("worklist", "--on", "2024-10-01", "--db", str(store))
    assert "from the kept verdicts" in table.output
    other_day = run("worklist", "--on", "2024-10-02", "--db", str(store))
    assert "from the kept verdicts" not in other_day.output


def test_keep_in_two_workers_keeps_what_one_process_keeps(tmp_path: Path) -> None:
    """Given two copies of a store, when one is kept by ``keep --jobs 1`` and the other by
    ``keep --jobs 2``, then their kept worklists are the same."""
    dbs = [tmp_path / "one.sqlite", tmp_path / "two.sqlite"]
    for db in dbs:
        assert run("demo", "--db", str(db), "--people", "30", "--fresh").exit_code == 0
    out = []
    for db, jobs in zip(dbs, ("1", "2"), strict=True):
        kept = run("keep", "--db", str(db), "--on", "2024-10-01", "--jobs", jobs)
        assert kept.exit_code == 0, kept.output
        listing = run("kept-worklist", "--format", "json", "--db", str(db))
        assert listing.exit_code == 0, listing.output
        out.append(orjson.loads(listing.output))
    assert out[0] == out[1] and out[0]["count"] > 0
    refused = run("keep", "--db", str(dbs[0]), "--jobs", "0")
    assert refused.exit_code == 2 and "--jobs" in refused.output


def test_explain_as_json_and_csv_says_what_the_text_says(store: Path) -> None:
    case = _case(store)
    args = ("explain", case, "6", "--as-of", "2024-12-31", "--db", str(store))
    text = run(*args)
    data = orjson.loads(run(*args, "--format", "json").output)
    rows = run(*args, "--format", "csv").output.splitlines()
    assert text.exit_code == 0, text.output
    assert data["rule_id"] == "cp06_literacy_test_in_time" and data["verdicts"]
    verdict = data["verdicts"][0]
    assert verdict["status"] in text.output
    assert rows[0] == "case_id,subject,rule_id,status,field,value"
    for field in verdict["fields"]:
        assert field["value"].split()[0] in text.output
    assert len(rows) - 1 == sum(len(v["fields"]) for v in data["verdicts"])
