"""The young person's case at the municipality (jobcenter), from first contact to benefit end.

The aggregate is identified by a random UUID. CPR number and name live in the separate identity
record (:mod:`ungeforloeb.application.identity`), never in an event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from ungeforloeb.domain.base import (
    EDUCATION_CODE,
    INSTITUTION_ID,
    MUNICIPALITY_CODE,
    CaseEvent,
    check_actor_id,
    check_bool,
    check_date,
    check_enum,
    check_id,
    check_not_before,
    check_not_in_future,
    check_optional_date,
    check_pattern,
    check_uuid,
)
from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError
from ungeforloeb.domain.exchange_values import EntryMode, ReportKind, SubscriptionRefusal
from ungeforloeb.domain.values import (
    BenefitEndReason,
    ContactKind,
    GuidanceTopic,
    LiteracyTestNeed,
    MentorPurpose,
    OfferKind,
    VisitationGroup,
    VisitationStage,
)

REPORT_NEEDS: dict[ReportKind, tuple[str, ...]] = {
    ReportKind.ADMISSION: ("education_code", "starts_on"),
    ReportKind.COMPLETION: ("education_code",),
    ReportKind.INTERRUPTION: ("education_code", "reason_code"),
    ReportKind.RISK_OF_DROPOUT: (),
    ReportKind.INSTITUTION_CONTACT: ("contact_kind", "contact_id"),
    ReportKind.RECEIPT: ("contact_kind", "contact_id", "in_reply_to"),
}
"""The optional fields each kind of report must carry."""


class ExchangeState:
    """The young person's exchange bookkeeping (issue 5): reports received and applied, and
    whether the UDB subscription is open. Not an event; kept by the exchange events' ``apply``."""

    __slots__ = ("applied", "conflicts", "fingerprints", "pending", "received",
                 "subscription_open")

    def __init__(self) -> None:
        self.received: set[str] = set()
        self.applied: set[str] = set()
        self.subscription_open = False
        self.fingerprints: dict[str, tuple[object, ...]] = {}
        """What each received report said (see :func:`report_fingerprint`), by report id."""
        self.conflicts: set[tuple[str, tuple[object, ...]]] = set()
        """(report id, fingerprint) of conflicting resends already recorded."""
        self.pending: dict[str, Any] = {}
        """The received reports not yet applied, as received, by report id (so the exchange
        applies them without reading the young person's events back)."""


_FINGERPRINT_FIELDS = ("kind", "institution_id", "system_id", "occurred_on", "education_code",
                       "starts_on", "reason_code", "school_municipality_code", "contact_kind",
                       "contact_id", "in_reply_to")


def fingerprint_of(event: Any) -> tuple[object, ...]:
    """:func:`report_fingerprint` of a received or conflicting report event."""
    return report_fingerprint(*(getattr(event, name) for name in _FINGERPRINT_FIELDS))


def report_fingerprint(kind: object, institution_id: object, system_id: object,
                       occurred_on: object, education_code: object, starts_on: object,
                       reason_code: object, school_municipality_code: object,
                       contact_kind: object, contact_id: object,
                       in_reply_to: object) -> tuple[object, ...]:
    """What a report says, for telling a harmless resend of a report id from a conflicting one.

    The day it was received, how it was entered and where it was routed are left out: a resend
    may differ in those without saying anything else."""
    return (getattr(kind, "value", kind), institution_id, system_id, str(occurred_on),
            education_code, None if starts_on is None else str(starts_on), reason_code,
            school_municipality_code, getattr(contact_kind, "value", contact_kind), contact_id,
            in_reply_to)


def assignment_order(occurred_on: date, caseworker_id: str,
                     team_id: str) -> tuple[date, str, str]:
    """The order of caseworker assignments, the same on every path: by day, then caseworker id,
    then team id — whatever order same-day assignments were recorded in. The latest is the
    current caseworker and team (the aggregate's, the case view's, the routing's)."""
    return (occurred_on, caseworker_id, team_id)


WITHOUT_BENEFIT = frozenset({
    "BenefitSpellStarted", "CaseworkerAssigned", "InstitutionReportReceived",
    "InstitutionReportConflicting", "InstitutionReportApplied", "SubscriptionOpened",
    "SubscriptionRefused", "SubscriptionClosed", "PersonalDataErased"})
"""What may be recorded about a young person followed by the youth effort without a benefit
case (spell 0): everything else is a benefit case's fact."""


class YoungPerson(Aggregate):
    """Den unge: one case at the municipality, from first contact (første henvendelse)."""

    class Event(CaseEvent):
        """Base of the young person's events."""

        def apply(self, aggregate: Any) -> None:
            aggregate._when(self)

    class FirstContactRegistered(Event, Aggregate.Created):
        """The young person's first contact with the municipality about help (første henvendelse).

        Most clocks start here.
        """

        municipality_code: str
        birth_date: date

    class YouthEffortFollowed(Event, Aggregate.Created):
        """The municipal youth effort (kommunal ungeindsats, KUI) follows the young person —
        aged 15–17, with no benefit case — from ``occurred_on``. No benefit spell is open: the
        benefit duties do not apply to them (``return_to_benefit`` opens their first spell if
        they come to benefit); the youth effort's own duties (contact after an interruption or
        a risk report, a new activity) do."""

        municipality_code: str
        birth_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.spell = 0
            aggregate.youth_effort_since = self.occurred_on

    class FirstConversationHeld(Event):
        """The first conversation (1. samtale / første visitationssamtale) was held."""

    class Visitated(Event):
        """Visitation into a group, preliminary (at the first conversation) or final."""

        stage: VisitationStage
        group: VisitationGroup
        perspective_recorded: bool
        justification_recorded: bool

    class LiteracyTestAssessed(Event):
        """The need for the reading, writing and maths test (FVU-test) was assessed."""

        need: LiteracyTestNeed
        earlier_test_on: date | None

    class LiteracyTestTaken(Event):
        """The young person took the FVU test; whether it showed a need for a course."""

        shows_need: bool

    class RightsGuidanceGiven(Event):
        """The young person was guided on a right or duty (e.g. the 225-hour rule)."""

        topic: GuidanceTopic

    class CoordinatingCaseworkerOffered(Event):
        """A coordinating caseworker (koordinerende sagsbehandler) was offered (AP)."""

    class ConversationHeld(Event):
        """A job conversation was held (samtale); what it covered.

        Schema version 2 renamed v1's ``follows_up_current_step`` to
        ``current_step_followed_up``: a recorded fact in the past tense like the other flags
        (``perspective_recorded``, ``purpose_stated``), and what control point 13 checks.
        ``upcast_v1_v2`` renames it in a v1 state (store or interchange log); meaning unchanged.
        """

        class_version = 2

        current_step_followed_up: bool
        education_focus: bool
        job_focus: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 → v2: ``follows_up_current_step`` is now ``current_step_followed_up``."""
            state["current_step_followed_up"] = state.pop("follows_up_current_step")

    class PlanUpdated(Event):
        """Min Plan was updated: which of the goals, agreements and order it now shows."""

        education_goal: bool
        job_goal: bool
        agreements_recorded: bool
        order_shown: bool

    class OfferStarted(Event):
        """An offer (tilbud) started; whether individually assessed and its purpose stated."""

        offer_id: str
        kind: OfferKind
        individually_assessed: bool
        purpose_stated: bool

    class OfferEnded(Event):
        """An offer ended."""

        offer_id: str

    class AbsenceRecorded(Event):
        """Absence from an offer; whether a valid reason (rimelig grund) is documented."""

        offer_id: str | None
        valid_reason: bool

    class SanctionDecided(Event):
        """A decision on a sanction after absence (rule ``cp22_sanction_after_absence``): imposed
        or not."""

        imposed: bool
        personal_contact_attempted: bool

    class CvMadeAvailable(Event):
        """The CV was made available and searchable to employers (ÅUP); whether it names at
        least one concrete job goal (control point 28), ``None`` when not recorded.

        Schema version 2 added ``job_goal_recorded``; ``upcast_v1_v2`` gives a v1 state
        ``None`` (the older record did not say: not documented, never guessed)."""

        class_version = 2

        job_goal_recorded: bool | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 → v2: ``job_goal_recorded`` added, unknown in an older record."""
            state["job_goal_recorded"] = None

    class JobSeekerRegistered(Event):
        """The young person was registered as a job seeker (ÅUP)."""

    class CaseworkerAssigned(Event):
        """A caseworker (and team) took over the case."""

        caseworker_id: str
        team_id: str

    class MentorGranted(Event):
        """A mentor was granted; for what, and whether this is an extension."""

        purpose: MentorPurpose
        until: date | None
        extension: bool

    class BenefitEnded(Event):
        """Education benefit (or cash benefit from 1 Jul 2025) ended: the benefit spell ends."""

        reason: BenefitEndReason

    class BenefitSpellStarted(Event):
        """The young person came back to benefit after their last benefit spell ended: a new
        benefit spell (ydelsesforløb) starts on ``occurred_on``, which is the new spell's first
        contact (første henvendelse). The person is the same (found by their identity record);
        the new spell's clocks run from this day, and the earlier spell's records and verdicts
        stay as they were. ``spell`` numbers the person's spells: 1 is the spell opened by
        ``FirstContactRegistered``, so the first return is spell 2."""

        spell: int

    class JobTrackDecided(Event):
        """The caseworker decided that the young person follows the job track (jobsporet) from
        ``starts_on`` (until ``ends_on``, when known): the duties the rule data lists as set
        aside by it do not apply while it runs."""

        starts_on: date
        ends_on: date | None

    class ContactExemptionDecided(Event):
        """The caseworker exempted the young person from job conversations and offers from
        ``starts_on`` (until ``ends_on``, when known): the duties the rule data lists as set
        aside by it do not apply while it runs."""

        starts_on: date
        ends_on: date | None

    # ------------------------------------------------------------------ state

    def __init__(self, occurred_on: date, recorded_by: str, municipality_code: str,
                 birth_date: date) -> None:
        self.first_contact_on = occurred_on
        self.municipality_code = municipality_code
        self.birth_date = birth_date
        self.first_conversation_on: date | None = None
        self.final_visitation_on: date | None = None
        self.open_offers: dict[str, date] = {}
        self.caseworker_id: str | None = None
        """The current caseworker: of the latest assignment in :func:`assignment_order`, the
        case view's order too (never the order of recording)."""
        self.team_id: str | None = None
        self._assignment: tuple[date, str, str] | None = None
        self.benefit_ended_on: date | None = None
        self.spell = 1
        """The number of the current (latest) benefit spell; 0: none yet (followed by the
        youth effort only)."""
        self.youth_effort_since: date | None = None
        self.spell_started_on = occurred_on
        """The first contact of the current benefit spell."""

    def _when(self, event: CaseEvent) -> None:
        if isinstance(event, YoungPerson.FirstConversationHeld):
            self.first_conversation_on = event.occurred_on
        elif isinstance(event, YoungPerson.Visitated):
            if event.stage is VisitationStage.FINAL:
                self.final_visitation_on = event.occurred_on
        elif isinstance(event, YoungPerson.OfferStarted):
            self.open_offers[event.offer_id] = event.occurred_on
        elif isinstance(event, YoungPerson.OfferEnded):
            self.open_offers.pop(event.offer_id, None)
        elif isinstance(event, YoungPerson.CaseworkerAssigned):
            key = assignment_order(event.occurred_on, event.caseworker_id, event.team_id)
            if self._assignment is None or key >= self._assignment:
                self._assignment = key
                self.caseworker_id = event.caseworker_id
                self.team_id = event.team_id
        elif isinstance(event, YoungPerson.BenefitEnded):
            self.benefit_ended_on = event.occurred_on
        elif isinstance(event, YoungPerson.BenefitSpellStarted):
            self.spell = event.spell
            self.spell_started_on = event.occurred_on
            self.benefit_ended_on = None
            self.first_conversation_on = None
            self.group = None
            self.final_visitation_on = None

    @property
    def _spell_start_event(self) -> str:
        """The event that started the current benefit spell (for error messages)."""
        return "FirstContactRegistered" if self.spell == 1 else "BenefitSpellStarted"

    # --------------------------------------------------------------- commands

    @classmethod
    def register_first_contact(cls, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                               municipality_code: str, birth_date: date,
                               young_person_id: UUID | None = None) -> YoungPerson:
        """Open the case at the young person's first contact; returns the new aggregate."""
        return cls._open("register_first_contact", cls.FirstContactRegistered,
                         "before the first contact", occurred_on=occurred_on,
                         recorded_by=recorded_by, recorded_at=recorded_at,
                         municipality_code=municipality_code, birth_date=birth_date,
                         young_person_id=young_person_id)

    @classmethod
    def follow_in_youth_effort(cls, *, occurred_on: date, recorded_by: str,
                               recorded_at: datetime, municipality_code: str, birth_date: date,
                               young_person_id: UUID | None = None) -> YoungPerson:
        """Record that the youth effort follows a young person without a benefit case; returns
        the new aggregate. The age (15–17 for the youth effort's duties) is the rule data's to
        judge, not refused here."""
        return cls._open("follow_in_youth_effort", cls.YouthEffortFollowed,
                         "before the youth effort began", occurred_on=occurred_on,
                         recorded_by=recorded_by, recorded_at=recorded_at,
                         municipality_code=municipality_code, birth_date=birth_date,
                         young_person_id=young_person_id)

    @classmethod
    def _open(cls, command: str, event: type[Any], born_before: str, *, occurred_on: date,
              recorded_by: str, recorded_at: datetime, municipality_code: str,
              birth_date: date, young_person_id: UUID | None) -> YoungPerson:
        """The checks both ways a young person's stream opens share, then the opening event."""
        check_date(command, "occurred_on", occurred_on)
        check_actor_id(command, "recorded_by", recorded_by)
        check_pattern(command, "municipality_code", municipality_code, MUNICIPALITY_CODE,
                      "a three-digit municipality code")
        check_date(command, "birth_date", birth_date)
        check_not_in_future(command, occurred_on, recorded_at)
        if birth_date >= occurred_on:
            raise InvalidCommandError(command, "birth_date", born_before, birth_date)
        return cls._create(event, id=young_person_id or uuid4(), occurred_on=occurred_on,
                           recorded_by=recorded_by, municipality_code=municipality_code,
                           birth_date=birth_date, timestamp=recorded_at)

    def _record(self, event_class: type[CaseEvent], command: str, occurred_on: date,
                recorded_by: str, recorded_at: datetime, **fields: Any) -> None:
        if self.spell == 0 and event_class.__name__ not in WITHOUT_BENEFIT:
            raise EventOutOfOrderError(
                f"{command}: young person {self.id} is followed by the youth effort without a "
                f"benefit case: {event_class.__name__} needs a benefit spell "
                "(return_to_benefit opens one)")
        check_date(command, "occurred_on", occurred_on)
        check_actor_id(command, "recorded_by", recorded_by)
        check_not_in_future(command, occurred_on, recorded_at)
        check_not_before(command, occurred_on, "FirstContactRegistered", self.first_contact_on,
                         "young person", self.id)
        if self.erased_on is not None:
            raise EventOutOfOrderError(f"{command}: the personal data of young person {self.id} "
                                       f"was erased on {self.erased_on.isoformat()}; nothing "
                                       "more is recorded about them")
        self.trigger_event(event_class, occurred_on=occurred_on, recorded_by=recorded_by,
                           timestamp=recorded_at, **fields)

    def hold_first_conversation(self, *, occurred_on: date, recorded_by: str,
                                recorded_at: datetime) -> None:
        """Record the first conversation; refused if one is already recorded."""
        command = "hold_first_conversation"
        check_date(command, "occurred_on", occurred_on)
        check_not_before(command, occurred_on, self._spell_start_event,
                         self.spell_started_on, "young person", self.id)
        if self.first_conversation_on is not None:
            raise EventOutOfOrderError(
                f"{command}: FirstConversationHeld already recorded on "
                f"{self.first_conversation_on.isoformat()} for young person {self.id}"
            )
        self._record(self.FirstConversationHeld, command, occurred_on, recorded_by, recorded_at)

    def visitate(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                 stage: VisitationStage, group: VisitationGroup, perspective_recorded: bool,
                 justification_recorded: bool) -> None:
        """Record a visitation (preliminary or final) into ÅUP, UP or AP."""
        command = "visitate"
        check_enum(command, "stage", stage, VisitationStage)
        check_enum(command, "group", group, VisitationGroup)
        check_bool(command, "perspective_recorded", perspective_recorded)
        check_bool(command, "justification_recorded", justification_recorded)
        self._record(self.Visitated, command, occurred_on, recorded_by, recorded_at,
                     stage=stage, group=group, perspective_recorded=perspective_recorded,
                     justification_recorded=justification_recorded)

    def assess_literacy_test(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                             need: LiteracyTestNeed, earlier_test_on: date | None = None) -> None:
        """Record the assessment of the FVU-test need (needed, or exempt and why)."""
        command = "assess_literacy_test"
        check_enum(command, "need", need, LiteracyTestNeed)
        check_optional_date(command, "earlier_test_on", earlier_test_on)
        if need is LiteracyTestNeed.EXEMPT_VALID_TEST and earlier_test_on is None:
            raise InvalidCommandError(command, "earlier_test_on",
                                      "the date of the earlier test when exempt for a valid test",
                                      None)
        self._record(self.LiteracyTestAssessed, command, occurred_on, recorded_by, recorded_at,
                     need=need, earlier_test_on=earlier_test_on)

    def take_literacy_test(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                           shows_need: bool) -> None:
        """Record that the FVU test was taken and whether it showed a need."""
        command = "take_literacy_test"
        check_bool(command, "shows_need", shows_need)
        self._record(self.LiteracyTestTaken, command, occurred_on, recorded_by, recorded_at,
                     shows_need=shows_need)

    def give_rights_guidance(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                             topic: GuidanceTopic) -> None:
        """Record guidance on a right or duty."""
        command = "give_rights_guidance"
        check_enum(command, "topic", topic, GuidanceTopic)
        self._record(self.RightsGuidanceGiven, command, occurred_on, recorded_by, recorded_at,
                     topic=topic)

    def offer_coordinating_caseworker(self, *, occurred_on: date, recorded_by: str,
                                      recorded_at: datetime) -> None:
        """Record that a coordinating caseworker was offered."""
        self._record(self.CoordinatingCaseworkerOffered, "offer_coordinating_caseworker",
                     occurred_on, recorded_by, recorded_at)

    def hold_conversation(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                          follows_up_current_step: bool, education_focus: bool,
                          job_focus: bool = False) -> None:
        """Record a job conversation and what it covered."""
        command = "hold_conversation"
        check_bool(command, "follows_up_current_step", follows_up_current_step)
        check_bool(command, "education_focus", education_focus)
        check_bool(command, "job_focus", job_focus)
        self._record(self.ConversationHeld, command, occurred_on, recorded_by, recorded_at,
                     current_step_followed_up=follows_up_current_step,
                     education_focus=education_focus, job_focus=job_focus)

    def update_plan(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                    education_goal: bool, job_goal: bool, agreements_recorded: bool,
                    order_shown: bool) -> None:
        """Record what Min Plan shows after an update."""
        command = "update_plan"
        for name, value in (("education_goal", education_goal), ("job_goal", job_goal),
                            ("agreements_recorded", agreements_recorded),
                            ("order_shown", order_shown)):
            check_bool(command, name, value)
        self._record(self.PlanUpdated, command, occurred_on, recorded_by, recorded_at,
                     education_goal=education_goal, job_goal=job_goal,
                     agreements_recorded=agreements_recorded, order_shown=order_shown)

    def start_offer(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                    offer_id: str, kind: OfferKind, individually_assessed: bool,
                    purpose_stated: bool) -> None:
        """Record the start of an offer; refused if an offer with this id is open."""
        command = "start_offer"
        check_id(command, "offer_id", offer_id)
        check_enum(command, "kind", kind, OfferKind)
        check_bool(command, "individually_assessed", individually_assessed)
        check_bool(command, "purpose_stated", purpose_stated)
        if offer_id in self.open_offers:
            raise EventOutOfOrderError(
                f"{command}: OfferStarted for offer {offer_id} already open for young person "
                f"{self.id}"
            )
        self._record(self.OfferStarted, command, occurred_on, recorded_by, recorded_at,
                     offer_id=offer_id, kind=kind, individually_assessed=individually_assessed,
                     purpose_stated=purpose_stated)

    def end_offer(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                  offer_id: str) -> None:
        """Record the end of an open offer."""
        command = "end_offer"
        check_id(command, "offer_id", offer_id)
        started = self.open_offers.get(offer_id)
        if started is None:
            raise EventOutOfOrderError(
                f"{command}: OfferEnded before OfferStarted for offer {offer_id} of young person "
                f"{self.id}"
            )
        check_not_before(command, occurred_on, "OfferStarted", started, "offer", offer_id)
        self._record(self.OfferEnded, command, occurred_on, recorded_by, recorded_at,
                     offer_id=offer_id)

    def record_absence(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                       valid_reason: bool, offer_id: str | None = None) -> None:
        """Record absence from an offer and whether a valid reason is documented."""
        command = "record_absence"
        check_bool(command, "valid_reason", valid_reason)
        if offer_id is not None:
            check_id(command, "offer_id", offer_id)
        self._record(self.AbsenceRecorded, command, occurred_on, recorded_by, recorded_at,
                     offer_id=offer_id, valid_reason=valid_reason)

    def decide_sanction(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                        imposed: bool, personal_contact_attempted: bool) -> None:
        """Record a decision on a sanction after absence."""
        command = "decide_sanction"
        check_bool(command, "imposed", imposed)
        check_bool(command, "personal_contact_attempted", personal_contact_attempted)
        self._record(self.SanctionDecided, command, occurred_on, recorded_by, recorded_at,
                     imposed=imposed, personal_contact_attempted=personal_contact_attempted)

    def make_cv_available(self, *, occurred_on: date, recorded_by: str,
                          recorded_at: datetime, job_goal_recorded: bool | None = None) -> None:
        """Record that the CV is available and searchable to employers, and whether it names
        at least one concrete job goal (``None``: not recorded — control point 28 is then not
        documented)."""
        command = "make_cv_available"
        if job_goal_recorded is not None:
            check_bool(command, "job_goal_recorded", job_goal_recorded)
        self._record(self.CvMadeAvailable, command, occurred_on, recorded_by,
                     recorded_at, job_goal_recorded=job_goal_recorded)

    def register_job_seeker(self, *, occurred_on: date, recorded_by: str,
                            recorded_at: datetime) -> None:
        """Record registration as a job seeker."""
        self._record(self.JobSeekerRegistered, "register_job_seeker", occurred_on, recorded_by,
                     recorded_at)

    def assign_caseworker(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                          caseworker_id: str, team_id: str) -> None:
        """Record that a caseworker (and team) took over the case."""
        command = "assign_caseworker"
        check_actor_id(command, "caseworker_id", caseworker_id)
        check_actor_id(command, "team_id", team_id)
        self._record(self.CaseworkerAssigned, command, occurred_on, recorded_by, recorded_at,
                     caseworker_id=caseworker_id, team_id=team_id)

    def grant_mentor(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                     purpose: MentorPurpose, until: date | None = None,
                     extension: bool = False) -> None:
        """Record that a mentor was granted (or extended)."""
        command = "grant_mentor"
        check_enum(command, "purpose", purpose, MentorPurpose)
        check_optional_date(command, "until", until)
        check_bool(command, "extension", extension)
        if until is not None and until < occurred_on:
            raise InvalidCommandError(command, "until", "on or after occurred_on", until)
        self._record(self.MentorGranted, command, occurred_on, recorded_by, recorded_at,
                     purpose=purpose, until=until, extension=extension)

    def end_benefit(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                    reason: BenefitEndReason) -> None:
        """Record that benefit ended; refused if it has already ended."""
        command = "end_benefit"
        check_enum(command, "reason", reason, BenefitEndReason)
        if self.benefit_ended_on is not None:
            raise EventOutOfOrderError(
                f"{command}: BenefitEnded already recorded on {self.benefit_ended_on.isoformat()}"
                f" for young person {self.id}"
            )
        check_date(command, "occurred_on", occurred_on)
        check_not_before(command, occurred_on, self._spell_start_event,
                         self.spell_started_on, "young person", self.id)
        self._record(self.BenefitEnded, command, occurred_on, recorded_by, recorded_at,
                     reason=reason)

    def return_to_benefit(self, *, occurred_on: date, recorded_by: str,
                          recorded_at: datetime) -> None:
        """Start a new benefit spell: the young person's first contact again, after the last
        spell ended. Refused while a spell is open (no ``BenefitEnded`` since its first
        contact) and on or before the day the last spell ended."""
        command = "return_to_benefit"
        check_date(command, "occurred_on", occurred_on)
        if self.spell == 0:  # followed by the youth effort only: the first benefit spell
            self._record(self.BenefitSpellStarted, command, occurred_on, recorded_by,
                         recorded_at, spell=1)
            return
        if self.benefit_ended_on is None:
            raise InvalidCommandError(
                command, "occurred_on",
                f"a first contact after benefit ended, but benefit spell {self.spell} of young "
                f"person {self.id} (first contact {self.spell_started_on.isoformat()}) is "
                f"open: no BenefitEnded recorded", occurred_on)
        if occurred_on <= self.benefit_ended_on:
            raise InvalidCommandError(
                command, "occurred_on",
                f"after {self.benefit_ended_on.isoformat()}, the day benefit spell {self.spell} "
                f"of young person {self.id} ended", occurred_on)
        self._record(self.BenefitSpellStarted, command, occurred_on, recorded_by, recorded_at,
                     spell=self.spell + 1)

    def decide_job_track(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                         starts_on: date, ends_on: date | None = None) -> None:
        """Record the decision to put the young person on the job track."""
        self._decide_period(self.JobTrackDecided, "decide_job_track", occurred_on, recorded_by,
                            recorded_at, starts_on, ends_on)

    def exempt_from_contact(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                            starts_on: date, ends_on: date | None = None) -> None:
        """Record the decision to exempt the young person from job conversations and offers."""
        self._decide_period(self.ContactExemptionDecided, "exempt_from_contact", occurred_on,
                            recorded_by, recorded_at, starts_on, ends_on)

    def _decide_period(self, event_class: type[CaseEvent], command: str, occurred_on: date,
                       recorded_by: str, recorded_at: datetime, starts_on: date,
                       ends_on: date | None) -> None:
        check_date(command, "starts_on", starts_on)
        check_optional_date(command, "ends_on", ends_on)
        if starts_on < self.first_contact_on:
            raise InvalidCommandError(command, "starts_on",
                                      f"on or after the first contact "
                                      f"({self.first_contact_on.isoformat()})", starts_on)
        if ends_on is not None and ends_on <= starts_on:
            raise InvalidCommandError(command, "ends_on", "after starts_on", ends_on)
        self._record(event_class, command, occurred_on, recorded_by, recorded_at,
                     starts_on=starts_on, ends_on=ends_on)

    # =========================================================================================
    # Exchange with the education institutions (issue 5): reports received through UDB with
    # their provenance, and the UDB subscription. Codes, ids, booleans and dates only.
    # The events keep their own state in ``ExchangeState`` through ``apply`` (decide, then
    # record: the commands below decide, the events only assign).
    # =========================================================================================

    class InstitutionReportReceived(Event):
        """An institution's report arrived through UDB, with its provenance.

        ``report_id`` is the report's unique id (HaendelseNummer); ``institution_id`` and
        ``system_id`` name who reported it and from which student-administrative system;
        ``entry`` says whether it was entered automatically or by hand; ``occurred_on`` is the
        day it happened, ``received_on`` the day the municipality received it. ``recipient_*``
        is the designated recipient the municipality routed it to when it arrived. Receiving is
        idempotent: a report id is recorded once.
        """

        report_id: str
        kind: ReportKind
        institution_id: str
        system_id: str
        entry: EntryMode
        received_on: date
        education_code: str | None
        starts_on: date | None
        reason_code: str | None
        school_municipality_code: str | None
        contact_kind: ContactKind | None
        contact_id: str | None
        in_reply_to: str | None
        recipient_kind: ContactKind | None
        recipient_id: str | None

        def apply(self, aggregate: Any) -> None:
            state = aggregate._exchange()
            state.received.add(self.report_id)
            state.fingerprints[self.report_id] = fingerprint_of(self)
            if self.report_id not in state.applied:
                state.pending[self.report_id] = self

    class InstitutionReportConflicting(Event):
        """A report arrived with the id (HaendelseNummer) of one received before but saying
        something else. It is recorded as it arrived, never applied, and flagged as a
        data-quality item for a person to resolve — neither silently dropped nor corrected.
        ``differs_in`` names the fields that differ from the report first received."""

        report_id: str
        kind: ReportKind
        institution_id: str
        system_id: str
        entry: EntryMode
        received_on: date
        education_code: str | None
        starts_on: date | None
        reason_code: str | None
        school_municipality_code: str | None
        contact_kind: ContactKind | None
        contact_id: str | None
        in_reply_to: str | None
        differs_in: tuple[str, ...]

        def apply(self, aggregate: Any) -> None:
            aggregate._exchange().conflicts.add((self.report_id, fingerprint_of(self)))

    class InstitutionReportApplied(Event):
        """A received report was applied to the case: ``target_id`` is the education order or
        retention case that recorded what it says."""

        report_id: str
        target_id: UUID

        def apply(self, aggregate: Any) -> None:
            state = aggregate._exchange()
            state.applied.add(self.report_id)
            state.pending.pop(self.report_id, None)

    class SubscriptionOpened(Event):
        """The UDB subscription (CreateUDBabonnement) was opened for the young person; it stays
        open after benefit ends until closed by :meth:`close_subscription` (000:379–381)."""

        rule_id: str

        def apply(self, aggregate: Any) -> None:
            aggregate._exchange().subscription_open = True

    class SubscriptionRefused(Event):
        """Opening the UDB subscription was refused, with the reason and the rule applied."""

        reason: SubscriptionRefusal
        rule_id: str

    class SubscriptionClosed(Event):
        """The UDB subscription was closed by an explicit command."""

        def apply(self, aggregate: Any) -> None:
            aggregate._exchange().subscription_open = False

    def _exchange(self) -> ExchangeState:
        state = self.__dict__.get("_exchange_state")
        if state is None:
            state = self.__dict__["_exchange_state"] = ExchangeState()
        assert isinstance(state, ExchangeState)
        return state

    @property
    def received_reports(self) -> frozenset[str]:
        """Report ids (HaendelseNummer) received for this young person."""
        return frozenset(self._exchange().received)

    @property
    def pending_reports(self) -> frozenset[str]:
        """Report ids received but not (yet) applied to the case."""
        state = self._exchange()
        return frozenset(state.received - state.applied)

    @property
    def pending_report_events(self) -> dict[str, YoungPerson.InstitutionReportReceived]:
        """The received, not yet applied reports as received, by report id."""
        return dict(self._exchange().pending)

    @property
    def subscription_open(self) -> bool:
        """Whether the UDB subscription is open."""
        return self._exchange().subscription_open

    def receive_institution_report(
            self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
            report_id: str, kind: ReportKind, institution_id: str, system_id: str,
            entry: EntryMode, received_on: date, education_code: str | None = None,
            starts_on: date | None = None, reason_code: str | None = None,
            school_municipality_code: str | None = None,
            contact_kind: ContactKind | None = None, contact_id: str | None = None,
            in_reply_to: str | None = None, recipient_kind: ContactKind | None = None,
            recipient_id: str | None = None) -> bool:
        """Record an institution's report; ``False`` when its report id was received before.

        A resend saying the same is ignored (nothing recorded); one saying something else is
        recorded as :class:`InstitutionReportConflicting` (once per distinct content), never
        applied, so that the data-quality check can flag it."""
        command = "receive_institution_report"
        check_id(command, "report_id", report_id)
        state = self._exchange()
        fingerprint = report_fingerprint(kind, institution_id, system_id, occurred_on,
                                         education_code, starts_on, reason_code,
                                         school_municipality_code, contact_kind, contact_id,
                                         in_reply_to)
        if report_id in state.received and (state.fingerprints.get(report_id) == fingerprint
                                             or (report_id, fingerprint) in state.conflicts):
            return False
        check_enum(command, "kind", kind, ReportKind)
        check_pattern(command, "institution_id", institution_id, INSTITUTION_ID,
                      "a six-digit institution number")
        check_id(command, "system_id", system_id)
        check_enum(command, "entry", entry, EntryMode)
        check_date(command, "occurred_on", occurred_on)
        check_date(command, "received_on", received_on)
        if received_on < occurred_on:
            raise InvalidCommandError(command, "received_on", "on or after occurred_on",
                                      received_on)
        check_not_in_future(command, received_on, recorded_at, "received_on")
        if education_code is not None:
            check_pattern(command, "education_code", education_code, EDUCATION_CODE,
                          "an education code")
        check_optional_date(command, "starts_on", starts_on)
        if reason_code is not None:
            check_id(command, "reason_code", reason_code)
        if school_municipality_code is not None:
            check_pattern(command, "school_municipality_code", school_municipality_code,
                          MUNICIPALITY_CODE, "a three-digit municipality code")
        for kind_field, id_field, value_kind, value_id in (
                ("contact_kind", "contact_id", contact_kind, contact_id),
                ("recipient_kind", "recipient_id", recipient_kind, recipient_id)):
            if (value_kind is None) != (value_id is None):
                raise InvalidCommandError(command, id_field, f"given together with {kind_field}",
                                          value_id)
            if value_kind is not None:
                check_enum(command, kind_field, value_kind, ContactKind)
                check_id(command, id_field, value_id)
        if in_reply_to is not None:
            check_id(command, "in_reply_to", in_reply_to)
        given = {"education_code": education_code, "starts_on": starts_on,
                 "reason_code": reason_code, "contact_kind": contact_kind,
                 "contact_id": contact_id, "in_reply_to": in_reply_to}
        for name in REPORT_NEEDS[kind]:
            if given[name] is None:
                raise InvalidCommandError(command, name, f"given for a {kind.value} report",
                                          None)
        if report_id in state.received:
            first = state.fingerprints[report_id]
            differs_in = tuple(name for name, a, b in zip(_FINGERPRINT_FIELDS, first,
                                                           fingerprint, strict=True) if a != b)
            self._record(self.InstitutionReportConflicting, command, occurred_on, recorded_by,
                         recorded_at, report_id=report_id, kind=kind,
                         institution_id=institution_id, system_id=system_id, entry=entry,
                         received_on=received_on, education_code=education_code,
                         starts_on=starts_on, reason_code=reason_code,
                         school_municipality_code=school_municipality_code,
                         contact_kind=contact_kind, contact_id=contact_id,
                         in_reply_to=in_reply_to, differs_in=differs_in)
            return False
        self._record(self.InstitutionReportReceived, command, occurred_on, recorded_by,
                     recorded_at, report_id=report_id, kind=kind, institution_id=institution_id,
                     system_id=system_id, entry=entry, received_on=received_on,
                     education_code=education_code, starts_on=starts_on,
                     reason_code=reason_code, school_municipality_code=school_municipality_code,
                     contact_kind=contact_kind, contact_id=contact_id, in_reply_to=in_reply_to,
                     recipient_kind=recipient_kind, recipient_id=recipient_id)
        return True

    def mark_report_applied(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                            report_id: str, target_id: UUID) -> None:
        """Record that a received, not yet applied report was applied to ``target_id``."""
        command = "mark_report_applied"
        check_id(command, "report_id", report_id)
        check_uuid(command, "target_id", target_id)
        state = self._exchange()
        if report_id not in state.received:
            raise EventOutOfOrderError(
                f"{command}: InstitutionReportApplied before InstitutionReportReceived for "
                f"report {report_id} of young person {self.id}")
        if report_id in state.applied:
            raise EventOutOfOrderError(
                f"{command}: InstitutionReportApplied already recorded for report {report_id} "
                f"of young person {self.id}")
        self._record(self.InstitutionReportApplied, command, occurred_on, recorded_by,
                     recorded_at, report_id=report_id, target_id=target_id)

    def open_subscription(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                          refusal: SubscriptionRefusal | None, rule_id: str) -> bool:
        """Record the outcome of opening the UDB subscription, decided by the exchange's rule
        (``refusal`` is None when it opens); returns whether it is open."""
        command = "open_subscription"
        check_id(command, "rule_id", rule_id)
        if self._exchange().subscription_open:
            raise EventOutOfOrderError(
                f"{command}: SubscriptionOpened already recorded for young person {self.id}")
        if refusal is not None:
            check_enum(command, "refusal", refusal, SubscriptionRefusal)
            self._record(self.SubscriptionRefused, command, occurred_on, recorded_by,
                         recorded_at, reason=refusal, rule_id=rule_id)
            return False
        self._record(self.SubscriptionOpened, command, occurred_on, recorded_by, recorded_at,
                     rule_id=rule_id)
        return True

    def close_subscription(self, *, occurred_on: date, recorded_by: str,
                           recorded_at: datetime) -> None:
        """Close the UDB subscription (only ever by this explicit command)."""
        command = "close_subscription"
        if not self._exchange().subscription_open:
            raise EventOutOfOrderError(
                f"{command}: SubscriptionClosed before SubscriptionOpened for young person "
                f"{self.id}")
        self._record(self.SubscriptionClosed, command, occurred_on, recorded_by, recorded_at)

    # =========================================================================================
    # Erasure (issue 12): the person's data key is deleted (crypto-shredding); the events stay.

    class PersonalDataErased(Event):
        """The young person's personal data was erased: their identity record and data key are
        deleted, so their CPR number, name and birth date can no longer be read. The birth date
        reads afterwards as ``birth_date_earliest``: the earliest birth date that gives the same
        age in whole years on every date of the case, so that every rule judges as before;
        ``birth_date_latest`` is the latest such date. Both follow from the case's dates and the
        ages on them, and say no more about the person than those ages."""

        birth_date_earliest: date
        birth_date_latest: date

        def apply(self, aggregate: Any) -> None:
            aggregate.__dict__["erased_on"] = self.occurred_on

    @property
    def erased_on(self) -> date | None:
        """The day the personal data was erased, if it was."""
        value = self.__dict__.get("erased_on")
        return value if isinstance(value, date) else None

    def erase_personal_data(self, *, occurred_on: date, recorded_by: str, recorded_at: datetime,
                            birth_date_earliest: date, birth_date_latest: date) -> None:
        """Record the erasure (the application deletes the key in the same transaction)."""
        command = "erase_personal_data"
        check_date(command, "birth_date_earliest", birth_date_earliest)
        check_date(command, "birth_date_latest", birth_date_latest)
        if not birth_date_earliest <= birth_date_latest < self.first_contact_on:
            raise InvalidCommandError(command, "birth_date_latest",
                                      "a range ending before the first contact", "<redacted>")
        self._record(self.PersonalDataErased, command, occurred_on, recorded_by, recorded_at,
                     birth_date_earliest=birth_date_earliest,
                     birth_date_latest=birth_date_latest)
