"""A verdict: one rule judged for one case (or one admission, order or report) on one date.

Every verdict carries its explanation: the rule and its legal source, the event that started
the clock and its date, the due date, and the event that met it (or none).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import attrs

from ungeforloeb.casefile.records import EventRecord


class Status(Enum):
    """What a rule says about a case on a date."""

    MET = "met"
    MISSED = "missed"
    DUE = "due"
    """Open: not yet met, not yet late (``due_on`` says until when; ``None`` = the case's end)."""
    NOT_APPLICABLE = "not_applicable"
    NOT_DOCUMENTED = "not_documented"
    """The fact the rule needs to decide was never recorded (e.g. no visitation group)."""
    UNUSED = "unused"
    """A right (not a duty) whose window passed without it being used: not a miss."""


@attrs.frozen
class EventRef:
    """An event a verdict used: its type, global sequence number and dates."""

    type: str
    seq: int
    occurred_on: date
    recorded_on: date
    on: date
    """The date the rule used (``occurred_on``, or a date field of the payload)."""

    @classmethod
    def of(cls, rec: EventRecord, on: date | None = None) -> EventRef:
        return cls(rec.type, rec.seq, rec.occurred_on, rec.recorded_on,
                   rec.occurred_on if on is None else on)

    def text(self) -> str:
        late = ""
        if self.recorded_on > self.occurred_on:
            late = f", recorded {self.recorded_on.isoformat()}"
        used = "" if self.on == self.occurred_on else f" (date used {self.on.isoformat()})"
        return f"{self.type} #{self.seq} on {self.occurred_on.isoformat()}{used}{late}"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "seq": self.seq, "occurred_on": self.occurred_on.isoformat(),
                "recorded_on": self.recorded_on.isoformat(), "on": self.on.isoformat()}


SPELL_PREFIX = "spell:"


def spell_subject(spell: int, key: str) -> str:
    """A verdict's subject in a benefit spell: the key as it is in the first spell (so a
    person with one spell reads as before), ``spell:<n>`` or ``spell:<n>/<key>`` in a later
    one — the spell is part of what a verdict is about, so each spell's verdicts count on
    their own in every denominator."""
    if spell == 1:
        return key
    return f"{SPELL_PREFIX}{spell}" + (f"/{key}" if key else "")


def spell_of(subject: str) -> tuple[int, str]:
    """(spell, key) of a verdict's subject (the inverse of :func:`spell_subject`)."""
    if not subject.startswith(SPELL_PREFIX):
        return 1, subject
    number, _, key = subject[len(SPELL_PREFIX):].partition("/")
    return int(number), key


DISTRIBUTED: dict[str, str] = {"cp02a_group_at_first_conversation": "group"}
"""Rule id → the payload field of the event that met it, for the rules whose audit figure is a
distribution of that field, not a share met (control point 2a: the group at the first
conversation, ÅUP 14 / UP 52 / AP 34 %): the verdict keeps the value, and the compliance table
shows our distribution beside the audit's. Presentation, not law."""


@attrs.frozen
class Verdict:
    """One rule's judgement of one subject of one case, as of a date."""

    case_id: str
    rule_id: str
    control_point: str | None
    status: Status
    due_on: date | None
    clock_start: EventRef | None
    met_by: EventRef | None
    legal_source: str
    explanation: str
    subject: str = ""
    """``""`` for the case; ``admission:<id>``, ``order:<id>`` or ``report:<id>`` otherwise."""
    regime: str | None = None
    period: str | None = None
    group: str | None = None
    caseworker_id: str | None = None
    team_id: str | None = None
    decided_by: EventRef | None = None
    """The event whose date chose the rule's period."""
    closed_by: EventRef | None = None
    """The event that ended the duty after it was missed (the miss stands; it is no longer
    work to do)."""
    reference: bool | None = None
    """Whether a judged subject (met, missed, unused) is in the focus audit's own population,
    for a rule whose audit reference names a narrower population than the law's trigger
    (:attr:`ungeforloeb.rules.model.AuditReference.population`); ``None`` otherwise."""
    value: str | None = None
    """For a rule in :data:`DISTRIBUTED`, the field's value on the event that met it (the
    group recorded at the first conversation); ``None`` otherwise."""

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.case_id, self.rule_id, self.subject)

    @property
    def spell(self) -> int:
        """The benefit spell the verdict is about (1 unless its subject names a later one)."""
        return spell_of(self.subject)[0]

    @property
    def about(self) -> str:
        """The subject without its spell: ``""`` for the case, ``admission:<id>``, …"""
        return spell_of(self.subject)[1]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data, keys in a fixed order (the canonical serialisation)."""
        return {
            "case_id": self.case_id,
            "rule_id": self.rule_id,
            "subject": self.subject,
            "control_point": self.control_point,
            "status": self.status.value,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "clock_start": self.clock_start.to_dict() if self.clock_start else None,
            "met_by": self.met_by.to_dict() if self.met_by else None,
            "decided_by": self.decided_by.to_dict() if self.decided_by else None,
            "closed_by": self.closed_by.to_dict() if self.closed_by else None,
            "regime": self.regime,
            "period": self.period,
            "group": self.group,
            "caseworker_id": self.caseworker_id,
            "team_id": self.team_id,
            "legal_source": self.legal_source,
            "explanation": self.explanation,
        } | ({"reference": self.reference} if self.reference is not None else {}) | (
            {"value": self.value} if self.value is not None else {})
