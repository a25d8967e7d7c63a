"""Routing of the institutions' messages, and the worklist item for a missing receipt.

**Designated recipient.** Every municipality designates a recipient of the institutions'
messages: a worker with special responsibility for young people with an education order, or a
team (000:398–403), because caseworkers change (000:393). When a report arrives, the application
routes it to the municipality's designated recipient and records that decision in the report's
event (``recipient_kind``, ``recipient_id``): the routing is decided once, at receipt, and a
later change of caseworker does not move it. The designations are configuration, not events:
set them with ``designate_recipient`` or load them from a TOML file (:func:`load_routing`).
With no designation, the report is routed to the case's team at the time (and, if the case has
none, to nobody: the worklist then gives it the case's current caseworker).

**Missing receipt.** An outbound notification (``InstitutionNotified``) with neither a receipt
(``ReceiptReceived`` in reply to it) nor the institution's contact for that admission
(``ContactExchanged``, the acknowledgement IndberetInstitutionKontakt asks for) after a
configurable number of working days becomes a worklist item of kind ``"receipt"``: "the sender
never knows if it arrived" is what this fixes (001:1114–1134).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import attrs

from ungeforloeb.casefile.fold import Facts
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.base import ID_PATTERN, MUNICIPALITY_CODE
from ungeforloeb.domain.values import ContactKind
from ungeforloeb.projections.worklist import WorkItem
from ungeforloeb.rules.calendar import Calendars

_CALENDARS = Calendars()

DEFAULT_RECEIPT_WORKING_DAYS = 5
"""Working days after sending before a missing receipt shows (our choice; configurable)."""

RECEIPT_RULE_ID = "exchange.receipt_missing"
RECEIPT_SOURCE = ("Recommended mandatory receipt (modtagelseskvittering), 001:1114–1134; "
                  "IndberetInstitutionKontakt v1.0 (STIL, 2022): acknowledge with a contact")


@attrs.frozen
class Recipient:
    """A designated recipient: a person (caseworker id) or a team (team id)."""

    kind: ContactKind = attrs.field(validator=attrs.validators.instance_of(ContactKind))
    recipient_id: str = attrs.field(validator=attrs.validators.matches_re(ID_PATTERN))


@attrs.frozen
class Routing:
    """The designated recipient of each municipality (by three-digit code)."""

    designated: Mapping[str, Recipient] = attrs.field(factory=dict)

    def designate(self, municipality_code: str, recipient: Recipient) -> Routing:
        """A copy with ``recipient`` designated for ``municipality_code``."""
        if not isinstance(municipality_code, str) or \
                not MUNICIPALITY_CODE.fullmatch(municipality_code):
            raise ValueError(f"Routing.designate: municipality_code must be three digits, got "
                             f"{municipality_code!r}")
        return Routing({**self.designated, municipality_code: recipient})

    def route(self, municipality_code: str | None,
              current_team: str | None) -> Recipient | None:
        """Where a report for a young person of ``municipality_code`` goes: the designated
        recipient, else the case's current team, else nobody."""
        if municipality_code is not None and municipality_code in self.designated:
            return self.designated[municipality_code]
        if current_team is not None:
            return Recipient(ContactKind.TEAM, current_team)
        return None


class RoutingError(ValueError):
    """Raised when a routing file is malformed; the message names the file and the key."""


def load_routing(path: str | Path) -> Routing:
    """Read the designated recipients from a TOML file, strictly::

        [municipalities.101]
        kind = "team"            # or "person"
        recipient_id = "ungeteam-kbh"
    """
    file = Path(path)
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    if set(data) - {"municipalities"}:
        raise RoutingError(f"{file.name}: unknown keys {sorted(set(data) - {'municipalities'})}")
    routing = Routing()
    for code, entry in dict(data.get("municipalities", {})).items():
        where = f"{file.name}: municipalities.{code}"
        if not isinstance(entry, dict) or set(entry) != {"kind", "recipient_id"}:
            raise RoutingError(f"{where} must have exactly 'kind' and 'recipient_id'")
        try:
            routing = routing.designate(code, Recipient(ContactKind(entry["kind"]),
                                                        entry["recipient_id"]))
        except (ValueError, TypeError) as e:
            raise RoutingError(f"{where}: {e}") from None
    return routing


def addressee(report: EventRecord) -> dict[str, Any]:
    """``caseworker_id``/``team_id`` keyword arguments of a work item for a received report:
    the recipient recorded when it arrived (empty when it was routed to nobody)."""
    kind = report.payload.get("recipient_kind")
    rid = report.payload.get("recipient_id")
    if kind == ContactKind.PERSON.value:
        return {"caseworker_id": rid}
    if kind == ContactKind.TEAM.value:
        return {"team_id": rid}
    return {}


def missing_receipts(facts: Facts, on: date, *,
                     working_days: int = DEFAULT_RECEIPT_WORKING_DAYS,
                     calendars: Calendars = _CALENDARS) -> Iterator[WorkItem]:
    """Worklist source: each outbound notification without a receipt or institution contact
    ``working_days`` working days after it was sent (the sending day not counted)."""
    cal = calendars.for_municipality(facts.municipality_code)
    answered = {r.payload.get("in_reply_to") for r in facts.other.get("ReceiptReceived", [])}
    loose_contacts = facts.other.get("ContactExchanged", [])
    for adm in facts.admissions:
        if adm.completed is not None or adm.interrupted is not None:
            continue
        contacts = adm.extra.get("ContactExchanged", []) + [
            c for c in loose_contacts if c.payload.get("institution_id") == adm.institution_id]
        for sent in adm.extra.get("InstitutionNotified", []):
            message_id = sent.payload["message_id"]
            if message_id in answered:
                continue
            if any(c.occurred_on >= sent.occurred_on for c in contacts):
                continue
            due = cal.add_working_days(sent.occurred_on, working_days)
            if on < due:
                continue
            yield WorkItem(
                young_person_id=facts.young_person_id,
                kind="receipt",
                title=(f"No receipt or contact from institution {adm.institution_id} for "
                       f"DataTilInstitution {message_id} sent {sent.occurred_on.isoformat()} "
                       f"({working_days} working days)"),
                due_on=due,
                overdue=on > due,
                rule_id=RECEIPT_RULE_ID,
                legal_source=RECEIPT_SOURCE,
                cause=(sent.seq,),
            )


def receipt_source(working_days: int = DEFAULT_RECEIPT_WORKING_DAYS,
                   calendars: Calendars | None = None) -> Any:
    """The missing-receipt source with another number of working days or other calendars."""
    return partial(missing_receipts, working_days=working_days,
                   calendars=calendars or _CALENDARS)
