"""Random command sequences through the application, on SQLite and PostgreSQL.

A hypothesis state machine registers young people (and young people the youth effort follows
without a benefit case), issues orders, admits, starts, completes and interrupts educations,
opens and closes retention cases (on a risk report or a noted interruption, with the new activity
after it), moves the clock on, and throws in bad input — with dates drawn around the clock's
day, some of them in the future or before the facts they depend on. A light model of the rules
predicts which commands must be refused. After every step:

- a command the model says must be refused raised a ``DomainError`` and wrote nothing; one it
  says is valid wrote exactly one event; nothing else but a ``DomainError`` is ever raised;
- every aggregate rebuilt from the store by a second application equals the live one (held in
  the first application's aggregate cache, never fast-forwarded from the store);
- the status projection kept up incrementally (``follow`` after every step, read in between)
  equals one rebuilt from scratch and the statuses folded from the case files, and agrees with
  the model on what is open and ended;
- the stored log keeps the domain's invariants: nothing recorded before it happened, nothing on
  an order after it ended or on a retention case after it closed;
- a young person the youth effort follows without a benefit case is in no benefit duty's
  population: every verdict of theirs but the youth effort's rules is not applicable;
- the kept verdicts (updated after every step, restarted now and then, rolled as the clock
  moves, with late-recorded events) equal every case judged afresh from its events that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.application.kept import KeptVerdicts, SQLiteKeptStore
from ungeforloeb.domain.errors import DomainError
from ungeforloeb.domain.values import (
    BenefitEndReason,
    ContactChannel,
    DeadlineMoveReason,
    InterruptionReason,
    OfferKind,
    OrderEndReason,
    OrderStep,
    RetentionOutcome,
    VisitationGroup,
    VisitationStage,
    YouthActivity,
)
from ungeforloeb.projections.kept import keep
from ungeforloeb.projections.status import (
    EnrolmentState,
    StatusProjection,
    case_status,
    follow,
    rebuild,
)
from ungeforloeb.projections.worklist import item_order
from ungeforloeb.rules.verdict import Status

START = date(2024, 6, 3)
DAYS_BACK = st.integers(min_value=-1, max_value=120)
"""How many days before the clock's day a first contact happened (negative: in the future)."""
LAG = st.integers(min_value=-3, max_value=25)
"""How many days after the fact it depends on a fact happened (negative: before it, refused;
past the clock's day: in the future, refused)."""
CASEWORKERS = st.sampled_from(["cw-1", "cw-2", "team-north"])
ADMISSIONS = st.sampled_from(["adm-1", "adm-2"])
OFFERS = st.sampled_from(["offer-1", "offer-2"])
STEPS = st.sampled_from(list(OrderStep))


@dataclass
class PersonModel:
    first_contact_on: date
    first_conversation: bool = False
    benefit_ended: bool = False
    open_offers: dict[str, date] = field(default_factory=dict)
    spell_started_on: date | None = None
    """The first contact of the current benefit spell (None: the first contact's)."""
    ended_on: date | None = None
    youth_only: bool = False
    """Followed by the youth effort without a benefit case (spell 0): benefit facts refused."""

    @property
    def spell_start(self) -> date:
        return self.spell_started_on or self.first_contact_on


@dataclass
class EnrolmentModel:
    admitted_on: date
    started_on: date | None = None
    ended: str | None = None


@dataclass
class OrderModel:
    young_person_id: UUID
    issued_on: date
    ended: bool = False
    deadlines: set[OrderStep] = field(default_factory=set)
    enrolments: dict[str, EnrolmentModel] = field(default_factory=dict)


@dataclass
class RetentionModel:
    young_person_id: UUID
    reported_on: date
    closed: bool = False


class CaseMachine(RuleBasedStateMachine):
    """Drives the application; ``stores`` (a ``conftest.Stores``) is set by the test."""

    stores: Any = None

    people = Bundle("people")
    orders = Bundle("orders")
    retention_cases = Bundle("retention_cases")

    def __init__(self) -> None:
        super().__init__()
        env = self.stores.new_store()
        self.clock = SettableClock(START)
        self.app = Ungeforloeb(env={**env, "AGGREGATE_CACHE_MAXSIZE": "10000",
                                    "AGGREGATE_CACHE_FASTFORWARD": "n"}, clock=self.clock)
        self.reader = Ungeforloeb(env=env)
        self.projection = StatusProjection()
        self.kept = KeptVerdicts(self.app)
        self.persons: dict[UUID, PersonModel] = {}
        self.order_models: dict[UUID, OrderModel] = {}
        self.retention_models: dict[UUID, RetentionModel] = {}

    def teardown(self) -> None:
        if isinstance(self.kept.store, SQLiteKeptStore):
            self.kept.store.close()
        for app in (self.app, self.reader):
            app.close()
            app.identities.close()

    # ------------------------------------------------------------------ helpers

    @property
    def today(self) -> date:
        return self.clock().date()

    def day(self, back: int) -> date:
        return self.today - timedelta(days=back)

    @staticmethod
    def after(anchor: date, lag: int) -> date:
        return anchor + timedelta(days=lag)

    def _position(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def attempt(self, must_refuse: bool, command: str, *args: Any, **kwargs: Any) -> Any:
        """Run a command; check refusal against the model and what was written."""
        before = self._position()
        try:
            result = getattr(self.app, command)(*args, **kwargs)
        except DomainError:
            written = self.app.recorder.select_notifications(before + 1, 10)
            assert written == [], f"refused {command} wrote {len(written)} events"
            assert must_refuse, f"{command} refused although the model allows it: {kwargs}"
            return None
        assert not must_refuse, f"{command} accepted although the model refuses it: {kwargs}"
        written = self.app.recorder.select_notifications(before + 1, 10)
        assert len(written) == 1, f"{command} wrote {len(written)} events, not 1"
        return result if result is not None else True

    def _enrolment_day(self, order: UUID, admission: str, lag: int, *, started: bool) -> date:
        model = self.order_models[order]
        enrolment = model.enrolments.get(admission)
        if enrolment is None:
            return self.after(model.issued_on, lag)
        anchor = enrolment.started_on if started and enrolment.started_on else enrolment.admitted_on
        return self.after(anchor, lag)

    def _person_refuses(self, person: PersonModel, on: date) -> bool:
        return on > self.today or on < person.first_contact_on

    def _benefit_refuses(self, person: PersonModel, on: date) -> bool:
        """A benefit fact: refused for a young person without a benefit spell as well."""
        return person.youth_only or self._person_refuses(person, on)

    def _order_refuses(self, order: OrderModel, on: date) -> bool:
        return order.ended or on > self.today or on < order.issued_on

    # ------------------------------------------------------------------ clock

    @rule(days=st.integers(min_value=0, max_value=30))
    def time_passes(self, days: int) -> None:
        self.clock.set(self.today + timedelta(days=days))

    @rule()
    def the_kept_projection_restarts(self) -> None:
        if isinstance(self.kept.store, SQLiteKeptStore):
            self.kept.store.close()
            self.kept = KeptVerdicts(self.app)

    # ------------------------------------------------------------------ young person

    @initialize(target=people, back=st.integers(min_value=30, max_value=120))
    def first_young_person(self, back: int) -> Any:
        return self.register(back)

    @rule(target=people, back=DAYS_BACK)
    def register(self, back: int) -> Any:
        on = self.day(back)
        yp = self.attempt(on > self.today, "register_first_contact", occurred_on=on,
                          recorded_by="cw-1", municipality_code="101",
                          birth_date=date(2003, 2, 1))
        if yp is None:
            return multiple()
        self.persons[yp] = PersonModel(on)
        return yp

    @rule(target=people, back=DAYS_BACK,
          birth=st.sampled_from([date(2008, 3, 1), date(2006, 7, 1), date(2009, 6, 30)]))
    def follow_in_youth_effort(self, back: int, birth: date) -> Any:
        on = self.day(back)
        yp = self.attempt(on > self.today, "follow_in_youth_effort", occurred_on=on,
                          recorded_by="cw-1", municipality_code="101", birth_date=birth)
        if yp is None:
            return multiple()
        self.persons[yp] = PersonModel(on, youth_only=True)
        return yp

    @rule(yp=people, lag=LAG)
    def hold_first_conversation(self, yp: UUID, lag: int) -> None:
        person, on = self.persons[yp], self.after(self.persons[yp].first_contact_on, lag)
        refuse = person.first_conversation or self._benefit_refuses(person, on) or \
            on < person.spell_start
        if self.attempt(refuse, "hold_first_conversation", yp, occurred_on=on,
                        recorded_by="cw-1"):
            person.first_conversation = True

    @rule(yp=people, lag=LAG, stage=st.sampled_from(list(VisitationStage)),
          group=st.sampled_from(list(VisitationGroup)), flag=st.booleans())
    def visitate(self, yp: UUID, lag: int, stage: VisitationStage, group: VisitationGroup,
                 flag: bool) -> None:
        on = self.after(self.persons[yp].first_contact_on, lag)
        self.attempt(self._benefit_refuses(self.persons[yp], on), "visitate", yp, occurred_on=on,
                     recorded_by="cw-1", stage=stage, group=group, perspective_recorded=flag,
                     justification_recorded=not flag)

    @rule(yp=people, lag=LAG, caseworker=CASEWORKERS)
    def assign_caseworker(self, yp: UUID, lag: int, caseworker: str) -> None:
        on = self.after(self.persons[yp].first_contact_on, lag)
        self.attempt(self._person_refuses(self.persons[yp], on), "assign_caseworker", yp,
                     occurred_on=on, recorded_by="cw-1", caseworker_id=caseworker,
                     team_id="team-north")

    @rule(yp=people, lag=LAG, offer=OFFERS)
    def start_offer(self, yp: UUID, lag: int, offer: str) -> None:
        person, on = self.persons[yp], self.after(self.persons[yp].first_contact_on, lag)
        refuse = offer in person.open_offers or self._benefit_refuses(person, on)
        if self.attempt(refuse, "start_offer", yp, occurred_on=on, recorded_by="cw-1",
                        offer_id=offer, kind=OfferKind.COMPANY_INTERNSHIP,
                        individually_assessed=True, purpose_stated=True):
            person.open_offers[offer] = on

    @rule(yp=people, lag=LAG, offer=OFFERS)
    def end_offer(self, yp: UUID, lag: int, offer: str) -> None:
        person, on = self.persons[yp], self.after(self.persons[yp].first_contact_on, lag)
        started = person.open_offers.get(offer)
        refuse = started is None or on < started or self._benefit_refuses(person, on)
        if self.attempt(refuse, "end_offer", yp, occurred_on=on, recorded_by="cw-1",
                        offer_id=offer):
            del person.open_offers[offer]

    @rule(yp=people, lag=LAG)
    def end_benefit(self, yp: UUID, lag: int) -> None:
        person, on = self.persons[yp], self.after(self.persons[yp].first_contact_on, lag)
        refuse = person.benefit_ended or self._benefit_refuses(person, on) or \
            on < person.spell_start
        if self.attempt(refuse, "end_benefit", yp, occurred_on=on, recorded_by="cw-1",
                        reason=BenefitEndReason.STARTED_EDUCATION):
            person.benefit_ended = True
            person.ended_on = on

    @rule(yp=people, lag=st.integers(min_value=-2, max_value=25))
    def return_to_benefit(self, yp: UUID, lag: int) -> None:
        person = self.persons[yp]
        on = self.after(person.ended_on or person.spell_start, lag)
        if person.youth_only:  # the first benefit spell of a young person the youth effort follows
            refuse = self._person_refuses(person, on)
        else:
            refuse = not person.benefit_ended or person.ended_on is None or \
                on <= person.ended_on or self._person_refuses(person, on)
        if self.attempt(refuse, "return_to_benefit", young_person_id=yp, occurred_on=on,
                        recorded_by="cw-1"):
            person.benefit_ended = False
            person.ended_on = None
            person.spell_started_on = on
            person.first_conversation = False
            person.youth_only = False

    # ------------------------------------------------------------------ orders

    @rule(target=orders, yp=people, lag=LAG)
    def issue_order(self, yp: UUID, lag: int) -> Any:
        on = self.after(self.persons[yp].first_contact_on, lag)
        order = self.attempt(self._benefit_refuses(self.persons[yp], on), "issue_order", yp,
                             occurred_on=on, recorded_by="cw-1")
        if order is None:
            return multiple()
        self.order_models[order] = OrderModel(yp, on)
        return order

    @rule(order=orders, lag=LAG, step=STEPS,
          ahead=st.integers(min_value=-3, max_value=60))
    def set_step_deadline(self, order: UUID, lag: int, step: OrderStep, ahead: int) -> None:
        model, on = self.order_models[order], self.after(self.order_models[order].issued_on, lag)
        refuse = step in model.deadlines or ahead < 0 or self._order_refuses(model, on)
        if self.attempt(refuse, "set_step_deadline", order, occurred_on=on, recorded_by="cw-1",
                        step=step, deadline=on + timedelta(days=ahead)):
            model.deadlines.add(step)

    @rule(order=orders, lag=LAG, step=STEPS, ahead=st.integers(min_value=0, max_value=60))
    def move_step_deadline(self, order: UUID, lag: int, step: OrderStep, ahead: int) -> None:
        model, on = self.order_models[order], self.after(self.order_models[order].issued_on, lag)
        refuse = step not in model.deadlines or self._order_refuses(model, on)
        self.attempt(refuse, "move_step_deadline", order, occurred_on=on, recorded_by="cw-1",
                     step=step, deadline=on + timedelta(days=ahead),
                     reason=DeadlineMoveReason.ILLNESS)

    @rule(order=orders, lag=LAG)
    def propose_wish(self, order: UUID, lag: int) -> None:
        model, on = self.order_models[order], self.after(self.order_models[order].issued_on, lag)
        self.attempt(self._order_refuses(model, on), "propose_wish", order, occurred_on=on,
                     recorded_by="cw-1", education_code="EUD-1")

    @rule(order=orders, lag=LAG, admission=ADMISSIONS)
    def admit(self, order: UUID, lag: int, admission: str) -> None:
        model, on = self.order_models[order], self.after(self.order_models[order].issued_on, lag)
        refuse = admission in model.enrolments or self._order_refuses(model, on)
        if self.attempt(refuse, "admit", order, occurred_on=on, recorded_by="udb",
                        admission_id=admission, institution_id="280727",
                        education_code="EUD-1", starts_on=on + timedelta(days=30),
                        qualifying=True):
            model.enrolments[admission] = EnrolmentModel(on)

    @rule(order=orders, lag=LAG, admission=ADMISSIONS, ordered=st.booleans())
    def assess_duty_to_start(self, order: UUID, lag: int, admission: str,
                             ordered: bool) -> None:
        model = self.order_models[order]
        on = self._enrolment_day(order, admission, lag, started=False)
        enrolment = model.enrolments.get(admission)
        refuse = (enrolment is None or on < enrolment.admitted_on
                  or self._order_refuses(model, on))
        self.attempt(refuse, "assess_duty_to_start", order, occurred_on=on, recorded_by="cw-1",
                     admission_id=admission, ordered_to_start_and_complete=ordered)

    @rule(order=orders, lag=LAG, admission=ADMISSIONS)
    def start_education(self, order: UUID, lag: int, admission: str) -> None:
        model = self.order_models[order]
        on = self._enrolment_day(order, admission, lag, started=False)
        enrolment = model.enrolments.get(admission)
        refuse = (enrolment is None or enrolment.started_on is not None
                  or on < enrolment.admitted_on or self._order_refuses(model, on))
        if self.attempt(refuse, "start_education", order, occurred_on=on, recorded_by="udb",
                        admission_id=admission):
            assert enrolment is not None
            enrolment.started_on = on

    @rule(order=orders, lag=LAG, admission=ADMISSIONS, completed=st.booleans())
    def end_education(self, order: UUID, lag: int, admission: str, completed: bool) -> None:
        model = self.order_models[order]
        on = self._enrolment_day(order, admission, lag, started=True)
        enrolment = model.enrolments.get(admission)
        refuse = (enrolment is None or enrolment.started_on is None
                  or enrolment.ended is not None or on < enrolment.started_on
                  or self._order_refuses(model, on))
        if completed:
            done = self.attempt(refuse, "complete_education", order, occurred_on=on,
                                recorded_by="udb", admission_id=admission)
        else:
            done = self.attempt(refuse, "interrupt_education", order, occurred_on=on,
                                recorded_by="udb", admission_id=admission,
                                reason=InterruptionReason.DROPOUT)
        if done:
            assert enrolment is not None
            enrolment.ended = "completed" if completed else "interrupted"

    @rule(order=orders, lag=LAG)
    def end_order(self, order: UUID, lag: int) -> None:
        model, on = self.order_models[order], self.after(self.order_models[order].issued_on, lag)
        if self.attempt(self._order_refuses(model, on), "end_order", order, occurred_on=on,
                        recorded_by="cw-1", reason=OrderEndReason.OTHER):
            model.ended = True

    # ------------------------------------------------------------------ retention

    @rule(target=retention_cases, yp=people, back=DAYS_BACK,
          delay=st.integers(min_value=-1, max_value=5), with_order=st.booleans(),
          data=st.data())
    def report_risk_of_dropout(self, yp: UUID, back: int, delay: int, with_order: bool,
                               data: st.DataObject) -> Any:
        on = self.day(back)
        received = on + timedelta(days=delay)
        mine = sorted((o for o, m in self.order_models.items() if m.young_person_id == yp),
                      key=str)
        order = data.draw(st.sampled_from(mine)) if with_order and mine else None
        refuse = (received < on or received > self.today
                  or on < self.persons[yp].first_contact_on)
        case = self.attempt(refuse, "report_risk_of_dropout", yp, occurred_on=on,
                            recorded_by="udb", institution_id="280727",
                            report_id=f"udb-{uuid4().hex[:8]}", received_on=received,
                            order_id=order)
        if case is None:
            return multiple()
        self.retention_models[case] = RetentionModel(yp, on)
        return case

    @rule(target=retention_cases, yp=people, back=DAYS_BACK,
          delay=st.integers(min_value=-1, max_value=5))
    def note_interruption(self, yp: UUID, back: int, delay: int) -> Any:
        on = self.day(back)
        received = on + timedelta(days=delay)
        refuse = (received < on or received > self.today
                  or on < self.persons[yp].first_contact_on)
        case = self.attempt(refuse, "note_interruption", yp, occurred_on=on, recorded_by="udb",
                            institution_id="280727", report_id=f"udb-{uuid4().hex[:8]}",
                            received_on=received)
        if case is None:
            return multiple()
        self.retention_models[case] = RetentionModel(yp, on)
        return case

    @rule(case=retention_cases, lag=LAG, activity=st.sampled_from(list(YouthActivity)))
    def start_new_activity(self, case: UUID, lag: int, activity: YouthActivity) -> None:
        on = self.after(self.retention_models[case].reported_on, lag)
        self.attempt(self._retention_refuses(self.retention_models[case], on),
                     "start_new_activity", case, occurred_on=on, recorded_by="cw-1",
                     activity=activity)

    def _retention_refuses(self, case: RetentionModel, on: date) -> bool:
        return case.closed or on > self.today or on < case.reported_on

    @rule(case=retention_cases, lag=LAG)
    def contact_young_person(self, case: UUID, lag: int) -> None:
        on = self.after(self.retention_models[case].reported_on, lag)
        self.attempt(self._retention_refuses(self.retention_models[case], on),
                     "contact_young_person", case, occurred_on=on, recorded_by="cw-1",
                     channel=ContactChannel.PHONE)

    @rule(case=retention_cases, lag=LAG)
    def close_retention_case(self, case: UUID, lag: int) -> None:
        model = self.retention_models[case]
        on = self.after(model.reported_on, lag)
        if self.attempt(self._retention_refuses(model, on), "close_retention_case", case,
                        occurred_on=on, recorded_by="cw-1", outcome=RetentionOutcome.RETAINED):
            model.closed = True

    # ------------------------------------------------------------------ bad input

    @rule(yp=people, who=st.sampled_from(["Hanne Hansen", "", "CW-1", "hanne@kommune.dk"]))
    def a_name_as_recorder_is_refused(self, yp: UUID, who: str) -> None:
        self.attempt(True, "hold_conversation", yp, occurred_on=self.today, recorded_by=who,
                     follows_up_current_step=True, education_focus=True)

    @rule(command=st.sampled_from(["propose_wish", "hold_first_conversation",
                                   "contact_young_person"]))
    def an_unknown_id_is_refused(self, command: str) -> None:
        arguments: dict[str, Any] = {"occurred_on": self.today, "recorded_by": "cw-1"}
        if command == "propose_wish":
            arguments["education_code"] = "EUD-1"
        if command == "contact_young_person":
            arguments["channel"] = ContactChannel.LETTER
        self.attempt(True, command, uuid4(), **arguments)

    @rule(order=orders)
    def an_order_id_is_not_a_young_person(self, order: UUID) -> None:
        self.attempt(True, "hold_first_conversation", order, occurred_on=self.today,
                     recorded_by="cw-1")

    # ------------------------------------------------------------------ invariants

    @invariant()
    def every_aggregate_rebuilt_from_the_store_equals_the_live_one(self) -> None:
        for aggregate_id in [*self.persons, *self.order_models, *self.retention_models]:
            live = self.app.repository.get(aggregate_id)
            assert self.reader.repository.get(aggregate_id) == live

    @invariant()
    def the_incremental_status_equals_the_rebuilt_one(self) -> None:
        follow(self.app, self.projection)
        assert self.projection.position == self._position()
        records = list(self.reader.records())
        assert rebuild(records) == self.projection
        folded = {k: case_status(cf.facts()) for k, cf in self.reader.case_files().items()}
        assert folded == self.projection.all()
        for yp, person in self.persons.items():
            status = self.projection.status(yp)
            assert status.benefit_ended == person.benefit_ended
        for order_id, model in self.order_models.items():
            status = self.projection.status(model.young_person_id)
            (order,) = [o for o in status.orders if o.order_id == str(order_id)]
            assert order.open is not model.ended
            states = {a.admission_id: a.state for a in order.admissions}
            expected = {
                k: (EnrolmentState(e.ended) if e.ended else
                    EnrolmentState.STARTED if e.started_on else EnrolmentState.ADMITTED)
                for k, e in model.enrolments.items()
            }
            assert states == expected
        for case_id, model in self.retention_models.items():
            status = self.projection.status(model.young_person_id)
            assert (str(case_id) in status.open_retention_cases) is not model.closed

    @invariant()
    def the_kept_verdicts_equal_every_case_judged_afresh(self) -> None:
        self.kept.update(self.today)
        assert self.kept.store.position() == self._position()
        rules = self.kept.rules
        fresh = {k: keep(cf, self.today, rules) for k, cf in self.reader.case_files().items()}
        assert self.kept.verdicts() == [v for k in sorted(fresh) for v in fresh[k].verdicts]
        for caseworker in (None, "cw-1", "team-north"):
            expected = sorted((i for f in fresh.values() for i in f.items
                               if caseworker is None or i.caseworker_id == caseworker),
                              key=item_order)
            assert self.kept.worklist(caseworker=caseworker) == expected

    @invariant()
    def the_youth_effort_only_is_in_no_benefit_duty(self) -> None:
        rules = self.kept.rules
        youth_rules = {r.id for r in rules.rules if r.population.youth_effort}
        youth_only = {str(yp) for yp, p in self.persons.items() if p.youth_only}
        fresh = {k: cf for k, cf in self.reader.case_files().items() if k in youth_only}
        for case_id, cf in fresh.items():
            for v in keep(cf, self.today, rules).verdicts:
                if v.rule_id not in youth_rules:
                    assert v.status is Status.NOT_APPLICABLE, (case_id, v)

    @invariant()
    def the_stored_log_keeps_the_domains_invariants(self) -> None:
        ended: set[str] = set()
        for rec in self.reader.records():
            assert rec.occurred_on <= rec.recorded_on, rec
            assert rec.stream_id not in ended, f"{rec.type} after the stream ended: {rec}"
            if rec.type in ("OrderEnded", "RetentionCaseClosed"):
                ended.add(rec.stream_id)


def _machine(stores: Any) -> type[CaseMachine]:
    return type(f"CaseMachineOn{stores.kind.title()}", (CaseMachine,), {"stores": stores})


def test_random_command_sequences_keep_every_invariant(stores):
    """SQLite runs half the profile's examples, PostgreSQL an eighth (at least 3): about 30 s
    together in the ci profile."""
    profile = settings.default
    share = 2 if stores.kind == "sqlite" else 8
    run_state_machine_as_test(
        _machine(stores),
        settings=settings(profile, max_examples=max(3, profile.max_examples // share),
                          stateful_step_count=50),
    )
