"""Reading a log: decode each line with orjson, check it strictly, yield light event records.

:class:`LogReader` streams: it holds one line at a time plus, per stream, its type and last
version (and the set of young people seen), so memory grows with the number of streams, not
events. It raises the first :class:`~ungeforloeb.interchange.errors.LogError` it meets; a caller
that reaches the end of :meth:`LogReader.records` has read a log that is valid in every respect
except the trailer's verdict digest (which only an audit can re-derive).
"""

from __future__ import annotations

import re
import types
import typing
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate

from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.base import ID_PATTERN
from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.domain.upcast import payload_fields, readable_versions, upcast_payload
from ungeforloeb.interchange import errors as e
from ungeforloeb.interchange.format import (
    EVENT_FIELDS,
    FORMAT_NAME,
    FORMAT_VERSION,
    GENESIS_HASH,
    HEADER_FIELDS,
    TRAILER_FIELDS,
    body_without_hash,
    canonical_bytes,
    chain_hash,
)

HEX64 = re.compile(r"^[0-9a-f]{64}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
"""Any string in a payload: a code or id — no spaces, so never free text."""
CPR_LIKE = re.compile(r"^[0-9]{6}-?[0-9]{4}$")
"""What a CPR number looks like; refused everywhere in a log."""
FIELD_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "municipality_code": (re.compile(r"^[0-9]{3}$"), "a three-digit municipality code"),
    "institution_id": (re.compile(r"^[0-9]{6}$"), "a six-digit institution number"),
}
LIBRARY_VERSION = re.compile(r"^[0-9A-Za-z.+-]{1,40}$")
REGIME_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")

Check = Callable[[Any], Any]
"""Validates a JSON value; returns it (possibly normalised) or raises ``ValueError(expected)``."""


class _Bad(ValueError):
    """A value failed a check; ``args[0]`` says what was expected."""


# ---------------------------------------------------------------------- value checks


def _check_date(v: Any) -> Any:
    if not isinstance(v, str):
        raise _Bad("an ISO 8601 date YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(v)
    except ValueError:
        raise _Bad("an ISO 8601 date YYYY-MM-DD") from None
    if parsed.isoformat() != v:
        raise _Bad("an ISO 8601 date in the form YYYY-MM-DD")
    return v


def _check_datetime(v: Any) -> Any:
    expected = "an ISO 8601 date-time in UTC, YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00"
    if not isinstance(v, str):
        raise _Bad(expected)
    try:
        parsed = datetime.fromisoformat(v)
    except ValueError:
        raise _Bad(expected) from None
    if parsed.tzinfo is None or parsed.utcoffset() != UTC.utcoffset(None):
        raise _Bad(expected)
    if orjson.dumps(parsed).decode()[1:-1] != v:
        raise _Bad(expected)
    return v


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""Exactly the strings ``s`` with ``str(UUID(s)) == s`` (the fast path of :func:`_check_uuid`)."""


def _check_uuid(v: Any) -> Any:
    if isinstance(v, str) and _CANONICAL_UUID.fullmatch(v):
        return v
    expected = "a UUID in lower-case hex with hyphens"
    if not isinstance(v, str):
        raise _Bad(expected)
    try:
        ok = str(UUID(v)) == v
    except ValueError:
        ok = False
    if not ok:
        raise _Bad(expected)
    return v


def _check_bool(v: Any) -> Any:
    if not isinstance(v, bool):
        raise _Bad("true or false")
    return v


def _check_int(v: Any) -> Any:
    if not isinstance(v, int) or isinstance(v, bool):
        raise _Bad("an integer")
    return v


def _string_check(name: str) -> Check:
    pattern, what = FIELD_PATTERNS.get(
        name, (CODE, "a code or id (letters, digits and ._:-, no spaces, at most 64)"))

    def check(v: Any) -> Any:
        if not isinstance(v, str) or not pattern.fullmatch(v):
            raise _Bad(what)
        if CPR_LIKE.match(v):
            raise _Bad(f"{what}, never a CPR number")
        return v

    return check


def _enum_check(enum: type[Enum]) -> Check:
    values = [m.value for m in enum]
    shown = ", ".join(str(x) for x in values)

    def check(v: Any) -> Any:
        if isinstance(v, bool) or v not in values or type(v) is not type(values[values.index(v)]):
            raise _Bad(f"one of {shown}")
        return v

    return check


def _enum_tuple_check(enum: type[Enum]) -> Check:
    values = [m.value for m in enum]
    shown = ", ".join(str(x) for x in values)
    one = _enum_check(enum)

    def check(v: Any) -> Any:
        expected = f"a list of distinct codes from {shown}, in that order"
        if not isinstance(v, list):
            raise _Bad(expected)
        try:
            for x in v:
                one(x)
        except _Bad:
            raise _Bad(expected) from None
        if [x for x in values if x in v] != v:
            raise _Bad(expected)
        return v

    return check


def _check_for(name: str, tp: Any) -> Check:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"payload field {name}: unsupported type {tp}")
        inner = _check_for(name, args[0])

        def optional(v: Any) -> Any:
            if v is None:
                return None
            try:
                return inner(v)
            except _Bad as bad:
                raise _Bad(f"null or {bad.args[0]}") from None

        return optional
    if origin is tuple:
        (item, *_) = typing.get_args(tp)
        if isinstance(item, type) and issubclass(item, Enum):
            return _enum_tuple_check(item)
        raise TypeError(f"payload field {name}: unsupported type {tp}")
    if tp is bool:
        return _check_bool
    if tp is int:
        return _check_int
    if tp is str:
        return _string_check(name)
    if tp is date:
        return _check_date
    if tp is datetime:
        return _check_datetime
    if tp is UUID:
        return _check_uuid
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum_check(tp)
    raise TypeError(f"payload field {name}: unsupported type {tp}")


@cache
def payload_checks(type_name: str, schema_version: int) -> tuple[tuple[str, Check], ...] | None:
    """(field, check) for each payload field of an event type at a schema version."""
    fields = payload_fields(type_name, schema_version)
    if fields is None:
        return None
    return tuple((name, _check_for(name, tp)) for name, tp in fields)


@cache
def _payload_names(checks: tuple[tuple[str, Check], ...]) -> frozenset[str]:
    return frozenset(n for n, _ in checks)


# ---------------------------------------------------------------------------- lines


@dataclass(frozen=True, slots=True)
class Header:
    """The log's first line."""

    format_version: int
    library_version: str
    exported_at: str
    municipality_code: str | None
    regimes: dict[str, str]
    hash: str


@dataclass(frozen=True, slots=True)
class Trailer:
    """The log's last line."""

    event_count: int
    final_hash: str
    verdicts_as_of: date
    verdict_digest: str
    hash: str


def _fields(obj: dict[str, Any], allowed: frozenset[str], line: int, what: str,
            event_type: str | None = None, prefix: str = "") -> None:
    if obj.keys() == allowed:
        return
    for name in sorted(allowed):
        if name not in obj:
            raise e.MissingFieldError(line, f"the {what} lacks a required field",
                                      event_type=event_type, field=prefix + name)
    for name in sorted(obj):
        if name not in allowed:
            raise e.UnknownFieldError(line, f"the {what} has a field the format does not define",
                                      event_type=event_type, field=prefix + name,
                                      expected="only " + ", ".join(sorted(allowed)))


def _value(obj: dict[str, Any], name: str, check: Check, line: int,
           event_type: str | None = None, prefix: str = "") -> Any:
    value = obj[name]
    try:
        return check(value)
    except _Bad as bad:
        cls = e.InvalidDateError if "ISO 8601" in str(bad.args[0]) else e.InvalidValueError
        raise cls(line, "", event_type=event_type, field=prefix + name, expected=bad.args[0],
                  got=value) from None


def _pattern(pattern: re.Pattern[str], what: str) -> Check:
    def check(v: Any) -> Any:
        if not isinstance(v, str) or not pattern.fullmatch(v):
            raise _Bad(what)
        return v

    return check


_HEX = _pattern(HEX64, "64 lower-case hex digits (SHA-256)")
_RECORDED_BY = _pattern(ID_PATTERN, "an id of lower-case letters, digits and ._:- (never a name)")


class LogReader:
    """Reads and checks a log line by line; :meth:`records` yields its events as records.

    ``lines`` is any iterable of byte lines *including* their ``\\n`` (an open binary file).
    After :meth:`records` is exhausted, :attr:`header` and :attr:`trailer` are set.
    """

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = lines
        self.header: Header | None = None
        self.trailer: Trailer | None = None
        self.event_count = 0
        self.lines_read = 0
        self._shared: dict[Any, Any] = {}
        """One object for equal ids, types, caseworkers and days across records (memory)."""

    def records(self) -> Iterator[EventRecord]:
        previous = GENESIS_HASH
        streams: dict[str, list[Any]] = {}  # stream id -> [stream type, last version]
        line = 0
        for raw in self._lines:
            line += 1
            self.lines_read = line
            if self.trailer is not None:
                raise e.LogError(line, "a line after the trailer",
                                 expected="the trailer to be the last line")
            obj, body = self._decode(raw, line)
            kind = obj.get("kind")
            if line == 1:
                if kind != "header":
                    raise e.InvalidValueError(line, "the first line must be the header",
                                              field="kind", expected="'header'", got=kind)
                self.header = self._header(obj, line)
                previous = self._chain(obj, body, previous, line, None)
                continue
            if kind == "event":
                rec = self._event(obj, line, streams)
                previous = self._chain(obj, body, previous, line, rec.type)
                yield rec
            elif kind == "trailer":
                self.trailer = self._trailer(obj, line, previous)
                self._chain(obj, body, previous, line, None)
            else:
                raise e.InvalidValueError(line, "", field="kind",
                                          expected="'event' or 'trailer'", got=kind)
        if line == 0:
            raise e.TruncatedLogError(1, "the log is empty", expected="a header line")
        if self.trailer is None:
            raise e.TruncatedLogError(
                line + 1, f"the log ends after line {line} without a trailer (truncated?)",
                expected="a trailer line with kind 'trailer'")

    # ------------------------------------------------------------------ pieces

    @staticmethod
    def _decode(raw: bytes, line: int) -> tuple[dict[str, Any], bytes]:
        if not raw.endswith(b"\n"):
            raise e.MalformedJsonError(line, "the line does not end with a line feed "
                                             "(truncated file?)",
                                       expected="every line, the last too, to end with \\n")
        body = raw[:-1]
        if body.endswith(b"\r"):
            raise e.MalformedJsonError(line, "the line ends with a carriage return",
                                       expected="lines ending with \\n only")
        try:
            obj = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise e.MalformedJsonError(line, f"not valid JSON in UTF-8 ({exc})") from None
        if not isinstance(obj, dict):
            raise e.MalformedJsonError(line, "", expected="a JSON object",
                                       got=type(obj).__name__)
        if "kind" not in obj:
            raise e.MissingFieldError(line, "the line lacks a required field", field="kind")
        return obj, body

    @staticmethod
    def _chain(obj: dict[str, Any], body: bytes, previous: str, line: int,
               event_type: str | None) -> str:
        if canonical_bytes(obj) != body:
            raise e.NonCanonicalLineError(
                line, "the line is not in canonical form", event_type=event_type,
                expected="keys sorted, no spaces, as in docs/interchange.md")
        stated = obj["hash"]
        computed = chain_hash(previous, body_without_hash(body, stated))
        if computed != stated:
            raise e.HashChainError(
                line, "the hash chain breaks here (this line or its hash was changed)",
                event_type=event_type, field="hash",
                expected=f"sha256(previous hash + this line without hash) = {computed}",
                got=stated)
        return computed

    def _header(self, obj: dict[str, Any], line: int) -> Header:
        _fields(obj, HEADER_FIELDS, line, "header")
        if obj["format"] != FORMAT_NAME:
            raise e.UnsupportedFormatError(line, "", field="format",
                                           expected=repr(FORMAT_NAME), got=obj["format"])
        version = obj["format_version"]
        if version != FORMAT_VERSION or isinstance(version, bool):
            raise e.UnsupportedFormatError(line, "this library reads format version 1",
                                           field="format_version", expected="1", got=version)
        _value(obj, "library_version", _pattern(LIBRARY_VERSION, "a version string"), line)
        _value(obj, "exported_at", _check_datetime, line)
        municipality = _value(obj, "municipality_code",
                              lambda v: None if v is None else _string_check(
                                  "municipality_code")(v), line)
        regimes = obj["regimes"]
        if not isinstance(regimes, dict):
            raise e.InvalidValueError(line, "", field="regimes",
                                      expected="an object of regime id -> SHA-256 hex",
                                      got=regimes)
        for key in regimes:
            if not REGIME_ID.fullmatch(key):
                raise e.InvalidValueError(line, "", field=f"regimes.{key}",
                                          expected="a regime id (letters, digits, ._:-)")
            _value(regimes, key, _HEX, line, prefix="regimes.")
        _value(obj, "hash", _HEX, line)
        return Header(version, obj["library_version"], obj["exported_at"], municipality,
                      dict(regimes), obj["hash"])

    def _event(self, obj: dict[str, Any], line: int,
               streams: dict[str, list[Any]]) -> EventRecord:
        type_name = obj.get("type")
        shown_type = type_name if isinstance(type_name, str) and len(type_name) < 64 else None
        _fields(obj, EVENT_FIELDS, line, "event line", shown_type)
        if not isinstance(type_name, str) or type_name not in EVENT_TYPES:
            raise e.UnknownEventTypeError(line, "unknown event type", event_type=shown_type,
                                          field="type",
                                          expected="an event type of the catalogue "
                                                   "(docs/interchange.md)", got=type_name)
        entry = EVENT_TYPES[type_name]
        t = type_name
        self.event_count += 1
        seq = _value(obj, "seq", _check_int, line, t)
        if seq != self.event_count:
            raise e.SequenceError(line, "sequence number out of order", event_type=t,
                                  field="seq", expected=str(self.event_count), got=seq)
        stream_id = _value(obj, "stream_id", _check_uuid, line, t)
        stream_type = obj["stream_type"]
        if stream_type != entry.stream_type:
            raise e.InvalidValueError(line, f"{t} belongs to {entry.stream_type} streams",
                                      event_type=t, field="stream_type",
                                      expected=repr(entry.stream_type), got=stream_type)
        version = _value(obj, "version", _check_int, line, t)
        schema_version = _value(obj, "schema_version", _check_int, line, t)
        checks = payload_checks(t, schema_version)
        if checks is None:
            raise e.UnknownSchemaVersionError(
                line, "this library cannot read this schema version", event_type=t,
                field="schema_version",
                expected="one of " + ", ".join(map(str, readable_versions(t))),
                got=schema_version)
        occurred = _value(obj, "occurred_on", _check_date, line, t)
        recorded_at = _value(obj, "recorded_at", _check_datetime, line, t)
        recorded_by = _value(obj, "recorded_by", _RECORDED_BY, line, t)
        if CPR_LIKE.match(recorded_by):
            raise e.InvalidValueError(line, "", event_type=t, field="recorded_by",
                                      expected="an id, never a CPR number")
        _value(obj, "hash", _HEX, line, t)
        payload = obj["payload"]
        if not isinstance(payload, dict):
            raise e.InvalidValueError(line, "", event_type=t, field="payload",
                                      expected="a JSON object", got=type(payload).__name__)
        _fields(payload, _payload_names(checks), line, "payload", t, "payload.")
        try:
            for name, check in checks:
                check(payload[name])
        except _Bad:  # say which field, as _value does
            for name, check in checks:
                _value(payload, name, check, line, t, "payload.")
            raise
        occurred_on = date.fromisoformat(occurred)
        if occurred > recorded_at[:10]:
            raise e.InvalidValueError(line, "an event cannot be recorded before it happened",
                                      event_type=t, field="occurred_on",
                                      expected=f"on or before {recorded_at[:10]} (recorded_at)",
                                      got=occurred)
        self._stream(line, t, stream_id, stream_type, version, streams)
        self._references(line, t, payload, streams)
        if schema_version != entry.schema_version:
            payload = upcast_payload(t, schema_version, payload)
        shared = self._shared.setdefault
        return EventRecord(seq, shared(stream_id, stream_id), shared(stream_type, stream_type),
                           version, shared(t, t), shared(occurred_on, occurred_on), recorded_at,
                           shared(recorded_by, recorded_by), payload)

    def _stream(self, line: int, t: str, stream_id: str, stream_type: str, version: int,
                streams: dict[str, list[Any]]) -> None:
        creates = issubclass(EVENT_TYPES[t].cls, Aggregate.Created)
        state = streams.get(stream_id)
        if state is None:
            if version != 1:
                raise e.StreamVersionError(
                    line, f"stream {stream_id} starts here, at version {version}",
                    event_type=t, field="version", expected="1 (the stream's first event)",
                    got=version)
            if not creates:
                raise e.StreamVersionError(
                    line, f"stream {stream_id} starts with {t}", event_type=t, field="type",
                    expected=f"the event that creates a {stream_type}")
            streams[stream_id] = [stream_type, 1]
            return
        if state[0] != stream_type:
            raise e.InvalidValueError(line, f"stream {stream_id} is a {state[0]}",
                                      event_type=t, field="stream_type",
                                      expected=repr(state[0]), got=stream_type)
        last = state[1]
        if version != last + 1:
            what = "a duplicate" if version <= last else "a gap"
            raise e.StreamVersionError(
                line, f"{what} in the versions of stream {stream_id} (last was {last})",
                event_type=t, field="version", expected=str(last + 1), got=version)
        if creates:
            raise e.StreamVersionError(line, f"{t} can only be version 1 of a stream",
                                       event_type=t, field="type")
        state[1] = version

    def _references(self, line: int, t: str, payload: dict[str, Any],
                    streams: dict[str, list[Any]]) -> None:
        if t == "FirstContactRegistered":
            assert self.header is not None
            code = payload["municipality_code"]
            if code != self.header.municipality_code:
                raise e.InvalidValueError(
                    line, "the case belongs to another municipality than the header's",
                    event_type=t, field="payload.municipality_code",
                    expected=repr(self.header.municipality_code), got=code)
        for name, kind in (("young_person_id", "YoungPerson"), ("order_id", "EducationOrder")):
            ref = payload.get(name)
            if ref is None or not issubclass(EVENT_TYPES[t].cls, Aggregate.Created):
                continue
            state = streams.get(ref)
            if state is None or state[0] != kind:
                raise e.UnknownReferenceError(
                    line, f"no earlier line created this {kind}", event_type=t,
                    field=f"payload.{name}", expected=f"the stream id of an earlier {kind}",
                    got=ref)

    def _trailer(self, obj: dict[str, Any], line: int, previous: str) -> Trailer:
        _fields(obj, TRAILER_FIELDS, line, "trailer")
        count = _value(obj, "event_count", _check_int, line)
        if count != self.event_count:
            raise e.TrailerError(line, "the event count disagrees with the event lines",
                                 field="event_count", expected=str(self.event_count),
                                 got=count)
        final = _value(obj, "final_hash", _HEX, line)
        if final != previous:
            raise e.TrailerError(line, "the final hash is not the last line's hash",
                                 field="final_hash", expected=previous, got=final)
        as_of = _value(obj, "verdicts_as_of", _check_date, line)
        digest = _value(obj, "verdict_digest", _HEX, line)
        _value(obj, "hash", _HEX, line)
        return Trailer(count, final, date.fromisoformat(as_of), digest, obj["hash"])


# ----------------------------------------------------------------- checked lines, ranges


def record_of_line(obj: dict[str, Any]) -> EventRecord:
    """The record of an event line that :class:`LogReader` (or a :class:`RangeChecker`) has
    already checked: the same record the reader yields, without checking again."""
    t = obj["type"]
    payload = obj["payload"]
    schema_version = obj["schema_version"]
    if schema_version != EVENT_TYPES[t].schema_version:
        payload = upcast_payload(t, schema_version, payload)
    return EventRecord(obj["seq"], obj["stream_id"], obj["stream_type"], obj["version"], t,
                       _day(obj["occurred_on"]), obj["recorded_at"], obj["recorded_by"],
                       payload)


@cache
def _day(iso: str) -> date:
    return date.fromisoformat(iso)


@cache
def _creates(type_name: str) -> bool:
    return issubclass(EVENT_TYPES[type_name].cls, Aggregate.Created)


class RangeError(Exception):
    """Raised by a :class:`RangeChecker` at the first line it cannot pass on its own; the
    caller then reads the log from the start with :class:`LogReader` for the exact error."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}")
        self.line = line


class RangeChecker(LogReader):
    """Checks a run of event lines from the middle of a log, as :class:`LogReader` checks them,
    given the header, the number of the run's first line and the hash its predecessor states.

    Every check of a line on its own is the reader's (fields, values, sequence number, the hash
    chain from the predecessor's stated hash); what depends on lines before the run is noted
    for the caller to join: per stream its type, first and last version, first line and (for a
    stream's creating event) the young person it names, and the references of creating events.
    A fault raises :class:`RangeError` naming the line. Each line's byte offset and length
    are kept per stream (:attr:`positions`, packed by :func:`pack`).
    """

    def __init__(self, header: Header, first_line: int, previous_hash: str) -> None:
        super().__init__(())
        self.header = header
        self.first_line = first_line
        self.event_count = first_line - 2
        self.previous_hash = previous_hash
        self.streams: dict[str, list[Any]] = {}
        """stream id -> [stream type, first version, last version, first line, owner]"""
        self.references: list[tuple[int, str, str]] = []
        """(line, referenced stream id, its expected stream type) of each creating event"""
        self.positions: dict[str, array[int]] = {}

    def check(self, lines: Iterable[bytes], offset: int) -> str:
        """Check ``lines`` (with their line feeds), the first at byte ``offset``; return the
        last line's hash."""
        previous = self.previous_hash
        line = self.first_line - 1
        positions = self.positions
        try:
            for raw in lines:
                line += 1
                obj, body = self._decode(raw, line)
                if obj.get("kind") != "event":
                    raise RangeError(line)
                rec = self._event(obj, line, self.streams)
                previous = self._chain(obj, body, previous, line, rec.type)
                where = positions.get(rec.stream_id)
                if where is None:
                    positions[rec.stream_id] = where = array("q")
                where.append(pack(offset, len(raw)))
                offset += len(raw)
        except (e.LogError, ValueError):
            raise RangeError(line) from None
        return previous

    def _stream(self, line: int, t: str, stream_id: str, stream_type: str, version: int,
                streams: dict[str, list[Any]]) -> None:
        creates = _creates(t)
        state = streams.get(stream_id)
        if state is None:
            if creates != (version == 1):
                raise RangeError(line)
            streams[stream_id] = [stream_type, version, version, line, None]
            return
        if state[0] != stream_type or version != state[2] + 1 or creates:
            raise RangeError(line)
        state[2] = version

    def _references(self, line: int, t: str, payload: dict[str, Any],
                    streams: dict[str, list[Any]]) -> None:
        if t == "FirstContactRegistered":
            assert self.header is not None
            if payload["municipality_code"] != self.header.municipality_code:
                raise RangeError(line)
        if not _creates(t):
            return
        for name, kind in (("young_person_id", "YoungPerson"), ("order_id", "EducationOrder")):
            ref = payload.get(name)
            if ref is not None:
                self.references.append((line, ref, kind))

    def _event(self, obj: dict[str, Any], line: int,
               streams: dict[str, list[Any]]) -> EventRecord:
        rec = super()._event(obj, line, streams)
        owner = rec.payload.get("young_person_id")
        if rec.version == 1 and isinstance(owner, str):
            streams[rec.stream_id][4] = owner  # the young person the new stream belongs to
        return rec


LENGTH_BITS = 24
"""A packed position: byte offset << 24 | line length (an event line is far below 16 MiB: its
values are codes, dates and flags)."""


def pack(offset: int, length: int) -> int:
    """One line's byte offset and length in one integer (for ``array('q')``)."""
    if length >= 1 << LENGTH_BITS:
        raise ValueError(f"a line of {length} bytes at byte {offset}")
    return offset << LENGTH_BITS | length


def unpack(position: int) -> tuple[int, int]:
    """(byte offset, length) of a packed position."""
    return position >> LENGTH_BITS, position & ((1 << LENGTH_BITS) - 1)
