"""A seeded simulation of one municipality's young people on education benefit.

:func:`actions` yields every caseworker, young-person and institution action of a
:class:`Scenario` in global order of recording time; :func:`simulate` performs them against any
:class:`~ungeforloeb.application.Ungeforloeb` application through its commands, moving a
:class:`~ungeforloeb.application.SettableClock` to each action's recording time. The same
scenario (seed included) gives the same actions and so the same events, recording times too.

How it works. Each young person's whole path is planned when their first contact comes up, from
their own random generator (seeded from the scenario's, so one person's plan does not depend on
another's). A plan is a list of actions, each with the day it happened and the moment it is
recorded; an action is recorded after the actions it depends on (an education starts only after
the admission is recorded). A heap merges the people's plans, so recording times are monotone
across the municipality as in a real case system. Plans are made lazily and consumed as they go:
memory grows with the number of people in progress, not with the number of events.

How often things happen is calibrated on the focus audit's shares (``CONTROL_POINTS.md``): the
first conversation within a week in about 92 % of cases, the final visitation within 3 months in
about 94 %, the visitation mix near 14/52/34 % ÅUP/UP/AP, the education order at the first
conversation in about 79 % (98 % of ÅUP), the FVU test need assessed in about 69 %, and so on.
The audit's sample over-weighted transitions to education; the simulation's rates of admission
and dropout are plausible figures, not the audit's.
"""

from __future__ import annotations

import heapq
import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import attrs

from ungeforloeb.application import SettableClock, Ungeforloeb
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
)
from ungeforloeb.simulation.calendar import WorkCalendar

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


@attrs.frozen
class Scenario:
    """What to simulate: how many people, from which year, for how many years, which seed."""

    people: int = 500
    seed: int = 1
    year: int = 2024
    years: int = 1
    municipality_code: str = "101"

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        """The last simulated day: nothing is recorded after it."""
        return date(self.year + self.years - 1, 12, 31)

    @property
    def caseworkers(self) -> int:
        """About 35 new cases a year per caseworker, at least four."""
        return max(4, round(self.people / self.years / 35))


class Action(NamedTuple):
    """One command to give the application, when, and by whom."""

    recorded_at: datetime
    occurred_on: date
    command: str
    """The name of an :class:`~ungeforloeb.application.Ungeforloeb` method."""
    target: UUID | None
    """The young person, order or retention case it is given to (``None`` for a first contact)."""
    recorded_by: str
    kwargs: dict[str, Any]


def perform(app: Ungeforloeb, action: Action) -> Any:
    """Give ``action``'s command to ``app`` (its clock must already read the recording time)."""
    method = getattr(app, action.command)
    if action.target is None:
        return method(occurred_on=action.occurred_on, recorded_by=action.recorded_by,
                      **action.kwargs)
    return method(action.target, occurred_on=action.occurred_on,
                  recorded_by=action.recorded_by, **action.kwargs)


# ----------------------------------------------------------------------------- planning

_MINUTE = timedelta(minutes=1)


def seeded_uuid(rng: random.Random) -> UUID:
    """A version-4 UUID drawn from ``rng`` (deterministic for a seeded generator)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _Plan:
    """One young person's actions as they are planned (dates first, recording times last)."""

    __slots__ = ("actors", "cal", "commands", "deps", "kinds", "kwargs", "occurred", "rec_days",
                 "rng", "targets")

    def __init__(self, rng: random.Random, cal: WorkCalendar) -> None:
        self.rng = rng
        self.cal = cal
        self.occurred: list[date] = []
        self.commands: list[str] = []
        self.targets: list[UUID | None] = []
        self.actors: list[str] = []
        self.kwargs: list[dict[str, Any]] = []
        self.deps: list[tuple[int, ...]] = []
        self.kinds: list[str] = []
        self.rec_days: list[date | None] = []

    def add(self, occurred_on: date, command: str, target: UUID | None, actor: str, *,
            deps: tuple[int, ...] = (0,), how: str = "caseworker",
            recorded_on: date | None = None, **kwargs: Any) -> int:
        self.occurred.append(occurred_on)
        self.commands.append(command)
        self.targets.append(target)
        self.actors.append(actor)
        self.kwargs.append(kwargs)
        self.deps.append(deps)
        self.kinds.append(how)
        self.rec_days.append(recorded_on)
        return len(self.commands) - 1

    def _candidate(self, i: int) -> datetime:
        rng = self.rng
        kind = self.kinds[i]
        day = self.rec_days[i]
        if kind == "system":  # a nightly batch
            when = time(1 + rng.randrange(4), rng.randrange(60))
            return datetime.combine(day or self.occurred[i], when, tzinfo=UTC)
        if kind == "self":  # the young person online, any hour
            when = time(6 + rng.randrange(16), rng.randrange(60))
            return datetime.combine(day or self.occurred[i], when, tzinfo=UTC)
        if day is None:
            r = rng.random()
            day = self.occurred[i]
            if r < 0.11:  # noted within the week
                day = self.cal.add_working_days(day, 1 + rng.randrange(5))
            elif r < 0.15:  # noted weeks later (the journal catches up)
                day = self.cal.next_working_day(day + timedelta(days=8 + rng.randrange(33)))
            else:
                day = self.cal.next_working_day(day)
        when = time(7 + rng.randrange(8), rng.randrange(60))
        return datetime.combine(day, when, tzinfo=UTC)

    def actions(self, last_day: date) -> list[Action]:
        """The plan's actions in recording order, up to and including ``last_day``."""
        recorded: list[datetime] = []
        for i in range(len(self.commands)):
            at = self._candidate(i)
            for d in self.deps[i]:
                if d < i and recorded[d] + _MINUTE > at:
                    at = recorded[d] + _MINUTE
            recorded.append(at)
        order = sorted(range(len(recorded)), key=lambda i: (recorded[i], i))
        out = []
        for i in order:
            if recorded[i].date() > last_day:
                break
            out.append(Action(recorded[i], self.occurred[i], self.commands[i], self.targets[i],
                              self.actors[i], self.kwargs[i]))
        return out


class _World:
    """What the people share: the calendar, the caseworkers and their teams."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.cal = WorkCalendar(scenario.year - 1, scenario.year + scenario.years + 1)
        n = scenario.caseworkers
        teams = max(2, min(6, round(n / 5)))
        self.caseworkers = tuple((f"cw-{k + 1:03d}", f"team-{k % teams + 1}") for k in range(n))


def _pick_group(rng: random.Random) -> VisitationGroup:
    r = rng.random()
    acc = 0.0
    for group, share in GROUP_MIX:
        acc += share
        if r < acc:
            return group
    return AP


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def plan_person(world: _World, rng: random.Random, first_contact: date) -> list[Action]:
    """Plan one young person's path from ``first_contact`` to the scenario's last day."""
    cal = world.cal
    last = world.scenario.last_day
    plan = _Plan(rng, cal)
    yp = seeded_uuid(rng)
    wd = cal.next_working_day

    def days(lo: int, hi: int) -> timedelta:
        return timedelta(days=rng.randint(lo, hi))

    # --- caseworkers over time: 59 % keep one, about 20 % see three or more ---------------
    cw, team = world.caseworkers[rng.randrange(len(world.caseworkers))]
    changes: list[tuple[date, str, str]] = [(first_contact, cw, team)]
    r = rng.random()
    n_changes = 0 if r < 0.59 else 1 if r < 0.80 else 2 + (rng.random() < 0.3)
    for _ in range(n_changes):
        when = wd(first_contact + days(30, 330))
        same_team = [c for c in world.caseworkers if c[1] == team and c[0] != cw]
        pool = same_team if same_team and rng.random() < 0.8 else list(world.caseworkers)
        changes.append((when, *pool[rng.randrange(len(pool))]))
    changes.sort()

    def caseworker_on(day: date) -> str:
        who = changes[0][1]
        for when, c, _t in changes:
            if when <= day:
                who = c
        return who

    # --- first contact and first conversation ----------------------------------------------
    age = rng.choices(range(18, 30), weights=(9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 2))[0]
    birth = first_contact - timedelta(days=365 * age + rng.randrange(365) + age // 4)
    online = not cal.is_working_day(first_contact)
    plan.add(first_contact, "register_first_contact", None,
             SELF_SERVICE if online else changes[0][1], deps=(),
             how="self" if online else "caseworker", recorded_on=first_contact,
             municipality_code=world.scenario.municipality_code, birth_date=birth,
             young_person_id=yp)
    plan.add(wd(first_contact), "assign_caseworker", yp, changes[0][1],
             caseworker_id=changes[0][1], team_id=changes[0][2])
    for when, c, tm in changes[1:]:
        plan.add(when, "assign_caseworker", yp, c, caseworker_id=c, team_id=tm)

    r = rng.random()
    if r < 0.40 and not online:
        first_conversation = first_contact
    elif r < 0.92:
        first_conversation = wd(first_contact + days(1, 5))
        if first_conversation > first_contact + timedelta(days=7):
            first_conversation = cal.add_working_days(first_contact, 1)
    else:
        first_conversation = wd(first_contact + days(9, 35))
    fcv = first_conversation
    plan.add(fcv, "hold_first_conversation", yp, caseworker_on(fcv))

    group = _pick_group(rng)
    plan.add(fcv, "visitate", yp, caseworker_on(fcv), stage=VisitationStage.PRELIMINARY,
             group=group, perspective_recorded=_chance(rng, 0.87),
             justification_recorded=_chance(rng, 0.75 if group is not UP else 0.5))

    # --- how the case ends (decided up front; dates follow) --------------------------------
    exit_on: date | None = None
    exit_reason = BenefitEndReason.STARTED_WORK
    if _chance(rng, 0.14):
        exit_on = wd(first_contact + days(45, 280))
        exit_reason = (BenefitEndReason.STARTED_WORK if rng.random() < 0.7
                       else BenefitEndReason.MOVED if rng.random() < 0.6
                       else BenefitEndReason.OTHER)

    # --- the education order ---------------------------------------------------------------
    order_id = seeded_uuid(rng)
    order_acts: list[int] = []
    if _chance(rng, 0.98 if group is AUP else 0.75):
        issued = fcv
    elif _chance(rng, 0.75):
        issued = wd(fcv + days(7, 60))
    else:
        issued = None
    if issued is not None and exit_on is not None and issued >= exit_on:
        issued = None
    active_until = exit_on or last  # the active effort (conversations, offers) runs until…

    admission: tuple[date, str, str, int, date] | None = None  # placed, inst, edu, weeks, start
    if issued is not None:
        io = plan.add(issued, "issue_order", yp, caseworker_on(issued), order_id=order_id)
        order_acts.append(io)

        def on_order(day: date, command: str, *, deps: tuple[int, ...] | None = None,
                     how: str = "caseworker", recorded_on: date | None = None,
                     actor: str | None = None, **kw: Any) -> int:
            i = plan.add(day, command, order_id, actor or caseworker_on(day),
                         deps=deps or (io,), how=how, recorded_on=recorded_on, **kw)
            order_acts.append(i)
            return i

        # step 1: propose a wish by a deadline, moved now and then (003:2717)
        deadline1 = wd(issued + days(14, 42))
        d1 = on_order(issued, "set_step_deadline", step=OrderStep.PROPOSE_WISH,
                      deadline=deadline1)
        prev = d1
        current_deadline = deadline1
        moves = 0 if rng.random() < 0.72 else 1 if rng.random() < 0.6 else rng.randint(2, 4)
        for _ in range(moves):
            moved_on = wd(current_deadline - days(0, 10))
            moved_on = max(moved_on, issued)
            current_deadline = wd(current_deadline + days(14, 42))
            reason = (DeadlineMoveReason.OTHER if rng.random() < 0.4
                      else rng.choice(list(DeadlineMoveReason)))
            prev = on_order(moved_on, "move_step_deadline", deps=(prev,),
                            step=OrderStep.PROPOSE_WISH, deadline=current_deadline,
                            reason=reason)
        wished: date | None = None
        if _chance(rng, 0.82 if group is not AP else 0.6):
            if rng.random() < 0.65:
                wished = wd(issued + timedelta(
                    days=rng.randint(0, max(0, (current_deadline - issued).days))))
            else:
                wished = wd(current_deadline + days(1, 45))
            if wished > active_until:
                wished = None
        if wished is not None:
            education = rng.choice(WISHES)
            on_order(wished, "propose_wish", education_code=education)
            # step 2: apply by a deadline
            deadline2 = wd(wished + days(21, 56))
            on_order(wished, "set_step_deadline", step=OrderStep.APPLY, deadline=deadline2)
            if _chance(rng, 0.78):
                applied = (wd(wished + timedelta(days=rng.randint(
                    0, max(0, (deadline2 - wished).days)))) if rng.random() < 0.7
                    else wd(deadline2 + days(1, 40)))
                offering = [(i, p) for i, p in INSTITUTIONS if any(c == education for c, _ in p)]
                inst, programmes = rng.choice(offering if rng.random() < 0.85 else INSTITUTIONS)
                code, weeks = next(((c, w) for c, w in programmes if c == education),
                                   rng.choice(programmes))
                if applied <= active_until:
                    on_order(applied, "submit_application", institution_id=inst,
                             education_code=code)
                    if _chance(rng, 0.72 if group is not AP else 0.45):
                        placed = applied + days(7, 42)
                        start = placed + days(14, 70)
                        start += timedelta(days=(7 - start.weekday()) % 7)  # a Monday
                        start = wd(start)
                        if exit_on is None or placed < exit_on:
                            admission = (placed, inst, code, weeks, start)

    # --- admission, start, dropout or completion -------------------------------------------
    started_on: date | None = None
    resumed_on: date | None = None  # back on benefit after an interruption
    if admission is not None and issued is not None:
        placed, inst, code, weeks, start = admission
        io = order_acts[0]
        adm_id = f"adm-{rng.getrandbits(48):012x}"
        reported = placed + days(1, 7)  # one system reports admission 7 days after placement
        ai = plan.add(placed, "admit", order_id, UDB, deps=(io,), how="system",
                      recorded_on=reported, admission_id=adm_id, institution_id=inst,
                      education_code=code, starts_on=start)
        order_acts.append(ai)
        seen = wd(reported)
        order_acts.append(plan.add(seen, "set_step_deadline", order_id, caseworker_on(seen),
                                   deps=(ai,), step=OrderStep.START_AND_COMPLETE,
                                   deadline=max(start, seen)))
        if _chance(rng, 0.45):
            assessed = wd(seen + days(0, 14))
            order_acts.append(plan.add(assessed, "assess_duty_to_start", order_id,
                                       caseworker_on(assessed), deps=(ai,),
                                       admission_id=adm_id,
                                       ordered_to_start_and_complete=_chance(rng, 0.9)))
        if seen.year >= 2022 and _chance(rng, 0.5):
            assessed = wd(seen + days(0, 21))
            cw_then = caseworker_on(assessed)
            no_need = rng.random() < 0.45
            order_acts.append(plan.add(
                assessed, "assess_support", order_id, cw_then, deps=(ai,), admission_id=adm_id,
                academic_support=not no_need and _chance(rng, 0.6),
                social_support=not no_need and _chance(rng, 0.5),
                needs_documented=not no_need and _chance(rng, 0.5), no_support_need=no_need,
                other_support_persons=_chance(rng, 0.3),
                wants_institution_contact=_chance(rng, 0.6), contact_kind=ContactKind.PERSON,
                contact_id=cw_then))
            if _chance(rng, 0.15):
                order_acts.append(plan.add(
                    assessed, "notify_institution", order_id, cw_then, deps=(order_acts[-1],),
                    admission_id=adm_id, message_id=f"msg-{rng.getrandbits(48):012x}"))
        if _chance(rng, 0.9) and start <= last:
            started_on = start
            si = plan.add(start, "start_education", order_id, caseworker_on(start), deps=(ai,),
                          admission_id=adm_id)
            order_acts.append(si)
            at_risk = _chance(rng, 0.35)
            drops = _chance(rng, 0.45 if at_risk else 0.10)
            dropped_on = start + days(30, 200) if drops else None
            completed_on = start + timedelta(weeks=weeks)
            if dropped_on is not None and dropped_on >= completed_on:
                dropped_on = completed_on - days(7, 30)
            if dropped_on is None:
                plan.add(start, "end_benefit", yp, caseworker_on(start),
                         reason=BenefitEndReason.STARTED_EDUCATION)
            if _chance(rng, 0.09):
                granted = wd(start - days(0, 14))
                plan.add(granted, "grant_mentor", yp, caseworker_on(granted),
                         purpose=MentorPurpose.TRANSITION, until=granted + timedelta(days=182))
            if at_risk:
                noted = start + days(20, 150)
                if dropped_on is not None:
                    # often the message comes late, sometimes after the dropout (001:1011)
                    noted = dropped_on + days(-40, 10) if rng.random() < 0.8 else noted
                    noted = max(noted, start)
                _plan_retention(plan, rng, cal, yp, order_id, adm_id, noted,
                                dropped_on, caseworker_on)
            if dropped_on is not None:
                reported = dropped_on + days(1, 10)
                order_acts.append(plan.add(
                    dropped_on, "interrupt_education", order_id, UDB, deps=(si,),
                    how="system", recorded_on=reported, admission_id=adm_id,
                    reason=(InterruptionReason.DROPOUT if rng.random() < 0.7
                            else rng.choice(list(InterruptionReason)))))
                resumed_on = wd(reported)
            else:
                reported = completed_on + days(1, 14)
                order_acts.append(plan.add(
                    completed_on, "complete_education", order_id, UDB, deps=(si,),
                    how="system", recorded_on=reported, admission_id=adm_id))
                ended = wd(reported)
                plan.add(ended, "end_order", order_id, caseworker_on(ended),
                         deps=tuple(order_acts), reason=OrderEndReason.EDUCATION_COMPLETED)
                order_acts.clear()

    # --- final visitation ---------------------------------------------------------------------
    if _chance(rng, 0.94):
        final_on = wd(first_contact + days(10, 88))
    else:
        final_on = wd(first_contact + days(95, 160))
    final_on = max(final_on, fcv)
    if final_on <= (started_on or active_until):
        stays = {AUP: 0.9, UP: 0.93, AP: 0.92}[group]
        final = group if rng.random() < stays else (AP if group is UP else UP)
        plan.add(final_on, "visitate", yp, caseworker_on(final_on), stage=VisitationStage.FINAL,
                 group=final, perspective_recorded=_chance(rng, 0.87),
                 justification_recorded=_chance(rng, 0.75))
        if final is AP and group is not AP:
            group = final
    if group is AP and _chance(rng, 0.14):
        offered = wd(fcv + days(0, 20))
        plan.add(offered, "offer_coordinating_caseworker", yp, caseworker_on(offered))
    mentor_share = {AUP: 0.05, UP: 0.31, AP: 0.58}[group]
    if _chance(rng, mentor_share):
        granted = wd(fcv + days(14, 150))
        if granted <= (started_on or active_until):
            plan.add(granted, "grant_mentor", yp, caseworker_on(granted),
                     purpose=MentorPurpose.GENERAL, until=granted + days(90, 180))

    # --- literacy test (FVU), guidance, ÅUP job-seeker duties ---------------------------------
    if _chance(rng, 0.69):
        assessed = wd(fcv + days(0, 20))
        r = rng.random()
        need = (LiteracyTestNeed.NEEDED if r < 0.61
                else LiteracyTestNeed.EXEMPT_YOUTH_EDUCATION if r < 0.86
                else LiteracyTestNeed.EXEMPT_VALID_TEST if r < 0.94
                else LiteracyTestNeed.EXEMPT_VALID_REASON)
        earlier = (assessed - days(60, 700)) if need is LiteracyTestNeed.EXEMPT_VALID_TEST \
            else None
        plan.add(assessed, "assess_literacy_test", yp, caseworker_on(assessed), need=need,
                 earlier_test_on=earlier)
        if need is LiteracyTestNeed.NEEDED:
            r = rng.random()
            tested = (wd(first_contact + days(7, 30)) if r < 0.35
                      else wd(first_contact + days(32, 120)) if r < 0.70 else None)
            if tested is not None and tested <= active_until:
                tested = max(tested, assessed)
                plan.add(tested, "take_literacy_test", yp, caseworker_on(tested),
                         shows_need=_chance(rng, 0.4))
    if _chance(rng, 0.61):
        guided = fcv if rng.random() < 0.7 else wd(fcv + days(7, 90))
        if guided <= active_until:
            plan.add(guided, "give_rights_guidance", yp, caseworker_on(guided),
                     topic=GuidanceTopic.HOURS_225)
    if group is AUP:
        r = rng.random()
        cv_on = (wd(first_contact + days(1, 20)) if r < 0.19
                 else wd(first_contact + days(22, 90)) if r < 0.64 else None)
        if cv_on is not None and cv_on <= active_until:
            plan.add(cv_on, "make_cv_available", yp, caseworker_on(cv_on))
        if _chance(rng, 0.6):
            registered = wd(first_contact + days(0, 21))
            plan.add(registered, "register_job_seeker", yp, caseworker_on(registered))

    # --- conversations and offers while on benefit ----------------------------------------------
    periods = [(fcv, started_on or active_until)]
    if resumed_on is not None and resumed_on <= active_until:
        periods.append((resumed_on, active_until))
    follow = {AUP: 0.72, UP: 0.55, AP: 0.42}[group]
    edu_focus = {AUP: 0.88, UP: 0.76, AP: 0.63}[group]
    job_focus = 0.81 if group is AUP else 0.3
    for begin, end in periods:
        t = begin
        first = True
        while True:
            if group is UP and first:
                t = wd(t + days(21, 40))
            else:
                t = wd(t + days(35, 63) if group is not AUP else t + days(42, 75))
            first = False
            if t > end:
                break
            plan.add(t, "hold_conversation", yp, caseworker_on(t),
                     follows_up_current_step=_chance(rng, follow),
                     education_focus=_chance(rng, edu_focus),
                     job_focus=_chance(rng, job_focus))
            if _chance(rng, 0.5):
                plan.add(t, "update_plan", yp, caseworker_on(t),
                         education_goal=_chance(rng, {AUP: 0.74, UP: 0.62, AP: 0.37}[group]),
                         job_goal=group is AUP and _chance(rng, 0.42),
                         agreements_recorded=_chance(rng, 0.87), order_shown=_chance(rng, 0.6))
        if group is AUP and rng.random() < 0.5:
            continue
        t = wd(begin + (days(5, 28) if rng.random() < 0.7 else days(29, 70)))
        while t < end:
            offer_id = f"off-{rng.getrandbits(40):010x}"
            ends = min(wd(t + days(28, 84)), end)
            si = plan.add(t, "start_offer", yp, caseworker_on(t), offer_id=offer_id,
                          kind=rng.choice(list(OfferKind)),
                          individually_assessed=_chance(rng, 0.76),
                          purpose_stated=_chance(rng, 0.69))
            if _chance(rng, 0.25) and (ends - t).days > 3:
                absent = t + timedelta(days=rng.randint(1, (ends - t).days - 1))
                valid = _chance(rng, 0.7)
                noted = wd(absent)
                plan.add(noted if noted <= ends else absent, "record_absence", yp,
                         caseworker_on(absent), valid_reason=valid, offer_id=offer_id)
                if not valid and _chance(rng, 0.56 if group is AP else 0.70):
                    decided = wd(absent + days(3, 21))
                    if decided <= end:
                        plan.add(decided, "decide_sanction", yp, caseworker_on(decided),
                                 imposed=_chance(rng, 0.85),
                                 personal_contact_attempted=_chance(
                                     rng, 0.8 if group is AP else 0.4))
            plan.add(ends, "end_offer", yp, caseworker_on(ends), deps=(si,), offer_id=offer_id)
            t = wd(ends + days(1, 42))

    # --- leaving benefit without education -------------------------------------------------------
    if exit_on is not None and started_on is None:
        plan.add(exit_on, "end_benefit", yp, caseworker_on(exit_on), reason=exit_reason)
        if order_acts:
            plan.add(exit_on, "end_order", order_id, caseworker_on(exit_on),
                     deps=tuple(order_acts), reason=OrderEndReason.LEFT_BENEFIT)
    return plan.actions(last)


def _plan_retention(plan: _Plan, rng: random.Random, cal: WorkCalendar, yp: UUID,
                    order_id: UUID, admission_id: str, noted: date, dropped_on: date | None,
                    caseworker_on: Callable[[date], str]) -> None:
    """A risk-of-dropout message, and what the municipality does about it."""
    case_id = seeded_uuid(rng)
    received = noted + timedelta(days=rng.randint(0, 3))
    inst = "280727"
    opened = plan.add(noted, "report_risk_of_dropout", yp, UDB, deps=(0,), how="system",
                      recorded_on=received, institution_id=inst,
                      report_id=f"risk-{rng.getrandbits(48):012x}", received_on=received,
                      order_id=order_id, admission_id=admission_id, case_id=case_id)
    acts = [opened]
    seen = cal.next_working_day(received)
    if _chance(rng, 0.65):
        contacted = cal.add_working_days(seen, rng.randint(0, 8))
        acts.append(plan.add(contacted, "contact_young_person", case_id, caseworker_on(contacted),
                             deps=(opened,), channel=rng.choice(list(ContactChannel))))
        if _chance(rng, 0.6):
            decided = cal.add_working_days(contacted, rng.randint(1, 10))
            acts.append(plan.add(decided, "decide_retention_initiative", case_id,
                                 caseworker_on(decided), deps=(opened,),
                                 initiative=rng.choice(list(RetentionInitiative)),
                                 with_institution=_chance(rng, 0.7)))
    if dropped_on is not None:
        closed = cal.next_working_day(max(dropped_on, seen) + timedelta(days=rng.randint(5, 20)))
        outcome = RetentionOutcome.DROPPED_OUT
    elif _chance(rng, 0.7):
        closed = cal.next_working_day(seen + timedelta(days=rng.randint(20, 90)))
        outcome = RetentionOutcome.RETAINED
    else:
        return
    plan.add(closed, "close_retention_case", case_id, caseworker_on(closed), deps=tuple(acts),
             outcome=outcome)


# ----------------------------------------------------------------------------- merging


def first_contacts(scenario: Scenario, rng: random.Random,
                   cal: WorkCalendar) -> list[tuple[date, int]]:
    """Each person's first-contact day and plan seed, spread over the scenario's years.

    Most first contacts fall on working days; about one in eleven on a weekend or holiday
    (online applications).
    """
    span = (scenario.last_day - scenario.first_day).days + 1
    out = []
    for _ in range(scenario.people):
        day = scenario.first_day + timedelta(days=rng.randrange(span))
        if not cal.is_working_day(day) and rng.random() > 0.25:
            day = cal.next_working_day(day)
            if day > scenario.last_day:
                day = scenario.last_day
        out.append((day, rng.getrandbits(64)))
    out.sort(key=lambda p: p[0])
    return out


def actions(scenario: Scenario) -> Iterator[Action]:
    """Every action of the scenario, in order of recording time (deterministic)."""
    world = _World(scenario)
    master = random.Random(scenario.seed)
    arrivals = first_contacts(scenario, master, world.cal)
    # heap entries: (time, tiebreak, person number, position, plan or None for not yet planned)
    heap: list[tuple[datetime, int, int, int, list[Action] | None]] = []
    for no, (day, _seed) in enumerate(arrivals):
        heap.append((datetime.combine(day, time(0), tzinfo=UTC), 0, no, 0, None))
    heapq.heapify(heap)
    while heap:
        _at, _tie, no, pos, plan = heapq.heappop(heap)
        if plan is None:
            day, seed = arrivals[no]
            plan = plan_person(world, random.Random(seed), day)
            if plan:
                heapq.heappush(heap, (plan[0].recorded_at, 1, no, 0, plan))
            continue
        yield plan[pos]
        if pos + 1 < len(plan):
            heapq.heappush(heap, (plan[pos + 1].recorded_at, 1, no, pos + 1, plan))


@attrs.define
class SimulationStats:
    """What a simulation did, counted by command."""

    commands: dict[str, int] = attrs.field(factory=dict)
    last_recorded_at: datetime | None = None

    @property
    def events(self) -> int:
        """Every command records exactly one event."""
        return sum(self.commands.values())


def simulate(app: Ungeforloeb, clock: SettableClock, scenario: Scenario, *,
             batch_by_day: bool = True,
             progress: Callable[[date], None] | None = None) -> SimulationStats:
    """Perform the scenario's actions on ``app``, moving ``clock`` to each recording time.

    ``clock`` must be the application's clock. With ``batch_by_day`` each simulated day's
    commands are saved in one transaction (:meth:`Ungeforloeb.batch`); ``progress`` is called
    with each simulated day as it is done.
    """
    if app.clock is not clock:
        raise ValueError("simulate: clock must be the application's clock")
    stats = SimulationStats()
    counts = stats.commands
    for day, todays in itertools.groupby(actions(scenario), key=lambda a: a.recorded_at.date()):
        if batch_by_day:
            with app.batch():
                last = _perform_all(app, clock, todays, counts)
        else:
            last = _perform_all(app, clock, todays, counts)
        stats.last_recorded_at = last
        if progress is not None:
            progress(day)
    return stats


def _perform_all(app: Ungeforloeb, clock: SettableClock, todays: Iterator[Action],
                 counts: dict[str, int]) -> datetime | None:
    last = None
    for action in todays:
        clock.set(action.recorded_at)
        perform(app, action)
        counts[action.command] = counts.get(action.command, 0) + 1
        last = action.recorded_at
    return last
