"""A log of many young people, made fast enough for a test: one simulated municipality (the
demo's generator, through the application's commands into an in-memory store, exported), copied
``copies`` times with fresh ids, the copies' events interleaved in recording order and the chain
sealed anew; the trailer's verdict digest is the streamed audit's of the copied log, so the log
passes every check of ``verify --recompute`` and ``audit``.

Every copy gets its own ids (young people, orders, retention cases, admissions, reports,
messages, offers) and its own caseworkers; the teams are shared by groups of copies (a large
municipality has more caseworkers per team). The histories repeat, so the figures of the copied
log equal the original's times ``copies`` — the test of the report's size and speed does not
need them to differ.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.application.clock import SettableClock
from ungeforloeb.interchange import format as fmt
from ungeforloeb.interchange.audit import audit_log
from ungeforloeb.interchange.export import export_log
from ungeforloeb.interchange.ranges import Source
from ungeforloeb.simulation.generator import simulate
from ungeforloeb.simulation.scenario import Scenario

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_HEX_ID = re.compile(r"^([a-z]+)-([0-9a-f]{10,})$")
_PEOPLE = re.compile(r"^(cw|sps)-(\d+)$")
_TEAM = re.compile(r"^team-(\d+)$")
TEAM_GROUPS = 5
"""Copies share their teams in this many groups (team-3 of copy 7 is team-3-2)."""


@dataclass
class Timing:
    simulate_s: float
    copy_s: float
    audit_s: float


def _new_uuid(value: str, copy: int) -> str:
    h = hashlib.blake2b(f"{copy}:{value}".encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _renamer(copy: int) -> Any:
    def rename(value: Any) -> Any:
        if not isinstance(value, str) or (copy == 0 and not _TEAM.match(value)):
            return value
        if _UUID.match(value):
            return _new_uuid(value, copy)
        m = _HEX_ID.match(value)
        if m:
            h = hashlib.blake2b(f"{copy}:{value}".encode(), digest_size=16).hexdigest()
            return f"{m.group(1)}-{h[:len(m.group(2))]}"
        m = _PEOPLE.match(value)
        if m:
            return f"{m.group(1)}-{m.group(2)}-{copy:02d}"
        m = _TEAM.match(value)
        if m:
            return f"team-{m.group(1)}-{copy % TEAM_GROUPS}"
        return value

    return rename


def build(path: Path, *, people: int = 1000, copies: int = 20, seed: int = 1,
          jobs: int | None = None) -> tuple[date, Timing]:
    """Write a log of ``people * copies`` young people to ``path``; return its as-of day and
    how long each stage took (wall clock)."""
    started = time.perf_counter()
    scenario = Scenario(people=people, seed=seed)
    clock = SettableClock(scenario.first_day)
    app = Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    simulate(app, clock, scenario)
    as_of = scenario.last_day
    base = path.with_suffix(".base.jsonl")
    with base.open("wb") as out:
        export_log(app, out, as_of=as_of, digest=lambda _files, _day: "0" * 64, merkle=False)
    simulated = time.perf_counter()

    lines = base.read_bytes().splitlines()
    header, events, trailer = orjson.loads(lines[0]), lines[1:-1], orjson.loads(lines[-1])
    renames = [_renamer(c) for c in range(copies)]
    previous = fmt.GENESIS_HASH
    seq = 0
    with path.open("wb") as out:
        header.pop("hash")
        line, previous = fmt.seal(header, previous)
        out.write(line)
        for raw in events:
            event = orjson.loads(raw)
            del event["hash"]
            for rename in renames:
                seq += 1
                copy = dict(event, seq=seq, stream_id=rename(event["stream_id"]),
                            recorded_by=rename(event["recorded_by"]),
                            payload={k: rename(v) for k, v in event["payload"].items()})
                line, previous = fmt.seal(copy, previous)
                out.write(line)
        body = {"kind": "trailer", "event_count": seq, "final_hash": previous,
                "verdicts_as_of": trailer["verdicts_as_of"], "verdict_digest": "0" * 64}
        line, _ = fmt.seal(dict(body), previous)
        out.write(line)
        end = out.tell() - len(line)
    base.unlink()
    copied = time.perf_counter()

    source = Source(path=str(path))
    try:
        digest = audit_log(source, as_of, jobs=jobs).digest
    finally:
        source.close()
    body["verdict_digest"] = digest
    line, _ = fmt.seal(body, previous)
    with path.open("r+b") as out:
        out.seek(end)
        out.write(line)
        out.truncate()
    return as_of, Timing(simulated - started, copied - simulated, time.perf_counter() - copied)
