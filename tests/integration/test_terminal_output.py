"""Listings on a real (pseudo-)terminal 80 columns wide: nothing cut to "…", every number of the
JSON output somewhere in the table's text; piped, plain tab-separated lines."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ungeforloeb.cli import main


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("terminal") / "demo.sqlite"
    result = CliRunner().invoke(main, ["demo", "--db", str(db), "--people", "12", "--fresh"])
    assert result.exit_code == 0, result.output
    return db


def on_terminal(*args: str, columns: int = 80) -> str:
    """The command's output on a pseudo-terminal ``columns`` wide, escape codes removed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "ungeforloeb.cli", *args], stdout=follower,
                            stderr=subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    text = b"".join(chunks).decode("utf-8", "replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


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


def numbers_in(value: Any) -> set[str]:
    """Every integer of the JSON (and every number inside its dates), as text."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int):
        return {str(value)}
    if isinstance(value, dict):
        return set().union(*(numbers_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(numbers_in(v) for v in value)) if value else set()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return {value}
    return set()


@pytest.mark.parametrize("command", [
    ("worklist", "--on", "2024-10-01", "--all"),
    ("trail", "PREFIX"),
    ("cases",),
    ("compliance", "--as-of", "2024-12-31"),
    ("status-on", "--on", "2024-09-30", "--cap", "5"),
    ("flows", "--from", "2024-01-01", "--to", "2024-12-31"),
    ("what-if", "--as-of", "2024-12-31", "--add", "LOCAL_TARGET"),
    ("explain", "PREFIX", "cp01_first_conversation", "--as-of", "2024-12-31"),
])
def test_at_80_columns_every_number_of_the_json_is_in_the_table(store: Path,
                                                                 command: tuple[str, ...]
                                                                 ) -> None:
    if "PREFIX" in command:
        cases = orjson.loads(CliRunner().invoke(main, ["cases", "--format", "json", "--db",
                                                       str(store)]).output)
        command = tuple(cases[-1]["young_person_id"][:8] if a == "PREFIX" else a
                        for a in command)
    if "LOCAL_TARGET" in command:
        target = store.parent / "local_target.toml"
        target.write_text(LOCAL_TARGET, encoding="utf-8")
        command = tuple(str(target) if a == "LOCAL_TARGET" else a for a in command)
    data = orjson.loads(CliRunner().invoke(main, [*command, "--format", "json", "--db",
                                                  str(store)]).output)
    if command[0] == "compliance":
        data = data["rows"]  # the figures (the JSON also lists every verdict)
    if command[0] == "explain":  # the verdicts' own fields (the event seqs are not shown)
        data = [v["fields"] for v in data["verdicts"]]
    if command[0] == "what-if":
        assert data["changes"], "the local target changes no verdict: the test proves nothing"
    table = on_terminal(*command, "--db", str(store))
    # nothing cut ("… and N more" and an open period "[2024-01-02, …)" are the text's own)
    assert "…" not in re.sub(r"… and|, …\)", "", table)
    for line in table.splitlines():
        assert len(line) <= 80, line
    missing = {n for n in numbers_in(data) if n not in table}
    assert not missing, f"numbers of the JSON not in the table: {sorted(missing)[:10]}"


def test_piped_listings_are_plain_tab_separated_lines(store: Path) -> None:
    result = CliRunner().invoke(main, ["cases", "--db", str(store)])
    lines = result.output.splitlines()
    assert lines[0].startswith("# Cases in")
    assert lines[1].split("\t") == ["young person", "first contact", "group", "caseworker",
                                    "status"]
    assert all(line.count("\t") == 4 for line in lines[2:-1])
    assert not any(line.endswith(" ") for line in lines)
    assert "┃" not in result.output and "│" not in result.output


@pytest.mark.parametrize("command", [
    ("status-on", "--on", "2024-09-30"),
    ("flows", "--from", "2024-01-01", "--to", "2024-12-31"),
])
def test_piped_management_figures_are_plain_lines_too(store: Path,
                                                      command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--db", str(store)])
    assert result.exit_code == 0, result.output
    assert "┃" not in result.output and "│" not in result.output and "━" not in result.output
    assert not any(line.endswith(" ") for line in result.output.splitlines())
    assert "\t" in result.output
