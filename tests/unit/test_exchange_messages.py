"""The exchange's typed messages and their strict JSON codec."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from ungeforloeb.domain.exchange_values import EntryMode
from ungeforloeb.domain.values import ContactKind
from ungeforloeb.exchange import codelists
from ungeforloeb.exchange.codec import (
    MessageStructureError,
    structure_inbound,
    structure_outbound,
    unstructure_inbound,
    unstructure_outbound,
)
from ungeforloeb.exchange.letter import jobnet_letter
from ungeforloeb.exchange.messages import (
    OPTIONS,
    Contact,
    DataTilInstitution,
    MessageError,
    Provenance,
    is_general_mailbox,
)
from ungeforloeb.rules.loader import default_rules

YP = "00000000-0000-4000-8000-000000000001"
CONTACT = Contact("cw-1", ContactKind.PERSON, "12345678", "anne.jensen@kk.dk")


def outbound(**changes: Any) -> DataTilInstitution:
    fields: dict[str, Any] = dict(
        message_id="dti-1", sent_on=date(2024, 3, 6), municipality_code="101",
        institution_id="280727", admission_id="h-1", education_code="eud-gf1",
        cpr="0105031234", ordered_to_start_and_complete=True, academic_support=True,
        social_support=False, needs_documented=True, no_support_need=False,
        other_support_persons=False, wants_institution_contact=True, contact=CONTACT)
    fields.update(changes)
    return DataTilInstitution(**fields)


def provenance_json(**changes: Any) -> dict[str, Any]:
    return {"haendelse_nummer": "h-1", "institution_id": "280727", "system_id": "easy-a",
            "entry": "automatic", "occurred_on": "2024-03-01", "received_on": "2024-03-02",
            **changes}


INBOUND_JSON: dict[str, dict[str, Any]] = {
    "Optagelse": {"education_code": "eud-gf1", "starts_on": "2024-08-12",
                  "school_municipality_code": "461"},
    "Gennemfoerelse": {"education_code": "eud-gf1"},
    "Afbrydelse": {"education_code": "eud-gf1", "reason_code": "01"},
    "RisikoForFrafald": {"education_code": None, "school_municipality_code": None},
    "IndberetInstitutionKontakt": {"contact": {"contact_id": "vejleder-7", "kind": "person",
                                               "phone": "87654321",
                                               "email": "vejleder.sps@skole.dk"}},
    "Modtagelseskvittering": {"in_reply_to": "dti-1",
                              "responsible": {"contact_id": "sps-team", "kind": "team",
                                              "phone": None, "email": None}},
}


# ---------------------------------------------------------------------------- outbound


def test_the_outbound_message_holds_the_seven_options_the_order_and_the_contact() -> None:
    message = outbound()
    assert [name for name, _, _ in OPTIONS] == [
        "academic_support", "social_support", "needs_documented", "no_support_need",
        "other_support_persons", "wants_institution_contact", "contact"]
    assert message.has_support_need
    assert (DataTilInstitution.service, DataTilInstitution.version) == ("DataTilInstitution",
                                                                        "2.0")


def test_the_outbound_message_never_shows_the_cpr_number_in_its_repr() -> None:
    assert "0105031234" not in repr(outbound())


def test_no_support_need_cannot_be_sent_together_with_a_support_need() -> None:
    with pytest.raises(MessageError, match="no_support_need must be False"):
        outbound(no_support_need=True)


@pytest.mark.parametrize("email", ["post@kk.dk", "postkasse@kk.dk", "info@kk.dk",
                                   "jobcenter@kk.dk", "post.kk@kk.dk", "jobcenter-101@kk.dk"])
def test_a_general_mailbox_is_refused_as_the_municipalitys_contact(email: str) -> None:
    assert is_general_mailbox(email)
    with pytest.raises(MessageError, match="not a general mailbox"):
        Contact("cw-1", ContactKind.PERSON, "12345678", email)


@pytest.mark.parametrize("email", ["anne.jensen@kk.dk", "ungeteam.nord@kk.dk",
                                   "jobcenter.unge.nord@kk.dk"])
def test_a_personal_or_team_address_is_accepted(email: str) -> None:
    assert Contact("team-1", ContactKind.TEAM, "12345678", email).email == email


def test_the_outbound_contact_needs_both_phone_and_email() -> None:
    with pytest.raises(MessageError, match="both a phone number and an e-mail"):
        outbound(contact=Contact("cw-1", ContactKind.PERSON, "12345678"))


@pytest.mark.parametrize("phone", ["+4512345678", "1234 5678", "1234567", "telefon"])
def test_a_phone_is_eight_digits(phone: str) -> None:
    with pytest.raises(MessageError, match="eight digits"):
        Contact("cw-1", ContactKind.PERSON, phone, "anne.jensen@kk.dk")


def test_the_outbound_message_round_trips_through_json() -> None:
    message = outbound()
    data = unstructure_outbound(message)
    assert data["contact"]["kind"] == "person" and data["sent_on"] == "2024-03-06"
    assert structure_outbound(data) == message


def test_a_string_for_a_boolean_option_is_refused_with_its_path() -> None:
    data = unstructure_outbound(outbound())
    data["academic_support"] = "ja"
    with pytest.raises(MessageStructureError, match=r"\$\.academic_support"):
        structure_outbound(data)


def test_an_extra_key_is_refused() -> None:
    data = unstructure_outbound(outbound())
    data["note"] = "ordblind, angst"
    with pytest.raises(MessageStructureError, match="extra fields found"):
        structure_outbound(data)


def test_the_letter_lists_exactly_what_was_sent_in_danish() -> None:
    letter = jobnet_letter(outbound(), "lov om en aktiv beskæftigelsesindsats § 30, stk. 7")
    assert letter.message_id == "dti-1"
    assert "sendt efter lov om en aktiv beskæftigelsesindsats § 30, stk. 7." in letter.text
    for _name, danish, _english in OPTIONS:
        assert danish in letter.text
    assert "Om den unge har brug for støtte til faglige udfordringer: Ja" in letter.text
    assert "sociale, personlige eller helbredsmæssige udfordringer: Nej" in letter.text
    assert "telefon 12345678, e-mail anne.jensen@kk.dk" in letter.text
    assert "0105031234" not in letter.text


@pytest.mark.parametrize(("sent_on", "word"), [(date(2026, 6, 30), "jobcenteret"),
                                               (date(2026, 7, 1), "kommunen")])
def test_the_letter_says_kommunen_from_the_day_the_rule_data_says(sent_on: date,
                                                                 word: str) -> None:
    wording = default_rules().wording("authority_in_citizen_texts", sent_on)
    assert wording is not None and wording.value == word
    letter = jobnet_letter(outbound(), "§ 30, stk. 7", wording.value)
    assert f"Om {word} gerne vil kontaktes af uddannelsesinstitutionen" in letter.text
    assert ("jobcenteret" in letter.text) is (word == "jobcenteret")


# ---------------------------------------------------------------------------- inbound


@pytest.mark.parametrize("type_name", sorted(INBOUND_JSON))
def test_every_inbound_type_structures_from_json_and_back(type_name: str) -> None:
    data = {"type": type_name, "young_person_id": YP, "provenance": provenance_json(),
            **INBOUND_JSON[type_name]}
    message = structure_inbound(data)
    assert type(message).__name__ == type_name
    assert message.young_person_id == UUID(YP)
    assert message.provenance.entry is EntryMode.AUTOMATIC
    assert unstructure_inbound(message) == data


def test_a_report_received_before_it_happened_is_refused() -> None:
    with pytest.raises(MessageError, match=r"received_on .* must be on or after occurred_on"):
        Provenance("h-1", "280727", "easy-a", EntryMode.MANUAL, date(2024, 3, 2),
                   date(2024, 3, 1))


def test_an_unknown_interruption_reason_code_is_refused() -> None:
    data = {"type": "Afbrydelse", "young_person_id": YP, "provenance": provenance_json(),
            "education_code": "eud-gf1", "reason_code": "frafaldet pga. sygdom"}
    with pytest.raises(MessageStructureError, match="interruption-reason codes"):
        structure_inbound(data)


def test_an_unknown_message_type_is_refused() -> None:
    with pytest.raises(MessageStructureError, match=r"\$\.type"):
        structure_inbound({"type": "Fritekst", "young_person_id": YP})


def test_a_bad_date_names_its_path() -> None:
    data = {"type": "Gennemfoerelse", "young_person_id": YP,
            "provenance": provenance_json(occurred_on="1/3/2024"), "education_code": "eud-gf1"}
    with pytest.raises(MessageStructureError, match=r"\$\.provenance\.occurred_on"):
        structure_inbound(data)


def test_the_code_lists_are_marked_unverified_with_a_note() -> None:
    for name in ("afbrudsaarsager", "haendelsestyper"):
        codes = codelists.load(name)
        assert codes.verified is False and codes.note and codes.source
