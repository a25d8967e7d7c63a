"""The compliance report, the worklist source and the command line."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import orjson
from click.testing import CliRunner
from rich.console import Console

from rules_builder import CaseBuilder
from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.cli import main
from ungeforloeb.cli._output import compliance_listing, emit
from ungeforloeb.domain.values import VisitationGroup, VisitationStage
from ungeforloeb.projections.compliance import (
    REFERENCE_LABEL,
    ComplianceReport,
    evaluate_all,
    load_rules,
)
from ungeforloeb.projections.worklist import verdict_items as compliance_items
from ungeforloeb.report.labels import EVENT_LABELS, STATUS_LABELS
from ungeforloeb.rules.verdict import Status

AS_OF = date(2024, 6, 1)


def two_cases() -> list[CaseBuilder]:
    met = CaseBuilder(date(2024, 3, 4), young_person_id="case-a")
    met.event("FirstConversationHeld", date(2024, 3, 5))
    met.visitate(date(2024, 3, 5), "UP")
    met.event("CaseworkerAssigned", date(2024, 3, 4), caseworker_id="cw-a", team_id="t-1")
    missed = CaseBuilder(date(2024, 3, 4), young_person_id="case-b")
    missed.event("FirstConversationHeld", date(2024, 3, 20))
    missed.visitate(date(2024, 3, 20), "AP")
    missed.event("CaseworkerAssigned", date(2024, 3, 4), caseworker_id="cw-b", team_id="t-1")
    return [met, missed]


def report() -> ComplianceReport:
    return evaluate_all([c.case_file() for c in reversed(two_cases())], AS_OF)


def test_verdicts_are_sorted_by_case_then_rule() -> None:
    keys = [v.sort_key for v in report().verdicts]
    assert keys == sorted(keys)
    assert keys[0][0] == "case-a"


def test_a_row_counts_met_over_met_and_missed_by_group_with_the_audits_share() -> None:
    rows = {r.rule_id: r for r in report().rows()}
    first = rows["cp01_first_conversation"]
    assert (first.met, first.missed, first.denominator, first.share) == (1, 1, 2, 0.5)
    assert [(g.group, g.met, g.denominator) for g in first.by_group] == [("UP", 1, 1),
                                                                         ("AP", 0, 1)]
    assert first.legal_source == "LBK nr. 280 af 1/3/2024 § 31 stk. 5"
    assert (first.audit_share, first.audit_n) == (0.92, 369)
    coordinator = rows["cp11_coordinating_caseworker"]
    assert coordinator.not_applicable == 1  # UP is outside the population
    assert coordinator.denominator == 1


def test_by_caseworker() -> None:
    rows = {r.caseworker_id: r for r in report().by_caseworker()}
    assert rows["cw-a"].missed < rows["cw-b"].missed


def test_digest_json_and_csv_are_deterministic() -> None:
    one, two = report(), report()
    assert one.digest() == two.digest() and len(one.digest()) == 64
    data = orjson.loads(one.to_json())
    assert data["digest"] == one.digest()
    assert data["rules_digest"] == load_rules().digest
    assert len(data["verdicts"]) == len(one.verdicts)
    assert one.to_csv() == two.to_csv()
    rows = list(csv.DictReader(io.StringIO(one.to_csv())))
    assert rows[0]["rule_id"] == "cp01_first_conversation" and rows[0]["share"] == "0.5000"
    verdict_rows = list(csv.DictReader(io.StringIO(one.to_csv(verdicts=True))))
    assert len(verdict_rows) == len(one.verdicts)


def test_the_table_shows_the_audits_share_as_a_labelled_reference() -> None:
    def text(reference: bool) -> str:
        out = Console(width=400, record=True, force_terminal=True)
        r = report()
        emit(*compliance_listing(r, reference=reference, count=len(r.verdicts))[:2],
             fmt="table", title="t", out=out)
        return out.export_text()

    assert REFERENCE_LABEL == "audit 2018–20, not ours"
    assert "not ours" in text(True) and "92 % (N=369)" in text(True)
    assert "not ours" not in text(False)


def test_the_worklist_gets_every_due_and_undone_missed_rule() -> None:
    case = CaseBuilder(date(2024, 3, 4))
    case.visitate(date(2024, 3, 8), "AP", stage="preliminary")  # coordinator due 15 March
    items = list(compliance_items(case.case_file().view(as_of=date(2024, 3, 12)),
                                  date(2024, 3, 12)))
    by_rule = {i.rule_id: i for i in items}
    first = by_rule["cp01_first_conversation"]
    assert first.kind == "rule" and first.overdue and first.due_on == date(2024, 3, 11)
    assert first.legal_source == "LBK nr. 280 af 1/3/2024 § 31 stk. 5"
    assert not by_rule["cp11_coordinating_caseworker"].overdue
    assert not any(i.rule_id and i.rule_id.startswith("order_step") for i in items)
    # a duty done late is history, not work
    case.event("FirstConversationHeld", date(2024, 3, 13))
    later = {i.rule_id for i in compliance_items(case.case_file().view(as_of=date(2024, 3, 13)),
                                                 date(2024, 3, 13))}
    assert "cp01_first_conversation" not in later


# ------------------------------------------------------------------ the command line


def store(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "store.sqlite"
    clock = SettableClock(date(2024, 3, 4))
    app = Ungeforloeb(db, clock=clock)
    yp = app.register_first_contact(occurred_on=date(2024, 3, 4), recorded_by="cw-1",
                                    municipality_code="101", birth_date=date(2003, 5, 1))
    clock.set(date(2024, 3, 20))
    app.hold_first_conversation(yp, occurred_on=date(2024, 3, 12), recorded_by="cw-1")
    app.visitate(yp, occurred_on=date(2024, 3, 12), recorded_by="cw-1",
                 stage=VisitationStage.FINAL, group=VisitationGroup.EDUCATION_READY,
                 perspective_recorded=True, justification_recorded=False)
    return db, str(yp)


def test_compliance_command_prints_every_rule_with_share_and_source(tmp_path: Path) -> None:
    db, _ = store(tmp_path)
    result = CliRunner().invoke(main, ["compliance", "--as-of", "2024-06-01", "--db", str(db)])
    assert result.exit_code == 0, result.output
    for rule_id in load_rules().ids:
        assert rule_id[:20] in result.output
    assert "audit 2018–20" in result.output
    as_json = CliRunner().invoke(main, ["compliance", "--as-of", "2024-06-01", "--db", str(db),
                                        "--format", "json"])
    assert orjson.loads(as_json.output)["as_of"] == "2024-06-01"
    as_csv = CliRunner().invoke(main, ["compliance", "--as-of", "2024-06-01", "--db", str(db),
                                       "--format", "csv"])
    assert as_csv.output.startswith("control_point,rule_id,met,missed,denominator,share")


def test_explain_names_the_events_and_dates_used(tmp_path: Path) -> None:
    db, yp = store(tmp_path)
    result = CliRunner().invoke(main, ["explain", yp[:8], "cp01_first_conversation",
                                       "--as-of", "2024-06-01", "--db", str(db)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "missed" in text
    assert "FirstContactRegistered #1 on 2024-03-04" in text
    assert "FirstConversationHeld #2 on 2024-03-12, recorded 2024-03-20" in text
    assert "due on 2024-03-11" in text
    known = CliRunner().invoke(main, ["explain", yp, "cp01_first_conversation", "--as-of",
                                      "2024-06-01", "--known-at", "2024-03-19", "--db", str(db)])
    assert "Met by: none" in " ".join(known.output.split())


def test_explain_in_danish_uses_the_glossarys_words_and_the_rules_danish_quote(
        tmp_path: Path) -> None:
    db, yp = store(tmp_path)
    result = CliRunner().invoke(main, ["explain", yp[:8], "cp01_first_conversation",
                                       "--as-of", "2024-06-01", "--db", str(db), "--lang", "da"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f": {STATUS_LABELS['missed']}" in text  # "ikke opfyldt"
    assert (f"{EVENT_LABELS['FirstContactRegistered']} (FirstContactRegistered) #1 den "
            f"2024-03-04") in text
    assert "registreret 2024-03-20" in text and "frist 2024-03-11" in text
    assert "lovens ord »senest 1 uge fra første henvendelse" in text
    # the reading in Danish (the 2024 period's), its sources by the bibliography
    assert "sådan læser vi reglen Som før 2020: 7 kalenderdage efter dagen" in text
    assert "seed" not in text and "003:" not in text
    english = CliRunner().invoke(main, ["explain", yp[:8], "cp01_first_conversation",
                                        "--as-of", "2024-06-01", "--db", str(db)])
    assert "lovens ord" not in english.output and "missed" in english.output


def test_explain_refuses_an_unknown_rule(tmp_path: Path) -> None:
    db, yp = store(tmp_path)
    result = CliRunner().invoke(main, ["explain", yp, "cp99", "--as-of", "2024-06-01",
                                       "--db", str(db)])
    assert result.exit_code == 2 and "unknown rule 'cp99'" in result.output


def test_status_values_are_the_five_of_the_issue_and_unused_for_a_right() -> None:
    assert [s.value for s in Status] == ["met", "missed", "due", "not_applicable",
                                         "not_documented", "unused"]


def test_a_rights_row_counts_unused_windows_in_its_denominator_not_as_missed() -> None:

    used = CaseBuilder(date(2022, 3, 1), young_person_id="case-used")
    unused = CaseBuilder(date(2022, 3, 1), young_person_id="case-unused")
    for case in (used, unused):
        order = case.order(date(2022, 3, 1))
        case.admit(order, "adm-1", on=date(2022, 8, 31), starts_on=date(2022, 9, 1))
    used.event("MentorGranted", date(2022, 10, 3), purpose="transition", until=None,
               extension=False)
    report: ComplianceReport = evaluate_all([used.case_file(), unused.case_file()],
                                            date(2023, 6, 1))
    (row,) = [r for r in report.rows() if r.rule_id == "mentor_right_window"]
    assert (row.met, row.missed, row.unused, row.denominator, row.share) == (1, 0, 1, 2, 0.5)
