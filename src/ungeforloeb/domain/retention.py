"""The retention case (fastholdelse): opened by a risk-of-dropout message from the institution.

This module holds the aggregate and its events; the exchange
(:mod:`ungeforloeb.exchange`) decides when one is opened and the rules judge the reaction duty.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from ungeforloeb.domain.base import (
    INSTITUTION_ID,
    CaseEvent,
    check_actor_id,
    check_bool,
    check_date,
    check_enum,
    check_id,
    check_not_before,
    check_not_in_future,
    check_pattern,
    check_uuid,
)
from ungeforloeb.domain.errors import CaseClosedError, InvalidCommandError
from ungeforloeb.domain.values import (
    ContactChannel,
    RetentionInitiative,
    RetentionOutcome,
    YouthActivity,
)


class RetentionCase(Aggregate):
    """Fastholdelsessag: what the municipality does after a risk-of-dropout message."""

    class Event(CaseEvent):
        """Base of the retention case's events."""

        def apply(self, aggregate: Any) -> None:
            aggregate._when(self)

    class RiskOfDropoutReported(Event, Aggregate.Created):
        """The institution reported that the young person risks dropping out (risiko for
        frafald); ``occurred_on`` is the day the institution noted it, ``received_on`` the day
        the municipality received it."""

        young_person_id: UUID
        order_id: UUID | None
        admission_id: str | None
        institution_id: str
        report_id: str
        received_on: date

    class InterruptionNoted(Event, Aggregate.Created):
        """The municipality learnt that the young person interrupted their education (afbrud,
        dropped out): ``occurred_on`` is the day of the interruption, ``received_on`` the day
        the municipality became aware of it. For a 15–17-year-old the youth effort's duties run
        from that day (contact, a new activity); the case records what was done, as after a
        risk-of-dropout message."""

        young_person_id: UUID
        order_id: UUID | None
        admission_id: str | None
        institution_id: str
        report_id: str
        received_on: date

    class NewActivityStarted(Event):
        """After an interruption the young person started a new activity (education, work or
        other activity)."""

        activity: YouthActivity

    class YoungPersonContacted(Event):
        """The municipality contacted the young person about the risk."""

        channel: ContactChannel

    class RetentionInitiativeDecided(Event):
        """A retention initiative was decided (with the institution or not)."""

        initiative: RetentionInitiative
        with_institution: bool

    class RetentionCaseClosed(Event):
        """The retention case was closed, with its outcome."""

        outcome: RetentionOutcome

    def __init__(self, occurred_on: date, recorded_by: str, young_person_id: UUID,
                 order_id: UUID | None, admission_id: str | None, institution_id: str,
                 report_id: str, received_on: date) -> None:
        self.young_person_id = young_person_id
        self.order_id = order_id
        self.admission_id = admission_id
        self.institution_id = institution_id
        self.reported_on = occurred_on
        self.received_on = received_on
        self.report_ids = [report_id]
        self.contacted_on: date | None = None
        self.closed_on: date | None = None

    def _when(self, event: CaseEvent) -> None:
        if isinstance(event, RetentionCase.YoungPersonContacted):
            self.contacted_on = self.contacted_on or event.occurred_on
        elif isinstance(event, RetentionCase.RetentionCaseClosed):
            self.closed_on = event.occurred_on

    @classmethod
    def open(cls, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
             young_person_id: UUID, institution_id: str, report_id: str, received_on: date,
             order_id: UUID | None = None, admission_id: str | None = None,
             case_id: UUID | None = None, interruption: bool = False) -> RetentionCase:
        """Open a retention case on a risk-of-dropout message (or, with ``interruption``, on
        the municipality learning of an interruption: command ``note_interruption``)."""
        command = "note_interruption" if interruption else "report_risk_of_dropout"
        check_date(command, "occurred_on", occurred_on)
        check_actor_id(command, "recorded_by", recorded_by)
        check_uuid(command, "young_person_id", young_person_id)
        if order_id is not None:
            check_uuid(command, "order_id", order_id)
        if admission_id is not None:
            check_id(command, "admission_id", admission_id)
        check_pattern(command, "institution_id", institution_id, INSTITUTION_ID,
                      "a six-digit institution number")
        check_id(command, "report_id", report_id)
        check_date(command, "received_on", received_on)
        if received_on < occurred_on:
            raise InvalidCommandError(command, "received_on", "on or after occurred_on",
                                      received_on)
        check_not_in_future(command, received_on, recorded_at, "received_on")
        opened = cls.InterruptionNoted if interruption else cls.RiskOfDropoutReported
        return cls._create(opened, id=case_id or uuid4(),
                           occurred_on=occurred_on, recorded_by=recorded_by,
                           young_person_id=young_person_id, order_id=order_id,
                           admission_id=admission_id, institution_id=institution_id,
                           report_id=report_id, received_on=received_on, timestamp=recorded_at)

    def _record(self, event_class: type[CaseEvent], command: str, occurred_on: date,
                recorded_by: str, recorded_at: datetime, **fields: Any) -> None:
        check_date(command, "occurred_on", occurred_on)
        check_actor_id(command, "recorded_by", recorded_by)
        if self.closed_on is not None:
            raise CaseClosedError(
                f"{command}: retention case {self.id} closed on {self.closed_on.isoformat()}; "
                f"{event_class.__name__} refused"
            )
        check_not_in_future(command, occurred_on, recorded_at)
        check_not_before(command, occurred_on, "RiskOfDropoutReported", self.reported_on,
                         "retention case", self.id)
        self.trigger_event(event_class, occurred_on=occurred_on, recorded_by=recorded_by,
                           timestamp=recorded_at, **fields)

    def contact_young_person(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                             channel: ContactChannel) -> None:
        """Record contact with the young person about the risk."""
        command = "contact_young_person"
        check_enum(command, "channel", channel, ContactChannel)
        self._record(self.YoungPersonContacted, command, occurred_on, recorded_by, recorded_at,
                     channel=channel)

    def start_new_activity(self, *, occurred_on: date, recorded_by: str,
                           recorded_at: datetime, activity: YouthActivity) -> None:
        """Record that the young person started a new activity."""
        command = "start_new_activity"
        check_enum(command, "activity", activity, YouthActivity)
        self._record(self.NewActivityStarted, command, occurred_on, recorded_by, recorded_at,
                     activity=activity)

    def decide_initiative(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                          initiative: RetentionInitiative, with_institution: bool) -> None:
        """Record a retention initiative."""
        command = "decide_retention_initiative"
        check_enum(command, "initiative", initiative, RetentionInitiative)
        check_bool(command, "with_institution", with_institution)
        self._record(self.RetentionInitiativeDecided, command, occurred_on, recorded_by,
                     recorded_at, initiative=initiative, with_institution=with_institution)

    def close(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
              outcome: RetentionOutcome) -> None:
        """Close the retention case."""
        command = "close_retention_case"
        check_enum(command, "outcome", outcome, RetentionOutcome)
        self._record(self.RetentionCaseClosed, command, occurred_on, recorded_by, recorded_at,
                     outcome=outcome)

    # =========================================================================================
    # Exchange (issue 5): a further risk-of-dropout report on an open retention case.
    # =========================================================================================

    class RiskOfDropoutReportedAgain(Event):
        """Another risk-of-dropout report arrived while the case was open. ``noted_on`` is the
        day the institution noted the risk, ``received_on`` the day the municipality got it;
        ``occurred_on`` is the day it joined the case: ``noted_on``, or the case's first report
        date when the report is older than the case (reports arrive out of order)."""

        noted_on: date
        institution_id: str
        report_id: str
        received_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.report_ids.append(self.report_id)

    def report_risk_again(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                          institution_id: str, report_id: str, received_on: date) -> None:
        """Record a further risk report on the open case; refused for a known report id.

        ``occurred_on`` is the day the institution noted the risk; it may be before the report
        that opened the case (reports arrive out of order): then the event joins the case on the
        case's first report date and keeps the real day in ``noted_on``."""
        command = "report_risk_again"
        check_date(command, "occurred_on", occurred_on)
        check_actor_id(command, "recorded_by", recorded_by)
        check_pattern(command, "institution_id", institution_id, INSTITUTION_ID,
                      "a six-digit institution number")
        check_id(command, "report_id", report_id)
        check_date(command, "received_on", received_on)
        if report_id in self.report_ids:
            raise InvalidCommandError(command, "report_id", "a report id not yet on the case",
                                      report_id)
        if self.closed_on is not None:
            raise CaseClosedError(
                f"{command}: retention case {self.id} closed on {self.closed_on.isoformat()}; "
                f"RiskOfDropoutReportedAgain refused")
        if received_on < occurred_on:
            raise InvalidCommandError(command, "received_on", "on or after occurred_on",
                                      received_on)
        check_not_in_future(command, received_on, recorded_at, "received_on")
        self.trigger_event(self.RiskOfDropoutReportedAgain,
                           occurred_on=max(occurred_on, self.reported_on),
                           recorded_by=recorded_by, timestamp=recorded_at, noted_on=occurred_on,
                           institution_id=institution_id, report_id=report_id,
                           received_on=received_on)
