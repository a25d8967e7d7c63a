"""Regimes: each rule's period is chosen by the date that matters for it, and a new regime is a
new data file."""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest

from rules_builder import CaseBuilder
from ungeforloeb.projections.compliance import evaluate_case, load_rules
from ungeforloeb.rules.loader import load_directory, packaged_files
from ungeforloeb.rules.model import RuleSet
from ungeforloeb.rules.verdict import Status, Verdict

FIXTURE_2027 = Path(__file__).parent.parent / "fixtures" / "regimes_2027"


def verdicts(case: CaseBuilder, as_of: date, rules: RuleSet | None = None) -> dict[
        tuple[str, str], Verdict]:
    return {(v.rule_id, v.subject): v for v in evaluate_case(case.case_file(), as_of, None, rules)}


def first_conversation_source(first_contact: date) -> str:
    case = CaseBuilder(first_contact)
    return verdicts(case, first_contact)[("cp01_first_conversation", "")].legal_source


@pytest.mark.parametrize(("first_contact", "source"), [
    (date(2019, 12, 31), "LBK nr. 1342 af 21/11/2016 § 20 a"),
    (date(2020, 1, 1), "lov nr. 548 af 7/5/2019 § 31 stk. 3"),
    (date(2023, 12, 31), "lov nr. 548 af 7/5/2019 § 31 stk. 3"),
    (date(2024, 1, 1), "LBK nr. 280 af 1/3/2024 § 31 stk. 5"),
])
def test_the_first_conversation_rule_follows_the_law_in_force_at_first_contact(
        first_contact: date, source: str) -> None:
    assert first_conversation_source(first_contact) == source


def test_the_2024_renumbering_of_the_first_conversation_is_its_own_regime() -> None:
    (period,) = [p for p in load_rules().periods("cp01_first_conversation")
                 if p.effective_from == date(2024, 1, 1)]
    assert period.regime == "from_2024"


def test_periods_of_one_rule_are_half_open_and_do_not_overlap() -> None:
    rules = load_rules()
    for rule_id in rules.ids:
        periods = sorted(rules.periods(rule_id), key=lambda p: p.effective_from)
        for a, b in itertools.pairwise(periods):
            assert a.effective_to == b.effective_from, rule_id


def admitted_on(day: date, first_contact: date = date(2021, 3, 1)) -> CaseBuilder:
    case = CaseBuilder(first_contact)
    case.visitate(first_contact, "UP")
    order = case.order(first_contact)
    case.admit(order, "adm-1", on=day, starts_on=date(2022, 8, 15))
    case.on_admission("EducationStarted", order, "adm-1", date(2022, 8, 15))
    case.on_admission("DutyToStartAssessed", order, "adm-1", day,
                      ordered_to_start_and_complete=True)
    return case


def test_a_case_started_under_one_regime_and_admitted_under_the_next_is_judged_by_both() -> None:
    before = verdicts(admitted_on(date(2021, 12, 31)), date(2022, 9, 1))
    after = verdicts(admitted_on(date(2022, 1, 1)), date(2022, 9, 1))
    key = "admission:adm-1"
    # first-contact rules: the 2020 regime for both
    assert before[("cp01_first_conversation", "")].regime == "from_2020"
    assert after[("cp01_first_conversation", "")].regime == "from_2020"
    # admission rules: chosen by the admission date
    assert before[("cp33_institution_notified", key)].status is Status.MISSED
    assert before[("x22_support_assessed", key)].status is Status.NOT_APPLICABLE
    assert "not in force on 2021-12-31" in before[("x22_support_assessed", key)].explanation
    assert after[("cp33_institution_notified", key)].status is Status.NOT_APPLICABLE
    assert after[("x22_support_assessed", key)].status is Status.MISSED
    assert before[("cp35_transition_mentor", key)].status is Status.DUE
    # from admission; a right, not a duty: its window passed unused
    assert after[("mentor_right_window", key)].status is Status.UNUSED
    assert after[("cp35_transition_mentor", key)].status is Status.NOT_APPLICABLE


def test_the_225_hour_rule_ends_with_the_cash_benefit_reform() -> None:
    rules = load_rules()
    (period,) = rules.periods("cp10_guidance_225_hours")
    assert period.effective_to == date(2025, 7, 1)
    regime = next(r for r in rules.regimes if r.id == "from_2025_07")
    assert regime.ends[0][0] == "cp10_guidance_225_hours"


def test_a_cases_own_first_contact_outside_every_period_is_refused_not_guessed() -> None:
    case = CaseBuilder(date(2013, 12, 31))
    v = verdicts(case, date(2014, 1, 10))[("cp01_first_conversation", "")]
    assert v.status is Status.NOT_APPLICABLE
    assert "not in force on 2013-12-31" in v.explanation


# ------------------------------------------------------------------ an example new regime, as data


@pytest.fixture
def rules_2027(tmp_path: Path) -> RuleSet:
    for name, raw in packaged_files():
        (tmp_path / name).write_bytes(raw)
    shutil.copy(FIXTURE_2027 / "from_2027.toml", tmp_path / "from_2027.toml")
    return load_directory(tmp_path)


def substance(found: dict[tuple[str, str], Verdict]) -> dict[tuple[str, str], tuple[object, ...]]:
    return {k: (v.status, v.due_on, v.clock_start, v.met_by, v.legal_source, v.regime)
            for k, v in found.items()}


def full_case(first_contact: date) -> CaseBuilder:
    case = CaseBuilder(first_contact)
    case.event("FirstConversationHeld", first_contact)
    case.visitate(first_contact, "UP", stage="preliminary")
    case.conversation(first_contact)
    return case


def test_an_example_2027_regime_ends_duties_in_open_cases_from_its_date_only(
        rules_2027: RuleSet) -> None:
    default = load_rules()
    old_case = full_case(date(2026, 12, 31))
    new_case = full_case(date(2027, 1, 1))
    as_of = date(2027, 3, 1)
    # a case open across the change: what fell due before it stands ...
    old_2027 = verdicts(old_case, as_of, rules_2027)
    old_default = verdicts(old_case, as_of, default)
    key = ("cp09_order_at_first_conversation", "")
    assert old_2027[key].status is old_default[key].status is Status.MISSED  # due 2026-12-31
    # ... and what would fall due after it is not applicable, saying why
    test = old_2027[("cp06_literacy_test_in_time", "")]
    assert old_default[("cp06_literacy_test_in_time", "")].status is Status.MISSED
    assert test.status is Status.NOT_APPLICABLE and test.due_on == date(2027, 1, 31)
    assert "ended on 2027-01-01" in test.explanation
    assert "the test requirement is abolished" in test.explanation
    differs = {k[0] for k in old_2027 if substance(old_2027)[k] != substance(old_default)[k]}
    assert differs <= {"cp06_literacy_test_in_time", "cp07_reason_if_not_tested"}
    # a case opened on the new regime's date has none of the ended duties
    changed = verdicts(new_case, as_of, rules_2027)
    unchanged = verdicts(new_case, as_of, default)
    assert unchanged[("cp09_order_at_first_conversation", "")].status is Status.MISSED
    assert changed[("cp09_order_at_first_conversation", "")].status is Status.NOT_APPLICABLE
    assert unchanged[("cp06_literacy_test_in_time", "")].status is Status.MISSED
    assert changed[("cp06_literacy_test_in_time", "")].status is Status.NOT_APPLICABLE
    # rules the example regime does not touch give the same verdicts
    for k in (("cp01_first_conversation", ""), ("cp02_final_visitation", "")):
        assert changed[k] == unchanged[k]
    differs = {k for k in changed if substance(changed)[k] != substance(unchanged)[k]}
    assert {k[0] for k in differs} <= {
        "cp09_order_at_first_conversation", "cp06_literacy_test_in_time",
        "cp07_reason_if_not_tested", "cp13_follow_up_current_step"}


@pytest.mark.parametrize(("deadline", "status"), [
    (date(2026, 12, 31), Status.MISSED),  # fell due the day before the order was abolished
    (date(2027, 1, 1), Status.NOT_APPLICABLE),  # would fall due on the day it ends
])
def test_an_open_orders_step_deadline_stops_with_the_2027_example_regime(
        rules_2027: RuleSet, deadline: date, status: Status) -> None:
    case = CaseBuilder(date(2026, 6, 1))
    case.visitate(date(2026, 6, 1), "UP")
    order = case.order(date(2026, 6, 1))
    case.event("StepDeadlineSet", date(2026, 6, 1), stream=order, step=1,
               deadline=deadline.isoformat())
    found = verdicts(case, date(2027, 2, 1), rules_2027)[("order_step1_deadline",
                                                         f"order:{order}")]
    assert found.status is status
    assert verdicts(case, date(2027, 2, 1))[("order_step1_deadline",
                                            f"order:{order}")].status is Status.MISSED


@pytest.mark.parametrize(("as_of", "status"), [
    (date(2025, 6, 30), Status.DUE),  # the last day of the 225-hour rule
    (date(2025, 7, 1), Status.NOT_APPLICABLE),  # abolished: never missed after
])
def test_the_225_hour_guidance_is_never_missed_after_its_abolition(as_of: date,
                                                                  status: Status) -> None:
    case = CaseBuilder(date(2019, 3, 1))
    case.visitate(date(2019, 3, 1), "UP")
    v = verdicts(case, as_of)[("cp10_guidance_225_hours", "")]
    assert v.status is status
    if status is Status.NOT_APPLICABLE:
        assert "ended on 2025-07-01" in v.explanation


def test_guidance_given_before_the_abolition_still_counts() -> None:
    case = CaseBuilder(date(2019, 3, 1))
    case.visitate(date(2019, 3, 1), "UP")
    case.event("RightsGuidanceGiven", date(2024, 5, 1), topic="225_hour_rule")
    assert verdicts(case, date(2026, 1, 1))[("cp10_guidance_225_hours", "")].status \
        is Status.MET


def test_the_packaged_files_are_not_edited_by_a_new_regime(rules_2027: RuleSet) -> None:
    default = load_rules()
    hashes = {r.file: r.sha256 for r in default.regimes}
    assert {r.file: r.sha256 for r in rules_2027.regimes if r.file in hashes} == hashes
    assert rules_2027.digest != default.digest


def test_the_2026_regime_changes_no_clock_or_population() -> None:
    as_of = date(2026, 6, 1)
    before = substance(verdicts(full_case(date(2026, 1, 31)), as_of))
    after = substance(verdicts(full_case(date(2026, 2, 1)), as_of))
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert next(r for r in load_rules().regimes if r.id == "from_2026").notes


@pytest.mark.parametrize(("admitted", "regime"), [(date(2019, 12, 31), "before_2020"),
                                                  (date(2020, 1, 1), "from_2020")])
def test_the_duty_assessment_follows_the_law_in_force_at_admission(admitted: date,
                                                                   regime: str) -> None:
    case = admitted_on(admitted, first_contact=date(2019, 6, 3))
    v = verdicts(case, date(2022, 9, 1))[("cp32_duty_to_start_assessed", "admission:adm-1")]
    assert v.regime == regime
    assert v.legal_source.endswith("§ 21 b stk. 5" if regime == "before_2020" else
                                   "§ 30 stk. 5")


@pytest.mark.parametrize(("conversation", "regime"), [(date(2019, 12, 31), "before_2020"),
                                                      (date(2020, 1, 1), "from_2020"),
                                                      (date(2024, 6, 3), "from_2020")])
def test_a_recurring_duty_is_judged_by_the_law_of_the_day_of_the_judged_event(
        conversation: date, regime: str) -> None:
    case = CaseBuilder(date(2019, 6, 3))  # opened under the old act
    case.visitate(date(2019, 6, 3), "UP")
    case.order(date(2019, 6, 3))
    case.conversation(conversation)
    v = verdicts(case, date(2024, 12, 1))[("cp13_follow_up_current_step", "")]
    assert v.regime == regime
    assert v.decided_by is not None and v.decided_by.type == "ConversationHeld"
    assert v.decided_by.occurred_on == conversation
    assert f"chosen by ConversationHeld #{v.decided_by.seq} on {conversation.isoformat()}" \
        in v.explanation


def test_a_step_deadline_cites_the_law_the_order_was_issued_under_on_worklist_and_verdict(
) -> None:
    from ungeforloeb.projections.worklist import worklist

    case = CaseBuilder(date(2019, 12, 2))
    case.visitate(date(2019, 12, 2), "UP")
    order = case.order(date(2019, 12, 20))
    case.event("StepDeadlineSet", date(2019, 12, 20), stream=order, step=1,
               deadline="2020-01-10")
    on = date(2020, 1, 5)
    v = verdicts(case, on)[("order_step1_deadline", f"order:{order}")]
    (item,) = [i for i in worklist([case.case_file()], on) if i.kind == "deadline"]
    assert v.regime == "before_2020"
    assert item.legal_source == v.legal_source == "LBK nr. 1342 af 21/11/2016 § 21 b stk. 3"
    assert item.rule_id == "order_step1_deadline" and item.due_on == date(2020, 1, 10)


@pytest.mark.parametrize(("conversation", "status"), [
    (date(2026, 12, 31), Status.MISSED),  # decided the day before the duty was abolished: stands
    (date(2027, 1, 1), Status.NOT_APPLICABLE),  # decided on the day it ends: nothing to judge
])
def test_a_recurring_duty_missed_at_a_conversation_before_the_abolition_stays_missed(
        rules_2027: RuleSet, conversation: date, status: Status) -> None:
    case = CaseBuilder(date(2026, 6, 1))
    case.visitate(date(2026, 6, 1), "UP")
    case.order(date(2026, 6, 1))
    case.event("ConversationHeld", conversation, education_focus=True, job_focus=False,
               current_step_followed_up=False)
    as_of = date(2027, 6, 30)
    found = verdicts(case, as_of, rules_2027)[("cp13_follow_up_current_step", "")]
    assert found.status is status
    assert verdicts(case, as_of)[("cp13_follow_up_current_step", "")].status is Status.MISSED
