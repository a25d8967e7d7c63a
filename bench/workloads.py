"""What each benchmark process does. Every function returns ``{"events": n, "seconds": s}``;
only the work measured is inside ``seconds`` (generating the actions is not).

Run one with ``python -m bench.worker '<json>'`` (see :mod:`bench.worker`), which adds the
process's peak RSS.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from bench import anchors
from bench.data import Size, limited
from ungeforloeb.simulation.generator import Action

CACHE_SIZE = "1000000"
"""``AGGREGATE_CACHE_MAXSIZE`` of the command path: every aggregate stays cached, as in a bulk
load by one writer (eventsourcing's own aggregate cache; see docs/performance.md)."""


def _days(size: Size, limit: int | None) -> Iterator[list[Action]]:
    acts = limited(size)
    if limit is not None:
        acts = itertools.islice(acts, limit)
    for _day, todays in itertools.groupby(acts, key=lambda a: a.recorded_at.date()):
        yield list(todays)


def command(size: dict[str, Any], env: dict[str, str], batched: bool,
            limit: int | None = None, cache: str = "nocopy") -> dict[str, Any]:
    """Our command path: the scenario's actions through :class:`Ungeforloeb`'s commands.

    ``batched``: each simulated day's commands in one :meth:`Ungeforloeb.batch` block (as the
    demo saves them); otherwise every command is saved in its own transaction. ``cache``:
    ``none`` (every command reads its aggregate from the store), ``copy`` (eventsourcing's
    aggregate cache, deep-copying on get, its default) or ``nocopy`` (the cache without copies).
    """
    from ungeforloeb.application import SettableClock, Ungeforloeb
    from ungeforloeb.simulation.generator import perform

    s = Size(**size)
    env = dict(env)
    if cache != "none":
        env["AGGREGATE_CACHE_MAXSIZE"] = CACHE_SIZE
        env["AGGREGATE_CACHE_FASTFORWARD"] = "n"
        env["DEEPCOPY_FROM_AGGREGATE_CACHE"] = "y" if cache == "copy" else "n"
    clock = SettableClock(s.scenario.first_day)
    app = Ungeforloeb(env=env, clock=clock)
    seconds = 0.0
    n = 0
    perf = time.perf_counter
    for todays in _days(s, limit):
        t0 = perf()
        if batched:
            with app.batch():
                for a in todays:
                    clock.set(a.recorded_at)
                    perform(app, a)
        else:
            for a in todays:
                clock.set(a.recorded_at)
                perform(app, a)
        seconds += perf() - t0
        n += len(todays)
    events = app.recorder.max_notification_id() or 0
    app.close()
    return {"events": events, "seconds": seconds, "commands": n}


def plain(store: str, env: dict[str, str], batched: bool,
          limit: int | None = None) -> dict[str, Any]:
    """The anchor of :func:`command`: plain eventsourcing recording the same events in the same
    streams, saved in the same daily batches, as read back from our store (not timed)."""
    from ungeforloeb.application import Ungeforloeb

    app = Ungeforloeb(store)
    recs: Iterator[Any] = app.records()
    if limit is not None:
        recs = itertools.islice(recs, limit)

    def days() -> Iterator[list[tuple[str, bool, date, str]]]:
        for _day, todays in itertools.groupby(recs, key=lambda r: r.recorded_at[:10]):
            yield [(r.stream_id, r.version == 1, r.occurred_on, r.recorded_by) for r in todays]

    try:
        return anchors.es_plain_mirror(env, days(), batched)
    finally:
        app.close()


def _app(db: str) -> Any:
    from ungeforloeb.application import Ungeforloeb

    return Ungeforloeb(db)


def projection(db: str, kind: str, as_of: str) -> dict[str, Any]:
    """Catch a projection up from the store's notification log, from nothing.

    ``status``: the incremental status projection over every record, then every case's status.
    ``worklist``: every case file, then the worklist on ``as_of`` (all default sources).
    ``compliance``: every case file, then every rule's verdicts as of ``as_of``.
    """
    from ungeforloeb.projections.compliance import evaluate_all
    from ungeforloeb.projections.status import rebuild
    from ungeforloeb.projections.worklist import worklist

    app = _app(db)
    day = date.fromisoformat(as_of)
    t0 = time.perf_counter()
    if kind == "status":
        proj = rebuild(app.records())
        out = len(proj.all())
        n = proj.position
    elif kind == "worklist":
        files = app.case_files()
        n = sum(len(f.records) for f in files.values())
        out = len(worklist(files.values(), day))
    elif kind == "compliance":
        files = app.case_files()
        n = sum(len(f.records) for f in files.values())
        out = len(evaluate_all(files.values(), day).rows())
    else:
        raise ValueError(kind)
    seconds = time.perf_counter() - t0
    app.close()
    return {"events": n, "seconds": seconds, "items": out}


EXPORTED_AT = datetime(2030, 1, 1, tzinfo=UTC)


def export(db: str, log: str, as_of: str) -> dict[str, Any]:
    """Export the store to an interchange log (with the trailer's verdict digest)."""
    from ungeforloeb.interchange.export import export_to_file

    app = _app(db)
    t0 = time.perf_counter()
    summary = export_to_file(app, log, exported_at=EXPORTED_AT, as_of=date.fromisoformat(as_of))
    seconds = time.perf_counter() - t0
    app.close()
    return {"events": summary.event_count, "seconds": seconds}


def audit(log: str, as_of: str) -> dict[str, Any]:
    """``ungeforloeb audit``: read and check the log, fold the case files, judge every rule,
    and make the compliance table's rows."""
    from ungeforloeb.interchange.audit import evaluate, read_case_files

    t0 = time.perf_counter()
    with open(log, "rb") as stream:
        reader, files = read_case_files(stream)
    report = evaluate(files.values(), date.fromisoformat(as_of))
    rows = report.rows()
    seconds = time.perf_counter() - t0
    return {"events": reader.event_count, "seconds": seconds, "items": len(rows)}


def sqlite_executemany(db: str, rows: int) -> dict[str, Any]:
    return anchors.sqlite_executemany(db, rows)


def orjson_loads(log: str) -> dict[str, Any]:
    return anchors.orjson_loads(log)


def es_plain_read(db: str) -> dict[str, Any]:
    return anchors.es_plain_read(db)


def noop() -> dict[str, Any]:
    """The interpreter's own peak RSS with the library imported (a floor for the others)."""
    import ungeforloeb.interchange.audit
    import ungeforloeb.projections.compliance  # noqa: F401

    return {"events": 0, "seconds": 0.0}


WORKLOADS: dict[str, Callable[..., dict[str, Any]]] = {
    "command": command,
    "plain": plain,
    "projection": projection,
    "export": export,
    "audit": audit,
    "sqlite_executemany": sqlite_executemany,
    "orjson_loads": orjson_loads,
    "es_plain_read": es_plain_read,
    "noop": noop,
}
