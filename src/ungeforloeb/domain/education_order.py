"""The education order (uddannelsespålæg), steps 1–3, its deadlines and the admissions under it.

Steps need not happen in order (a young person may be admitted before proposing a wish), but some
facts depend on others: an education starts only after an admission, completes or is interrupted
only after it started, and nothing is recorded on an order after it ended.

An order may see several admissions (e.g. interrupted, then admitted elsewhere); each admission is
named by ``admission_id`` (for admissions reported through UDB, the report's id).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from ungeforloeb.domain.base import (
    EDUCATION_CODE,
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
from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError, OrderClosedError
from ungeforloeb.domain.exchange_values import FurtherInformationChannel
from ungeforloeb.domain.values import (
    ContactKind,
    DeadlineMoveReason,
    InterruptionReason,
    OrderEndReason,
    OrderStep,
)


class Enrolment:
    """State of one admission under the order (not an event; the aggregate's bookkeeping)."""

    __slots__ = ("admitted_on", "completed_on", "education_code", "institution_id",
                 "interrupted_on", "qualifying", "started_on", "starts_on")

    def __init__(self, admitted_on: date, institution_id: str, education_code: str,
                 starts_on: date, qualifying: bool | None = None) -> None:
        self.admitted_on = admitted_on
        self.qualifying = qualifying
        self.institution_id = institution_id
        self.education_code = education_code
        self.starts_on = starts_on
        self.started_on: date | None = None
        self.completed_on: date | None = None
        self.interrupted_on: date | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Enrolment) and all(
            getattr(self, s) == getattr(other, s) for s in self.__slots__
        )

    def __repr__(self) -> str:
        return "Enrolment(" + ", ".join(f"{s}={getattr(self, s)!r}" for s in self.__slots__) + ")"


class EducationOrder(Aggregate):
    """Uddannelsespålæg: the order to start an education, in three steps (trin 1–3)."""

    class Event(CaseEvent):
        """Base of the education order's events."""

        def apply(self, aggregate: Any) -> None:
            aggregate._when(self)

    class OrderIssued(Event, Aggregate.Created):
        """The education order was issued to the young person (givet uddannelsespålæg)."""

        young_person_id: UUID
        step: OrderStep

    class StepDeadlineSet(Event):
        """A deadline was set for a step of the order (frist for trin)."""

        step: OrderStep
        deadline: date

    class StepDeadlineMoved(Event):
        """A step's deadline was moved, with a reason code (fristen flyttet)."""

        step: OrderStep
        deadline: date
        reason: DeadlineMoveReason

    class EducationWishProposed(Event):
        """Trin 1: the young person proposed an education wish."""

        education_code: str

    class ApplicationSubmitted(Event):
        """Trin 2: the young person applied for admission."""

        institution_id: str
        education_code: str

    class Admitted(Event):
        """The young person was admitted (optaget) to an education; whether it is qualifying
        ("studie- eller erhvervskompetencegivende": the admission duties apply only then),
        ``None`` when the source did not say (an institution message lacks the flag: a
        data-quality item, never guessed).

        Schema version 2 added ``qualifying``; ``upcast_v1_v2`` gives a v1 state ``None``."""

        class_version = 2

        admission_id: str
        institution_id: str
        education_code: str
        starts_on: date
        qualifying: bool | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 → v2: ``qualifying`` added, unknown in an older record."""
            state["qualifying"] = None

    class AdmissionQualifyingRecorded(Event):
        """The caseworker settled whether an admitted education is qualifying ("studie- eller
        erhvervskompetencegivende") where the admission did not say (an institution message
        that lacked the flag): from this day the admission's duties follow the recorded value,
        and the data-quality item ``exchange.dq.qualifying_unknown`` closes."""

        admission_id: str
        qualifying: bool

    class DutyToStartAssessed(Event):
        """The municipality assessed whether the young person is ordered to start and complete
        the education they were admitted to (pligt til at påbegynde og gennemføre)."""

        admission_id: str
        ordered_to_start_and_complete: bool

    class EducationStarted(Event):
        """The young person started the education of an admission (uddannelsesstart)."""

        admission_id: str

    class EducationCompleted(Event):
        """The education of an admission was completed (gennemført)."""

        admission_id: str

    class EducationInterrupted(Event):
        """The education of an admission was interrupted (afbrudt)."""

        admission_id: str
        reason: InterruptionReason

    class OrderEnded(Event):
        """The education order ended."""

        reason: OrderEndReason

    class SupportAssessed(Event):
        """The municipality assessed the support needs of a young person with an order who was
        admitted (rule ``x22_support_assessed``), by the predefined options only — never free
        text."""

        admission_id: str
        academic_support: bool
        social_support: bool
        needs_documented: bool
        no_support_need: bool
        other_support_persons: bool
        wants_institution_contact: bool
        contact_kind: ContactKind
        contact_id: str

    class InstitutionNotified(Event):
        """The institution was sent the structured notification (DataTilInstitution) about an
        admission; ``message_id`` names the outbound message."""

        admission_id: str
        institution_id: str
        message_id: str

    class ContactExchanged(Event):
        """The institution's contact person or team arrived (IndberetInstitutionKontakt)."""

        admission_id: str | None
        institution_id: str
        contact_kind: ContactKind
        contact_id: str
        message_id: str
        received_on: date

    class ReceiptReceived(Event):
        """The institution acknowledged an outbound message (modtagelseskvittering), naming the
        responsible worker or team."""

        in_reply_to: str
        institution_id: str
        responsible_kind: ContactKind
        responsible_id: str
        message_id: str
        received_on: date

    # ------------------------------------------------------------------ state

    def __init__(self, occurred_on: date, recorded_by: str, young_person_id: UUID,
                 step: OrderStep) -> None:
        self.issued_on = occurred_on
        self.young_person_id = young_person_id
        self.step = step
        self.deadlines: dict[OrderStep, date] = {}
        self.enrolments: dict[str, Enrolment] = {}
        self.ended_on: date | None = None
        self.notified_messages: set[str] = set()
        """Ids of the DataTilInstitution messages sent (``InstitutionNotified``)."""

    def _when(self, event: CaseEvent) -> None:
        if isinstance(event, (EducationOrder.StepDeadlineSet, EducationOrder.StepDeadlineMoved)):
            self.deadlines[event.step] = event.deadline
        elif isinstance(event, EducationOrder.EducationWishProposed):
            self.step = max(self.step, OrderStep.APPLY, key=lambda s: s.value)
        elif isinstance(event, EducationOrder.ApplicationSubmitted | EducationOrder.Admitted):
            self.step = OrderStep.START_AND_COMPLETE if isinstance(
                event, EducationOrder.Admitted) else max(
                self.step, OrderStep.APPLY, key=lambda s: s.value)
            if isinstance(event, EducationOrder.Admitted):
                self.enrolments[event.admission_id] = Enrolment(
                    event.occurred_on, event.institution_id, event.education_code,
                    event.starts_on, event.qualifying)
        elif isinstance(event, EducationOrder.AdmissionQualifyingRecorded):
            self.enrolments[event.admission_id].qualifying = event.qualifying
        elif isinstance(event, EducationOrder.EducationStarted):
            self.enrolments[event.admission_id].started_on = event.occurred_on
        elif isinstance(event, EducationOrder.EducationCompleted):
            self.enrolments[event.admission_id].completed_on = event.occurred_on
        elif isinstance(event, EducationOrder.EducationInterrupted):
            self.enrolments[event.admission_id].interrupted_on = event.occurred_on
        elif isinstance(event, EducationOrder.OrderEnded):
            self.ended_on = event.occurred_on
        elif isinstance(event, EducationOrder.InstitutionNotified):
            self.notified_messages.add(event.message_id)

    # --------------------------------------------------------------- commands

    @classmethod
    def issue(cls, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
              young_person_id: UUID, step: OrderStep = OrderStep.PROPOSE_WISH,
              order_id: UUID | None = None) -> EducationOrder:
        """Issue an education order to a young person, starting at ``step``."""
        command = "issue_order"
        check_date(command, "occurred_on", occurred_on)
        check_actor_id(command, "recorded_by", recorded_by)
        check_uuid(command, "young_person_id", young_person_id)
        check_enum(command, "step", step, OrderStep)
        check_not_in_future(command, occurred_on, recorded_at)
        return cls._create(cls.OrderIssued, id=order_id or uuid4(), occurred_on=occurred_on,
                           recorded_by=recorded_by, young_person_id=young_person_id, step=step,
                           timestamp=recorded_at)

    def _record(self, event_class: type[CaseEvent], command: str, occurred_on: date,
                recorded_by: str, recorded_at: datetime, **fields: Any) -> None:
        check_date(command, "occurred_on", occurred_on)
        check_actor_id(command, "recorded_by", recorded_by)
        if self.ended_on is not None:
            raise OrderClosedError(
                f"{command}: order {self.id} ended on {self.ended_on.isoformat()}; "
                f"{event_class.__name__} refused"
            )
        check_not_in_future(command, occurred_on, recorded_at)
        check_not_before(command, occurred_on, "OrderIssued", self.issued_on, "order", self.id)
        self.trigger_event(event_class, occurred_on=occurred_on, recorded_by=recorded_by,
                           timestamp=recorded_at, **fields)

    def _enrolment(self, command: str, event_name: str, admission_id: str) -> Enrolment:
        check_id(command, "admission_id", admission_id)
        enrolment = self.enrolments.get(admission_id)
        if enrolment is None:
            raise EventOutOfOrderError(
                f"{command}: {event_name} before Admitted for order {self.id} "
                f"(admission {admission_id})"
            )
        return enrolment

    def _not_before_admission(self, command: str, occurred_on: date,
                              enrolment: Enrolment) -> None:
        check_not_before(command, occurred_on, "Admitted", enrolment.admitted_on, "order",
                         self.id)

    def set_step_deadline(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                          step: OrderStep, deadline: date) -> None:
        """Set the deadline of a step; refused if one is set (move it instead)."""
        command = "set_step_deadline"
        check_enum(command, "step", step, OrderStep)
        check_date(command, "deadline", deadline)
        if step in self.deadlines:
            raise EventOutOfOrderError(
                f"{command}: StepDeadlineSet for step {step.value} already recorded for order "
                f"{self.id}; use move_step_deadline"
            )
        check_not_before(command, deadline, "StepDeadlineSet (the day it was set)", occurred_on,
                         "order", self.id)
        self._record(self.StepDeadlineSet, command, occurred_on, recorded_by, recorded_at,
                     step=step, deadline=deadline)

    def move_step_deadline(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                           step: OrderStep, deadline: date, reason: DeadlineMoveReason) -> None:
        """Move a step's deadline, giving a reason code."""
        command = "move_step_deadline"
        check_enum(command, "step", step, OrderStep)
        check_date(command, "deadline", deadline)
        check_enum(command, "reason", reason, DeadlineMoveReason)
        if step not in self.deadlines:
            raise EventOutOfOrderError(
                f"{command}: StepDeadlineMoved before StepDeadlineSet for step {step.value} "
                f"of order {self.id}"
            )
        check_not_before(command, deadline, "StepDeadlineMoved (the day it was moved)",
                         occurred_on, "order", self.id)
        self._record(self.StepDeadlineMoved, command, occurred_on, recorded_by, recorded_at,
                     step=step, deadline=deadline, reason=reason)

    def propose_wish(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                     education_code: str) -> None:
        """Trin 1: record an education wish."""
        command = "propose_wish"
        check_pattern(command, "education_code", education_code, EDUCATION_CODE,
                      "an education code")
        self._record(self.EducationWishProposed, command, occurred_on, recorded_by, recorded_at,
                     education_code=education_code)

    def submit_application(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                           institution_id: str, education_code: str) -> None:
        """Trin 2: record an application for admission."""
        command = "submit_application"
        check_pattern(command, "institution_id", institution_id, INSTITUTION_ID,
                      "a six-digit institution number")
        check_pattern(command, "education_code", education_code, EDUCATION_CODE,
                      "an education code")
        self._record(self.ApplicationSubmitted, command, occurred_on, recorded_by, recorded_at,
                     institution_id=institution_id, education_code=education_code)

    def admit(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
              admission_id: str, institution_id: str, education_code: str,
              starts_on: date, qualifying: bool | None = None) -> None:
        """Record an admission; refused if ``admission_id`` is already known. ``qualifying``
        ``None`` only from an institution message that lacks it (the command API refuses it:
        :meth:`ungeforloeb.application.app.UngeforloebApp.admit`)."""
        command = "admit"
        if qualifying is not None:
            check_bool(command, "qualifying", qualifying)
        check_id(command, "admission_id", admission_id)
        check_pattern(command, "institution_id", institution_id, INSTITUTION_ID,
                      "a six-digit institution number")
        check_pattern(command, "education_code", education_code, EDUCATION_CODE,
                      "an education code")
        check_date(command, "starts_on", starts_on)
        if admission_id in self.enrolments:
            raise EventOutOfOrderError(
                f"{command}: Admitted for admission {admission_id} already recorded for order "
                f"{self.id}"
            )
        self._record(self.Admitted, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id, institution_id=institution_id,
                     education_code=education_code, starts_on=starts_on, qualifying=qualifying)

    def record_admission_qualifying(self, *, occurred_on: date, recorded_by: str,
                                    recorded_at: datetime, admission_id: str,
                                    qualifying: bool) -> None:
        """Settle whether an admitted education is qualifying where the admission did not say;
        refused for an unknown admission or one whose flag is already known."""
        command = "record_admission_qualifying"
        check_id(command, "admission_id", admission_id)
        check_bool(command, "qualifying", qualifying)
        enrolment = self.enrolments.get(admission_id)
        if enrolment is None:
            raise InvalidCommandError(command, "admission_id",
                                      f"an admission recorded on order {self.id}", admission_id)
        if enrolment.qualifying is not None:
            known = "qualifying" if enrolment.qualifying else "not qualifying"
            raise EventOutOfOrderError(
                f"{command}: field 'admission_id': admission {admission_id} of order {self.id} "
                f"is already recorded as {known}; the flag is settled only where the admission "
                f"did not say")
        self._not_before_admission(command, occurred_on, enrolment)
        self._record(self.AdmissionQualifyingRecorded, command, occurred_on, recorded_by,
                     recorded_at, admission_id=admission_id, qualifying=qualifying)

    def assess_duty_to_start(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                             admission_id: str, ordered_to_start_and_complete: bool) -> None:
        """Record the assessment of the duty to start and complete an admitted education."""
        command = "assess_duty_to_start"
        enrolment = self._enrolment(command, "DutyToStartAssessed", admission_id)
        check_bool(command, "ordered_to_start_and_complete", ordered_to_start_and_complete)
        self._not_before_admission(command, occurred_on, enrolment)
        self._record(self.DutyToStartAssessed, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id,
                     ordered_to_start_and_complete=ordered_to_start_and_complete)

    def start_education(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                        admission_id: str) -> None:
        """Record the start of an admitted education."""
        command = "start_education"
        enrolment = self._enrolment(command, "EducationStarted", admission_id)
        if enrolment.started_on is not None:
            raise EventOutOfOrderError(
                f"{command}: EducationStarted already recorded for admission {admission_id} of "
                f"order {self.id}"
            )
        self._not_before_admission(command, occurred_on, enrolment)
        self._record(self.EducationStarted, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id)

    def _require_active(self, command: str, event_name: str, admission_id: str) -> Enrolment:
        enrolment = self._enrolment(command, event_name, admission_id)
        if enrolment.started_on is None:
            raise EventOutOfOrderError(
                f"{command}: {event_name} before EducationStarted for order {self.id} "
                f"(admission {admission_id})"
            )
        if enrolment.completed_on is not None or enrolment.interrupted_on is not None:
            raise EventOutOfOrderError(
                f"{command}: {event_name} after the education ended for order {self.id} "
                f"(admission {admission_id})"
            )
        return enrolment

    def complete_education(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                           admission_id: str) -> None:
        """Record completion of a started education."""
        command = "complete_education"
        enrolment = self._require_active(command, "EducationCompleted", admission_id)
        assert enrolment.started_on is not None
        check_not_before(command, occurred_on, "EducationStarted", enrolment.started_on,
                         "order", self.id)
        self._record(self.EducationCompleted, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id)

    def interrupt_education(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                            admission_id: str, reason: InterruptionReason) -> None:
        """Record interruption of a started education."""
        command = "interrupt_education"
        enrolment = self._require_active(command, "EducationInterrupted", admission_id)
        check_enum(command, "reason", reason, InterruptionReason)
        assert enrolment.started_on is not None
        check_not_before(command, occurred_on, "EducationStarted", enrolment.started_on,
                         "order", self.id)
        self._record(self.EducationInterrupted, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id, reason=reason)

    def end(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
            reason: OrderEndReason) -> None:
        """End the order; nothing more may be recorded on it."""
        command = "end_order"
        check_enum(command, "reason", reason, OrderEndReason)
        self._record(self.OrderEnded, command, occurred_on, recorded_by, recorded_at,
                     reason=reason)

    # ------------------------------------------------ exchange (rules x22_*)

    def assess_support(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                       admission_id: str, academic_support: bool, social_support: bool,
                       needs_documented: bool, no_support_need: bool,
                       other_support_persons: bool, wants_institution_contact: bool,
                       contact_kind: ContactKind, contact_id: str) -> None:
        """Record the support assessment of an admission, by the predefined options only."""
        command = "assess_support"
        enrolment = self._enrolment(command, "SupportAssessed", admission_id)
        flags = {
            "academic_support": academic_support, "social_support": social_support,
            "needs_documented": needs_documented, "no_support_need": no_support_need,
            "other_support_persons": other_support_persons,
            "wants_institution_contact": wants_institution_contact,
        }
        for name, value in flags.items():
            check_bool(command, name, value)
        if no_support_need and (academic_support or social_support):
            raise InvalidCommandError(
                command, "no_support_need",
                "False when academic_support or social_support is True", no_support_need)
        check_enum(command, "contact_kind", contact_kind, ContactKind)
        check_actor_id(command, "contact_id", contact_id)
        self._not_before_admission(command, occurred_on, enrolment)
        self._record(self.SupportAssessed, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id, contact_kind=contact_kind,
                     contact_id=contact_id, **flags)

    def notify_institution(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                           admission_id: str, message_id: str) -> None:
        """Record that the structured notification was sent to the admitting institution."""
        command = "notify_institution"
        enrolment = self._enrolment(command, "InstitutionNotified", admission_id)
        check_id(command, "message_id", message_id)
        self._not_before_admission(command, occurred_on, enrolment)
        self._record(self.InstitutionNotified, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id, institution_id=enrolment.institution_id,
                     message_id=message_id)

    def exchange_contact(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                         institution_id: str, contact_kind: ContactKind, contact_id: str,
                         message_id: str, received_on: date,
                         admission_id: str | None = None) -> None:
        """Record the institution's contact person or team."""
        command = "exchange_contact"
        if admission_id is not None:
            self._enrolment(command, "ContactExchanged", admission_id)
        check_pattern(command, "institution_id", institution_id, INSTITUTION_ID,
                      "a six-digit institution number")
        check_enum(command, "contact_kind", contact_kind, ContactKind)
        check_actor_id(command, "contact_id", contact_id)
        check_id(command, "message_id", message_id)
        check_date(command, "received_on", received_on)
        self._record(self.ContactExchanged, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id, institution_id=institution_id,
                     contact_kind=contact_kind, contact_id=contact_id, message_id=message_id,
                     received_on=received_on)

    def receive_receipt(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                        in_reply_to: str, institution_id: str, responsible_kind: ContactKind,
                        responsible_id: str, message_id: str, received_on: date) -> None:
        """Record the institution's receipt of an outbound message."""
        command = "receive_receipt"
        check_id(command, "in_reply_to", in_reply_to)
        check_pattern(command, "institution_id", institution_id, INSTITUTION_ID,
                      "a six-digit institution number")
        check_enum(command, "responsible_kind", responsible_kind, ContactKind)
        check_actor_id(command, "responsible_id", responsible_id)
        check_id(command, "message_id", message_id)
        check_date(command, "received_on", received_on)
        self._record(self.ReceiptReceived, command, occurred_on, recorded_by, recorded_at,
                     in_reply_to=in_reply_to, institution_id=institution_id,
                     responsible_kind=responsible_kind, responsible_id=responsible_id,
                     message_id=message_id, received_on=received_on)

    # =========================================================================================
    # Exchange with the institution (issue 5): what went beyond the structured message, and
    # the young person's Jobnet letter. Codes, ids and dates only: the content never enters.
    # =========================================================================================

    class FurtherInformationSent(Event):
        """Information beyond the predefined options was given to the institution about an
        admission (000:257–262), by ``channel`` on ``occurred_on``. Only that it
        happened is recorded; the content never enters the library."""

        admission_id: str
        channel: FurtherInformationChannel

    class JobnetLetterSent(Event):
        """The young person was sent a letter in Jobnet saying what was sent to the institution
        in the outbound message ``message_id`` (000:204)."""

        admission_id: str
        message_id: str

    def record_further_information(self, *, occurred_on: date, recorded_by: str,
                                   recorded_at: datetime, admission_id: str,
                                   channel: FurtherInformationChannel) -> None:
        """Record that further information was given by secure mail or phone on a date."""
        command = "record_further_information"
        enrolment = self._enrolment(command, "FurtherInformationSent", admission_id)
        check_enum(command, "channel", channel, FurtherInformationChannel)
        self._not_before_admission(command, occurred_on, enrolment)
        self._record(self.FurtherInformationSent, command, occurred_on, recorded_by,
                     recorded_at, admission_id=admission_id, channel=channel)

    def record_jobnet_letter(self, *, occurred_on: date, recorded_by: str,
                             recorded_at: datetime, admission_id: str, message_id: str) -> None:
        """Record that the Jobnet letter about the outbound message ``message_id`` was sent."""
        command = "record_jobnet_letter"
        enrolment = self._enrolment(command, "JobnetLetterSent", admission_id)
        check_id(command, "message_id", message_id)
        self._not_before_admission(command, occurred_on, enrolment)
        self._record(self.JobnetLetterSent, command, occurred_on, recorded_by, recorded_at,
                     admission_id=admission_id, message_id=message_id)
