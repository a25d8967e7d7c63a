"""Management information: the youth group on any day, and its flows over a period.

What UDB cannot say — a young person's status on a given date (002:312–316) — the event log can.
Each case is read once into a :class:`Timeline`: the state it is in from each day on which
something happened (the fold day by day, :func:`~ungeforloeb.casefile.fold.fold_days`), the
days it entered and left the group with the reasons, and the days of the events the outcome
figures count. Every figure is then a lookup on the timelines, so:

- the **stock** on a day is the number of cases in the group at the end of that day, split by
  state, visitation group, age band, team and caseworker (:func:`status_on`);
- the **flows** over a period are the entries and exits in it (:func:`flows`), and by
  construction the stock at the end of a period is the stock before it plus the inflow minus
  the outflow (a property test keeps it so);
- the **outcomes** (:func:`outcomes`) follow a cohort: leaving benefit for education or work
  within a year of first contact (004:3–6), follow-up within 3 months of an education start
  (004:1345), days without activity between an interruption and the next start (004:558–578),
  completion within N years of a start.

These are management figures, not law: the windows (a year, 3 months, N years) and the age
bands are settings with the defaults the inspiration catalogue names, and every figure carries
the (pseudonymous) case ids behind it so that a manager can drill down. As-of and known-at work
as everywhere: a state on day D depends only on events that happened by D (and, with
``known_at``, were recorded by then).
"""

from __future__ import annotations

import bisect
import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ungeforloeb.casefile.fold import CaseFile, Facts, fold_days
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.projections.status import current_step

STATES = ("first_contact", "in_visitation", "visitated", "order_step_1", "order_step_2",
          "order_step_3", "admitted", "started", "at_risk", "interrupted", "completed")
"""The states a case in the group can be in, in the order of a young person's path. A case
whose benefit has ended is out of the group (``off_benefit``: counted in the outflow)."""

STATE_LABELS = {
    "first_contact": ("første henvendelse", "first contact"),
    "in_visitation": ("under visitation", "in visitation"),
    "visitated": ("visiteret", "visitated"),
    "order_step_1": ("pålæg, trin 1", "order, step 1"),
    "order_step_2": ("pålæg, trin 2", "order, step 2"),
    "order_step_3": ("pålæg, trin 3", "order, step 3"),
    "admitted": ("optaget", "admitted"),
    "started": ("startet", "started"),
    "at_risk": ("frafaldstruet", "at risk of dropout"),
    "interrupted": ("afbrudt", "interrupted"),
    "completed": ("gennemført", "completed"),
}
"""(Danish, English) label of each state."""

DEFAULT_BANDS: tuple[tuple[int, int], ...] = ((15, 17), (18, 24), (25, 29))
"""Age bands (inclusive) for the stock, configurable."""

_ENROLMENT_RANK = {"admitted": 0, "started": 1, "interrupted": 2, "completed": 3}
"""Several enrolment events on one day: the later step of the path wins."""


@dataclass(frozen=True, slots=True)
class Point:
    """The case's state from ``day`` on (until its next point): ``state`` is ``None`` when the
    case is not in the group (benefit ended)."""

    day: date
    state: str | None
    group: str | None
    caseworker_id: str | None
    team_id: str | None


@dataclass(frozen=True, slots=True)
class Movement:
    """An entry into (``in``) or exit from (``out``) the group on a day, with its reason: for an
    entry ``new``, or ``returned`` (a new benefit spell after an exit); for an exit the
    recorded reason benefit ended."""

    day: date
    direction: str
    reason: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """One case, read once: its states by day, its entries and exits, and the days the outcome
    figures count."""

    case_id: str
    birth_date: date | None
    points: tuple[Point, ...]
    movements: tuple[Movement, ...]
    first_contact: date | None
    exit: Movement | None
    """The exit that ended the case's time in the group, if it has ended."""
    starts: tuple[date, ...]
    completions: tuple[tuple[date, date], ...]
    """(start, completion) of each completed education."""
    interruptions: tuple[date, ...]
    activities: tuple[date, ...]
    """Days an education or an offer started (what ends a time without activity)."""
    follow_ups: tuple[date, ...]
    """Days of a conversation, or a contact in a retention case (a follow-up)."""
    municipality_code: str | None = None

    def at(self, day: date) -> Point | None:
        """The case's point in force at the end of ``day`` (``None`` before its first event)."""
        i = bisect.bisect_right(self.points, day, key=lambda p: p.day)
        return self.points[i - 1] if i else None

    def age_on(self, day: date) -> int | None:
        return age_on(self.birth_date, day)


def age_on(birth_date: date | None, day: date) -> int | None:
    """Age in whole years on ``day`` (``None`` without a birth date)."""
    b = birth_date
    if b is None:
        return None
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def _state(f: Facts) -> str | None:
    if f.first_contact is None or f.benefit_ended is not None:
        return None
    latest: tuple[date, int, str] | None = None
    for a in f.admissions:
        for kind, rec in (("admitted", a.rec), ("started", a.started),
                          ("interrupted", a.interrupted), ("completed", a.completed)):
            if rec is not None:
                key = (rec.occurred_on, _ENROLMENT_RANK[kind], kind)
                if latest is None or key > latest:
                    latest = key
    if latest is not None:
        if latest[2] == "started" and any(c.closed is None for c in f.retention_cases.values()):
            return "at_risk"
        return latest[2]
    steps = [current_step(o).value for o in f.orders.values() if o.ended is None]
    if steps:
        return f"order_step_{max(steps)}"
    if f.visitations:
        return "visitated" if f.final_visitation is not None else "in_visitation"
    return "first_contact"


def timeline(case_file: CaseFile, known_at: date | None = None) -> Timeline:
    """Read one case into its timeline (``known_at``: only what was recorded by that day)."""
    records: Iterable[EventRecord] = case_file.records
    if known_at is not None:
        limit = known_at.isoformat()
        records = [r for r in records if r.recorded_at[:10] <= limit]
    points: list[Point] = []
    movements: list[Movement] = []
    last: tuple[str | None, str | None, str | None, str | None] | None = None
    facts: Facts | None = None
    was_in = False
    for day, facts in fold_days(case_file.young_person_id, records):
        state = _state(facts)
        owner = facts.current_caseworker
        now = (state, facts.current_group, owner[0] if owner else None,
               owner[1] if owner else None)
        if now != last:
            points.append(Point(day, *now))
            last = now
        is_in = state is not None
        if is_in and not was_in:
            back = any(m.direction == "out" for m in movements)
            movements.append(Movement(day, "in", "returned" if back else "new"))
        elif was_in and not is_in:
            reason = facts.benefit_ended.payload.get("reason") if facts.benefit_ended else None
            movements.append(Movement(day, "out", str(reason or "other")))
        elif not was_in and not is_in and facts.first_contact is not None \
                and facts.first_contact.occurred_on == day and facts.benefit_ended is not None:
            # in and out on one day: both movements, the stock unchanged
            movements.append(Movement(day, "in", "new"))
            movements.append(Movement(day, "out", str(facts.benefit_ended.payload.get(
                "reason") or "other")))
        was_in = is_in
    if facts is None:
        return Timeline(case_file.young_person_id, None, (), (), None, None, (), (), (), (), (),
                        None)
    admissions = facts.admissions
    starts = tuple(sorted(a.started.occurred_on for a in admissions if a.started))
    completions = tuple(sorted((a.started.occurred_on if a.started else a.starts_on,
                                a.completed.occurred_on)
                               for a in admissions if a.completed))
    interruptions = tuple(sorted(a.interrupted.occurred_on for a in admissions
                                 if a.interrupted))
    activities = tuple(sorted({*starts, *(o.rec.occurred_on for o in facts.offers.values())}))
    follow_ups = tuple(sorted({*(r.occurred_on for r in facts.conversations),
                               *(c.occurred_on for rc in facts.retention_cases.values()
                                 for c in rc.contacts)}))
    exits = [m for m in movements if m.direction == "out"]
    return Timeline(case_file.young_person_id, facts.birth_date, tuple(points),
                    tuple(movements),
                    facts.first_contact.occurred_on if facts.first_contact else None,
                    exits[-1] if exits and not was_in else None,
                    starts, completions, interruptions, activities, follow_ups,
                    facts.municipality_code)


def timelines(case_files: Iterable[CaseFile], known_at: date | None = None) -> list[Timeline]:
    """Every case's timeline, in case id order."""
    return sorted((timeline(cf, known_at) for cf in case_files), key=lambda t: t.case_id)


# ------------------------------------------------------------------ the stock on a day


def band_of(age: int | None, bands: Sequence[tuple[int, int]]) -> str:
    """The age band an age falls in (``"15-17"``), ``"other"`` outside every band, ``"unknown"``
    without a birth date."""
    if age is None:
        return "unknown"
    for low, high in bands:
        if low <= age <= high:
            return f"{low}-{high}"
    return "other"


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure and the cases behind it."""

    dimension: str
    """``state``, ``group``, ``age_band``, ``team`` or ``caseworker``."""
    value: str
    count: int
    case_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusOn:
    """The group on one day: how many, in which state, by group, age band, team and caseworker,
    against a configured cap."""

    on: date
    known_at: date | None
    total: int
    cells: tuple[Cell, ...]
    case_ids: tuple[str, ...]
    cap: int | None = None
    """A configured target or cap on the group's size (e.g. Nyborg's 200, 004:171)."""

    def counts(self, dimension: str) -> dict[str, int]:
        return {c.value: c.count for c in self.cells if c.dimension == dimension}

    @property
    def over_cap(self) -> int | None:
        return None if self.cap is None else self.total - self.cap

    def to_dict(self) -> dict[str, Any]:
        return {"on": self.on.isoformat(),
                "known_at": self.known_at.isoformat() if self.known_at else None,
                "total": self.total, "cap": self.cap, "over_cap": self.over_cap,
                "cells": [{"dimension": c.dimension, "value": c.value, "count": c.count,
                           "case_ids": list(c.case_ids)} for c in self.cells]}

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["on", "dimension", "value", "count"])
        w.writerow([self.on.isoformat(), "total", "all", self.total])
        for c in self.cells:
            w.writerow([self.on.isoformat(), c.dimension, c.value, c.count])
        return buf.getvalue()


def status_on(lines: Iterable[Timeline], on: date, *,
              bands: Sequence[tuple[int, int]] = DEFAULT_BANDS, cap: int | None = None,
              known_at: date | None = None) -> StatusOn:
    """The group at the end of day ``on``: every case in it, by state (in path order), group,
    age band, team and caseworker. ``known_at`` is recorded in the result; give timelines read
    with the same ``known_at``."""
    def members() -> Iterator[tuple[str, Point, int | None]]:
        for t in lines:
            p = t.at(on)
            if p is not None and p.state is not None:
                yield t.case_id, p, t.age_on(on)

    return status_of(members(), on, bands=bands, cap=cap, known_at=known_at)


def status_of(members: Iterable[tuple[str, Point, int | None]], on: date, *,
              bands: Sequence[tuple[int, int]] = DEFAULT_BANDS, cap: int | None = None,
              known_at: date | None = None) -> StatusOn:
    """The group on ``on`` from its members: (case id, the point in force, the age on ``on``)
    for every case in the group at the end of that day — from timelines (:func:`status_on`) or
    from kept rows (:mod:`ungeforloeb.application.kept_timelines`), the same figures."""
    by: dict[str, dict[str, list[str]]] = {d: {} for d in
                                           ("state", "group", "age_band", "team", "caseworker")}
    ids: list[str] = []
    for case_id, p, age in members:
        assert p.state is not None
        ids.append(case_id)
        for dimension, value in (("state", p.state), ("group", p.group or "none"),
                                 ("age_band", band_of(age, bands)),
                                 ("team", p.team_id or "none"),
                                 ("caseworker", p.caseworker_id or "none")):
            by[dimension].setdefault(value, []).append(case_id)
    cells: list[Cell] = []
    for dimension, values in by.items():
        order = list(STATES) if dimension == "state" else sorted(values)
        for value in order:
            found = values.get(value, [])
            if found or dimension == "state":
                cells.append(Cell(dimension, value, len(found), tuple(sorted(found))))
    return StatusOn(on, known_at, len(ids), tuple(cells), tuple(sorted(ids)), cap)


# ------------------------------------------------------------------ flows over a period


@dataclass(frozen=True, slots=True)
class FlowRow:
    """One period's flows: the stock before and after it, entries and exits with reasons."""

    start: date
    end: date
    """The period's last day (inclusive)."""
    stock_before: int
    inflow: Counter[str]
    outflow: Counter[str]
    stock_after: int
    inflow_ids: tuple[str, ...]
    outflow_ids: tuple[str, ...]

    @property
    def inflow_total(self) -> int:
        return sum(self.inflow.values())

    @property
    def outflow_total(self) -> int:
        return sum(self.outflow.values())

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "stock_before": self.stock_before, "inflow": self.inflow_total,
                "inflow_by_reason": dict(sorted(self.inflow.items())),
                "outflow": self.outflow_total,
                "outflow_by_reason": dict(sorted(self.outflow.items())),
                "stock_after": self.stock_after, "inflow_case_ids": list(self.inflow_ids),
                "outflow_case_ids": list(self.outflow_ids)}


def periods(start: date, end: date, every: str) -> Iterator[tuple[date, date]]:
    """[first, last] day of each week (Monday to Sunday) or calendar month overlapping
    [start, end], clipped to it."""
    if every not in ("week", "month"):
        raise ValueError(f"every: 'week' or 'month', not {every!r}")
    cur = start
    while cur <= end:
        if every == "week":
            nxt = cur + timedelta(days=7 - cur.weekday())
        else:
            nxt = (cur.replace(day=1) + relativedelta(months=1))
        yield cur, min(nxt - timedelta(days=1), end)
        cur = nxt


def _stock(lines: Sequence[Timeline], day: date) -> int:
    n = 0
    for t in lines:
        p = t.at(day)
        if p is not None and p.state is not None:
            n += 1
    return n


def flows(lines: Iterable[Timeline], start: date, end: date, every: str = "month"
          ) -> list[FlowRow]:
    """Entries and exits week by week or month by month over [start, end], with the stock at
    the end of the day before each period and at the end of its last day."""
    ordered = list(lines)
    return flows_of(lambda day: _stock(ordered, day),
                    ((t.case_id, m) for t in ordered for m in t.movements
                     if start <= m.day <= end), start, end, every)


def flows_of(stock: Callable[[date], int], movements: Iterable[tuple[str, Movement]],
             start: date, end: date, every: str = "month") -> list[FlowRow]:
    """The flows from the stock at the end of a day and the (case id, movement) pairs in
    [start, end] — from timelines (:func:`flows`) or from kept rows, the same figures."""
    by_period: list[tuple[date, date]] = list(periods(start, end, every))
    firsts = [first for first, _ in by_period]
    moved: list[list[tuple[str, Movement]]] = [[] for _ in by_period]
    for case_id, m in movements:
        i = bisect.bisect_right(firsts, m.day) - 1
        if i >= 0 and m.day <= by_period[i][1]:
            moved[i].append((case_id, m))
    rows: list[FlowRow] = []
    before = stock(start - timedelta(days=1))
    for (first, last), found in zip(by_period, moved, strict=True):
        inflow: Counter[str] = Counter()
        outflow: Counter[str] = Counter()
        in_ids: list[str] = []
        out_ids: list[str] = []
        for case_id, m in found:
            if m.direction == "in":
                inflow[m.reason] += 1
                in_ids.append(case_id)
            else:
                outflow[m.reason] += 1
                out_ids.append(case_id)
        after = stock(last)
        rows.append(FlowRow(first, last, before, inflow, outflow, after,
                            tuple(sorted(set(in_ids))), tuple(sorted(set(out_ids)))))
        before = after
    return rows


def flows_csv(rows: Sequence[FlowRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    reasons = sorted({r for row in rows for r in row.outflow})
    w.writerow(["start", "end", "stock_before", "inflow", "outflow",
                *[f"outflow_{r}" for r in reasons], "stock_after"])
    for row in rows:
        w.writerow([row.start.isoformat(), row.end.isoformat(), row.stock_before,
                    row.inflow_total, row.outflow_total, *[row.outflow[r] for r in reasons],
                    row.stock_after])
    return buf.getvalue()


# ------------------------------------------------------------------ outcomes of a cohort


@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome figure: of ``denominator`` cases (or events) in the cohort whose window had
    passed by the as-of day, ``numerator`` met it within the window; ``open`` more are still
    inside their window and not counted (a figure on a cohort whose windows are still running
    would count only the quick ones)."""

    name: str
    label: tuple[str, str]
    """(Danish, English)."""
    numerator: int
    denominator: int
    open: int
    case_ids: tuple[str, ...]
    """The cases counted in the denominator."""
    median_days: float | None = None

    @property
    def share(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label_da": self.label[0], "label_en": self.label[1],
                "numerator": self.numerator, "denominator": self.denominator,
                "share": self.share, "still_open": self.open, "median_days": self.median_days,
                "case_ids": list(self.case_ids)}


@dataclass(frozen=True, slots=True)
class Windows:
    """The windows the outcome figures use: settings, not law (defaults from seed 004)."""

    leave_within: relativedelta = field(default_factory=lambda: relativedelta(years=1))
    follow_up_within: relativedelta = field(default_factory=lambda: relativedelta(months=3))
    complete_within: relativedelta = field(default_factory=lambda: relativedelta(years=3))


def _median(values: Sequence[int]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def outcomes(lines: Iterable[Timeline], start: date, end: date, as_of: date,
             windows: Windows | None = None) -> list[Outcome]:
    """The cohort figures for first contacts, starts and interruptions in [start, end], as of
    ``as_of`` (a case whose window has not passed by then is counted as still open)."""
    w = windows or Windows()
    left: list[str] = []
    cohort: list[str] = []
    open_leave = 0
    followed: list[str] = []
    starts: list[str] = []
    open_follow = 0
    idle_days: list[int] = []
    idle_ids: list[str] = []
    idle_open = 0
    completed: list[str] = []
    started: list[str] = []
    open_complete = 0
    for t in lines:
        if t.first_contact is not None and start <= t.first_contact <= end:
            limit = t.first_contact + w.leave_within
            if limit <= as_of:  # the window has passed: the case counts
                cohort.append(t.case_id)
                if t.exit is not None and t.exit.day <= limit and \
                        t.exit.reason in ("started_education", "started_work"):
                    left.append(t.case_id)
            else:
                open_leave += 1
        for s in t.starts:
            if not start <= s <= end:
                continue
            limit = s + w.follow_up_within
            if limit <= as_of:
                starts.append(t.case_id)
                if any(s <= d <= limit for d in t.follow_ups):
                    followed.append(t.case_id)
            else:
                open_follow += 1
            limit = s + w.complete_within
            if limit <= as_of:
                started.append(t.case_id)
                if any(cs == s and cd <= limit for cs, cd in t.completions):
                    completed.append(t.case_id)
            else:
                open_complete += 1
        for i in t.interruptions:
            if not start <= i <= end:
                continue
            nxt = next((a for a in t.activities if a > i), None)
            if nxt is not None and nxt <= as_of:
                idle_days.append((nxt - i).days)
                idle_ids.append(t.case_id)
            else:
                idle_open += 1
    years = w.leave_within.years or 1
    return [
        Outcome("left_for_education_or_work",
                (f"forladt ydelsen til uddannelse eller job inden for {years} år efter første "
                 f"henvendelse",
                 f"left benefit for education or work within {years} year(s) of first contact"),
                len(left), len(cohort), open_leave, tuple(sorted(cohort))),
        Outcome("followed_up_after_start",
                (f"fulgt op inden for {w.follow_up_within.months} måneder efter "
                 f"uddannelsesstart",
                 f"followed up within {w.follow_up_within.months} months of an education start"),
                len(followed), len(starts), open_follow, tuple(sorted(set(starts)))),
        Outcome("days_without_activity_after_interruption",
                ("dage uden aktivitet mellem afbrud og næste start",
                 "days without activity between an interruption and the next start"),
                len(idle_days), len(idle_days), idle_open, tuple(sorted(set(idle_ids))),
                _median(idle_days)),
        Outcome("completed_within",
                (f"gennemført inden for {w.complete_within.years} år efter start",
                 f"completed within {w.complete_within.years} years of a start"),
                len(completed), len(started), open_complete, tuple(sorted(set(started)))),
    ]
