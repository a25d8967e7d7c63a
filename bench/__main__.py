"""``python -m bench``: events per second and peak memory of ungeforloeb's paths, beside anchors
measured on the same machine in the same run.

Every measurement runs in its own process (``python -m bench.worker``), so its peak RSS is its
own; with ``--runs R`` each is run R times and the median is reported. One line per measurement:

    BENCH <name> events_per_s=<float> peak_rss_mib=<float> ratio=<float or na> anchor=<name>

See docs/performance.md for what each measures, the anchors and the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.data import CACHE, ROOT, Size, size_for

QUICK_EVENTS = 100_000
SMALL_EVENTS = 10_000
"""The one-case calls are also measured at this size, to show their latency is flat."""
CASE_CALLS = ("case_file", "status", "trail", "explain")
FULL_EVENTS = 1_000_000
GROWTH_BASE = 100_000
"""Export and audit are also measured at this size to show how peak memory grows."""

POSTGRES = {
    "POSTGRES_DBNAME": "test",
    "POSTGRES_HOST": "127.0.0.1",
    "POSTGRES_PORT": "5432",
    "POSTGRES_USER": "postgres",
    "POSTGRES_PASSWORD": "",
    "POSTGRES_POOL_SIZE": "1",
    "POSTGRES_MAX_OVERFLOW": "2",
}

ANCHOR_OF = {
    "command_sqlite_each": "es_plain_save_each",
    "command_sqlite_batched": "es_plain_save_batched",
    "command_postgres_batched": "es_plain_save_batched_pg",
    "projection_status": "es_plain_read",
    "projection_worklist": "es_plain_read",
    "projection_compliance": "es_plain_read",
    "kept_catch_up": "es_plain_read",
    "kept_catch_up_pg": "es_runner_pg",
    "export": "es_plain_read",
    "export_jobs": "es_plain_read",
    "audit": "bare_chained_fold",
    "audit_json": "bare_chained_fold",
    "audit_jobs": "bare_chained_fold",
    "audit_json_jobs": "bare_chained_fold",
    "management": "audit",
    "management_kept": "audit",
    "bare_chained_fold": "orjson_loads",
    "verify": "bare_chained_fold",
    "es_plain_save_each": "sqlite_executemany",
    "es_plain_save_batched": "sqlite_executemany",
}
"""Each measurement's anchor: its events/s is printed as a ratio to the anchor's."""

ONCE = frozenset({
    "command_postgres_batched", "es_plain_save_batched_pg", "projection_worklist",
    "projection_compliance", "audit_json", "audit_json_jobs", "management", "export_merkle",
    "kept_catch_up_pg", "es_runner_pg", "export_jobs"})
"""Measured once even with ``--runs R``: each takes a minute or more at 1M and is no issue-10
target's own line (or, ``audit_json``, the same work as ``audit`` with another output), so the
full run (1M, three runs of the rest) takes less time (74 minutes on the 2-core machine of
1 December 2026, docs/performance.md). Their note says ``1 run``."""


@dataclass
class Result:
    name: str
    events: int
    runs: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    @property
    def events_per_s(self) -> float:
        rates = [r["events"] / r["seconds"] for r in self.runs if r["seconds"] > 0]
        return statistics.median(rates) if rates else 0.0

    @property
    def peak_rss_mib(self) -> float:
        return float(statistics.median(r["peak_rss_mib"] for r in self.runs))

    @property
    def ms(self) -> float | None:
        """Median latency in milliseconds, for the one-case calls (else None)."""
        values = [r["ms"] for r in self.runs if "ms" in r]
        return float(statistics.median(values)) if values else None


def sqlite_env(path: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
        import psycopg

        with psycopg.connect(_dsn(), connect_timeout=2):
            return True
    except Exception:
        return False


def _dsn() -> str:
    return (f"host={POSTGRES['POSTGRES_HOST']} port={POSTGRES['POSTGRES_PORT']} "
            f"dbname={POSTGRES['POSTGRES_DBNAME']} user={POSTGRES['POSTGRES_USER']}")


@contextmanager
def postgres_schema() -> Iterator[dict[str, str]]:
    """A fresh schema for one run, dropped afterwards."""
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:12]
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield {"PERSISTENCE_MODULE": "eventsourcing.postgres", **POSTGRES,
               "POSTGRES_SCHEMA": schema}
    finally:
        with psycopg.connect(_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class Bench:
    def __init__(self, args: argparse.Namespace, console: Console, out: Console) -> None:
        self.args = args
        self.console = console
        self.out = out
        self.results: dict[str, Result] = {}

    # ------------------------------------------------------------------ running

    def selected(self, label: str) -> bool:
        return not self.args.only or any(label.startswith(o) for o in self.args.only)

    def worker(self, name: str, args: dict[str, Any], optimize: bool = False) -> dict[str, Any]:
        cmd = [sys.executable, *(["-O"] if optimize else []), "-m", "bench.worker",
               json.dumps({"name": name, "args": args})]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                result: dict[str, Any] = json.loads(line[7:])
                return result
        raise RuntimeError(f"bench worker {name} failed:\n{proc.stderr[-3000:]}")

    def measure(self, label: str, name: str, args: dict[str, Any], *, runs: int | None = None,
                optimize: bool = False, before: Any = None, after: Any = None,
                note: str = "") -> Result:
        if not self.selected(label):
            return Result(label, 0)
        if runs is None and label in ONCE and self.args.runs > 1:
            runs = 1
            note = f"{note}; 1 run" if note else "1 run"
        result = Result(label, 0, note=note)
        for i in range(runs or self.args.runs):
            self._once(result, i, name, args, optimize, before, after)
        self.results[label] = result
        return result

    def _once(self, result: Result, i: int, name: str, args: dict[str, Any], optimize: bool,
              before: Any, after: Any) -> None:
        """Run ``i`` of a measurement, added to ``result`` and logged."""
        run_args = before(i) if before is not None else args
        t0 = time.perf_counter()
        ok = False
        try:
            out = self.worker(name, run_args, optimize)
            ok = True
        finally:
            if after is not None:
                after(i, ok)
        result.runs.append(out)
        result.events = out["events"]
        rate = out["events"] / max(out["seconds"], 1e-9)
        self.console.log(f"{result.name} run {i + 1}: {out['events']:,} events in "
                         f"{out['seconds']:.2f} s ({rate:,.0f}/s), "
                         f"peak {out['peak_rss_mib']:.0f} MiB "
                         f"[{time.perf_counter() - t0:.1f} s wall]")

    def alternate(self, *specs: dict[str, Any]) -> None:
        """Measure several labels a run of each in turn (A B A B A B, not A A A B B B), so that
        a machine whose speed drifts during the run (this one's disk does, by up to a fifth
        within minutes) weighs on each alike: for a measurement and its anchor, whose ratio is
        the point. Each spec: ``label``, ``name`` and :meth:`measure`'s ``args``, ``before``,
        ``after``, ``note``."""
        chosen = [s for s in specs if self.selected(s["label"])]
        results = {s["label"]: Result(s["label"], 0, note=s.get("note", "")) for s in chosen}
        for i in range(self.args.runs):
            for s in chosen:
                self._once(results[s["label"]], i, s["name"], s.get("args", {}), False,
                           s.get("before"), s.get("after"))
        self.results.update(results)

    # ------------------------------------------------------------------ steps

    def command_hooks(self, size: Size) -> tuple[Any, Any]:
        """``before`` and ``after`` of a run of the batched command path into SQLite: its first
        run becomes the cached store of the size when there is none yet."""
        size.dir.mkdir(parents=True, exist_ok=True)
        tmp = size.dir / "run.sqlite"
        sargs = asdict(size)

        def before(_i: int) -> dict[str, Any]:
            _remove_db(tmp)
            return {"size": sargs, "env": sqlite_env(tmp), "batched": True,
                    "cache": self.args.cache}

        def after(_i: int, ok: bool = True) -> None:
            if ok and not size.store.exists():
                for suffix in ("", "-wal", "-shm", ".key"):  # .key: its encryption key
                    src = Path(str(tmp) + suffix)
                    if src.exists():
                        src.rename(str(size.store) + suffix)
            _remove_db(tmp)

        return before, after

    def build_store(self, size: Size) -> None:
        """The cached store of the size, built (not measured) when there is none yet."""
        if not size.store.exists():
            before, after = self.command_hooks(size)
            self.console.log(f"building the {size.events:,}-event store (not measured)")
            self.worker("command", before(0))
            after(0, True)

    def export_log(self, size: Size, label: str | None) -> None:
        tmp = size.dir / "run.jsonl"

        def after(_i: int, ok: bool = True) -> None:
            if ok and not size.log.exists() and tmp.exists():
                tmp.rename(size.log)
            tmp.unlink(missing_ok=True)

        args = {"db": str(size.store), "log": str(tmp), "as_of": size.as_of}
        if label is None:
            if not size.log.exists():
                self.console.log(f"exporting the {size.events:,}-event log (not measured)")
                self.worker("export", args)
                after(0, True)
            return
        self.measure(label, "export", args, after=after)
        if not size.log.exists():
            self.export_log(size, None)

    def run(self) -> None:
        a = self.args
        size = size_for(a.events, a.seed)
        self.size = size
        self.console.log(
            f"municipality: {size.people:,} young people over {size.years} years (seed "
            f"{size.seed}), first {size.events:,} commands, data up to "
            f"{size.as_of}; cache {size.dir}")
        sargs = asdict(size)
        each = min(a.each_events, size.events)
        pg_events = min(a.pg_events or size.events, size.events)
        self.console.log(f"{size.person_years:,.0f} person-years on benefit: "
                         f"{size.events / size.person_years:,.1f} commands per person-year")

        # --- anchors of the hardware --------------------------------------------------
        self.measure("noop", "noop", {}, runs=1)
        x = size.dir / "executemany.sqlite"
        self.measure("sqlite_executemany", "sqlite_executemany",
                     {"db": str(x), "rows": size.events}, after=lambda _i, _ok: _remove_db(x))

        # --- command path -----------------------------------------------------------------
        # each measurement beside its anchor, a run of each in turn (see alternate)
        plain = size.dir / "plain.sqlite"

        def plain_args(batched: bool, limit: int | None, path: Path) -> Any:
            def before(_i: int) -> dict[str, Any]:
                _remove_db(path)
                return {"store": str(size.store), "env": sqlite_env(path),
                        "batched": batched, "limit": limit}
            return before

        if not self.selected("command_sqlite_batched"):
            self.build_store(size)  # the anchors read their events from it
        before, after = self.command_hooks(size)
        self.alternate(
            {"label": "command_sqlite_batched", "name": "command", "before": before,
             "after": after},
            {"label": "es_plain_save_batched", "name": "plain",
             "before": plain_args(True, None, plain)})
        self.build_store(size)
        each_db = size.dir / "each.sqlite"

        def each_before(_i: int) -> dict[str, Any]:
            _remove_db(each_db)
            return {"size": sargs, "env": sqlite_env(each_db), "batched": False,
                    "limit": each, "cache": a.cache}

        self.alternate(
            {"label": "command_sqlite_each", "name": "command", "before": each_before,
             "after": lambda _i, _ok: _remove_db(each_db), "note": f"first {each:,} commands"},
            {"label": "es_plain_save_each", "name": "plain",
             "before": plain_args(False, each, each_db),
             "after": lambda _i, _ok: _remove_db(each_db), "note": f"first {each:,} events"})
        if self.selected("es_plain_read"):
            if not plain.exists():
                self.worker("plain", plain_args(True, None, plain)(0))
            self.measure("es_plain_read", "es_plain_read", {"db": str(plain)})
            if a.optimize:
                self.measure("es_plain_read:O", "es_plain_read", {"db": str(plain)},
                             optimize=True, runs=1, note="python -O, 1 run")
        _remove_db(plain)

        if a.postgres and postgres_reachable():
            for label, name in (("command_postgres_batched", "command"),
                                ("es_plain_save_batched_pg", "plain")):
                self._postgres(label, name, size, pg_events)
        elif a.postgres:
            self.console.log("PostgreSQL at 127.0.0.1:5432 is not reachable: skipped")

        # --- projections, export, audit ----------------------------------------------------
        for kind in ("status", "worklist", "compliance"):
            self.measure(f"projection_{kind}", "projection",
                         {"db": str(size.store), "kind": kind, "as_of": size.as_of})
        self.export_log(size, "export")
        cores = _cores()
        jobs_log = size.dir / "jobs.jsonl"
        self.measure("export_jobs", "export", {"db": str(size.store), "log": str(jobs_log),
                                               "as_of": size.as_of, "jobs": cores},
                     after=lambda _i, _ok: jobs_log.unlink(missing_ok=True),
                     note=f"the trailer judged by {cores} workers")
        self.merkle(size)
        self.measure("orjson_loads", "orjson_loads", {"log": str(size.log)})
        self.measure("bare_chained_fold", "bare_chained_fold",
                     {"log": str(size.log), "as_of": size.as_of})
        self.measure("verify", "verify", {"log": str(size.log), "jobs": 1},
                     note="check and index only, one core")
        for label, fmt, jobs in (("audit", "table", 1), ("audit_json", "json", 1),
                                 ("audit_jobs", "table", None),
                                 ("audit_json_jobs", "json", None)):
            self.measure(label, "audit",
                         {"log": str(size.log), "as_of": size.as_of, "jobs": jobs, "fmt": fmt},
                         note=f"{fmt}, {'one core' if jobs == 1 else f'{cores} cores'}")
        m = self.measure("management", "management", {"log": str(size.log), "as_of": size.as_of},
                         note="the group on a day and a year's flows, from the log")
        if m.runs:
            o = m.runs[-1]
            self.console.log(f"management: read {o['read_s']:.2f} s, timelines "
                             f"{o['timelines_s']:.2f} s, figures {o['figures_s']:.2f} s "
                             f"({o['cases']:,} cases, {o['in_group']:,} in the group)")
        if a.optimize:  # one run each: a side measurement
            self.measure("audit:O", "audit",
                         {"log": str(size.log), "as_of": size.as_of, "jobs": 1},
                         optimize=True, runs=1, note="python -O, 1 run")
            self.measure("projection_status:O", "projection",
                         {"db": str(size.store), "kind": "status", "as_of": size.as_of},
                         optimize=True, runs=1, note="python -O, 1 run")

        # --- the kept verdicts: cold catch-up, then one caseworker's worklist from them ----
        self.kept(size, m)
        if a.postgres and postgres_reachable():
            self.kept_pg(size, pg_events)

        # --- one case at a time, beside the bare row read, at this size and at 10k ----------
        self.case_reads(size)
        if size.events > SMALL_EVENTS:
            small = size_for(SMALL_EVENTS, a.seed)
            if self.selected("case_"):
                self.build_store(small)
            self.case_reads(small)

        # --- how memory grows ---------------------------------------------------------------
        if a.growth and size.events > GROWTH_BASE:
            small = size_for(GROWTH_BASE, a.seed)
            self.build_store(small)
            self.measure(f"export@{_k(GROWTH_BASE)}", "export",
                         {"db": str(small.store), "log": str(small.dir / "run.jsonl"),
                          "as_of": small.as_of},
                         after=lambda _i, _ok: (small.dir / "run.jsonl").unlink(missing_ok=True))
            self.export_log(small, None)
            for label, jobs in (("audit", 1), ("audit_jobs", None)):
                self.measure(f"{label}@{_k(GROWTH_BASE)}", "audit",
                             {"log": str(small.log), "as_of": small.as_of, "jobs": jobs},
                             note=f"table, {'one core' if jobs == 1 else f'{cores} cores'}")

    def merkle(self, size: Size) -> None:
        """The Merkle tree on export, with and without it in the same run (CPU time), and one
        case's inclusion proof checked (see ``bench.workloads.merkle``)."""
        # one alternation at 1M (the ratios are of the same process either way; three of four
        # exports each would take five minutes)
        r = self.measure("export_merkle", "merkle", {"db": str(size.store), "as_of": size.as_of,
                                                     **({"runs": 1} if size.events >= FULL_EVENTS
                                                        else {})},
                         runs=1, note="export with the tree (CPU time)")
        if r.runs:
            o = r.runs[-1]
            self.console.log(
                f"merkle: export {o['export_cpu_s']:.2f} s CPU, with the tree "
                f"{o['export_tree_cpu_s']:.2f} s (+{o['tree_overhead']:.1%}); the lines alone "
                f"{o['lines_cpu_s']:.2f} s, with the tree {o['lines_tree_cpu_s']:.2f} s "
                f"(+{o['lines_tree_overhead']:.1%}); the tree alone over the same lines "
                f"{o['tree_alone_cpu_s']:.2f} s ({o['tree_alone_share']:.1%} of the export); "
                f"one case's proof ({o['proof_events']} "
                f"events, {o['proof_bytes']:,} bytes) checked in {o['proof_check_ms']:.2f} ms; "
                f"as many paths in a {o['big_leaves']:,}-leaf tree in "
                f"{o['big_tree_paths_check_ms']:.2f} ms")

    def kept(self, size: Size, live: Result) -> None:
        """The kept projection, in one worker per run: ``kept_catch_up`` (events/s, anchor:
        the plain read of every event), ``kept_worklist@<size>`` (ms, one caseworker's worklist
        from the kept rows) and ``management_kept`` (the figures of ``management`` from the
        kept timelines, anchor: the audit of the same log; the ratio to ``live``, the live
        figure, is logged). One catch-up serves all three."""
        if not self.selected("kept") and not self.selected("management_kept"):
            return
        k = _k(size.events)
        catch_up = Result("kept_catch_up", 0)
        worklist = Result(f"kept_worklist@{k}", 0)
        figures = Result("management_kept", 0,
                         note="the group on a day and a year's flows, from the kept rows")
        for i in range(self.args.runs):
            out = self.worker("kept", {"db": str(size.store), "as_of": size.as_of,
                                       "seed": self.args.seed + i})
            m = out["management"]
            self.console.log(f"kept run {i + 1}: {out['events']:,} events, {out['cases']:,} "
                             f"cases in {out['seconds']:.1f} s ({out['jobs']} jobs; "
                             f"{out['cpu_seconds']:.1f} s CPU in the writing process); one "
                             f"caseworker's worklist "
                             f"{out['ms']['kept_worklist']:.3f} ms (median of "
                             f"{out['caseworkers']}); management figures {m['seconds']:.2f} s "
                             f"(status_on {m['status_on_s']:.2f} s, flows {m['flows_s']:.2f} s, "
                             f"outcomes {m['outcomes_s']:.2f} s, CPU {m['cpu_s']:.2f} s)")
            catch_up.events = worklist.events = figures.events = out["events"]
            catch_up.note = (f"{out['jobs']} jobs reading and judging, rows written by one "
                             "process")
            catch_up.runs.append({"events": out["events"], "seconds": out["seconds"],
                                  "peak_rss_mib": out["peak_rss_mib"]})
            worklist.runs.append({"events": out["events"], "seconds": 0.0,
                                  "ms": out["ms"]["kept_worklist"],
                                  "peak_rss_mib": out["peak_rss_mib"]})
            figures.runs.append({"events": out["events"], "seconds": m["seconds"],
                                 "peak_rss_mib": out["peak_rss_mib"]})
        if self.selected("kept"):
            self.results[catch_up.name] = catch_up
            self.results[worklist.name] = worklist
        if self.selected("management_kept"):
            self.results[figures.name] = figures
            if live.runs and live.events_per_s > 0:
                self.console.log(f"management_kept: {figures.events_per_s / live.events_per_s:.1f}"
                                 f"× the live figure")

    def kept_pg(self, size: Size, limit: int) -> None:
        """The kept verdicts into PostgreSQL: ``kept_catch_up_pg`` (a cold catch-up of the first
        ``limit`` commands' events) beside ``es_runner_pg`` (eventsourcing's runner, trivial
        projection, the first 20,000 of the same events), measured in the same worker."""
        if not self.selected("kept_catch_up_pg") and not self.selected("es_runner_pg"):
            return
        ours = Result("kept_catch_up_pg", 0)
        anchor = Result("es_runner_pg", 0)
        anchor_events = min(limit, 20_000)
        for i in range(1 if "kept_catch_up_pg" in ONCE else self.args.runs):
            with postgres_schema() as env:
                out = self.worker("kept_pg", {"size": asdict(size), "env": env,
                                              "limit": limit, "as_of": size.as_of,
                                              "anchor_events": anchor_events,
                                              "cache": self.args.cache})
            run = out["anchor"]
            self.console.log(
                f"kept (PostgreSQL) run {i + 1}: {out['events']:,} events, {out['cases']:,} "
                f"cases in {out['seconds']:.1f} s ({out['cpu_seconds']:.1f} s CPU); "
                f"eventsourcing's runner, trivial projection: {run['events']:,} events in "
                f"{run['seconds']:.1f} s")
            ours.events, anchor.events = out["events"], run["events"]
            ours.note = f"first {limit:,} commands; CPU {out['cpu_seconds']:.1f} s; 1 run"
            anchor.note = f"first {run['events']:,} events; 1 run"
            ours.runs.append({"events": out["events"], "seconds": out["seconds"],
                              "peak_rss_mib": out["peak_rss_mib"]})
            anchor.runs.append({"events": run["events"], "seconds": run["seconds"],
                                "peak_rss_mib": out["peak_rss_mib"]})
        self.results[ours.name] = ours
        self.results[anchor.name] = anchor

    def case_reads(self, size: Size) -> None:
        """The one-case calls and their anchors (see ``bench.workloads.case_reads``): one
        worker per run; each call becomes its own result ``<call>@<size>``."""
        if not self.selected("case_"):
            return
        from bench.workloads import CASE_READS

        k = _k(size.events)
        results = {name: Result(f"{name}@{k}", 0) for name in CASE_READS}
        for i in range(self.args.runs):
            t0 = time.perf_counter()
            out = self.worker("case_reads", {"db": str(size.store), "as_of": size.as_of,
                                             "seed": self.args.seed + i})
            if out["index_build_s"]:
                self.console.log(f"the {k} store had no person → streams index: built in "
                                 f"{out['index_build_s']:.1f} s (not measured)")
            self.console.log(
                f"case reads @{k} run {i + 1}: {out['cases']} cases (median "
                f"{out['median_case_events']:.0f} events) of {out['events']:,} events: "
                + ", ".join(f"{n} {v:.3f} ms" for n, v in out["ms"].items())
                + f" [{time.perf_counter() - t0:.1f} s wall]")
            for name, r in results.items():
                r.events = out["events"]
                r.note = f"median case {out['median_case_events']:.0f} events"
                r.runs.append({"events": out["events"], "seconds": 0.0,
                               "ms": out["ms"][name], "peak_rss_mib": out["peak_rss_mib"]})
        for r in results.values():
            self.results[r.name] = r

    def _postgres(self, label: str, name: str, size: Size, limit: int) -> None:
        schemas: list[Any] = []

        def before(_i: int) -> dict[str, Any]:
            cm = postgres_schema()
            env = cm.__enter__()
            schemas.append(cm)
            args: dict[str, Any] = {"env": env, "batched": True, "limit": limit}
            if name == "command":
                args.update(size=asdict(size), cache=self.args.cache)
            else:
                args.update(store=str(size.store))
            return args

        def after(_i: int, ok: bool = True) -> None:
            schemas.pop().__exit__(None, None, None)

        note = f"first {limit:,} commands" if limit < size.events else ""
        self.measure(label, name, {}, before=before, after=after, note=note)

    # ------------------------------------------------------------------ output

    def lines(self) -> list[str]:
        out = []
        for r in self.results.values():
            if not r.runs:
                continue
            if r.ms is not None:
                base, _, at = r.name.partition("@")
                ref = self.results.get(f"case_rows@{at}")
                anchor = "none" if base == "case_rows" else f"case_rows@{at}"
                ratio = "na"
                if anchor != "none" and ref is not None and ref.ms:
                    ratio = f"{r.ms / ref.ms:.2f}"
                out.append(f"BENCH {r.name} ms={r.ms:.3f} peak_rss_mib={r.peak_rss_mib:.1f} "
                           f"ratio={ratio} anchor={anchor}")
                continue
            anchor = ANCHOR_OF.get(r.name.split("@")[0].split(":")[0], "none")
            ratio = "na"
            ref = self.results.get(anchor)
            if ref is not None and ref.runs and ref.events_per_s > 0 and r.events:
                ratio = f"{r.events_per_s / ref.events_per_s:.3f}"
            out.append(f"BENCH {r.name} events_per_s={r.events_per_s:.1f} "
                       f"peak_rss_mib={r.peak_rss_mib:.1f} ratio={ratio} anchor={anchor}")
        return out

    def growth(self) -> dict[str, float]:
        out = {}
        for what in ("export", "audit", "audit_jobs"):
            big = self.results.get(what)
            small = self.results.get(f"{what}@{_k(GROWTH_BASE)}")
            if big and small and big.runs and small.runs:
                out[what] = big.peak_rss_mib / small.peak_rss_mib
        return out

    def targets(self) -> list[tuple[str, str, bool | None]]:
        r = self.results

        def eps(name: str) -> float | None:
            res = r.get(name)
            return res.events_per_s if res is not None and res.runs else None

        def ratio(name: str) -> float | None:
            ours, ref = eps(name), eps(ANCHOR_OF[name])
            return ours / ref if ours and ref else None

        out: list[tuple[str, str, bool | None]] = []
        for name, what in (("audit", "table"), ("audit_json", "JSON")):
            q = ratio(name)
            out.append((f"audit ({what}), one core ≥ 0.5 × bare chained fold",
                        f"{q:.3f}" if q else "–", q >= 0.5 if q else None))
        for name, what in (("audit_jobs", "table"), ("audit_json_jobs", "JSON")):
            v = eps(name)
            out.append((f"audit ({what}), all {_cores()} cores ≥ 250,000 events/s",
                        f"{v:,.0f}/s" if v else "–", v >= 250_000 if v else None))
        g = self.growth()
        for what in ("export", "audit", "audit_jobs"):
            v = g.get(what)
            out.append((f"{what} peak RSS at {_k(self.size.events)} ≤ 1.2 × at "
                        f"{_k(GROWTH_BASE)}", f"{v:.2f} ×" if v else "–",
                        v <= 1.2 if v else None))
        q = ratio("command_sqlite_batched")
        out.append(("command batched ≥ 1.0 × plain eventsourcing batched",
                    f"{q:.3f}" if q else "–", q >= 1.0 if q else None))
        k, small = _k(self.size.events), _k(SMALL_EVENTS)

        def ms(name: str) -> float | None:
            res = r.get(name)
            return res.ms if res is not None and res.runs else None

        bare = ms(f"case_rows@{k}")
        for call in CASE_CALLS:
            v, v10 = ms(f"{call}@{k}"), ms(f"{call}@{small}")
            out.append((f"{call} of one case at {k} ≤ 5 ms", f"{v:.3f} ms" if v else "–",
                        v <= 5 if v else None))
            q = v / bare if v and bare else None
            out.append((f"{call} at {k} ≤ 100 × the bare row read", f"{q:.1f} ×" if q else "–",
                        q <= 100 if q else None))
            if k != small:
                g = v / v10 if v and v10 else None
                out.append((f"{call} at {k} ≤ 1.5 × at {small}", f"{g:.2f} ×" if g else "–",
                            g <= 1.5 if g else None))
        m = r.get("export_merkle")
        if m is not None and m.runs:
            o = m.runs[-1]
            out.append(("export with the Merkle tree ≤ 1.2 × without (CPU, same run)",
                        f"{1 + o['tree_overhead']:.3f} ×", o["tree_overhead"] <= 0.2))
            out.append(("the tree alone ≤ 0.2 × the export's CPU time",
                        f"{o['tree_alone_share']:.3f} ×", o["tree_alone_share"] <= 0.2))
            out.append(("one case's inclusion proof checked in ≤ 10 ms",
                        f"{o['proof_check_ms']:.2f} ms", o["proof_check_ms"] <= 10))
        kept = eps("kept_catch_up")
        out.append(("kept verdicts, cold catch-up ≥ 30,000 events/s (SQLite)",
                    f"{kept:,.0f}/s" if kept else "–", kept >= 30_000 if kept else None))
        pg, runner = eps("kept_catch_up_pg"), eps("es_runner_pg")
        if pg:  # ≥ 10k events/s or ≥ 0.5 × the runner, whichever is lower
            bar = min(10_000.0, 0.5 * runner) if runner else 10_000.0
            out.append(("kept verdicts, cold catch-up (PostgreSQL) ≥ min(10,000 events/s, 0.5 × "
                        "eventsourcing's runner)",
                        f"{pg:,.0f}/s, {pg / runner:.1f} × the runner" if runner else
                        f"{pg:,.0f}/s", pg >= bar))
        w = ms(f"kept_worklist@{k}")
        out.append((f"one caseworker's worklist from the kept verdicts at {k} ≤ 50 ms",
                    f"{w:.3f} ms" if w else "–", w <= 50 if w else None))
        for kind in ("status", "worklist", "compliance"):
            v = eps(f"projection_{kind}")
            out.append((f"projection {kind} ≥ 100,000 events/s", f"{v:,.0f}/s" if v else "–",
                        v >= 100_000 if v else None))
        return out

    def report(self) -> None:
        table = Table(title=f"ungeforloeb bench: {self.size.events:,} events, seed "
                            f"{self.size.seed}, {self.args.runs} run(s), medians",
                      caption=f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s)")
        for col, just in (("measurement", "left"), ("events", "right"),
                          ("events/s", "right"), ("peak RSS MiB", "right"),
                          ("ratio", "right"), ("anchor", "left"), ("note", "left")):
            table.add_column(col, justify=just)  # type: ignore[arg-type]
        for line, r in zip(self.lines(), [r for r in self.results.values() if r.runs],
                           strict=True):
            fields = dict(kv.split("=", 1) for kv in line.split()[2:])
            rate = f"{r.ms:.3f} ms" if r.ms is not None else f"{r.events_per_s:,.0f}"
            table.add_row(r.name, f"{r.events:,}", rate,
                          f"{r.peak_rss_mib:,.0f}", fields["ratio"], fields["anchor"], r.note)
        self.out.print(table)
        t = Table(title="targets")
        t.add_column("target")
        t.add_column("measured", justify="right")
        t.add_column("met")
        for what, value, ok in self.targets():
            t.add_row(what, value, "–" if ok is None else ("yes" if ok else "NO"))
        self.out.print(t)
        once = sorted(r.name for r in self.results.values() if r.runs and len(r.runs) == 1)
        if self.args.runs > 1 and once:
            self.out.print(f"measured once (not {self.args.runs} runs): {', '.join(once)}")
        for line in self.lines():
            print(line, flush=True)
        results = {
            "size": asdict(self.size), "runs": self.args.runs,
            "python": sys.version, "cpus": os.cpu_count(),
            "results": {k: {"events": v.events, "events_per_s": v.events_per_s, "ms": v.ms,
                            "peak_rss_mib": v.peak_rss_mib, "runs": v.runs, "note": v.note}
                        for k, v in self.results.items() if v.runs},
            "growth": self.growth(),
            "lines": self.lines(),
        }
        path = CACHE / f"results-{self.size.events}-{self.size.seed}.json"
        path.write_text(json.dumps(results, indent=1))
        self.console.log(f"results written to {path}")


def _cores() -> int:
    from ungeforloeb.interchange.parallel import available_cores

    return available_cores()


def _k(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".key"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=None,
                   help=f"events in the synthetic municipality (default {FULL_EVENTS:,})")
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK_EVENTS:,} events, one run each (about two minutes)")
    p.add_argument("--runs", type=int, default=None,
                   help="runs of each measurement; the median is reported (default 3; 1 with "
                        "--quick)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--each-events", type=int, default=None,
                   help="commands of the one-command-per-transaction path (default 20,000; "
                        "5,000 with --quick)")
    p.add_argument("--pg-events", type=int, default=None,
                   help="commands of the PostgreSQL command path (default: all, at most "
                        "200,000)")
    p.add_argument("--no-postgres", dest="postgres", action="store_false")
    p.add_argument("--no-growth", dest="growth", action="store_false",
                   help=f"skip export and audit at {GROWTH_BASE:,} events")
    p.add_argument("--optimize", action="store_true",
                   help="also measure audit and status catch-up under python -O")
    p.add_argument("--cache", choices=("nocopy", "copy", "none"), default="nocopy",
                   help="eventsourcing's aggregate cache on the command path (default: cached, "
                        "no deep copy on get; see docs/performance.md)")
    p.add_argument("--only", type=lambda s: s.split(","), default=None,
                   help="comma-separated name prefixes of the measurements to run")
    p.add_argument("--fresh", action="store_true", help="rebuild the cached store and log")
    args = p.parse_args(argv)
    if args.events is None:
        args.events = QUICK_EVENTS if args.quick else FULL_EVENTS
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.each_events is None:
        args.each_events = 5_000 if args.quick else 20_000
    if args.pg_events is None and args.events > 200_000:
        args.pg_events = 200_000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(stderr=True)
    CACHE.mkdir(exist_ok=True)
    if args.fresh:
        shutil.rmtree(CACHE / f"{args.events}-{args.seed}", ignore_errors=True)
    out = Console()
    if not out.is_terminal:
        out = Console(width=140)
    bench = Bench(args, console, out)
    t0 = time.perf_counter()
    bench.run()
    bench.report()
    console.log(f"bench done in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
