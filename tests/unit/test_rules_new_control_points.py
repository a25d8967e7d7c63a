"""Control points 2a, 2b, 21 and 28 (issue 11): on both sides of their clocks and of the regime
switch that changes their source. Case files straight from records (``rules_builder``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules_builder import CaseBuilder
from ungeforloeb.projections.compliance import evaluate_all, evaluate_case, reference_text
from ungeforloeb.rules.verdict import Status, Verdict

MET, MISSED, DUE = Status.MET, Status.MISSED, Status.DUE
NA, ND = Status.NOT_APPLICABLE, Status.NOT_DOCUMENTED
MONDAY = date(2019, 3, 4)


def verdict(case: CaseBuilder, rule_id: str, as_of: date) -> Verdict:
    [found] = [v for v in evaluate_case(case.case_file(), as_of) if v.rule_id == rule_id]
    return found


# ------------------------------------------------------------------ 2a


@pytest.mark.parametrize(("visitated", "expected"), [(0, MET), (3, MET), (4, MISSED)])
def test_a_group_is_recorded_by_the_day_of_the_first_conversation(visitated: int,
                                                                  expected: Status) -> None:
    case = CaseBuilder(MONDAY)
    case.event("FirstConversationHeld", MONDAY + timedelta(3))
    case.visitate(MONDAY + timedelta(visitated), "UP", stage="preliminary")
    v = verdict(case, "cp02a_group_at_first_conversation", date(2019, 6, 1))
    assert (v.status, v.due_on) == (expected, MONDAY + timedelta(3))


def test_the_group_rule_waits_for_the_first_conversation() -> None:
    case = CaseBuilder(MONDAY)
    assert verdict(case, "cp02a_group_at_first_conversation", date(2019, 6, 1)).status is NA
    case.event("FirstConversationHeld", MONDAY)
    assert verdict(case, "cp02a_group_at_first_conversation", MONDAY).status is DUE


@pytest.mark.parametrize(("first_contact", "source"), [
    (date(2019, 12, 31), "VEJ nr. 10060 af 25/11/2019"),
    (date(2020, 1, 1), "BEK om en aktiv beskæftigelsesindsats (BAB) § 6 stk. 2-3"),
])
def test_the_group_rule_cites_the_law_of_the_first_contact(first_contact: date,
                                                           source: str) -> None:
    case = CaseBuilder(first_contact)
    case.event("FirstConversationHeld", first_contact + timedelta(2))
    case.visitate(first_contact + timedelta(2), "UP", stage="preliminary")
    v = verdict(case, "cp02a_group_at_first_conversation", date(2020, 3, 1))
    assert v.status is MET and v.legal_source.startswith(source)


# ------------------------------------------------------------------ 2b


@pytest.mark.parametrize(("final", "expected"), [("UP", MET), ("AP", MISSED)])
def test_the_final_group_is_compared_with_the_group_at_the_first_conversation(
        final: str, expected: Status) -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP", stage="preliminary")
    rule = "cp02b_same_group_at_final_visitation"
    assert verdict(case, rule, date(2019, 4, 1)).status is NA  # no final visitation yet
    case.visitate(date(2019, 5, 1), final)
    v = verdict(case, rule, date(2019, 6, 1))
    assert v.status is expected
    assert v.explanation.count("group") >= 1


def test_a_final_visitation_as_the_first_is_the_same_group_and_aaup_is_outside() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "AP")
    assert verdict(case, "cp02b_same_group_at_final_visitation", MONDAY).status is MET
    other = CaseBuilder(MONDAY)
    other.visitate(MONDAY, "UP", stage="preliminary")
    other.visitate(date(2019, 5, 1), "AAUP")
    assert verdict(other, "cp02b_same_group_at_final_visitation", date(2019, 6, 1)).status is NA


# ------------------------------------------------------------------ 21


def test_the_latest_absence_must_have_a_documented_valid_reason() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP")
    rule = "cp21_absence_reason_documented"
    assert verdict(case, rule, date(2019, 6, 1)).status is NA  # no absence
    case.event("AbsenceRecorded", date(2019, 4, 1), offer_id=None, valid_reason=True)
    assert verdict(case, rule, date(2019, 4, 1)).status is MET
    case.event("AbsenceRecorded", date(2019, 5, 1), offer_id=None, valid_reason=False)
    assert verdict(case, rule, date(2019, 4, 30)).status is MET
    assert verdict(case, rule, date(2019, 5, 1)).status is MISSED


def test_absence_is_judged_by_the_law_of_its_day_not_of_the_first_contact() -> None:
    case = CaseBuilder(MONDAY)
    case.event("AbsenceRecorded", date(2020, 1, 1), offer_id=None, valid_reason=True)
    v = verdict(case, "cp21_absence_reason_documented", date(2020, 2, 1))
    assert v.decided_by is not None and v.decided_by.on == date(2020, 1, 1)


# ------------------------------------------------------------------ 28


@pytest.mark.parametrize(("goal", "expected"), [(True, MET), (False, MISSED), (None, ND)])
def test_a_job_goal_with_the_cv_for_the_obviously_education_ready(goal: bool | None,
                                                                   expected: Status) -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "AAUP")
    assert verdict(case, "cp28_job_goal_with_cv", date(2019, 6, 1)).status is NA  # no CV
    case.event("CvMadeAvailable", date(2019, 3, 20), job_goal_recorded=goal)
    assert verdict(case, "cp28_job_goal_with_cv", date(2019, 6, 1)).status is expected


def test_a_job_goal_is_for_the_obviously_education_ready_only() -> None:
    case = CaseBuilder(MONDAY)
    case.visitate(MONDAY, "UP")
    case.event("CvMadeAvailable", date(2019, 3, 20), job_goal_recorded=False)
    assert verdict(case, "cp28_job_goal_with_cv", date(2019, 6, 1)).status is NA


@pytest.mark.parametrize(("cv_on", "source"), [
    (date(2019, 12, 31), "LBK nr. 1342 af 21/11/2016 § 11 stk. 4"),
    (date(2020, 1, 1), "lov nr. 548 af 7/5/2019 § 22 stk. 3"),
])
def test_the_job_goal_is_judged_by_the_law_of_the_cvs_day(cv_on: date, source: str) -> None:
    case = CaseBuilder(date(2019, 12, 1))  # first contact before 2020 either way
    case.visitate(date(2019, 12, 1), "AAUP")
    case.event("CvMadeAvailable", cv_on, job_goal_recorded=True)
    v = verdict(case, "cp28_job_goal_with_cv", date(2020, 2, 1))
    assert v.status is MET and v.legal_source == source


# ------------------------------------------------------------------ the reference population


def test_the_reference_figure_counts_only_the_audits_population() -> None:
    files = []
    for i, started in enumerate((True, False, True)):
        case = CaseBuilder(MONDAY, young_person_id=f"00000000-0000-4000-8000-00000000000{i}")
        case.visitate(MONDAY, "UP")
        order = case.order(MONDAY)
        case.admit(order, "adm-1", on=date(2019, 6, 1), starts_on=date(2019, 8, 12))
        if started:
            case.on_admission("EducationStarted", order, "adm-1", date(2019, 8, 12))
        if i == 0:
            case.on_admission("DutyToStartAssessed", order, "adm-1", date(2019, 8, 1),
                              ordered_to_start_and_complete=True)
        files.append(case.case_file())
    report = evaluate_all(files, date(2019, 9, 1))
    [row] = [r for r in report.rows() if r.rule_id == "cp32_duty_to_start_assessed"]
    assert (row.met, row.denominator) == (1, 3)  # the law: every admission
    assert (row.reference_met, row.reference_denominator) == (1, 2)  # the audit: started
    assert row.audit_share == 0.45 and row.reference_population == "with EducationStarted"
    assert reference_text(row) == "45 % (N=123) | ours on the audit's population: 50 % (1/2)"


# ------------------------------------------------------------------ 2a: our distribution


def _group_cases() -> list:  # type: ignore[type-arg]
    files = []
    for i, (group, late) in enumerate((("AAUP", False), ("UP", False), ("UP", False),
                                       ("AP", False), ("AP", True))):
        case = CaseBuilder(MONDAY, young_person_id=f"00000000-0000-4000-8000-00000000000{i}")
        case.event("FirstConversationHeld", MONDAY + timedelta(3))
        case.visitate(MONDAY + timedelta(4 if late else 3), group, stage="preliminary")
        files.append(case.case_file())
    return files


def test_our_group_distribution_at_the_first_conversation_is_beside_the_audits() -> None:
    # given four groups recorded by the first conversation and one recorded late (missed)
    report = evaluate_all(_group_cases(), date(2019, 6, 1))
    [row] = [r for r in report.rows() if r.rule_id == "cp02a_group_at_first_conversation"]
    # then the distribution counts the groups recorded in time, in the groups' order
    assert row.distribution == (("AAUP", 1), ("UP", 2), ("AP", 1))
    assert reference_text(row).endswith("| ours: ÅUP 25 / UP 50 / AP 25 % (N=4)")
    assert reference_text(row).startswith("group at the 1st conversation: ÅUP 14 / UP 52 / AP")
    assert row.to_dict()["distribution"] == {"AAUP": 1, "UP": 2, "AP": 1}
    header, *lines = report.to_csv().splitlines()
    assert header.endswith(",ours_distribution")
    [line] = [x for x in lines if ",cp02a_group_at_first_conversation," in x]
    assert line.endswith(",ÅUP 25 / UP 50 / AP 25 % (N=4)")
    other = [r for r in report.rows() if r.rule_id != "cp02a_group_at_first_conversation"]
    assert all(r.distribution == () for r in other)


def test_the_audits_tally_gives_the_same_distribution() -> None:
    from ungeforloeb.interchange.audit import Tally

    report = evaluate_all(_group_cases(), date(2019, 6, 1))
    halves = Tally(), Tally()
    for n, v in enumerate(report.verdicts):
        halves[n % 2].add(v)
    halves[0].merge(halves[1])
    rows = halves[0].rows(report.as_of, None, report.rules)
    assert [r.to_dict() for r in rows] == [r.to_dict() for r in report.rows()]
