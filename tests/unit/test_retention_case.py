"""The retention case (fastholdelse): opened by a risk-of-dropout message, closed with an
outcome, and nothing recorded after it closed."""

from __future__ import annotations

import pytest
from gwt import ORDER_ID, RETENTION_CASE, YOUNG_PERSON_ID, day, fact

from ungeforloeb.domain import RetentionCase
from ungeforloeb.domain.errors import CaseClosedError, EventOutOfOrderError, InvalidCommandError
from ungeforloeb.domain.values import ContactChannel, RetentionInitiative, RetentionOutcome

RC = RetentionCase


def reported(on: int = 100, received: int = 101):
    return fact(RC.RiskOfDropoutReported, occurred_on=day(on), young_person_id=YOUNG_PERSON_ID,
                order_id=ORDER_ID, admission_id="adm-1", institution_id="280727",
                report_id="udb-77", received_on=day(received))


OPEN = RETENTION_CASE.given(reported())
CLOSED = OPEN.given(fact(RC.RetentionCaseClosed, occurred_on=day(120),
                         outcome=RetentionOutcome.RETAINED))


def test_a_risk_of_dropout_message_opens_a_retention_case():
    case = RETENTION_CASE.when(
        "open", occurred_on=day(100), young_person_id=YOUNG_PERSON_ID, order_id=ORDER_ID,
        admission_id="adm-1", institution_id="280727", report_id="udb-77",
        received_on=day(101),
    ).then(reported())
    assert (case.reported_on, case.received_on) == (day(100), day(101))


def test_a_message_without_order_or_admission_still_opens_a_case():
    RETENTION_CASE.when(
        "open", occurred_on=day(100), young_person_id=YOUNG_PERSON_ID, institution_id="280727",
        report_id="udb-78", received_on=day(100),
    ).then(fact(RC.RiskOfDropoutReported, occurred_on=day(100), young_person_id=YOUNG_PERSON_ID,
                order_id=None, admission_id=None, institution_id="280727", report_id="udb-78",
                received_on=day(100)))


def test_a_message_is_not_received_before_the_institution_noted_the_risk():
    RETENTION_CASE.when(
        "open", occurred_on=day(100), young_person_id=YOUNG_PERSON_ID, institution_id="280727",
        report_id="udb-78", received_on=day(99),
    ).refused(InvalidCommandError, match="report_risk_of_dropout: field 'received_on' must be on "
                                         "or after occurred_on")


def test_a_message_is_not_received_in_the_future():
    RETENTION_CASE.when(
        "open", occurred_on=day(100), young_person_id=YOUNG_PERSON_ID, institution_id="280727",
        report_id="udb-78", received_on=day(300),
    ).refused(InvalidCommandError, match="report_risk_of_dropout: field 'received_on' must be on "
                                         "or before the day it is recorded")


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("report_id", "Report From School", "an id"),
    ("institution_id", "28072", "a six-digit institution number"),
    ("young_person_id", "0101031234", "a uuid.UUID"),
])
def test_a_message_with_a_bad_identifier_is_refused(field, value, expected):
    arguments = {"occurred_on": day(100), "young_person_id": YOUNG_PERSON_ID,
                 "institution_id": "280727", "report_id": "udb-78", "received_on": day(100),
                 field: value}
    RETENTION_CASE.when("open", **arguments).refused(
        InvalidCommandError, match=f"report_risk_of_dropout: field '{field}' must be {expected}")


def test_the_young_person_is_contacted():
    case = OPEN.when("contact_young_person", occurred_on=day(102),
                     channel=ContactChannel.PHONE).then(
        fact(RC.YoungPersonContacted, occurred_on=day(102), channel=ContactChannel.PHONE))
    assert case.contacted_on == day(102)


def test_contact_is_not_before_the_risk_was_noted():
    OPEN.when("contact_young_person", occurred_on=day(99),
              channel=ContactChannel.MEETING).refused(
        EventOutOfOrderError, match="contact_young_person on 2024-04-09 before "
                                    "RiskOfDropoutReported on 2024-04-10 for retention case")


def test_a_retention_initiative_is_decided_with_the_institution():
    OPEN.when("decide_initiative", occurred_on=day(105), initiative=RetentionInitiative.MENTOR,
              with_institution=True).then(
        fact(RC.RetentionInitiativeDecided, occurred_on=day(105),
             initiative=RetentionInitiative.MENTOR, with_institution=True))


def test_a_retention_case_closes_with_an_outcome():
    case = OPEN.when("close", occurred_on=day(120), outcome=RetentionOutcome.RETAINED).then(
        fact(RC.RetentionCaseClosed, occurred_on=day(120), outcome=RetentionOutcome.RETAINED))
    assert case.closed_on == day(120)


@pytest.mark.parametrize(("command", "arguments"), [
    ("contact_young_person", {"channel": ContactChannel.LETTER}),
    ("decide_initiative", {"initiative": RetentionInitiative.OTHER, "with_institution": False}),
    ("close", {"outcome": RetentionOutcome.DROPPED_OUT}),
])
def test_nothing_is_recorded_on_a_closed_retention_case(command, arguments):
    CLOSED.when(command, occurred_on=day(121), **arguments).refused(
        CaseClosedError, match=r"retention case 00000000-0000-4000-8000-000000000003 closed on "
                               r"2024-04-30; \w+ refused")
