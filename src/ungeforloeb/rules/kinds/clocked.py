"""Kinds ``deadline`` and ``documented``: a clock starts at an event and falls due after a
length; events of ``satisfied_by`` on or after the start meet it. A deadline met late is missed;
documentation given late still counts (the audit scored documentation, not timeliness). Without
a length the duty runs until the case ends (no clock in the law)."""

from __future__ import annotations

from ungeforloeb.rules.datafile import Ctx
from ungeforloeb.rules.judging import Case, Outcome, Subject, first, lapse, resolve
from ungeforloeb.rules.kinds.base import Kind, no_spec
from ungeforloeb.rules.model import Rule
from ungeforloeb.rules.verdict import EventRef, Status


def _clocked(rule: Rule, subject: Subject, case: Case, late_counts: bool) -> Outcome:
    clock = rule.clock
    assert clock is not None
    d = case.as_of.isoformat()
    start = resolve(clock.start, subject, case.as_of)
    if start is None:
        return Outcome(Status.NOT_APPLICABLE,
                       f"clock not started: no {clock.start.describe()} as of {d}")
    start_ref = EventRef.of(start[0], start[1])
    base = resolve(clock.base, subject) if clock.base is not None else start
    if base is None:
        assert clock.base is not None
        return Outcome(Status.NOT_APPLICABLE, f"no {clock.base.describe()} as of {d}: "
                                              f"nothing to judge yet", clock_start=start_ref)
    due = (case.calendar.add(base[1], clock.length, clock.unit)
           if clock.length is not None and clock.unit is not None else None)
    sat = first(r for r in subject.matching(rule.satisfied_by, case.group)
                if r.occurred_on >= start[1])
    met_ref = EventRef.of(sat) if sat is not None else None
    if due is None:
        if sat is not None:
            return Outcome(Status.MET, "documented", None, start_ref, met_ref)
        if case.ended_on is not None:
            return Outcome(Status.MISSED,
                           f"the case ended on {case.ended_on.isoformat()} without it", None,
                           start_ref)
        return Outcome(Status.DUE, "open until the case ends", None, start_ref)
    if sat is not None and sat.occurred_on <= due:
        return Outcome(Status.MET, "in time", due, start_ref, met_ref)
    lapsed, closed = lapse(rule, subject, case, start[1], due) if sat is None else (None, None)
    if lapsed is not None:
        lapsed.clock_start = start_ref
        return lapsed
    if sat is not None and late_counts:
        return Outcome(Status.MET, f"documented late ({(sat.occurred_on - due).days} days after "
                                   f"the expected date)", due, start_ref, met_ref)
    if sat is not None:
        return Outcome(Status.MISSED, f"late by {(sat.occurred_on - due).days} days", due,
                       start_ref, met_ref)
    if case.as_of <= due:
        return Outcome(Status.DUE, f"open, due {due.isoformat()}", due, start_ref)
    return Outcome(Status.MISSED, f"not done by {due.isoformat()}", due, start_ref,
                   closed_by=closed)


def _deadline(rule: Rule, subject: Subject, case: Case) -> Outcome:
    return _clocked(rule, subject, case, late_counts=False)


def _documented(rule: Rule, subject: Subject, case: Case) -> Outcome:
    return _clocked(rule, subject, case, late_counts=True)


def _check(c: Ctx, rule: Rule, key: str) -> None:
    if rule.clock is None:
        raise c.fail(f"{key}.clock", f"missing (kind {rule.kind} needs a clock)")
    if not rule.satisfied_by:
        raise c.fail(f"{key}.satisfied_by", f"missing (kind {rule.kind} needs events)")
    if rule.kind == "deadline" and rule.clock.length is None:
        raise c.fail(f"{key}.clock.length", "missing (a deadline needs a length and unit)")


def _met_by(rule: Rule) -> str:
    from ungeforloeb.rules.kinds.text import matches

    return matches(rule.satisfied_by)


DEADLINE = Kind(
    name="deadline", summary="deadline — must happen by the due date; late is missed",
    keys=(), parse=no_spec, check=_check, judge=_deadline, met_by=_met_by)

DOCUMENTED = Kind(
    name="documented",
    summary=("documented — must be documented; late documentation still counts as met, absence "
             "after the expected date (or the case's end) is missed"),
    keys=(), parse=no_spec, check=_check, judge=_documented, met_by=_met_by)
