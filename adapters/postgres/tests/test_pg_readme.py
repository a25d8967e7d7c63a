"""The README stays true: its option table is the console script's, and its SQL on the kept
tables gives the core's worklist."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
import pytest

from ungeforloeb.application.clock import SettableClock
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import group_by_case
from ungeforloeb.projections.worklist import worklist
from ungeforloeb.simulation.generator import simulate
from ungeforloeb.simulation.scenario import Scenario
from ungeforloeb_postgres.cli import main
from ungeforloeb_postgres.kept import keep

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_option_table_lists_the_run_options() -> None:
    run = main.commands["run"]
    options = {o for p in run.params if isinstance(p, click.Option) for o in p.opts}
    table = README.split("| option (`run`) |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `(--[a-z-]+)", table, flags=re.M))
    assert documented == options


def case_files(app: Any) -> list[CaseFile]:
    return [CaseFile(k, v) for k, v in group_by_case(app.records()).items()
            if not k.startswith("?")]


def _sql_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", README, flags=re.S)


@pytest.mark.postgres
def test_the_kept_worklist_query_gives_the_core_worklist(pg: Any) -> None:
    clock = SettableClock(datetime(2024, 1, 1, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    simulate(app, clock, Scenario(people=10, seed=21))
    day = date(2024, 11, 4)
    keep(pg.env, pg.schema, day)
    blocks = [b.replace("kept.", "{s}.") for b in _sql_blocks()]
    block = blocks[0]
    for other in blocks[1:]:
        for statement in other.split(";"):
            if statement.strip():
                pg.query(statement)  # runs
    live = worklist(case_files(app), day)
    caseworker = max({i.caseworker_id for i in live if i.caseworker_id},
                     key=lambda c: sum(i.caseworker_id == c for i in live))
    rows = pg.query(block.replace("'cw-7'", "%s"), caseworker)
    assert rows
    assert sorted((r["case_id"], r["kind"], r["title"], r["due_on"], r["overdue"])
                  for r in rows) == \
        sorted((i.young_person_id, i.kind, i.title, i.due_on, i.overdue) for i in live
               if i.caseworker_id == caseworker)
