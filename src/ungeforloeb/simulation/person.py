"""One young person's path, planned from their first contact to the scenario's last day.

How often things happen is calibrated on the focus audit's shares (``CONTROL_POINTS.md``): the
first conversation within a week in about 92 % of cases, the final visitation within 3 months in
about 94 %, the visitation mix near 14/52/34 % ÅUP/UP/AP, the education order at the first
conversation in about 79 % (98 % of ÅUP), the FVU test need assessed in about 69 %, the 225-hour
rule explained in 61 %, a coordinating caseworker offered to 14 % of AP, a follow-up on the
order's current step in about half the conversations, the CV in time for 19 % of ÅUP, the duty
to start assessed for 45 % of admissions, one caseworker for 59 % of cases. The audit's sample
over-weighted transitions to education; the simulation's rates of admission, dropout and
completion are plausible figures, not the audit's.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

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
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.simulation.institutions import with_institution_messages
from ungeforloeb.simulation.plan import CASEWORKER, SELF, SYSTEM, Action, Plan, seeded_uuid
from ungeforloeb.simulation.scenario import World

AUP = VisitationGroup.OBVIOUSLY_EDUCATION_READY
UP = VisitationGroup.EDUCATION_READY
AP = VisitationGroup.ACTIVITY_READY

UDB = "udb"
"""``recorded_by`` of what the institutions report through Ungedatabasen."""
SELF_SERVICE = "jobnet"
"""``recorded_by`` of a first contact made online (e.g. on a weekend)."""

GROUP_MIX = ((AUP, 0.14), (UP, 0.52), (AP, 0.34))
"""Visitation group at the first conversation (the audit's 14/52/34 %)."""

INSTITUTIONS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    # (institution number, ((education code, weeks to complete), …)). Illustrative numbers.
    ("280727", (("eud-gf1", 20), ("eud-gf2", 20), ("eux", 156))),
    ("851401", (("eud-gf2", 20), ("eud-hf-sosu", 60))),
    ("157209", (("hf", 80), ("stx", 120))),
    ("461104", (("hhx", 120), ("htx", 120))),
    ("751450", (("eud-gf1", 20), ("eud-gf2", 20))),
)
WISHES = ("eud-gf1", "eud-gf2", "eux", "hf", "stx", "hhx", "htx", "eud-hf-sosu")


class Admission:
    """An admission planned under the order, before it is placed in the plan."""

    __slots__ = ("education_code", "institution_id", "placed_on", "starts_on", "weeks")

    def __init__(self, placed_on: date, institution_id: str, education_code: str, weeks: int,
                 starts_on: date) -> None:
        self.placed_on = placed_on
        self.institution_id = institution_id
        self.education_code = education_code
        self.weeks = weeks
        self.starts_on = starts_on


RETURN_RATE = 0.2
"""Share of those who leave benefit without education that come back within the scenario: a
new benefit spell (a plausible figure, not the audit's)."""
YOUTH_EFFORT_RATE = 0.03
"""Share of the arrivals that are 15–17-year-olds the youth effort follows without benefit
(drawn from a stream of their own, so the other people's paths and ids do not move)."""
YOUTH_EFFORT = "kui-1"
"""``recorded_by`` of the youth effort's records (a team id)."""


def plan_person(world: World, rng: random.Random, first_contact: date, *,
                youth_effort: bool = False) -> list[Action]:
    """Plan one young person's path from ``first_contact`` to the scenario's last day, or with
    ``youth_effort`` a 15–17-year-old the youth effort follows without benefit."""
    if youth_effort:
        return _youth_effort(world, rng, first_contact)
    return with_institution_messages(  # the institutions' reports through the exchange
        _Person(world, rng, first_contact).plan_all(), rng, world.scenario.last_day)


def _youth_effort(world: World, rng: random.Random, since: date) -> list[Action]:
    """A 15–17-year-old the youth effort follows without benefit: an interruption the
    municipality learns of, the contact (within 5 working days in most cases) and a new
    activity (within 30 days in most)."""
    cal, last = world.cal, world.scenario.last_day
    plan = Plan(rng, cal)
    yp = seeded_uuid(rng)
    age = rng.choice((15, 16, 17))
    birth = since - timedelta(days=365 * age + rng.randrange(300) + age // 4)
    since = cal.next_working_day(since)
    plan.add(since, "follow_in_youth_effort", None, YOUTH_EFFORT, deps=(), recorded_on=since,
             municipality_code=world.scenario.municipality_code, birth_date=birth,
             young_person_id=yp)
    dropped = cal.next_working_day(since + timedelta(days=rng.randint(0, 90)))
    received = cal.next_working_day(dropped + timedelta(days=rng.randint(0, 5)))
    case_id = seeded_uuid(rng)
    opened = plan.add(dropped, "note_interruption", yp, YOUTH_EFFORT, recorded_on=received,
                      institution_id=INSTITUTIONS[rng.randrange(len(INSTITUTIONS))][0],
                      report_id=f"afb-{rng.getrandbits(48):012x}", received_on=received,
                      case_id=case_id)
    contacted = cal.add_working_days(received, rng.randint(0, 4) if rng.random() < 0.85
                                     else rng.randint(6, 12))
    plan.add(contacted, "contact_young_person", case_id, YOUTH_EFFORT, deps=(opened,),
             channel=rng.choice(list(ContactChannel)))
    if rng.random() < 0.8:
        started = received + timedelta(days=rng.randint(7, 28) if rng.random() < 0.8
                                       else rng.randint(31, 60))
        plan.add(started, "start_new_activity", case_id, YOUTH_EFFORT, deps=(opened,),
                 activity=rng.choice(list(YouthActivity)))
    return plan.actions(last)


class _Person:
    """The planner of one young person: state shared by the phases of their path."""

    def __init__(self, world: World, rng: random.Random, first_contact: date) -> None:
        self.world = world
        self.rng = rng
        self.cal = world.cal
        self.last = world.scenario.last_day
        self.first_contact = first_contact
        self.plan = Plan(rng, world.cal)
        self.yp = seeded_uuid(rng)
        self.order_id = seeded_uuid(rng)
        self.order_acts: list[int] = []
        """Indices of the order's actions (an ended order must be recorded after them all)."""
        self.changes = self._caseworkers()
        self.group = AP
        self.first_conversation = first_contact
        self.exit_on: date | None = None
        self.exit_reason = BenefitEndReason.STARTED_WORK
        self.started_on: date | None = None
        self.resumed_on: date | None = None

    # ------------------------------------------------------------------ helpers

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def days(self, lo: int, hi: int) -> timedelta:
        return timedelta(days=self.rng.randint(lo, hi))

    def wd(self, day: date) -> date:
        return self.cal.next_working_day(day)

    def caseworker_on(self, day: date) -> str:
        who = self.changes[0][1]
        for when, caseworker, _team in self.changes:
            if when <= day:
                who = caseworker
        return who

    def note(self, day: date, command: str, **kwargs: Any) -> int:
        """Plan a command on the young person by their caseworker of the day."""
        return self.plan.add(day, command, self.yp, self.caseworker_on(day), **kwargs)

    def on_order(self, day: date, command: str, *, deps: tuple[int, ...] | None = None,
                 actor: str | None = None, **kwargs: Any) -> int:
        """Plan a command on the order, by the caseworker of the day unless ``actor``."""
        i = self.plan.add(day, command, self.order_id, actor or self.caseworker_on(day),
                          deps=deps or (self.order_acts[0],), **kwargs)
        self.order_acts.append(i)
        return i

    @property
    def active_until(self) -> date:
        """The last day of the active effort (conversations, offers) unless education starts."""
        return self.exit_on or self.last

    # ------------------------------------------------------------------ the path

    def plan_all(self) -> list[Action]:
        self._open_case()
        self._decide_exit()
        admission = self._order()
        if admission is not None:
            self.exit_on = None  # admitted: they leave benefit for education, if at all
            self._education(admission)
        self._final_visitation()
        self._duties()
        self._effort()
        self._outside_duties()
        self._leave()
        return self.plan.actions(self.last)

    def _caseworkers(self) -> list[tuple[date, str, str]]:
        """Caseworkers over time: 59 % keep one, about 20 % see three or more (audit #16)."""
        pool_all = self.world.caseworkers
        cw, team = pool_all[self.rng.randrange(len(pool_all))]
        changes = [(self.first_contact, cw, team)]
        r = self.rng.random()
        n_changes = 0 if r < 0.59 else 1 if r < 0.80 else 2 + (self.rng.random() < 0.3)
        for _ in range(n_changes):
            when = self.wd(self.first_contact + self.days(30, 330))
            same_team = [c for c in pool_all if c[1] == team and c[0] != cw]
            pool = same_team if same_team and self.rng.random() < 0.8 else list(pool_all)
            changes.append((when, *pool[self.rng.randrange(len(pool))]))
        changes.sort()
        return changes

    def _open_case(self) -> None:
        """First contact, caseworker, first conversation and preliminary visitation."""
        rng, plan, fc = self.rng, self.plan, self.first_contact
        age = rng.choices(range(18, 30), weights=(9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 2))[0]
        birth = fc - timedelta(days=365 * age + rng.randrange(365) + age // 4)
        online = not self.cal.is_working_day(fc)
        first_cw = self.changes[0][1]
        plan.add(fc, "register_first_contact", None, SELF_SERVICE if online else first_cw,
                 deps=(), how=SELF if online else CASEWORKER, recorded_on=fc,
                 municipality_code=self.world.scenario.municipality_code, birth_date=birth,
                 young_person_id=self.yp)
        for when, caseworker, team in self.changes:
            plan.add(self.wd(when), "assign_caseworker", self.yp, caseworker,
                     caseworker_id=caseworker, team_id=team)

        r = rng.random()
        if r < 0.40 and not online:
            fcv = fc
        elif r < 0.92:  # audit #1: 92 % within a week
            fcv = self.wd(fc + self.days(1, 5))
            if fcv > fc + timedelta(days=7):
                fcv = self.cal.add_working_days(fc, 1)
        else:
            fcv = self.wd(fc + self.days(9, 35))
        self.first_conversation = fcv
        self.note(fcv, "hold_first_conversation")

        r = rng.random()
        self.group = AUP if r < GROUP_MIX[0][1] else UP if r < 1 - GROUP_MIX[2][1] else AP
        self.note(fcv, "visitate", stage=VisitationStage.PRELIMINARY, group=self.group,
                  perspective_recorded=self.chance(0.87),
                  justification_recorded=self.chance(0.75 if self.group is not UP else 0.5))

    def _decide_exit(self) -> None:
        """About one in seven leaves benefit without education within months (work, moving
        away); of the others, most who do not start an education leave within three years."""
        if self.chance(0.14):
            self.exit_on = self.wd(self.first_contact + self.days(45, 280))
        elif self.chance(0.6):
            self.exit_on = self.wd(self.first_contact + self.days(281, 1100))
        if self.exit_on is not None:
            r = self.rng.random()
            self.exit_reason = (BenefitEndReason.STARTED_WORK if r < 0.7
                                else BenefitEndReason.MOVED if r < 0.88
                                else BenefitEndReason.OTHER)

    def _order(self) -> Admission | None:
        """The education order: issued, step deadlines set and moved, wish, application."""
        rng, group, fcv = self.rng, self.group, self.first_conversation
        if self.chance(0.98 if group is AUP else 0.75):  # audit #9: 79 %, ÅUP 98 %
            issued: date | None = fcv
        elif self.chance(0.75):
            issued = self.wd(fcv + self.days(7, 60))
        else:
            issued = None
        if issued is None or issued >= self.active_until:
            return None
        self.order_acts.append(self.plan.add(issued, "issue_order", self.yp,
                                             self.caseworker_on(issued),
                                             order_id=self.order_id))

        # step 1: propose a wish by a deadline; moved now and then (003:2717)
        deadline = self.wd(issued + self.days(14, 42))
        set_1 = self.on_order(issued, "set_step_deadline", step=OrderStep.PROPOSE_WISH,
                              deadline=deadline)
        moves: list[tuple[date, date]] = []
        n_moves = 0 if rng.random() < 0.72 else 1 if rng.random() < 0.6 else rng.randint(2, 4)
        for _ in range(n_moves):
            moved_on = max(self.wd(deadline - self.days(0, 10)), issued)
            deadline = self.wd(deadline + self.days(14, 42))
            moves.append((moved_on, deadline))
        wished: date | None = None
        if self.chance(0.82 if group is not AP else 0.6):
            if rng.random() < 0.65:
                wished = self.wd(issued + timedelta(
                    days=rng.randint(0, max(0, (deadline - issued).days))))
            else:
                wished = self.wd(deadline + self.days(1, 45))
            if wished > self.active_until:
                wished = None
        previous = set_1
        for moved_on, moved_to in moves:
            if (wished is not None and moved_on >= wished) or moved_on > self.active_until:
                break
            reason = (DeadlineMoveReason.OTHER if rng.random() < 0.4
                      else rng.choice(list(DeadlineMoveReason)))
            previous = self.on_order(moved_on, "move_step_deadline", deps=(previous,),
                                     step=OrderStep.PROPOSE_WISH, deadline=moved_to,
                                     reason=reason)
        if wished is None:
            return None

        education = rng.choice(WISHES)
        self.on_order(wished, "propose_wish", education_code=education)
        # step 2: apply by a deadline
        deadline_2 = self.wd(wished + self.days(21, 56))
        self.on_order(wished, "set_step_deadline", step=OrderStep.APPLY, deadline=deadline_2)
        if not self.chance(0.78):
            return None
        applied = (self.wd(wished + timedelta(days=rng.randint(
            0, max(0, (deadline_2 - wished).days)))) if rng.random() < 0.7
            else self.wd(deadline_2 + self.days(1, 40)))
        offering = [(i, p) for i, p in INSTITUTIONS if any(c == education for c, _ in p)]
        institution, programmes = rng.choice(offering if rng.random() < 0.85 else INSTITUTIONS)
        code, weeks = next(((c, w) for c, w in programmes if c == education),
                           rng.choice(programmes))
        if applied > self.active_until:
            return None
        self.on_order(applied, "submit_application", institution_id=institution,
                      education_code=code)
        if not self.chance(0.72 if group is not AP else 0.45):
            return None
        placed = applied + self.days(7, 42)
        start = placed + self.days(14, 70)
        start = self.wd(start + timedelta(days=(7 - start.weekday()) % 7))  # a Monday
        if self.exit_on is not None and placed >= self.exit_on:
            return None
        return Admission(placed, institution, code, weeks, start)

    def _education(self, adm: Admission) -> None:
        """Admission through UDB, duty and support assessed, start, then dropout or completion."""
        rng, plan = self.rng, self.plan
        adm_id = f"adm-{rng.getrandbits(48):012x}"
        reported = adm.placed_on + self.days(1, 7)  # one system reports 7 days after placement
        admitted = plan.add(adm.placed_on, "admit", self.order_id, UDB,
                            deps=(self.order_acts[0],), how=SYSTEM, recorded_on=reported,
                            admission_id=adm_id, institution_id=adm.institution_id,
                            education_code=adm.education_code, starts_on=adm.starts_on,
                            qualifying=True)
        self.order_acts.append(admitted)
        seen = self.wd(reported)
        self.on_order(seen, "set_step_deadline", deps=(admitted,),
                      step=OrderStep.START_AND_COMPLETE, deadline=max(adm.starts_on, seen))
        if self.chance(0.45):  # audit #32: 45 %
            assessed = self.wd(seen + self.days(0, 14))
            self.on_order(assessed, "assess_duty_to_start", deps=(admitted,),
                          admission_id=adm_id, ordered_to_start_and_complete=self.chance(0.9))
        if seen.year >= 2022 and self.chance(0.5):
            self._support(seen, admitted, adm_id)
        if not self.chance(0.9) or adm.starts_on > self.last:
            return
        start = adm.starts_on
        self.started_on = start
        started = self.on_order(start, "start_education", deps=(admitted,), admission_id=adm_id)
        at_risk = self.chance(0.35)
        dropped_on = start + self.days(30, 200) if self.chance(0.45 if at_risk else 0.10) \
            else None
        completed_on = start + timedelta(weeks=adm.weeks)
        if dropped_on is not None and dropped_on >= completed_on:
            dropped_on = completed_on - self.days(7, 30)
        if dropped_on is None:
            self.note(start, "end_benefit", reason=BenefitEndReason.STARTED_EDUCATION)
        if self.chance(0.09):  # audit #35: "knap 9 pct."
            granted = self.wd(start - self.days(0, 14))
            self.note(granted, "grant_mentor", purpose=MentorPurpose.TRANSITION,
                      until=granted + timedelta(days=182))
        if at_risk:
            noted = start + self.days(20, 150)
            if dropped_on is not None and rng.random() < 0.8:
                # the message comes late, sometimes after the dropout (001:1011)
                noted = max(dropped_on + self.days(-40, 10), start)
            self._retention(noted, dropped_on, adm.institution_id, adm_id)
        if dropped_on is not None:
            reported = dropped_on + self.days(1, 10)
            self.on_order(dropped_on, "interrupt_education", deps=(started,), actor=UDB,
                          how=SYSTEM,
                          recorded_on=reported, admission_id=adm_id,
                          reason=(InterruptionReason.DROPOUT if rng.random() < 0.7
                                  else rng.choice(list(InterruptionReason))))
            self.resumed_on = self.wd(reported)
            return
        reported = completed_on + self.days(1, 14)
        self.on_order(completed_on, "complete_education", deps=(started,), actor=UDB,
                      how=SYSTEM,
                      recorded_on=reported, admission_id=adm_id)
        ended = self.wd(reported)
        self.plan.add(ended, "end_order", self.order_id, self.caseworker_on(ended),
                      deps=tuple(self.order_acts), reason=OrderEndReason.EDUCATION_COMPLETED)
        self.order_acts.clear()

    def _support(self, seen: date, admitted: int, adm_id: str) -> None:
        """The support assessment by the predefined options (from 2022), now and then sent."""
        assessed = self.wd(seen + self.days(0, 21))
        caseworker = self.caseworker_on(assessed)
        no_need = self.chance(0.45)
        assessment = self.on_order(
            assessed, "assess_support", deps=(admitted,), admission_id=adm_id,
            academic_support=not no_need and self.chance(0.6),
            social_support=not no_need and self.chance(0.5),
            needs_documented=not no_need and self.chance(0.5), no_support_need=no_need,
            other_support_persons=self.chance(0.3),
            wants_institution_contact=self.chance(0.6), contact_kind=ContactKind.PERSON,
            contact_id=caseworker)
        if self.chance(0.15):
            self.on_order(assessed, "notify_institution", deps=(assessment,),
                          admission_id=adm_id,
                          message_id=f"msg-{self.rng.getrandbits(48):012x}")

    def _retention(self, noted: date, dropped_on: date | None, institution_id: str,
                   adm_id: str) -> None:
        """A risk-of-dropout message, and what the municipality does about it."""
        rng, plan, cal = self.rng, self.plan, self.cal
        case_id = seeded_uuid(rng)
        received = noted + timedelta(days=rng.randint(0, 3))
        opened = plan.add(noted, "report_risk_of_dropout", self.yp, UDB, how=SYSTEM,
                          recorded_on=received, institution_id=institution_id,
                          report_id=f"risk-{rng.getrandbits(48):012x}", received_on=received,
                          order_id=self.order_id, admission_id=adm_id, case_id=case_id)
        acts = [opened]
        seen = cal.next_working_day(received)
        if self.chance(0.65):
            contacted = cal.add_working_days(seen, rng.randint(0, 8))
            acts.append(plan.add(contacted, "contact_young_person", case_id,
                                 self.caseworker_on(contacted), deps=(opened,),
                                 channel=rng.choice(list(ContactChannel))))
            if self.chance(0.6):
                decided = cal.add_working_days(contacted, rng.randint(1, 10))
                acts.append(plan.add(decided, "decide_retention_initiative", case_id,
                                     self.caseworker_on(decided), deps=(opened,),
                                     initiative=rng.choice(list(RetentionInitiative)),
                                     with_institution=self.chance(0.7)))
        if dropped_on is not None:
            closed = cal.next_working_day(max(dropped_on, seen) + self.days(5, 20))
            outcome = RetentionOutcome.DROPPED_OUT
        elif self.chance(0.7):
            closed = cal.next_working_day(seen + self.days(20, 90))
            outcome = RetentionOutcome.RETAINED
        else:
            return
        plan.add(closed, "close_retention_case", case_id, self.caseworker_on(closed),
                 deps=tuple(acts), outcome=outcome)

    def _final_visitation(self) -> None:
        """Final visitation (audit #2: 94 % within 3 months); coordinating caseworker, mentor."""
        fc, fcv, group = self.first_contact, self.first_conversation, self.group
        until = self.started_on or self.active_until
        if self.chance(0.94):
            final_on = self.wd(fc + self.days(10, 88))
        else:
            final_on = self.wd(fc + self.days(95, 160))
        final_on = max(final_on, fcv)
        if final_on <= until:
            stays = {AUP: 0.9, UP: 0.93, AP: 0.92}[group]
            final = group if self.rng.random() < stays else (AP if group is UP else UP)
            self.note(final_on, "visitate", stage=VisitationStage.FINAL, group=final,
                      perspective_recorded=self.chance(0.87),
                      justification_recorded=self.chance(0.75))
            self.group = final
        if self.group is AP and self.chance(0.14):  # audit #11: 14 %
            self.note(self.wd(fcv + self.days(0, 20)), "offer_coordinating_caseworker")
        if self.chance({AUP: 0.05, UP: 0.31, AP: 0.58}[self.group]):  # audit #19
            granted = self.wd(fcv + self.days(14, 150))
            if granted <= until:
                self.note(granted, "grant_mentor", purpose=MentorPurpose.GENERAL,
                          until=granted + self.days(90, 180))

    def _duties(self) -> None:
        """FVU test (audit #5–6), the 225-hour rule (#10), ÅUP CV and job search (#29–30)."""
        rng, fc, fcv = self.rng, self.first_contact, self.first_conversation
        until = self.active_until
        if self.chance(0.69):
            assessed = self.wd(fcv + self.days(0, 20))
            r = rng.random()
            need = (LiteracyTestNeed.NEEDED if r < 0.61
                    else LiteracyTestNeed.EXEMPT_YOUTH_EDUCATION if r < 0.86
                    else LiteracyTestNeed.EXEMPT_VALID_TEST if r < 0.94
                    else LiteracyTestNeed.EXEMPT_VALID_REASON)
            earlier = (assessed - self.days(60, 700)
                       if need is LiteracyTestNeed.EXEMPT_VALID_TEST else None)
            self.note(assessed, "assess_literacy_test", need=need, earlier_test_on=earlier)
            if need is LiteracyTestNeed.NEEDED:
                r = rng.random()
                tested = (self.wd(fc + self.days(7, 30)) if r < 0.35
                          else self.wd(fc + self.days(32, 120)) if r < 0.70 else None)
                if tested is not None and tested <= until:
                    self.note(max(tested, assessed), "take_literacy_test",
                              shows_need=self.chance(0.4))
        if self.chance(0.61):
            guided = fcv if rng.random() < 0.7 else self.wd(fcv + self.days(7, 90))
            if guided <= until:
                self.note(guided, "give_rights_guidance", topic=GuidanceTopic.HOURS_225)
        if self.group is AUP:
            r = rng.random()
            cv_on = (self.wd(fc + self.days(1, 20)) if r < 0.19
                     else self.wd(fc + self.days(22, 90)) if r < 0.64 else None)
            if cv_on is not None and cv_on <= until:
                self.note(cv_on, "make_cv_available",
                          job_goal_recorded=self.chance(0.47))  # audit #28
            if self.chance(0.6):
                self.note(self.wd(fc + self.days(0, 21)), "register_job_seeker")

    def _effort(self) -> None:
        """Conversations and offers while on benefit (before education, and after a dropout)."""
        periods = [(self.first_conversation, self.started_on or self.active_until)]
        if self.resumed_on is not None and self.resumed_on <= self.active_until:
            periods.append((self.resumed_on, self.active_until))
        for begin, end in periods:
            self._conversations(begin, end)
            if self.group is AUP and self.chance(0.5):
                continue
            self._offers(begin, end)

    def _conversations(self, begin: date, end: date) -> None:
        group = self.group
        follow = {AUP: 0.72, UP: 0.55, AP: 0.42}[group]  # audit #13: 53 %; ÅUP 72, AP 42
        education = {AUP: 0.88, UP: 0.76, AP: 0.63}[group]  # audit #14
        job = 0.81 if group is AUP else 0.3  # audit #15: ÅUP 81 %
        goal = {AUP: 0.74, UP: 0.62, AP: 0.37}[group]  # audit #23
        day = begin
        first = True
        while True:
            if group is UP and first:  # UP: two conversations in the first 3 months
                day = self.wd(day + self.days(21, 40))
            else:
                day = self.wd(day + (self.days(35, 63) if group is not AUP
                                     else self.days(42, 75)))
            first = False
            if day > end:
                return
            self.note(day, "hold_conversation", follows_up_current_step=self.chance(follow),
                      education_focus=self.chance(education), job_focus=self.chance(job))
            if self.chance(0.5):
                self.note(day, "update_plan", education_goal=self.chance(goal),
                          job_goal=group is AUP and self.chance(0.42),
                          agreements_recorded=self.chance(0.87),
                          order_shown=self.chance(0.6))

    def _offers(self, begin: date, end: date) -> None:
        rng, group = self.rng, self.group
        day = self.wd(begin + (self.days(5, 28) if rng.random() < 0.7 else self.days(29, 70)))
        while day < end:
            offer_id = f"off-{rng.getrandbits(40):010x}"
            ends = min(self.wd(day + self.days(28, 84)), end)
            started = self.note(day, "start_offer", offer_id=offer_id,
                                kind=rng.choice(list(OfferKind)),
                                individually_assessed=self.chance(0.76),  # audit #17
                                purpose_stated=self.chance(0.69))  # audit #18
            if self.chance(0.25) and (ends - day).days > 3:
                absent = day + timedelta(days=rng.randint(1, (ends - day).days - 1))
                valid = self.chance(0.7)  # audit #21: 30 % without a documented reason
                self.note(absent, "record_absence", valid_reason=valid, offer_id=offer_id)
                if not valid and self.chance(0.56 if group is AP else 0.70):  # audit #22
                    decided = self.wd(absent + self.days(3, 21))
                    if decided <= end:
                        self.note(decided, "decide_sanction", imposed=self.chance(0.85),
                                  personal_contact_attempted=self.chance(
                                      0.8 if group is AP else 0.4))
            self.note(ends, "end_offer", deps=(started,), offer_id=offer_id)
            day = self.wd(ends + self.days(1, 42))

    def _outside_duties(self) -> None:
        """At small rates, a caseworker's decision that sets duties aside: the job track
        (3 %) or the exemption from job conversations and offers (5 %), on a day the rule data
        lets it (no date of the law here), between the first conversation and the end of the
        effort; open-ended or ended after a few months."""
        end = min(self.started_on or self.active_until, self.last)
        for command, event_type, rate in (("decide_job_track", "JobTrackDecided", 0.03),
                                          ("exempt_from_contact", "ContactExemptionDecided",
                                           0.05)):
            if not self.chance(rate):
                continue
            starts = self.wd(self.first_conversation + self.days(7, 120))
            if starts > end or default_rules().set_aside_by(event_type, starts) is None:
                continue
            ends = self.wd(starts + self.days(60, 180)) if self.chance(0.5) else None
            self.note(starts, command, starts_on=starts, ends_on=ends)

    def _leave(self) -> None:
        """Leaving benefit without education ends the open order too."""
        if self.exit_on is None or self.started_on is not None:
            return
        ended = self.note(self.exit_on, "end_benefit", reason=self.exit_reason)
        if self.order_acts:
            self.plan.add(self.exit_on, "end_order", self.order_id,
                          self.caseworker_on(self.exit_on), deps=tuple(self.order_acts),
                          reason=OrderEndReason.LEFT_BENEFIT)
        if self.chance(RETURN_RATE):
            self._return(ended)

    def _return(self, ended: int) -> None:
        """Back on benefit: a new spell with its own first conversation and visitation (and,
        for some, an end again)."""
        assert self.exit_on is not None
        back = self.wd(self.exit_on + self.days(20, 200))
        if back > self.last:
            return
        before = tuple(i for i, day in enumerate(self.plan.occurred) if day <= back)
        returned = self.plan.add(back, "return_to_benefit", self.yp, self.caseworker_on(back),
                                 deps=(ended, *before))  # the spell before is on file first
        talk = self.wd(back + self.days(0, 9))
        self.plan.add(talk, "hold_first_conversation", self.yp, self.caseworker_on(talk),
                      deps=(returned,))
        self.plan.add(talk, "visitate", self.yp, self.caseworker_on(talk), deps=(returned,),
                      stage=VisitationStage.PRELIMINARY, group=self.group,
                      perspective_recorded=self.chance(0.8), justification_recorded=True)
        if self.chance(0.5):
            again = self.wd(back + self.days(30, 150))
            self.plan.add(again, "end_benefit", self.yp, self.caseworker_on(again),
                          deps=(returned,), reason=BenefitEndReason.STARTED_WORK)
