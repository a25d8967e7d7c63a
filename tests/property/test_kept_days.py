"""The kept projection's day: a case kept on day D and rolled only on its ``next_change`` days
gives, on every later day, the same verdicts and work items as judging it afresh that day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from test_rules_properties import histories

from rules_builder import CaseBuilder
from ungeforloeb.projections.compliance import load_rules
from ungeforloeb.projections.kept import KeptCase, keep


def _same(a: KeptCase, b: KeptCase) -> bool:
    return (a.verdicts, a.items, a.caseworker_id, a.team_id) == \
        (b.verdicts, b.items, b.caseworker_id, b.team_id)


@given(histories(), st.integers(0, 400), st.lists(st.integers(1, 900), min_size=1, max_size=6))
def test_a_kept_case_rolled_on_its_next_change_days_equals_a_rebuild(
        case: CaseBuilder, start: int, later: list[int]) -> None:
    rules = load_rules()
    case_file = case.case_file()
    first = case.records[0].occurred_on
    day = first + timedelta(days=start)
    kept = keep(case_file, day, rules)
    for offset in sorted(set(later)):
        target = day + timedelta(days=offset)
        while kept.next_change is not None and kept.next_change <= target:
            assert kept.next_change > kept.day
            kept = keep(case_file, kept.next_change, rules)
        fresh = keep(case_file, target, rules)
        assert _same(kept, fresh), (kept.day, target)


@given(histories(), st.integers(0, 300), st.integers(1, 3))
def test_a_kept_case_is_right_up_to_the_day_before_its_next_change(
        case: CaseBuilder, start: int, step: int) -> None:
    """The hardest day for a kept result is the last one it claims: judged afresh on the day
    before its ``next_change`` (and ``step`` days before), it must be the same."""
    rules = load_rules()
    case_file = case.case_file()
    day = case.records[0].occurred_on + timedelta(days=start)
    horizon = day + timedelta(days=1000)
    kept = keep(case_file, day, rules)
    for _ in range(40):
        last = kept.next_change - timedelta(days=1) if kept.next_change else horizon
        for probe in {last, max(kept.day, last - timedelta(days=step))}:
            if probe > kept.day:
                assert _same(kept, keep(case_file, probe, rules)), (kept.day, probe)
        if kept.next_change is None or kept.next_change > horizon:
            return
        kept = keep(case_file, kept.next_change, rules)


def test_a_due_duty_changes_the_day_after_it_falls_due() -> None:
    case = CaseBuilder(date(2024, 3, 4))
    kept = keep(case.case_file(), date(2024, 3, 5), load_rules())
    # cp01: the first conversation within a week of first contact, due 11 March
    assert kept.next_change is not None and kept.next_change <= date(2024, 3, 12)
