"""Every control point's rule, on both sides of its clock's edge.

Case files are built straight from event records (``rules_builder``); no database.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules_builder import CaseBuilder
from ungeforloeb.projections.compliance import evaluate_case
from ungeforloeb.rules.verdict import Status, Verdict

MET, MISSED, DUE = Status.MET, Status.MISSED, Status.DUE
NA, ND = Status.NOT_APPLICABLE, Status.NOT_DOCUMENTED


def verdict(case: CaseBuilder, rule_id: str, as_of: date, *, known_at: date | None = None,
            subject: str | None = None) -> Verdict:
    found = [v for v in evaluate_case(case.case_file(), as_of, known_at)
             if v.rule_id == rule_id and (subject is None or v.subject == subject)]
    assert len(found) == 1, found
    return found[0]


def status(case: CaseBuilder, rule_id: str, as_of: date, **kw: object) -> Status:
    return verdict(case, rule_id, as_of, **kw).status  # type: ignore[arg-type]


# ------------------------------------------------------------------ 1. first conversation

MONDAY = date(2024, 3, 4)


@pytest.mark.parametrize(("days", "expected"), [(0, MET), (7, MET), (8, MISSED)])
def test_first_conversation_on_day_7_is_in_time_and_on_day_8_is_late(days: int,
                                                                      expected: Status) -> None:
    case = CaseBuilder(MONDAY)
    case.event("FirstConversationHeld", MONDAY + timedelta(days))
    v = verdict(case, "cp01_first_conversation", date(2024, 6, 1))
    assert v.status is expected
    assert v.due_on == date(2024, 3, 11)
    assert v.clock_start is not None and v.clock_start.type == "FirstContactRegistered"
    assert v.met_by is not None and v.met_by.type == "FirstConversationHeld"


def test_first_conversation_not_held_is_due_through_day_7_and_missed_from_day_8() -> None:
    case = CaseBuilder(MONDAY)
    due = verdict(case, "cp01_first_conversation", date(2024, 3, 11))
    assert due.status is DUE and due.due_on == date(2024, 3, 11) and due.met_by is None
    assert status(case, "cp01_first_conversation", date(2024, 3, 12)) is MISSED


# ------------------------------------------------------------------ 2. final visitation


def test_final_visitation_due_on_the_last_day_of_a_leap_february() -> None:
    case = CaseBuilder(date(2019, 11, 30))  # + 3 months = 29 Feb 2020
    v = verdict(case, "cp02_final_visitation", date(2020, 2, 29))
    assert (v.status, v.due_on) == (DUE, date(2020, 2, 29))
    assert status(case, "cp02_final_visitation", date(2020, 3, 1)) is MISSED
    case.visitate(date(2020, 2, 29), "UP")
    assert status(case, "cp02_final_visitation", date(2020, 3, 1)) is MET


def test_final_visitation_from_31_january_is_due_30_april() -> None:
    case = CaseBuilder(date(2019, 1, 31))
    case.visitate(date(2019, 5, 1), "UP")
    v = verdict(case, "cp02_final_visitation", date(2019, 6, 1))
    assert (v.status, v.due_on) == (MISSED, date(2019, 4, 30))
    assert "late by 1 days" in v.explanation


def test_a_preliminary_visitation_does_not_meet_the_final_one() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP", stage="preliminary")
    assert status(case, "cp02_final_visitation", date(2024, 6, 5)) is MISSED


# ------------------------------------------------------------------ 3, 4. the final visitation


def test_perspective_and_justification_are_judged_on_the_final_visitation() -> None:
    case = CaseBuilder(MONDAY)
    assert status(case, "cp03_perspective_in_visitation", MONDAY) is ND  # no group yet
    case.visitate(MONDAY, "UP", stage="preliminary")
    assert status(case, "cp03_perspective_in_visitation", MONDAY) is NA  # no final one yet
    case.visitate(date(2024, 4, 1), "AP", perspective=False, justification=True)
    assert status(case, "cp03_perspective_in_visitation", date(2024, 4, 1)) is MISSED
    assert status(case, "cp04_justification_of_visitation", date(2024, 4, 1)) is MET


def test_perspective_does_not_apply_to_obviously_education_ready() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "AAUP", perspective=False)
    v = verdict(case, "cp03_perspective_in_visitation", MONDAY)
    assert v.status is NA and "group AAUP" in v.explanation


def test_a_conversation_recorded_without_the_follow_up_flag_is_not_documented() -> None:
    case = CaseBuilder(MONDAY)
    case.order(MONDAY)
    # a v1-shaped record that was never upcast: the flag this rule reads is absent
    case.event("ConversationHeld", date(2024, 3, 5), follows_up_current_step=True,
               education_focus=True, job_focus=False)
    assert status(case, "cp13_follow_up_current_step", date(2024, 3, 5)) is ND


def test_the_group_at_the_end_of_the_case_decides_the_population() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "AAUP", stage="preliminary")
    case.visitate(date(2024, 5, 1), "AP")
    assert status(case, "cp29_cv_available", date(2024, 4, 1)) is MISSED  # ÅUP as of April
    assert status(case, "cp29_cv_available", date(2024, 5, 1)) is NA  # AP at the end


# ------------------------------------------------------------------ 5-7. FVU test

JAN31 = date(2024, 1, 31)  # + 1 month = 29 Feb 2024


@pytest.mark.parametrize(("taken", "expected"), [(date(2024, 2, 29), MET),
                                                 (date(2024, 3, 1), MISSED)])
def test_fvu_test_within_a_month_ends_on_the_last_day_of_february(taken: date,
                                                                  expected: Status) -> None:
    case = CaseBuilder(JAN31)
    case.event("LiteracyTestTaken", taken, shows_need=False)
    v = verdict(case, "cp06_literacy_test_in_time", date(2024, 4, 1))
    assert (v.status, v.due_on) == (expected, date(2024, 2, 29))


def test_fvu_test_is_not_required_with_a_youth_education_or_a_valid_test() -> None:
    case = CaseBuilder(JAN31)
    case.event("LiteracyTestAssessed", JAN31, need="exempt_youth_education", earlier_test_on=None)
    assert status(case, "cp06_literacy_test_in_time", date(2024, 4, 1)) is NA
    assert status(case, "cp05_literacy_need_assessed", date(2024, 4, 1)) is MET
    assert status(case, "cp07_reason_if_not_tested", date(2024, 4, 1)) is NA


def test_a_valid_reason_documented_meets_point_7_but_not_point_6() -> None:
    case = CaseBuilder(JAN31)
    assert status(case, "cp07_reason_if_not_tested", date(2024, 2, 29)) is NA  # 6 still due
    assert status(case, "cp07_reason_if_not_tested", date(2024, 3, 1)) is MISSED
    case.event("LiteracyTestAssessed", date(2024, 3, 5), need="exempt_valid_reason",
               earlier_test_on=None)
    assert status(case, "cp06_literacy_test_in_time", date(2024, 4, 1)) is MISSED
    assert status(case, "cp07_reason_if_not_tested", date(2024, 4, 1)) is MET
    late = verdict(case, "cp05_literacy_need_assessed", date(2024, 4, 1))
    assert late.status is MET and "documented late" in late.explanation


# ------------------------------------------------------------------ 9. order at 1st conversation


@pytest.mark.parametrize(("issued", "expected"), [(date(2024, 3, 6), MET),
                                                  (date(2024, 3, 7), MISSED)])
def test_order_is_due_on_the_day_of_the_first_conversation(issued: date,
                                                           expected: Status) -> None:
    case = CaseBuilder(MONDAY)
    case.event("FirstConversationHeld", date(2024, 3, 6))
    case.order(issued)
    assert status(case, "cp09_order_at_first_conversation", date(2024, 4, 1)) is expected


def test_order_rule_waits_for_the_first_conversation() -> None:
    case = CaseBuilder(MONDAY)
    assert status(case, "cp09_order_at_first_conversation", date(2024, 4, 1)) is NA


# ------------------------------------------------------------------ 10. 225-hour guidance


def test_225_hour_guidance_is_due_while_the_case_is_open_and_missed_when_it_ends() -> None:
    case = CaseBuilder(MONDAY)
    v = verdict(case, "cp10_guidance_225_hours", date(2024, 9, 1))
    assert (v.status, v.due_on) == (DUE, None)
    case.event("BenefitEnded", date(2024, 10, 1), reason="started_work")
    assert status(case, "cp10_guidance_225_hours", date(2024, 10, 1)) is MISSED
    assert status(case, "cp10_guidance_225_hours", date(2024, 9, 30)) is DUE


def test_225_hour_guidance_applies_from_october_2016_to_june_2025() -> None:
    for first_contact, expected in [(date(2016, 9, 30), NA), (date(2016, 10, 1), DUE),
                                    (date(2025, 6, 30), DUE), (date(2025, 7, 1), NA)]:
        case = CaseBuilder(first_contact)
        assert status(case, "cp10_guidance_225_hours", first_contact) is expected, first_contact


# ------------------------------------------------------------------ 11. coordinating caseworker


def test_coordinating_caseworker_expected_within_7_days_of_the_ap_visitation() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(date(2024, 3, 10), "AP", stage="preliminary")
    assert verdict(case, "cp11_coordinating_caseworker", date(2024, 3, 17)).status is DUE
    assert status(case, "cp11_coordinating_caseworker", date(2024, 3, 18)) is MISSED
    case.event("CoordinatingCaseworkerOffered", date(2024, 3, 20))
    assert status(case, "cp11_coordinating_caseworker", date(2024, 3, 20)) is MET


def test_coordinating_caseworker_is_only_for_ap() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP")
    assert status(case, "cp11_coordinating_caseworker", date(2024, 6, 1)) is NA


# ------------------------------------------------------------------ 13, 14. conversations


def test_follow_up_is_judged_on_the_latest_conversation_after_the_order() -> None:
    case = CaseBuilder(MONDAY)
    case.conversation(date(2024, 3, 5), followed_up=False)
    assert status(case, "cp13_follow_up_current_step", date(2024, 3, 6)) is NA  # no order
    case.order(date(2024, 3, 6))
    case.conversation(date(2024, 4, 1), followed_up=True)
    case.conversation(date(2024, 5, 1), followed_up=False)
    assert status(case, "cp13_follow_up_current_step", date(2024, 4, 30)) is MET
    assert status(case, "cp13_follow_up_current_step", date(2024, 5, 1)) is MISSED


def test_education_focus_looks_back_one_year_from_the_case_end() -> None:
    case = CaseBuilder(date(2022, 1, 3))
    case.conversation(date(2022, 2, 1), education_focus=True)
    assert status(case, "cp14_education_focus", date(2023, 2, 1)) is MET  # day 365 back
    assert status(case, "cp14_education_focus", date(2023, 2, 2)) is NA  # fell out
    case.conversation(date(2023, 1, 15), education_focus=False)
    assert status(case, "cp14_education_focus", date(2023, 2, 2)) is MISSED


# ------------------------------------------------------------------ 16. one caseworker


def test_one_caseworker_over_the_last_year_of_cases_a_year_long() -> None:
    case = CaseBuilder(date(2022, 1, 3))
    case.event("CaseworkerAssigned", date(2022, 1, 3), caseworker_id="cw-a", team_id="t-1")
    assert status(case, "cp16_single_caseworker", date(2023, 1, 2)) is NA  # under a year
    assert status(case, "cp16_single_caseworker", date(2023, 1, 3)) is MET
    case.event("CaseworkerAssigned", date(2023, 6, 1), caseworker_id="cw-b", team_id="t-1")
    v = verdict(case, "cp16_single_caseworker", date(2023, 7, 1))
    assert v.status is MISSED and "cw-a, cw-b" in v.explanation
    assert status(case, "cp16_single_caseworker", date(2024, 6, 1)) is MET  # cw-b only


# ------------------------------------------------------------------ 17, 18. the latest offer


def test_offer_assessment_and_purpose_are_judged_on_the_latest_offer() -> None:
    case = CaseBuilder(MONDAY)
    case.event("OfferStarted", date(2024, 3, 11), offer_id="o1", kind="other",
               individually_assessed=True, purpose_stated=False)
    case.event("OfferStarted", date(2024, 4, 11), offer_id="o2", kind="other",
               individually_assessed=False, purpose_stated=True)
    assert status(case, "cp17_offer_individually_assessed", date(2024, 4, 1)) is MET
    assert status(case, "cp18_offer_purpose", date(2024, 4, 1)) is MISSED
    assert status(case, "cp17_offer_individually_assessed", date(2024, 4, 11)) is MISSED
    assert status(case, "cp18_offer_purpose", date(2024, 4, 11)) is MET


# ------------------------------------------------------------------ 19, 22. mentor, sanction


def test_mentor_offered_during_the_case_for_up_and_ap() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP")
    assert status(case, "cp19_mentor_offered", date(2024, 6, 1)) is DUE
    case.event("MentorGranted", date(2024, 6, 2), purpose="general", until=None,
               extension=False)
    assert status(case, "cp19_mentor_offered", date(2024, 6, 2)) is MET


def test_sanction_after_absence_needs_personal_contact_for_ap() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "AP")
    assert status(case, "cp22_sanction_after_absence", date(2024, 6, 1)) is NA
    case.event("AbsenceRecorded", date(2024, 4, 2), offer_id=None, valid_reason=False)
    case.event("SanctionDecided", date(2024, 4, 9), imposed=True,
               personal_contact_attempted=False)
    assert status(case, "cp22_sanction_after_absence", date(2024, 5, 1)) is DUE
    case.event("SanctionDecided", date(2024, 5, 2), imposed=False,
               personal_contact_attempted=True)
    assert status(case, "cp22_sanction_after_absence", date(2024, 5, 2)) is MET


def test_sanction_decision_before_the_latest_absence_does_not_count() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP")
    case.event("AbsenceRecorded", date(2024, 4, 2), offer_id=None, valid_reason=False)
    case.event("SanctionDecided", date(2024, 4, 3), imposed=True,
               personal_contact_attempted=False)
    case.event("AbsenceRecorded", date(2024, 5, 2), offer_id=None, valid_reason=False)
    case.event("BenefitEnded", date(2024, 6, 1), reason="other")
    assert status(case, "cp22_sanction_after_absence", date(2024, 4, 30)) is MET
    assert status(case, "cp22_sanction_after_absence", date(2024, 6, 1)) is MISSED


# ------------------------------------------------------------------ 23, 25. Min Plan


def test_min_plan_goals_are_judged_on_the_latest_update() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP")
    assert status(case, "cp23_min_plan_education_goal", MONDAY) is ND
    case.event("PlanUpdated", date(2024, 3, 5), education_goal=True, job_goal=False,
               agreements_recorded=False, order_shown=True)
    assert status(case, "cp23_min_plan_education_goal", date(2024, 3, 5)) is MET
    assert status(case, "cp25_min_plan_agreements", date(2024, 3, 5)) is MISSED


# ------------------------------------------------------------------ 29, 30. ÅUP


@pytest.mark.parametrize(("day", "expected"), [(21, MET), (22, MISSED)])
def test_cv_within_3_weeks_for_obviously_education_ready(day: int, expected: Status) -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "AAUP")
    case.event("CvMadeAvailable", MONDAY + timedelta(day))
    case.event("JobSeekerRegistered", MONDAY + timedelta(day))
    assert status(case, "cp29_cv_available", date(2024, 6, 1)) is expected
    assert status(case, "cp30_job_seeker_registered", date(2024, 6, 1)) is MET


# ------------------------------------------------------------------ 32, 33, 35. before 2022


def admitted(first_contact: date, admitted_on: date, starts_on: date) -> tuple[CaseBuilder, str]:
    case = CaseBuilder(first_contact)
    case.visitate(first_contact, "UP")
    order = case.order(first_contact)
    case.admit(order, "adm-1", on=admitted_on, starts_on=starts_on)
    return case, order


def test_duty_assessment_is_judged_from_the_admission_the_audit_counts_those_who_started(
) -> None:
    case, order = admitted(date(2019, 3, 4), date(2019, 6, 1), date(2019, 8, 12))
    rule = "cp32_duty_to_start_assessed"
    v = verdict(case, rule, date(2019, 8, 12), subject="admission:adm-1")
    assert (v.status, v.due_on, v.reference) == (DUE, date(2019, 8, 12), None)
    v = verdict(case, rule, date(2019, 8, 13), subject="admission:adm-1")
    assert (v.status, v.reference) == (MISSED, False)  # the law's trigger; not the audit's N
    case.on_admission("EducationStarted", order, "adm-1", date(2019, 8, 12))
    case.on_admission("DutyToStartAssessed", order, "adm-1", date(2019, 8, 13),
                      ordered_to_start_and_complete=True)
    v = verdict(case, rule, date(2019, 9, 1), subject="admission:adm-1")
    assert (v.status, v.due_on, v.reference) == (MISSED, date(2019, 8, 12), True)
    assert v.legal_source == "LBK nr. 1342 af 21/11/2016 § 21 b stk. 5"


@pytest.mark.parametrize("rule", ["cp32_duty_to_start_assessed", "cp33_institution_notified"])
def test_an_admission_to_an_education_that_is_not_qualifying_has_no_admission_duties(
        rule: str) -> None:
    case = CaseBuilder(date(2019, 3, 4))
    case.visitate(date(2019, 3, 4), "UP")
    order = case.order(date(2019, 3, 4))
    case.admit(order, "adm-1", on=date(2019, 6, 1), starts_on=date(2019, 8, 12),
               qualifying=False)
    case.on_admission("DutyToStartAssessed", order, "adm-1", date(2019, 6, 2),
                      ordered_to_start_and_complete=True)
    assert status(case, rule, date(2019, 9, 1), subject="admission:adm-1") is NA


def test_an_admission_that_does_not_say_is_judged_as_qualifying() -> None:
    case = CaseBuilder(date(2019, 3, 4))
    case.visitate(date(2019, 3, 4), "UP")
    order = case.order(date(2019, 3, 4))
    case.admit(order, "adm-1", on=date(2019, 6, 1), starts_on=date(2019, 8, 12),
               qualifying=None)
    assert status(case, "cp32_duty_to_start_assessed", date(2019, 9, 1),
                  subject="admission:adm-1") is MISSED


def test_institution_notified_for_those_ordered_to_start() -> None:
    case, order = admitted(date(2019, 3, 4), date(2019, 6, 1), date(2019, 8, 12))
    case.on_admission("EducationStarted", order, "adm-1", date(2019, 8, 12))
    rule = "cp33_institution_notified"
    assert status(case, rule, date(2019, 9, 1), subject="admission:adm-1") is ND
    case.on_admission("DutyToStartAssessed", order, "adm-1", date(2019, 8, 1),
                      ordered_to_start_and_complete=True)
    assert status(case, rule, date(2019, 9, 1), subject="admission:adm-1") is MISSED
    case.on_admission("InstitutionNotified", order, "adm-1", date(2019, 8, 12),
                      institution_id="123456", message_id="m-1")
    assert status(case, rule, date(2019, 9, 1), subject="admission:adm-1") is MET


def test_transition_mentor_within_6_months_of_the_start_before_2022() -> None:
    case, order = admitted(date(2019, 3, 4), date(2019, 6, 1), date(2019, 8, 31))
    case.on_admission("EducationStarted", order, "adm-1", date(2019, 8, 31))
    rule = "cp35_transition_mentor"
    v = verdict(case, rule, date(2020, 2, 29), subject="admission:adm-1")
    assert (v.status, v.due_on) == (DUE, date(2020, 2, 29))  # 31 Aug + 6 months
    assert status(case, rule, date(2020, 3, 1), subject="admission:adm-1") is MISSED


# ------------------------------------------------------------------ 2022: the exchange


def test_support_assessed_by_the_start_for_everyone_with_an_order() -> None:
    case, order = admitted(date(2022, 3, 1), date(2022, 6, 1), date(2022, 8, 15))
    rule = "x22_support_assessed"
    assert status(case, rule, date(2022, 8, 15), subject="admission:adm-1") is DUE
    assert status(case, rule, date(2022, 8, 16), subject="admission:adm-1") is MISSED
    case.support(order, "adm-1", date(2022, 8, 15))
    assert status(case, rule, date(2022, 8, 16), subject="admission:adm-1") is MET


@pytest.mark.parametrize(("academic", "social", "ordered", "expected"), [
    (True, False, False, MISSED), (False, True, False, MISSED), (False, False, False, NA),
    (False, False, True, MISSED), (True, False, True, MISSED)])
def test_institution_notified_when_ordered_to_start_or_with_a_support_need(
        academic: bool, social: bool, ordered: bool, expected: Status) -> None:
    """§ 30 stk. 7 from 2022: everyone ordered to start and complete is notified (need or no
    need); someone admitted but not ordered only with a support need."""
    case, order = admitted(date(2022, 3, 1), date(2022, 6, 1), date(2022, 8, 15))
    rule = "x22_institution_notified"
    assert status(case, rule, date(2022, 9, 1), subject="admission:adm-1") is ND
    case.support(order, "adm-1", date(2022, 6, 2), academic=academic, social=social)
    if not (academic or social):  # the duty assessment could still put it in the population
        assert status(case, rule, date(2022, 9, 1), subject="admission:adm-1") is ND
    case.on_admission("DutyToStartAssessed", order, "adm-1", date(2022, 6, 2),
                      ordered_to_start_and_complete=ordered)
    assert status(case, rule, date(2022, 9, 1), subject="admission:adm-1") is expected
    if expected is MISSED:
        case.on_admission("InstitutionNotified", order, "adm-1", date(2022, 8, 10),
                          institution_id="654321", message_id="m-1")
        assert status(case, rule, date(2022, 9, 1), subject="admission:adm-1") is MET


@pytest.mark.parametrize(("admitted_on", "cp33", "x22"), [
    (date(2021, 12, 31), MISSED, NA),  # the old rule: ordered to start, judged by cp33
    (date(2022, 1, 1), NA, MISSED),  # the new one: ordered, no need, still notified
])
def test_the_notification_rule_changes_with_the_admission_day(admitted_on: date, cp33: Status,
                                                              x22: Status) -> None:
    case, order = admitted(date(2021, 10, 1), admitted_on, date(2022, 8, 15))
    case.on_admission("EducationStarted", order, "adm-1", date(2022, 8, 15))
    case.support(order, "adm-1", admitted_on)
    case.on_admission("DutyToStartAssessed", order, "adm-1", admitted_on,
                      ordered_to_start_and_complete=True)
    key = "admission:adm-1"
    assert status(case, "cp33_institution_notified", date(2022, 9, 1), subject=key) is cp33
    assert status(case, "x22_institution_notified", date(2022, 9, 1), subject=key) is x22


def test_institution_contact_received_by_the_start_from_the_same_institution(
) -> None:
    case, order = admitted(date(2022, 3, 1), date(2022, 6, 1), date(2022, 8, 15))
    rule = "x22_institution_contact_received"
    case.event("ContactExchanged", date(2022, 6, 3), stream=order, admission_id=None,
               institution_id="654321", contact_kind="team", contact_id="other",
               message_id="c-0", received_on=date(2022, 6, 3))
    assert status(case, rule, date(2022, 9, 1), subject="admission:adm-1") is MISSED
    case.event("ContactExchanged", date(2022, 8, 15), stream=order, admission_id=None,
               institution_id="123456", contact_kind="person", contact_id="kl-1",
               message_id="c-1", received_on=date(2022, 8, 15))
    v = verdict(case, rule, date(2022, 9, 1), subject="admission:adm-1")
    assert v.status is MET and v.met_by is not None and v.met_by.occurred_on == date(2022, 8, 15)


def started_2022(received_on: date,
                 start: date = date(2022, 8, 12)) -> tuple[CaseBuilder, str]:
    case, order = admitted(date(2022, 3, 1), date(2022, 6, 1), start)
    case.on_admission("EducationStarted", order, "adm-1", start)
    report = case.risk_report(received_on, admission_id="adm-1")
    return case, report


def test_risk_messages_within_six_months_of_the_start_need_a_reaction() -> None:
    inside, _ = started_2022(date(2023, 2, 12))  # 12 Aug + 6 months = 12 Feb
    outside, _ = started_2022(date(2023, 2, 13))
    assert status(inside, "x22_risk_reaction", date(2023, 2, 13)) is DUE
    v = verdict(outside, "x22_risk_reaction", date(2023, 2, 13))
    assert v.status is NA and "after the window" in v.explanation


def test_reaction_within_5_working_days_over_easter() -> None:
    case, report = started_2022(date(2023, 4, 5), date(2023, 1, 9))  # Wed. before Easter
    # 5 working days: 11, 12, 13, 14, 17 April (6-10 April Easter: Thu, Fri, Sun, Mon)
    v = verdict(case, "x22_risk_reaction", date(2023, 4, 17))
    assert (v.status, v.due_on) == (DUE, date(2023, 4, 17))
    assert status(case, "x22_risk_reaction", date(2023, 4, 18)) is MISSED
    case.contacted(report, date(2023, 4, 17))
    assert status(case, "x22_risk_reaction", date(2023, 4, 18)) is MET


def test_risk_message_without_a_recorded_start_is_not_documented() -> None:
    case, _ = admitted(date(2022, 3, 1), date(2022, 6, 1), date(2022, 8, 12))
    case.risk_report(date(2022, 9, 1), admission_id="adm-1")
    assert status(case, "x22_risk_reaction", date(2022, 9, 2)) is ND


def test_mentor_right_window_runs_six_months_from_admission() -> None:
    case, _ = admitted(date(2022, 3, 1), date(2022, 8, 31), date(2022, 9, 1))
    rule = "mentor_right_window"
    v = verdict(case, rule, date(2023, 2, 28), subject="admission:adm-1")
    assert (v.status, v.due_on) == (DUE, date(2023, 2, 28))  # 31 Aug + 6 months
    case.event("MentorGranted", date(2023, 2, 28), purpose="transition", until=None,
               extension=False)
    assert status(case, rule, date(2023, 3, 1), subject="admission:adm-1") is MET


@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2023, 2, 28), DUE),  # the window's last day: 31 Aug + 6 months
    (date(2023, 3, 1), Status.UNUSED),  # a right, not a duty: unused, never missed
])
def test_the_mentor_right_passes_unused_not_missed(as_of: date, expected: Status) -> None:
    case, _ = admitted(date(2022, 3, 1), date(2022, 8, 31), date(2022, 9, 1))
    case.event("MentorGranted", date(2023, 3, 1), purpose="general", until=None,
               extension=False)
    v = verdict(case, "mentor_right_window", as_of, subject="admission:adm-1")
    assert v.status is expected
    if expected is Status.UNUSED:
        assert "a right, not a duty" in v.explanation


@pytest.mark.parametrize(("birth", "expected"), [
    (date(2005, 6, 2), DUE),  # 17 on 1 June 2023
    (date(2005, 6, 1), NA),  # 18 that day
])
def test_15_to_17_year_olds_are_contacted_within_5_working_days(birth: date,
                                                                expected: Status) -> None:
    case = CaseBuilder(date(2023, 1, 2), birth_date=birth)
    case.risk_report(date(2023, 6, 1))  # Thursday; 5 June is Grundlovsdag (not a holiday)
    v = verdict(case, "kui_contact_15_17", date(2023, 6, 8))
    assert v.status is expected
    if expected is DUE:
        assert v.due_on == date(2023, 6, 8)
        assert "Vejledningsbekendtgørelsen § 29" in v.legal_source
        assert "§ 10" in v.legal_source


# ------------------------------------------------------------------ the order's step deadlines


def test_a_moved_step_deadline_is_judged_by_the_deadline_in_force_on_the_day() -> None:
    case = CaseBuilder(MONDAY)
    order = case.order(MONDAY)
    case.event("StepDeadlineSet", MONDAY, stream=order, step=1, deadline=date(2024, 4, 1))
    assert status(case, "order_step1_deadline", date(2024, 4, 2)) is MISSED
    case.event("StepDeadlineMoved", date(2024, 4, 3), stream=order, step=1,
               deadline=date(2024, 5, 1), reason="illness")
    assert status(case, "order_step1_deadline", date(2024, 4, 2)) is MISSED  # before the move
    assert status(case, "order_step1_deadline", date(2024, 4, 3)) is DUE
    case.event("ApplicationSubmitted", date(2024, 4, 20), stream=order,
               institution_id="123456", education_code="edu-1")
    assert status(case, "order_step1_deadline", date(2024, 4, 20)) is MET


# ------------------------------------------------------------------ known at


def test_a_late_record_is_visible_as_late() -> None:
    case = CaseBuilder(MONDAY)
    case.event("FirstConversationHeld", date(2024, 3, 6), recorded_on=date(2024, 3, 20))
    assert status(case, "cp01_first_conversation", date(2024, 4, 1)) is MET
    assert status(case, "cp01_first_conversation", date(2024, 4, 1),
                  known_at=date(2024, 3, 19)) is MISSED
    v = verdict(case, "cp01_first_conversation", date(2024, 4, 1))
    assert v.met_by is not None and "recorded 2024-03-20" in v.met_by.text()


def test_a_municipality_with_grundlovsdag_off_gets_one_more_day() -> None:
    from ungeforloeb.rules.calendar import Calendar, Calendars

    case = CaseBuilder(date(2023, 1, 2), birth_date=date(2006, 1, 1), municipality_code="461")
    case.risk_report(date(2023, 6, 1))  # Thursday; Monday 5 June is Grundlovsdag
    calendars = Calendars(by_municipality={"461": Calendar.with_days_off(["grundlovsdag"])})
    plain = [v for v in evaluate_case(case.case_file(), date(2023, 6, 8))
             if v.rule_id == "kui_contact_15_17"]
    local = [v for v in evaluate_case(case.case_file(), date(2023, 6, 8), calendars=calendars)
             if v.rule_id == "kui_contact_15_17"]
    assert plain[0].due_on == date(2023, 6, 8)
    assert local[0].due_on == date(2023, 6, 9)


def test_a_message_noted_before_the_day_but_received_after_it_is_not_yet_due() -> None:
    case, _ = started_2022(date(2022, 9, 5))
    case.records[-1] = case.records[-1]._replace(occurred_on=date(2022, 9, 1))  # noted 1 Sep
    v = verdict(case, "x22_risk_reaction", date(2022, 9, 2))
    assert v.status is NA and "no RiskOfDropoutReported.received_on" in v.explanation
    assert status(case, "x22_risk_reaction", date(2022, 9, 5)) is DUE


# ------------------------------------------------------------------ more clock edges


def test_fvu_need_assessment_is_expected_by_the_test_deadline() -> None:
    case = CaseBuilder(JAN31)
    v = verdict(case, "cp05_literacy_need_assessed", date(2024, 2, 29))
    assert (v.status, v.due_on) == (DUE, date(2024, 2, 29))
    assert status(case, "cp05_literacy_need_assessed", date(2024, 3, 1)) is MISSED


def test_job_seeker_registration_is_expected_within_3_weeks() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "AAUP")
    assert status(case, "cp30_job_seeker_registered", MONDAY + timedelta(21)) is DUE
    assert status(case, "cp30_job_seeker_registered", MONDAY + timedelta(22)) is MISSED


@pytest.mark.parametrize(("assessed", "expected"), [(date(2019, 8, 12), MET),
                                                    (date(2019, 8, 13), MISSED)])
def test_duty_assessed_on_the_start_date_is_in_time(assessed: date, expected: Status) -> None:
    case, order = admitted(date(2019, 3, 4), date(2019, 6, 1), date(2019, 8, 12))
    case.on_admission("EducationStarted", order, "adm-1", date(2019, 8, 12))
    case.on_admission("DutyToStartAssessed", order, "adm-1", assessed,
                      ordered_to_start_and_complete=True)
    assert status(case, "cp32_duty_to_start_assessed", date(2019, 9, 1),
                  subject="admission:adm-1") is expected


@pytest.mark.parametrize(("notified", "expected"), [(date(2022, 8, 15), MET),
                                                    (date(2022, 8, 16), MISSED)])
def test_institution_notified_by_the_start_date(notified: date, expected: Status) -> None:
    case, order = admitted(date(2022, 3, 1), date(2022, 6, 1), date(2022, 8, 15))
    case.support(order, "adm-1", date(2022, 6, 2), social=True)
    case.on_admission("InstitutionNotified", order, "adm-1", notified,
                      institution_id="123456", message_id="m-1")
    assert status(case, "x22_institution_notified", date(2022, 9, 1),
                  subject="admission:adm-1") is expected


# ------------------------------------------------------------------ control points 8, 15, 24


@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2019, 3, 11), DUE),  # 7 days after the test: the municipality's target, last day
    (date(2019, 3, 12), MISSED),  # the day after, no course
])
def test_a_course_follows_a_test_that_showed_a_need(as_of: date, expected: Status) -> None:
    case = CaseBuilder(date(2019, 2, 1))
    case.event("LiteracyTestTaken", date(2019, 3, 4), shows_need=True)
    v = verdict(case, "cp08_course_after_test", as_of)
    assert (v.status, v.due_on) == (expected, date(2019, 3, 11))
    assert "the municipality's target" in v.explanation
    case.event("OfferStarted", date(2019, 3, 20), offer_id="o-1", kind="guidance_and_upskilling",
               individually_assessed=True, purpose_stated=True)
    assert status(case, "cp08_course_after_test", date(2019, 4, 1)) is MET  # documented late
    no_need = CaseBuilder(date(2019, 2, 1))
    no_need.event("LiteracyTestTaken", date(2019, 3, 4), shows_need=False)
    assert status(no_need, "cp08_course_after_test", date(2019, 4, 1)) is NA


@pytest.mark.parametrize(("test_on", "source"), [
    (date(2023, 12, 31), "LBK nr. 1342 af 21/11/2016 § 32 stk. 1 nr. 1"),
    (date(2024, 1, 1), "LBK nr. 280 af 1/3/2024 § 93 stk. 1, 2. pkt."),
])
def test_the_course_duty_is_judged_by_the_law_of_the_tests_day(test_on: date,
                                                             source: str) -> None:
    case = CaseBuilder(date(2019, 2, 1))
    case.event("LiteracyTestTaken", test_on, shows_need=True)
    assert verdict(case, "cp08_course_after_test", test_on).legal_source == source


def test_job_focus_in_the_last_year_for_the_obviously_education_ready() -> None:
    case = CaseBuilder(date(2019, 1, 7))
    case.visitate(date(2019, 1, 7), "AAUP")
    case.event("ConversationHeld", date(2019, 2, 1), current_step_followed_up=True,
               education_focus=True, job_focus=True)
    assert status(case, "cp15_job_focus", date(2020, 1, 31)) is MET
    # a year and a day later the conversation has left the window
    assert status(case, "cp15_job_focus", date(2020, 2, 2)) is NA
    up = CaseBuilder(date(2019, 1, 7))
    up.visitate(date(2019, 1, 7), "UP")
    assert status(up, "cp15_job_focus", date(2020, 1, 31)) is NA


def test_a_job_goal_in_min_plan_for_the_obviously_education_ready() -> None:
    case = CaseBuilder(date(2019, 1, 7))
    case.visitate(date(2019, 1, 7), "AAUP")
    assert status(case, "cp24_min_plan_job_goal", date(2019, 6, 1)) is ND
    case.event("PlanUpdated", date(2019, 2, 1), education_goal=True, job_goal=False,
               agreements_recorded=True, order_shown=True)
    assert status(case, "cp24_min_plan_job_goal", date(2019, 6, 1)) is MISSED
    case.event("PlanUpdated", date(2019, 3, 1), education_goal=True, job_goal=True,
               agreements_recorded=True, order_shown=True)
    assert status(case, "cp24_min_plan_job_goal", date(2019, 6, 1)) is MET


# ------------------------------------------------------------------ 12 and the offer clocks


def _conversations(case: CaseBuilder, *days: date) -> None:
    for d in days:
        case.conversation(d)


@pytest.mark.parametrize(("first_contact", "need", "window_end"), [
    (date(2019, 12, 2), 2, date(2020, 3, 2)),  # UP before 2020: two within 3 months
    (date(2020, 1, 6), 4, date(2020, 7, 6)),  # from 2020: four within 6 months
])
def test_the_minimum_number_of_conversations_by_the_law_of_first_contact(
        first_contact: date, need: int, window_end: date) -> None:
    case = CaseBuilder(first_contact)
    case.visitate(first_contact, "UP")
    rule = "cp12_minimum_conversations"
    days = [first_contact + timedelta(days=7 * (i + 1)) for i in range(need - 1)]
    _conversations(case, *days)
    v = verdict(case, rule, window_end)
    assert (v.status, v.due_on) == (DUE, window_end)
    assert status(case, rule, window_end + timedelta(days=1)) is MISSED
    case.conversation(window_end)  # the last day of the window still counts
    v = verdict(case, rule, window_end + timedelta(days=1))
    assert v.status is MET and v.met_by is not None and v.met_by.occurred_on == window_end


def test_before_2020_the_minimum_applies_to_the_education_ready_only() -> None:
    case = CaseBuilder(date(2019, 3, 4))
    case.visitate(date(2019, 3, 4), "AP")
    assert status(case, "cp12_minimum_conversations", date(2019, 9, 1)) is NA


def _offer(case: CaseBuilder, offer_id: str, start: date, end: date | None) -> None:
    case.event("OfferStarted", start, offer_id=offer_id, kind="company_internship",
               individually_assessed=True, purpose_stated=True)
    if end is not None:
        case.event("OfferEnded", end, offer_id=offer_id)


@pytest.mark.parametrize(("gap_days", "expected"), [(28, MET), (29, MISSED)])
def test_at_most_four_weeks_between_offers_before_2022(gap_days: int,
                                                       expected: Status) -> None:
    case = CaseBuilder(date(2019, 3, 4))
    case.visitate(date(2019, 3, 4), "UP")
    _offer(case, "o-1", date(2019, 3, 25), date(2019, 5, 1))
    _offer(case, "o-2", date(2019, 5, 1) + timedelta(days=gap_days), date(2019, 9, 1))
    case.event("BenefitEnded", date(2019, 9, 2), reason="started_education")
    v = verdict(case, "offer_continuity", date(2019, 10, 1))
    assert v.status is expected
    if expected is MISSED:
        assert v.met_by is not None and v.met_by.occurred_on == date(2019, 5, 30)


@pytest.mark.parametrize(("as_of", "expected", "regime"), [
    (date(2021, 12, 31), MISSED, "before_2020"),  # 4 weeks: 29 Oct + 4 weeks = 26 Nov
    (date(2022, 1, 1), DUE, "from_2022"),  # judged on its day by 4 months: due 28 Feb
])
def test_the_gap_between_offers_is_judged_by_the_law_of_the_day(as_of: date, expected: Status,
                                                               regime: str) -> None:
    case = CaseBuilder(date(2021, 6, 1))
    case.visitate(date(2021, 6, 1), "UP")
    _offer(case, "o-1", date(2021, 6, 20), date(2021, 10, 29))
    v = verdict(case, "offer_continuity", as_of)
    assert (v.status, v.regime) == (expected, regime)


def test_the_first_offer_within_a_month() -> None:
    case = CaseBuilder(date(2019, 3, 4))
    case.visitate(date(2019, 3, 4), "AP")
    assert verdict(case, "offer_first_within_a_month", date(2019, 4, 4)).status is DUE
    assert status(case, "offer_first_within_a_month", date(2019, 4, 5)) is MISSED
    _offer(case, "o-1", date(2019, 4, 4), None)
    assert status(case, "offer_first_within_a_month", date(2019, 4, 5)) is MET
