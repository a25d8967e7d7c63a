"""The adapter's README stays in step with the routes and the problem types."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from ungeforloeb_http.commands import COMMANDS
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
