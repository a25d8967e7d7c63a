"""The adapter's README says what the code does: its options and its dead-letter headers."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from ungeforloeb_rabbitmq import deadletter
from ungeforloeb_rabbitmq.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


@pytest.mark.parametrize("command", ["consume", "relay"])
def test_every_option_the_readme_shows_exists_and_every_option_is_shown(command: str) -> None:
    cmd = main.commands[command]  # type: ignore[attr-defined]
    options = {o for p in cmd.params if isinstance(p, click.Option) for o in p.opts}
    block = next(b for b in shell_blocks() if f"ungeforloeb-rabbitmq {command}" in b)
    shown = set(re.findall(r"--[a-z-]+", block))
    assert shown <= options
    assert options - shown <= {"--log-level"}


def test_the_dead_letter_headers_table_names_every_header_the_consumer_adds() -> None:
    body = b'{"type": "Optagelse", "provenance": {"haendelse_nummer": "h-1"}}'
    added = set(deadletter.headers(body, ValueError("x"), queue="q", redelivered=False))
    table = set(re.findall(r"^\| `(ungeforloeb-[a-z-]+)`", README, flags=re.MULTILINE))
    assert added == table
