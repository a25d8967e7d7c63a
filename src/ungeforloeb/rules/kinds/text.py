"""Words for the docs shared by the kinds."""

from __future__ import annotations

from collections.abc import Iterable

from ungeforloeb.rules.model import EventMatch


def match(m: EventMatch) -> str:
    """An event match in words: `Type` (field = value) for groups."""
    text = f"`{m.event}`"
    if m.where:
        text += " (" + ", ".join(f"{k} = {v}" for k, v in m.where.items()) + ")"
    if m.groups:
        text += " for " + "/".join(m.groups)
    return text


def matches(ms: Iterable[EventMatch]) -> str:
    return " or ".join(match(m) for m in ms)
