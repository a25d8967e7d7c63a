"""The benchmark's data: a synthetic municipality of a given size, made by the demo's generator.

A size of N events is hit by choosing how many young people have a first contact over
:data:`YEARS` years (from a small pilot of the same seed's generator) and then keeping the first N
actions in recording order: the municipality's history up to some moment. Almost every command
records one event (a message from an institution may record more), so N actions make a little
over N events; the measurements count the events stored.

Stores and logs are cached under ``.bench-cache/<events>-<seed>/`` (gitignored) so that reruns
do not rebuild them.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from ungeforloeb.simulation.generator import Action, Scenario, actions

YEARS = 4
"""Simulated years; people are scaled to hit the number of events."""
PILOT_PEOPLE = 400
ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("BENCH_CACHE", ROOT / ".bench-cache")).resolve()



@dataclass(frozen=True)
class Size:
    """A benchmark size: the number of events, the seed, and the scenario that yields them."""

    events: int
    seed: int
    people: int
    years: int
    as_of: str
    """The day of the last event recorded (the compliance and audit as-of date)."""
    person_years: float
    """Years on benefit summed over the young people (first contact to benefit end or cut)."""

    @property
    def scenario(self) -> Scenario:
        return Scenario(people=self.people, seed=self.seed, years=self.years)

    @property
    def dir(self) -> Path:
        return CACHE / f"{self.events}-{self.seed}"

    @property
    def store(self) -> Path:
        return self.dir / "store.sqlite"

    @property
    def log(self) -> Path:
        return self.dir / "log.jsonl"


def limited(size: Size) -> Iterator[Action]:
    """The first ``size.events`` actions of the size's scenario, in recording order."""
    return itertools.islice(actions(size.scenario), size.events)


def _people_for(events: int, seed: int) -> int:
    pilot = Scenario(people=PILOT_PEOPLE, seed=seed, years=YEARS)
    per_person = sum(1 for _ in actions(pilot)) / PILOT_PEOPLE
    return max(1, math.ceil(events / per_person * 1.08))


def size_for(events: int, seed: int = 1) -> Size:
    """The size of ``events`` events (from the cache's ``size.json`` when made before)."""
    meta = CACHE / f"{events}-{seed}" / "size.json"
    if meta.exists():
        return Size(**json.loads(meta.read_text()))
    people = _people_for(events, seed)
    while True:
        scenario = Scenario(people=people, seed=seed, years=YEARS)
        n = 0
        last: Action | None = None
        started: dict[str, date] = {}
        ended: dict[str, date] = {}
        for a in itertools.islice(actions(scenario), events):
            n += 1
            last = a
            if a.command == "register_first_contact":
                started[str(a.kwargs["young_person_id"])] = a.occurred_on
            elif a.command == "end_benefit":
                ended.setdefault(str(a.target), a.occurred_on)
        if n == events or people > events:
            break
        people = math.ceil(people * 1.2 * events / max(n, 1))
    assert last is not None
    cut = last.recorded_at.date()
    person_years = sum(((ended.get(k) or cut) - v).days for k, v in started.items()) / 365.25
    size = Size(events=n, seed=seed, people=people, years=YEARS, as_of=cut.isoformat(),
                person_years=round(person_years, 1))
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps(asdict(size), indent=1))
    return size
