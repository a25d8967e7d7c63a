"""Properties of the exchange: no field of the outbound message holds free text; receiving is
idempotent and indifferent to the order messages arrive in; messages round-trip through JSON."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from exchange_support import EDUCATION, INSTITUTION, TODAY, World, new_world
from ungeforloeb.domain.base import EDUCATION_CODE, ID_PATTERN, INSTITUTION_ID, MUNICIPALITY_CODE
from ungeforloeb.domain.exchange_values import EntryMode
from ungeforloeb.domain.values import ContactKind
from ungeforloeb.exchange.codec import (
    MessageStructureError,
    structure_inbound,
    structure_outbound,
    unstructure_inbound,
    unstructure_outbound,
)
from ungeforloeb.exchange.messages import (
    EMAIL,
    PHONE,
    Contact,
    DataTilInstitution,
    MessageError,
    Optagelse,
    Provenance,
    is_general_mailbox,
)
from ungeforloeb.projections.data_quality import data_quality
from ungeforloeb.projections.reminders import reminders
from ungeforloeb.projections.worklist import verdict_items

VALID = DataTilInstitution(
    message_id="dti-1", sent_on=date(2024, 3, 6), municipality_code="101",
    institution_id="280727", admission_id="h-1", education_code="eud-gf1", cpr="0105031234",
    ordered_to_start_and_complete=True, academic_support=True, social_support=False,
    needs_documented=True, no_support_need=False, other_support_persons=False,
    wants_institution_contact=True,
    contact=Contact("cw-1", ContactKind.PERSON, "12345678", "anne.jensen@kk.dk"))

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _valid_email(s: str) -> bool:
    return bool(EMAIL.fullmatch(s)) and not is_general_mailbox(s)


def _never(_: str) -> bool:
    return False


ACCEPTS: dict[tuple[str, ...], Any] = {
    ("message_id",): ID_PATTERN.fullmatch,
    ("sent_on",): _DATE.fullmatch,
    ("municipality_code",): MUNICIPALITY_CODE.fullmatch,
    ("institution_id",): INSTITUTION_ID.fullmatch,
    ("admission_id",): ID_PATTERN.fullmatch,
    ("education_code",): EDUCATION_CODE.fullmatch,
    ("cpr",): re.compile(r"[0-9]{10}").fullmatch,
    ("ordered_to_start_and_complete",): _never,
    ("academic_support",): _never,
    ("social_support",): _never,
    ("needs_documented",): _never,
    ("no_support_need",): _never,
    ("other_support_persons",): _never,
    ("wants_institution_contact",): _never,
    ("contact",): _never,
    ("contact", "contact_id"): ID_PATTERN.fullmatch,
    ("contact", "kind"): lambda s: s in ("person", "team"),
    ("contact", "phone"): PHONE.fullmatch,
    ("contact", "email"): _valid_email,
}
"""Every field of the outbound message (and its contact), and the only strings it accepts."""


def test_the_table_covers_every_field() -> None:
    data = unstructure_outbound(VALID)
    paths = {(k,) for k in data} | {("contact", k) for k in data["contact"]}
    assert paths == set(ACCEPTS)


def _with(path: tuple[str, ...], value: str) -> dict[str, Any]:
    data = unstructure_outbound(VALID)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize("path", sorted(ACCEPTS), ids=".".join)
@given(text=st.text(max_size=80))
def test_an_arbitrary_string_in_any_field_of_the_outbound_message_is_refused(
        path: tuple[str, ...], text: str) -> None:
    assume(not ACCEPTS[path](text))
    with pytest.raises(MessageStructureError):
        structure_outbound(_with(path, text))


FREE_TEXT = st.text(min_size=1, max_size=60).map(lambda s: f"{s} Ordblind, angst")
"""Free text: words with capitals and spaces, as a journal note would have."""


@pytest.mark.parametrize("path", sorted(ACCEPTS), ids=".".join)
@given(text=FREE_TEXT)
def test_no_field_of_the_outbound_message_holds_free_text(path: tuple[str, ...],
                                                          text: str) -> None:
    with pytest.raises(MessageStructureError):
        structure_outbound(_with(path, text))


# ------------------------------------------------------------------ round trip

ids = st.from_regex(r"[a-z0-9][a-z0-9._:-]{0,20}", fullmatch=True)
days = st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def admissions(draw: st.DrawFn) -> Optagelse:
    occurred = draw(days)
    received = draw(st.dates(min_value=occurred, max_value=date(2031, 12, 31)))
    return Optagelse(
        young_person_id=draw(st.uuids(version=4)),
        provenance=Provenance(draw(ids), draw(st.from_regex(INSTITUTION_ID, fullmatch=True)),
                              draw(ids), draw(st.sampled_from(EntryMode)), occurred, received),
        education_code=draw(st.from_regex(EDUCATION_CODE, fullmatch=True)),
        starts_on=draw(days),
        school_municipality_code=draw(st.none() | st.from_regex(MUNICIPALITY_CODE,
                                                                fullmatch=True)))


@given(message=admissions())
def test_an_inbound_message_round_trips_through_json(message: Optagelse) -> None:
    assert structure_inbound(unstructure_inbound(message)) == message


# ------------------------------------------------------------------ arrival order

def _messages(w: World) -> list[Any]:
    return [
        w.admission("h-1", date(2024, 3, 1), date(2024, 8, 12)),
        w.contact("h-2", date(2024, 3, 10)),
        w.risk("h-3", date(2024, 9, 2)),
        w.risk("h-4", date(2024, 9, 20), received=date(2024, 10, 15)),
        w.interruption("h-5", date(2024, 11, 1)),
        w.admission("x-1", date(2024, 10, 20), date(2024, 10, 28), institution="157209",
                    system="ludus"),
        w.completion("x-9", date(2024, 12, 1), institution="461104"),
    ]


def final_state(w: World) -> Any:
    facts = w.facts()
    reports = facts.other.get("InstitutionReportReceived", [])
    applied = facts.other.get("InstitutionReportApplied", [])
    again = facts.other.get("RiskOfDropoutReportedAgain", [])
    cases = sorted(
        tuple(sorted([c.rec.payload["report_id"]] + [r.payload["report_id"] for r in again
                                                     if r.stream_id == c.case_id]))
        for c in facts.retention_cases.values())
    enrolments = sorted(
        (a.admission_id, a.institution_id, a.education_code, a.started is not None,
         a.completed is not None, a.interrupted is not None,
         tuple(sorted(r.payload.get("message_id", "") for r in a.extra.get(
             "ContactExchanged", []))))
        for a in facts.admissions)
    items = sorted((i.kind, i.rule_id, i.title, i.due_on, i.overdue)
                   for source in (data_quality, verdict_items, reminders)
                   for i in source(facts, TODAY))
    return (sorted(r.payload["report_id"] for r in reports),
            sorted(r.payload["report_id"] for r in applied), cases, enrolments, items)


def _deliver(order: list[int], duplicates: list[int]) -> Any:
    w = new_world()
    messages = _messages(w)
    sequence = [messages[i] for i in order]
    for position, which in enumerate(duplicates):
        sequence.insert(min(position * 2, len(sequence)), messages[which])
    w.receive(*sequence)
    return final_state(w)


REFERENCE: list[Any] = []


@given(order=st.permutations(range(7)),
       duplicates=st.lists(st.integers(min_value=0, max_value=6), max_size=5))
def test_any_interleaving_and_duplication_of_the_same_messages_gives_the_same_state(
        order: list[int], duplicates: list[int]) -> None:
    if not REFERENCE:
        REFERENCE.append(_deliver(list(range(7)), []))
    assert _deliver(order, duplicates) == REFERENCE[0]


def test_the_reference_state_is_what_the_messages_say() -> None:
    reports, applied, cases, enrolments, items = _deliver(list(range(7)), [])
    assert reports == ["h-1", "h-2", "h-3", "h-4", "h-5", "x-1", "x-9"]
    assert "h-5" not in applied  # the start is not recorded: the interruption waits
    assert cases == [("h-3", "h-4")]
    assert enrolments[0][:3] == ("h-1", INSTITUTION, EDUCATION)
    rules = {rule for _, rule, *_ in items}
    assert {"exchange.dq.no_admission", "exchange.dq.late", "exchange.dq.not_applied",
            "exchange.dq.overlapping_enrolments"} <= rules


TOP_LEVEL = sorted(p[0] for p in ACCEPTS if len(p) == 1)


@pytest.mark.parametrize("field", TOP_LEVEL)
@given(text=st.text(max_size=80))
def test_building_the_outbound_message_in_code_refuses_a_string_it_does_not_accept(
        field: str, text: str) -> None:
    assume(not ACCEPTS[(field,)](text) or field == "sent_on")
    with pytest.raises(MessageError):
        attrs.evolve(VALID, **{field: text})


@pytest.mark.parametrize("field", ["contact_id", "kind", "phone", "email"])
@given(text=FREE_TEXT)
def test_a_contact_record_refuses_free_text_in_every_field(field: str, text: str) -> None:
    fields = {"contact_id": "cw-1", "kind": ContactKind.PERSON, "phone": "12345678",
              "email": "anne.jensen@kk.dk", field: text}
    with pytest.raises(MessageError):
        Contact(**fields)
