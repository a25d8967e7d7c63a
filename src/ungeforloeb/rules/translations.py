"""The rules' readings in Danish (``rules/texts/da.toml``): translations, not law.

The regime files are the law and are hashed into every exported log's header, so a translation
never edits them; the Danish readings live beside them, keyed by rule id (and, where a rule's
reading changed in a later period, by the day that period starts). :func:`check` lists every
reading without a Danish text and every Danish text without a reading; a test keeps both empty.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources

from ungeforloeb.rules.model import Rule, RuleSet

Readings = dict[str, str | dict[str, str]]


@lru_cache(maxsize=1)
def danish_readings() -> Readings:
    """The packaged Danish readings: rule id → text, or → {period start (ISO) → text}."""
    raw = (resources.files("ungeforloeb.rules") / "texts" / "da.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    readings: Readings = data["reading"]
    return readings


def _starts(rules: RuleSet, rule_id: str) -> list[Rule]:
    """The periods of a rule whose reading differs from the period before (with a reading)."""
    out: list[Rule] = []
    for p in sorted(rules.periods(rule_id), key=lambda r: r.effective_from):
        if p.reading and (not out or out[-1].reading != p.reading):
            out.append(p)
    return out


def reading_da(rule: Rule, readings: Readings | None = None) -> str | None:
    """The Danish reading of one rule period (``None`` where the period has no reading or no
    Danish text was written)."""
    if not rule.reading:
        return None
    entry = (readings if readings is not None else danish_readings()).get(rule.id)
    if entry is None or isinstance(entry, str):
        return entry
    known = [day for day in entry if date.fromisoformat(day) <= rule.effective_from]
    return entry[max(known)] if known else None


def check(rules: RuleSet, readings: Readings | None = None) -> list[str]:
    """Every problem with the Danish readings: a reading with no Danish text, a Danish text
    with no reading (an orphan), a period key that starts no reading of its own."""
    texts = readings if readings is not None else danish_readings()
    problems: list[str] = []
    for rule_id in rules.ids:
        starts = _starts(rules, rule_id)
        entry = texts.get(rule_id)
        if not starts:
            if entry is not None:
                problems.append(f"{rule_id}: a Danish reading, but the rule has no reading")
            continue
        if entry is None:
            problems.append(f"{rule_id}: no Danish reading")
        elif isinstance(entry, str):
            if len({p.reading for p in starts}) > 1:
                problems.append(f"{rule_id}: one Danish reading for "
                                f"{len(starts)} readings (key them by period start)")
        else:
            wanted = {p.effective_from.isoformat() for p in starts}
            for missing in sorted(wanted - set(entry)):
                problems.append(f"{rule_id}: no Danish reading for the period from {missing}")
            for orphan in sorted(set(entry) - wanted):
                problems.append(f"{rule_id}: a Danish reading from {orphan}, where no reading "
                                f"of its own starts")
    for orphan in sorted(set(texts) - set(rules.ids)):
        problems.append(f"{orphan}: a Danish reading of no rule")
    return problems
