"""A seeded simulation of one municipality's young people on education benefit.

:func:`actions` yields every caseworker, young-person and institution action of a
:class:`Scenario` in global order of recording time; :func:`simulate` performs them against any
:class:`~ungeforloeb.application.Ungeforloeb` application through its commands, moving a
:class:`~ungeforloeb.application.SettableClock` to each action's recording time. The same
scenario (seed included) gives the same actions and so the same events, recording times too.

How it works. Each young person's whole path is planned (:mod:`.person`) when their first
contact comes up, from their own random generator, seeded from the scenario's, so one person's
plan does not depend on another's. A heap merges the people's plans, so that recording times
are monotone across the municipality as in a real case system. Plans are made lazily and
consumed as they go: memory grows with the number of people in progress, not with the number
of events, and a scenario of many people over many years streams.

Sizes, measured: about 20 events per person in a one-year scenario, 28 over two years, 39 over
four (people who stay on benefit keep having conversations and offers). One million events:
``Scenario(people=25_000, years=4)``. Planning alone yields about 90,000 actions a second; it
holds the plans of the people in progress, about 340 MB at the peak for a million actions, so a
benchmark should write its store first and measure the library in a separate process.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

import attrs

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.simulation.calendar import WorkCalendar
from ungeforloeb.simulation.person import YOUTH_EFFORT_RATE, plan_person
from ungeforloeb.simulation.plan import Action, perform, seeded_uuid
from ungeforloeb.simulation.scenario import Scenario, World

__all__ = ["Action", "Scenario", "SimulationStats", "actions", "first_contacts", "perform",
           "seeded_uuid", "simulate"]


def first_contacts(scenario: Scenario, rng: random.Random,
                   cal: WorkCalendar) -> list[tuple[date, int]]:
    """Each person's first-contact day and plan seed, spread over the scenario's years.

    Most first contacts fall on working days; about one in eleven on a weekend or holiday
    (online applications).
    """
    span = (scenario.last_day - scenario.first_day).days + 1
    out = []
    for _ in range(scenario.people):
        day = scenario.first_day + timedelta(days=rng.randrange(span))
        if not cal.is_working_day(day) and rng.random() > 0.25:
            day = min(cal.next_working_day(day), scenario.last_day)
        out.append((day, rng.getrandbits(64)))
    out.sort(key=lambda p: p[0])
    return out


def actions(scenario: Scenario) -> Iterator[Action]:
    """Every action of the scenario, in order of recording time (deterministic)."""
    world = World(scenario)
    arrivals = first_contacts(scenario, random.Random(scenario.seed), world.cal)
    # (time, 0 = not yet planned | 1 = planned, person number, position, plan)
    heap: list[tuple[datetime, int, int, int, list[Action] | None]] = [
        (datetime.combine(day, time(0), tzinfo=UTC), 0, no, 0, None)
        for no, (day, _seed) in enumerate(arrivals)]
    heapq.heapify(heap)
    while heap:
        _at, _planned, no, pos, plan = heapq.heappop(heap)
        if plan is None:
            day, seed = arrivals[no]
            kui = random.Random(f"{seed}:youth effort").random() < YOUTH_EFFORT_RATE
            plan = plan_person(world, random.Random(seed), day, youth_effort=kui)
            if plan:
                heapq.heappush(heap, (plan[0].recorded_at, 1, no, 0, plan))
            continue
        yield plan[pos]
        if pos + 1 < len(plan):
            heapq.heappush(heap, (plan[pos + 1].recorded_at, 1, no, pos + 1, plan))


@attrs.define
class SimulationStats:
    """What a simulation did, counted by command."""

    commands: dict[str, int] = attrs.field(factory=dict)
    last_recorded_at: datetime | None = None
    events: int = 0
    """Events the simulation recorded, counted in the store (a command records one event,
    except an inbound institution message: none when a duplicate, up to three otherwise)."""


def simulate(app: Ungeforloeb, clock: SettableClock, scenario: Scenario, *,
             batch_by_day: bool = True,
             progress: Callable[[date], None] | None = None) -> SimulationStats:
    """Perform the scenario's actions on ``app``, moving ``clock`` to each recording time.

    ``clock`` must be the application's clock. With ``batch_by_day`` each simulated day's
    commands are saved in one transaction (:meth:`Ungeforloeb.batch`); ``progress`` is called
    with each simulated day as it is done.
    """
    if app.clock is not clock:
        raise ValueError("simulate: clock must be the application's clock")
    stats = SimulationStats()
    before = app.recorder.max_notification_id() or 0
    for day, todays in itertools.groupby(actions(scenario), key=lambda a: a.recorded_at.date()):
        if batch_by_day:
            with app.batch():
                _perform_all(app, clock, todays, stats)
        else:
            _perform_all(app, clock, todays, stats)
        if progress is not None:
            progress(day)
    stats.events = (app.recorder.max_notification_id() or 0) - before
    return stats


def _perform_all(app: Ungeforloeb, clock: SettableClock, todays: Iterator[Action],
                 stats: SimulationStats) -> None:
    counts = stats.commands
    for action in todays:
        clock.set(action.recorded_at)
        perform(app, action)
        counts[action.command] = counts.get(action.command, 0) + 1
        stats.last_recorded_at = action.recorded_at
