"""Kind ``event_flag``: a recorded event — the first, the latest, or any in a look-back window
from the case's end (``which``), on or after an event when ``after`` is given — must carry
``flag`` = true. No such event: ``if_none``; the flag never recorded: ``not_documented``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.rules.calendar import Unit, subtract
from ungeforloeb.rules.datafile import PAYLOAD, Ctx, date_ref, length
from ungeforloeb.rules.judging import Case, Decided, Outcome, Subject, first, resolve
from ungeforloeb.rules.kinds.base import Kind
from ungeforloeb.rules.kinds.text import match
from ungeforloeb.rules.model import STATUSES, DateRef, KindSpec, Rule
from ungeforloeb.rules.verdict import EventRef, Status

WHICH = ("first", "latest", "any_in_window")


@attrs.frozen
class EventFlag(KindSpec):
    flag: str
    which: str
    after: DateRef | None = None
    window: tuple[int, Unit] | None = None
    if_none: str = "not_applicable"


def _parse(c: Ctx, t: Mapping[str, Any], key: str) -> KindSpec:
    for name in ("flag", "which"):
        if name not in t:
            raise c.fail(f"{key}.{name}", "missing (event_flag needs a flag and which)")
    return EventFlag(
        flag=c.string(t["flag"], f"{key}.flag"),
        which=c.choice(t["which"], f"{key}.which", WHICH),
        after=date_ref(c, t["after"], f"{key}.after") if "after" in t else None,
        window=length(c, t["window"], f"{key}.window") if "window" in t else None,
        if_none=c.choice(t.get("if_none", "not_applicable"), f"{key}.if_none", STATUSES))


def _spec(rule: Rule) -> EventFlag:
    assert isinstance(rule.spec, EventFlag)
    return rule.spec


def _check(c: Ctx, rule: Rule, key: str) -> None:
    spec = _spec(rule)
    if len(rule.satisfied_by) != 1:
        raise c.fail(f"{key}.satisfied_by", "event_flag needs exactly one satisfied_by event")
    event = rule.satisfied_by[0].event
    if spec.flag not in PAYLOAD[event]:
        raise c.fail(f"{key}.flag", f"{event} has no payload field {spec.flag!r}")
    if spec.which == "any_in_window" and spec.window is None:
        raise c.fail(f"{key}.window", "missing (which = any_in_window needs a window)")


def _events(rule: Rule, subject: Subject, case: Case) -> tuple[list[EventRecord], str, bool]:
    """The events judged, the window's text, and whether ``after`` was found."""
    spec = _spec(rule)
    events = list(subject.matching(rule.satisfied_by, case.group))
    if spec.after is not None:
        after = resolve(spec.after, subject, case.as_of)
        if after is None:
            return [], "", False
        events = [r for r in events if r.occurred_on >= after[1]]
    window = ""
    if spec.which == "any_in_window":
        assert spec.window is not None
        since = subtract(case.end, *spec.window)
        events = [r for r in events if since <= r.occurred_on <= case.end]
        window = f" between {since.isoformat()} and {case.end.isoformat()}"
    elif events:
        day = (max if spec.which == "latest" else min)(r.occurred_on for r in events)
        events = [r for r in events if r.occurred_on == day]
    return events, window, True


def _judge(rule: Rule, subject: Subject, case: Case) -> Outcome:
    spec = _spec(rule)
    m = rule.satisfied_by[0]
    events, window, found = _events(rule, subject, case)
    if not found:
        assert spec.after is not None
        return Outcome(Status(spec.if_none),
                       f"no {spec.after.describe()} as of {case.as_of.isoformat()}")
    if not events:
        return Outcome(Status(spec.if_none), f"no {m.event} to judge{window}")
    judged = first(events)
    assert judged is not None
    yes = first(r for r in events if r.payload.get(spec.flag) is True)
    if yes is not None:
        return Outcome(Status.MET, f"{spec.flag} recorded{window}", None, EventRef.of(judged),
                       EventRef.of(yes))
    if all(spec.flag not in r.payload or r.payload[spec.flag] is None for r in events):
        return Outcome(Status.NOT_DOCUMENTED, f"{m.event} has no {spec.flag} to judge",
                       None, EventRef.of(judged))
    return Outcome(Status.MISSED, f"{spec.flag} not recorded{window}", None, EventRef.of(judged))


def _judged_day(rule: Rule, subject: Subject, case: Case) -> Decided | None:
    if _spec(rule).which == "any_in_window":
        return case.window_end()
    events, _, _ = _events(rule, subject, case)
    judged = first(events)
    return (judged, judged.occurred_on) if judged is not None else None


def _windows(rule: Rule) -> tuple[tuple[int, Unit], ...]:
    window = _spec(rule).window
    return (window,) if window is not None else ()


def _met_by(rule: Rule) -> str:
    spec = _spec(rule)
    which = {"first": "the first", "latest": "the latest",
             "any_in_window": "any in the window"}[spec.which]
    window = (f" ({spec.window[0]} {spec.window[1].value} back from the case's end)"
              if spec.window else "")
    after = f", on or after {spec.after.describe()}" if spec.after else ""
    return (f"{which} {match(rule.satisfied_by[0])}{after}{window} with `{spec.flag}` = "
            f"true; none: {spec.if_none}")


EVENT_FLAG = Kind(
    name="event_flag", summary="event flag — a recorded event must carry a flag",
    keys=("flag", "which", "after", "window", "if_none"), parse=_parse, check=_check,
    judge=_judge, met_by=_met_by, judged_day=_judged_day,
    windows=_windows)
