"""Anchors measured on the same machine in the same run, so our figures read as ratios.

- ``es_plain_save``: plain eventsourcing (no domain rules, its default JSON transcoder) saving
  equivalent aggregates — the same number of events, similar payloads, the same batch size —
  into SQLite.
- ``es_plain_read``: reading those events back through its notification log.
- ``sqlite_executemany``: ``sqlite3`` inserting the same number of rows of similar size.
- ``orjson_loads``: ``orjson.loads`` of every line of the interchange log.
- ``bare_chained_fold``: what an audit cannot skip, done plainly in one process: every line of
  the log parsed, its SHA-256 chain recomputed and compared, made a light record, grouped by
  case, and each case folded into its facts (the library's fold), with no field checks and no
  rules judged.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class PlainCase(Aggregate):
    """An aggregate with events shaped like ours, and no rules at all."""

    @event("Registered")
    def __init__(self, occurred_on: date, recorded_by: str, municipality_code: str,
                 birth_date: date) -> None:
        self.n = 0

    @event("Happened")
    def happen(self, occurred_on: date, recorded_by: str, flag_a: bool, flag_b: bool,
               code: str) -> None:
        self.n += 1


class PlainApp(Application[UUID]):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def es_plain_save(db: str, events: int, per_case: int, batch_cases: int) -> dict[str, Any]:
    """Save ``events`` events in aggregates of ``per_case`` events, ``batch_cases`` a save."""
    app = PlainApp(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db})
    start = date(2024, 1, 1)
    done = 0
    t0 = time.perf_counter()
    pending: list[PlainCase] = []
    while done < events:
        case = PlainCase(occurred_on=start, recorded_by="cw-1", municipality_code="101",
                         birth_date=date(2003, 1, 1))
        done += 1
        for i in range(min(per_case - 1, events - done)):
            case.happen(occurred_on=start + timedelta(days=i), recorded_by="cw-1",
                        flag_a=True, flag_b=False, code="EUD-1")
            done += 1
        pending.append(case)
        if len(pending) >= batch_cases:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    elapsed = time.perf_counter() - t0
    return {"events": done, "seconds": elapsed}


def es_plain_read(db: str) -> dict[str, Any]:
    """Read every event back as domain events via the recorder and mapper."""
    app = PlainApp(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db})
    t0 = time.perf_counter()
    n = 0
    position = 1
    while True:
        page = app.recorder.select_notifications(position, 2000)
        if not page:
            break
        for notification in page:
            app.mapper.to_domain_event(notification)
            n += 1
        position = page[-1].id + 1
    return {"events": n, "seconds": time.perf_counter() - t0}


def sqlite_executemany(db: str, rows: int) -> dict[str, Any]:
    """Insert ``rows`` rows shaped like stored events with one executemany."""
    if os.path.exists(db):
        os.remove(db)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE stored (id INTEGER PRIMARY KEY, originator_id BLOB, "
                 "originator_version INTEGER, topic TEXT, state BLOB)")
    state = orjson.dumps({"occurred_on": "2024-01-01", "recorded_by": "cw-1",
                          "recorded_at": "2024-01-01T09:00:00+00:00", "flag_a": True,
                          "flag_b": False, "code": "EUD-1"})
    data = [(uuid4().bytes, i, "bench:Happened", state) for i in range(rows)]
    t0 = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO stored (originator_id, originator_version, topic, state) "
                         "VALUES (?, ?, ?, ?)", data)
    elapsed = time.perf_counter() - t0
    conn.close()
    return {"events": rows, "seconds": elapsed}


def orjson_loads(log: str) -> dict[str, Any]:
    """``orjson.loads`` every line of a log file, streaming."""
    n = 0
    t0 = time.perf_counter()
    loads = orjson.loads
    with open(log, "rb") as fh:
        for line in fh:
            loads(line)
            n += 1
    return {"events": n, "seconds": time.perf_counter() - t0}


def es_plain_mirror(env: dict[str, str], days: Iterable[list[tuple[str, bool, date, str]]],
                    batched: bool) -> dict[str, Any]:
    """Plain eventsourcing recording the same events in the same streams and the same saves.

    ``days`` gives, per simulated day, each event as (stream id, starts the stream, occurred on,
    recorded by). A stream's first event creates a :class:`PlainCase`, later ones call
    ``happen``; aggregates are kept in memory (no reads). ``batched``: one save of every
    aggregate touched in a day; otherwise one save per event. Only the aggregate calls and the
    saves are timed.
    """
    app = PlainApp(env=env)
    cases: dict[str, PlainCase] = {}
    birth = date(2003, 1, 1)
    n = 0
    seconds = 0.0
    perf = time.perf_counter
    for todays in days:
        t0 = perf()
        touched: dict[str, PlainCase] = {}
        for stream, creates, occurred_on, recorded_by in todays:
            if creates:
                case = PlainCase(occurred_on=occurred_on, recorded_by=recorded_by,
                                 municipality_code="101", birth_date=birth)
                cases[stream] = case
            else:
                case = cases[stream]
                case.happen(occurred_on=occurred_on, recorded_by=recorded_by, flag_a=True,
                            flag_b=False, code="EUD-1")
            if batched:
                touched[stream] = case
            else:
                app.save(case)
        if touched:
            app.save(*touched.values())
        seconds += perf() - t0
        n += len(todays)
    app.close()
    return {"events": n, "seconds": seconds}


def bare_chained_fold(log: str, as_of: str) -> dict[str, Any]:
    """The anchor of the audit (see the module's doc): parse, chain, group, fold; one process.
    """
    import hashlib

    from ungeforloeb.casefile.fold import CaseFile
    from ungeforloeb.casefile.records import EventRecord, group_by_case

    day = date.fromisoformat(as_of)
    days: dict[str, date] = {}
    records: list[EventRecord] = []
    previous = b""
    loads = orjson.loads
    sha256 = hashlib.sha256
    t0 = time.perf_counter()
    with open(log, "rb") as fh:
        for raw in fh:
            obj = loads(raw)
            stated = obj["hash"]
            body = raw[:-1].replace(b'"hash":"' + stated.encode() + b'",', b"", 1)
            if sha256(previous + body).hexdigest() != stated:
                raise ValueError("hash chain broken")
            previous = stated.encode()
            if obj["kind"] != "event":
                continue
            on = obj["occurred_on"]
            d = days.get(on)
            if d is None:
                days[on] = d = date.fromisoformat(on)
            records.append(EventRecord(obj["seq"], obj["stream_id"], obj["stream_type"],
                                       obj["version"], obj["type"], d, obj["recorded_at"],
                                       obj["recorded_by"], obj["payload"]))
    cases = group_by_case(records)
    del records
    for case_id, recs in cases.items():
        CaseFile(case_id, recs).view(as_of=day)
    return {"events": sum(len(r) for r in cases.values()), "seconds": time.perf_counter() - t0}


def es_runner_pg(app_env: dict[str, str], schema: str, limit: int) -> dict[str, Any]:
    """eventsourcing's own ``ProjectionRunner`` following our PostgreSQL store with a trivial
    projection (each event: its tracking row, in its own transaction, as the runner does), up
    to position ``limit``: the anchor of the kept catch-up into PostgreSQL. The application
    class is the adapter's (events decoded to light records, as the kept projection reads)."""
    from eventsourcing.persistence import Notification, StoredEvent, Tracking
    from eventsourcing.postgres import PostgresTrackingRecorder
    from eventsourcing.projection import Projection, ProjectionRunner
    from eventsourcing.utils import EnvType

    from ungeforloeb.application.app import Ungeforloeb
    from ungeforloeb.application.identity import MemoryIdentityStore
    from ungeforloeb.application.mapper import OrjsonMapper
    from ungeforloeb.casefile.decode import record_from_state

    class RecordMapper(OrjsonMapper):
        """A stored notification becomes a light record (no aggregate event objects)."""

        def to_domain_event(self, stored_event: StoredEvent) -> Any:
            assert isinstance(stored_event, Notification)
            return record_from_state(stored_event.id, str(stored_event.originator_id),
                                     stored_event.originator_version, stored_event.topic,
                                     self.decode_state(stored_event.state))

    class SubscribedApp(Ungeforloeb):
        """The application as the runner constructs it (``application_class(env)``)."""

        name = Ungeforloeb.name

        def __init__(self, env: EnvType | None = None) -> None:
            super().__init__(env=dict(env or {}), identities=MemoryIdentityStore())

        def construct_mapper(self) -> RecordMapper:
            return RecordMapper(transcoder=self.factory.transcoder(),
                                cipher=self.factory.cipher(),
                                compressor=self.factory.compressor())

    class Trivial(Projection[PostgresTrackingRecorder]):
        name = "bench_trivial"

        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            self.view.insert_tracking(tracking)

    env = dict(app_env)
    env["BENCH_TRIVIAL_POSTGRES_SCHEMA"] = schema
    t0 = time.perf_counter()
    c0 = time.process_time()
    with ProjectionRunner(application_class=SubscribedApp, projection_class=Trivial,
                          view_class=PostgresTrackingRecorder, env=env) as runner:
        runner.wait(limit, timeout=3600)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    return {"events": limit, "seconds": seconds, "cpu_seconds": cpu}
