"""The retention period: given spells closed long ago, recently, or still open, when the
shredding runs (dry run, then for real), then exactly the expired are listed and erased, the
figures stay, and a second run finds nobody."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application.retention_period import past_retention, shred_past_retention
from ungeforloeb.cli import main
from ungeforloeb.domain.values import BenefitEndReason, OrderEndReason, RetentionOutcome
from ungeforloeb.projections.compliance import evaluate_all

TODAY = date(2031, 3, 1)


def _person(app: Ungeforloeb, first: date, cpr: str) -> object:
    return app.register_first_contact(occurred_on=first, recorded_by="cw-1",
                                      municipality_code="101", birth_date=date(2004, 5, 1),
                                      cpr=cpr, name="Test Testesen")


def _world(app: Ungeforloeb) -> dict[str, object]:
    old = _person(app, date(2024, 1, 2), "010504-1111")
    order = app.issue_order(old, occurred_on=date(2024, 1, 5), recorded_by="cw-1")
    app.end_order(order, occurred_on=date(2025, 2, 1), recorded_by="cw-1",
                  reason=next(iter(OrderEndReason)))
    case = app.report_risk_of_dropout(old, occurred_on=date(2024, 6, 1), recorded_by="udb",
                                      institution_id="280727", report_id="r-1",
                                      received_on=date(2024, 6, 1))
    app.close_retention_case(case, occurred_on=date(2024, 7, 1), recorded_by="cw-1",
                             outcome=next(iter(RetentionOutcome)))
    app.end_benefit(old, occurred_on=date(2025, 3, 1), recorded_by="cw-1",
                    reason=next(iter(BenefitEndReason)))
    recent = _person(app, date(2024, 1, 2), "010504-2222")
    app.end_benefit(recent, occurred_on=date(2027, 1, 1), recorded_by="cw-1",
                    reason=next(iter(BenefitEndReason)))
    open_order = _person(app, date(2024, 1, 2), "010504-3333")
    app.issue_order(open_order, occurred_on=date(2024, 1, 5), recorded_by="cw-1")
    app.end_benefit(open_order, occurred_on=date(2024, 3, 1), recorded_by="cw-1",
                    reason=next(iter(BenefitEndReason)))
    still = _person(app, date(2024, 1, 2), "010504-4444")
    return {"old": old, "recent": recent, "open_order": open_order, "still": still}


def test_only_spells_closed_more_than_the_period_ago_are_shredded(tmp_path):
    app = Ungeforloeb(tmp_path / "s.sqlite", clock=SettableClock(TODAY))
    people = _world(app)
    before = evaluate_all(app.case_files().values(), date(2030, 12, 31))
    listed = shred_past_retention(app, TODAY, 5, recorded_by="retention", dry_run=True)
    assert [(p.young_person_id, p.closed_on, p.keep_until) for p in listed] == [
        (people["old"], date(2025, 3, 1), date(2030, 3, 1))]
    assert app.identity(people["old"]) is not None  # a dry run erases nothing
    assert len(list(past_retention(app, date(2030, 3, 1), 5))) == 0  # the last day kept
    shred_past_retention(app, TODAY, 5, recorded_by="retention", dry_run=False)
    assert app.identity(people["old"]) is None
    assert all(app.identity(people[k]) is not None for k in ("recent", "open_order", "still"))
    assert list(past_retention(app, TODAY, 5)) == []
    after = evaluate_all(app.case_files().values(), date(2030, 12, 31))
    assert after.digest() == before.digest()


def test_the_command_reports_a_dry_run_and_then_erases(tmp_path):
    db = tmp_path / "s.sqlite"
    app = Ungeforloeb(db, clock=SettableClock(TODAY))
    people = _world(app)
    app.close()
    runner = CliRunner()
    # recorded by the system clock: a day in the past
    args = ["shred-expired", "--db", str(db), "--on", "2026-06-01", "--years", "1"]
    done = runner.invoke(main, [*args, "--dry-run"])
    assert done.exit_code == 0, done.output
    assert f"would erase {people['old']}: spell closed 2025-03-01, kept until 2026-03-01" \
        in done.output
    assert "1 young people past 1 years" in done.output and "dry run: nothing erased" \
        in done.output
    done = runner.invoke(main, args)
    assert done.exit_code == 0 and f"erased {people['old']}" in done.output, done.output
    assert "0 young people" in runner.invoke(main, args).output
    assert "0 young people" in runner.invoke(main, [*args[:-2], "--years", "10"]).output
    done = runner.invoke(main, [*args[:-2], "--on", "2099-01-01"])
    assert done.exit_code == 1 and done.output.startswith("error: erase_personal_data")
