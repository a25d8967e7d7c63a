"""What each benchmark process does. Every function returns ``{"events": n, "seconds": s}``;
only the work measured is inside ``seconds`` (generating the actions is not).

Run one with ``python -m bench.worker '<json>'`` (see :mod:`bench.worker`), which adds the
process's peak RSS.
"""

from __future__ import annotations

import io
import itertools
import os
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
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


CASE_READS = ("case_rows", "repository_get", "case_file", "status", "trail", "explain")
"""The one-case calls :func:`case_reads` times, anchors first."""


def case_reads(db: str, as_of: str, sample: int = 200, seed: int = 1) -> dict[str, Any]:
    """One case at a time, as a caseworker's screen or the CLI asks for it: the median
    latency (ms) of each call over ``sample`` young people drawn at random (seeded).

    Anchors, on the same cases in the same process: ``case_rows``, the bare read of the case's
    rows by primary key (``SELECT`` of each of its streams from the events table, stream ids
    known beforehand); ``repository_get``, eventsourcing's ``repository.get`` of the young
    person (no aggregate cache). Ours: ``case_file`` (``app.case_file``: the index, the rows,
    light records), ``status`` (case file, fold, ``case_status``), ``trail`` (case file,
    ``audit_trail``), ``explain`` (case file, one rule — each case its own, in turn — judged as
    of ``as_of`` with the rules it depends on, as ``ungeforloeb explain`` does). A store
    without the index is indexed first (not timed; ``index_build_s`` says how long it took).
    """
    import random
    import statistics
    from uuid import UUID

    from ungeforloeb.application.store_index import person_streams_unbuilt
    from ungeforloeb.projections.audit_trail import audit_trail
    from ungeforloeb.projections.compliance import evaluate_case, load_rules
    from ungeforloeb.projections.status import case_status

    app = _app(db)
    recorder = app.recorder
    index = person_streams_unbuilt(recorder)
    t0 = time.perf_counter()
    built = not index.index_complete()
    if built:
        index.build_index(None)
    index_build_s = time.perf_counter() - t0 if built else 0.0
    events = recorder.max_notification_id() or 0
    with recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        c.execute(f"SELECT person_id FROM {recorder.index_table} "  # type: ignore[attr-defined]
                  f"WHERE person_id = stream_id ORDER BY person_id")
        people = [UUID(r[0]) for r in c.fetchall()]
    chosen = random.Random(seed).sample(people, min(sample, len(people)))
    streams = {p: [s.hex for s in index.streams_of(p)] for p in chosen}
    bare_sql = (f"SELECT rowid, originator_id, originator_version, topic, state FROM "
                f"{recorder.events_table_name} WHERE originator_id = ?")  # type: ignore

    def case_rows(p: UUID) -> object:
        out = []
        with recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            for sid in streams[p]:
                c.execute(bare_sql, (sid,))
                out.extend(c.fetchall())
        return out

    rules = load_rules()
    rule_of = {p: rules.ids[i % len(rules.ids)] for i, p in enumerate(chosen)}
    day = date.fromisoformat(as_of)
    calls = {
        "case_rows": case_rows,
        "repository_get": lambda p: app.repository.get(p),
        "case_file": lambda p: app.case_file(p),
        "status": lambda p: case_status(app.case_file(p).facts()),
        "trail": lambda p: audit_trail(app.case_file(p)),
        "explain": lambda p: evaluate_case(app.case_file(p), day, None,
                                           rules.only((rule_of[p],))),
    }
    for p in chosen:  # warm: the pages of these cases in the page cache, code paths loaded
        for call in calls.values():
            call(p)
    perf = time.perf_counter
    ms: dict[str, float] = {}
    for name in CASE_READS:
        call = calls[name]
        times = []
        for p in chosen:
            t = perf()
            call(p)
            times.append((perf() - t) * 1000)
        ms[name] = statistics.median(times)
    records = statistics.median(len(app.case_file(p).records) for p in chosen)
    app.close()
    return {"events": events, "seconds": 0.0, "ms": ms, "cases": len(chosen),
            "median_case_events": records, "index_build_s": index_build_s}


def _store_copy(db: str, prefix: str) -> tuple[Path, Path]:
    """A copy of the SQLite store ``db`` (with its WAL, shared memory and key files) in a new
    temporary folder: the folder and the copy's path. Remove the folder when done."""
    import shutil
    import tempfile

    work = Path(tempfile.mkdtemp(prefix=prefix))
    copy = work / "store.sqlite"
    for suffix in ("", "-wal", "-shm", ".key"):
        src = Path(db + suffix)
        if src.exists():
            shutil.copyfile(src, str(copy) + suffix)
    return work, copy


def kept(db: str, as_of: str, sample: int = 50, seed: int = 1,
         jobs: int | None = None) -> dict[str, Any]:
    """The kept verdicts (``ungeforloeb keep``): a cold catch-up of a copy of the store (the
    copy not timed; the kept tables go into it; ``jobs`` worker processes read and judge the
    cases, default the cores available), then one caseworker's worklist read from the kept rows
    — the median over ``sample`` caseworkers drawn at random (seeded) — and the management
    figures from the kept timelines (:func:`_management_kept`, under ``management``)."""
    import random
    import shutil

    from ungeforloeb.application.kept import PARALLEL_EVENTS, KeptVerdicts
    from ungeforloeb.interchange.parallel import available_cores

    work, copy = _store_copy(db, "bench-kept-")
    try:
        app = _app(str(copy))
        day = date.fromisoformat(as_of)
        t0, c0 = time.perf_counter(), time.process_time()
        done = KeptVerdicts(app, jobs=jobs).update(day)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        kept_view = KeptVerdicts(app)  # a fresh reader, as a vendor's query would be
        caseworkers = sorted({i.caseworker_id for i in kept_view.worklist()
                              if i.caseworker_id})
        chosen = random.Random(seed).sample(caseworkers, min(sample, len(caseworkers)))
        for c in chosen:  # warm
            kept_view.worklist(caseworker=c)
        times = []
        for c in chosen:
            t = time.perf_counter()
            kept_view.worklist(caseworker=c)
            times.append((time.perf_counter() - t) * 1000)
        management = _management_kept(app, day)
        app.close()
        return {"events": done.events, "seconds": seconds, "cpu_seconds": cpu,
                "jobs": jobs or (available_cores() if done.events >= PARALLEL_EVENTS else 1),
                "cases": done.judged,
                "ms": {"kept_worklist": statistics.median(times) if times else 0.0},
                "caseworkers": len(chosen), "management": management}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def kept_pg(size: dict[str, Any], env: dict[str, str], limit: int, as_of: str,
            anchor_events: int, cache: str = "nocopy") -> dict[str, Any]:
    """The kept verdicts into PostgreSQL (``ungeforloeb_postgres.kept``): the first ``limit``
    commands recorded into the store's schema (not timed), then a cold catch-up of the kept
    tables (timed, wall and CPU of this process), then the anchor in the same process:
    eventsourcing's runner with a trivial projection over the first ``anchor_events`` events of
    the same store (:func:`bench.anchors.es_runner_pg`)."""
    from ungeforloeb_postgres.kept import keep

    command(size, env, True, limit, cache)
    schema = env["POSTGRES_SCHEMA"]
    t0, c0 = time.perf_counter(), time.process_time()
    done = keep(env, schema, date.fromisoformat(as_of))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    runner = anchors.es_runner_pg(env, schema, min(anchor_events, done.position))
    return {"events": done.events, "seconds": seconds, "cpu_seconds": cpu,
            "cases": done.judged, "anchor": runner}


EXPORTED_AT = datetime(2030, 1, 1, tzinfo=UTC)


def export(db: str, log: str, as_of: str, jobs: int = 1) -> dict[str, Any]:
    """Export the store to an interchange log (with the trailer's verdict digest, judged here
    or, ``jobs`` > 1, by worker processes reading the cases back from the lines written)."""
    from ungeforloeb.interchange.export import export_to_file

    app = _app(db)
    t0 = time.perf_counter()
    summary = export_to_file(app, log, exported_at=EXPORTED_AT, as_of=date.fromisoformat(as_of),
                             jobs=jobs)
    seconds = time.perf_counter() - t0
    app.close()
    return {"events": summary.event_count, "seconds": seconds}


def merkle(db: str, as_of: str, runs: int = 3, sample: int = 50,
           big_leaves: int = 1_000_000) -> dict[str, Any]:
    """The Merkle tree's cost on export, and an inclusion proof's check (issue 15).

    In one process, alternately: the export to ``/dev/null`` without and with the tree, and the
    export's line writing alone (a constant verdict digest) without and with it; CPU time
    (``time.process_time``), the median of ``runs`` each. Then the check of one case's
    inclusion proof (the case with the most events of ``sample`` drawn), here and in a tree of
    ``big_leaves`` leaves with a case of as many events (paths of that tree's depth); CPU time,
    the median of 20."""
    import random

    from ungeforloeb.interchange.checkpoint import Signer
    from ungeforloeb.interchange.export import export_log
    from ungeforloeb.interchange.merkle import Leaves, inclusion_paths, leaf_hash
    from ungeforloeb.interchange.proofs import proof_bytes, prove_inclusion, verify_proof
    from ungeforloeb.interchange.ranges import Source, check_log

    app = _app(db)
    day = date.fromisoformat(as_of)

    def cpu(tree: bool, lines_only: bool) -> tuple[float, int]:
        with open(os.devnull, "wb") as null:
            t0 = time.process_time()
            options: dict[str, Any] = {"digest": lambda _files, _day: "0" * 64} \
                if lines_only else {}
            summary = export_log(app, null, exported_at=EXPORTED_AT, as_of=day, merkle=tree,
                                 **options)
            return time.process_time() - t0, summary.event_count

    times: dict[tuple[bool, bool], list[float]] = {}
    events = 0
    for _ in range(runs):
        for lines_only in (False, True):
            for tree in (False, True):
                t, events = cpu(tree, lines_only)
                times.setdefault((tree, lines_only), []).append(t)
    med = {k: statistics.median(v) for k, v in times.items()}

    # the tree alone over the same event lines (what the export adds to each line it writes)
    from ungeforloeb.interchange.merkle import TreeBuilder, event_leaf_hash

    with open(os.devnull, "wb") as null:
        export_log(app, null, exported_at=EXPORTED_AT, as_of=day, merkle=False,
                   digest=lambda _files, _day: "0" * 64)
    buffer = io.BytesIO()
    export_log(app, buffer, exported_at=EXPORTED_AT, as_of=day, merkle=False,
               digest=lambda _files, _day: "0" * 64)
    lines = buffer.getvalue().splitlines(keepends=True)[1:-1]
    alone = []
    for _ in range(runs):
        t0 = time.process_time()
        built = TreeBuilder()
        for line in lines:
            built.append(event_leaf_hash(line))
        built.root()
        alone.append(time.process_time() - t0)
    del lines, buffer

    # one case's proof in this log, checked as an auditor checks it (signed checkpoint)
    work = Path(db).with_suffix(".merkle.jsonl")
    signer = Signer("bench", bytes(32))
    from ungeforloeb.interchange.export import export_to_file

    try:
        note = export_to_file(app, work, exported_at=EXPORTED_AT, as_of=day, signer=signer,
                              digest=lambda _files, _day: "0" * 64).checkpoint
        source = Source(path=str(work))
        index = check_log(source, None)
        rng = random.Random(1)
        ids = rng.sample(index.case_ids, min(sample, len(index.case_ids)))
        case = max(ids, key=index.events_of)
        proof = proof_bytes(prove_inclusion(source, case_id=case, checkpoint=note))
        source.close()
    finally:
        work.unlink(missing_ok=True)
        Path(str(work) + ".checkpoint").unlink(missing_ok=True)
    verifier = signer.verifier()
    checks = []
    for _ in range(20):
        t0 = time.process_time()
        checked = verify_proof(proof, verifier=verifier)
        checks.append((time.process_time() - t0) * 1000)

    # the same number of events in a tree of big_leaves leaves: the path length of a 1M log
    leaves = Leaves()
    for i in range(big_leaves):
        leaves.append(leaf_hash(i.to_bytes(8, "big")))
    picked = sorted(rng.sample(range(big_leaves), checked.events))
    root = leaves.root()
    paths = inclusion_paths(leaves, picked)
    from ungeforloeb.interchange.merkle import verify_inclusion

    big = []
    for _ in range(20):
        t0 = time.process_time()
        assert all(verify_inclusion(i, big_leaves, leaf_hash(i.to_bytes(8, "big")), paths[i],
                                    root) for i in picked)
        big.append((time.process_time() - t0) * 1000)
    app.close()
    return {"events": events, "seconds": med[(True, False)],
            "export_cpu_s": med[(False, False)], "export_tree_cpu_s": med[(True, False)],
            "lines_cpu_s": med[(False, True)], "lines_tree_cpu_s": med[(True, True)],
            "tree_overhead": med[(True, False)] / med[(False, False)] - 1,
            "lines_tree_overhead": med[(True, True)] / med[(False, True)] - 1,
            "tree_alone_cpu_s": statistics.median(alone),
            "tree_alone_share": statistics.median(alone) / med[(False, False)],
            "proof_events": checked.events, "proof_bytes": len(proof),
            "proof_check_ms": statistics.median(checks),
            "big_tree_paths_check_ms": statistics.median(big), "big_leaves": big_leaves}


def audit(log: str, as_of: str, jobs: int | None = 1, fmt: str = "table") -> dict[str, Any]:
    """``ungeforloeb audit --format FMT --jobs N`` on the log: check it in ranges, index it,
    judge every case and stream the verdicts into the digest and the output (``table``: the
    table's rows from the counts; ``json``: the report's JSON; ``jsonl``: JSON Lines), written
    to ``/dev/null``. ``jobs``: worker processes (``None``: the cores available)."""
    from ungeforloeb.interchange.audit import audit_log
    from ungeforloeb.interchange.ranges import Source
    from ungeforloeb.interchange.sinks import JsonLines, JsonReport
    from ungeforloeb.rules.loader import default_rules

    day = date.fromisoformat(as_of)
    t0 = time.perf_counter()
    source = Source(path=log)
    with open(os.devnull, "wb") as null:
        sink: JsonLines | JsonReport | None = None
        if fmt == "json":
            sink = JsonReport(lambda: null)
        elif fmt == "jsonl":
            sink = JsonLines(lambda: null, day, None, default_rules().digest)
        audited = audit_log(source, day, jobs=jobs, sink=sink, indented=fmt == "json")
        if sink is not None:
            sink.finish(audited)
        rows = audited.report().rows()
    source.close()
    seconds = time.perf_counter() - t0
    return {"events": audited.index.event_count, "seconds": seconds, "items": len(rows),
            "jobs": jobs}


def verify(log: str, jobs: int | None = 1) -> dict[str, Any]:
    """``ungeforloeb verify --jobs N``: check every line of the log in ranges (fields, canonical
    form, hash chain, versions, references, trailer) and index its cases; no judging."""
    from ungeforloeb.interchange.ranges import Source, check_log

    t0 = time.perf_counter()
    source = Source(path=log)
    index = check_log(source, jobs)
    source.close()
    return {"events": index.event_count, "seconds": time.perf_counter() - t0, "jobs": jobs}


def bare_chained_fold(log: str, as_of: str) -> dict[str, Any]:
    return anchors.bare_chained_fold(log, as_of)


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


def management(log: str, as_of: str) -> dict[str, Any]:
    """Management figures from a log (issue 16): read and check the log into case files (as
    the audit does), then each case's timeline, the group on ``as_of`` and the year's flows
    and outcomes before it, month by month. ``seconds`` is the whole; the parts are reported
    so the figures' own cost shows beside the reading."""
    from dateutil.relativedelta import relativedelta

    from ungeforloeb.interchange.audit import read_case_files
    from ungeforloeb.projections.management import flows, outcomes, status_on, timelines

    day = date.fromisoformat(as_of)
    t0 = time.perf_counter()
    with open(log, "rb") as stream:
        reader, files = read_case_files(stream)
    t1 = time.perf_counter()
    lines = timelines(files.values())
    t2 = time.perf_counter()
    group = status_on(lines, day)
    start = day - relativedelta(years=1) + relativedelta(days=1)
    rows = flows(lines, start, day, "month")
    figures = outcomes(lines, start, day, day)
    t3 = time.perf_counter()
    return {"events": reader.event_count, "seconds": t3 - t0, "read_s": t1 - t0,
            "timelines_s": t2 - t1, "figures_s": t3 - t2, "cases": len(lines),
            "in_group": group.total, "periods": len(rows), "outcomes": len(figures)}


def _management_kept(app: Any, day: date) -> dict[str, Any]:
    """Management figures from the kept timelines (issue 16), from a fresh reader of a store
    just kept: the same figures as :func:`management` — the group on ``day``, the year's flows
    month by month and the cohort outcomes — read from the kept rows. ``seconds`` is the
    figures' wall time (``cpu_s`` their CPU time)."""
    from dateutil.relativedelta import relativedelta

    from ungeforloeb.application.kept import KeptVerdicts
    from ungeforloeb.application.kept_timelines import KeptTimelines

    t1, c1 = time.perf_counter(), time.process_time()
    kept = KeptTimelines(KeptVerdicts(app))  # a fresh reader
    assert kept.current()
    t2 = time.perf_counter()
    group = kept.status_on(day)
    t3 = time.perf_counter()
    start = day - relativedelta(years=1) + relativedelta(days=1)
    rows = kept.flows(start, day, "month")
    t4 = time.perf_counter()
    figures = kept.outcomes(start, day, day)
    t5, c5 = time.perf_counter(), time.process_time()
    return {"seconds": t5 - t1, "cpu_s": c5 - c1, "status_on_s": t3 - t2,
            "flows_s": t4 - t3, "outcomes_s": t5 - t4, "in_group": group.total,
            "periods": len(rows), "outcomes": len(figures)}


WORKLOADS: dict[str, Callable[..., dict[str, Any]]] = {
    "command": command,
    "plain": plain,
    "projection": projection,
    "export": export,
    "case_reads": case_reads,
    "audit": audit,
    "merkle": merkle,
    "management": management,
    "kept": kept,
    "kept_pg": kept_pg,
    "bare_chained_fold": bare_chained_fold,
    "verify": verify,
    "sqlite_executemany": sqlite_executemany,
    "orjson_loads": orjson_loads,
    "es_plain_read": es_plain_read,
    "noop": noop,
}
