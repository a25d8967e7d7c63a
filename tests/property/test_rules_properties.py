"""Properties of the compliance verdicts over generated case histories.

- As of D, verdicts never change when events that happened after D are added.
- Known at T, verdicts never change when events recorded after T are added.
- The same history recorded in another order (same occurred_on dates) gives the same verdicts.
- Moving a deadline never changes a verdict as of a date before the move.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from rules_builder import CaseBuilder
from ungeforloeb.casefile import CaseFile, EventRecord
from ungeforloeb.projections.compliance import evaluate_all, evaluate_case
from ungeforloeb.rules.verdict import EventRef, Verdict

GROUPS = ("AAUP", "UP", "AP")


@st.composite
def histories(draw: st.DrawFn) -> CaseBuilder:
    """A plausible case: first contact, then a random selection of dated events."""
    start = draw(st.dates(date(2018, 1, 1), date(2026, 6, 1)))
    birth = start - timedelta(days=draw(st.integers(15 * 365, 29 * 365)))
    case = CaseBuilder(start, birth_date=birth)

    def day() -> date:
        return start + timedelta(days=draw(st.integers(0, 500)))

    def lag() -> date | None:
        return draw(st.sampled_from([None, None, None, 3, 40]))  # type: ignore[return-value]

    def rec(on: date) -> date | None:
        late = lag()
        return None if late is None else on + timedelta(days=late)  # type: ignore[operator]

    flags = st.booleans()
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from([
            "first_conversation", "visitation", "literacy", "test", "guidance", "coordinator",
            "conversation", "plan", "offer", "absence", "sanction", "cv", "job_seeker",
            "caseworker", "mentor"]))
        on = day()
        if kind == "first_conversation":
            case.event("FirstConversationHeld", on, recorded_on=rec(on))
        elif kind == "visitation":
            case.visitate(on, draw(st.sampled_from(GROUPS)),
                          stage=draw(st.sampled_from(["preliminary", "final"])),
                          perspective=draw(flags), justification=draw(flags),
                          recorded_on=rec(on))
        elif kind == "literacy":
            case.event("LiteracyTestAssessed", on, recorded_on=rec(on), earlier_test_on=None,
                       need=draw(st.sampled_from(["needed", "exempt_youth_education",
                                                  "exempt_valid_reason"])))
        elif kind == "test":
            case.event("LiteracyTestTaken", on, shows_need=draw(flags), recorded_on=rec(on))
        elif kind == "guidance":
            case.event("RightsGuidanceGiven", on, topic="225_hour_rule", recorded_on=rec(on))
        elif kind == "coordinator":
            case.event("CoordinatingCaseworkerOffered", on, recorded_on=rec(on))
        elif kind == "conversation":
            case.conversation(on, followed_up=draw(flags), education_focus=draw(flags),
                              recorded_on=rec(on))
        elif kind == "plan":
            case.event("PlanUpdated", on, education_goal=draw(flags), job_goal=draw(flags),
                       agreements_recorded=draw(flags), order_shown=draw(flags),
                       recorded_on=rec(on))
        elif kind == "offer":
            case.event("OfferStarted", on, offer_id=f"o{len(case.records)}", kind="other",
                       individually_assessed=draw(flags), purpose_stated=draw(flags),
                       recorded_on=rec(on))
        elif kind == "absence":
            case.event("AbsenceRecorded", on, offer_id=None, valid_reason=draw(flags),
                       recorded_on=rec(on))
        elif kind == "sanction":
            case.event("SanctionDecided", on, imposed=draw(flags),
                       personal_contact_attempted=draw(flags), recorded_on=rec(on))
        elif kind == "cv":
            case.event("CvMadeAvailable", on, recorded_on=rec(on))
        elif kind == "job_seeker":
            case.event("JobSeekerRegistered", on, recorded_on=rec(on))
        elif kind == "caseworker":
            case.event("CaseworkerAssigned", on, caseworker_id=draw(st.sampled_from(["a", "b"])),
                       team_id="t", recorded_on=rec(on))
        else:
            case.event("MentorGranted", on, purpose=draw(st.sampled_from(["general",
                                                                          "transition"])),
                       until=None, extension=False, recorded_on=rec(on))
    if draw(st.booleans()):
        issued = day()
        order = case.order(issued)
        deadline = issued + timedelta(days=draw(st.integers(0, 90)))
        case.event("StepDeadlineSet", issued, stream=order, step=1, deadline=deadline)
        if draw(st.booleans()):
            moved = deadline + timedelta(days=draw(st.integers(-10, 30)))
            case.event("StepDeadlineMoved", deadline, stream=order, step=1,
                       deadline=max(moved, deadline), reason="illness")
        if draw(st.booleans()):
            case.event("EducationWishProposed", issued + timedelta(days=draw(st.integers(0, 120))),
                       stream=order, education_code="edu-1")
        if draw(st.booleans()):
            admitted = issued + timedelta(days=draw(st.integers(0, 200)))
            starts = admitted + timedelta(days=draw(st.integers(0, 90)))
            case.admit(order, "adm-1", on=admitted, starts_on=starts)
            after = [admitted + timedelta(days=draw(st.integers(0, 100))) for _ in range(4)]
            if draw(st.booleans()):
                case.support(order, "adm-1", after[0], academic=draw(flags))
            if draw(st.booleans()):
                case.on_admission("InstitutionNotified", order, "adm-1", after[1],
                                  institution_id="123456", message_id="m-1")
            if draw(st.booleans()):
                case.on_admission("DutyToStartAssessed", order, "adm-1", after[2],
                                  ordered_to_start_and_complete=draw(flags))
            if draw(st.booleans()):
                case.on_admission("EducationStarted", order, "adm-1", starts)
                if draw(st.booleans()):
                    received = starts + timedelta(days=draw(st.integers(0, 250)))
                    report = case.risk_report(received)
                    if draw(st.booleans()):
                        case.contacted(report, received + timedelta(days=draw(st.integers(0, 12))))
    if draw(st.booleans()):
        case.event("BenefitEnded", day(), reason="other")
    return case


def later_events(case: CaseBuilder, after: date, n: int, rnd: random.Random) -> None:
    """Add ``n`` events that happened after ``after``."""
    for i in range(n):
        on = after + timedelta(days=rnd.randint(1, 200))
        kind = rnd.choice(["FirstConversationHeld", "CvMadeAvailable", "conversation",
                           "final", "mentor", "benefit"])
        if kind == "conversation":
            case.conversation(on)
        elif kind == "final":
            case.visitate(on, rnd.choice(GROUPS))
        elif kind == "mentor":
            case.event("MentorGranted", on, purpose="transition", until=None, extension=False)
        elif kind == "benefit":
            case.event("BenefitEnded", on, reason="other")
        else:
            case.event(kind, on)
        del i


def _strip_ref(ref: EventRef | None) -> Any:
    return None if ref is None else (ref.type, ref.occurred_on, ref.recorded_on, ref.on)


def without_seq(v: Verdict) -> tuple[Any, ...]:
    """A verdict with sequence numbers taken out (they name recording positions)."""
    return (v.rule_id, v.subject, v.status, v.due_on, _strip_ref(v.clock_start),
            _strip_ref(v.met_by), _strip_ref(v.decided_by), v.legal_source, v.regime,
            v.group, v.caseworker_id, re.sub(r"#\d+", "#", v.explanation))


AS_OF = st.dates(date(2018, 1, 1), date(2028, 1, 1))


@given(histories(), AS_OF, st.integers(1, 6), st.randoms(use_true_random=False))
def test_as_of_d_verdicts_ignore_events_after_d(case: CaseBuilder, as_of: date, n: int,
                                                rnd: random.Random) -> None:
    before = evaluate_case(case.case_file(), as_of)
    later_events(case, as_of, n, rnd)
    assert evaluate_case(case.case_file(), as_of) == before


@given(histories(), AS_OF, st.dates(date(2018, 1, 1), date(2028, 1, 1)))
def test_known_at_t_verdicts_ignore_records_after_t(case: CaseBuilder, as_of: date,
                                                    known_at: date) -> None:
    before = evaluate_case(case.case_file(), as_of, known_at)
    first = case.records[0].occurred_on
    on = max(first, min(as_of, known_at))
    # facts that happened by then but were recorded after T
    case.event("FirstConversationHeld", on, recorded_on=known_at + timedelta(days=1))
    case.event("CvMadeAvailable", on, recorded_on=known_at + timedelta(days=30))
    case.visitate(on, "AP", recorded_on=known_at + timedelta(days=2))
    assert evaluate_case(case.case_file(), as_of, known_at) == before


def reordered(records: list[EventRecord], rnd: random.Random) -> list[EventRecord]:
    """The same events recorded in another order: streams interleaved differently, each
    stream's own order kept; sequence numbers and versions reassigned."""
    slots = [r.stream_id for r in records]
    rnd.shuffle(slots)
    queues: dict[str, list[EventRecord]] = {}
    for r in records:
        queues.setdefault(r.stream_id, []).append(r)
    out = []
    for i, stream in enumerate(slots, start=1):
        out.append(queues[stream].pop(0)._replace(seq=i))
    return out


def shuffled_within_days(records: list[EventRecord], rnd: random.Random) -> list[EventRecord]:
    """Records of the young person's own stream on the same day swapped (their versions
    renumbered): a different recording order of the same day's facts."""
    out = list(records)
    by_day: dict[tuple[str, date], list[int]] = {}
    for i, r in enumerate(out):
        if r.stream_type == "YoungPerson" and r.type != "FirstContactRegistered":
            by_day.setdefault((r.stream_id, r.occurred_on), []).append(i)
    for idx in by_day.values():
        recs = [out[i] for i in idx]
        rnd.shuffle(recs)
        for i, r in zip(idx, recs, strict=True):
            out[i] = r._replace(version=out[i].version)
    return [r._replace(seq=n) for n, r in enumerate(out, start=1)]


@given(histories(), AS_OF, st.randoms(use_true_random=False))
def test_recording_order_does_not_change_verdicts(case: CaseBuilder, as_of: date,
                                                  rnd: random.Random) -> None:
    records = list(case.records)
    base = [without_seq(v) for v in evaluate_case(CaseFile(case.yp, records), as_of)]
    for variant in (reordered(records, rnd), shuffled_within_days(records, rnd)):
        got = [without_seq(v) for v in evaluate_case(CaseFile(case.yp, variant), as_of)]
        assert got == base


@given(histories(), st.integers(1, 120), st.integers(-30, 60), st.integers(1, 200))
def test_moving_a_deadline_never_changes_a_verdict_before_the_move(
        case: CaseBuilder, move_after: int, shift: int, days_before: int) -> None:
    order = case.order(case.records[0].occurred_on)
    deadline = case.records[0].occurred_on + timedelta(days=30)
    case.event("StepDeadlineSet", case.records[0].occurred_on, stream=order, step=1,
               deadline=deadline)
    moved_on = case.records[0].occurred_on + timedelta(days=move_after)
    as_of = moved_on - timedelta(days=days_before)
    before = evaluate_case(case.case_file(), as_of)
    case.event("StepDeadlineMoved", moved_on, stream=order, step=1,
               deadline=deadline + timedelta(days=shift), reason="other")
    assert evaluate_case(case.case_file(), as_of) == before


@given(histories(), AS_OF)
def test_the_report_digest_is_deterministic(case: CaseBuilder, as_of: date) -> None:
    one = evaluate_all([case.case_file()], as_of)
    two = evaluate_all([CaseFile(case.yp, list(case.records))], as_of)
    assert one.digest() == two.digest()
    assert one.to_json() == two.to_json()
    assert one.to_csv() == two.to_csv()


@given(histories(), AS_OF)
def test_every_rule_gives_every_case_a_verdict_that_names_its_source(case: CaseBuilder,
                                                                     as_of: date) -> None:
    verdicts = evaluate_case(case.case_file(), as_of)
    from ungeforloeb.projections.compliance import load_rules

    assert {v.rule_id for v in verdicts} == set(load_rules().ids)
    for v in verdicts:
        assert v.legal_source and v.explanation
        if v.status.value in ("met", "missed"):
            assert v.regime is not None
        if v.met_by is not None:
            assert v.met_by.occurred_on <= as_of
        assert attrs.evolve(v) == v


@given(histories(), st.randoms(use_true_random=False), st.sampled_from(
    ["drop", "none", "number", "text", "list"]))
def test_a_verdict_never_raises_on_a_malformed_record(case: CaseBuilder, rnd: random.Random,
                                                      how: str) -> None:
    """Given a case whose records lose fields or hold values of another shape (a log from
    elsewhere), when every rule is judged, then each rule still gives verdicts — a record it
    cannot read makes the verdict not_documented, naming why — and nothing raises."""
    from ungeforloeb.projections.compliance import load_rules
    from ungeforloeb.rules.evaluate import evaluate

    as_of = date(2027, 1, 1)
    facts = case.case_file().view(as_of=as_of)
    records = [r for r in case.case_file().records if r.type != "FirstContactRegistered"]
    for rec in rnd.sample(records, k=min(3, len(records))):
        for name in list(rec.payload):
            if rnd.random() < 0.5:
                if how == "drop":
                    del rec.payload[name]
                else:
                    rec.payload[name] = {"none": None, "number": 7, "text": "x",
                                         "list": []}[how]
    verdicts = evaluate(facts, as_of, load_rules())
    assert {v.rule_id for v in verdicts} == set(load_rules().ids)
    for v in verdicts:
        if "cannot be judged" in v.explanation:
            assert v.status.value == "not_documented"
