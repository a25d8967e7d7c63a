"""Kind ``single_caseworker``: one caseworker over the look-back ``window`` ending at the case's
end (the assignment in force at the window's start and every one inside it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ungeforloeb.casefile.fold import assignment_key
from ungeforloeb.rules.calendar import Unit, subtract
from ungeforloeb.rules.datafile import Ctx, length
from ungeforloeb.rules.judging import Case, Decided, Outcome, Subject
from ungeforloeb.rules.kinds.base import Kind
from ungeforloeb.rules.model import KindSpec, Rule
from ungeforloeb.rules.verdict import EventRef, Status


@attrs.frozen
class SingleCaseworker(KindSpec):
    window: tuple[int, Unit]


def _parse(c: Ctx, t: Mapping[str, Any], key: str) -> KindSpec:
    if "window" not in t:
        raise c.fail(f"{key}.window", "missing (single_caseworker needs a window)")
    return SingleCaseworker(length(c, t["window"], f"{key}.window"))


def _spec(rule: Rule) -> SingleCaseworker:
    assert isinstance(rule.spec, SingleCaseworker)
    return rule.spec


def _check(c: Ctx, rule: Rule, key: str) -> None:
    _spec(rule)


def _judge(rule: Rule, subject: Subject, case: Case) -> Outcome:
    since = subtract(case.end, *_spec(rule).window)
    assigns = sorted(subject.events("CaseworkerAssigned"), key=assignment_key)
    if not assigns:
        return Outcome(Status.NOT_DOCUMENTED, "no caseworker assignment recorded")
    before = [r for r in assigns if r.occurred_on <= since]
    inside = [r for r in assigns if since < r.occurred_on <= case.end]
    used = ([before[-1]] if before else []) + inside
    ids = sorted({r.payload["caseworker_id"] for r in used})
    first_ref = EventRef.of(used[0]) if used else None
    if len(ids) == 1:
        return Outcome(Status.MET, f"one caseworker ({ids[0]}) since {since.isoformat()}",
                       None, first_ref)
    return Outcome(Status.MISSED, f"{len(ids)} caseworkers since {since.isoformat()}: "
                                  f"{', '.join(ids)}", None, first_ref)


def _judged_day(rule: Rule, subject: Subject, case: Case) -> Decided | None:
    return case.window_end()


def _met_by(rule: Rule) -> str:
    window = _spec(rule).window
    return f"one caseworker over the last {window[0]} {window[1].value}"


SINGLE_CASEWORKER = Kind(
    name="single_caseworker", summary="one caseworker over a look-back window",
    keys=("window",), parse=_parse, check=_check, judge=_judge, met_by=_met_by,
    judged_day=_judged_day, windows=lambda rule: (_spec(rule).window,))
