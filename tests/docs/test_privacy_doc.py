"""docs/privacy.md keeps its promises: the settings, tables, personal fields, token, marks and
events it names are the code's, and the catalogue has no free-text field."""

from __future__ import annotations

import typing
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from uuid import UUID

from ungeforloeb.application.keys import KEY_FILE_SETTING, KEY_SETTING
from ungeforloeb.application.personal import PERSONAL_FIELDS, TOKEN
from ungeforloeb.application.recorders import IDENTITY_TABLE, KEY_TABLE
from ungeforloeb.application.retention_period import DEFAULT_YEARS, YEARS_SETTING
from ungeforloeb.application.rotation import CIPHER_TOPIC
from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.domain.redact import CPR_MARK, NAME_MARK
from ungeforloeb.domain.redact import PERSONAL_FIELDS as REDACTED_FIELDS
from ungeforloeb.interchange.reader import CODE

DOC = (Path(__file__).resolve().parents[2] / "docs" / "privacy.md").read_text(encoding="utf-8")


def test_the_settings_tables_token_and_marks_named_are_the_codes():
    for name in (KEY_SETTING, KEY_FILE_SETTING, KEY_TABLE, IDENTITY_TABLE, "cpr_lookup",
                 "wrapped", "kept", "sealed", TOKEN, CPR_MARK, NAME_MARK, "key_wrapper",
                 "erase_personal_data", "CprAlreadyRegisteredError", "KeyWrapper",
                 YEARS_SETTING, f"default {DEFAULT_YEARS} years", "shred-expired", "own-view",
                 "CIPHER_KEY", CIPHER_TOPIC, "rotate_cipher_key", "rotate_master_key"):
        assert name in DOC, name


def test_the_one_personal_field_named_is_the_only_one_sealed():
    assert PERSONAL_FIELDS == {"FirstContactRegistered": ("birth_date",),
                               "YouthEffortFollowed": ("birth_date",)}
    assert "**`FirstContactRegistered.birth_date`**" in DOC
    assert "**`YouthEffortFollowed.birth_date`**" in DOC


def test_the_erasure_event_has_the_fields_the_page_names():
    fields = dict(EVENT_TYPES["PersonalDataErased"].payload_fields)
    assert fields == {"birth_date_earliest": date, "birth_date_latest": date}
    assert "`PersonalDataErased`" in DOC
    for name in fields:
        assert name in DOC


def test_the_fields_never_shown_in_an_error_include_those_the_page_names():
    for name in ("cpr", "name", "phone", "email", "birth_date"):
        assert name in REDACTED_FIELDS and f"`{name}`" in DOC


def _plain(tp: object) -> list[object]:
    origin = typing.get_origin(tp)
    if origin is not None:
        return [a for arg in typing.get_args(tp) if arg is not type(None) and arg is not ...
                for a in _plain(arg)]
    return [tp]


def test_no_event_has_a_free_text_field():
    """Every payload field is an id or code (a pattern without spaces), a boolean, a number, a
    date, a UUID or an enumeration; the only personal one is the sealed birth date."""
    assert not CODE.fullmatch("Signe Kjærgaard") and not CODE.fullmatch("a b")
    for name, entry in EVENT_TYPES.items():
        for field, hint in entry.payload_fields:
            for tp in _plain(hint):
                assert tp in (str, bool, int, date, datetime, UUID) or (
                    isinstance(tp, type) and issubclass(tp, Enum)), (name, field, tp)
