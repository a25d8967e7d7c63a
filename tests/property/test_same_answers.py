"""Same answers, proven: random histories through the application; the audit of the exported
log gives exactly the live compliance verdicts, and import into a fresh store then export gives
the same log, byte for byte."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from hypothesis import event, given
from hypothesis import strategies as st

from interchange_support import EXPORTED_AT, new_app
from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.domain.errors import DomainError
from ungeforloeb.domain.values import (
    BenefitEndReason,
    ContactChannel,
    ContactKind,
    DeadlineMoveReason,
    GuidanceTopic,
    InterruptionReason,
    LiteracyTestNeed,
    MentorPurpose,
    OfferKind,
    OrderEndReason,
    OrderStep,
    RetentionInitiative,
    RetentionOutcome,
    VisitationGroup,
    VisitationStage,
    YouthActivity,
)
from ungeforloeb.interchange.audit import evaluate, read_case_files
from ungeforloeb.interchange.export import export_log
from ungeforloeb.interchange.importer import import_log
from ungeforloeb.projections.compliance import evaluate_all

Draw = Callable[..., Any]
ADMISSIONS = ("adm-1", "adm-2")


def _person(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
    s["people"].append(app.register_first_contact(
        occurred_on=day, recorded_by=d(st.sampled_from(["cw-1", "cw-2"])),
        municipality_code="101", birth_date=day - timedelta(days=d(st.integers(15, 29)) * 365)))


def _on_person(name: str, **kinds: Any) -> Callable[..., None]:
    def do(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
        who = d(st.sampled_from(s["people"]))
        args = {k: d(v) for k, v in kinds.items()}
        getattr(app, name)(who, occurred_on=day, recorded_by="cw-1", **args)
    return do


def _on_order(name: str, **kinds: Any) -> Callable[..., None]:
    def do(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
        order = d(st.sampled_from(s["orders"]))
        args = {k: d(v) for k, v in kinds.items()}
        getattr(app, name)(order, occurred_on=day, recorded_by="cw-1", **args)
    return do


def _on_case(name: str, **kinds: Any) -> Callable[..., None]:
    def do(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
        case = d(st.sampled_from(s["cases"]))
        args = {k: d(v) for k, v in kinds.items()}
        getattr(app, name)(case, occurred_on=day, recorded_by="cw-1", **args)
    return do


def _return(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
    app.return_to_benefit(young_person_id=d(st.sampled_from(s["people"])), occurred_on=day,
                          recorded_by="cw-1")


def _youth_effort(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
    s["people"].append(app.follow_in_youth_effort(
        occurred_on=day, recorded_by="kui-1", municipality_code="101",
        birth_date=day - timedelta(days=d(st.integers(15 * 365, 18 * 365)))))


def _interruption(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
    order = d(st.sampled_from(s["orders"])) if s["orders"] else None
    s["cases"].append(app.note_interruption(
        d(st.sampled_from(s["people"])), occurred_on=day, recorded_by="udb",
        institution_id="123456", report_id=f"afb-{len(s['cases'])}",
        received_on=day + timedelta(days=d(st.integers(0, 5))), order_id=order))


def _order(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
    s["orders"].append(app.issue_order(d(st.sampled_from(s["people"])), occurred_on=day,
                                       recorded_by="cw-1"))


def _report(app: Ungeforloeb, d: Draw, day: date, s: dict[str, list[UUID]]) -> None:
    order = d(st.sampled_from(s["orders"])) if s["orders"] else None
    who = d(st.sampled_from(s["people"]))
    s["cases"].append(app.report_risk_of_dropout(
        who, occurred_on=day, recorded_by="udb", institution_id="123456",
        report_id=f"rep-{len(s['cases'])}", received_on=day, order_id=order))


bools = st.booleans()
adm = st.sampled_from(ADMISSIONS)
day_st = st.dates(date(2018, 1, 1), date(2026, 6, 30))
PERSON_COMMANDS: list[Callable[..., None]] = [
    _on_person("hold_first_conversation"),
    _on_person("visitate", stage=st.sampled_from(VisitationStage),
               group=st.sampled_from(VisitationGroup), perspective_recorded=bools,
               justification_recorded=bools),
    _on_person("assess_literacy_test", need=st.sampled_from(LiteracyTestNeed),
               earlier_test_on=st.none() | day_st),
    _on_person("take_literacy_test", shows_need=bools),
    _on_person("give_rights_guidance", topic=st.sampled_from(GuidanceTopic)),
    _on_person("offer_coordinating_caseworker"),
    _on_person("hold_conversation", follows_up_current_step=bools, education_focus=bools,
               job_focus=bools),
    _on_person("update_plan", education_goal=bools, job_goal=bools, agreements_recorded=bools,
               order_shown=bools),
    _on_person("start_offer", offer_id=st.sampled_from(["o-1", "o-2"]),
               kind=st.sampled_from(OfferKind), individually_assessed=bools,
               purpose_stated=bools),
    _on_person("end_offer", offer_id=st.sampled_from(["o-1", "o-2"])),
    _on_person("record_absence", valid_reason=bools),
    _on_person("decide_sanction", imposed=bools, personal_contact_attempted=bools),
    _on_person("make_cv_available"),
    _on_person("register_job_seeker"),
    _on_person("assign_caseworker", caseworker_id=st.sampled_from(["cw-1", "cw-2", "cw-3"]),
               team_id=st.sampled_from(["team-a", "team-b"])),
    _on_person("grant_mentor", purpose=st.sampled_from(MentorPurpose), extension=bools),
    _on_person("end_benefit", reason=st.sampled_from(BenefitEndReason)),
    _on_person("end_benefit", reason=st.sampled_from(BenefitEndReason)),
    _return,
    _return,
    _youth_effort,
    _interruption,
    _order,
    _report,
]
ORDER_COMMANDS: list[Callable[..., None]] = [
    _on_order("set_step_deadline", step=st.sampled_from(OrderStep), deadline=day_st),
    _on_order("move_step_deadline", step=st.sampled_from(OrderStep), deadline=day_st,
              reason=st.sampled_from(DeadlineMoveReason)),
    _on_order("propose_wish", education_code=st.just("EUD-1")),
    _on_order("submit_application", institution_id=st.just("123456"),
              education_code=st.just("EUD-1")),
    _on_order("admit", admission_id=adm, institution_id=st.just("123456"),
              education_code=st.just("EUD-1"), starts_on=day_st, qualifying=bools),
    _on_order("assess_duty_to_start", admission_id=adm, ordered_to_start_and_complete=bools),
    _on_order("start_education", admission_id=adm),
    _on_order("complete_education", admission_id=adm),
    _on_order("interrupt_education", admission_id=adm,
              reason=st.sampled_from(InterruptionReason)),
    _on_order("end_order", reason=st.sampled_from(OrderEndReason)),
    _on_order("assess_support", admission_id=adm, academic_support=bools,
              social_support=bools, needs_documented=bools, no_support_need=bools,
              other_support_persons=bools, wants_institution_contact=bools,
              contact_kind=st.sampled_from(ContactKind), contact_id=st.just("team-a")),
    _on_order("notify_institution", admission_id=adm, message_id=st.just("m-1")),
]
CASE_COMMANDS: list[Callable[..., None]] = [
    _on_case("contact_young_person", channel=st.sampled_from(ContactChannel)),
    _on_case("decide_retention_initiative", initiative=st.sampled_from(RetentionInitiative),
             with_institution=bools),
    _on_case("close_retention_case", outcome=st.sampled_from(RetentionOutcome)),
    _on_case("start_new_activity", activity=st.sampled_from(YouthActivity)),
]


def random_history(data: st.DataObject) -> tuple[Ungeforloeb, date]:
    """Random commands on a few young people; commands the domain refuses are skipped."""
    app, clock = new_app()
    s: dict[str, list[UUID]] = {"people": [], "orders": [], "cases": []}
    start = data.draw(st.sampled_from([date(2019, 3, 1), date(2020, 11, 1), date(2022, 5, 1),
                                       date(2025, 5, 1)]), label="start")
    for _ in range(data.draw(st.integers(1, 40), label="commands")):
        day = start + timedelta(days=data.draw(st.integers(0, 300)))
        clock.set(day + timedelta(days=data.draw(st.sampled_from([0, 0, 1, 3, 40]))))
        pool = PERSON_COMMANDS + (ORDER_COMMANDS if s["orders"] else []) + \
            (CASE_COMMANDS if s["cases"] else [])
        command = data.draw(st.sampled_from(pool)) if s["people"] else _person
        if command is not _person and data.draw(st.integers(0, 9)) == 0:
            command = _person
        with contextlib.suppress(DomainError):
            command(app, data.draw, day, s)
    return app, start


def export(app: Ungeforloeb, as_of: date) -> bytes:
    out = io.BytesIO()
    export_log(app, out, exported_at=EXPORTED_AT, as_of=as_of)
    return out.getvalue()


@given(st.data())
def test_the_audit_of_the_exported_log_gives_exactly_the_live_verdicts(
        data: st.DataObject) -> None:
    app, start = random_history(data)
    as_of = start + timedelta(days=data.draw(st.integers(-20, 700), label="as_of - start"))
    known_at = data.draw(st.none() | st.integers(-100, 100).map(lambda n: as_of + timedelta(n)),
                         label="known_at")
    live = evaluate_all(app.case_files().values(), as_of, known_at)
    event(f"events: {min(app.recorder.max_notification_id() or 0, 40) // 10 * 10}+")
    judged = any(v.status.value in ("met", "missed") for v in live.verdicts)
    event(f"met or missed verdicts: {judged}")
    log = export(app, as_of)
    reader, files = read_case_files(io.BytesIO(log))
    audited = evaluate(files.values(), as_of, known_at)
    assert [v.to_dict() for v in audited.verdicts] == [v.to_dict() for v in live.verdicts]
    assert audited.digest() == live.digest()
    assert [r.to_dict() for r in audited.rows()] == [r.to_dict() for r in live.rows()]
    assert reader.trailer is not None
    assert reader.trailer.verdict_digest == evaluate_all(app.case_files().values(),
                                                         as_of).digest()


@given(st.data())
def test_import_into_a_fresh_store_then_export_gives_the_same_log(data: st.DataObject) -> None:
    app, _ = random_history(data)
    log = export(app, date(2026, 1, 1))
    fresh, _ = new_app()
    import_log(fresh, io.BytesIO(log))
    assert export(fresh, date(2026, 1, 1)) == log
