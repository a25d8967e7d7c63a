"""The simulation's actions, and one young person's plan of them.

A plan is filled in order of the days things happen; each action names the actions it depends
on (an education starts only after its admission is recorded). :meth:`Plan.actions` then gives
each a recording time — the same day as a rule, now and then days or weeks late, never before an
action it depends on — and returns them in recording order.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.simulation.calendar import WorkCalendar

_MINUTE = timedelta(minutes=1)

CASEWORKER = "caseworker"
"""Recorded on a working day, in office hours; the same day as a rule (85 %), within a week
(11 %) or weeks late (4 %)."""
SYSTEM = "system"
"""Recorded by a nightly batch (Ungedatabasen) on a given day."""
SELF = "self"
"""Recorded when the young person does it online, at any hour of a given day."""


class Action(NamedTuple):
    """One command to give the application, when, and by whom."""

    recorded_at: datetime
    occurred_on: date
    command: str
    """The name of an :class:`~ungeforloeb.application.Ungeforloeb` method."""
    target: UUID | None
    """The young person, order or retention case it is given to (``None`` for a first contact)."""
    recorded_by: str
    kwargs: dict[str, Any]


def perform(app: Ungeforloeb, action: Action) -> Any:
    """Give ``action``'s command to ``app`` (its clock must already read the recording time)."""
    method = getattr(app, action.command)
    if action.target is None:
        return method(occurred_on=action.occurred_on, recorded_by=action.recorded_by,
                      **action.kwargs)
    return method(action.target, occurred_on=action.occurred_on,
                  recorded_by=action.recorded_by, **action.kwargs)


def seeded_uuid(rng: random.Random) -> UUID:
    """A version-4 UUID drawn from ``rng`` (deterministic for a seeded generator)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class Plan:
    """One young person's actions as they are planned: days first, recording times last."""

    __slots__ = ("actors", "cal", "commands", "deps", "hows", "kwargs", "occurred", "rec_days",
                 "rng", "targets")

    def __init__(self, rng: random.Random, cal: WorkCalendar) -> None:
        self.rng = rng
        self.cal = cal
        self.occurred: list[date] = []
        self.commands: list[str] = []
        self.targets: list[UUID | None] = []
        self.actors: list[str] = []
        self.kwargs: list[dict[str, Any]] = []
        self.deps: list[tuple[int, ...]] = []
        self.hows: list[str] = []
        self.rec_days: list[date | None] = []

    def add(self, occurred_on: date, command: str, target: UUID | None, actor: str, *,
            deps: tuple[int, ...] = (0,), how: str = CASEWORKER,
            recorded_on: date | None = None, **kwargs: Any) -> int:
        """Plan a command; returns its index, for actions that depend on it.

        ``deps`` are the indices of actions it must be recorded after (by default the first
        action, the first contact); ``how`` says how its recording time is drawn; a given
        ``recorded_on`` fixes the recording day.
        """
        self.occurred.append(occurred_on)
        self.commands.append(command)
        self.targets.append(target)
        self.actors.append(actor)
        self.kwargs.append(kwargs)
        self.deps.append(deps)
        self.hows.append(how)
        self.rec_days.append(recorded_on)
        return len(self.commands) - 1

    def _candidate(self, i: int) -> datetime:
        rng = self.rng
        how = self.hows[i]
        day = self.rec_days[i]
        if how == SYSTEM:
            when = time(1 + rng.randrange(4), rng.randrange(60))
            return datetime.combine(day or self.occurred[i], when, tzinfo=UTC)
        if how == SELF:
            when = time(6 + rng.randrange(16), rng.randrange(60))
            return datetime.combine(day or self.occurred[i], when, tzinfo=UTC)
        if day is None:
            r = rng.random()
            day = self.occurred[i]
            if r < 0.11:  # noted within the week
                day = self.cal.add_working_days(day, 1 + rng.randrange(5))
            elif r < 0.15:  # noted weeks later: the journal catches up
                day = self.cal.next_working_day(day + timedelta(days=8 + rng.randrange(33)))
            else:
                day = self.cal.next_working_day(day)
        when = time(7 + rng.randrange(8), rng.randrange(60))
        return datetime.combine(day, when, tzinfo=UTC)

    def actions(self, last_day: date) -> list[Action]:
        """The plan's actions in recording order, up to and including ``last_day``."""
        recorded: list[datetime] = []
        for i in range(len(self.commands)):
            at = self._candidate(i)
            for d in self.deps[i]:
                if d < i and recorded[d] + _MINUTE > at:
                    at = recorded[d] + _MINUTE
            recorded.append(at)
        order = sorted(range(len(recorded)), key=lambda i: (recorded[i], i))
        out = []
        for i in order:
            if recorded[i].date() > last_day:
                break
            out.append(Action(recorded[i], self.occurred[i], self.commands[i], self.targets[i],
                              self.actors[i], self.kwargs[i]))
        return out
