"""Export, import, export again: the same bytes; import is all or nothing."""

from __future__ import annotations

import io

import orjson
import pytest

from interchange_support import (
    EXPORTED_AT,
    export_bytes,
    fake_digest,
    new_app,
    small_history,
    small_log,
)
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange import format as fmt
from ungeforloeb.interchange.importer import import_log
from ungeforloeb.interchange.verify import verify_log


def test_every_line_is_canonical_and_chained() -> None:
    log = small_log()
    previous = fmt.GENESIS_HASH
    for raw in log.splitlines():
        obj = orjson.loads(raw)
        assert fmt.canonical_bytes(obj) == raw
        stated = obj.pop("hash")
        assert fmt.chain_hash(previous, fmt.canonical_bytes(obj)) == stated
        assert fmt.body_without_hash(raw, stated) == fmt.canonical_bytes(obj)
        previous = stated


def test_the_header_names_format_library_regimes_time_and_municipality() -> None:
    header = orjson.loads(small_log().splitlines()[0])
    assert header["format"] == "ungeforloeb-interchange"
    assert header["format_version"] == 1
    assert header["exported_at"] == "2024-06-01T12:00:00+00:00"
    assert header["municipality_code"] == "101"
    assert header["regimes"] == {"test-regime": "ab" * 32}


def test_import_into_a_fresh_store_then_export_gives_the_same_bytes() -> None:
    app, clock = new_app()
    small_history(app, clock)
    log = export_bytes(app)
    fresh, _ = new_app()
    import_log(fresh, io.BytesIO(log), digest=fake_digest)
    assert export_bytes(fresh) == log
    # The same stored state, but for the personal fields: each store seals them with its own
    # key for the person (docs/privacy.md), so those bytes differ and open to the same values.
    stored = [app.mapper.decode_state(n.state)  # type: ignore[attr-defined]
              for n in app.recorder.select_notifications(1, 1000)]
    imported = [fresh.mapper.decode_state(n.state)  # type: ignore[attr-defined]
                for n in fresh.recorder.select_notifications(1, 1000)]
    assert imported == stored
    sealed = [n.state for n in fresh.recorder.select_notifications(1, 1000)
              if b"birth_date" in n.state]
    assert sealed and all(b'"birth_date":"sealed:v1:' in s for s in sealed)


def test_the_imported_store_works_as_a_live_store() -> None:
    app, clock = new_app()
    small_history(app, clock)
    fresh, _ = new_app()
    import_log(fresh, io.BytesIO(export_bytes(app)), digest=fake_digest)
    assert {k: [r.payload for r in v.records] for k, v in fresh.case_files().items()} == \
        {k: [r.payload for r in v.records] for k, v in app.case_files().items()}


def test_a_bad_log_imports_nothing() -> None:
    lines = small_log().splitlines(keepends=True)
    fresh, _ = new_app()
    with pytest.raises(e.TruncatedLogError):
        import_log(fresh, io.BytesIO(b"".join(lines[:-1])))
    assert not fresh.recorder.max_notification_id()


def test_import_refuses_a_store_that_holds_events() -> None:
    app, clock = new_app()
    small_history(app, clock)
    with pytest.raises(e.StoreNotEmptyError, match="already holds"):
        import_log(app, io.BytesIO(small_log()))


def test_an_empty_store_exports_a_valid_log() -> None:
    app, _ = new_app()
    result = verify_log(io.BytesIO(export_bytes(app)))
    assert result.event_count == 0
    assert result.header.municipality_code is None


def test_as_of_defaults_to_the_day_the_last_event_happened() -> None:
    """Not the export day: a log exported later would otherwise judge every clock as run out
    to that day; the day of the last event is what the log knows."""
    app, clock = new_app()
    small_history(app, clock)
    last = max(r.occurred_on for r in app.records())
    trailer = orjson.loads(export_bytes(app, exported_at=EXPORTED_AT).splitlines()[-1])
    assert trailer["verdicts_as_of"] == last.isoformat() == "2024-02-29"
    empty, _ = new_app()
    trailer = orjson.loads(export_bytes(empty, exported_at=EXPORTED_AT).splitlines()[-1])
    assert trailer["verdicts_as_of"] == EXPORTED_AT.date().isoformat()


def test_two_municipalities_in_one_store_are_refused() -> None:
    from datetime import date

    app, clock = new_app()
    small_history(app, clock)
    app.register_first_contact(occurred_on=date(2024, 2, 1), recorded_by="cw-3",
                               municipality_code="751", birth_date=date(2004, 1, 1))
    with pytest.raises(e.ExportError, match="municipality 751, not 101"):
        export_bytes(app)
