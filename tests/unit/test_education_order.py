"""The education order (uddannelsespålæg): steps in any order, deadlines set and moved,
admissions, and nothing after the order ended."""

from __future__ import annotations

import pytest
from gwt import EDUCATION_ORDER, YOUNG_PERSON_ID, day, fact

from ungeforloeb.domain import EducationOrder
from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError, OrderClosedError
from ungeforloeb.domain.values import (
    ContactKind,
    DeadlineMoveReason,
    InterruptionReason,
    OrderEndReason,
    OrderStep,
)

EO = EducationOrder


def issued(on: int = 5, step: OrderStep = OrderStep.PROPOSE_WISH):
    return fact(EO.OrderIssued, occurred_on=day(on), young_person_id=YOUNG_PERSON_ID, step=step)


def admitted(admission_id: str = "adm-1", on: int = 60):
    return fact(EO.Admitted, occurred_on=day(on), admission_id=admission_id,
                institution_id="280727", education_code="EUD-1", starts_on=day(on + 30),
                qualifying=True)


def started(admission_id: str = "adm-1", on: int = 90):
    return fact(EO.EducationStarted, occurred_on=day(on), admission_id=admission_id)


ORDER = EDUCATION_ORDER.given(issued())
ADMITTED = ORDER.given(admitted())
STARTED = ADMITTED.given(started())
ENDED = ORDER.given(fact(EO.OrderEnded, occurred_on=day(50), reason=OrderEndReason.LEFT_BENEFIT))


# ------------------------------------------------------------------ issuing


def test_an_order_is_issued_at_step_one_by_default():
    order = EDUCATION_ORDER.when("issue", occurred_on=day(5),
                                 young_person_id=YOUNG_PERSON_ID).then(issued())
    assert order.step is OrderStep.PROPOSE_WISH


def test_an_order_may_be_issued_at_a_later_step():
    order = EDUCATION_ORDER.when("issue", occurred_on=day(5), young_person_id=YOUNG_PERSON_ID,
                                 step=OrderStep.APPLY).then(issued(step=OrderStep.APPLY))
    assert order.step is OrderStep.APPLY


def test_an_order_names_its_young_person_by_uuid():
    EDUCATION_ORDER.when("issue", occurred_on=day(5), young_person_id=str(YOUNG_PERSON_ID)).refused(
        InvalidCommandError, match="issue_order: field 'young_person_id' must be a uuid.UUID")


def test_an_order_cannot_be_issued_in_the_future():
    EDUCATION_ORDER.when("issue", occurred_on=day(400), young_person_id=YOUNG_PERSON_ID).refused(
        InvalidCommandError, match="issue_order: field 'occurred_on' must be on or before")


# ------------------------------------------------------------------ deadlines


def test_a_step_deadline_is_set():
    order = ORDER.when("set_step_deadline", occurred_on=day(5), step=OrderStep.PROPOSE_WISH,
                       deadline=day(35)).then(
        fact(EO.StepDeadlineSet, occurred_on=day(5), step=OrderStep.PROPOSE_WISH,
             deadline=day(35)))
    assert order.deadlines == {OrderStep.PROPOSE_WISH: day(35)}


def test_a_deadline_cannot_fall_before_the_day_it_is_set():
    ORDER.when("set_step_deadline", occurred_on=day(10), step=OrderStep.PROPOSE_WISH,
               deadline=day(9)).refused(
        EventOutOfOrderError, match="set_step_deadline on 2024-01-10 before StepDeadlineSet")


def test_a_set_deadline_is_moved_not_set_again():
    ORDER.given(fact(EO.StepDeadlineSet, occurred_on=day(5), step=OrderStep.PROPOSE_WISH,
                     deadline=day(35))).when(
        "set_step_deadline", occurred_on=day(6), step=OrderStep.PROPOSE_WISH, deadline=day(40),
    ).refused(EventOutOfOrderError, match="StepDeadlineSet for step 1 already recorded for "
                                          "order .*; use move_step_deadline")


def test_a_deadline_is_moved_with_a_reason_code():
    order = ORDER.given(fact(EO.StepDeadlineSet, occurred_on=day(5), step=OrderStep.PROPOSE_WISH,
                             deadline=day(35))).when(
        "move_step_deadline", occurred_on=day(30), step=OrderStep.PROPOSE_WISH,
        deadline=day(65), reason=DeadlineMoveReason.ILLNESS,
    ).then(fact(EO.StepDeadlineMoved, occurred_on=day(30), step=OrderStep.PROPOSE_WISH,
                deadline=day(65), reason=DeadlineMoveReason.ILLNESS))
    assert order.deadlines[OrderStep.PROPOSE_WISH] == day(65)


def test_a_deadline_cannot_be_moved_to_a_day_before_the_move():
    ORDER.given(fact(EO.StepDeadlineSet, occurred_on=day(5), step=OrderStep.PROPOSE_WISH,
                     deadline=day(35))).when(
        "move_step_deadline", occurred_on=day(30), step=OrderStep.PROPOSE_WISH,
        deadline=day(29), reason=DeadlineMoveReason.ILLNESS,
    ).refused(EventOutOfOrderError, match="move_step_deadline on .* before StepDeadlineMoved "
                                          r"\(the day it was moved\)")


def test_a_deadline_never_set_cannot_be_moved():
    ORDER.when("move_step_deadline", occurred_on=day(30), step=OrderStep.APPLY,
               deadline=day(65), reason=DeadlineMoveReason.OTHER).refused(
        EventOutOfOrderError, match="StepDeadlineMoved before StepDeadlineSet for step 2")


def test_a_deadline_move_needs_a_reason_code_not_free_text():
    ORDER.given(fact(EO.StepDeadlineSet, occurred_on=day(5), step=OrderStep.PROPOSE_WISH,
                     deadline=day(35))).when(
        "move_step_deadline", occurred_on=day(30), step=OrderStep.PROPOSE_WISH,
        deadline=day(65), reason="she was ill",
    ).refused(InvalidCommandError, match="move_step_deadline: field 'reason' must be one of "
                                         "DeadlineMoveReason")


# ------------------------------------------------------------------ steps 1 and 2


def test_a_wish_moves_the_order_to_step_two():
    order = ORDER.when("propose_wish", occurred_on=day(20), education_code="EUD-1").then(
        fact(EO.EducationWishProposed, occurred_on=day(20), education_code="EUD-1"))
    assert order.step is OrderStep.APPLY


def test_an_application_can_come_before_any_wish():
    order = ORDER.when("submit_application", occurred_on=day(20), institution_id="280727",
                       education_code="EUD-1").then(
        fact(EO.ApplicationSubmitted, occurred_on=day(20), institution_id="280727",
             education_code="EUD-1"))
    assert order.step is OrderStep.APPLY


def test_an_institution_is_named_by_its_six_digit_number():
    ORDER.when("submit_application", occurred_on=day(20), institution_id="Tech College",
               education_code="EUD-1").refused(
        InvalidCommandError, match="submit_application: field 'institution_id' must be a "
                                   "six-digit institution number")


def test_an_education_is_named_by_a_code_not_a_description():
    ORDER.when("propose_wish", occurred_on=day(20), education_code="smed på teknisk skole").refused(
        InvalidCommandError, match="propose_wish: field 'education_code' must be an education "
                                   "code")


def test_nothing_on_an_order_before_it_was_issued():
    ORDER.when("propose_wish", occurred_on=day(4), education_code="EUD-1").refused(
        EventOutOfOrderError, match="propose_wish on 2024-01-05 before OrderIssued on "
                                    "2024-01-06 for order")


# ------------------------------------------------------------------ step 3


def test_an_admission_can_come_before_a_wish_or_an_application():
    order = ORDER.when("admit", occurred_on=day(60), admission_id="adm-1",
                       institution_id="280727", education_code="EUD-1",
                       starts_on=day(90), qualifying=True).then(admitted())
    assert order.step is OrderStep.START_AND_COMPLETE
    assert order.enrolments["adm-1"].admitted_on == day(60)


def test_the_same_admission_is_not_recorded_twice():
    ADMITTED.when("admit", occurred_on=day(61), admission_id="adm-1", institution_id="280727",
                  education_code="EUD-1", starts_on=day(90)).refused(
        EventOutOfOrderError, match="Admitted for admission adm-1 already recorded for order")


def test_a_second_admission_may_follow_the_first():
    ADMITTED.when("admit", occurred_on=day(70), admission_id="adm-2", institution_id="280728",
                  education_code="STX", starts_on=day(100), qualifying=False).then(
        fact(EO.Admitted, occurred_on=day(70), admission_id="adm-2", institution_id="280728",
             education_code="STX", starts_on=day(100), qualifying=False))


def test_an_admission_from_a_message_without_the_qualifying_flag_records_it_unknown():
    ORDER.when("admit", occurred_on=day(60), admission_id="adm-1", institution_id="280727",
               education_code="EUD-1", starts_on=day(90)).then(
        fact(EO.Admitted, occurred_on=day(60), admission_id="adm-1", institution_id="280727",
             education_code="EUD-1", starts_on=day(90), qualifying=None))


def test_a_qualifying_flag_that_is_not_a_bool_is_refused():
    ORDER.when("admit", occurred_on=day(60), admission_id="adm-1", institution_id="280727",
               education_code="EUD-1", starts_on=day(90), qualifying="yes").refused(
        InvalidCommandError, match="admit: field 'qualifying' must be True or False")


def test_the_duty_to_start_is_assessed_for_an_admission():
    ADMITTED.when("assess_duty_to_start", occurred_on=day(62), admission_id="adm-1",
                  ordered_to_start_and_complete=True).then(
        fact(EO.DutyToStartAssessed, occurred_on=day(62), admission_id="adm-1",
             ordered_to_start_and_complete=True))


def test_the_duty_to_start_is_not_assessed_before_an_admission():
    ORDER.when("assess_duty_to_start", occurred_on=day(62), admission_id="adm-1",
               ordered_to_start_and_complete=True).refused(
        EventOutOfOrderError, match=r"DutyToStartAssessed before Admitted for order .* "
                                    r"\(admission adm-1\)")


def test_the_duty_is_not_assessed_before_the_day_of_admission():
    ADMITTED.when("assess_duty_to_start", occurred_on=day(59), admission_id="adm-1",
                  ordered_to_start_and_complete=False).refused(
        EventOutOfOrderError, match="assess_duty_to_start on 2024-02-29 before Admitted on "
                                    "2024-03-01")


def test_an_education_starts_after_admission():
    order = ADMITTED.when("start_education", occurred_on=day(90), admission_id="adm-1").then(
        started())
    assert order.enrolments["adm-1"].started_on == day(90)


def test_an_education_does_not_start_before_admitted():
    ORDER.when("start_education", occurred_on=day(90), admission_id="adm-1").refused(
        EventOutOfOrderError, match=r"start_education: EducationStarted before Admitted for "
                                    r"order 00000000-0000-4000-8000-000000000002")


def test_an_education_does_not_start_before_the_day_of_admission():
    ADMITTED.when("start_education", occurred_on=day(59), admission_id="adm-1").refused(
        EventOutOfOrderError, match="start_education on 2024-02-29 before Admitted")


def test_an_education_starts_once():
    STARTED.when("start_education", occurred_on=day(91), admission_id="adm-1").refused(
        EventOutOfOrderError, match="EducationStarted already recorded for admission adm-1")


def test_a_started_education_is_completed():
    order = STARTED.when("complete_education", occurred_on=day(140), admission_id="adm-1").then(
        fact(EO.EducationCompleted, occurred_on=day(140), admission_id="adm-1"))
    assert order.enrolments["adm-1"].completed_on == day(140)


def test_an_education_not_started_cannot_be_completed():
    ADMITTED.when("complete_education", occurred_on=day(140), admission_id="adm-1").refused(
        EventOutOfOrderError, match="EducationCompleted before EducationStarted for order")


def test_a_started_education_is_interrupted_with_a_reason():
    STARTED.when("interrupt_education", occurred_on=day(100), admission_id="adm-1",
                 reason=InterruptionReason.DROPOUT).then(
        fact(EO.EducationInterrupted, occurred_on=day(100), admission_id="adm-1",
             reason=InterruptionReason.DROPOUT))


def test_an_interrupted_education_is_not_completed_afterwards():
    STARTED.given(fact(EO.EducationInterrupted, occurred_on=day(100), admission_id="adm-1",
                       reason=InterruptionReason.DROPOUT)).when(
        "complete_education", occurred_on=day(140), admission_id="adm-1",
    ).refused(EventOutOfOrderError, match="EducationCompleted after the education ended")


def test_an_education_is_not_interrupted_before_it_started():
    STARTED.when("interrupt_education", occurred_on=day(89), admission_id="adm-1",
                 reason=InterruptionReason.ILLNESS).refused(
        EventOutOfOrderError, match="interrupt_education on 2024-03-30 before EducationStarted "
                                    "on 2024-03-31")


# ------------------------------------------------------------------ ending


def test_an_order_ends_with_a_reason():
    order = ORDER.when("end", occurred_on=day(50), reason=OrderEndReason.LEFT_BENEFIT).then(
        fact(EO.OrderEnded, occurred_on=day(50), reason=OrderEndReason.LEFT_BENEFIT))
    assert order.ended_on == day(50)


@pytest.mark.parametrize(("command", "arguments"), [
    ("propose_wish", {"education_code": "EUD-1"}),
    ("set_step_deadline", {"step": OrderStep.APPLY, "deadline": day(90)}),
    ("admit", {"admission_id": "adm-1", "institution_id": "280727", "education_code": "EUD-1",
               "starts_on": day(90)}),
    ("end", {"reason": OrderEndReason.OTHER}),
])
def test_nothing_is_recorded_on_an_ended_order(command, arguments):
    ENDED.when(command, occurred_on=day(51), **arguments).refused(
        OrderClosedError, match=r"order 00000000-0000-4000-8000-000000000002 ended on "
                                r"2024-02-20; \w+ refused")


# ------------------------------------------------------------------ the exchange's facts


def test_support_is_assessed_by_the_predefined_options():
    ADMITTED.when("assess_support", occurred_on=day(61), admission_id="adm-1",
                  academic_support=True, social_support=False, needs_documented=True,
                  no_support_need=False, other_support_persons=False,
                  wants_institution_contact=True, contact_kind=ContactKind.TEAM,
                  contact_id="team-youth").then(
        fact(EO.SupportAssessed, occurred_on=day(61), admission_id="adm-1",
             academic_support=True, social_support=False, needs_documented=True,
             no_support_need=False, other_support_persons=False,
             wants_institution_contact=True, contact_kind=ContactKind.TEAM,
             contact_id="team-youth"))


def test_no_support_need_contradicts_a_support_need():
    ADMITTED.when("assess_support", occurred_on=day(61), admission_id="adm-1",
                  academic_support=True, social_support=False, needs_documented=False,
                  no_support_need=True, other_support_persons=False,
                  wants_institution_contact=False, contact_kind=ContactKind.PERSON,
                  contact_id="cw-1").refused(
        InvalidCommandError, match="assess_support: field 'no_support_need' must be False when")


def test_the_institution_is_notified_of_an_admission():
    ADMITTED.when("notify_institution", occurred_on=day(62), admission_id="adm-1",
                  message_id="msg-1").then(
        fact(EO.InstitutionNotified, occurred_on=day(62), admission_id="adm-1",
             institution_id="280727", message_id="msg-1"))


def test_the_institution_is_not_notified_of_an_unknown_admission():
    ORDER.when("notify_institution", occurred_on=day(62), admission_id="adm-1",
               message_id="msg-1").refused(
        EventOutOfOrderError, match="InstitutionNotified before Admitted for order")


def test_the_institutions_contact_arrives():
    ADMITTED.when("exchange_contact", occurred_on=day(63), admission_id="adm-1",
                  institution_id="280727", contact_kind=ContactKind.PERSON,
                  contact_id="teacher-7", message_id="in-1", received_on=day(63)).then(
        fact(EO.ContactExchanged, occurred_on=day(63), admission_id="adm-1",
             institution_id="280727", contact_kind=ContactKind.PERSON, contact_id="teacher-7",
             message_id="in-1", received_on=day(63)))


def test_a_receipt_names_the_responsible_team():
    ORDER.when("receive_receipt", occurred_on=day(64), in_reply_to="msg-1",
               institution_id="280727", responsible_kind=ContactKind.TEAM,
               responsible_id="team-sps", message_id="in-2", received_on=day(64)).then(
        fact(EO.ReceiptReceived, occurred_on=day(64), in_reply_to="msg-1",
             institution_id="280727", responsible_kind=ContactKind.TEAM,
             responsible_id="team-sps", message_id="in-2", received_on=day(64)))


def test_a_contact_for_an_unknown_admission_is_refused():
    ORDER.when("exchange_contact", occurred_on=day(63), admission_id="adm-9",
               institution_id="280727", contact_kind=ContactKind.PERSON, contact_id="teacher-7",
               message_id="in-1", received_on=day(63)).refused(
        EventOutOfOrderError, match=r"ContactExchanged before Admitted for order .* "
                                    r"\(admission adm-9\)")
