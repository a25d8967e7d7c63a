"""The youth effort's 15–17-year-olds (KUI): recorded without a benefit case, the contact duty
triggered by an interruption as well as a risk report, a new activity within 30 days, and out
of the benefit control points' denominators."""

from __future__ import annotations

from datetime import date

import pytest
from gwt import YOUNG_PERSON, day, fact

from rules_builder import INSTITUTION, YP, CaseBuilder
from ungeforloeb.casefile import CaseFile, EventRecord
from ungeforloeb.casefile.fold import fold
from ungeforloeb.domain import YoungPerson
from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.domain.errors import EventOutOfOrderError
from ungeforloeb.domain.values import BenefitEndReason
from ungeforloeb.projections.compliance import evaluate_all, evaluate_case
from ungeforloeb.projections.status import case_status
from ungeforloeb.rules.verdict import Status

P = YoungPerson
FOLLOWED = fact(P.YouthEffortFollowed, occurred_on=day(0), municipality_code="101",
                birth_date=date(2007, 5, 1))
KUI = YOUNG_PERSON.given(FOLLOWED)
KUI_RULES = ("kui_contact_15_17", "kui_contact_15_17_interruption", "kui_new_activity_15_17")


# ------------------------------------------------------------------ the commands


def test_the_youth_effort_follows_a_young_person_without_a_benefit_case():
    person = YOUNG_PERSON.when("follow_in_youth_effort", occurred_on=day(0),
                               municipality_code="101", birth_date=date(2007, 5, 1)).then(
        FOLLOWED)
    assert (person.spell, person.youth_effort_since) == (0, day(0))


@pytest.mark.parametrize(("command", "kwargs"), [
    ("hold_first_conversation", {}),
    ("end_benefit", {"reason": BenefitEndReason.OTHER}),
    ("make_cv_available", {}),
])
def test_benefit_facts_are_refused_without_a_benefit_spell(command, kwargs):
    KUI.when(command, occurred_on=day(3), **kwargs).refused(
        EventOutOfOrderError, match=f"{command}: young person .* is followed by the youth effort "
                                    "without a benefit case")


def test_coming_to_benefit_opens_the_first_benefit_spell():
    person = KUI.when("return_to_benefit", occurred_on=day(30)).then(
        fact(P.BenefitSpellStarted, occurred_on=day(30), spell=1))
    assert person.spell == 1
    KUI.given(fact(P.BenefitSpellStarted, occurred_on=day(30), spell=1)).when(
        "hold_first_conversation", occurred_on=day(31)).then(
        fact(P.FirstConversationHeld, occurred_on=day(31)))


def test_no_personal_field_but_the_birth_date_and_it_is_sealed():
    from ungeforloeb.application.personal import PERSONAL_FIELDS

    assert PERSONAL_FIELDS["YouthEffortFollowed"] == ("birth_date",)
    assert [n for n, _ in EVENT_TYPES["YouthEffortFollowed"].payload_fields] == [
        "municipality_code", "birth_date"]


# ------------------------------------------------------------------ the judge

JUNE = date(2023, 6, 1)  # Thursday; 5 June is Grundlovsdag (not a public holiday)


class KuiCase(CaseBuilder):
    """A young person followed by the youth effort (no first contact)."""

    def __init__(self, since: date, *, birth_date: date = date(2006, 6, 2)) -> None:
        self.yp = YP
        self.records: list[EventRecord] = []
        self._versions: dict[str, int] = {}
        self._streams = 0
        self.event("YouthEffortFollowed", since, municipality_code="101",
                   birth_date=birth_date.isoformat())

    def interruption(self, on: date, *, received_on: date | None = None) -> str:
        case = f"00000000-0000-4000-8000-{len(self.records):012d}"
        self.event("InterruptionNoted", on, stream=case, young_person_id=self.yp,
                   order_id=None, admission_id=None, institution_id=INSTITUTION,
                   report_id=f"rep-{len(self.records)}", received_on=received_on or on)
        return case


def verdicts(case: CaseBuilder, as_of: date) -> dict[str, list[Status]]:
    out: dict[str, list[Status]] = {}
    for v in evaluate_case(case.case_file(), as_of):
        out.setdefault(v.rule_id, []).append(v.status)
    return out


@pytest.mark.parametrize(("as_of", "contacted", "expected"), [
    (date(2023, 6, 8), None, Status.DUE),  # the 5th working day
    (date(2023, 6, 9), None, Status.MISSED),
    (date(2023, 6, 9), date(2023, 6, 8), Status.MET),
    (date(2023, 6, 12), date(2023, 6, 9), Status.MISSED),
])
def test_an_interruption_starts_the_5_working_day_contact(as_of, contacted, expected):
    case = KuiCase(date(2023, 1, 2))
    stream = case.interruption(date(2023, 5, 30), received_on=JUNE)
    if contacted is not None:
        case.event("YoungPersonContacted", contacted, stream=stream, channel="phone")
    (v,) = [v for v in evaluate_case(case.case_file(), as_of)
            if v.rule_id == "kui_contact_15_17_interruption"]
    assert v.status is expected
    assert v.due_on == date(2023, 6, 8)
    assert v.subject.startswith("spell:0/report:")


@pytest.mark.parametrize(("birth", "expected"), [
    (date(2005, 6, 2), Status.DUE),  # 17 on 1 June 2023
    (date(2005, 6, 1), Status.NOT_APPLICABLE),  # 18 that day
])
def test_the_interruption_duty_is_for_15_to_17_year_olds(birth, expected):
    case = KuiCase(date(2023, 1, 2), birth_date=birth)
    case.interruption(JUNE)
    assert verdicts(case, date(2023, 6, 2))["kui_contact_15_17_interruption"] == [expected]


@pytest.mark.parametrize(("started", "as_of", "expected"), [
    (None, date(2023, 7, 1), Status.DUE),  # 30 calendar days from 1 June: 1 July
    (None, date(2023, 7, 2), Status.MISSED),
    (date(2023, 7, 1), date(2023, 7, 2), Status.MET),
    (date(2023, 7, 2), date(2023, 7, 3), Status.MISSED),
])
def test_a_new_activity_within_30_calendar_days(started, as_of, expected):
    case = KuiCase(date(2023, 1, 2))
    stream = case.interruption(JUNE)
    if started is not None:
        case.event("NewActivityStarted", started, stream=stream, activity="education")
    assert verdicts(case, as_of)["kui_new_activity_15_17"] == [expected]


def test_a_risk_report_triggers_the_contact_for_the_youth_effort_too():
    case = KuiCase(date(2023, 1, 2))
    case.risk_report(JUNE)
    assert verdicts(case, date(2023, 6, 8))["kui_contact_15_17"] == [Status.DUE]


def test_a_youth_effort_case_is_in_no_benefit_control_points_denominator():
    case = KuiCase(date(2023, 1, 2))
    case.interruption(JUNE)
    case.risk_report(JUNE)
    judged = {rule: statuses for rule, statuses in verdicts(case, date(2023, 9, 1)).items()
              if set(statuses) - {Status.NOT_APPLICABLE}}
    assert set(judged) <= set(KUI_RULES), judged
    report = evaluate_all([case.case_file()], date(2023, 9, 1))
    for row in report.rows():
        if row.rule_id not in KUI_RULES:
            assert row.denominator == 0 and row.not_documented == 0, row


def test_the_youth_effort_and_a_later_benefit_spell_are_judged_apart():
    case = KuiCase(date(2023, 1, 2))
    case.interruption(JUNE)
    case.event("BenefitSpellStarted", date(2023, 9, 4), spell=1)
    case.event("FirstConversationHeld", date(2023, 9, 5))
    facts = fold(YP, case.records)
    assert [f.spell for f in facts.spells] == [0, 1]
    assert facts.birth_date == date(2006, 6, 2)
    by_subject = {(v.rule_id, v.subject): v.status
                  for v in evaluate_case(case.case_file(), date(2023, 10, 1))}
    assert by_subject[("cp01_first_conversation", "")] is Status.MET
    assert by_subject[("cp01_first_conversation", "spell:0")] is Status.NOT_APPLICABLE
    status = case_status(CaseFile(YP, case.records).facts())
    assert (status.spell, status.first_contact_on) == (1, date(2023, 9, 4))


# ------------------------------------------------------------------ older than 2022 (from_2017)


def _kui_verdict(rule: str, received: date, birth: date, as_of: date):  # type: ignore[no-untyped-def]
    case = KuiCase(date(2016, 1, 4), birth_date=birth)
    if rule == "kui_contact_15_17":
        case.risk_report(received)
    else:
        case.interruption(received)
    (v,) = [v for v in evaluate_case(case.case_file(), as_of) if v.rule_id == rule]
    return v


@pytest.mark.parametrize("rule", KUI_RULES)
@pytest.mark.parametrize(("received", "status", "regime"), [
    (date(2016, 12, 31), Status.NOT_APPLICABLE, None),  # before the earliest source
    (date(2017, 1, 1), Status.MISSED, "from_2017"),
])
def test_the_youth_effort_duties_are_judged_from_2017(rule, received, status, regime):
    v = _kui_verdict(rule, received, date(2000, 6, 2), date(2017, 6, 1))
    assert (v.status, v.regime) == (status, regime)


@pytest.mark.parametrize("rule", KUI_RULES)
@pytest.mark.parametrize(("received", "regime"), [
    (date(2021, 12, 31), "from_2017"),
    (date(2022, 1, 1), "from_2022"),
])
def test_the_2022_file_judges_the_youth_effort_duties_from_2022(rule, received, regime):
    v = _kui_verdict(rule, received, date(2005, 6, 2), date(2022, 6, 1))
    assert (v.status, v.regime) == (Status.MISSED, regime)


def test_before_2022_the_contact_clock_is_5_working_days_too():
    # received Friday 29 January 2021: the 5th working day is Friday 5 February
    rule = "kui_contact_15_17_interruption"
    assert _kui_verdict(rule, date(2021, 1, 29), date(2005, 6, 2),
                        date(2021, 2, 5)).status is Status.DUE
    assert _kui_verdict(rule, date(2021, 1, 29), date(2005, 6, 2),
                        date(2021, 2, 6)).status is Status.MISSED
