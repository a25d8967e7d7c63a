"""The worklist: step deadlines due or overdue and not yet met, for a caseworker or a team —
views of the verdicts of the rules ``order_step{1,2,3}_deadline``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.casefile.fold import Facts
from ungeforloeb.domain.values import (
    DeadlineMoveReason,
    OrderEndReason,
    OrderStep,
)
from ungeforloeb.projections.sources import default_sources
from ungeforloeb.projections.worklist import WorkItem, verdict_items, verdict_source, worklist
from ungeforloeb.rules.loader import load_rule_set, packaged_files


def step_deadlines(facts: Facts, on: date) -> list[WorkItem]:
    """The verdict source's step-deadline items."""
    return [i for i in verdict_items(facts, on) if i.kind == "deadline"]

FIRST_CONTACT = date(2024, 3, 4)


class Case:
    """A young person with an order, driven through the application on a settable clock."""

    def __init__(self, app: Ungeforloeb, clock: SettableClock, *, caseworker: str = "cw-001",
                 team: str = "team-a") -> None:
        self.app = app
        self.clock = clock
        self.at(FIRST_CONTACT)
        self.yp = app.register_first_contact(occurred_on=FIRST_CONTACT, recorded_by=caseworker,
                                             municipality_code="101",
                                             birth_date=date(2003, 5, 1))
        app.assign_caseworker(self.yp, occurred_on=FIRST_CONTACT, recorded_by=caseworker,
                              caseworker_id=caseworker, team_id=team)
        self.order = app.issue_order(self.yp, occurred_on=FIRST_CONTACT, recorded_by=caseworker)

    def at(self, day: date) -> Case:
        self.clock.set(day)
        return self

    def deadline(self, step: int, deadline: date, *, on: date = FIRST_CONTACT) -> None:
        self.at(on).app.set_step_deadline(self.order, occurred_on=on, recorded_by="cw-001",
                                          step=OrderStep(step), deadline=deadline)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(FIRST_CONTACT)


@pytest.fixture
def app(clock: SettableClock) -> Ungeforloeb:
    return Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)


def items_on(app: Ungeforloeb, on: date, **kwargs: object) -> list[WorkItem]:
    """The worklist from the deadline source alone, unless told other sources."""
    kwargs.setdefault("sources", [step_deadlines])
    return worklist(app.case_files().values(), on, **kwargs)  # type: ignore[arg-type]


def test_a_step_deadline_shows_from_fourteen_days_before_it_falls_due(
        app: Ungeforloeb, clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))

    assert items_on(app, date(2024, 3, 17)) == []
    (item,) = items_on(app, date(2024, 3, 18))
    assert item.kind == "deadline"
    assert item.due_on == date(2024, 4, 1)
    assert not item.overdue
    assert item.young_person_id == str(case.yp)
    assert item.title.startswith("Step 1") and "education wish" in item.title
    assert item.rule_id == "order_step1_deadline"
    assert item.legal_source == "lov nr. 548 af 7/5/2019 § 30 stk. 3"  # the rule data's


def test_a_deadline_passed_and_not_met_is_overdue(app: Ungeforloeb,
                                                  clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))

    (due_today,) = items_on(app, date(2024, 4, 1))
    (item,) = items_on(app, date(2024, 4, 2))
    assert not due_today.overdue
    assert item.overdue


def test_a_proposed_wish_meets_step_one(app: Ungeforloeb, clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))
    case.at(date(2024, 3, 20)).app.propose_wish(case.order, occurred_on=date(2024, 3, 20),
                                                recorded_by="cw-001", education_code="eud-gf1")

    assert items_on(app, date(2024, 4, 10)) == []
    # …but as of a day before the wish, the deadline was still open
    assert len(items_on(app, date(2024, 3, 19))) == 1


def test_an_application_meets_step_two_and_a_started_education_meets_every_step(
        app: Ungeforloeb, clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))
    case.deadline(2, date(2024, 4, 15))
    case.deadline(3, date(2024, 5, 6))
    day = date(2024, 3, 20)
    case.at(day).app.submit_application(case.order, occurred_on=day, recorded_by="cw-001",
                                        institution_id="280727", education_code="eud-gf1")
    assert [i.title[:6] for i in items_on(app, date(2024, 5, 1))] == ["Step 3"]

    app.admit(case.order, occurred_on=day, recorded_by="udb", admission_id="adm-1",
              institution_id="280727", education_code="eud-gf1", starts_on=date(2024, 5, 6),
              qualifying=True)
    case.at(date(2024, 5, 6)).app.start_education(
        case.order, occurred_on=date(2024, 5, 6), recorded_by="cw-001", admission_id="adm-1")
    assert items_on(app, date(2024, 5, 20)) == []


def test_a_moved_deadline_counts_from_its_new_date_and_names_the_move(
        app: Ungeforloeb, clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))
    case.at(date(2024, 3, 28)).app.move_step_deadline(
        case.order, occurred_on=date(2024, 3, 28), recorded_by="cw-001",
        step=OrderStep.PROPOSE_WISH, deadline=date(2024, 5, 1),
        reason=DeadlineMoveReason.ILLNESS)

    assert items_on(app, date(2024, 4, 10)) == []
    (item,) = items_on(app, date(2024, 5, 2))
    assert item.due_on == date(2024, 5, 1) and item.overdue
    records = {r.type: r.seq for r in app.records()}
    assert item.cause == (records["OrderIssued"], records["StepDeadlineMoved"])


def test_an_ended_order_has_no_deadlines_due(app: Ungeforloeb, clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))
    case.at(date(2024, 3, 25)).app.end_order(case.order, occurred_on=date(2024, 3, 25),
                                             recorded_by="cw-001",
                                             reason=OrderEndReason.LEFT_BENEFIT)
    assert items_on(app, date(2024, 4, 10)) == []


def test_what_was_recorded_late_is_not_known_before_it_was_recorded(
        app: Ungeforloeb, clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))
    # the wish was proposed on 20 March but noted in the case only on 8 April
    case.at(date(2024, 4, 8)).app.propose_wish(case.order, occurred_on=date(2024, 3, 20),
                                               recorded_by="cw-001", education_code="hf")

    assert items_on(app, date(2024, 4, 5)) == []
    (item,) = items_on(app, date(2024, 4, 5), known_at=date(2024, 4, 5))
    assert item.overdue


def test_items_carry_the_current_caseworker_and_filter_by_caseworker_and_team(
        app: Ungeforloeb, clock: SettableClock) -> None:
    first = Case(app, clock, caseworker="cw-001", team="team-a")
    second = Case(app, clock, caseworker="cw-002", team="team-b")
    first.deadline(1, date(2024, 4, 1))
    second.deadline(1, date(2024, 4, 2))
    day = date(2024, 3, 10)
    second.at(day).app.assign_caseworker(second.yp, occurred_on=day, recorded_by="cw-002",
                                         caseworker_id="cw-003", team_id="team-a")

    everything = items_on(app, date(2024, 4, 3))
    assert [(i.caseworker_id, i.team_id) for i in everything] == [
        ("cw-001", "team-a"), ("cw-003", "team-a")]
    assert [i.young_person_id for i in items_on(app, date(2024, 4, 3), caseworker="cw-003")] \
        == [str(second.yp)]
    assert len(items_on(app, date(2024, 4, 3), team="team-a")) == 2
    assert items_on(app, date(2024, 4, 3), team="team-b") == []


def test_overdue_items_come_first_then_by_due_date(app: Ungeforloeb,
                                                   clock: SettableClock) -> None:
    a, b, c = Case(app, clock), Case(app, clock), Case(app, clock)
    a.deadline(1, date(2024, 4, 10))
    b.deadline(1, date(2024, 3, 20))
    c.deadline(1, date(2024, 4, 2))

    items = items_on(app, date(2024, 4, 1))
    assert [(i.due_on, i.overdue) for i in items] == [
        (date(2024, 3, 20), True), (date(2024, 4, 2), False), (date(2024, 4, 10), False)]


def test_other_sources_plug_in_and_keep_their_own_caseworker(
        app: Ungeforloeb, clock: SettableClock) -> None:
    Case(app, clock)

    def always(facts: Facts, on: date) -> list[WorkItem]:
        return [WorkItem(facts.young_person_id, "data_quality", "Check the case", None, False,
                         caseworker_id="cw-999")]

    (item,) = items_on(app, date(2024, 4, 1), sources=[always])
    assert item.caseworker_id == "cw-999"
    assert item.team_id == "team-a"  # filled from the case where the source left it empty


def test_the_due_window_is_the_rules_presentation_data(app: Ungeforloeb,
                                                      clock: SettableClock) -> None:
    case = Case(app, clock)
    case.deadline(1, date(2024, 4, 1))
    on = date(2024, 3, 20)
    assert len(items_on(app, on)) == 1
    assert any(i.kind == "deadline" for i in items_on(app, on, sources=None))  # the default
    files = [(name, raw.replace(b"show_from_days = 14", b"show_from_days = 7"))
             for name, raw in packaged_files()]
    seven = verdict_source(load_rule_set(files))
    assert [i for i in items_on(app, on, sources=[seven]) if i.kind == "deadline"] == []
    assert len([i for i in items_on(app, date(2024, 3, 25), sources=[seven])
                if i.kind == "deadline"]) == 1


def test_the_verdicts_are_a_default_source() -> None:
    assert verdict_items in default_sources()


def test_a_young_person_without_an_order_has_no_deadlines(app: Ungeforloeb,
                                                           clock: SettableClock) -> None:
    app.register_first_contact(occurred_on=FIRST_CONTACT, recorded_by="cw-001",
                               municipality_code="101", birth_date=date(2004, 1, 1))
    assert items_on(app, FIRST_CONTACT + timedelta(days=100)) == []
