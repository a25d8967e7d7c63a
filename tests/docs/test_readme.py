"""The README's commands and tutorial run as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ungeforloeb.cli import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 3)
    return README[start:end if end != -1 else None]


def test_set_up_is_exactly_two_make_commands_that_the_makefile_has() -> None:
    setup = blocks("sh")[0]
    commands = [line.split("#")[0].strip() for line in setup.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, flags=re.MULTILINE)
    assert re.search(r"^test:", makefile, flags=re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_tutorial_runs_and_prints_what_the_readme_says(tmp_path: Path) -> None:
    tutorial = section("Ten-minute tutorial")
    (code,) = re.findall(r"```python\n(.*?)```", tutorial, flags=re.DOTALL)
    (expected,) = re.findall(r"```text\n(.*?)```", tutorial, flags=re.DOTALL)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    hide_id = re.compile(r"order [0-9a-f]{8}")
    printed = hide_id.sub("order …", done.stdout).splitlines()
    shown = hide_id.sub("order …", expected).splitlines()
    assert shown and printed[:len(shown)] == shown  # the README shows the first lines
    assert (tmp_path / "tutorial.sqlite").is_file()


def test_the_commands_shown_after_the_demo_work_on_the_demo_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    demo = runner.invoke(main, ["demo", "--fresh"])  # what `make demo` runs
    assert demo.exit_code == 0, demo.output
    shown = [line.split("#")[0].strip() for line in blocks("sh")[1].splitlines()]
    commands = [shlex.split(line)[1:] for line in shown if line]
    assert commands, "the README shows no commands after the demo"
    for args in commands:
        if args[0] == "demo":
            continue  # a bigger demo of its own: the demo is tested elsewhere
        result = runner.invoke(main, args)
        assert result.exit_code == 0, f"{args}: {result.output}"


def test_the_auditors_commands_work_on_the_demo_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    demo = runner.invoke(main, ["demo", "--fresh", "--people", "120"])
    assert demo.exit_code == 0, demo.output
    (block,) = re.findall(r"```sh\n(.*?)```", section("For auditors"), flags=re.DOTALL)
    shown = [line.split("#")[0].strip() for line in block.splitlines()]
    commands = [shlex.split(line)[1:] for line in shown if line]
    assert len(commands) >= 6
    case_prefix = commands[2][1]
    for args in commands:
        if args[0] == "explain":  # the README's case id is from the 500-person demo
            listing = runner.invoke(main, ["cases"])
            ids = re.findall(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                             listing.output)
            assert ids, listing.output
            args = [a if a != case_prefix else ids[0] for a in args]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, f"{args}: {result.output}"
    assert (tmp_path / "municipality.jsonl").is_file() and (tmp_path / "report.html").is_file()
