"""What a rule kind is: a name, its own data keys (parsed into its spec), a load-time check, a
judgement, optionally the day of what it judges (for ``period_by = "judged"``), and its texts
for the docs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ungeforloeb.rules.calendar import Unit
from ungeforloeb.rules.datafile import Ctx
from ungeforloeb.rules.judging import Case, Decided, Outcome, Subject
from ungeforloeb.rules.model import KindSpec, Rule


@attrs.frozen
class Kind:
    """One rule kind."""

    name: str
    summary: str
    """One line for the docs: what the kind checks and when it is missed."""
    keys: tuple[str, ...]
    """The kind's own keys in a rule's data table."""
    parse: Callable[[Ctx, Mapping[str, Any], str], KindSpec]
    """The kind's spec from the rule's table (only the kind's own keys)."""
    check: Callable[[Ctx, Rule, str], None]
    """What the kind needs of the whole rule (raises with the file, rule and key)."""
    judge: Callable[[Rule, Subject, Case], Outcome]
    """The judgement of a subject in the rule's population."""
    met_by: Callable[[Rule], str]
    """What meets the rule, in words (docs)."""
    judged_day: Callable[[Rule, Subject, Case], Decided | None] | None = None
    """The day of what the kind judges (``period_by = "judged"``); ``None``: not defined."""
    windows: Callable[[Rule], tuple[tuple[int, Unit], ...]] = lambda rule: ()
    """Look-back windows from the case's end the judgement reads: with no new event, its
    verdict on an open case can change as records leave them (for the kept projection)."""


def no_spec(c: Ctx, t: Mapping[str, Any], key: str) -> KindSpec:
    return KindSpec()
