"""The domain: three event-sourced aggregates and the facts they record.

Imports nothing outside ``ungeforloeb.domain`` except the eventsourcing library.
"""

from ungeforloeb.domain.education_order import EducationOrder
from ungeforloeb.domain.errors import (
    DomainError,
    EventOutOfOrderError,
    InvalidCommandError,
    OrderClosedError,
)
from ungeforloeb.domain.retention import RetentionCase
from ungeforloeb.domain.young_person import YoungPerson

__all__ = [
    "DomainError",
    "EducationOrder",
    "EventOutOfOrderError",
    "InvalidCommandError",
    "OrderClosedError",
    "RetentionCase",
    "YoungPerson",
]
