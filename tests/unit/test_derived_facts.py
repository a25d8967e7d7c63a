"""Derived facts are defined once on the case view and never depend on the order of recording.

Given two caseworker assignments (or two visitations) on one day, recorded in either order,
when status, worklist and rules are asked, then all of them name the same caseworker (group).
"""

from __future__ import annotations

from datetime import date

from exchange_support import new_world
from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.domain.values import OrderStep, VisitationGroup, VisitationStage
from ungeforloeb.projections.compliance import load_rules
from ungeforloeb.projections.status import case_status
from ungeforloeb.projections.worklist import worklist
from ungeforloeb.rules.evaluate import evaluate

DAY = date(2024, 3, 4)
ON = date(2024, 4, 20)


def _case(first: tuple[str, str], second: tuple[str, str]) -> CaseFile:
    clock = SettableClock(DAY)
    app = Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    yp = app.register_first_contact(occurred_on=DAY, recorded_by="cw-x", municipality_code="101",
                                    birth_date=date(2003, 5, 1))
    for caseworker, team in (first, second):
        app.assign_caseworker(yp, occurred_on=DAY, recorded_by="cw-x", caseworker_id=caseworker,
                              team_id=team)
    order = app.issue_order(yp, occurred_on=DAY, recorded_by="cw-x")
    app.set_step_deadline(order, occurred_on=DAY, recorded_by="cw-x", step=OrderStep.PROPOSE_WISH,
                          deadline=date(2024, 4, 15))
    return app.case_file(yp)


def _owners(case_file: CaseFile) -> set[tuple[str | None, str | None]]:
    facts = case_file.view(as_of=ON)
    owners: set[tuple[str | None, str | None]] = set()
    status = case_status(facts)
    owners.add((status.caseworker_id, status.team_id))
    for item in worklist([case_file], ON):
        owners.add((item.caseworker_id, item.team_id))
    for v in evaluate(facts, ON, load_rules()):
        owners.add((v.caseworker_id, v.team_id))
    return owners


def test_same_day_assignments_give_one_caseworker_whatever_the_recording_order() -> None:
    a, b = ("cw-aaa", "team-1"), ("cw-bbb", "team-2")
    one = _owners(_case(a, b))
    other = _owners(_case(b, a))
    # status, every worklist item and every verdict name one and the same caseworker ...
    assert one == other == {b}
    # ... the later id on the day (a key of the data, not of the recording order)


def test_same_day_visitations_give_one_group_whatever_the_recording_order() -> None:
    groups = []
    for order in ((VisitationGroup.EDUCATION_READY, VisitationGroup.ACTIVITY_READY),
                  (VisitationGroup.ACTIVITY_READY, VisitationGroup.EDUCATION_READY)):
        clock = SettableClock(DAY)
        app = Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
        yp = app.register_first_contact(occurred_on=DAY, recorded_by="cw-x",
                                        municipality_code="101", birth_date=date(2003, 5, 1))
        for group in order:
            app.visitate(yp, occurred_on=DAY, recorded_by="cw-x", stage=VisitationStage.FINAL,
                         group=group, perspective_recorded=True, justification_recorded=True)
        facts = app.case_file(yp).view(as_of=ON)
        group = case_status(facts).group
        seen = {group.value if group else None, facts.current_group}
        seen |= {v.group for v in evaluate(facts, ON, load_rules())}
        groups.append(seen)
    assert groups[0] == groups[1]
    assert len(groups[0]) == 1


def test_an_institution_report_goes_to_the_team_the_case_view_names() -> None:
    """The exchange routes a report (with no designated recipient) to the case's current team:
    the same team as status and the rules, whatever order the same-day assignments took."""
    routed = []
    for pair in ((("cw-aaa", "team-1"), ("cw-bbb", "team-2")),
                 (("cw-bbb", "team-2"), ("cw-aaa", "team-1"))):
        w = new_world(designate=False)
        for caseworker, team in pair:
            w.app.assign_caseworker(w.yp, occurred_on=date(2024, 1, 8), recorded_by="cw-x",
                                    caseworker_id=caseworker, team_id=team)
        w.receive(w.risk("h-1", date(2024, 2, 1)))
        (report,) = w.facts().other["InstitutionReportReceived"]
        view = w.facts().current_caseworker
        assert view is not None
        routed.append((report.payload["recipient_id"], view[1]))
    assert routed == [("team-2", "team-2"), ("team-2", "team-2")]
