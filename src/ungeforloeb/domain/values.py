"""Value types of the domain: enumerations whose values are the stable codes in events.

The values (not the names) are what is stored and exported; never change a value, add a
new member instead (and say so in the event catalogue).
"""

from __future__ import annotations

from enum import Enum


class VisitationGroup(Enum):
    """Visitationsgruppe."""

    OBVIOUSLY_EDUCATION_READY = "AAUP"  # åbenlyst uddannelsesparat (ÅUP)
    EDUCATION_READY = "UP"  # uddannelsesparat
    ACTIVITY_READY = "AP"  # aktivitetsparat


class VisitationStage(Enum):
    """Foreløbig (at the first conversation) or endelig (final) visitation."""

    PRELIMINARY = "preliminary"
    FINAL = "final"


class LiteracyTestNeed(Enum):
    """Outcome of assessing the need for the reading, writing and maths test (FVU-test)."""

    NEEDED = "needed"
    EXEMPT_YOUTH_EDUCATION = "exempt_youth_education"  # har gennemført en ungdomsuddannelse
    EXEMPT_VALID_TEST = "exempt_valid_test"  # gyldig test, højst 2 år gammel
    EXEMPT_VALID_REASON = "exempt_valid_reason"  # gyldig grund, fx sygdom eller barsel


class GuidanceTopic(Enum):
    """What the young person was guided on (vejledning om rettigheder og pligter)."""

    HOURS_225 = "225_hour_rule"  # 225-timersreglen
    RIGHTS_AND_DUTIES = "rights_and_duties"
    SANCTIONS = "sanctions"


class OfferKind(Enum):
    """Kind of offer (tilbud)."""

    GUIDANCE_AND_UPSKILLING = "guidance_and_upskilling"  # vejledning og opkvalificering
    COMPANY_INTERNSHIP = "company_internship"  # virksomhedspraktik
    WAGE_SUBSIDY = "wage_subsidy"  # løntilskud
    OTHER = "other"


class MentorPurpose(Enum):
    """Why a mentor was granted."""

    GENERAL = "general"  # mentorstøtte under forløbet
    TRANSITION = "transition"  # ved overgang til uddannelse / frafaldsrisiko (mentor_right_window)


class BenefitEndReason(Enum):
    """Why education benefit ended."""

    STARTED_EDUCATION = "started_education"
    STARTED_WORK = "started_work"
    MOVED = "moved"
    OTHER = "other"


class OrderStep(Enum):
    """The three steps of the education order (uddannelsespålæggets trin)."""

    PROPOSE_WISH = 1  # trin 1: komme med forslag til uddannelsesønsker
    APPLY = 2  # trin 2: søge optagelse
    START_AND_COMPLETE = 3  # trin 3: påbegynde og gennemføre


class DeadlineMoveReason(Enum):
    """Reason code for moving a step deadline (fristen flyttet)."""

    ILLNESS = "illness"
    WAITING_FOR_ADMISSION_ROUND = "waiting_for_admission_round"
    NEEDS_MORE_CLARIFICATION = "needs_more_clarification"
    OFFER_IN_PROGRESS = "offer_in_progress"
    OTHER = "other"  # recorded as a code only; the audit saw moves "uden reel begrundelse"


class InterruptionReason(Enum):
    """Why an education was interrupted (afbrudt). UDB's own codes are not public."""

    DROPOUT = "dropout"
    EXPELLED = "expelled"
    CHANGED_EDUCATION = "changed_education"
    ILLNESS = "illness"
    UNKNOWN = "unknown"


class OrderEndReason(Enum):
    """Why the education order ended."""

    EDUCATION_COMPLETED = "education_completed"
    LEFT_BENEFIT = "left_benefit"
    REVISITATED = "revisitated"  # e.g. visited as AP, order no longer relevant
    OTHER = "other"


class ContactChannel(Enum):
    """How the young person was contacted."""

    PHONE = "phone"
    MEETING = "meeting"
    DIGITAL_MESSAGE = "digital_message"
    LETTER = "letter"


class RetentionInitiative(Enum):
    """Retention initiative decided with the institution (fastholdelsesinitiativ)."""

    MENTOR = "mentor"
    COUNSELLING = "counselling"
    ADJUSTED_SCHEDULE = "adjusted_schedule"
    SUPPORT_MEETING = "support_meeting"
    OTHER = "other"


class YouthActivity(Enum):
    """The new activity a young person followed by the youth effort started (uddannelse,
    beskæftigelse eller anden aktivitet)."""

    EDUCATION = "education"
    WORK = "work"
    OTHER_ACTIVITY = "other_activity"


class RetentionOutcome(Enum):
    """How a retention case was closed."""

    RETAINED = "retained"
    DROPPED_OUT = "dropped_out"
    CHANGED_EDUCATION = "changed_education"
    NO_ACTION_NEEDED = "no_action_needed"


class ContactKind(Enum):
    """A contact is a named person or a team (never a general mailbox)."""

    PERSON = "person"
    TEAM = "team"
