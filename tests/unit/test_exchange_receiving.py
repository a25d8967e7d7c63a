"""Receiving the institutions' messages: given a case, when a report arrives, then…"""

from __future__ import annotations

from datetime import date

import pytest

from exchange_support import CASEWORKER, CONTACT, EDUCATION, INSTITUTION, TODAY, new_world
from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError
from ungeforloeb.domain.exchange_values import (
    EntryMode,
    FurtherInformationChannel,
    SubscriptionRefusal,
)
from ungeforloeb.domain.values import BenefitEndReason, ContactKind
from ungeforloeb.projections.data_quality import data_quality


def test_an_admission_is_recorded_with_provenance_and_applied_to_the_open_order() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    facts = w.facts()
    (report,) = facts.other["InstitutionReportReceived"]
    assert report.payload.items() >= {"report_id": "h-1", "kind": "optagelse",
                                   "institution_id": INSTITUTION, "system_id": "easy-a",
                                   "entry": "automatic", "received_on": "2024-03-02",
                                   "recipient_kind": "team", "recipient_id": "ungeteam"}.items()
    assert report.occurred_on == date(2024, 3, 1)
    (adm,) = facts.admissions
    assert (adm.admission_id, adm.institution_id, adm.education_code) == ("h-1", INSTITUTION,
                                                                          EDUCATION)


def test_the_same_report_id_twice_changes_nothing() -> None:
    w = new_world()
    message = w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12))
    w.receive(message)
    before = len(w.app.case_file(w.yp).records)
    result = w.app.receive_institution_message(message)
    assert result.duplicate and result.applied == ()
    assert len(w.app.case_file(w.yp).records) == before


def test_a_resend_received_on_another_day_but_saying_the_same_changes_nothing() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    before = len(w.app.case_file(w.yp).records)
    resend = w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12),
                         received=date(2024, 3, 5), entry=EntryMode.MANUAL)
    assert w.app.receive_institution_message(resend).duplicate
    assert len(w.app.case_file(w.yp).records) == before


def test_a_resend_saying_something_else_is_kept_and_flagged_never_applied() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    changed = w.admission("h-1", date(2024, 3, 1), date(2024, 9, 1), received=date(2024, 3, 4))
    assert w.app.receive_institution_message(changed).duplicate
    assert w.app.receive_institution_message(changed).duplicate  # recorded once
    facts = w.facts()
    (conflict,) = facts.other["InstitutionReportConflicting"]
    assert conflict.payload["differs_in"] == ["starts_on"]
    (admission,) = facts.admissions
    assert admission.starts_on == date(2024, 8, 12)  # the first report stands
    items = [i for i in data_quality(facts, TODAY)
             if i.rule_id == "exchange.dq.conflicting_resend"]
    assert len(items) == 1 and "h-1" in items[0].title and "starts_on" in items[0].title
    assert set(items[0].cause) == {facts.other["InstitutionReportReceived"][0].seq,
                                   conflict.seq}


def test_a_duplicate_retries_reports_still_pending() -> None:
    w = new_world()
    admission = w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12))
    w.receive(w.completion("h-9", date(2024, 12, 20)), admission)
    # The start is recorded on the order itself, as if the process stopped before the
    # exchange could retry: the completion stays pending …
    order = w.app.repository.get(w.order)
    order.start_education(occurred_on=date(2024, 8, 12), recorded_by=CASEWORKER,
                          recorded_at=w.clock(), admission_id="h-1")
    w.app.save(order)
    assert w.app.repository.get(w.yp).pending_reports == {"h-9"}
    # … until any resend arrives: it changes nothing itself, but retries what is pending.
    result = w.app.receive_institution_message(admission)
    assert result.duplicate and result.applied == ("h-9",) and result.pending == ()
    assert w.facts().admissions[0].completed is not None


def test_a_completion_before_its_admission_waits_and_is_applied_when_the_start_is_recorded(
) -> None:
    w = new_world()
    w.receive(w.completion("h-9", date(2024, 12, 20)))
    assert w.app.receive_institution_message(
        w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12))).pending == ("h-9",)
    w.start("h-1", date(2024, 8, 12))
    assert w.facts().admissions[0].completed is not None
    assert w.app.apply_pending_reports(w.yp) == ()


def test_an_interruption_maps_its_reason_code_through_the_code_list() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.start("h-1", date(2024, 8, 12))
    w.receive(w.interruption("h-2", date(2024, 10, 1)))
    interrupted = w.facts().admissions[0].interrupted
    assert interrupted is not None and interrupted.payload["reason"] == "dropout"


def test_a_risk_message_opens_a_retention_case_and_a_second_one_updates_it() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.receive(w.risk("h-2", date(2024, 9, 2)), w.risk("h-3", date(2024, 9, 20)))
    facts = w.facts()
    (case,) = facts.retention_cases.values()
    assert case.rec.payload["admission_id"] == "h-1"
    assert [r.payload["report_id"] for r in facts.other["RiskOfDropoutReportedAgain"]] == ["h-3"]


def test_the_institutions_contact_is_recorded_as_contact_exchanged() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)),
              w.contact("h-2", date(2024, 3, 10)))
    (contact,) = w.facts().admissions[0].extra["ContactExchanged"]
    assert contact.payload.items() >= {"contact_kind": "person", "contact_id": "vejleder-7",
                                    "message_id": "h-2", "institution_id": INSTITUTION}.items()


def send(w: object) -> str:
    from exchange_support import World

    assert isinstance(w, World)
    w.app.assess_duty_to_start(w.order, occurred_on=date(2024, 3, 4), recorded_by="cw-1",
                               admission_id="h-1", ordered_to_start_and_complete=True)
    dispatch = w.app.assess_support_and_notify(
        w.order, occurred_on=date(2024, 3, 5), recorded_by="cw-1", admission_id="h-1",
        academic_support=True, social_support=False, needs_documented=False,
        no_support_need=False, other_support_persons=False, wants_institution_contact=True,
        contact=CONTACT)
    assert dispatch is not None
    return dispatch.message.message_id


def test_assessing_a_support_need_sends_the_message_and_the_letter_addressed_by_cpr() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    message_id = send(w)
    extra = w.facts().admissions[0].extra
    assert [r.type for r in extra["SupportAssessed"]] == ["SupportAssessed"]
    assert extra["InstitutionNotified"][0].payload["message_id"] == message_id
    assert extra["JobnetLetterSent"][0].payload["message_id"] == message_id
    for recs in extra.values():
        for r in recs:
            assert "0105031234" not in str(r.payload)


def test_the_letter_cites_the_notification_rules_source_for_citizens() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.app.assess_duty_to_start(w.order, occurred_on=date(2024, 3, 4), recorded_by="cw-1",
                               admission_id="h-1", ordered_to_start_and_complete=True)
    dispatch = w.app.assess_support_and_notify(
        w.order, occurred_on=date(2024, 3, 5), recorded_by="cw-1", admission_id="h-1",
        academic_support=True, social_support=False, needs_documented=False,
        no_support_need=False, other_support_persons=False, wants_institution_contact=True,
        contact=CONTACT)
    assert dispatch is not None
    from ungeforloeb.rules.loader import default_rules

    rule = default_rules().period_on("x22_institution_notified", date(2024, 3, 5))
    assert rule is not None
    (citation,) = [s.citizen for s in rule.sources if s.citizen]
    assert f"sendt efter {citation}." in dispatch.letter.text


def test_no_support_need_records_the_assessment_without_notifying() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    sent = w.app.assess_support_and_notify(
        w.order, occurred_on=date(2024, 3, 5), recorded_by="cw-1", admission_id="h-1",
        academic_support=False, social_support=False, needs_documented=False,
        no_support_need=True, other_support_persons=False, wants_institution_contact=False,
        contact=CONTACT)
    assert sent is None
    assert "InstitutionNotified" not in w.facts().admissions[0].extra


def test_ordered_to_start_with_no_support_need_the_institution_is_still_notified() -> None:
    """Given an admission and the duty to start assessed as ordered, when the support is
    assessed with no need, then DataTilInstitution goes (saying there is no need), and the
    notification rule is met by it."""
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.app.assess_duty_to_start(w.order, occurred_on=date(2024, 3, 4), recorded_by="cw-1",
                               admission_id="h-1", ordered_to_start_and_complete=True)
    sent = w.app.assess_support_and_notify(
        w.order, occurred_on=date(2024, 3, 5), recorded_by="cw-1", admission_id="h-1",
        academic_support=False, social_support=False, needs_documented=False,
        no_support_need=True, other_support_persons=False, wants_institution_contact=False,
        contact=CONTACT)
    assert sent is not None and sent.message.no_support_need
    assert sent.message.ordered_to_start_and_complete
    from ungeforloeb.projections.compliance import evaluate_case

    (v,) = [v for v in evaluate_case(w.app.case_file(w.yp), date(2024, 9, 1))
            if v.rule_id == "x22_institution_notified"]
    assert v.status.value == "met"


def test_the_message_is_not_sent_before_the_duty_to_start_is_assessed() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.app.assess_support(w.order, occurred_on=date(2024, 3, 5), recorded_by="cw-1",
                         admission_id="h-1", academic_support=True, social_support=False,
                         needs_documented=False, no_support_need=False,
                         other_support_persons=False, wants_institution_contact=False,
                         contact_kind=ContactKind.PERSON, contact_id="cw-1")
    with pytest.raises(EventOutOfOrderError, match="before DutyToStartAssessed"):
        w.app.send_data_til_institution(w.order, occurred_on=date(2024, 3, 5),
                                        recorded_by="cw-1", admission_id="h-1",
                                        contact=CONTACT)


def test_the_notification_is_sent_only_where_the_rule_data_says_so() -> None:
    """Given an admission assessed with a support need, when the notification rule's judge
    finds the duty open, the message goes; on a day no period of the rule is in force, the send
    is refused naming the field, and nothing is written."""
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    assert w.app.notification_due(w.order, "h-1", date(2024, 3, 5)) is False  # no assessment
    send(w)
    assert w.app.notification_due(w.order, "h-1", date(2024, 3, 5)) is False  # met
    before = len(list(w.app.records()))
    with pytest.raises(InvalidCommandError, match=r"occurred_on.*x22_institution_notified"):
        w.app.send_data_til_institution(w.order, occurred_on=date(2021, 12, 31),
                                        recorded_by="cw-1", admission_id="h-1",
                                        contact=CONTACT)
    assert len(list(w.app.records())) == before


def test_a_receipt_is_recorded_against_the_outbound_message() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    message_id = send(w)
    w.receive(w.receipt("h-2", date(2024, 3, 7), message_id))
    (receipt,) = w.facts().other["ReceiptReceived"]
    assert receipt.payload.items() >= {"in_reply_to": message_id, "responsible_kind": "team",
                                    "responsible_id": "sps-team"}.items()


def test_further_information_is_recorded_only_as_channel_and_date() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.app.record_further_information(w.order, occurred_on=date(2024, 3, 6), recorded_by="cw-1",
                                     admission_id="h-1",
                                     channel=FurtherInformationChannel.SECURE_MAIL)
    (rec,) = w.facts().admissions[0].extra["FurtherInformationSent"]
    assert rec.payload == {"admission_id": "h-1", "channel": "secure_mail"}
    assert rec.occurred_on == date(2024, 3, 6)


# ------------------------------------------------------------------------ subscription


def test_the_subscription_opens_and_stays_open_after_benefit_ends() -> None:
    w = new_world()
    assert w.app.open_subscription(w.yp, occurred_on=date(2024, 1, 10), recorded_by="cw-1")
    w.app.end_benefit(w.yp, occurred_on=date(2024, 8, 12), recorded_by="cw-1",
                      reason=BenefitEndReason.STARTED_EDUCATION)
    assert w.app._person(w.yp, "test").subscription_open
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)),
              w.risk("h-2", date(2024, 9, 2)))
    assert len(w.facts().retention_cases) == 1
    w.app.close_subscription(w.yp, occurred_on=date(2024, 12, 1), recorded_by="cw-1")
    assert not w.app._person(w.yp, "test").subscription_open


def test_the_subscription_is_refused_at_30_with_the_reason() -> None:
    w = new_world(birth_date=date(1994, 1, 1))
    assert not w.app.open_subscription(w.yp, occurred_on=date(2024, 1, 10), recorded_by="cw-1")
    (refused,) = w.facts().other["SubscriptionRefused"]
    assert refused.payload["reason"] == SubscriptionRefusal.AGE_30_OR_OVER.value


def test_the_subscription_is_refused_without_an_active_contact_group() -> None:
    w = new_world()
    w.app.end_benefit(w.yp, occurred_on=date(2024, 2, 1), recorded_by="cw-1",
                      reason=BenefitEndReason.STARTED_WORK)
    assert not w.app.open_subscription(w.yp, occurred_on=date(2024, 2, 2), recorded_by="cw-1")
    assert w.facts().other["SubscriptionRefused"][0].payload["reason"] == \
        "no_active_contact_group"


def test_the_subscription_is_refused_without_an_education_plan() -> None:
    w = new_world()
    w.app.end_order(w.order, occurred_on=date(2024, 2, 1), recorded_by="cw-1",
                    reason=__import__("ungeforloeb.domain.values",
                                      fromlist=["_"]).OrderEndReason.OTHER)
    assert not w.app.open_subscription(w.yp, occurred_on=date(2024, 2, 2), recorded_by="cw-1")
    assert w.facts().other["SubscriptionRefused"][0].payload["reason"] == "no_education_plan"


def test_closing_a_subscription_that_is_not_open_is_refused() -> None:
    w = new_world()
    with pytest.raises(EventOutOfOrderError, match="SubscriptionClosed before"):
        w.app.close_subscription(w.yp, occurred_on=date(2024, 2, 2), recorded_by="cw-1")


def test_a_message_for_a_young_person_without_identity_record_is_not_sent() -> None:
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)))
    w.app.identities.erase(w.yp)
    with pytest.raises(InvalidCommandError, match="identity record"):
        send(w)


@pytest.mark.parametrize(("day", "opened"), [(date(2033, 4, 30), True),
                                             (date(2033, 5, 1), False)])
def test_the_subscription_age_condition_on_both_sides_of_the_30th_birthday(
        day: date, opened: bool) -> None:
    w = new_world(birth_date=date(2003, 5, 1))
    w.clock.set(day)
    assert w.app.open_subscription(w.yp, occurred_on=day, recorded_by="cw-1") is opened
    if not opened:
        (refused,) = w.facts(day).other["SubscriptionRefused"]
        assert refused.payload == {"reason": "age_30_or_over", "rule_id": "udb_subscription"}


def test_the_subscription_reads_the_group_of_the_day_not_a_later_one() -> None:
    w = new_world()
    w.app.end_benefit(w.yp, occurred_on=date(2024, 3, 1), recorded_by="cw-1",
                      reason=BenefitEndReason.STARTED_WORK)
    # on the day before benefit ended the contact group was active
    assert w.app.open_subscription(w.yp, occurred_on=date(2024, 2, 29), recorded_by="cw-1")


def test_the_subscription_is_refused_on_a_day_no_regime_has_it() -> None:
    w = new_world()
    with pytest.raises(InvalidCommandError, match="condition set udb_subscription"):
        w.app.open_subscription(w.yp, occurred_on=date(2021, 12, 31), recorded_by="cw-1")
