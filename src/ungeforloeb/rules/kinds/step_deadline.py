"""Kind ``step_deadline``: the education order's step deadline as the case set (and moved) it;
met by the step's events (a later step met meets the earlier ones, as ``satisfied_by`` lists)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from ungeforloeb.rules.datafile import Ctx
from ungeforloeb.rules.judging import Case, Outcome, Subject, first, lapse
from ungeforloeb.rules.kinds.base import Kind
from ungeforloeb.rules.kinds.text import matches
from ungeforloeb.rules.model import KindSpec, Rule
from ungeforloeb.rules.verdict import EventRef, Status


@attrs.frozen
class StepDeadline(KindSpec):
    step: int


def _parse(c: Ctx, t: Mapping[str, Any], key: str) -> KindSpec:
    if "step" not in t:
        raise c.fail(f"{key}.step", "missing (step_deadline needs a step)")
    return StepDeadline(c.integer(t["step"], f"{key}.step", 1))


def _spec(rule: Rule) -> StepDeadline:
    assert isinstance(rule.spec, StepDeadline)
    return rule.spec


def _check(c: Ctx, rule: Rule, key: str) -> None:
    _spec(rule)
    if not rule.satisfied_by:
        raise c.fail(f"{key}.satisfied_by", "missing (step_deadline needs events)")


def _judge(rule: Rule, subject: Subject, case: Case) -> Outcome:
    step = _spec(rule).step
    sets = [r for t in ("StepDeadlineSet", "StepDeadlineMoved") for r in subject.events(t)
            if r.payload.get("step") == step]
    if not sets:
        return Outcome(Status.NOT_APPLICABLE, f"no deadline set for step {step}")
    latest = max(sets, key=lambda r: (r.occurred_on, r.seq))
    due = date.fromisoformat(latest.payload["deadline"])
    sat = first(subject.matching(rule.satisfied_by, case.group))
    start = EventRef.of(latest)
    if sat is not None:
        status = Status.MET if sat.occurred_on <= due else Status.MISSED
        return Outcome(status, "in time" if status is Status.MET else
                       f"late by {(sat.occurred_on - due).days} days", due, start,
                       EventRef.of(sat))
    lapsed, closed = lapse(rule, subject, case, date.min, due)
    if lapsed is not None:
        lapsed.clock_start = start
        return lapsed
    if case.as_of <= due:
        return Outcome(Status.DUE, f"open, due {due.isoformat()}", due, start)
    return Outcome(Status.MISSED, f"not done by {due.isoformat()}", due, start,
                   closed_by=closed)


def _met_by(rule: Rule) -> str:
    return f"step {_spec(rule).step}: " + matches(rule.satisfied_by)


STEP_DEADLINE = Kind(
    name="step_deadline", summary="the order's step deadline as set and moved in the case",
    keys=("step",), parse=_parse, check=_check, judge=_judge, met_by=_met_by)
