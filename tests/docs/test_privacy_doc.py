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


def test_the_refusal_after_erasure_and_the_cli_handler_named_are_the_codes():
    from ungeforloeb.cli import _common
    from ungeforloeb.domain import errors

    assert issubclass(errors.PersonalDataErasedError, errors.EventOutOfOrderError)
    assert "`PersonalDataErasedError` (an\n  `EventOutOfOrderError`)" in DOC
    assert callable(_common.one_line_errors) and "`ungeforloeb.cli._common.one_line_errors`" in DOC
    from ungeforloeb.application.identity import CACHE_SECONDS

    assert f"(`CACHE_SECONDS`, {CACHE_SECONDS:.0f} seconds)" in DOC
    for words in ("the disk is full", "it is read-only"):
        assert words in DOC and words in Path(_common.__file__).read_text(encoding="utf-8")


def test_the_migration_named_is_the_codes():
    from ungeforloeb.application import migration

    for name in (migration.PLAIN_TABLE, migration.PENDING_TABLE, "secure_delete", "VACUUM",
                 "app.migrated", "ungeforloeb.application.migration"):
        assert name in DOC, name
    text = Path(migration.__file__).read_text(encoding="utf-8")
    for name in ("secure_delete", "VACUUM", "wal_checkpoint(TRUNCATE)", "BEGIN IMMEDIATE"):
        assert name in text, name


def test_the_kill_points_promised_run_on_both_back_ends():
    import re

    text = (Path(__file__).resolve().parents[1] / "integration" / "test_kill_points.py"
            ).read_text(encoding="utf-8")
    assert "on SQLite and on\nPostgreSQL" in DOC and "\nKILLS = 30\n" in text
    for name in ("registrations", "erasures", "import"):
        assert re.search(rf"def test_\w*{name}\w*\(backend\b", text), name


def test_the_encryption_cost_names_the_bench_and_its_variants():
    import re

    bench = (Path(__file__).resolve().parents[2] / "bench" / "privacy.py").read_text(
        encoding="utf-8")
    assert "`python -m bench.privacy`" in DOC
    for name in ("none", "personal", "at_rest", "both", "register", "commands", "export",
                 "replay"):
        assert f'"{name}"' in bench, name
    for phase in ("register", "commands", "export", "replay"):
        assert re.search(rf"^\| {phase} \| [0-9,]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$", DOC,
                         re.M), phase
