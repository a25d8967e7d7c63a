"""DataTilInstitution built again from a stored ``InstitutionNotified``, for the outbox relay.

The same message :meth:`~ungeforloeb.application.Ungeforloeb.send_data_til_institution`
returned, from the same sources:

- ``message_id``, ``sent_on`` (the event's ``occurred_on``), ``admission_id`` and
  ``institution_id``: the ``InstitutionNotified`` event;
- ``education_code``: the order's admission, as the order stood at that event's version;
- the options and the order to start and complete: the latest ``SupportAssessed`` and
  ``DutyToStartAssessed`` of that admission *recorded before* the notification (a later
  reassessment does not change a message already sent);
- ``municipality_code``: the young person's (fixed at first contact);
- ``cpr``: the identity record, read when the relay sends (as the command reads it when it
  sends): an erased record means the message is not sent;
- ``contact``: kind and id from ``SupportAssessed``, phone and e-mail from the
  :class:`~ungeforloeb_rabbitmq.contacts.ContactDirectory` (events never hold them).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.education_order import EducationOrder
from ungeforloeb.domain.young_person import YoungPerson
from ungeforloeb.exchange.messages import DataTilInstitution
from ungeforloeb_rabbitmq.contacts import ContactDirectory

NOTIFIED = "InstitutionNotified"
"""The event type the relay publishes."""


class NotSendableError(ValueError):
    """Raised when a recorded notification cannot be built again (no identity record, a
    contact missing from the directory, an event missing); names the message id and what."""


def rebuild(app: Ungeforloeb, record: EventRecord,
            contacts: ContactDirectory) -> DataTilInstitution:
    """The DataTilInstitution that ``record`` (an ``InstitutionNotified``) recorded as sent."""
    if record.type != NOTIFIED:
        raise ValueError(f"rebuild needs an {NOTIFIED} record, got {record.type} "
                         f"(seq {record.seq})")
    payload = record.payload
    message_id = str(payload["message_id"])
    admission_id = str(payload["admission_id"])
    order_id = UUID(record.stream_id)
    order: Any = app.repository.get(order_id, version=record.version)
    if not isinstance(order, EducationOrder):
        raise NotSendableError(f"{message_id}: stream {order_id} is not an education order")
    enrolment = order.enrolments.get(admission_id)
    if enrolment is None:
        raise NotSendableError(f"{message_id}: order {order_id} has no admission "
                               f"{admission_id}")
    events = list(app.repository.event_store.get(order_id, lte=record.version))
    support = [e for e in events if isinstance(e, EducationOrder.SupportAssessed)
               and e.admission_id == admission_id]
    duty = [e for e in events if isinstance(e, EducationOrder.DutyToStartAssessed)
            and e.admission_id == admission_id]
    if not support or not duty:
        missing = "SupportAssessed" if not support else "DutyToStartAssessed"
        raise NotSendableError(f"{message_id}: no {missing} before {NOTIFIED} for order "
                               f"{order_id} (admission {admission_id})")
    assessed = support[-1]
    contact = contacts.find(assessed.contact_kind, assessed.contact_id)
    if contact is None:
        raise NotSendableError(f"{message_id}: contact {assessed.contact_kind.value} "
                               f"{assessed.contact_id} is not in the contact directory")
    identity = app.identity(order.young_person_id)
    if identity is None:
        raise NotSendableError(f"{message_id}: young person {order.young_person_id} has no "
                               f"identity record to address (erased?)")
    person: Any = app.repository.get(order.young_person_id)
    if not isinstance(person, YoungPerson):
        raise NotSendableError(f"{message_id}: no young person {order.young_person_id}")
    return DataTilInstitution(
        message_id=message_id, sent_on=record.occurred_on,
        municipality_code=person.municipality_code,
        institution_id=enrolment.institution_id, admission_id=admission_id,
        education_code=enrolment.education_code, cpr=identity.cpr,
        ordered_to_start_and_complete=duty[-1].ordered_to_start_and_complete,
        academic_support=assessed.academic_support, social_support=assessed.social_support,
        needs_documented=assessed.needs_documented, no_support_need=assessed.no_support_need,
        other_support_persons=assessed.other_support_persons,
        wants_institution_contact=assessed.wants_institution_contact, contact=contact)
