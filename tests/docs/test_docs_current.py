"""The docs cannot drift: the event catalogue is what the code generates, and the glossary names
every event type and every enumeration of the domain's value types."""

from __future__ import annotations

import enum
import inspect
import re
from pathlib import Path

import pytest

import ungeforloeb.domain.values as values
from ungeforloeb.docsgen import TARGETS, main, render_events
from ungeforloeb.domain.catalogue import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"


def _names_in(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_generated_doc_is_current(target):
    path = ROOT / target
    assert path.exists(), f"{target} is missing: run python -m ungeforloeb.docsgen"
    assert path.read_text(encoding="utf-8") == TARGETS[target](), (
        f"{target} differs from the code: run python -m ungeforloeb.docsgen")


def test_the_event_catalogue_lists_every_event_with_its_aggregate_and_fields():
    text = render_events()
    for event in EVENT_TYPES.values():
        assert f"### {event.name}\n" in text
        assert f"| [{event.name}](#{event.name.lower()}) | {event.stream_type} |" in text
        for name, _ in event.payload_fields:
            assert f"| `{name}` |" in text


def test_the_generator_checks_and_writes(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--root", str(tmp_path), "--check"]) == 0
    assert (tmp_path / "docs" / "events.md").read_text(encoding="utf-8") == render_events()


def test_the_glossary_names_every_event_type():
    named = _names_in(GLOSSARY.read_text(encoding="utf-8"))
    missing = sorted(set(EVENT_TYPES) - named)
    assert not missing, f"docs/glossary.md lacks event types: {', '.join(missing)}"


def test_the_glossary_names_every_enumeration_of_the_value_types():
    enums = {name for name, obj in vars(values).items()
             if inspect.isclass(obj) and issubclass(obj, enum.Enum)
             and obj.__module__ == values.__name__}
    assert enums
    named = _names_in(GLOSSARY.read_text(encoding="utf-8"))
    missing = sorted(enums - named)
    assert not missing, f"docs/glossary.md lacks enumerations: {', '.join(missing)}"
