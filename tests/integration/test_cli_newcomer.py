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
