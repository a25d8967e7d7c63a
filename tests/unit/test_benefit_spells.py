"""Returning to benefit: a new benefit spell for the same young person.

Given the recorded facts, when ``return_to_benefit``, then ``BenefitSpellStarted`` (or a refusal
naming the command, the field and the young person, with nothing written); and the case view and
the judge treat each spell as a case of its own, the earlier spell's verdicts unchanged.
"""

from __future__ import annotations

from datetime import date

from gwt import YOUNG_PERSON, day, fact

from rules_builder import YP, CaseBuilder
from ungeforloeb.casefile import CaseFile
from ungeforloeb.casefile.fold import fold, split_spells
from ungeforloeb.domain import YoungPerson
from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError
from ungeforloeb.domain.values import BenefitEndReason
from ungeforloeb.projections.compliance import evaluate_all, evaluate_case
from ungeforloeb.projections.status import case_status
from ungeforloeb.projections.worklist import worklist
from ungeforloeb.rules.verdict import Status, spell_of, spell_subject

P = YoungPerson
FIRST = fact(P.FirstContactRegistered, occurred_on=day(0), municipality_code="101",
             birth_date=day(0).replace(year=2004))
ENDED = fact(P.BenefitEnded, occurred_on=day(40), reason=BenefitEndReason.STARTED_EDUCATION)
CASE = YOUNG_PERSON.given(FIRST)


# ------------------------------------------------------------------ the command


def test_a_young_person_whose_benefit_ended_returns_in_a_new_spell():
    person = CASE.given(ENDED).when("return_to_benefit", occurred_on=day(41)).then(
        fact(P.BenefitSpellStarted, occurred_on=day(41), spell=2))
    assert (person.spell, person.spell_started_on, person.benefit_ended_on) == (2, day(41), None)


def test_the_third_spell_is_numbered_3():
    CASE.given(ENDED, fact(P.BenefitSpellStarted, occurred_on=day(50), spell=2),
               fact(P.BenefitEnded, occurred_on=day(60), reason=BenefitEndReason.OTHER)).when(
        "return_to_benefit", occurred_on=day(61)).then(
        fact(P.BenefitSpellStarted, occurred_on=day(61), spell=3))


def test_a_second_first_contact_while_the_spell_is_open_is_refused():
    error = CASE.when("return_to_benefit", occurred_on=day(41)).refused(
        InvalidCommandError, match=r"return_to_benefit: field 'occurred_on' must be .*benefit "
                                   r"spell 1 of young person 00000000-.* is open")
    assert isinstance(error, InvalidCommandError) and error.field == "occurred_on"


def test_returning_on_or_before_the_day_the_spell_ended_is_refused():
    for on in (day(39), day(40)):
        CASE.given(ENDED).when("return_to_benefit", occurred_on=on).refused(
            InvalidCommandError, match="after 2024-02-10, the day benefit spell 1 of young "
                                       "person")
    CASE.given(ENDED).when("return_to_benefit", occurred_on=day(41)).then(
        fact(P.BenefitSpellStarted, occurred_on=day(41), spell=2))


def test_the_new_spell_has_a_first_conversation_of_its_own_but_not_before_its_start():
    returned = CASE.given(ENDED, fact(P.FirstConversationHeld, occurred_on=day(3)),
                          fact(P.BenefitSpellStarted, occurred_on=day(50), spell=2))
    returned.when("hold_first_conversation", occurred_on=day(52)).then(
        fact(P.FirstConversationHeld, occurred_on=day(52)))
    returned.when("hold_first_conversation", occurred_on=day(49)).refused(
        EventOutOfOrderError, match="hold_first_conversation on 2024-02-19 before "
                                    "BenefitSpellStarted on 2024-02-20")


def test_benefit_ends_again_only_in_the_new_spell():
    returned = CASE.given(ENDED, fact(P.BenefitSpellStarted, occurred_on=day(50), spell=2))
    returned.when("end_benefit", occurred_on=day(49), reason=BenefitEndReason.OTHER).refused(
        EventOutOfOrderError, match="end_benefit on 2024-02-19 before BenefitSpellStarted")
    returned.when("end_benefit", occurred_on=day(90), reason=BenefitEndReason.OTHER).then(
        fact(P.BenefitEnded, occurred_on=day(90), reason=BenefitEndReason.OTHER))


# ------------------------------------------------------------------ the case view

MONDAY = date(2024, 3, 4)


def two_spells(*, with_second: bool = True) -> CaseBuilder:
    """Spell 1 from 4 Mar 2024 (first conversation late, an order), ended 3 May; spell 2 from
    3 Jun 2024 (first conversation in time, an order of its own)."""
    case = CaseBuilder(MONDAY)
    case.event("FirstConversationHeld", date(2024, 3, 20))  # cp01: missed (1 week)
    case.visitate(date(2024, 3, 20), "UP")
    case.event("CaseworkerAssigned", date(2024, 3, 4), caseworker_id="cw-1", team_id="team-a")
    case.order(date(2024, 3, 25))
    case.event("OfferStarted", date(2024, 4, 1), offer_id="o-1", kind="company_internship",
               individually_assessed=True, purpose_stated=True)
    case.event("BenefitEnded", date(2024, 5, 3), reason="started_education")
    case.event("OfferEnded", date(2024, 6, 12), offer_id="o-1")  # the spell-1 offer's end
    if with_second:
        case.event("BenefitSpellStarted", date(2024, 6, 3), spell=2)
        case.event("FirstConversationHeld", date(2024, 6, 5))  # cp01: met
        case.visitate(date(2024, 6, 5), "AP")
        case.order(date(2024, 6, 10))
    return case


def test_the_records_split_into_spells_by_day_and_an_order_goes_whole_with_its_issue():
    case = two_spells()
    parts = split_spells(case.records)
    assert [len(p) for p in parts] == [8, 4]
    assert parts[1][0].type == "BenefitSpellStarted"
    assert {r.type for r in parts[0]} >= {"OrderIssued", "BenefitEnded", "OfferStarted",
                                         "OfferEnded"}  # an offer's end goes with its start


def test_the_fold_returns_the_latest_spell_with_the_earlier_ones():
    facts = fold(YP, two_spells().records)
    assert facts.spell == 2 and [f.spell for f in facts.spells] == [1, 2]
    assert facts.first_contact_on == date(2024, 6, 3)
    assert facts.birth_date == facts.earlier[0].birth_date == date(2000, 5, 17)
    assert facts.current_group == "AP" and facts.earlier[0].current_group == "UP"
    assert facts.current_caseworker == ("cw-1", "team-a")  # stays until one is assigned
    assert facts.benefit_ended is None and len(facts.orders) == 1
    assert facts.orphans == [] and facts.earlier[0].orphans == []


def test_each_spell_is_judged_from_its_own_first_contact():
    verdicts = evaluate_case(two_spells().case_file(), date(2024, 7, 1))
    cp01 = {v.subject: v for v in verdicts if v.rule_id == "cp01_first_conversation"}
    assert cp01[""].status is Status.MISSED
    assert cp01["spell:2"].status is Status.MET
    assert cp01["spell:2"].clock_start is not None
    assert cp01["spell:2"].clock_start.type == "BenefitSpellStarted"
    assert cp01["spell:2"].due_on == date(2024, 6, 10)
    assert cp01["spell:2"].spell == 2 and cp01["spell:2"].about == ""
    assert "BenefitSpellStarted" in cp01["spell:2"].explanation


def test_the_earlier_spells_verdicts_do_not_change_when_a_new_spell_starts():
    """The same history with and without the second spell (its start and what happened in
    it): the first spell's verdicts are the same, bit for bit, on days in either spell."""
    for as_of in (date(2024, 6, 20), date(2024, 9, 1), date(2025, 3, 1)):
        before = evaluate_case(two_spells(with_second=False).case_file(), as_of)
        after = [v for v in evaluate_case(two_spells().case_file(), as_of) if v.spell == 1]
        assert [v.to_dict() for v in after] == [v.to_dict() for v in before]


def test_each_spell_counts_in_the_denominators():
    report = evaluate_all([two_spells().case_file()], date(2024, 7, 1))
    (row,) = [r for r in report.rows() if r.rule_id == "cp01_first_conversation"]
    assert (row.met, row.missed, row.denominator) == (1, 1, 2)


def test_an_order_per_spell_is_judged_in_its_spell():
    verdicts = evaluate_case(two_spells().case_file(), date(2024, 7, 1))
    orders = [spell_of(v.subject) for v in verdicts
              if v.rule_id == "order_step1_deadline" and "order:" in v.subject]
    assert sorted(n for n, _ in orders) == [1, 2]


def test_the_status_shows_the_current_spell_and_every_order():
    status = case_status(CaseFile(YP, two_spells().records).facts())
    assert (status.spell, status.spell_started_on, status.first_contact_on) == (
        2, date(2024, 6, 3), MONDAY)
    assert status.benefit_ended_on is None and len(status.orders) == 2
    assert status.open_offers == ()


def test_a_work_item_of_a_later_spell_says_so():
    case = two_spells()
    case.records = [r for r in case.records if r.type != "FirstConversationHeld"
                    or r.occurred_on < date(2024, 6, 1)]
    items = worklist([case.case_file()], date(2024, 6, 20))
    titles = [i.title for i in items if i.rule_id == "cp01_first_conversation"]
    assert titles == ["CP 1: First conversation held within 1 week of first contact (spell 2), "
                      "due 2024-06-10"]


def test_a_spells_subject_reads_back():
    for spell, key in ((1, ""), (1, "admission:a"), (2, ""), (3, "order:x")):
        assert spell_of(spell_subject(spell, key)) == (spell, key)


def test_the_fold_day_by_day_gives_each_days_spell_as_the_fold_does():
    from ungeforloeb.casefile.fold import fold_days

    records = two_spells().records
    for on, facts in fold_days(YP, records):
        whole = fold(YP, [r for r in records if r.occurred_on <= on])
        assert (facts.spell, facts.first_contact, facts.benefit_ended, len(facts.earlier)) == (
            whole.spell, whole.first_contact, whole.benefit_ended, len(whole.earlier))
