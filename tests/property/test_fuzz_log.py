"""Fuzz: mangled logs give only clear LogErrors — never another exception — in verify, import
and audit.

Two kinds of mangling: bytes (flips, cuts, insertions, swapped or repeated lines), which mostly
stop at the JSON or the hash chain; and values (any field of any line set to any JSON value,
the chain then re-sealed), which reach every field check behind the chain.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interchange_support import new_app, parse, reseal, small_log
from ungeforloeb.interchange.audit import case_files, read_case_files
from ungeforloeb.interchange.errors import InterchangeError, LogError
from ungeforloeb.interchange.importer import import_log
from ungeforloeb.interchange.verify import verify_log

LOG = small_log()
LINES = LOG.splitlines(keepends=True)


def _compliance_available() -> bool:
    try:
        import ungeforloeb.projections.compliance  # noqa: F401
    except ImportError:
        return False
    return True


def run_all(data: bytes) -> None:
    """Verify, import into a fresh store and audit; only LogErrors may come out."""
    for step in ("verify", "import", "audit"):
        try:
            if step == "verify":
                verify_log(io.BytesIO(data))
            elif step == "import":
                app, _ = new_app()
                try:
                    import_log(app, io.BytesIO(data))
                except InterchangeError:
                    assert not app.recorder.max_notification_id(), "import wrote on error"
                    raise
            else:
                reader, files = read_case_files(io.BytesIO(data))
                for cf in files.values():
                    cf.facts()
                if _compliance_available() and reader.trailer is not None:
                    from ungeforloeb.interchange.audit import evaluate

                    evaluate(files.values(), reader.trailer.verdicts_as_of).digest()
        except LogError as err:
            text = str(err)
            assert text.startswith(("line ", "log")), text
            assert "Traceback" not in text


byte_edits = st.lists(
    st.tuples(st.sampled_from(["flip", "cut", "insert", "delete"]),
              st.integers(min_value=0, max_value=len(LOG) - 1),
              st.binary(min_size=1, max_size=4)),
    min_size=1, max_size=4)


@given(byte_edits)
def test_byte_mangled_logs_give_only_log_errors(edits: list[tuple[str, int, bytes]]) -> None:
    data = bytearray(LOG)
    for op, pos, blob in edits:
        pos = min(pos, max(len(data) - 1, 0))
        if op == "flip" and data:
            data[pos] ^= blob[0] or 1
        elif op == "cut":
            data = data[:pos]
        elif op == "insert":
            data[pos:pos] = blob
        elif data:
            del data[pos:pos + len(blob)]
    run_all(bytes(data))


@given(st.lists(st.integers(min_value=0, max_value=len(LINES) - 1), min_size=0,
                max_size=len(LINES) + 2))
def test_reordered_dropped_or_repeated_lines_give_only_log_errors(order: list[int]) -> None:
    run_all(b"".join(LINES[i] for i in order))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["2024-01-02", "2024-02-30", "101", "123456", "0101901234",
                       "00000000-0000-4000-8000-00000000000a", "AP", "final", "cw-1",
                       "2024-01-02T09:00:00+00:00", "YoungPerson", "ConversationHeld"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6)


@given(st.data())
def test_any_field_set_to_any_value_gives_only_log_errors(data: st.DataObject) -> None:
    objs = parse(LOG)
    index = data.draw(st.integers(min_value=0, max_value=len(objs) - 1), label="line")
    obj: dict[str, Any] = objs[index]
    target = obj
    if "payload" in obj and obj["payload"] and data.draw(st.booleans(), label="in payload"):
        target = obj["payload"]
    keys = sorted(target)
    key = data.draw(st.sampled_from([*keys, "extra"]), label="field")
    if data.draw(st.booleans(), label="delete") and key in target:
        del target[key]
    else:
        target[key] = data.draw(json_values, label="value")
    run_all(reseal(objs))


@pytest.mark.parametrize("data", [b"", b"\n", b"{}\n", b"[]\n", b"null\n", b"\xff\xfe\n",
                                  LOG.replace(b"\n", b"\r\n"), LOG[:-1], LOG + b"\n",
                                  b"{" * 10000 + b"\n"])
def test_odd_files_give_only_log_errors(data: bytes) -> None:
    run_all(data)


def test_a_valid_log_folds_into_the_same_case_files_as_its_records() -> None:
    reader, files = read_case_files(io.BytesIO(LOG))
    assert reader.trailer is not None
    assert list(files) == list(case_files(r for cf in files.values() for r in cf.records))


def _valid_value(tp: Any) -> st.SearchStrategy[Any]:
    """Values a line may hold for a payload field type (so the line still verifies)."""
    import types
    import typing
    from datetime import date
    from enum import Enum
    from uuid import UUID

    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return st.none() | _valid_value(inner)
    if tp is bool:
        return st.booleans()
    if tp is date:
        return st.dates(date(2015, 1, 1), date(2024, 1, 1)).map(date.isoformat)
    if tp is UUID:
        return st.sampled_from(["00000000-0000-4000-8000-00000000000a",
                                "00000000-0000-4000-8000-00000000000b"])
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from([m.value for m in tp])
    return st.sampled_from(["adm-1", "adm-2", "o-1", "x"])


@given(st.data())
def test_valid_but_odd_histories_audit_without_crashing(data: st.DataObject) -> None:
    """Lines that verify but tell an odd story (facts out of order, unknown admissions, other
    groups): the fold and the evaluator take them without an exception."""
    from datetime import date, timedelta

    from ungeforloeb.domain.catalogue import EVENT_TYPES

    objs = parse(LOG)
    for _ in range(data.draw(st.integers(1, 6), label="changes")):
        index = data.draw(st.integers(1, len(objs) - 2), label="line")
        obj = objs[index]
        if data.draw(st.booleans(), label="date"):
            recorded = date.fromisoformat(obj["recorded_at"][:10])
            back = data.draw(st.integers(0, 900), label="days back")
            obj["occurred_on"] = (recorded - timedelta(days=back)).isoformat()
            continue
        fields = EVENT_TYPES[obj["type"]].payload_fields if obj["schema_version"] == \
            EVENT_TYPES[obj["type"]].schema_version else ()
        if not fields:
            continue
        name, tp = data.draw(st.sampled_from(fields), label="field")
        if name in ("young_person_id", "order_id", "municipality_code", "institution_id"):
            continue
        obj["payload"][name] = data.draw(_valid_value(tp), label=name)
    log = reseal(objs)
    verify_log(io.BytesIO(log))  # still a valid log
    run_all(log)
