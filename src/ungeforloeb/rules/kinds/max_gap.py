"""Kind ``max_gap``: something must run continuously — after one spell of it ends (an event of
``ends_by`` naming the same ``key`` as the event of ``satisfied_by`` that began it), the next must
begin within ``gap``, e.g. at most four weeks between offers. Missed at the first gap that ran
longer (the late start is named); open while the last spell runs or its gap has not run out; met
when the case ended with no gap exceeded. Nothing begun yet: not applicable (a first-time clock is
another rule's)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.rules.calendar import Unit
from ungeforloeb.rules.datafile import Ctx, length, match
from ungeforloeb.rules.judging import Case, Outcome, Subject
from ungeforloeb.rules.kinds.base import Kind
from ungeforloeb.rules.kinds.text import matches
from ungeforloeb.rules.model import EventMatch, KindSpec, Rule
from ungeforloeb.rules.verdict import EventRef, Status


@attrs.frozen
class MaxGap(KindSpec):
    gap: tuple[int, Unit]
    ends_by: EventMatch
    key: str
    """The payload field that ties an end to its beginning (e.g. ``offer_id``)."""


def _parse(c: Ctx, t: Mapping[str, Any], key: str) -> KindSpec:
    for name in ("gap", "ends_by", "key"):
        if name not in t:
            raise c.fail(f"{key}.{name}", "missing (max_gap needs gap, ends_by and key)")
    return MaxGap(length(c, t["gap"], f"{key}.gap"), match(c, t["ends_by"], f"{key}.ends_by"),
                  c.string(t["key"], f"{key}.key"))


def _spec(rule: Rule) -> MaxGap:
    assert isinstance(rule.spec, MaxGap)
    return rule.spec


def _check(c: Ctx, rule: Rule, key: str) -> None:
    from ungeforloeb.rules.datafile import PAYLOAD

    spec = _spec(rule)
    if len(rule.satisfied_by) != 1:
        raise c.fail(f"{key}.satisfied_by", "max_gap needs exactly one beginning event")
    for event in (rule.satisfied_by[0].event, spec.ends_by.event):
        if spec.key not in PAYLOAD[event]:
            raise c.fail(f"{key}.key", f"{event} has no payload field {spec.key!r}")


def _judge(rule: Rule, subject: Subject, case: Case) -> Outcome:
    spec = _spec(rule)
    begins = sorted(subject.matching(rule.satisfied_by, case.group),
                    key=lambda r: (r.occurred_on, r.seq))
    if not begins:
        return Outcome(Status.NOT_APPLICABLE, f"no {rule.satisfied_by[0].event} begun as of "
                                              f"{case.as_of.isoformat()}")
    ends: dict[Any, EventRecord] = {}
    for r in subject.matching((spec.ends_by,), case.group):
        ends.setdefault(r.payload.get(spec.key), r)
    # covered: the end of what has run so far (None: something still runs); its record
    covered: date | None = None
    covered_by: EventRecord | None = None
    for i, begin in enumerate(begins):
        if i > 0 and covered is not None and covered_by is not None:
            due = case.calendar.add(covered, *spec.gap)
            if begin.occurred_on > due:
                return Outcome(Status.MISSED, f"{(begin.occurred_on - covered).days} days "
                                              f"between spells (the next was due by "
                                              f"{due.isoformat()})", due,
                               EventRef.of(covered_by), EventRef.of(begin))
        end = ends.get(begin.payload.get(spec.key))
        running = i > 0 and covered is None
        if end is None:
            covered, covered_by = None, None
        elif not running and (covered is None or end.occurred_on > covered):
            covered, covered_by = end.occurred_on, end
    if covered is None or covered_by is None:
        return Outcome(Status.DUE, "a spell runs", None, EventRef.of(begins[-1]))
    due = case.calendar.add(covered, *spec.gap)
    if case.ended_on is not None and case.ended_on <= due:
        return Outcome(Status.MET, f"no longer gap before the case ended on "
                                   f"{case.ended_on.isoformat()}", due, EventRef.of(covered_by))
    if case.as_of <= due:
        return Outcome(Status.DUE, f"the next must begin by {due.isoformat()}", due,
                       EventRef.of(covered_by))
    return Outcome(Status.MISSED, f"nothing begun by {due.isoformat()}", due,
                   EventRef.of(covered_by))


def _met_by(rule: Rule) -> str:
    spec = _spec(rule)
    return (f"{matches(rule.satisfied_by)} again within {spec.gap[0]} {spec.gap[1].value} of "
            f"the end ({matches((spec.ends_by,))}, by `{spec.key}`) of the one before")


MAX_GAP = Kind(
    name="max_gap",
    summary="continuity — after one spell ends the next must begin within a gap; a longer gap "
            "is missed",
    keys=("gap", "ends_by", "key"), parse=_parse, check=_check, judge=_judge, met_by=_met_by,
    judged_day=lambda rule, subject, case: case.window_end())
