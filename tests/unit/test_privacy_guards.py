"""A CPR number never travels on: not in an id, not in an error message."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ungeforloeb.domain.errors import InvalidCommandError
from ungeforloeb.domain.young_person import YoungPerson

AT = datetime(2024, 3, 4, 9, tzinfo=UTC)


def first_contact(**overrides: object) -> YoungPerson:
    fields: dict[str, object] = {
        "occurred_on": date(2024, 3, 4), "recorded_by": "cw-001", "recorded_at": AT,
        "municipality_code": "101", "birth_date": date(2003, 5, 1)}
    fields.update(overrides)
    return YoungPerson.register_first_contact(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("cpr", ["0105031234", "010503-1234"])
def test_a_cpr_number_typed_into_the_wrong_field_is_not_echoed_in_the_error(cpr: str) -> None:
    with pytest.raises(InvalidCommandError) as refused:
        first_contact(municipality_code=cpr)
    assert "municipality_code" in str(refused.value)
    assert cpr not in str(refused.value)
    assert "<redacted: looks like a CPR number>" in str(refused.value)


@pytest.mark.parametrize("actor", ["0105031234", "cw-0105031234", "010503-1234"])
def test_an_id_that_looks_like_a_cpr_number_is_refused_as_who_recorded(actor: str) -> None:
    with pytest.raises(InvalidCommandError, match=r"recorded_by.*looks like a CPR number"):
        first_contact(recorded_by=actor)


def test_a_caseworker_id_that_looks_like_a_cpr_number_is_refused() -> None:
    person = first_contact()
    with pytest.raises(InvalidCommandError, match=r"caseworker_id.*looks like a CPR number"):
        person.assign_caseworker(occurred_on=date(2024, 3, 4), recorded_by="cw-001",
                                 recorded_at=AT, caseworker_id="0105031234", team_id="team-1")


def test_longer_numbers_are_fine_in_ids_that_are_not_people() -> None:
    person = first_contact(recorded_by="udb-12345678901")
    assert person.first_contact_on == date(2024, 3, 4)


@pytest.mark.parametrize("tag", [["Optagelse"], {"x": 1}, 7, None])
def test_an_inbound_message_whose_type_is_not_a_string_gets_a_clear_error(tag: object) -> None:
    from ungeforloeb.exchange.codec import MessageStructureError, structure_inbound

    with pytest.raises(MessageStructureError, match=r"'type' must be one of .* @ \$\.type"):
        structure_inbound({"type": tag})


def test_a_trailing_newline_does_not_slip_through_a_pattern() -> None:
    with pytest.raises(InvalidCommandError, match="municipality_code"):
        first_contact(municipality_code="101\n")
    with pytest.raises(InvalidCommandError, match="recorded_by"):
        first_contact(recorded_by="cw-001\n")
