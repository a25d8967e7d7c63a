"""The exchange policy: applying the institutions' reports to cases, and the notices sent.

An application policy with typed calls (:class:`ExchangePolicy`), given the application as a
:class:`Cases` port; the application (:class:`ungeforloeb.application.app.Ungeforloeb`) offers
its commands under the same names. The exchange's wire contract (messages, codec, code lists,
letter) is :mod:`ungeforloeb.exchange`; the law it follows (who is notified, when the
subscription opens) is rule data, judged by :mod:`ungeforloeb.rules`.

Inbound: :meth:`ExchangePolicy.receive_institution_message` records every report with its
provenance on the young person (``InstitutionReportReceived``, once per report id: receiving is
idempotent), routed to the municipality's designated recipient, and then applies what it says
to the case where the case allows it (an admission to the open order, a completion to the
matching started education, a risk message to a retention case, a contact or receipt to the
order). A report the case cannot take yet stays *pending* — nothing is corrected silently: the
data-quality checks show it — and is applied when what it needs arrives
(:meth:`ExchangePolicy.apply_pending_reports` runs after every report and after a caseworker
records a start).

Outbound: :meth:`ExchangePolicy.send_data_til_institution` builds the DataTilInstitution
message from the recorded support assessment and duty assessment, addresses it through the
identity record at that moment, records ``InstitutionNotified`` and ``JobnetLetterSent``, and
returns the message and the letter for the vendor's transport to send.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate

from ungeforloeb.application.identity import IdentityRecord
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.base import check_actor_id, check_date
from ungeforloeb.domain.education_order import EducationOrder, Enrolment
from ungeforloeb.domain.errors import DomainError, EventOutOfOrderError, InvalidCommandError
from ungeforloeb.domain.exchange_values import (
    FurtherInformationChannel,
    ReportKind,
    SubscriptionRefusal,
)
from ungeforloeb.domain.retention import RetentionCase
from ungeforloeb.domain.values import ContactKind, InterruptionReason
from ungeforloeb.domain.young_person import YoungPerson
from ungeforloeb.exchange import codelists
from ungeforloeb.exchange.letter import AUTHORITY_WORD, JobnetLetter, jobnet_letter
from ungeforloeb.exchange.messages import (
    Afbrydelse,
    Contact,
    DataTilInstitution,
    Gennemfoerelse,
    InboundMessage,
    IndberetInstitutionKontakt,
    Modtagelseskvittering,
    Optagelse,
    RisikoForFrafald,
)
from ungeforloeb.exchange.routing import Recipient, Routing
from ungeforloeb.rules.eligibility import first_unmet
from ungeforloeb.rules.evaluate import evaluate
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.rules.verdict import Status

UDB = "udb"
"""``recorded_by`` of what arrives through Ungedatabasen."""

_APPLY_ORDER = {ReportKind.ADMISSION: 0, ReportKind.INSTITUTION_CONTACT: 1,
                ReportKind.RECEIPT: 2, ReportKind.RISK_OF_DROPOUT: 3,
                ReportKind.COMPLETION: 4, ReportKind.INTERRUPTION: 5}
"""Pending reports are tried in (occurred_on, this rank, report id) order."""


@attrs.frozen
class Received:
    """What receiving one inbound message did."""

    report_id: str
    duplicate: bool
    """True when the report id had been received before (nothing was recorded)."""
    applied: tuple[str, ...]
    """Report ids applied to the case by this call (this one and earlier pending ones)."""
    pending: tuple[str, ...]
    """Report ids of this young person still waiting for what they need."""


@attrs.frozen
class Dispatch:
    """An outbound message, recorded as sent, and the young person's Jobnet letter."""

    message: DataTilInstitution
    letter: JobnetLetter


def _fields(message: InboundMessage) -> dict[str, Any]:
    """The report event's fields that depend on the message type."""
    out: dict[str, Any] = {}
    if isinstance(message, Optagelse | Gennemfoerelse | Afbrydelse | RisikoForFrafald):
        out["education_code"] = message.education_code
    if isinstance(message, Optagelse):
        out["starts_on"] = message.starts_on
    if isinstance(message, Optagelse | RisikoForFrafald):
        out["school_municipality_code"] = message.school_municipality_code
    if isinstance(message, Afbrydelse):
        out["reason_code"] = message.reason_code
    if isinstance(message, IndberetInstitutionKontakt):
        out["contact_kind"] = message.contact.kind
        out["contact_id"] = message.contact.contact_id
    if isinstance(message, Modtagelseskvittering):
        out["contact_kind"] = message.responsible.kind
        out["contact_id"] = message.responsible.contact_id
        out["in_reply_to"] = message.in_reply_to
    return out


def interruption_reason(code: str) -> InterruptionReason:
    """The domain's reason for a UDB interruption-reason code (configurable code list)."""
    return InterruptionReason(codelists.load("afbrudsaarsager").codes[code].maps_to)


class Cases(Protocol):
    """The application as the exchange policy uses it: typed calls on its cases, its store and
    its clock (implemented by the application; see :mod:`ungeforloeb.application.app`)."""

    def person(self, young_person_id: UUID, command: str) -> YoungPerson:
        """The young person, or :class:`~ungeforloeb.domain.errors.UnknownCaseError`."""
        ...

    def order(self, order_id: UUID, command: str) -> EducationOrder:
        """The education order, or :class:`~ungeforloeb.domain.errors.UnknownCaseError`."""
        ...

    def retention_case(self, case_id: UUID, command: str) -> RetentionCase:
        """The retention case, or :class:`~ungeforloeb.domain.errors.UnknownCaseError`."""
        ...

    def streams_of(self, young_person_id: UUID) -> list[UUID]:
        """The ids of the young person's orders and retention cases (stored or held)."""
        ...

    def events_of(self, aggregate: Aggregate) -> list[Any]:
        """The aggregate's stored and not yet saved events, in order."""
        ...

    def records_of(self, *aggregates: Aggregate) -> list[EventRecord]:
        """The aggregates' events as light records (for the case view)."""
        ...

    def identity(self, young_person_id: UUID) -> IdentityRecord | None:
        """The identity record (to address a message), if kept and not erased."""
        ...

    def save(self, *aggregates: Aggregate) -> Any:
        """Save the aggregates' new events (now, or at the end of an open batch)."""
        ...

    def now(self) -> datetime:
        """The application's clock: the moment recorded as ``recorded_at``."""
        ...


class ExchangePolicy:
    """The exchange's commands and the policy that applies institution reports to cases."""

    def __init__(self, cases: Cases, routing: Routing | None = None) -> None:
        self._cases = cases
        self._routing = routing or Routing()

    # ------------------------------------------------------------------ settings

    @property
    def routing(self) -> Routing:
        """The designated recipients (per municipality) of the institutions' messages."""
        return self._routing

    def designate_recipient(self, municipality_code: str, *, kind: ContactKind,
                            recipient_id: str) -> None:
        """Designate the person or team who receives the institutions' messages for the
        municipality (000:398–403). Routing is decided when a report arrives and recorded in it.
        """
        self._routing = self._routing.designate(municipality_code,
                                                Recipient(kind, recipient_id))

    def use_routing(self, routing: Routing) -> None:
        """Use ``routing`` (e.g. :func:`ungeforloeb.exchange.routing.load_routing`) for the
        reports received from now on."""
        if not isinstance(routing, Routing):
            raise InvalidCommandError("use_routing", "routing", "a Routing", routing)
        self._routing = routing

    # ------------------------------------------------------------------ lookups

    def orders_of(self, young_person_id: UUID) -> list[EducationOrder]:
        """The young person's education orders, oldest first."""
        out = []
        for sid in self._cases.streams_of(young_person_id):
            try:
                out.append(self._cases.order(sid, "orders_of"))
            except DomainError:
                continue
        out.sort(key=lambda o: (o.issued_on, str(o.id)))
        return out

    def retention_cases_of(self, young_person_id: UUID) -> list[RetentionCase]:
        """The young person's retention cases, oldest first."""
        out = []
        for sid in self._cases.streams_of(young_person_id):
            try:
                out.append(self._cases.retention_case(sid, "retention_cases_of"))
            except DomainError:
                continue
        out.sort(key=lambda c: (c.reported_on, str(c.id)))
        return out

    # ------------------------------------------------------------------ inbound

    def receive_institution_message(self, message: InboundMessage, *,
                                    recorded_by: str = UDB) -> Received:
        """Receive one inbound message: record it with its provenance (once per report id),
        routed to the designated recipient, then apply it and any pending reports."""
        cases = self._cases
        command = "receive_institution_message"
        check_actor_id(command, "recorded_by", recorded_by)
        person = cases.person(message.young_person_id, command)
        prov = message.provenance
        route = self._routing.route(person.municipality_code, person.team_id)
        recorded = person.receive_institution_report(
            occurred_on=prov.occurred_on, recorded_by=recorded_by, recorded_at=cases.now(),
            report_id=prov.haendelse_nummer, kind=message.kind,
            institution_id=prov.institution_id, system_id=prov.system_id, entry=prov.entry,
            received_on=prov.received_on,
            recipient_kind=route.kind if route else None,
            recipient_id=route.recipient_id if route else None,
            **_fields(message))
        cases.save(person)
        if not recorded:
            # A resend: a conflicting one is recorded if its content differs; retry reports
            # still pending (a crash may have fallen between storing and applying them).
            applied = self._apply_pending(person, recorded_by) if person.pending_reports else ()
        else:
            applied = self._apply_pending(person, recorded_by)
        return Received(prov.haendelse_nummer, not recorded, applied,
                        tuple(sorted(person.pending_reports)))

    def receive_inbound(self, young_person_id: UUID, *, occurred_on: date, recorded_by: str,
                        message: InboundMessage) -> Received:
        """:meth:`receive_institution_message` in the shape of the other commands (target,
        ``occurred_on``, ``recorded_by``), for scripted callers such as the simulation."""
        command = "receive_inbound"
        if message.young_person_id != young_person_id:
            raise InvalidCommandError(command, "message", f"a message for {young_person_id}",
                                      message.young_person_id)
        if message.provenance.occurred_on != occurred_on:
            raise InvalidCommandError(command, "occurred_on", "the message's occurred_on",
                                      occurred_on)
        return self.receive_institution_message(message, recorded_by=recorded_by)

    def receive_all(self, messages: Iterable[InboundMessage], *,
                    recorded_by: str = UDB) -> Iterator[Received]:
        """Receive messages one by one (a nightly batch from UDB)."""
        for message in messages:
            yield self.receive_institution_message(message, recorded_by=recorded_by)

    def apply_pending_reports(self, young_person_id: UUID, *,
                              recorded_by: str = UDB) -> tuple[str, ...]:
        """Apply the young person's received reports that the case can now take (e.g. a
        completion once the start is recorded); returns the report ids applied."""
        check_actor_id("apply_pending_reports", "recorded_by", recorded_by)
        person = self._cases.person(young_person_id, "apply_pending_reports")
        if not person.pending_reports:
            return ()
        return self._apply_pending(person, recorded_by)

    def _apply_pending(self, person: YoungPerson, recorded_by: str) -> tuple[str, ...]:
        cases = self._cases
        applied: list[str] = []
        progress = True
        while progress and person.pending_reports:
            progress = False
            reports = person.pending_report_events
            pending = sorted((reports[r] for r in person.pending_reports if r in reports),
                             key=lambda e: (e.occurred_on, _APPLY_ORDER[e.kind], e.report_id))
            for report in pending:
                target = self._apply_one(person, report, recorded_by)
                if target is None:
                    continue
                person.mark_report_applied(occurred_on=report.occurred_on,
                                           recorded_by=recorded_by, recorded_at=cases.now(),
                                           report_id=report.report_id, target_id=target.id)
                cases.save(person, target)
                applied.append(report.report_id)
                progress = True
                break  # the case changed: look again from the start
        return tuple(applied)

    def _apply_one(self, person: YoungPerson, r: YoungPerson.InstitutionReportReceived,
                   recorded_by: str) -> EducationOrder | RetentionCase | None:
        """Apply one report to its order or retention case (not saved); the aggregate, or
        ``None`` when the case cannot take it (yet)."""
        common: dict[str, Any] = {"occurred_on": r.occurred_on, "recorded_by": recorded_by,
                                  "recorded_at": self._cases.now()}
        try:
            if r.kind is ReportKind.RISK_OF_DROPOUT:
                return self._apply_risk(person, r, common)
            orders = [o for o in self.orders_of(person.id) if o.ended_on is None]
            if r.kind is ReportKind.ADMISSION:
                return _admit(orders, r, common)
            if r.kind in (ReportKind.COMPLETION, ReportKind.INTERRUPTION):
                return _complete_or_interrupt(orders, r, common)
            if r.kind is ReportKind.INSTITUTION_CONTACT:
                return _contact(orders, r, common)
            if r.kind is ReportKind.RECEIPT:
                return _receipt(orders, r, common)
            return None
        except DomainError:
            return None

    def _apply_risk(self, person: YoungPerson, r: YoungPerson.InstitutionReportReceived,
                    common: dict[str, Any]) -> RetentionCase:
        for case in self.retention_cases_of(person.id):
            if case.closed_on is None and case.institution_id == r.institution_id:
                case.report_risk_again(institution_id=r.institution_id, report_id=r.report_id,
                                       received_on=r.received_on, **common)
                return case
        orders = [o for o in self.orders_of(person.id) if o.ended_on is None]
        found = _enrolment(orders, r.institution_id, r.education_code, r.occurred_on,
                           active=True)
        return RetentionCase.open(
            young_person_id=person.id, institution_id=r.institution_id, report_id=r.report_id,
            received_on=r.received_on, order_id=found[0].id if found else None,
            admission_id=found[1] if found else None,
            case_id=retention_case_id(person.id, r.report_id),
            **common)

    # ------------------------------------------------------------------ outbound

    def send_data_til_institution(self, order_id: UUID, *, occurred_on: date,
                                  recorded_by: str, admission_id: str, contact: Contact,
                                  message_id: str | None = None) -> Dispatch:
        """Build DataTilInstitution v2.0 for an admission from the recorded assessments,
        address it through the identity record now, and record it and the Jobnet letter as
        sent. The vendor's transport sends ``Dispatch.message`` and ``Dispatch.letter``.

        Raises :class:`~ungeforloeb.domain.errors.InvalidCommandError` on a day no regime has
        the notification (rule :data:`NOTIFICATION_RULE`), for a contact other than the
        assessed one, or without an identity record;
        :class:`~ungeforloeb.domain.errors.EventOutOfOrderError` before the admission, the
        support assessment or the duty assessment."""
        cases = self._cases
        command = "send_data_til_institution"
        check_date(command, "occurred_on", occurred_on)
        rule = default_rules().period_on(NOTIFICATION_RULE, occurred_on)
        if rule is None:
            raise InvalidCommandError(
                command, "occurred_on",
                f"a day on which rule {NOTIFICATION_RULE} is in force (DataTilInstitution is "
                f"the notification that rule's law introduced)", occurred_on)
        order = cases.order(order_id, command)
        enrolment = order.enrolments.get(admission_id)
        if enrolment is None:
            raise EventOutOfOrderError(
                f"{command}: InstitutionNotified before Admitted for order {order_id} "
                f"(admission {admission_id})")
        events = cases.events_of(order)
        support = [e for e in events if isinstance(e, EducationOrder.SupportAssessed)
                   and e.admission_id == admission_id]
        duty = [e for e in events if isinstance(e, EducationOrder.DutyToStartAssessed)
                and e.admission_id == admission_id]
        if not support:
            raise EventOutOfOrderError(f"{command}: InstitutionNotified before SupportAssessed "
                                       f"for order {order_id} (admission {admission_id})")
        if not duty:
            raise EventOutOfOrderError(f"{command}: InstitutionNotified before "
                                       f"DutyToStartAssessed for order {order_id} "
                                       f"(admission {admission_id})")
        assessed = support[-1]
        if not isinstance(contact, Contact) or contact.contact_id != assessed.contact_id or \
                contact.kind is not assessed.contact_kind:
            raise InvalidCommandError(command, "contact",
                                      f"the assessed contact {assessed.contact_kind.value} "
                                      f"{assessed.contact_id} with phone and e-mail", contact)
        identity = cases.identity(order.young_person_id)
        if identity is None:
            raise InvalidCommandError(command, "young_person_id",
                                      "a young person with an identity record to address",
                                      order.young_person_id)
        person = cases.person(order.young_person_id, command)
        message = DataTilInstitution(
            message_id=message_id or f"dti-{uuid5(order.id, f'{admission_id}:{len(events)}')}",
            sent_on=occurred_on, municipality_code=person.municipality_code,
            institution_id=enrolment.institution_id, admission_id=admission_id,
            education_code=enrolment.education_code, cpr=identity.cpr,
            ordered_to_start_and_complete=duty[-1].ordered_to_start_and_complete,
            academic_support=assessed.academic_support,
            social_support=assessed.social_support,
            needs_documented=assessed.needs_documented,
            no_support_need=assessed.no_support_need,
            other_support_persons=assessed.other_support_persons,
            wants_institution_contact=assessed.wants_institution_contact,
            contact=contact)
        wording = default_rules().wording("authority_in_citizen_texts", occurred_on)
        letter = jobnet_letter(message, next((s.citizen for s in rule.sources if s.citizen),
                                             rule.legal_source),
                               wording.value if wording is not None else AUTHORITY_WORD)
        at = cases.now()
        order.notify_institution(occurred_on=occurred_on, recorded_by=recorded_by,
                                 recorded_at=at, admission_id=admission_id,
                                 message_id=message.message_id)
        order.record_jobnet_letter(occurred_on=occurred_on, recorded_by=recorded_by,
                                   recorded_at=at, admission_id=admission_id,
                                   message_id=message.message_id)
        cases.save(order)
        return Dispatch(message, letter)

    def assess_support_and_notify(self, order_id: UUID, *, occurred_on: date,
                                  recorded_by: str, admission_id: str, academic_support: bool,
                                  social_support: bool, needs_documented: bool,
                                  no_support_need: bool, other_support_persons: bool,
                                  wants_institution_contact: bool, contact: Contact,
                                  message_id: str | None = None) -> Dispatch | None:
        """Record the support assessment (``SupportAssessed``) and, where the rules say so —
        rule ``x22_institution_notified`` judged open for this admission by the evaluator
        (:meth:`notification_due`) — send DataTilInstitution and the Jobnet letter."""
        command = "assess_support_and_notify"
        if not isinstance(contact, Contact):
            raise InvalidCommandError(command, "contact", "a Contact", contact)
        order = self._cases.order(order_id, command)
        order.assess_support(occurred_on=occurred_on, recorded_by=recorded_by,
                             recorded_at=self._cases.now(), admission_id=admission_id,
                             academic_support=academic_support, social_support=social_support,
                             needs_documented=needs_documented, no_support_need=no_support_need,
                             other_support_persons=other_support_persons,
                             wants_institution_contact=wants_institution_contact,
                             contact_kind=contact.kind, contact_id=contact.contact_id)
        self._cases.save(order)
        if not self.notification_due(order_id, admission_id, occurred_on):
            return None
        return self.send_data_til_institution(order_id, occurred_on=occurred_on,
                                              recorded_by=recorded_by,
                                              admission_id=admission_id, contact=contact,
                                              message_id=message_id)

    def notification_due(self, order_id: UUID, admission_id: str, on: date) -> bool:
        """Whether the rules say the institution is to be notified of this admission on ``on``:
        rule :data:`NOTIFICATION_RULE` judged by the evaluator on the order's and the young
        person's records as of ``on`` is open (``due``, or ``missed`` and not yet done)."""
        cases = self._cases
        order = cases.order(order_id, "notification_due")
        person = cases.person(order.young_person_id, "notification_due")
        facts = CaseFile(str(order.young_person_id),
                         cases.records_of(person, order)).view(as_of=on)
        for v in evaluate(facts, on, default_rules().only((NOTIFICATION_RULE,))):
            if v.about == f"admission:{admission_id}" and v.met_by is None and \
                    v.status in (Status.DUE, Status.MISSED):
                return True
        return False

    def record_further_information(self, order_id: UUID, *, occurred_on: date,
                                   recorded_by: str, admission_id: str,
                                   channel: FurtherInformationChannel) -> None:
        """Record that information beyond the options went by secure mail or phone on a date;
        the content never enters the library."""
        order = self._cases.order(order_id, "record_further_information")
        order.record_further_information(occurred_on=occurred_on, recorded_by=recorded_by,
                                         recorded_at=self._cases.now(),
                                         admission_id=admission_id, channel=channel)
        self._cases.save(order)

    # ------------------------------------------------------------------ subscription

    def open_subscription(self, young_person_id: UUID, *, occurred_on: date,
                          recorded_by: str) -> bool:
        """Open the UDB subscription, or record why it is refused; returns whether it opened.

        The conditions are the rule data's condition set :data:`SUBSCRIPTION` in force on
        ``occurred_on``, read from the case view as of that day; refused with
        :class:`~ungeforloeb.domain.errors.InvalidCommandError` on a day no regime has it."""
        cases = self._cases
        command = "open_subscription"
        check_date(command, "occurred_on", occurred_on)
        person = cases.person(young_person_id, command)
        conditions = default_rules().conditions_on(SUBSCRIPTION, occurred_on)
        if conditions is None:
            raise InvalidCommandError(command, "occurred_on",
                                      f"a day on which the rule data's condition set "
                                      f"{SUBSCRIPTION} is in force (the UDB subscription "
                                      f"exists with it)", occurred_on)
        facts = CaseFile(str(young_person_id),
                         cases.records_of(person, *self.orders_of(young_person_id))
                         ).view(as_of=occurred_on)
        unmet = first_unmet(conditions, facts, occurred_on)
        opened = person.open_subscription(
            occurred_on=occurred_on, recorded_by=recorded_by, recorded_at=cases.now(),
            refusal=None if unmet is None else SubscriptionRefusal(unmet.refusal),
            rule_id=conditions.id)
        cases.save(person)
        return opened

    def close_subscription(self, young_person_id: UUID, *, occurred_on: date,
                           recorded_by: str) -> None:
        """Close the UDB subscription (never closed automatically)."""
        person = self._cases.person(young_person_id, "close_subscription")
        person.close_subscription(occurred_on=occurred_on, recorded_by=recorded_by,
                                  recorded_at=self._cases.now())
        self._cases.save(person)


NOTIFICATION_RULE = "x22_institution_notified"
"""The rule (in the rule data) whose open verdict on an admission sends DataTilInstitution: who
is notified, from when, is the rule data's (its periods and population), judged by the one
evaluator."""

SUBSCRIPTION = "udb_subscription"
"""The condition set (in the rule data) under which UDB opens the jobcenter's subscription."""


def retention_case_id(young_person_id: UUID, report_id: str) -> UUID:
    """The id of the retention case a risk report opens: derived from the young person and the
    report id, so that receiving the same reports gives the same case ids wherever it runs."""
    return uuid5(NAMESPACE_URL, f"urn:ungeforloeb:retention:{young_person_id}:{report_id}")


def _latest(orders: list[EducationOrder]) -> EducationOrder:
    return max(orders, key=lambda o: (o.issued_on, str(o.id)))


def _admit(orders: list[EducationOrder], r: YoungPerson.InstitutionReportReceived,
           common: dict[str, Any]) -> EducationOrder | None:
    if not orders or r.education_code is None or r.starts_on is None:
        return None
    order = _latest(orders)
    order.admit(admission_id=r.report_id, institution_id=r.institution_id,
                education_code=r.education_code, starts_on=r.starts_on, **common)
    return order


def _complete_or_interrupt(orders: list[EducationOrder],
                           r: YoungPerson.InstitutionReportReceived,
                           common: dict[str, Any]) -> EducationOrder | None:
    found = _enrolment(orders, r.institution_id, r.education_code, r.occurred_on, active=True)
    if found is None or found[2].started_on is None:
        return None
    order, admission_id, _ = found
    if r.kind is ReportKind.COMPLETION:
        order.complete_education(admission_id=admission_id, **common)
    elif r.reason_code is not None:
        order.interrupt_education(admission_id=admission_id,
                                  reason=interruption_reason(r.reason_code), **common)
    else:
        return None
    return order


def _contact(orders: list[EducationOrder], r: YoungPerson.InstitutionReportReceived,
             common: dict[str, Any]) -> EducationOrder | None:
    found = _enrolment(orders, r.institution_id, None, None, active=False)
    if found is None or r.contact_kind is None or r.contact_id is None:
        return None
    order, admission_id, _ = found
    order.exchange_contact(institution_id=r.institution_id, contact_kind=r.contact_kind,
                           contact_id=r.contact_id, message_id=r.report_id,
                           received_on=r.received_on, admission_id=admission_id, **common)
    return order


def _receipt(orders: list[EducationOrder], r: YoungPerson.InstitutionReportReceived,
             common: dict[str, Any]) -> EducationOrder | None:
    if r.contact_kind is None or r.contact_id is None or r.in_reply_to is None:
        return None
    for order in orders:
        if r.in_reply_to in order.notified_messages:
            order.receive_receipt(in_reply_to=r.in_reply_to, institution_id=r.institution_id,
                                  responsible_kind=r.contact_kind, responsible_id=r.contact_id,
                                  message_id=r.report_id, received_on=r.received_on, **common)
            return order
    return None


def _enrolment(orders: list[EducationOrder], institution_id: str, education_code: str | None,
               on: date | None, *, active: bool) -> tuple[EducationOrder, str,
                                                          Enrolment] | None:
    """The latest admission at ``institution_id`` (and ``education_code`` when given),
    admitted on or before ``on`` when given, and not ended when ``active``."""
    best: tuple[EducationOrder, str, Enrolment] | None = None
    for order in orders:
        for admission_id, e in order.enrolments.items():
            if e.institution_id != institution_id:
                continue
            if education_code is not None and e.education_code != education_code:
                continue
            if on is not None and e.admitted_on > on:
                continue
            if active and (e.completed_on is not None or e.interrupted_on is not None):
                continue
            if best is None or (e.admitted_on, admission_id) > (best[2].admitted_on, best[1]):
                best = (order, admission_id, e)
    return best
