"""docs/exchange.md cannot drift from the messages: every field of every message type is in it,
and the predefined options' Danish wording is there verbatim."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from ungeforloeb.exchange.messages import (
    INBOUND_TYPES,
    OPTIONS,
    ORDERED_OPTION,
    Contact,
    DataTilInstitution,
    Provenance,
)

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "exchange.md").read_text(encoding="utf-8")
PRIVACY = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("cls", [DataTilInstitution, Contact, Provenance, *INBOUND_TYPES],
                         ids=lambda c: c.__name__)
def test_every_field_of_every_message_is_documented(cls: type) -> None:
    assert f"`{cls.__name__}`" in DOC
    for field in attrs.fields(cls):
        assert f"`{field.name}`" in DOC, f"{cls.__name__}.{field.name}"


def test_the_options_are_documented_in_danish_verbatim_and_in_english() -> None:
    for _name, danish, english in (*OPTIONS, ORDERED_OPTION):
        assert danish in DOC
        assert english in DOC


def test_the_privacy_page_names_the_one_quasi_identifier() -> None:
    assert "birth_date" in PRIVACY and "FirstContactRegistered" in PRIVACY
    assert "FurtherInformationSent" in PRIVACY
