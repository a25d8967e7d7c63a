"""Kind ``same_value``: the first event of ``satisfied_by`` (e.g. the final visitation) must
carry the same ``field`` value as the first event matching ``compared_with`` (e.g. the
visitation at the first conversation). No event of ``satisfied_by`` yet: not applicable (another
rule judges whether it is late); no earlier event or no value to compare: not documented."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ungeforloeb.rules.datafile import PAYLOAD, Ctx, match
from ungeforloeb.rules.judging import Case, Decided, Outcome, Subject, first
from ungeforloeb.rules.kinds.base import Kind
from ungeforloeb.rules.kinds.text import match as match_text
from ungeforloeb.rules.model import EventMatch, KindSpec, Rule
from ungeforloeb.rules.verdict import EventRef, Status


@attrs.frozen
class SameValue(KindSpec):
    field: str
    compared_with: EventMatch


def _parse(c: Ctx, t: Mapping[str, Any], key: str) -> KindSpec:
    for name in ("field", "compared_with"):
        if name not in t:
            raise c.fail(f"{key}.{name}", "missing (same_value needs a field and compared_with)")
    return SameValue(c.string(t["field"], f"{key}.field"),
                     match(c, t["compared_with"], f"{key}.compared_with"))


def _spec(rule: Rule) -> SameValue:
    assert isinstance(rule.spec, SameValue)
    return rule.spec


def _check(c: Ctx, rule: Rule, key: str) -> None:
    spec = _spec(rule)
    if len(rule.satisfied_by) != 1:
        raise c.fail(f"{key}.satisfied_by", "same_value needs exactly one satisfied_by event")
    for event in (rule.satisfied_by[0].event, spec.compared_with.event):
        if spec.field not in PAYLOAD[event]:
            raise c.fail(f"{key}.field", f"{event} has no payload field {spec.field!r}")


def _judged(rule: Rule, subject: Subject, case: Case) -> Any:
    return first(subject.matching(rule.satisfied_by, case.group))


def _judge(rule: Rule, subject: Subject, case: Case) -> Outcome:
    spec = _spec(rule)
    judged = _judged(rule, subject, case)
    if judged is None:
        return Outcome(Status.NOT_APPLICABLE,
                       f"no {match_text(rule.satisfied_by[0])} as of {case.as_of.isoformat()}")
    earlier = first(r for r in subject.matching((spec.compared_with,), case.group)
                    if r.occurred_on <= judged.occurred_on)
    if earlier is None:
        return Outcome(Status.NOT_DOCUMENTED,
                       f"no {spec.compared_with.event} on or before {EventRef.of(judged).text()}"
                       f" to compare with", None, None, EventRef.of(judged))
    now, then = judged.payload.get(spec.field), earlier.payload.get(spec.field)
    if now is None or then is None:
        return Outcome(Status.NOT_DOCUMENTED, f"no {spec.field} recorded to compare",
                       None, EventRef.of(earlier), EventRef.of(judged))
    if now == then:
        return Outcome(Status.MET, f"{spec.field} {now} in both", None, EventRef.of(earlier),
                       EventRef.of(judged))
    return Outcome(Status.MISSED, f"{spec.field} {then} first, {now} in "
                                  f"{EventRef.of(judged).text()}", None, EventRef.of(earlier))


def _judged_day(rule: Rule, subject: Subject, case: Case) -> Decided | None:
    judged = _judged(rule, subject, case)
    return (judged, judged.occurred_on) if judged is not None else None


def _met_by(rule: Rule) -> str:
    spec = _spec(rule)
    return (f"the first {match_text(rule.satisfied_by[0])} with the same `{spec.field}` as the "
            f"first {match_text(spec.compared_with)}; none yet: not_applicable")


SAME_VALUE = Kind(
    name="same_value", summary="same value — a later event repeats an earlier event's value",
    keys=("field", "compared_with"), parse=_parse, check=_check, judge=_judge, met_by=_met_by,
    judged_day=_judged_day)
