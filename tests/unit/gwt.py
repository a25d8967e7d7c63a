"""A small given/when/then harness for the aggregates.

    YOUNG_PERSON.given(first_contact()) \\
        .when("hold_first_conversation", occurred_on=day(3)) \\
        .then(fact(YoungPerson.FirstConversationHeld, occurred_on=day(3)))

- ``given(*facts)`` — the events the aggregate has already recorded (built with :func:`fact`);
- ``when(command, **arguments)`` — call the command method (a class method when nothing is
  given, e.g. ``register_first_contact``); ``recorded_by`` and ``recorded_at`` default to
  :data:`CASEWORKER` and :data:`NOW`;
- ``then(*facts)`` — exactly these new events, with exactly these fields (``recorded_by``
  defaults to :data:`CASEWORKER`), recorded at ``recorded_at``;
- ``refused(Error, match=...)`` — the command raises, and the aggregate recorded nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ungeforloeb.domain import EducationOrder, RetentionCase, YoungPerson
from ungeforloeb.domain.catalogue import AGGREGATES, BY_CLASS

START = date(2024, 1, 1)
NOW = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
"""When the command under test is recorded; every ``day(n)`` below 154 is before it."""
TODAY = NOW.date()
CASEWORKER = "cw-1"

YOUNG_PERSON_ID = UUID("00000000-0000-4000-8000-000000000001")
ORDER_ID = UUID("00000000-0000-4000-8000-000000000002")
RETENTION_CASE_ID = UUID("00000000-0000-4000-8000-000000000003")

_ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


def day(n: int) -> date:
    """The ``n``-th day after 1 January 2024 (``day(0)`` is 1 January)."""
    return START + timedelta(days=n)


@dataclass(frozen=True)
class Fact:
    """An event class and its fields (``recorded_by`` defaults to the caseworker)."""

    cls: type[Any]
    fields: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {"recorded_by": CASEWORKER, **self.fields}


def fact(cls: type[Any], **fields: Any) -> Fact:
    return Fact(cls, fields)


def _aggregate_class(event_cls: type[Any]) -> type[Any]:
    name = BY_CLASS[event_cls].stream_type
    return next(a for a in AGGREGATES if a.__name__ == name)


def _payload(event: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(event).items() if k not in _ENVELOPE}


@dataclass(frozen=True)
class Scenario:
    """The aggregate class under test and the facts given so far."""

    aggregate_cls: type[Any]
    aggregate_id: UUID = YOUNG_PERSON_ID
    facts: tuple[Fact, ...] = ()

    def given(self, *facts: Fact) -> Scenario:
        return Scenario(self.aggregate_cls, self.aggregate_id, self.facts + facts)

    def build(self) -> Any:
        """The aggregate rebuilt from the given facts (None when none are given)."""
        aggregate: Any = None
        for version, f in enumerate(self.facts, start=1):
            kwargs = dict(f.payload())
            kwargs.setdefault("occurred_on", START)
            if issubclass(f.cls, Aggregate.Created):
                kwargs["originator_topic"] = get_topic(_aggregate_class(f.cls))
            event = f.cls(originator_id=self.aggregate_id, originator_version=version,
                          timestamp=datetime.combine(kwargs["occurred_on"], datetime.min.time(),
                                                     tzinfo=UTC), **kwargs)
            aggregate = event.mutate(aggregate)
        return aggregate

    def when(self, command: str, **arguments: Any) -> When:
        return When(self, command, arguments)


@dataclass
class When:
    scenario: Scenario
    command: str
    arguments: dict[str, Any]

    def _run(self) -> tuple[Any, list[Any]]:
        aggregate = self.scenario.build()
        kwargs = {"recorded_by": CASEWORKER, "recorded_at": NOW, **self.arguments}
        if aggregate is None:
            created = getattr(self.scenario.aggregate_cls, self.command)(**kwargs)
            return created, list(created.collect_events())
        getattr(aggregate, self.command)(**kwargs)
        return aggregate, list(aggregate.collect_events())

    def then(self, *expected: Fact) -> Any:
        """Assert the command recorded exactly ``expected``; returns the aggregate."""
        aggregate, events = self._run()
        got = [(type(e).__name__, _payload(e)) for e in events]
        want = [(f.cls.__name__, f.payload()) for f in expected]
        assert got == want
        at = self.arguments.get("recorded_at", NOW)
        assert all(e.timestamp == at for e in events)
        return aggregate

    def refused(self, error: type[BaseException], match: str) -> BaseException:
        """Assert the command raises ``error`` matching ``match`` and records nothing."""
        aggregate = self.scenario.build()
        kwargs = {"recorded_by": CASEWORKER, "recorded_at": NOW, **self.arguments}
        with pytest.raises(error, match=match) as info:
            if aggregate is None:
                getattr(self.scenario.aggregate_cls, self.command)(**kwargs)
            else:
                getattr(aggregate, self.command)(**kwargs)
        if aggregate is not None:
            assert list(aggregate.collect_events()) == []
        return info.value


YOUNG_PERSON = Scenario(YoungPerson, YOUNG_PERSON_ID)
EDUCATION_ORDER = Scenario(EducationOrder, ORDER_ID)
RETENTION_CASE = Scenario(RetentionCase, RETENTION_CASE_ID)
