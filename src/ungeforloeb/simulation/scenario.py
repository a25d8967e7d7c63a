"""What a simulation is of: how many people, which years, which seed; and what they share."""

from __future__ import annotations

from datetime import date

import attrs

from ungeforloeb.simulation.calendar import WorkCalendar


@attrs.frozen
class Scenario:
    """What to simulate: how many people, from which year, for how many years, which seed."""

    people: int = 500
    seed: int = 1
    year: int = 2024
    years: int = 1
    municipality_code: str = "101"

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        """The last simulated day: nothing is recorded after it."""
        return date(self.year + self.years - 1, 12, 31)

    @property
    def caseworkers(self) -> int:
        """About 35 new cases a year per caseworker, at least four."""
        return max(4, round(self.people / self.years / 35))


class World:
    """What the people of a scenario share: the calendar, the caseworkers and their teams."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.cal = WorkCalendar(scenario.year - 1, scenario.year + scenario.years + 1)
        n = scenario.caseworkers
        teams = max(2, min(6, round(n / 5)))
        self.caseworkers: tuple[tuple[str, str], ...] = tuple(
            (f"cw-{k + 1:03d}", f"team-{k % teams + 1}") for k in range(n))
