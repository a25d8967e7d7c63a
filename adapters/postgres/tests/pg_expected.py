"""What the tables should hold: the core's pure projections over the same records, and the
same shapes read back from the tables (with the README's queries)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import orjson

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import group_by_case
from ungeforloeb.projections.compliance import evaluate_all
from ungeforloeb.projections.status import rebuild
from ungeforloeb.projections.worklist import worklist
from ungeforloeb_postgres.rows import status_json

WORKLIST_ON_DAY = """
SELECT young_person_id, kind, title, due_on, overdue, rule_id, legal_source, caseworker_id,
       team_id, cause
FROM {s}.worklist_item
WHERE on_day = %s
ORDER BY overdue DESC, due_on NULLS LAST, young_person_id::text COLLATE "C",
         kind COLLATE "C", title COLLATE "C", item_no
"""


def case_files(app: Any) -> list[CaseFile]:
    return [CaseFile(k, v) for k, v in group_by_case(app.records()).items()
            if not k.startswith("?")]


def expected_status(app: Any) -> dict[str, Any]:
    return {k: orjson.loads(status_json(s)) for k, s in rebuild(app.records()).all().items()}


def actual_status(world: Any) -> dict[str, Any]:
    return {str(r["young_person_id"]): r["status"]
            for r in world.query("SELECT young_person_id, status FROM {s}.case_status")}


def expected_worklist(app: Any, day: date) -> list[tuple[Any, ...]]:
    return [(i.young_person_id, i.kind, i.title, i.due_on, i.overdue, i.rule_id,
             i.legal_source, i.caseworker_id, i.team_id, list(i.cause))
            for i in worklist(case_files(app), day)]


def actual_worklist(world: Any, day: date) -> list[tuple[Any, ...]]:
    return [(str(r["young_person_id"]), r["kind"], r["title"], r["due_on"], r["overdue"],
             r["rule_id"], r["legal_source"], r["caseworker_id"], r["team_id"], r["cause"])
            for r in world.query(WORKLIST_ON_DAY, day)]


def expected_verdicts(app: Any, as_of: date) -> set[tuple[Any, ...]]:
    return {(v.case_id, as_of, v.rule_id, v.subject, v.status.value, v.due_on, v.legal_source,
             v.explanation) for v in evaluate_all(case_files(app), as_of).verdicts}


def actual_verdicts(world: Any) -> set[tuple[Any, ...]]:
    return {(str(r["young_person_id"]), r["as_of"], r["rule_id"], r["subject"], r["status"],
             r["due_on"], r["legal_source"], r["explanation"])
            for r in world.query("SELECT * FROM {s}.verdict")}


def assert_tables_equal_pure(world: Any, app: Any, days: Iterable[date], as_of: date) -> None:
    assert actual_status(world) == expected_status(app)
    for day in days:
        assert actual_worklist(world, day) == expected_worklist(app, day), day
    assert actual_verdicts(world) == expected_verdicts(app, as_of)


def records_per_case(app: Any) -> dict[str, int]:
    return {k: len(v) for k, v in group_by_case(app.records()).items() if not k.startswith("?")}
