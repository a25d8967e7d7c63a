"""The worklist: what is due or overdue on a given day, for a caseworker or a team.

A worklist is rebuilt from the case files every time it is asked for; nothing of it is stored.
Each case file is viewed as of the day asked about (and, when given, as known at a day), and
every *source* — a function ``(facts, on) -> Iterable[WorkItem]`` — says what it finds due.
The sources live beside their features and are listed in
:func:`ungeforloeb.projections.sources.default_sources`.

This module also holds the deadline source: every step deadline of an education order that is
due within a window (or overdue) and not yet met.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from functools import partial

import attrs

from ungeforloeb.casefile.fold import CaseFile, Facts, Order
from ungeforloeb.projections.sources import WorkItemSource, default_sources


@attrs.frozen
class WorkItem:
    """One thing a caseworker should do (or should already have done)."""

    young_person_id: str
    kind: str
    """``"deadline"``, ``"rule"``, ``"data_quality"``, ``"retention"``, ``"receipt"``, …"""
    title: str
    """One line, English."""
    due_on: date | None
    overdue: bool
    rule_id: str | None = None
    legal_source: str | None = None
    caseworker_id: str | None = None
    team_id: str | None = None
    cause: tuple[int, ...] = ()
    """Sequence numbers of the event records that caused the item."""


def _sort_key(item: WorkItem) -> tuple[bool, date, str, str, str]:
    return (not item.overdue, item.due_on or date.max, item.young_person_id, item.kind,
            item.title)


def worklist(case_files: Iterable[CaseFile], on: date, *, caseworker: str | None = None,
             team: str | None = None, sources: Sequence[WorkItemSource] | None = None,
             known_at: date | None = None) -> list[WorkItem]:
    """Everything due or overdue on ``on``, overdue first, then by due date.

    Each case file is viewed as of ``on`` (and as known at ``known_at`` when given). Items a
    source leaves without a caseworker or team get the case's current ones. ``caseworker`` and
    ``team`` keep only the items of that caseworker or team.
    """
    active = default_sources() if sources is None else sources
    items: list[WorkItem] = []
    for case_file in case_files:
        facts = case_file.view(as_of=on, known_at=known_at)
        current = facts.current_caseworker
        for item in _distinct(item for source in active for item in source(facts, on)):
            if current is not None and (item.caseworker_id is None or item.team_id is None):
                item = attrs.evolve(
                    item,
                    caseworker_id=item.caseworker_id or current[0],
                    team_id=item.team_id or current[1],
                )
            if caseworker is not None and item.caseworker_id != caseworker:
                continue
            if team is not None and item.team_id != team:
                continue
            items.append(item)
    items.sort(key=_sort_key)
    return items


def _distinct(items: Iterable[WorkItem]) -> list[WorkItem]:
    """One item per duty: where two sources raise the same rule with the same due date for a
    case (e.g. the compliance source and the retention source), keep the more specific one
    (the one whose kind is not the generic ``"rule"``), else the first."""
    kept: dict[tuple[str, date | None], int] = {}
    out: list[WorkItem] = []
    for item in items:
        if item.rule_id is None:
            out.append(item)
            continue
        key = (item.rule_id, item.due_on)
        at = kept.get(key)
        if at is None:
            kept[key] = len(out)
            out.append(item)
        elif out[at].kind == "rule" and item.kind != "rule":
            out[at] = item
    return out


# ------------------------------------------------------------------ the deadline source

DEFAULT_DUE_WITHIN_DAYS = 14
"""A step deadline shows on the worklist from this many days before it falls due."""

STEP_TASKS = {
    1: "propose an education wish",
    2: "apply for admission",
    3: "start the education",
}
"""What the young person must do by each step's deadline (trin 1–3)."""

_NEW_LAB = date(2020, 1, 1)


def step_legal_source(step: int, deadline: date) -> str:
    """The paragraph that sets the step, by the law in force on the deadline.

    Before 1 Jan 2020 the order's steps were LAB § 21 b stk. 3–5 (LBK nr. 1342 af 21/11/2016);
    from 1 Jan 2020 they are LAB § 30 stk. 3–5 (lov nr. 548 af 7/5/2019).
    """
    if deadline < _NEW_LAB:
        return f"LAB § 21 b stk. {step + 2} (LBK nr. 1342 af 21/11/2016)"
    return f"LAB § 30 stk. {step + 2}"


def _met_steps(order: Order) -> int:
    """The highest step met: 1 by a wish, 2 by an application, 3 by a started education.

    A later step met also meets the earlier ones (steps need not come in order; a young person
    who has started an education has no wish left to propose).
    """
    if any(a.started is not None for a in order.admissions.values()):
        return 3
    if order.applications:
        return 2
    if order.wishes:
        return 1
    return 0


def _deadline_cause(order: Order, step: int) -> tuple[int, ...]:
    latest = None
    for rec in order.deadline_records:
        if int(rec.payload["step"]) == step:
            latest = rec
    seqs = [order.rec.seq] + ([latest.seq] if latest is not None else [])
    return tuple(seqs)


def step_deadlines(facts: Facts, on: date, *,
                   due_within_days: int = DEFAULT_DUE_WITHIN_DAYS) -> Iterator[WorkItem]:
    """Worklist source: each open order's step deadlines due within ``due_within_days`` of
    ``on`` (or overdue) and not yet met."""
    horizon = on + timedelta(days=due_within_days)
    for order in facts.orders.values():
        if order.ended is not None:
            continue
        met = _met_steps(order)
        for step in sorted(order.deadlines):
            deadline = order.deadlines[step]
            if step <= met or deadline > horizon:
                continue
            overdue = deadline < on
            yield WorkItem(
                young_person_id=facts.young_person_id,
                kind="deadline",
                title=(f"Step {step} of order {order.order_id[:8]}: "
                       f"{STEP_TASKS.get(step, 'step')} by {deadline.isoformat()}"),
                due_on=deadline,
                overdue=overdue,
                legal_source=step_legal_source(step, deadline),
                cause=_deadline_cause(order, step),
            )


def deadline_source(due_within_days: int = DEFAULT_DUE_WITHIN_DAYS) -> WorkItemSource:
    """The deadline source with another due window (e.g. ``deadline_source(7)``)."""
    return partial(step_deadlines, due_within_days=due_within_days)
