"""The strict loader: every error names the file and the key."""

from __future__ import annotations

from datetime import date

import pytest

from ungeforloeb.rules.loader import RuleDataError, load_rule_set, packaged_files

HEADER = """
[regime]
id = "r1"
name = "test regime"
effective_from = 2020-01-01
law = "a law"
certainty = "a test"
"""

RULE = """
[[rules]]
id = "r_first"
kind = "deadline"
description = "First conversation within a week"
scope = "case"
applies_by = { event = "FirstContactRegistered" }
satisfied_by = [{ event = "FirstConversationHeld" }]
[rules.clock]
start = { event = "FirstContactRegistered" }
length = 1
unit = "weeks"
[[rules.sources]]
text = "§ 1"
certainty = "test"
"""


def load(*files: tuple[str, str]) -> object:
    return load_rule_set((name, text.encode()) for name, text in files)


def test_a_valid_file_loads() -> None:
    rules = load(("r1.toml", HEADER + RULE))
    (rule,) = rules.rules  # type: ignore[attr-defined]
    assert rule.effective_from == date(2020, 1, 1) and rule.effective_to is None


def test_an_unknown_key_is_named_with_its_file_and_path() -> None:
    with pytest.raises(RuleDataError, match=r"r1\.toml: rules\[0\]\.colour: unknown key"):
        load(("r1.toml", HEADER + RULE.replace('scope = "case"', 'scope = "case"\ncolour = 1')))


def test_a_missing_key_is_named() -> None:
    with pytest.raises(RuleDataError, match=r"r1\.toml: rules\[0\]\.description: missing"):
        load(("r1.toml", HEADER + RULE.replace(
            'description = "First conversation within a week"\n', "")))


def test_a_date_written_as_a_string_is_refused() -> None:
    with pytest.raises(RuleDataError,
                       match=r"r1\.toml: regime\.effective_from: must be a TOML date"):
        load(("r1.toml", HEADER.replace("2020-01-01", '"2020-01-01"') + RULE))


def test_an_impossible_date_is_refused_naming_the_file() -> None:
    with pytest.raises(RuleDataError, match=r"r1\.toml: not valid TOML"):
        load(("r1.toml", HEADER.replace("2020-01-01", "2020-13-01") + RULE))


def test_a_clock_without_a_unit_is_refused() -> None:
    with pytest.raises(RuleDataError, match=r"r1\.toml: rules\[0\]\.clock\.unit: a clock with a "
                                            r"length must name its unit"):
        load(("r1.toml", HEADER + RULE.replace('unit = "weeks"\n', "")))


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(RuleDataError, match=r"rules\[0\]\.clock\.unit: must be one of "
                                            r"calendar_days, weeks, months, working_days"):
        load(("r1.toml", HEADER + RULE.replace('unit = "weeks"', 'unit = "fortnights"')))


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(RuleDataError, match=r"rules\[0\]\.satisfied_by\[0\]\.event: unknown "
                                            r"event type 'FirstTalk'"):
        load(("r1.toml", HEADER + RULE.replace('{ event = "FirstConversationHeld" }',
                                               '{ event = "FirstTalk" }')))


def test_an_unknown_payload_field_is_refused() -> None:
    with pytest.raises(RuleDataError, match=r"rules\[0\]\.satisfied_by\[0\]\.where\.colour: "
                                            r"FirstConversationHeld has no payload field"):
        load(("r1.toml", HEADER + RULE.replace(
            '{ event = "FirstConversationHeld" }',
            '{ event = "FirstConversationHeld", where = { colour = "red" } }')))


def test_overlapping_periods_for_one_rule_id_are_refused() -> None:
    later = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + RULE
    with pytest.raises(RuleDataError, match=r"r2\.toml: rules\[0\]\.id: rule 'r_first' overlaps "
                                            r"its period \[2020-01-01, …\) from r1"):
        load(("r1.toml", HEADER + RULE), ("r2.toml", later))


def test_a_newer_file_ends_a_rule_and_the_loader_computes_the_periods() -> None:
    later = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + """
[[ends]]
rule = "r_first"
on = 2022-01-01
why = "repealed"
""" + RULE
    rules = load(("r2.toml", later), ("r1.toml", HEADER + RULE))
    first, second = rules.rules  # type: ignore[attr-defined]
    assert (first.effective_from, first.effective_to) == (date(2020, 1, 1), date(2022, 1, 1))
    assert (second.effective_from, second.effective_to) == (date(2022, 1, 1), None)


def test_amends_replace_only_the_keys_given() -> None:
    later = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + """
[[amends]]
rule = "r_first"
from = 2023-01-01
[[amends.sources]]
text = "§ 2"
certainty = "test"
"""
    rules = load(("r1.toml", HEADER + RULE), ("r2.toml", later))
    first, second = rules.rules  # type: ignore[attr-defined]
    assert first.effective_to == date(2023, 1, 1) and first.legal_source == "§ 1"
    assert second.effective_from == date(2023, 1, 1) and second.legal_source == "§ 2"
    assert second.clock == first.clock


def test_ending_an_unknown_rule_is_refused() -> None:
    later = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + """
[[ends]]
rule = "r_second"
on = 2022-01-01
why = "repealed"
"""
    with pytest.raises(RuleDataError, match=r"r2\.toml: ends\[0\]\.rule: unknown rule "
                                            r"'r_second'"):
        load(("r1.toml", HEADER + RULE), ("r2.toml", later))


def test_ending_a_rule_before_its_period_starts_is_refused() -> None:
    starts_late = RULE.replace('scope = "case"', 'scope = "case"\neffective_from = 2023-01-01')
    later = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + """
[[ends]]
rule = "r_first"
on = 2022-06-01
why = "repealed"
"""
    with pytest.raises(RuleDataError, match=r"r2\.toml: ends\[0\]\.rule: cannot end rule "
                                            r"'r_first' on 2022-06-01: its period starts "
                                            r"2023-01-01"):
        load(("r1.toml", HEADER + starts_late), ("r2.toml", later))


def test_a_regime_cannot_end_a_rule_before_it_starts_itself() -> None:
    later = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + """
[[ends]]
rule = "r_first"
on = 2021-06-01
why = "retroactive"
"""
    with pytest.raises(RuleDataError, match=r"r2\.toml: ends\[0\]\.on: 2021-06-01 is before "
                                            r"the regime starts \(2022-01-01\)"):
        load(("r1.toml", HEADER + RULE), ("r2.toml", later))


def test_two_regimes_may_not_start_on_the_same_day() -> None:
    with pytest.raises(RuleDataError, match=r"r2\.toml: regime\.effective_from: 2020-01-01 is "
                                            r"also the start of r1\.toml"):
        load(("r1.toml", HEADER), ("r2.toml", HEADER.replace('"r1"', '"r2"')))


def test_a_rule_kind_needs_its_data() -> None:
    with pytest.raises(RuleDataError, match=r"rules\[0\]\.clock: missing \(kind deadline needs "
                                            r"a clock\)"):
        load(("r1.toml", HEADER + RULE.split("[rules.clock]")[0] + """
[[rules.sources]]
text = "§ 1"
certainty = "test"
"""))


def test_every_packaged_regime_file_has_a_content_hash() -> None:
    import hashlib

    from ungeforloeb.projections.compliance import load_rules

    rules = load_rules()
    names = [name for name, _ in packaged_files()]
    assert names == ["before_2020.toml", "from_2017.toml", "from_2020.toml", "from_2022.toml",
                     "from_2022_04.toml", "from_2024.toml", "from_2025_07.toml", "from_2026.toml",
                     "from_2026_07.toml"]
    by_file = {r.file: r.sha256 for r in rules.regimes}
    for name, raw in packaged_files():
        assert by_file[name] == hashlib.sha256(raw).hexdigest()


# ------------------------------------------------------------------ one judge: the new keys


@pytest.mark.parametrize(("old", "new", "error"), [
    ('kind = "deadline"', 'kind = "deadlien"',
     r"rules\[0\]\.kind: must be one of deadline, documented, event_flag"),
    ('scope = "case"', 'scope = "case"\nstep = 1',
     r"rules\[0\]\.step: not a key of kind deadline \(its keys: none\)"),
    ('scope = "case"', 'scope = "case"\nperiod_by = "whenever"',
     r"rules\[0\]\.period_by: must be one of applies_by, judged, clock_start"),
    ('scope = "case"', 'scope = "case"\nlapses_by = [{ event = "OrderEnded", where = { x = 1 } }]',
     r"rules\[0\]\.lapses_by\[0\]\.where\.x: OrderEnded has no payload field 'x'"),
    ('scope = "case"', 'scope = "case"\nworklist = { show_while = "sunny" }',
     r"rules\[0\]\.worklist\.show_while: must be one of retention_case_open"),
    ('unit = "weeks"', 'unit = "weeks"\nset_by = "mayor"',
     r"rules\[0\]\.clock\.set_by: must be one of law, municipality, recommendation"),
    ('length = 1\nunit = "weeks"', 'set_by = "municipality"',
     r"rules\[0\]\.clock\.set_by: 'municipality' names who set the clock's length"),
    ('text = "§ 1"', 'text = ""', r"rules\[0\]\.sources\[0\]\.text: must be a non-empty string"),
])
def test_bad_rule_data_is_refused_naming_the_file_the_rule_and_the_key(old: str, new: str,
                                                                     error: str) -> None:
    assert old in RULE
    with pytest.raises(RuleDataError, match=rf"r1\.toml: {error}.*\[rule r_first\]"):
        load(("r1.toml", HEADER + RULE.replace(old, new)))


def test_an_unknown_replacement_is_refused() -> None:
    second = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2021-01-01") + (
        '[[ends]]\nrule = "r_first"\non = 2021-01-01\nwhy = "gone"\nreplaced_by = "r_new"\n')
    with pytest.raises(RuleDataError, match=r"r2\.toml: ends: replaced_by: unknown rule 'r_new'"):
        load(("r1.toml", HEADER + RULE), ("r2.toml", second))


def test_parameters_are_dated_and_a_later_regime_starts_a_new_period() -> None:
    par = ('[[parameters]]\nid = "age_limit"\nvalue = {v}\ndescription = "d"\n'
           '[[parameters.sources]]\ntext = "t"\ncertainty = "c"\n')
    second = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2021-01-01") + \
        par.format(v=25)
    rules = load(("r1.toml", HEADER + par.format(v=30) + RULE), ("r2.toml", second))
    assert rules.parameter("age_limit", date(2020, 12, 31)).value == 30  # type: ignore[attr-defined]
    assert rules.parameter("age_limit", date(2021, 1, 1)).value == 25  # type: ignore[attr-defined]
    assert rules.parameter("age_limit", date(2019, 12, 31)) is None  # type: ignore[attr-defined]
    with pytest.raises(RuleDataError, match=r"r1\.toml: parameters\[0\]\.value: must be an "
                                            r"integer"):
        load(("r1.toml", HEADER + par.format(v='"thirty"') + RULE))


CONDITIONS = """
[[conditions]]
id = "c1"
description = "opens when all hold"
requires = [
  { fact = "open_order", refusal = "no_plan" },
  { fact = "age_below", value = 30, refusal = "too_old" },
]
[[conditions.sources]]
text = "a service description"
certainty = "test"
"""


def test_a_condition_set_loads_and_a_later_regime_starts_a_new_period() -> None:
    later = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2027-01-01") + \
        CONDITIONS.replace("value = 30", "value = 25")
    rs = load_rule_set([("r1.toml", (HEADER + CONDITIONS).encode()),
                        ("r2.toml", later.encode())])
    old = rs.conditions_on("c1", date(2026, 12, 31))
    new = rs.conditions_on("c1", date(2027, 1, 1))
    assert old is not None and new is not None
    assert [c.value for c in old.requires] == [None, 30]
    assert [c.value for c in new.requires] == [None, 25]
    assert old.effective_to == date(2027, 1, 1)
    assert rs.conditions_on("c1", date(2019, 12, 31)) is None


@pytest.mark.parametrize(("change", "error"), [
    (('fact = "open_order"', 'fact = "has_a_bicycle"'),
     r"r1\.toml: conditions\[0\]\.requires\[0\]\.fact: unknown fact 'has_a_bicycle'"),
    ((', value = 30', ''),
     r"r1\.toml: conditions\[0\]\.requires\[1\]\.value: fact 'age_below' needs value"),
    (('refusal = "no_plan"', 'refusal = "no_plan", value = 3'),
     r"conditions\[0\]\.requires\[0\]\.value: fact 'open_order' takes no value"),
    (('refusal = "too_old"', 'refusal = "too_old", colour = "red"'),
     r"conditions\[0\]\.requires\[1\]\.colour: unknown key"),
    (('description = "opens when all hold"\n', ''),
     r"r1\.toml: conditions\[0\]\.description: missing"),
])
def test_a_bad_condition_set_is_refused_naming_the_file_and_key(
        change: tuple[str, str], error: str) -> None:
    with pytest.raises(RuleDataError, match=error):
        load(("r1.toml", HEADER + CONDITIONS.replace(*change)))


def test_an_older_duty_found_later_is_a_closed_period_in_a_new_file() -> None:
    # the 2022 file was written first and declares the rule; a file for the years before
    # declares it up to 2022 (effective_to) without editing the 2022 file
    newer = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + RULE
    older = HEADER + RULE.replace('scope = "case"', 'scope = "case"\neffective_to = 2022-01-01')
    rules = load(("r2.toml", newer), ("r1.toml", older))
    first, second = rules.rules  # type: ignore[attr-defined]
    assert (first.effective_from, first.effective_to) == (date(2020, 1, 1), date(2022, 1, 1))
    assert (second.effective_from, second.effective_to) == (date(2022, 1, 1), None)
    assert rules.continues(first)  # type: ignore[attr-defined]


def test_a_closed_period_that_overlaps_the_newer_file_is_refused() -> None:
    newer = HEADER.replace('"r1"', '"r2"').replace("2020-01-01", "2022-01-01") + RULE
    older = HEADER + RULE.replace('scope = "case"', 'scope = "case"\neffective_to = 2022-01-02')
    with pytest.raises(RuleDataError, match=r"r2\.toml: rules\[0\]\.id: rule 'r_first' overlaps"):
        load(("r2.toml", newer), ("r1.toml", older))


def test_a_period_must_end_after_it_starts() -> None:
    bad = HEADER + RULE.replace('scope = "case"', 'scope = "case"\neffective_to = 2020-01-01')
    with pytest.raises(RuleDataError, match=r"r1\.toml: rules\[0\]\.effective_to: 2020-01-01 is "
                                            r"not after the period's start"):
        load(("r1.toml", bad))
