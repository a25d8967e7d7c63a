"""Walk one young person from first contact to admission; print the status and the audit trail.

Run it from the project root: ``.venv/bin/python examples/walk_one_case.py``. It writes to a
temporary SQLite file and removes it afterwards.

Every step is a command to the application. The clock is a :class:`SettableClock`, so each fact
is recorded at a chosen moment: here the education wish is noted in the case ten days after
the young person made it, and the audit trail marks that recording late.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from uuid import UUID

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.domain.values import OrderStep, VisitationGroup, VisitationStage
from ungeforloeb.projections.audit_trail import audit_trail
from ungeforloeb.projections.status import rebuild

CASEWORKER = "cw-017"


def walk(app: Ungeforloeb, clock: SettableClock) -> UUID:
    """Record one case from first contact to admission; return the young person's id."""
    day = date(2024, 8, 5)
    clock.set(day)
    yp = app.register_first_contact(occurred_on=day, recorded_by=CASEWORKER,
                                    municipality_code="101", birth_date=date(2004, 6, 12))
    app.assign_caseworker(yp, occurred_on=day, recorded_by=CASEWORKER,
                          caseworker_id=CASEWORKER, team_id="team-unge")
    app.hold_first_conversation(yp, occurred_on=day, recorded_by=CASEWORKER)
    app.visitate(yp, occurred_on=day, recorded_by=CASEWORKER, stage=VisitationStage.PRELIMINARY,
                 group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
                 justification_recorded=True)
    order = app.issue_order(yp, occurred_on=day, recorded_by=CASEWORKER)
    app.set_step_deadline(order, occurred_on=day, recorded_by=CASEWORKER,
                          step=OrderStep.PROPOSE_WISH, deadline=date(2024, 9, 2))

    clock.set(date(2024, 8, 30))  # the wish of 20 August is noted ten days late
    app.propose_wish(order, occurred_on=date(2024, 8, 20), recorded_by=CASEWORKER,
                     education_code="eud-gf2")
    app.set_step_deadline(order, occurred_on=date(2024, 8, 30), recorded_by=CASEWORKER,
                          step=OrderStep.APPLY, deadline=date(2024, 9, 27))

    clock.set(date(2024, 9, 9))
    app.submit_application(order, occurred_on=date(2024, 9, 9), recorded_by=CASEWORKER,
                           institution_id="280727", education_code="eud-gf2")

    clock.set(date(2024, 10, 4))  # Ungedatabasen reports the admission of 1 October
    app.admit(order, occurred_on=date(2024, 10, 1), recorded_by="udb", admission_id="adm-0001",
              institution_id="280727", education_code="eud-gf2", starts_on=date(2024, 11, 4),
              qualifying=True)
    clock.set(date(2024, 10, 7))
    app.assess_duty_to_start(order, occurred_on=date(2024, 10, 7), recorded_by=CASEWORKER,
                             admission_id="adm-0001", ordered_to_start_and_complete=True)
    app.set_step_deadline(order, occurred_on=date(2024, 10, 7), recorded_by=CASEWORKER,
                          step=OrderStep.START_AND_COMPLETE, deadline=date(2024, 11, 4))
    return yp


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = SettableClock(date(2024, 8, 5))
        app = Ungeforloeb(Path(tmp) / "cases.sqlite", clock=clock)
        yp = walk(app, clock)

        status = rebuild(app.records()).status(yp)  # the status projection, from scratch
        print(f"Young person {status.young_person_id}")
        print(f"  first contact {status.first_contact_on}, group "
              f"{status.group.value if status.group else '-'}, caseworker "
              f"{status.caseworker_id} ({status.team_id})")
        for order in status.orders:
            print(f"  order {order.order_id[:8]} issued {order.issued_on}: step "
                  f"{order.step.value}, {'open' if order.open else 'ended'}")
            for d in order.deadlines:
                print(f"    step {d.step.value} deadline {d.deadline} (moved {d.times_moved}x)")
            for a in order.admissions:
                print(f"    admitted {a.admitted_on} to {a.education_code} at "
                      f"{a.institution_id}, starts {a.starts_on}: {a.state.value}; ordered to "
                      f"start and complete: {a.ordered_to_start_and_complete}")

        print("\nAudit trail (occurred | recorded at UTC | by | event | payload)")
        for e in audit_trail(app.case_file(yp)):
            flag = f"  LATE +{e.lag_days} d" if e.late else ""
            print(f"  {e.seq:>3} {e.occurred_on} | {e.recorded_at[:16]} | {e.recorded_by:<7} | "
                  f"{e.event_type:<22} | {e.payload}{flag}")


if __name__ == "__main__":
    main()
