"""The demo's seeded simulation of a municipality (:mod:`ungeforloeb.simulation.generator`)."""

from ungeforloeb.simulation.generator import (
    Action,
    Scenario,
    SimulationStats,
    actions,
    perform,
    simulate,
)

__all__ = ["Action", "Scenario", "SimulationStats", "actions", "perform", "simulate"]
