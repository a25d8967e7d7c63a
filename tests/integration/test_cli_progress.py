"""Progress of long work goes to standard error only: every command's standard output is the
same byte for byte with ``--progress`` and without, and the progress (its phases, the time
left) is on standard error when asked for."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ungeforloeb.cli import main

LOG_OPTIONS = ("--exported-at", "2025-01-02T08:00:00+00:00")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("progress")
    db, log = tmp / "demo.sqlite", tmp / "demo.jsonl"
    made = run("demo", "--db", db, "--people", "15", "--fresh")
    assert made.exit_code == 0, made.output
    exported = run("export", "--db", db, "--out", log, *LOG_OPTIONS)
    assert exported.exit_code == 0, exported.output
    yield {"db": db, "log": log, "tmp": tmp}


def both(*args: str | Path) -> tuple[Result, Result]:
    """The command without progress and with progress forced on (as into a CI log)."""
    quiet = run("--no-progress", *args)
    shown = run("--progress", *args)
    assert quiet.exit_code == 0, quiet.output
    assert shown.exit_code == 0, shown.output
    return quiet, shown


def assert_same_stdout(quiet: Result, shown: Result, *phases: str, timed: bool = False) -> None:
    if timed:  # the demo says how long it took: the one figure that differs
        clock = re.compile(rb" in \d+\.\d s\.")
        assert clock.sub(b"", shown.stdout_bytes) == clock.sub(b"", quiet.stdout_bytes)
    else:
        assert shown.stdout_bytes == quiet.stdout_bytes
    assert quiet.stderr == ""
    for phase in phases:
        assert phase in shown.stderr, shown.stderr[-2000:]
    assert "left" in shown.stderr  # the time-left column


@pytest.mark.parametrize(("command", "phases"), [
    (("compliance", "--as-of", "2024-12-31"), ("reading the events", "judging the cases")),
    (("worklist", "--on", "2024-10-01", "--all"), ("judging the cases",)),
    (("cases",), ("reading the events",)),
    (("status-on", "--on", "2024-09-30"), ("building the cases' timelines",)),
    (("flows", "--from", "2024-01-01", "--to", "2024-12-31"),
     ("counting the flows and outcomes",)),
])
def test_store_listings_print_the_same_with_progress(demo: dict[str, Path],
                                                     command: tuple[str, ...],
                                                     phases: tuple[str, ...]) -> None:
    quiet, shown = both(*command, "--db", demo["db"])
    assert_same_stdout(quiet, shown, *phases)
    assert shown.stdout_bytes  # there is output to compare


@pytest.mark.parametrize(("command", "phases"), [
    (("verify", "LOG", "--recompute"), ("verify: checking the lines",)),
    (("audit", "LOG", "--as-of", "2024-12-31"), ("audit: check", "audit: judge",
                                                 "audit: summing up the verdicts")),
    (("audit", "LOG", "--as-of", "2024-11-30", "--format", "csv"),
     ("audit: verifying the log", "audit: judge")),
    (("flows", "--log", "LOG", "--from", "2024-01-01", "--to", "2024-12-31"),
     ("reading the log",)),
])
def test_log_commands_print_the_same_with_progress(demo: dict[str, Path],
                                                   command: tuple[str, ...],
                                                   phases: tuple[str, ...]) -> None:
    args = [demo["log"] if a == "LOG" else a for a in command]
    quiet, shown = both(*args)
    assert_same_stdout(quiet, shown, *phases)


def test_the_demo_shows_every_phase_after_simulating(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    runs = []
    for flag in ("--no-progress", "--progress"):
        folder = tmp_path / flag.strip("-")
        folder.mkdir()
        monkeypatch.chdir(folder)  # the same relative store name, which the output says
        runs.append(run(flag, "demo", "--db", "demo.sqlite", "--people", "8"))
    quiet, shown = runs
    assert quiet.exit_code == shown.exit_code == 0, quiet.output + shown.output
    assert_same_stdout(quiet, shown, "simulating the days", "reading the events",
                       "judging the compliance table", "judging the worklist", timed=True)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_export_shows_the_trailers_judging_and_writes_the_same(demo: dict[str, Path],
                                                              jobs: str) -> None:
    """The trailer judged here or by two workers reading the log back: the same log, bit for
    bit, with and without progress."""
    out = demo["tmp"] / f"again-{jobs}.jsonl"
    quiet = run("--no-progress", "export", "--db", demo["db"], "--out", out, *LOG_OPTIONS,
                "--jobs", "1")
    first = out.read_bytes()
    shown = run("--progress", "export", "--db", demo["db"], "--out", out, *LOG_OPTIONS,
                "--force", "--jobs", jobs)
    assert quiet.exit_code == shown.exit_code == 0, quiet.output + shown.output
    assert out.read_bytes() == first
    assert_same_stdout(quiet, shown, "export: writing the events",
                       "export: judging the trailer's verdicts")


def test_import_keep_pack_and_prove_print_the_same_with_progress(
        demo: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: dict[str, list[Result]] = {}
    for flag in ("--no-progress", "--progress"):
        folder = tmp_path / flag.strip("-")
        folder.mkdir()
        monkeypatch.chdir(folder)  # the same relative names, which the output says
        # SQLite's backup, not a file copy: the demo's last transactions may still be in its
        # write-ahead log (the in-process commands' connections close when collected)
        with closing(sqlite3.connect(demo["db"])) as source, \
                closing(sqlite3.connect("kept.sqlite")) as copy:
            source.backup(copy)
        shutil.copy(str(demo["db"]) + ".key", "kept.sqlite.key")
        runs.setdefault("import", []).append(
            run(flag, "import", demo["log"], "--db", "imported.sqlite"))
        runs.setdefault("keep", []).append(
            run(flag, "keep", "--db", "kept.sqlite", "--on", "2024-12-31"))
        runs.setdefault("pack", []).append(run(flag, "pack", demo["log"], "--out", "p"))
        runs.setdefault("prove", []).append(
            run(flag, "prove", demo["log"], "--seq", "3", "--out", "p.proof"))
    phases = {"import": "import: reading the log's events",
              "keep": "keep: applying the events",
              "pack": "pack: checking the log", "prove": "prove: checking the log"}
    for name, (quiet, shown) in runs.items():
        assert quiet.exit_code == shown.exit_code == 0, name + quiet.output + shown.output
        assert_same_stdout(quiet, shown, phases[name])


def test_without_a_terminal_nothing_is_shown_unless_asked(demo: dict[str, Path]) -> None:
    plain = run("compliance", "--as-of", "2024-12-31", "--db", demo["db"])
    assert plain.exit_code == 0
    assert plain.stderr == ""
    by_setting = CliRunner().invoke(main, ["compliance", "--as-of", "2024-12-31", "--db",
                                           str(demo["db"])],
                                    env={"UNGEFORLOEB_PROGRESS": "1"})
    assert "judging the cases" in by_setting.stderr
    assert f"store: {demo['db']}" in by_setting.stderr
