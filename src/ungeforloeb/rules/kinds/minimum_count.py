"""Kind ``minimum_count``: at least ``at_least`` events of ``satisfied_by`` within the clock's
window (from its start until it falls due), e.g. at least four job conversations in the first six
months. Met on the day the last needed event happened; open while the window runs; missed when it
closed short."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ungeforloeb.rules.datafile import Ctx
from ungeforloeb.rules.judging import Case, Outcome, Subject, resolve
from ungeforloeb.rules.kinds.base import Kind
from ungeforloeb.rules.kinds.text import matches
from ungeforloeb.rules.model import KindSpec, Rule
from ungeforloeb.rules.verdict import EventRef, Status


@attrs.frozen
class MinimumCount(KindSpec):
    at_least: int


def _parse(c: Ctx, t: Mapping[str, Any], key: str) -> KindSpec:
    if "at_least" not in t:
        raise c.fail(f"{key}.at_least", "missing (minimum_count needs at_least)")
    return MinimumCount(c.integer(t["at_least"], f"{key}.at_least", 1))


def _spec(rule: Rule) -> MinimumCount:
    assert isinstance(rule.spec, MinimumCount)
    return rule.spec


def _check(c: Ctx, rule: Rule, key: str) -> None:
    _spec(rule)
    if rule.clock is None or rule.clock.length is None:
        raise c.fail(f"{key}.clock", "minimum_count needs a clock with a length (the window)")
    if not rule.satisfied_by:
        raise c.fail(f"{key}.satisfied_by", "missing (minimum_count needs the events counted)")


def _judge(rule: Rule, subject: Subject, case: Case) -> Outcome:
    clock = rule.clock
    assert clock is not None and clock.length is not None and clock.unit is not None
    need = _spec(rule).at_least
    start = resolve(clock.start, subject, case.as_of)
    if start is None:
        return Outcome(Status.NOT_APPLICABLE,
                       f"clock not started: no {clock.start.describe()} as of "
                       f"{case.as_of.isoformat()}")
    start_ref = EventRef.of(start[0], start[1])
    due = case.calendar.add(start[1], clock.length, clock.unit)
    counted = sorted((r for r in subject.matching(rule.satisfied_by, case.group)
                      if start[1] <= r.occurred_on <= due),
                     key=lambda r: (r.occurred_on, r.type, r.seq))
    if len(counted) >= need:
        return Outcome(Status.MET, f"{need} by {counted[need - 1].occurred_on.isoformat()}", due,
                       start_ref, EventRef.of(counted[need - 1]))
    found = f"{len(counted)} of {need}"
    if case.as_of <= due:
        return Outcome(Status.DUE, f"open, {found} so far, due {due.isoformat()}", due,
                       start_ref)
    return Outcome(Status.MISSED, f"{found} by {due.isoformat()}", due, start_ref)


def _met_by(rule: Rule) -> str:
    return f"at least {_spec(rule).at_least} of " + matches(rule.satisfied_by) + \
        " within the clock's window"


MINIMUM_COUNT = Kind(
    name="minimum_count",
    summary="minimum count — at least n events within a window; short of n when it closes is "
            "missed",
    keys=("at_least",), parse=_parse, check=_check, judge=_judge, met_by=_met_by)
