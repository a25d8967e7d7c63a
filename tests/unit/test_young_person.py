"""The young person's case: given what was recorded, when a command, then these facts (or a
refusal naming the rule)."""

from __future__ import annotations

from datetime import datetime

import pytest
from gwt import NOW, TODAY, YOUNG_PERSON, day, fact

from ungeforloeb.domain import YoungPerson
from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError
from ungeforloeb.domain.values import (
    BenefitEndReason,
    GuidanceTopic,
    LiteracyTestNeed,
    MentorPurpose,
    OfferKind,
    VisitationGroup,
    VisitationStage,
)

YP = YoungPerson


def first_contact(on: int = 0):
    return fact(YP.FirstContactRegistered, occurred_on=day(on), municipality_code="101",
                birth_date=day(0).replace(year=2004))


CASE = YOUNG_PERSON.given(first_contact())


# ------------------------------------------------------------------ first contact


def test_a_first_contact_opens_the_case():
    person = YOUNG_PERSON.when(
        "register_first_contact", occurred_on=day(2), municipality_code="101",
        birth_date=day(0).replace(year=2004),
    ).then(fact(YP.FirstContactRegistered, occurred_on=day(2), municipality_code="101",
                birth_date=day(0).replace(year=2004)))
    assert person.first_contact_on == day(2)


def test_a_first_contact_keeps_the_id_it_is_given():
    from gwt import YOUNG_PERSON_ID

    person = YOUNG_PERSON.when(
        "register_first_contact", occurred_on=day(2), municipality_code="101",
        birth_date=day(0).replace(year=2004), young_person_id=YOUNG_PERSON_ID,
    ).then(fact(YP.FirstContactRegistered, occurred_on=day(2), municipality_code="101",
                birth_date=day(0).replace(year=2004)))
    assert person.id == YOUNG_PERSON_ID


def test_a_first_contact_cannot_be_dated_after_the_day_it_is_recorded():
    YOUNG_PERSON.when(
        "register_first_contact", occurred_on=TODAY.replace(day=TODAY.day + 1),
        municipality_code="101", birth_date=day(0).replace(year=2004),
    ).refused(InvalidCommandError, match=r"register_first_contact: field 'occurred_on' must be "
                                         r"on or before the day it is recorded")


def test_a_young_person_must_be_born_before_the_first_contact():
    YOUNG_PERSON.when(
        "register_first_contact", occurred_on=day(2), municipality_code="101",
        birth_date=day(3),
    ).refused(InvalidCommandError, match="register_first_contact: field 'birth_date' must be "
                                         "before the first contact")


@pytest.mark.parametrize("code", ["1010", "ab1", "", 101])
def test_a_municipality_is_named_by_its_three_digit_code(code):
    YOUNG_PERSON.when(
        "register_first_contact", occurred_on=day(2), municipality_code=code,
        birth_date=day(0).replace(year=2004),
    ).refused(InvalidCommandError, match="field 'municipality_code' must be a three-digit")


@pytest.mark.parametrize("who", ["Mette Hansen", "Mette", "m hansen", "", "x" * 65])
def test_a_name_is_refused_as_who_recorded_the_fact(who):
    YOUNG_PERSON.when(
        "register_first_contact", occurred_on=day(2), municipality_code="101",
        birth_date=day(0).replace(year=2004), recorded_by=who,
    ).refused(InvalidCommandError, match=r"register_first_contact: field 'recorded_by' must be "
                                         r"an id .*\(never a name\)")


@pytest.mark.parametrize("who", ["cw-17", "team:north", "system.udb", "0042"])
def test_caseworker_team_and_system_ids_may_record(who):
    CASE.when("hold_first_conversation", occurred_on=day(1), recorded_by=who).then(
        fact(YP.FirstConversationHeld, occurred_on=day(1), recorded_by=who))


def test_a_date_must_be_a_date_not_a_datetime_or_text():
    CASE.when("hold_first_conversation", occurred_on=datetime(2024, 1, 2)).refused(
        InvalidCommandError, match="hold_first_conversation: field 'occurred_on' must be a "
                                   "datetime.date")
    CASE.when("hold_first_conversation", occurred_on="2024-01-02").refused(
        InvalidCommandError, match="field 'occurred_on' must be a datetime.date")


# ------------------------------------------------------------ first conversation


def test_the_first_conversation_is_recorded():
    person = CASE.when("hold_first_conversation", occurred_on=day(3)).then(
        fact(YP.FirstConversationHeld, occurred_on=day(3)))
    assert person.first_conversation_on == day(3)


def test_the_first_conversation_can_be_on_the_day_of_first_contact():
    CASE.when("hold_first_conversation", occurred_on=day(0)).then(
        fact(YP.FirstConversationHeld, occurred_on=day(0)))


def test_there_is_only_one_first_conversation():
    CASE.given(fact(YP.FirstConversationHeld, occurred_on=day(3))).when(
        "hold_first_conversation", occurred_on=day(4),
    ).refused(EventOutOfOrderError, match="FirstConversationHeld already recorded on 2024-01-04 "
                                          "for young person")


def test_nothing_is_recorded_before_the_first_contact():
    YOUNG_PERSON.given(first_contact(on=10)).when(
        "hold_first_conversation", occurred_on=day(9),
    ).refused(EventOutOfOrderError, match=r"hold_first_conversation on 2024-01-10 before "
                                          r"FirstContactRegistered on 2024-01-11 for young person")


def test_nothing_is_recorded_before_it_happens():
    CASE.when("hold_first_conversation", occurred_on=day(200)).refused(
        InvalidCommandError, match="field 'occurred_on' must be on or before the day it is "
                                   f"recorded \\({TODAY.isoformat()}\\)")


# ------------------------------------------------------------------ visitation


def test_a_preliminary_visitation_records_group_perspective_and_justification():
    person = CASE.when(
        "visitate", occurred_on=day(3), stage=VisitationStage.PRELIMINARY,
        group=VisitationGroup.ACTIVITY_READY, perspective_recorded=True,
        justification_recorded=True,
    ).then(fact(YP.Visitated, occurred_on=day(3), stage=VisitationStage.PRELIMINARY,
                group=VisitationGroup.ACTIVITY_READY, perspective_recorded=True,
                justification_recorded=True))
    assert person.final_visitation_on is None


def test_a_final_visitation_can_change_the_group():
    person = CASE.given(
        fact(YP.Visitated, occurred_on=day(3), stage=VisitationStage.PRELIMINARY,
             group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
             justification_recorded=False),
    ).when(
        "visitate", occurred_on=day(60), stage=VisitationStage.FINAL,
        group=VisitationGroup.OBVIOUSLY_EDUCATION_READY, perspective_recorded=False,
        justification_recorded=True,
    ).then(fact(YP.Visitated, occurred_on=day(60), stage=VisitationStage.FINAL,
                group=VisitationGroup.OBVIOUSLY_EDUCATION_READY, perspective_recorded=False,
                justification_recorded=True))
    assert person.final_visitation_on == day(60)


def test_a_visitation_group_is_one_of_the_three_groups():
    CASE.when(
        "visitate", occurred_on=day(3), stage=VisitationStage.FINAL, group="UP",
        perspective_recorded=True, justification_recorded=True,
    ).refused(InvalidCommandError, match=r"visitate: field 'group' must be one of "
                                         r"VisitationGroup\.OBVIOUSLY_EDUCATION_READY")


def test_perspective_recorded_must_be_yes_or_no():
    CASE.when(
        "visitate", occurred_on=day(3), stage=VisitationStage.FINAL,
        group=VisitationGroup.EDUCATION_READY, perspective_recorded="yes",
        justification_recorded=True,
    ).refused(InvalidCommandError, match="visitate: field 'perspective_recorded' must be True "
                                         "or False, got 'yes'")


# ------------------------------------------------------------------ FVU test


def test_the_literacy_test_can_be_assessed_as_needed():
    CASE.when("assess_literacy_test", occurred_on=day(5), need=LiteracyTestNeed.NEEDED).then(
        fact(YP.LiteracyTestAssessed, occurred_on=day(5), need=LiteracyTestNeed.NEEDED,
             earlier_test_on=None))


def test_an_exemption_for_a_valid_earlier_test_names_the_test_date():
    CASE.when("assess_literacy_test", occurred_on=day(5), need=LiteracyTestNeed.EXEMPT_VALID_TEST,
              earlier_test_on=day(0).replace(year=2023)).then(
        fact(YP.LiteracyTestAssessed, occurred_on=day(5),
             need=LiteracyTestNeed.EXEMPT_VALID_TEST, earlier_test_on=day(0).replace(year=2023)))


def test_an_exemption_for_a_valid_earlier_test_without_its_date_is_refused():
    CASE.when("assess_literacy_test", occurred_on=day(5),
              need=LiteracyTestNeed.EXEMPT_VALID_TEST).refused(
        InvalidCommandError, match="assess_literacy_test: field 'earlier_test_on' must be the "
                                   "date of the earlier test")


def test_a_taken_literacy_test_records_whether_it_showed_a_need():
    CASE.when("take_literacy_test", occurred_on=day(20), shows_need=True).then(
        fact(YP.LiteracyTestTaken, occurred_on=day(20), shows_need=True))


# ------------------------------------------------------- guidance, caseworkers, plan


def test_guidance_on_the_225_hour_rule_is_recorded():
    CASE.when("give_rights_guidance", occurred_on=day(3), topic=GuidanceTopic.HOURS_225).then(
        fact(YP.RightsGuidanceGiven, occurred_on=day(3), topic=GuidanceTopic.HOURS_225))


def test_a_coordinating_caseworker_offer_is_recorded():
    CASE.when("offer_coordinating_caseworker", occurred_on=day(3)).then(
        fact(YP.CoordinatingCaseworkerOffered, occurred_on=day(3)))


def test_a_conversation_records_follow_up_and_focus():
    CASE.when("hold_conversation", occurred_on=day(30), follows_up_current_step=True,
              education_focus=True, job_focus=False).then(
        fact(YP.ConversationHeld, occurred_on=day(30), current_step_followed_up=True,
             education_focus=True, job_focus=False))


def test_a_conversation_without_saying_whether_it_followed_up_is_refused():
    CASE.when("hold_conversation", occurred_on=day(30), follows_up_current_step=None,
              education_focus=True).refused(
        InvalidCommandError, match="hold_conversation: field 'follows_up_current_step' must be "
                                   "True or False, got None")


def test_min_plan_update_records_what_it_shows():
    CASE.when("update_plan", occurred_on=day(10), education_goal=True, job_goal=False,
              agreements_recorded=True, order_shown=True).then(
        fact(YP.PlanUpdated, occurred_on=day(10), education_goal=True, job_goal=False,
             agreements_recorded=True, order_shown=True))


def test_min_plan_flags_must_be_yes_or_no():
    CASE.when("update_plan", occurred_on=day(10), education_goal=True, job_goal=False,
              agreements_recorded=1, order_shown=True).refused(
        InvalidCommandError, match="update_plan: field 'agreements_recorded' must be True or "
                                   "False, got 1")


def test_a_caseworker_and_team_take_over_the_case():
    person = CASE.when("assign_caseworker", occurred_on=day(1), caseworker_id="cw-9",
                       team_id="team-north").then(
        fact(YP.CaseworkerAssigned, occurred_on=day(1), caseworker_id="cw-9",
             team_id="team-north"))
    assert (person.caseworker_id, person.team_id) == ("cw-9", "team-north")


def test_a_caseworker_is_named_by_id_never_by_name():
    CASE.when("assign_caseworker", occurred_on=day(1), caseworker_id="Jens Jensen",
              team_id="team-north").refused(
        InvalidCommandError, match="assign_caseworker: field 'caseworker_id' must be an id")


def test_cv_and_job_seeker_registration_are_recorded():
    CASE.when("make_cv_available", occurred_on=day(14)).then(
        fact(YP.CvMadeAvailable, occurred_on=day(14), job_goal_recorded=None))
    CASE.when("make_cv_available", occurred_on=day(14), job_goal_recorded=True).then(
        fact(YP.CvMadeAvailable, occurred_on=day(14), job_goal_recorded=True))
    CASE.when("make_cv_available", occurred_on=day(14), job_goal_recorded="yes").refused(
        InvalidCommandError, match="make_cv_available: field 'job_goal_recorded' must be True")
    CASE.when("register_job_seeker", occurred_on=day(2)).then(
        fact(YP.JobSeekerRegistered, occurred_on=day(2)))


# ------------------------------------------------------------------ offers


def offer_started(offer_id: str = "offer-1", on: int = 10):
    return fact(YP.OfferStarted, occurred_on=day(on), offer_id=offer_id,
                kind=OfferKind.COMPANY_INTERNSHIP, individually_assessed=True,
                purpose_stated=True)


def test_an_offer_starts():
    person = CASE.when("start_offer", occurred_on=day(10), offer_id="offer-1",
                       kind=OfferKind.COMPANY_INTERNSHIP, individually_assessed=True,
                       purpose_stated=True).then(offer_started())
    assert person.open_offers == {"offer-1": day(10)}


def test_an_open_offer_cannot_start_again():
    CASE.given(offer_started()).when(
        "start_offer", occurred_on=day(11), offer_id="offer-1", kind=OfferKind.OTHER,
        individually_assessed=False, purpose_stated=False,
    ).refused(EventOutOfOrderError, match="OfferStarted for offer offer-1 already open")


def test_an_offer_ends_after_it_started():
    person = CASE.given(offer_started()).when("end_offer", occurred_on=day(40),
                                              offer_id="offer-1").then(
        fact(YP.OfferEnded, occurred_on=day(40), offer_id="offer-1"))
    assert person.open_offers == {}


def test_an_offer_that_never_started_cannot_end():
    CASE.when("end_offer", occurred_on=day(40), offer_id="offer-1").refused(
        EventOutOfOrderError, match="OfferEnded before OfferStarted for offer offer-1")


def test_an_offer_cannot_end_before_the_day_it_started():
    CASE.given(offer_started(on=10)).when("end_offer", occurred_on=day(9),
                                          offer_id="offer-1").refused(
        EventOutOfOrderError, match="end_offer on 2024-01-10 before OfferStarted on 2024-01-11 "
                                    "for offer offer-1")


def test_absence_is_recorded_with_or_without_an_offer():
    CASE.when("record_absence", occurred_on=day(12), valid_reason=False,
              offer_id="offer-1").then(
        fact(YP.AbsenceRecorded, occurred_on=day(12), offer_id="offer-1", valid_reason=False))
    CASE.when("record_absence", occurred_on=day(12), valid_reason=True).then(
        fact(YP.AbsenceRecorded, occurred_on=day(12), offer_id=None, valid_reason=True))


def test_a_sanction_decision_records_whether_personal_contact_was_attempted():
    CASE.when("decide_sanction", occurred_on=day(15), imposed=False,
              personal_contact_attempted=True).then(
        fact(YP.SanctionDecided, occurred_on=day(15), imposed=False,
             personal_contact_attempted=True))


# ------------------------------------------------------------------ mentor, benefit


def test_a_transition_mentor_is_granted_until_a_day():
    CASE.when("grant_mentor", occurred_on=day(100), purpose=MentorPurpose.TRANSITION,
              until=day(280)).then(
        fact(YP.MentorGranted, occurred_on=day(100), purpose=MentorPurpose.TRANSITION,
             until=day(280), extension=False))


def test_a_mentor_cannot_end_before_granted():
    CASE.when("grant_mentor", occurred_on=day(100), purpose=MentorPurpose.GENERAL,
              until=day(99)).refused(
        InvalidCommandError, match="grant_mentor: field 'until' must be on or after occurred_on")


def test_benefit_ends_once():
    person = CASE.when("end_benefit", occurred_on=day(120),
                       reason=BenefitEndReason.STARTED_EDUCATION).then(
        fact(YP.BenefitEnded, occurred_on=day(120), reason=BenefitEndReason.STARTED_EDUCATION))
    assert person.benefit_ended_on == day(120)
    CASE.given(fact(YP.BenefitEnded, occurred_on=day(120),
                    reason=BenefitEndReason.STARTED_WORK)).when(
        "end_benefit", occurred_on=day(121), reason=BenefitEndReason.OTHER,
    ).refused(EventOutOfOrderError, match="BenefitEnded already recorded on 2024-04-30")


def test_a_command_may_be_recorded_at_its_own_time():
    at = NOW.replace(year=2025)
    CASE.when("hold_first_conversation", occurred_on=day(400), recorded_at=at).then(
        fact(YP.FirstConversationHeld, occurred_on=day(400)))
