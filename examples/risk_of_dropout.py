"""Record a risk-of-dropout message from an institution; print the worklist.

Run it from the project root: ``.venv/bin/python examples/risk_of_dropout.py``. It writes to a
temporary SQLite file and removes it afterwards.

A young person with an education order started a vocational course on 4 November 2024. On
2 December the school notes a risk of dropout (*risiko for frafald*); the message reaches the
municipality the next day through Ungedatabasen and opens a retention case. The municipality
must contact the young person and decide on retention initiatives as soon as possible.

The worklist comes from the library's default sources (step deadlines, and whatever rules the
installed version registers) plus one source of the vendor's own, to show how a case system
adds its items: every retention case with no contact recorded yet.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.casefile.fold import Facts
from ungeforloeb.domain.values import OrderStep, VisitationGroup, VisitationStage
from ungeforloeb.projections.sources import default_sources
from ungeforloeb.projections.worklist import WorkItem, worklist

CASEWORKER = "cw-004"


def uncontacted_retention_cases(facts: Facts, on: date) -> Iterator[WorkItem]:
    """A vendor's own worklist source: contact the young person after a risk message."""
    for case in facts.retention_cases.values():
        if case.contacts or case.closed is not None:
            continue
        report = case.reports[0]
        received = date.fromisoformat(report.payload["received_on"])
        due = received + timedelta(days=7)  # the vendor's own target: within a week
        yield WorkItem(
            young_person_id=facts.young_person_id,
            kind="retention",
            title=(f"Contact the young person: risk of dropout reported by institution "
                   f"{report.payload['institution_id']}, received {received.isoformat()}"),
            due_on=due,
            overdue=due < on,
            cause=(report.seq,),
        )


def record(app: Ungeforloeb, clock: SettableClock) -> None:
    """A young person with an order, admitted and started; then the risk message."""
    day = date(2024, 8, 12)
    clock.set(day)
    yp = app.register_first_contact(occurred_on=day, recorded_by=CASEWORKER,
                                    municipality_code="461", birth_date=date(2005, 1, 30))
    app.assign_caseworker(yp, occurred_on=day, recorded_by=CASEWORKER, caseworker_id=CASEWORKER,
                          team_id="team-unge")
    app.hold_first_conversation(yp, occurred_on=day, recorded_by=CASEWORKER)
    app.visitate(yp, occurred_on=day, recorded_by=CASEWORKER, stage=VisitationStage.PRELIMINARY,
                 group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
                 justification_recorded=True)
    order = app.issue_order(yp, occurred_on=day, recorded_by=CASEWORKER)
    app.propose_wish(order, occurred_on=day, recorded_by=CASEWORKER, education_code="eud-gf1")
    app.submit_application(order, occurred_on=day, recorded_by=CASEWORKER,
                           institution_id="751450", education_code="eud-gf1")

    clock.set(date(2024, 9, 20))
    app.admit(order, occurred_on=date(2024, 9, 16), recorded_by="udb", admission_id="adm-0042",
              institution_id="751450", education_code="eud-gf1", starts_on=date(2024, 11, 4),
              qualifying=True)
    app.set_step_deadline(order, occurred_on=date(2024, 9, 20), recorded_by=CASEWORKER,
                          step=OrderStep.START_AND_COMPLETE, deadline=date(2024, 11, 4))
    clock.set(date(2024, 11, 4))
    app.start_education(order, occurred_on=date(2024, 11, 4), recorded_by=CASEWORKER,
                        admission_id="adm-0042")

    clock.set(date(2024, 12, 3))  # the night after the school's note
    case_id = app.report_risk_of_dropout(
        yp, occurred_on=date(2024, 12, 2), recorded_by="udb", institution_id="751450",
        report_id="udb-2024-000981", received_on=date(2024, 12, 3), order_id=order,
        admission_id="adm-0042")
    print(f"Risk of dropout recorded for young person {yp}: retention case {case_id}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = SettableClock(date(2024, 8, 12))
        app = Ungeforloeb(Path(tmp) / "cases.sqlite", clock=clock)
        record(app, clock)

        on = date(2024, 12, 12)
        items = worklist(app.case_files().values(), on, caseworker=CASEWORKER,
                         sources=[*default_sources(), uncontacted_retention_cases])
        print(f"Worklist of {CASEWORKER} on {on}: {len(items)} item(s)")
        for item in items:
            state = "OVERDUE" if item.overdue else "due"
            print(f"  [{item.kind}] {state} {item.due_on}: {item.title} "
                  f"(case {item.young_person_id[:8]}, team {item.team_id}, events {item.cause})")


if __name__ == "__main__":
    main()
