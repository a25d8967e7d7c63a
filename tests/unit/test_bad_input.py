"""Bad input through the application: a missing or wrong-typed field, an unknown id, or an
event out of order is refused with an error naming the command and the field or the id — and
nothing is written to the store (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID, uuid4

import pytest

from ungeforloeb.application import SettableClock
from ungeforloeb.domain.errors import (
    DomainError,
    EventOutOfOrderError,
    InvalidCommandError,
    OrderClosedError,
    UnknownCaseError,
)
from ungeforloeb.domain.values import (
    InterruptionReason,
    OrderEndReason,
    OrderStep,
    VisitationGroup,
    VisitationStage,
)

TODAY = date(2024, 6, 3)


class Case:
    """A young person with an order, an admission and a retention case, on a fresh store."""

    def __init__(self, backend) -> None:
        self.app = backend.app(clock=SettableClock(TODAY))
        app = self.app
        self.yp = app.register_first_contact(occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                                             municipality_code="101",
                                             birth_date=date(2004, 5, 1),
                                             cpr="010504-1234", name="Test Testesen")
        self.order = app.issue_order(self.yp, occurred_on=date(2024, 1, 9), recorded_by="cw-1")
        app.admit(self.order, occurred_on=date(2024, 3, 1), recorded_by="udb",
                  admission_id="adm-1", institution_id="280727", education_code="EUD-1",
                  starts_on=date(2024, 8, 12), qualifying=True)
        self.ended_order = app.issue_order(self.yp, occurred_on=date(2024, 1, 9),
                                           recorded_by="cw-1")
        app.end_order(self.ended_order, occurred_on=date(2024, 2, 1), recorded_by="cw-1",
                      reason=OrderEndReason.OTHER)
        self.retention = app.report_risk_of_dropout(
            self.yp, occurred_on=date(2024, 5, 1), recorded_by="udb", institution_id="280727",
            report_id="udb-1", received_on=date(2024, 5, 2), order_id=self.order)

    def count(self) -> int:
        return sum(1 for _ in self.app.records())

    def refused(self, error: type[BaseException], match: str, command: str,
                *args: object, **kwargs: object) -> BaseException:
        """Run ``command``; assert it raises ``error`` matching ``match`` and wrote nothing."""
        before = self.count()
        with pytest.raises(error, match=match) as info:
            getattr(self.app, command)(*args, **kwargs)
        assert self.count() == before, f"{command} wrote events although it was refused"
        return info.value


@pytest.fixture
def case(backend) -> Case:
    return Case(backend)


# ------------------------------------------------------------------ missing fields


def test_a_missing_field_names_the_command_and_the_field(case):
    case.refused(TypeError, r"visitate\(\) missing 1 required keyword-only argument: 'group'",
                 "visitate", case.yp, occurred_on=date(2024, 1, 3), recorded_by="cw-1",
                 stage=VisitationStage.FINAL, perspective_recorded=True,
                 justification_recorded=True)


def test_a_field_given_as_none_names_the_command_and_the_field(case):
    error = case.refused(InvalidCommandError,
                         "visitate: field 'group' must be one of VisitationGroup.* got None",
                         "visitate", case.yp, occurred_on=date(2024, 1, 3), recorded_by="cw-1",
                         stage=VisitationStage.FINAL, group=None, perspective_recorded=True,
                         justification_recorded=True)
    assert (error.command, error.field) == ("visitate", "group")


# ------------------------------------------------------------------ wrong types


@pytest.mark.parametrize(("command", "target", "arguments", "field", "expected"), [
    ("hold_first_conversation", "yp", {"occurred_on": "2024-01-03"}, "occurred_on",
     "a datetime.date"),
    ("visitate", "yp", {"occurred_on": date(2024, 1, 3), "stage": "final",
                        "group": VisitationGroup.EDUCATION_READY, "perspective_recorded": True,
                        "justification_recorded": True}, "stage", "one of VisitationStage"),
    ("take_literacy_test", "yp", {"occurred_on": date(2024, 1, 3), "shows_need": "no"},
     "shows_need", "True or False"),
    ("assign_caseworker", "yp", {"occurred_on": date(2024, 1, 3), "caseworker_id": 17,
                                 "team_id": "team-1"}, "caseworker_id", "an id"),
    ("set_step_deadline", "order", {"occurred_on": date(2024, 1, 9), "step": 1,
                                    "deadline": date(2024, 2, 9)}, "step", "one of OrderStep"),
    ("admit", "order", {"occurred_on": date(2024, 3, 1), "admission_id": "adm-2",
                        "institution_id": 280727, "education_code": "EUD-1",
                        "starts_on": date(2024, 8, 12), "qualifying": True}, "institution_id",
     "a six-digit institution number"),
    ("admit", "order", {"occurred_on": date(2024, 3, 1), "admission_id": "adm-2",
                        "institution_id": "280727", "education_code": "EUD-1",
                        "starts_on": date(2024, 8, 12), "qualifying": None}, "qualifying",
     "True or False"),
    ("admit", "order", {"occurred_on": date(2024, 3, 1), "admission_id": "adm-2",
                        "institution_id": "280727", "education_code": "EUD-1",
                        "starts_on": date(2024, 8, 12), "qualifying": "yes"}, "qualifying",
     "True or False"),
    ("interrupt_education", "order", {"occurred_on": date(2024, 3, 1), "admission_id": 1,
                                      "reason": InterruptionReason.DROPOUT}, "admission_id",
     "an id"),
])
def test_a_wrong_typed_field_names_the_command_and_the_field(case, command, target, arguments,
                                                              field, expected):
    error = case.refused(InvalidCommandError,
                         f"{command}: field '{field}' must be {re.escape(expected)}",
                         command, getattr(case, target), recorded_by="cw-1", **arguments)
    assert (error.command, error.field) == (command, field)


def test_a_name_as_who_recorded_names_the_field_and_is_refused(case):
    case.refused(InvalidCommandError, "hold_first_conversation: field 'recorded_by' must be an id",
                 "hold_first_conversation", case.yp, occurred_on=date(2024, 1, 3),
                 recorded_by="Hanne Caseworker")


def test_a_date_after_the_day_of_recording_is_refused(case):
    case.refused(InvalidCommandError, "propose_wish: field 'occurred_on' must be on or before "
                                      "the day it is recorded \\(2024-06-03\\)",
                 "propose_wish", case.order, occurred_on=date(2024, 6, 4), recorded_by="cw-1",
                 education_code="EUD-1")


def test_a_bad_cpr_is_refused_without_echoing_it(case):
    error = case.refused(InvalidCommandError, "register_first_contact: field 'cpr' must be ten "
                                              "digits", "register_first_contact",
                         occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                         municipality_code="101", birth_date=date(2004, 5, 1), cpr="01050412",
                         name="X")
    assert "01050412" not in str(error)


def test_a_cpr_already_registered_is_refused_and_nothing_is_written(case):
    case.refused(InvalidCommandError, "field 'cpr' must be a CPR number not already registered",
                 "register_first_contact", occurred_on=date(2024, 1, 2), recorded_by="cw-1",
                 municipality_code="101", birth_date=date(2004, 5, 1), cpr="0105041234",
                 name="Someone Else")
    assert case.app.identity(case.yp).name == "Test Testesen"


# ------------------------------------------------------------------ unknown ids


def test_an_id_that_is_not_a_uuid_names_the_command_and_the_field(case):
    case.refused(InvalidCommandError, "hold_first_conversation: field 'young_person_id' must "
                                      "be a uuid.UUID", "hold_first_conversation", str(case.yp),
                 occurred_on=date(2024, 1, 3), recorded_by="cw-1")


@pytest.mark.parametrize(("command", "kind", "arguments"), [
    ("hold_first_conversation", "young person", {"occurred_on": date(2024, 1, 3)}),
    ("issue_order", "young person", {"occurred_on": date(2024, 1, 3)}),
    ("propose_wish", "order", {"occurred_on": date(2024, 1, 3), "education_code": "EUD-1"}),
    ("close_retention_case", "retention case", {"occurred_on": date(2024, 5, 3),
                                                "outcome": None}),
])
def test_an_unknown_id_names_the_command_and_the_id(case, command, kind, arguments):
    unknown = uuid4()
    error = case.refused(UnknownCaseError, f"{command}: no {kind} with id {unknown}", command,
                         unknown, recorded_by="cw-1", **arguments)
    assert error.case_id == unknown


def test_an_order_id_is_not_taken_for_a_young_person(case):
    case.refused(UnknownCaseError, f"hold_first_conversation: no young person with id "
                                   f"{case.order}", "hold_first_conversation", case.order,
                 occurred_on=date(2024, 1, 3), recorded_by="cw-1")


def test_a_risk_message_naming_an_unknown_order_opens_no_case(case):
    unknown = uuid4()
    case.refused(UnknownCaseError, f"report_risk_of_dropout: no order with id {unknown}",
                 "report_risk_of_dropout", case.yp, occurred_on=date(2024, 5, 1),
                 recorded_by="udb", institution_id="280727", report_id="udb-2",
                 received_on=date(2024, 5, 2), order_id=unknown)


# ------------------------------------------------------------------ out of order


def test_an_education_started_before_admission_names_the_order(case):
    case.refused(EventOutOfOrderError, f"start_education: EducationStarted before Admitted for "
                                       f"order {case.order} \\(admission adm-9\\)",
                 "start_education", case.order, occurred_on=date(2024, 8, 12) .replace(month=4),
                 recorded_by="cw-1", admission_id="adm-9")


def test_an_order_before_the_first_contact_names_the_young_person(case):
    case.refused(EventOutOfOrderError, f"issue_order on 2024-01-01 before FirstContactRegistered "
                                       f"on 2024-01-02 for young person {case.yp}",
                 "issue_order", case.yp, occurred_on=date(2024, 1, 1), recorded_by="cw-1")


def test_a_command_on_an_ended_order_names_the_order(case):
    case.refused(OrderClosedError, f"admit: order {case.ended_order} ended on 2024-02-01",
                 "admit", case.ended_order, occurred_on=date(2024, 3, 1), recorded_by="udb",
                 admission_id="adm-1", institution_id="280727", education_code="EUD-1",
                 starts_on=date(2024, 8, 12), qualifying=True)


def test_a_second_first_conversation_names_the_young_person(case):
    case.app.hold_first_conversation(case.yp, occurred_on=date(2024, 1, 3), recorded_by="cw-1")
    case.refused(EventOutOfOrderError, f"FirstConversationHeld already recorded on 2024-01-03 "
                                       f"for young person {case.yp}",
                 "hold_first_conversation", case.yp, occurred_on=date(2024, 1, 4),
                 recorded_by="cw-1")


def test_a_refused_command_in_a_batch_writes_nothing_of_the_batch(case):
    before = case.count()
    with pytest.raises(DomainError), case.app.batch():
        case.app.hold_first_conversation(case.yp, occurred_on=date(2024, 1, 3),
                                         recorded_by="cw-1")
        case.app.set_step_deadline(case.order, occurred_on=date(2024, 1, 9), recorded_by="cw-1",
                                   step=OrderStep.PROPOSE_WISH, deadline=date(2024, 2, 9))
        case.app.start_education(case.order, occurred_on=date(2024, 4, 1), recorded_by="cw-1",
                                 admission_id="adm-9")
    assert case.count() == before


def test_the_store_is_unchanged_after_every_refusal(backend):
    """A fresh application on the same store sees exactly what the first one wrote."""
    case = Case(backend)
    with pytest.raises(UnknownCaseError):
        case.app.propose_wish(UUID(int=0), occurred_on=date(2024, 1, 3), recorded_by="cw-1",
                              education_code="EUD-1")
    reader = backend.app()
    assert list(reader.records()) == list(case.app.records())
