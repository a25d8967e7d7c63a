"""The legal review of November 2026 verified some paragraphs on public statute pages (its table
"Sources verified"); no period of those rules from the law the review read may still cite
"paragraph unchecked". The rest stays marked unverified (a test of its own would only repeat the
data)."""

from __future__ import annotations

from datetime import date

import pytest

from ungeforloeb.rules.loader import default_rules

VERIFIED: dict[str, date] = {
    # rule id → the first day of the law the review read (its table, row by row)
    "cp01_first_conversation": date(2020, 1, 1),  # § 31 stk. 3 (LBK 701/2022), stk. 5 (2024)
    "cp02_final_visitation": date(2020, 1, 1),  # BAB § 6 stk. 3
    "cp04_justification_of_visitation": date(2020, 1, 1),  # BAB § 6 stk. 2
    "cp05_literacy_need_assessed": date(2020, 1, 1),  # BAB § 48 stk. 2
    "cp06_literacy_test_in_time": date(2020, 1, 1),
    "cp07_reason_if_not_tested": date(2020, 1, 1),
    "cp08_course_after_test": date(2024, 1, 1),  # § 93 stk. 1, 2. pkt. (LBK 280/2024)
    "order_step1_deadline": date(2020, 1, 1),  # § 30 stk. 3 and 4
    "cp12_minimum_conversations": date(2020, 1, 1),  # § 31 stk. 3 (stk. 1 in LBK 701/2022)
    "cp19_mentor_offered": date(2020, 1, 1),  # kapitel 26 Mentorstøtte, § 167
    "mentor_right_window": date(2022, 1, 1),  # § 167 stk. 3
    "cp28_job_goal_with_cv": date(2020, 1, 1),  # lov nr. 548/2019 § 22 stk. 3
    "cp29_cv_available": date(2020, 1, 1),  # § 23 stk. 1 nr. 3
    "cp32_duty_to_start_assessed": date(2020, 1, 1),  # § 30 stk. 5
}
UNCHECKED = ("paragraph unchecked", "number unchecked", "unchecked:")


@pytest.mark.parametrize("rule_id", sorted(VERIFIED))
def test_a_paragraph_the_review_verified_is_no_longer_unchecked(rule_id: str) -> None:
    rules = default_rules()
    periods = [p for p in rules.periods(rule_id) if p.effective_to is None
               or p.effective_to > VERIFIED[rule_id]]
    assert periods, rule_id
    for p in periods:
        for s in p.sources:
            for marker in UNCHECKED:
                assert marker not in s.text and marker not in s.certainty, (
                    rule_id, p.period_text(), s.text, s.certainty)


def test_the_unchecked_marker_is_found_where_it_stands() -> None:
    # the duties the review did not read keep it (cp13 from 2020 is one of them)
    (p,) = [p for p in default_rules().periods("cp13_follow_up_current_step")
            if p.effective_from == date(2020, 1, 1)]
    assert any(m in p.sources[0].text for m in UNCHECKED)
