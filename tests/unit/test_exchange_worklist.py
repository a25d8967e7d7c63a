"""The exchange's worklist items: data quality (not law), and — as views of the verdicts of the
rule data — missing receipts and retention deadlines."""

from __future__ import annotations

from datetime import date

from exchange_support import OTHER_INSTITUTION, new_world
from ungeforloeb.domain.exchange_values import EntryMode
from ungeforloeb.domain.values import ContactChannel, MentorPurpose
from ungeforloeb.projections.data_quality import data_quality, data_quality_source
from ungeforloeb.projections.reminders import reminders
from ungeforloeb.projections.sources import default_sources
from ungeforloeb.projections.worklist import verdict_items, verdict_source, worklist
from ungeforloeb.rules.loader import load_rule_set, packaged_files
from ungeforloeb.rules.model import RuleSet

RECEIPT = "x22_receipt_received"
RETENTION = ("x22_risk_reaction", "kui_contact_15_17", "x22_retention_initiative",
             "mentor_right_window")


def receipts(facts, on):  # type: ignore[no-untyped-def]
    return [i for i in verdict_items(facts, on) if i.rule_id == RECEIPT]


def retention_items(facts, on):  # type: ignore[no-untyped-def]
    return [i for i in verdict_items(facts, on) if i.rule_id in RETENTION]


def with_data(old: str, new: str) -> RuleSet:
    """The packaged rule data with one text of the 2022 file replaced (a municipality's or a
    new regime's reading, as data)."""
    files = []
    for name, raw in packaged_files():
        text = raw.decode("utf-8")
        if name == "from_2022.toml":
            assert text.count(old) == 1
            text = text.replace(old, new)
        files.append((name, text.encode("utf-8")))
    return load_rule_set(files)


def rules(items: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(i.rule_id for i in items)


def test_the_worklist_is_the_verdicts_plus_sources_that_are_not_law() -> None:
    names = [getattr(s, "__name__", "") for s in default_sources()]
    assert names == ["verdict_items", "data_quality", "reminders"]


# ------------------------------------------------------------------------ data quality


def test_a_completion_with_no_admission_is_a_data_quality_item_naming_the_report() -> None:
    w = new_world()
    w.receive(w.completion("h-9", date(2024, 6, 1)))
    (item,) = w.items(data_quality)
    assert item.kind == "data_quality" and item.rule_id == "exchange.dq.no_admission"
    assert "h-9" in item.title and item.cause
    assert item.team_id == "ungeteam"


def test_the_item_goes_away_when_the_admission_arrives_and_nothing_was_corrected() -> None:
    w = new_world()
    w.receive(w.completion("h-9", date(2024, 6, 1)))
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)))
    assert "exchange.dq.no_admission" not in rules(w.items(data_quality))
    assert w.reports() == ["h-1", "h-9"]


def test_an_interruption_with_no_admission_is_flagged() -> None:
    w = new_world()
    w.receive(w.interruption("h-9", date(2024, 6, 1)))
    assert rules(w.items(data_quality)) == ["exchange.dq.no_admission"]


def test_a_risk_message_with_no_active_enrolment_is_flagged() -> None:
    w = new_world()
    w.receive(w.risk("h-5", date(2024, 6, 1)))
    assert rules(w.items(data_quality)) == ["exchange.dq.risk_without_enrolment"]


def test_a_risk_message_after_the_interruption_is_flagged() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)))
    w.start("h-1", date(2024, 4, 1))
    w.receive(w.interruption("h-2", date(2024, 6, 1)), w.risk("h-3", date(2024, 6, 10)))
    assert "exchange.dq.risk_without_enrolment" in rules(w.items(data_quality))


def test_overlapping_enrolments_from_different_reporters_are_flagged() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)),
              w.admission("x-1", date(2024, 3, 5), date(2024, 5, 1),
                          institution=OTHER_INSTITUTION, system="ludus"))
    (item,) = [i for i in w.items(data_quality)
               if i.rule_id == "exchange.dq.overlapping_enrolments"]
    assert "h-1" in item.title and "x-1" in item.title and len(item.cause) == 2


def test_a_status_contradicting_an_earlier_one_is_flagged() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)))
    w.start("h-1", date(2024, 4, 1))
    w.receive(w.completion("h-2", date(2024, 9, 1)), w.interruption("h-3", date(2024, 9, 15)))
    (item,) = [i for i in w.items(data_quality)
               if i.rule_id == "exchange.dq.contradicting_status"]
    assert "h-2" in item.title and "h-3" in item.title


def test_a_report_received_long_after_it_happened_is_flagged_by_a_configurable_limit() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1),
                          received=date(2024, 3, 20)))
    assert "exchange.dq.late" in rules(w.items(data_quality))
    assert "exchange.dq.late" not in rules(w.items(data_quality_source(late_days=30)))


def test_a_school_municipality_other_than_home_is_flagged() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1), school="461"))
    assert rules(w.items(data_quality)) == ["exchange.dq.qualifying_unknown",
                                            "exchange.dq.school_municipality"]


def test_an_admission_message_lacks_the_qualifying_flag_and_is_flagged_not_guessed() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)))
    (item,) = [i for i in w.items(data_quality)
               if i.rule_id == "exchange.dq.qualifying_unknown"]
    assert "h-1" in item.title and "studie- eller erhvervskompetencegivende" in item.title
    assert len(item.cause) == 1  # the admission recorded: the case's caseworker settles it
    assert (item.caseworker_id, item.team_id) == (None, None)  # the worklist gives the case's
    [admitted] = [r for r in w.app.case_file(w.yp).records if r.type == "Admitted"]
    assert admitted.payload["qualifying"] is None


def test_an_admission_with_no_open_order_is_flagged_as_not_applied() -> None:
    w = new_world()
    w.app.end_order(w.order, occurred_on=date(2024, 2, 1), recorded_by="cw-1",
                    reason=__import__("ungeforloeb.domain.values",
                                      fromlist=["_"]).OrderEndReason.OTHER)
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)))
    assert rules(w.items(data_quality)) == ["exchange.dq.not_applied"]


# ------------------------------------------------------------------------ routing


def test_a_report_reaches_the_designated_recipient_after_a_change_of_caseworker() -> None:
    w = new_world()
    w.receive(w.completion("h-9", date(2024, 6, 1)))
    w.app.assign_caseworker(w.yp, occurred_on=date(2024, 6, 3), recorded_by="cw-2",
                            caseworker_id="cw-2", team_id="team-2")
    items = worklist([w.app.case_file(w.yp)], date(2024, 12, 31), team="ungeteam",
                     sources=[data_quality])
    assert [i.rule_id for i in items] == ["exchange.dq.no_admission"]


def test_without_a_designation_a_report_goes_to_the_cases_team_when_it_arrived() -> None:
    w = new_world(designate=False)
    w.receive(w.completion("h-9", date(2024, 6, 1)))
    (item,) = w.items(data_quality)
    assert item.team_id == "team-1"


def _sent(w: object) -> str:
    from test_exchange_receiving import send

    return send(w)


def test_no_receipt_after_five_working_days_is_a_receipt_item() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    message_id = _sent(w)  # sent Tuesday 5 March 2024
    assert w.items(receipts, date(2024, 3, 11)) == []
    (item,) = w.items(receipts, date(2024, 3, 12))
    assert item.kind == "receipt" and message_id in item.title
    assert item.due_on == date(2024, 3, 12) and not item.overdue
    assert "not law" in (item.legal_source or "") or "Recommended" in (item.legal_source or "")
    assert w.items(receipts, date(2024, 3, 13))[0].overdue
    # the number of working days is data (a municipality's own regime file)
    ten = with_data('length = 5\nunit = "working_days"\nset_by = "recommendation"',
                    'length = 10\nunit = "working_days"\nset_by = "recommendation"')
    assert [i for i in w.items(verdict_source(ten), date(2024, 3, 13))
            if i.rule_id == RECEIPT] == []


def test_a_receipt_or_the_institutions_contact_clears_the_receipt_item() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    message_id = _sent(w)
    w.receive(w.receipt("h-2", date(2024, 3, 20), message_id))
    assert w.items(receipts) == []
    v = new_world()
    v.receive(v.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    _sent(v)
    v.receive(v.contact("h-2", date(2024, 3, 20)))
    assert v.items(receipts) == []


# ------------------------------------------------------------------------ retention


def _at_risk(w: object, risk_on: date, *, start: date = date(2024, 8, 12)) -> None:
    from exchange_support import World

    assert isinstance(w, World)
    w.receive(w.admission("h-1", date(2024, 3, 1), start))
    w.start("h-1", start)
    w.receive(w.risk("h-2", risk_on, received=risk_on))


def test_a_risk_message_within_six_months_of_start_gives_a_contact_deadline() -> None:
    w = new_world()
    _at_risk(w, date(2024, 9, 2))  # a Monday
    items = [i for i in w.items(retention_items, date(2024, 9, 3))
             if i.rule_id == "x22_risk_reaction"]
    (item,) = items
    assert item.kind == "retention" and "contacted" in item.title
    assert item.legal_source is not None and "§ 30" in item.legal_source
    assert item.due_on == date(2024, 9, 9)
    (initiative,) = [i for i in w.items(retention_items, date(2024, 9, 3))
                     if i.rule_id == "x22_retention_initiative"]
    assert initiative.due_on == date(2024, 9, 16)  # the municipality's target: 10 working days


def test_contact_and_an_initiative_with_the_institution_clear_the_deadlines() -> None:
    w = new_world()
    _at_risk(w, date(2024, 9, 2))
    (case_id,) = w.facts().retention_cases
    from uuid import UUID

    from ungeforloeb.domain.values import RetentionInitiative

    w.app.contact_young_person(UUID(case_id), occurred_on=date(2024, 9, 4), recorded_by="cw-1",
                               channel=ContactChannel.PHONE)
    w.app.decide_retention_initiative(UUID(case_id), occurred_on=date(2024, 9, 6),
                                      recorded_by="cw-1",
                                      initiative=RetentionInitiative.SUPPORT_MEETING,
                                      with_institution=True)
    assert [i for i in w.items(retention_items, date(2024, 9, 10))
            if i.rule_id != "mentor_right_window"] == []


def test_a_risk_message_more_than_six_months_after_start_has_no_reaction_deadline() -> None:
    w = new_world()
    _at_risk(w, date(2024, 11, 4), start=date(2024, 4, 1))
    assert [i for i in w.items(retention_items, date(2024, 11, 5))
            if i.rule_id in ("x22_risk_reaction", "x22_retention_initiative")] == []


def test_a_17_year_old_must_be_contacted_within_5_working_days_whenever_the_risk_arises() -> None:
    w = new_world(birth_date=date(2007, 1, 1))
    _at_risk(w, date(2024, 11, 4), start=date(2024, 4, 1))
    (item,) = [i for i in w.items(retention_items, date(2024, 11, 5))
               if i.rule_id == "kui_contact_15_17"]
    assert item.due_on == date(2024, 11, 11)


def test_the_mentor_window_runs_from_admission_or_from_start_as_the_data_says() -> None:
    w = new_world()
    _at_risk(w, date(2024, 9, 2))
    # by the statute: admitted 1 March 2024, so the right ran until 1 September 2024 (and an
    # unused right is not work: nothing shows once the window has passed)
    assert [i for i in w.items(retention_items, date(2024, 9, 3))
            if i.rule_id == "mentor_right_window"] == []
    # by the guidance: from the start on 12 August 2024 — a regime file's clock start
    guidance = with_data('start = { event = "Admitted" }\nlength = 6\nunit = "months"',
                         'start = { event = "EducationStarted" }\nlength = 6\nunit = "months"')
    assert [i.due_on for i in w.items(verdict_source(guidance), date(2024, 9, 3))
            if i.rule_id == "mentor_right_window"] == [date(2025, 2, 12)]


def test_the_mentor_window_shows_only_while_a_retention_case_is_open() -> None:
    guidance = with_data('start = { event = "Admitted" }\nlength = 6\nunit = "months"',
                         'start = { event = "EducationStarted" }\nlength = 6\nunit = "months"')
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.start("h-1", date(2024, 8, 12))
    assert [i for i in w.items(verdict_source(guidance), date(2024, 9, 3))
            if i.rule_id == "mentor_right_window"] == []
    w.receive(w.risk("h-2", date(2024, 9, 2), received=date(2024, 9, 2)))
    assert [i.rule_id for i in w.items(verdict_source(guidance), date(2024, 9, 3))
            if i.rule_id == "mentor_right_window"] == ["mentor_right_window"]


def test_a_transition_mentor_ending_soon_is_a_reminder_to_extend_not_law() -> None:
    w = new_world()
    _at_risk(w, date(2024, 9, 2))
    w.app.grant_mentor(w.yp, occurred_on=date(2024, 9, 5), recorded_by="cw-1",
                       purpose=MentorPurpose.TRANSITION, until=date(2024, 12, 20))
    (item,) = w.items(reminders, date(2024, 12, 10))
    assert item.due_on == date(2024, 12, 20) and item.kind == "reminder"
    assert item.legal_source is not None and item.legal_source.startswith("not law")


def test_closing_the_retention_case_ends_its_open_duties() -> None:
    w = new_world()
    _at_risk(w, date(2024, 9, 2))
    (case_id,) = w.facts().retention_cases
    from uuid import UUID

    from ungeforloeb.domain.values import RetentionOutcome

    w.app.close_retention_case(UUID(case_id), occurred_on=date(2024, 9, 4), recorded_by="cw-1",
                               outcome=next(iter(RetentionOutcome)))
    assert w.items(retention_items, date(2024, 9, 20)) == []


def test_an_admission_reported_again_while_enrolled_contradicts_the_earlier_one() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)),
              w.admission("h-7", date(2024, 5, 2), date(2024, 4, 1), entry=EntryMode.MANUAL))
    (item,) = [i for i in w.items(data_quality)
               if i.rule_id == "exchange.dq.contradicting_status"]
    assert "h-1" in item.title and "h-7" in item.title and "admitted again" in item.title


def test_designations_load_strictly_from_a_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ungeforloeb.exchange.routing import RoutingError, load_routing

    good = tmp_path / "routing.toml"
    good.write_text('[municipalities.101]\nkind = "person"\nrecipient_id = "cw-9"\n')
    w = new_world(designate=False)
    w.app.use_routing(load_routing(good))
    w.receive(w.completion("h-9", date(2024, 6, 1)))
    (item,) = w.items(data_quality)
    assert item.caseworker_id == "cw-9"
    bad = tmp_path / "bad.toml"
    bad.write_text('[municipalities.101]\nkind = "postkasse"\nrecipient_id = "post"\n')
    import pytest

    with pytest.raises(RoutingError, match=r"bad.toml: municipalities.101"):
        load_routing(bad)


# ------------------------------------------------------------------------ across spells


def _returned(w: object, ended: date, returned: date) -> None:
    from ungeforloeb.domain.values import BenefitEndReason

    w.app.end_benefit(w.yp, occurred_on=ended, recorded_by="cw-1",  # type: ignore[attr-defined]
                      reason=BenefitEndReason.OTHER)
    w.app.return_to_benefit(w.yp, occurred_on=returned,  # type: ignore[attr-defined]
                            recorded_by="cw-1")


def test_an_earlier_spells_data_quality_item_stays_after_the_young_person_returns() -> None:
    # given a completion with no admission in the first spell, benefit ended and a new spell
    w = new_world()
    w.receive(w.completion("h-9", date(2024, 6, 1)))
    _returned(w, date(2024, 7, 1), date(2024, 9, 2))
    # when the worklist is read in the second spell, then the first spell's finding is there
    assert len(w.facts().spells) == 2
    (item,) = w.items(data_quality)
    assert item.rule_id == "exchange.dq.no_admission" and "h-9" in item.title


def test_an_earlier_spells_mentor_support_still_reminds_before_it_ends() -> None:
    w = new_world()
    w.app.grant_mentor(w.yp, occurred_on=date(2024, 6, 3), recorded_by="cw-1",
                       purpose=MentorPurpose.TRANSITION, until=date(2024, 10, 1))
    _returned(w, date(2024, 7, 1), date(2024, 9, 2))
    (item,) = w.items(reminders, date(2024, 9, 20))
    assert item.due_on == date(2024, 10, 1)
    assert w.items(reminders, date(2024, 9, 10)) == []
