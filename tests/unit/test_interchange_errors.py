"""Bad logs: every fault is a LogError naming the line, the event type, the field and what was
expected."""

from __future__ import annotations

import io
import json
from typing import Any

import orjson
import pytest

from interchange_support import parse, reseal, small_log
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange.verify import verify_log

LOG = small_log()


def check(data: bytes) -> Any:
    return verify_log(io.BytesIO(data))


def mangled(change: Any) -> bytes:
    """The small log with one line's object changed by ``change(objs)``, chain re-sealed."""
    objs = parse(LOG)
    change(objs)
    return reseal(objs)


def test_the_small_log_verifies() -> None:
    result = check(LOG)
    assert result.event_count == len(LOG.splitlines()) - 2


def test_malformed_json_names_the_line() -> None:
    lines = LOG.splitlines(keepends=True)
    lines[3] = lines[3][:20] + b"\n"
    with pytest.raises(e.MalformedJsonError, match=r"^line 4: not valid JSON"):
        check(b"".join(lines))


def test_a_missing_payload_field_is_named() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        del objs[1]["payload"]["birth_date"]

    with pytest.raises(e.MissingFieldError,
                       match=r"^line 2 \(FirstContactRegistered\), field 'payload.birth_date'"):
        check(mangled(change))


def test_an_unknown_field_is_named_with_what_is_allowed() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[2]["note"] = "free text"

    with pytest.raises(e.UnknownFieldError,
                       match=r"^line 3 \(FirstConversationHeld\), field 'note': .*expected only"):
        check(mangled(change))


def test_an_unknown_event_type() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[2]["type"] = "TeaServed"

    with pytest.raises(e.UnknownEventTypeError,
                       match=r"^line 3 \(TeaServed\), field 'type': unknown event type"):
        check(mangled(change))


def test_an_unknown_schema_version_lists_the_readable_ones() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[5]["schema_version"] = 7

    with pytest.raises(e.UnknownSchemaVersionError,
                       match=r"^line 6 \(ConversationHeld\), field 'schema_version': .*"
                             r"expected one of 1, 2, got 7"):
        check(mangled(change))


def test_a_date_that_does_not_parse() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[1]["payload"]["birth_date"] = "2005-02-30"

    with pytest.raises(e.InvalidDateError,
                       match=r"^line 2 \(FirstContactRegistered\), field 'payload.birth_date': "
                             r"expected an ISO 8601 date"):
        check(mangled(change))


def test_a_recorded_at_not_in_utc() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[1]["recorded_at"] = "2024-01-02T10:00:00+01:00"

    with pytest.raises(e.InvalidDateError, match=r"field 'recorded_at': expected .* UTC"):
        check(mangled(change))


def test_a_gap_in_a_streams_versions() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[3]["version"] = 4

    with pytest.raises(e.StreamVersionError,
                       match=r"^line 4 \(Visitated\), field 'version': a gap .* expected 3, "
                             r"got 4"):
        check(mangled(change))


def test_a_duplicate_in_a_streams_versions() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[3]["version"] = 2

    with pytest.raises(e.StreamVersionError, match=r"^line 4 .*a duplicate.*expected 3, got 2"):
        check(mangled(change))


def test_a_sequence_number_out_of_order() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[4]["seq"] = 9

    with pytest.raises(e.SequenceError,
                       match=r"^line 5 \(LiteracyTestAssessed\), field 'seq': sequence number "
                             r"out of order, expected 4, got 9"):
        check(mangled(change))


def test_a_broken_hash_chain_names_the_first_line_where_it_breaks() -> None:
    lines = LOG.splitlines(keepends=True)
    obj = orjson.loads(lines[6])
    obj["recorded_by"] = "cw-9"
    lines[6] = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS) + b"\n"
    with pytest.raises(e.HashChainError, match=r"^line 7 \(.*\), field 'hash': the hash chain "
                                               r"breaks here"):
        check(b"".join(lines))


def test_a_truncated_file_has_no_trailer() -> None:
    lines = LOG.splitlines(keepends=True)
    with pytest.raises(e.TruncatedLogError, match=r"without a trailer \(truncated\?\)"):
        check(b"".join(lines[:-1]))


def test_a_line_cut_short_is_reported_as_truncated() -> None:
    with pytest.raises(e.MalformedJsonError, match=r"does not end with a line feed"):
        check(LOG[:-30])


def test_an_empty_file() -> None:
    with pytest.raises(e.TruncatedLogError, match=r"^line 1: the log is empty"):
        check(b"")


def test_a_non_canonical_line_is_refused() -> None:
    lines = LOG.splitlines(keepends=True)
    lines[2] = json.dumps(orjson.loads(lines[2])).encode() + b"\n"  # spaces after : and ,
    with pytest.raises(e.NonCanonicalLineError, match=r"^line 3 .*not in canonical form"):
        check(b"".join(lines))


def test_a_cpr_number_is_refused_anywhere() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[6]["payload"]["offer_id"] = "0101901234"

    with pytest.raises(e.InvalidValueError, match=r"payload.offer_id'.*never a CPR number"):
        check(mangled(change))


def test_an_order_for_an_unknown_young_person() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        for o in objs:
            if o.get("type") == "OrderIssued":
                o["payload"]["young_person_id"] = "00000000-0000-4000-8000-000000000000"

    with pytest.raises(e.UnknownReferenceError, match=r"\(OrderIssued\), field "
                                                      r"'payload.young_person_id'"):
        check(mangled(change))


def test_the_trailer_count_must_match() -> None:
    lines = LOG.splitlines(keepends=True)
    objs = parse(LOG)
    objs[-1]["event_count"] = 1
    from ungeforloeb.interchange import format as fmt

    prev = objs[-2]["hash"]
    del objs[-1]["hash"]
    line, _ = fmt.seal(objs[-1], prev)
    with pytest.raises(e.TrailerError, match=r"field 'event_count'.*expected \d+, got 1"):
        check(b"".join([*lines[:-1], line]))


def test_content_after_the_trailer() -> None:
    with pytest.raises(e.LogError, match=r"a line after the trailer"):
        check(LOG + LOG.splitlines(keepends=True)[1])


def test_a_header_of_another_format_version() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[0]["format_version"] = 2

    with pytest.raises(e.UnsupportedFormatError, match=r"^line 1, field 'format_version'"):
        check(mangled(change))


def test_an_event_of_another_municipality_than_the_header() -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[0]["municipality_code"] = "751"

    with pytest.raises(e.InvalidValueError, match=r"payload.municipality_code'.*expected '751'"):
        check(mangled(change))


@pytest.mark.parametrize("index", range(1, len(LOG.splitlines()) - 1))
def test_changing_one_character_in_any_event_line_fails_naming_that_line(index: int) -> None:
    lines = LOG.splitlines(keepends=True)
    line = bytearray(lines[index])
    pos = line.index(b'"occurred_on":"') + len(b'"occurred_on":"2024-0')
    line[pos] = ord("1") if line[pos] != ord("1") else ord("2")
    lines[index] = bytes(line)
    with pytest.raises(e.LogError, match=rf"^line {index + 1}\b"):
        check(b"".join(lines))
