"""Settling an unknown qualifying flag: an admission from an institution message that did not say
whether the education is "studie- eller erhvervskompetencegivende" is judged as qualifying and
flagged; ``record_admission_qualifying`` settles it, the data-quality item closes and the
admission duties follow the recorded value.

Given the recorded facts, when the command, then ``AdmissionQualifyingRecorded`` (or a refusal
naming the command, the field and the id, with nothing written)."""

from __future__ import annotations

from datetime import date

import pytest
from gwt import EDUCATION_ORDER, YOUNG_PERSON_ID, day, fact

from exchange_support import new_world
from ungeforloeb.domain import EducationOrder
from ungeforloeb.domain.errors import EventOutOfOrderError, InvalidCommandError
from ungeforloeb.projections.compliance import evaluate_case
from ungeforloeb.projections.data_quality import data_quality
from ungeforloeb.rules.verdict import Status

EO = EducationOrder
ORDER = EDUCATION_ORDER.given(fact(EO.OrderIssued, occurred_on=day(5),
                                   young_person_id=YOUNG_PERSON_ID, step=1))


def _admitted(qualifying: bool | None) -> object:
    return fact(EO.Admitted, occurred_on=day(60), admission_id="adm-1", institution_id="280727",
                education_code="EUD-1", starts_on=day(90), qualifying=qualifying)


# ------------------------------------------------------------------ the command


@pytest.mark.parametrize("qualifying", [True, False])
def test_an_unknown_flag_is_settled(qualifying: bool) -> None:
    order = ORDER.given(_admitted(None)).when(
        "record_admission_qualifying", occurred_on=day(62), admission_id="adm-1",
        qualifying=qualifying).then(
        fact(EO.AdmissionQualifyingRecorded, occurred_on=day(62), admission_id="adm-1",
             qualifying=qualifying))
    assert order.enrolments["adm-1"].qualifying is qualifying


@pytest.mark.parametrize("known", [True, False])
def test_a_flag_already_known_is_refused(known: bool) -> None:
    ORDER.given(_admitted(known)).when(
        "record_admission_qualifying", occurred_on=day(62), admission_id="adm-1",
        qualifying=not known).refused(
        EventOutOfOrderError, match=r"record_admission_qualifying: field 'admission_id': "
                                    r"admission adm-1 of order .* is already recorded as")


def test_a_flag_settled_once_cannot_be_settled_again() -> None:
    ORDER.given(_admitted(None), fact(EO.AdmissionQualifyingRecorded, occurred_on=day(61),
                                      admission_id="adm-1", qualifying=True)).when(
        "record_admission_qualifying", occurred_on=day(62), admission_id="adm-1",
        qualifying=False).refused(EventOutOfOrderError, match="already recorded as qualifying")


def test_an_admission_the_order_does_not_have_is_refused() -> None:
    error = ORDER.given(_admitted(None)).when(
        "record_admission_qualifying", occurred_on=day(62), admission_id="adm-9",
        qualifying=True).refused(
        InvalidCommandError, match=r"record_admission_qualifying: field 'admission_id' must be "
                                   r"an admission recorded on order 00000000-")
    assert isinstance(error, InvalidCommandError) and error.field == "admission_id"


def test_a_flag_that_is_not_a_bool_is_refused() -> None:
    ORDER.given(_admitted(None)).when(
        "record_admission_qualifying", occurred_on=day(62), admission_id="adm-1",
        qualifying="yes").refused(InvalidCommandError, match="field 'qualifying'")


def test_settling_before_the_admission_is_refused() -> None:
    ORDER.given(_admitted(None)).when(
        "record_admission_qualifying", occurred_on=day(59), admission_id="adm-1",
        qualifying=True).refused(EventOutOfOrderError, match="before Admitted")


# ------------------------------------------------------------------ the views follow it


ADMISSION_RULES = ("cp32_duty_to_start_assessed", "x22_support_assessed")


def _world_with_unflagged_admission():  # type: ignore[no-untyped-def]
    w = new_world()
    w.receive(w.admission("h-1", date(2024, 3, 1), date(2024, 4, 1)))
    [adm] = [r for r in w.app.case_file(w.yp).records if r.type == "Admitted"]
    return w, adm.payload["admission_id"]


def _statuses(w) -> dict[str, Status]:  # type: ignore[no-untyped-def]
    verdicts = evaluate_case(w.app.case_file(w.yp), date(2024, 12, 31))
    return {v.rule_id: v.status for v in verdicts if v.rule_id in ADMISSION_RULES}


def _dq(w) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.rule_id for i in w.items(data_quality)
            if i.rule_id == "exchange.dq.qualifying_unknown"]


def test_recorded_as_not_qualifying_the_item_closes_and_the_admission_duties_do_not_apply():
    w, admission = _world_with_unflagged_admission()
    assert _dq(w) == ["exchange.dq.qualifying_unknown"]
    before = _statuses(w)
    assert before and Status.NOT_APPLICABLE not in before.values()  # judged as qualifying
    w.app.record_admission_qualifying(w.order, occurred_on=date(2024, 3, 5),
                                      recorded_by="cw-1", admission_id=admission,
                                      qualifying=False)
    assert _dq(w) == []
    assert set(_statuses(w).values()) == {Status.NOT_APPLICABLE}


def test_recorded_as_qualifying_the_item_closes_and_the_duties_stand():
    w, admission = _world_with_unflagged_admission()
    before = _statuses(w)
    w.app.record_admission_qualifying(w.order, occurred_on=date(2024, 3, 5),
                                      recorded_by="cw-1", admission_id=admission,
                                      qualifying=True)
    assert _dq(w) == [] and _statuses(w) == before


def test_a_refused_settling_writes_nothing():
    w, _ = _world_with_unflagged_admission()
    count = len(w.app.case_file(w.yp).records)
    with pytest.raises(InvalidCommandError, match="field 'admission_id'"):
        w.app.record_admission_qualifying(w.order, occurred_on=date(2024, 3, 5),
                                          recorded_by="cw-1", admission_id="nope",
                                          qualifying=True)
    assert len(w.app.case_file(w.yp).records) == count and _dq(w)
