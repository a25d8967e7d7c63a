"""The streamed audit: the same output and digest with one job or several, equal to the whole
report of the old path; a log checked in parallel ranges reports the same first fault, with
its line, as a sequential read.

Ranges and chunks are made tiny here (a few lines, a few events) so that a small history is
split over many ranges and tasks; one pool of three workers serves every example.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_same_answers import export, random_history

from interchange_support import new_app, parse, reseal, small_history
from ungeforloeb.interchange import audit as audit_module
from ungeforloeb.interchange import ranges
from ungeforloeb.interchange.audit import audit_log, evaluate, read_case_files
from ungeforloeb.interchange.errors import HashChainError, LogError
from ungeforloeb.interchange.parallel import Pool
from ungeforloeb.interchange.ranges import Source
from ungeforloeb.interchange.reader import LogReader
from ungeforloeb.interchange.sinks import JsonLines, JsonReport
from ungeforloeb.report.html import Breakdown, render_html
from ungeforloeb.rules.loader import default_rules

FEW = settings(max_examples=min(settings.default.max_examples, 40))


@pytest.fixture(scope="module")
def three() -> Iterator[Pool]:
    workers = Pool(3)
    yield workers
    workers.close()


@contextmanager
def tiny_ranges(range_bytes: int = 1200, chunk_events: int = 5) -> Iterator[None]:
    with mock.patch.object(ranges, "RANGE_BYTES", range_bytes), \
            mock.patch.object(audit_module, "CHUNK_EVENTS", chunk_events):
        yield


@contextmanager
def as_file(data: bytes) -> Iterator[Source]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "log.jsonl"
        path.write_bytes(data)
        source = Source(path=str(path))
        try:
            yield source
        finally:
            source.close()


def streamed(log: bytes, workers: Pool, as_of: object, known_at: object) -> dict[str, bytes]:
    """Every output of the streamed audit with these workers."""
    lines, whole = io.BytesIO(), io.BytesIO()
    jsonl = JsonLines(lambda: lines, as_of, known_at, default_rules().digest)  # type: ignore[arg-type]
    with as_file(log) as source, tiny_ranges():
        audited = audit_log(source, as_of, known_at, sink=jsonl, workers=workers,  # type: ignore[arg-type]
                            indented=True, keep_missed=True)
        jsonl.finish(audited)
        json_sink = JsonReport(lambda: whole)
        with tiny_ranges():
            again = audit_log(source, as_of, known_at, sink=json_sink, workers=workers,  # type: ignore[arg-type]
                              indented=True)
        json_sink.finish(again)
    report = audited.report()
    return {"digest": audited.digest.encode(), "jsonl": lines.getvalue(),
            "json": whole.getvalue(), "csv": report.to_csv().encode(),
            "html": render_html(report, source="log", cases=report.case_count,
                                verdicts=report.verdict_count,
                                breakdown=Breakdown(audited.tally.teams, audited.tally.months,
                                                    report.by_caseworker())).encode()}


@FEW
@given(st.data())
def test_one_job_and_three_give_the_same_output_and_digest_as_the_whole_report(
        three: Pool, data: st.DataObject) -> None:
    app, start = random_history(data)
    as_of = start + timedelta(days=data.draw(st.integers(-20, 700), label="as_of - start"))
    known_at = data.draw(st.none() | st.integers(-100, 100).map(lambda n: as_of + timedelta(n)),
                         label="known_at")
    log = export(app, as_of)
    with _one() as one:
        alone = streamed(log, one, as_of, known_at)
    together = streamed(log, three, as_of, known_at)
    assert together == alone
    _, files = read_case_files(io.BytesIO(log))
    whole = evaluate(files.values(), as_of, known_at)
    assert alone["digest"] == whole.digest().encode()
    assert alone["json"] == whole.to_json() + b"\n"
    assert alone["csv"] == whole.to_csv().encode()
    assert alone["html"] == render_html(whole, files, source="log").encode()
    out = alone["jsonl"].splitlines()
    assert orjson.loads(out[0])["kind"] == "header"
    summary = orjson.loads(out[-1])
    assert summary["kind"] == "summary" and summary["verdicts"] == len(whole.verdicts)
    assert summary["rows"] == [r.to_dict() for r in whole.rows()]
    assert out[1:-1] == [orjson.dumps(v.to_dict(), option=orjson.OPT_SORT_KEYS)
                         for v in whole.verdicts]
    assert hashlib.sha256(b"[" + b",".join(out[1:-1]) + b"]").hexdigest() == whole.digest()


@contextmanager
def _one() -> Iterator[Pool]:
    workers = Pool(1)
    try:
        yield workers
    finally:
        workers.close()


def small() -> bytes:
    app, clock = new_app()
    small_history(app, clock)
    return export(app, clock().date())


def sequential_error(log: bytes) -> LogError:
    with pytest.raises(LogError) as caught:
        for _ in LogReader(io.BytesIO(log)).records():
            pass
    return caught.value


def parallel_error(log: bytes, workers: Pool) -> LogError:
    with as_file(log) as source, tiny_ranges(range_bytes=700), pytest.raises(LogError) as caught:
        ranges.index_log(source, workers)
    return caught.value


def test_a_tampered_line_in_any_range_is_found_and_named(three: Pool) -> None:
    log = small()
    lines = log.splitlines(keepends=True)
    assert len(lines) > 12  # several ranges of about two lines each
    for i in range(1, len(lines)):  # every line after the header, the trailer too
        line = lines[i]
        if b'"recorded_by":"cw-' in line:  # the content: another caseworker
            changed = line.replace(b'"recorded_by":"cw-', b'"recorded_by":"cx-', 1)
        else:  # the stated hash
            at = line.index(b'"hash":"') + 8
            changed = line[:at] + (b"0" if line[at:at + 1] != b"0" else b"1") + line[at + 1:]
        tampered = b"".join([*lines[:i], changed, *lines[i + 1:]])
        err = parallel_error(tampered, three)
        assert isinstance(err, HashChainError), (i, err)
        assert err.line == i + 1
        assert str(err) == str(sequential_error(tampered))


@FEW
@given(st.data())
def test_a_log_changed_and_resealed_fails_in_ranges_exactly_as_read_in_order(
        three: Pool, data: st.DataObject) -> None:
    objs = parse(small())
    events = list(range(1, len(objs) - 1))
    how = data.draw(st.sampled_from(["drop", "duplicate", "swap", "version", "reference"]))
    i = data.draw(st.sampled_from(events), label="line index")
    j = data.draw(st.sampled_from(events), label="other line index")
    if how == "drop":
        del objs[i]
    elif how == "duplicate":
        objs.insert(j, dict(objs[i]))
    elif how == "swap":
        objs[i], objs[j] = objs[j], objs[i]
    elif how == "version":
        objs[i]["version"] += data.draw(st.sampled_from([-1, 1, 2]))
    else:
        objs[i]["payload"]["young_person_id"] = objs[j]["stream_id"]
    seq = 0
    for obj in objs:
        if obj["kind"] == "event":
            seq += 1
            obj["seq"] = seq
    log = reseal(objs)
    with as_file(log) as source, tiny_ranges(range_bytes=700):
        try:
            ranges.index_log(source, three)
        except LogError as err:
            assert str(err) == str(sequential_error(log))
        else:
            for _ in LogReader(io.BytesIO(log)).records():  # valid in order too
                pass
