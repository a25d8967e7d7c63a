"""The application layer: the eventsourcing Application, its clock, identities and persistence."""

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.clock import SettableClock, system_clock

__all__ = ["SettableClock", "Ungeforloeb", "system_clock"]
