"""Returning to benefit through the application: the person is found by their CPR number in the
identity store (no second registration), a refused return writes nothing and names no CPR
number, and both spells' verdicts are the same live, in the kept projection and in the audit of
the exported log. Runs on SQLite and on PostgreSQL (``backend``)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from interchange_support import EXPORTED_AT
from ungeforloeb.application import SettableClock
from ungeforloeb.application.kept import KeptVerdicts
from ungeforloeb.domain.errors import InvalidCommandError
from ungeforloeb.domain.values import BenefitEndReason, VisitationGroup, VisitationStage
from ungeforloeb.interchange.audit import evaluate, read_case_files
from ungeforloeb.interchange.export import export_log
from ungeforloeb.projections.compliance import evaluate_all
from ungeforloeb.projections.kept import keep

NOW = datetime(2024, 12, 2, 9, tzinfo=UTC)
CPR, NAME = "010504-1234", "Signe Kjærgaard"


def two_spells(app):  # type: ignore[no-untyped-def]
    yp = app.register_first_contact(occurred_on=date(2024, 3, 4), recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2004, 5, 1),
                                    cpr=CPR, name=NAME)
    app.hold_first_conversation(yp, occurred_on=date(2024, 3, 20), recorded_by="cw-1")
    app.visitate(yp, occurred_on=date(2024, 3, 20), recorded_by="cw-1",
                 stage=VisitationStage.FINAL, group=VisitationGroup.EDUCATION_READY,
                 perspective_recorded=True, justification_recorded=True)
    app.issue_order(yp, occurred_on=date(2024, 3, 25), recorded_by="cw-1")
    app.end_benefit(yp, occurred_on=date(2024, 5, 3), recorded_by="cw-1",
                    reason=BenefitEndReason.STARTED_EDUCATION)
    again = app.return_to_benefit(cpr=CPR.replace("-", ""), occurred_on=date(2024, 6, 3),
                                  recorded_by="cw-2")
    assert again == yp
    app.hold_first_conversation(yp, occurred_on=date(2024, 6, 5), recorded_by="cw-2")
    app.visitate(yp, occurred_on=date(2024, 6, 5), recorded_by="cw-2",
                 stage=VisitationStage.FINAL, group=VisitationGroup.ACTIVITY_READY,
                 perspective_recorded=True, justification_recorded=True)
    app.issue_order(yp, occurred_on=date(2024, 6, 10), recorded_by="cw-2")
    return yp


def test_a_returning_young_person_is_found_by_cpr_and_judged_per_spell(backend):
    app = backend.app(clock=SettableClock(NOW))
    yp = two_spells(app)
    assert app.identities.find_by_cpr(CPR.replace("-", "")) == yp
    types = [r.type for r in app.case_file(yp).records]
    assert types.count("FirstContactRegistered") == 1 and "BenefitSpellStarted" in types
    as_of = date(2024, 7, 1)
    live = evaluate_all(app.case_files().values(), as_of)
    cp01 = {v.subject: v.status.value for v in live.verdicts
            if v.rule_id == "cp01_first_conversation"}
    assert cp01 == {"": "missed", "spell:2": "met"}
    out = io.BytesIO()
    export_log(app, out, exported_at=EXPORTED_AT, as_of=as_of)
    _, files = read_case_files(io.BytesIO(out.getvalue()))
    audited = evaluate(files.values(), as_of)
    assert [v.to_dict() for v in audited.verdicts] == [v.to_dict() for v in live.verdicts]
    assert [r.to_dict() for r in audited.rows()] == [r.to_dict() for r in live.rows()]
    kept = KeptVerdicts(app)
    kept.update(as_of)
    fresh = keep(app.case_file(yp), as_of, kept.rules)
    assert kept.verdicts(str(yp)) == list(fresh.verdicts)
    assert {v.subject for v in fresh.verdicts} >= {"", "spell:2"}


def test_a_return_while_the_spell_is_open_is_refused_and_writes_nothing(backend):
    app = backend.app(clock=SettableClock(NOW))
    yp = app.register_first_contact(occurred_on=date(2024, 3, 4), recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2004, 5, 1),
                                    cpr=CPR, name=NAME)
    before = app.recorder.max_notification_id()
    with pytest.raises(InvalidCommandError) as refused:
        app.return_to_benefit(cpr=CPR, occurred_on=date(2024, 6, 3), recorded_by="cw-1")
    assert refused.value.field == "occurred_on" and str(yp) in str(refused.value)
    assert "is open" in str(refused.value)
    with pytest.raises(InvalidCommandError) as unknown:
        app.return_to_benefit(cpr="311299-4321", occurred_on=date(2024, 6, 3),
                              recorded_by="cw-1")
    assert unknown.value.field == "cpr"
    with pytest.raises(InvalidCommandError) as neither:
        app.return_to_benefit(occurred_on=date(2024, 6, 3), recorded_by="cw-1")
    assert neither.value.field == "cpr"
    for error in (refused, unknown, neither):
        text = str(error.value)
        assert "0105041234" not in text and "311299" not in text and "Signe" not in text
    assert app.recorder.max_notification_id() == before


def test_a_young_person_of_the_youth_effort_comes_to_benefit_as_the_same_person(backend):
    from ungeforloeb.domain.errors import EventOutOfOrderError
    from ungeforloeb.domain.values import ContactChannel, YouthActivity

    app = backend.app(clock=SettableClock(NOW))
    yp = app.follow_in_youth_effort(occurred_on=date(2024, 2, 1), recorded_by="kui-1",
                                    municipality_code="101", birth_date=date(2007, 5, 1),
                                    cpr=CPR, name=NAME)
    case = app.note_interruption(yp, occurred_on=date(2024, 3, 1), recorded_by="kui-1",
                                 institution_id="123456", report_id="afb-1",
                                 received_on=date(2024, 3, 4))
    app.contact_young_person(case, occurred_on=date(2024, 3, 6), recorded_by="kui-1",
                             channel=ContactChannel.PHONE)
    app.start_new_activity(case, occurred_on=date(2024, 4, 15), recorded_by="kui-1",
                           activity=YouthActivity.EDUCATION)
    before = app.recorder.max_notification_id()
    with pytest.raises(EventOutOfOrderError, match="followed by the youth effort"):
        app.issue_order(yp, occurred_on=date(2024, 3, 5), recorded_by="kui-1")
    assert app.recorder.max_notification_id() == before
    assert app.return_to_benefit(cpr=CPR, occurred_on=date(2024, 6, 3),
                                 recorded_by="cw-1") == yp
    app.hold_first_conversation(yp, occurred_on=date(2024, 6, 4), recorded_by="cw-1")
    as_of = date(2024, 7, 1)
    live = evaluate_all(app.case_files().values(), as_of)
    mine = {(v.rule_id, v.subject.split("/")[0]): v.status.value for v in live.verdicts}
    assert mine[("kui_contact_15_17_interruption", "spell:0")] == "met"
    assert mine[("kui_new_activity_15_17", "spell:0")] == "missed"  # 42 days
    assert mine[("cp01_first_conversation", "")] == "met"
    assert mine[("cp01_first_conversation", "spell:0")] == "not_applicable"
    out = io.BytesIO()
    export_log(app, out, exported_at=EXPORTED_AT, as_of=as_of)
    log = out.getvalue()
    assert CPR.encode() not in log and NAME.encode() not in log
    _, files = read_case_files(io.BytesIO(log))
    audited = evaluate(files.values(), as_of)
    assert [v.to_dict() for v in audited.verdicts] == [v.to_dict() for v in live.verdicts]


def test_the_exchange_sees_an_admission_of_a_later_spell_as_due_for_notification(backend):
    app = backend.app(clock=SettableClock(NOW))
    yp = two_spells(app)
    from uuid import UUID

    from ungeforloeb.projections.status import case_status

    status = case_status(app.case_file(yp).facts())
    assert status.spell == 2 and len(status.orders) == 2
    (order,) = [UUID(o.order_id) for o in status.orders if o.issued_on == date(2024, 6, 10)]
    app.admit(order, occurred_on=date(2024, 7, 1), recorded_by="cw-2", admission_id="a-1",
              institution_id="123456", education_code="EUD-1", starts_on=date(2024, 8, 12),
              qualifying=True)
    app.assess_duty_to_start(order, occurred_on=date(2024, 7, 2), recorded_by="cw-2",
                             admission_id="a-1", ordered_to_start_and_complete=True)
    assert app.notification_due(order, "a-1", date(2024, 7, 3))
