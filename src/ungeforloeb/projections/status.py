"""A case's current status: group, order steps and deadlines, admissions, who holds the case.

The status is a pure function of a young person's facts (:func:`case_status` over
:class:`ungeforloeb.casefile.fold.Facts`), so it can be asked of any view of a case file (as of
a day, as known at a day). :class:`StatusProjection` keeps every case's status up to date as
event records arrive one at a time, in notification order; :func:`rebuild` builds one from
scratch and :func:`follow` catches one up with a store. Nothing of it is stored as the truth.

Why the projection keeps each case's records: the fold takes a case's records in the order of
``occurred_on``, not of recording, so a late-recorded fact can change what came "last" (the
current group, a step's current deadline). Applying a record therefore marks its case stale;
the case is folded again, once, when its status is next asked for. The cost of a read is the
size of one case, never of the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from enum import Enum
from typing import Protocol
from uuid import UUID

import attrs

from ungeforloeb.casefile.fold import Admission, Facts, Order, fold
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.values import OrderEndReason, OrderStep, VisitationGroup

UNROUTED_PREFIX = "?"
"""Key prefix of a stream whose first event was never seen (as in ``group_by_case``)."""


class EnrolmentState(Enum):
    """Where an admission stands: admitted, started, or ended by completion or interruption."""

    ADMITTED = "admitted"  # optaget, not yet started
    STARTED = "started"  # påbegyndt
    COMPLETED = "completed"  # gennemført
    INTERRUPTED = "interrupted"  # afbrudt


class RecordOutOfSequenceError(ValueError):
    """Raised when a projection is given a record at or before the position it has applied."""


class UnknownCaseStatusError(LookupError):
    """Raised when the status of a young person the projection has never seen is asked for."""


@attrs.frozen
class StepDeadline:
    """The current deadline of one step of an order, and how often it was moved."""

    step: OrderStep
    deadline: date
    times_moved: int


@attrs.frozen
class AdmissionStatus:
    """One admission under an order and the state of its education."""

    admission_id: str
    institution_id: str
    education_code: str
    admitted_on: date
    starts_on: date
    state: EnrolmentState
    ordered_to_start_and_complete: bool | None
    """The municipality's assessment of the duty to start and complete; None: not assessed."""
    started_on: date | None
    ended_on: date | None
    """The day it was completed or interrupted."""

    @property
    def open(self) -> bool:
        """Admitted or started, and neither completed nor interrupted."""
        return self.state in (EnrolmentState.ADMITTED, EnrolmentState.STARTED)


@attrs.frozen
class OrderStatus:
    """One education order: its current step, step deadlines and admissions."""

    order_id: str
    issued_on: date
    step: OrderStep
    """The current step: the step issued at, step 2 once a wish or an application is
    recorded, step 3 once admitted (as the aggregate counts it)."""
    deadlines: tuple[StepDeadline, ...]
    """By step."""
    admissions: tuple[AdmissionStatus, ...]
    """By admission date."""
    ended_on: date | None
    end_reason: OrderEndReason | None

    @property
    def open(self) -> bool:
        """The order has not ended."""
        return self.ended_on is None

    @property
    def current_deadline(self) -> date | None:
        """The deadline set for the current step, if any."""
        for d in self.deadlines:
            if d.step is self.step:
                return d.deadline
        return None

    @property
    def open_admissions(self) -> tuple[AdmissionStatus, ...]:
        """Admissions whose education has not ended."""
        return tuple(a for a in self.admissions if a.open)


@attrs.frozen
class CaseStatus:
    """A young person's case as it stands after every recorded event."""

    young_person_id: str
    municipality_code: str | None
    first_contact_on: date | None
    group: VisitationGroup | None
    """The group of the latest visitation (preliminary or final)."""
    visitation_final: bool
    """A final visitation has been recorded."""
    caseworker_id: str | None
    team_id: str | None
    orders: tuple[OrderStatus, ...]
    """Every order, open or ended, by issue date."""
    open_offers: tuple[str, ...]
    """Ids of offers started and not ended, sorted."""
    open_retention_cases: tuple[str, ...]
    """Ids of retention cases not closed, sorted."""
    benefit_ended_on: date | None
    """The day the current benefit spell ended (None while it runs)."""
    spell: int = 1
    """The number of the current benefit spell (1, then 2 after the first return, …; 0 for a
    young person followed by the youth effort without a benefit case)."""
    spell_started_on: date | None = None
    """The first contact of the current spell (the person's first contact in spell 1)."""

    @property
    def open_orders(self) -> tuple[OrderStatus, ...]:
        """Orders that have not ended."""
        return tuple(o for o in self.orders if o.open)

    @property
    def current_steps(self) -> tuple[OrderStep, ...]:
        """The current step of each open order."""
        return tuple(o.step for o in self.orders if o.open)

    @property
    def open_admissions(self) -> tuple[AdmissionStatus, ...]:
        """Admissions not completed or interrupted, under any order."""
        return tuple(a for o in self.orders for a in o.open_admissions)

    @property
    def benefit_ended(self) -> bool:
        return self.benefit_ended_on is not None


# ------------------------------------------------------------------ from facts


def _admission_status(admission: Admission) -> AdmissionStatus:
    if admission.interrupted is not None:
        state, ended = EnrolmentState.INTERRUPTED, admission.interrupted.occurred_on
    elif admission.completed is not None:
        state, ended = EnrolmentState.COMPLETED, admission.completed.occurred_on
    elif admission.started is not None:
        state, ended = EnrolmentState.STARTED, None
    else:
        state, ended = EnrolmentState.ADMITTED, None
    duty = admission.duty_assessed
    return AdmissionStatus(
        admission_id=admission.admission_id,
        institution_id=admission.institution_id,
        education_code=admission.education_code,
        admitted_on=admission.rec.occurred_on,
        starts_on=admission.starts_on,
        state=state,
        ordered_to_start_and_complete=(
            None if duty is None else bool(duty.payload["ordered_to_start_and_complete"])),
        started_on=admission.started.occurred_on if admission.started is not None else None,
        ended_on=ended,
    )


def current_step(order: Order) -> OrderStep:
    """The step an order is at: its issued step, step 2 once a wish or application is recorded,
    step 3 once an admission is."""
    step = order.step
    if order.wishes or order.applications:
        step = max(step, OrderStep.APPLY.value)
    if order.admissions:
        step = OrderStep.START_AND_COMPLETE.value
    return OrderStep(step)


def _order_status(order: Order) -> OrderStatus:
    moves: dict[int, int] = {}
    for rec in order.deadline_records:
        if rec.type == "StepDeadlineMoved":
            step = int(rec.payload["step"])
            moves[step] = moves.get(step, 0) + 1
    deadlines = tuple(
        StepDeadline(OrderStep(step), order.deadlines[step], moves.get(step, 0))
        for step in sorted(order.deadlines)
    )
    admissions = sorted(order.admissions.values(),
                        key=lambda a: (a.rec.occurred_on, a.rec.seq))
    ended = order.ended
    return OrderStatus(
        order_id=order.order_id,
        issued_on=order.rec.occurred_on,
        step=current_step(order),
        deadlines=deadlines,
        admissions=tuple(_admission_status(a) for a in admissions),
        ended_on=ended.occurred_on if ended is not None else None,
        end_reason=OrderEndReason(ended.payload["reason"]) if ended is not None else None,
    )


def case_status(facts: Facts) -> CaseStatus:
    """The status of a case from its facts (pure): the group, caseworker and benefit end of
    the current benefit spell; the orders, open offers and open retention cases of every
    spell (an order of an earlier spell stays an order until it ends)."""
    group = facts.current_group
    caseworker = facts.current_caseworker
    spells = facts.spells
    orders = sorted((o for f in spells for o in f.orders.values()),
                    key=lambda o: (o.rec.occurred_on, o.rec.seq))
    return CaseStatus(
        young_person_id=facts.young_person_id,
        municipality_code=facts.municipality_code,
        first_contact_on=next((f.first_contact_on for f in spells if f.first_contact_on),
                              None),
        group=VisitationGroup(group) if group is not None else None,
        visitation_final=facts.final_visitation is not None,
        caseworker_id=caseworker[0] if caseworker is not None else None,
        team_id=caseworker[1] if caseworker is not None else None,
        orders=tuple(_order_status(o) for o in orders),
        open_offers=tuple(sorted(k for f in spells for k, o in f.offers.items()
                                 if o.ended is None)),
        open_retention_cases=tuple(sorted(
            k for f in spells for k, c in f.retention_cases.items() if c.closed is None)),
        benefit_ended_on=(facts.benefit_ended.occurred_on
                          if facts.benefit_ended is not None else None),
        spell=facts.spell,
        spell_started_on=facts.first_contact_on,
    )



# ------------------------------------------------------------------ the projection


class RecordSource(Protocol):
    """Anything that lists event records in notification order from a position (the
    application's :meth:`~ungeforloeb.application.app.Ungeforloeb.records`, a log reader)."""

    def records(self, start: int = 1, stop: int | None = None) -> Iterator[EventRecord]: ...


class _Case:
    __slots__ = ("records", "status")

    def __init__(self) -> None:
        self.records: list[EventRecord] = []
        self.status: CaseStatus | None = None


class StatusProjection:
    """Every case's status, kept up to date one event record at a time.

    Feed it records in notification order (:meth:`apply`); orders and retention cases are
    routed to their young person through ``young_person_id`` in their first event, as
    :func:`ungeforloeb.casefile.records.group_by_case` does. A stream whose first event was
    never seen is kept apart under ``"?" + stream_id`` (see :attr:`unrouted`), never dropped.
    """

    def __init__(self) -> None:
        self._position = 0
        self._cases: dict[str, _Case] = {}
        self._owner: dict[str, str] = {}

    @property
    def position(self) -> int:
        """The ``seq`` of the last record applied (0 before any)."""
        return self._position

    def _case_key(self, rec: EventRecord) -> str:
        if rec.stream_type == "YoungPerson":
            return rec.stream_id
        key = self._owner.get(rec.stream_id)
        if key is None:
            yp = rec.payload.get("young_person_id")
            key = (yp if isinstance(yp, str) and rec.version == 1
                   else UNROUTED_PREFIX + rec.stream_id)
            self._owner[rec.stream_id] = key
        return key

    def apply(self, record: EventRecord) -> None:
        """Take one record into account; records must come in increasing ``seq``."""
        if record.seq <= self._position:
            raise RecordOutOfSequenceError(
                f"StatusProjection.apply: record {record.seq} ({record.type} of "
                f"{record.stream_type} {record.stream_id}) is at or before position "
                f"{self._position}"
            )
        key = self._case_key(record)
        case = self._cases.get(key)
        if case is None:
            self._cases[key] = case = _Case()
        case.records.append(record)
        case.status = None
        self._position = record.seq

    def apply_all(self, records: Iterable[EventRecord]) -> int:
        """Apply records in turn; returns how many were applied."""
        n = 0
        for rec in records:
            self.apply(rec)
            n += 1
        return n

    def _status(self, key: str, case: _Case) -> CaseStatus:
        if case.status is None:
            case.status = case_status(fold(key, case.records))
        return case.status

    def status(self, young_person_id: str | UUID) -> CaseStatus:
        """The current status of one young person's case."""
        key = str(young_person_id)
        case = self._cases.get(key)
        if case is None or key.startswith(UNROUTED_PREFIX):
            raise UnknownCaseStatusError(
                f"StatusProjection.status: no case for young person {key} "
                f"(position {self._position})"
            )
        return self._status(key, case)

    def all(self) -> dict[str, CaseStatus]:
        """Every young person's status, by id, in the order the cases were first seen."""
        return {k: self._status(k, c) for k, c in self._cases.items()
                if not k.startswith(UNROUTED_PREFIX)}

    @property
    def unrouted(self) -> dict[str, tuple[EventRecord, ...]]:
        """Records of streams whose first event was never seen, by ``"?" + stream_id``."""
        return {k: tuple(c.records) for k, c in self._cases.items()
                if k.startswith(UNROUTED_PREFIX)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusProjection):
            return NotImplemented
        return (self._position == other._position and self.all() == other.all()
                and self.unrouted == other.unrouted)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StatusProjection(position={self._position}, cases={len(self._cases)})"


def rebuild(records: Iterable[EventRecord]) -> StatusProjection:
    """A projection built from scratch from records in notification order."""
    projection = StatusProjection()
    projection.apply_all(records)
    return projection


def follow(app: RecordSource, projection: StatusProjection) -> int:
    """Catch ``projection`` up with everything ``app`` has recorded since its position.

    Returns the number of records applied (0 when already current).
    """
    return projection.apply_all(app.records(start=projection.position + 1))
