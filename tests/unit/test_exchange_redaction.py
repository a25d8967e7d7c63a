"""The exchange's errors never carry a CPR number or a name: a message refused by the codec (a
broker dead-letters it with the error in a header; HTTP answers it as a problem) shows neither."""

from __future__ import annotations

import pytest

from ungeforloeb.exchange.codec import MessageStructureError, structure_inbound

CPR = "0105031234"
NAME = "Signe Kjærgaard"


@pytest.mark.parametrize("value", [CPR, NAME, f"{NAME} {CPR}"])
def test_a_refused_inbound_message_names_the_path_but_not_the_value(value: str) -> None:
    message = {"type": "Optagelse", "young_person_id": "00000000-0000-4000-8000-00000000000a",
               "education_code": value, "starts_on": "2024-08-12",
               "school_municipality_code": "461",
               "provenance": {"occurred_on": value, "received_on": "2024-03-02",
                              "institution_id": "280727", "system_id": "easy-a",
                              "entry": "automatic", "haendelse_nummer": "h-1"}}
    with pytest.raises(MessageStructureError) as caught:
        structure_inbound(message)
    text = str(caught.value) + " ".join(caught.value.errors)
    assert CPR not in text and "Kjærgaard" not in text
    assert "occurred_on" in text  # what is wrong and where is still named


def test_every_exchange_error_is_scrubbed_whatever_text_it_was_given() -> None:
    from ungeforloeb.exchange.messages import MessageError

    error = MessageError(f"Provenance.system_id must be a code, got '{CPR}' from {NAME}")
    assert CPR not in str(error) and "Kjærgaard" not in str(error)
    assert "Provenance.system_id" in str(error)
