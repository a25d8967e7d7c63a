"""The adapter's README stays in step with the routes and the problem types."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from ungeforloeb_http.auth import Role
from ungeforloeb_http.commands import COMMANDS
from ungeforloeb_http.policy import ROLES
from ungeforloeb_http.problems import PROBLEM_TYPES

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_readme_lists_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in paths:
        if not path.startswith("/commands/"):
            assert path in README, path
    assert f"{len(COMMANDS)} in all" in README


def test_the_readme_lists_every_problem_type_and_no_other() -> None:
    table = README[README.index("| status | `type`"):]
    rows = table[:table.index("\n\n")].splitlines()[2:]
    shown = {kind for row in rows for kind in re.findall(r"`([a-z-]+)`", row.split("|")[2])}
    assert shown == set(PROBLEM_TYPES)


def test_the_readme_says_what_each_role_may_call_as_the_policy_does() -> None:
    table = README[README.index("| role | operations"):]
    rows = table[:table.index("\n\n")].splitlines()[2:]
    commands = {c.name for c in COMMANDS}
    for row in rows:
        role_cell, operations_cell = row.split("|")[1:3]
        role = Role(role_cell.strip().strip("`"))
        shown = set(re.findall(r"`([a-z_]+)`", operations_cell))
        if "every command" in operations_cell:
            shown |= commands
        allowed = {op for op, roles in ROLES.items() if role in roles}
        assert shown == allowed, role
    assert {Role(r.split("|")[1].strip().strip("`")) for r in rows} == set(Role)


def test_every_route_is_in_the_policy_and_every_policy_entry_a_route(client: TestClient) -> None:
    operations = {op["operationId"] for item in client.get("/openapi.json").json()[
        "paths"].values() for op in item.values()}
    assert operations - {"health"} == set(ROLES)
