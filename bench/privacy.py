"""``python -m bench.privacy``: what encryption costs — registration and command throughput,
export and replay, with and without encryption at rest (``CIPHER_KEY``) and with and without
the per-person sealing of personal fields — each figure beside its anchor in the same run.

Four variants of the same workload, each on a SQLite file of its own, in one process,
interleaved and repeated (``--runs``, median of CPU time, ``time.process_time``, so the load
of a shared machine counts little):

- ``none`` (the anchor): no cipher; personal fields not sealed (the mapper's sealing off; the
  person's data key is still made, wrapped and stored with the first event);
- ``personal``: the library's default — birth date sealed with the person's key, CPR number
  and name sealed in the identity record;
- ``at_rest``: every payload encrypted with eventsourcing's AES-GCM cipher, no personal
  sealing;
- ``both``: at rest and personal (what a production store with ``CIPHER_KEY`` runs).

Phases: ``register`` (``register_first_contact`` with CPR number and name, one transaction
each), ``commands`` (six commands per person, one transaction each), ``export`` (the
interchange log of the store, opened by a fresh application: keys read cold) and ``replay``
(every aggregate rebuilt from its events by a fresh application). One line each:

    BENCH privacy_<phase>_<variant> events_per_s=<float> cpu_s=<float> ratio=<float>
          anchor=privacy_<phase>_none          (on one line)
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

VARIANTS = ("none", "personal", "at_rest", "both")
PHASES = ("register", "commands", "export", "replay")
CIPHER_KEY = base64.b64encode(b"\x01" * 32).decode()
MASTER_KEY = base64.urlsafe_b64encode(b"\x02" * 32).decode()


def _env(db: Path, variant: str) -> dict[str, str]:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db),
           "UNGEFORLOEB_PERSONAL_DATA_KEY": MASTER_KEY}
    if variant in ("at_rest", "both"):
        env["CIPHER_KEY"] = CIPHER_KEY
    return env


def _open(db: Path, variant: str) -> Any:
    from ungeforloeb.application import SettableClock, Ungeforloeb

    app = Ungeforloeb(env=_env(db, variant), clock=SettableClock(date(2024, 9, 2)))
    if variant in ("none", "at_rest"):
        app.mapper.personal = None  # the birth date stored in the clear
    return app


def _timed(work: Callable[[], int]) -> tuple[int, float]:
    start = time.process_time()
    events = work()
    return events, time.process_time() - start


def run_variant(folder: Path, variant: str, people: int) -> dict[str, tuple[int, float]]:
    """The four phases of one variant on a new store; (events, CPU seconds) per phase."""
    from ungeforloeb.domain.values import OrderStep, VisitationGroup, VisitationStage
    from ungeforloeb.interchange.export import export_log

    db = folder / f"{variant}-{time.monotonic_ns()}.sqlite"
    app = _open(db, variant)
    ids: list[UUID] = []

    def register() -> int:
        for i in range(people):
            ids.append(app.register_first_contact(
                occurred_on=date(2024, 1, 2), recorded_by="cw-1", municipality_code="101",
                birth_date=date(2000 + i % 6, 1 + i % 12, 1 + i % 28),
                cpr=f"{1 + i % 28:02d}{1 + i % 12:02d}{i % 100:02d}-{i % 10_000:04d}",
                name=f"Navn Efternavn {i}"))
        return people

    def commands() -> int:
        for yp in ids:
            app.hold_first_conversation(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1")
            app.visitate(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1",
                         stage=VisitationStage.PRELIMINARY,
                         group=VisitationGroup.EDUCATION_READY, perspective_recorded=True,
                         justification_recorded=False)
            app.assign_caseworker(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1",
                                  caseworker_id="cw-7", team_id="team-north")
            order = app.issue_order(yp, occurred_on=date(2024, 1, 5), recorded_by="cw-1")
            app.set_step_deadline(order, occurred_on=date(2024, 1, 5), recorded_by="cw-1",
                                  step=OrderStep.PROPOSE_WISH, deadline=date(2024, 2, 5))
            app.propose_wish(order, occurred_on=date(2024, 2, 1), recorded_by="cw-1",
                             education_code="EUD-1")
        return 6 * people

    out = {"register": _timed(register), "commands": _timed(commands)}
    app.close()

    reader = _open(db, variant)

    def export() -> int:
        return int(export_log(reader, io.BytesIO()).event_count)

    out["export"] = _timed(export)
    reader.close()
    replayer = _open(db, variant)

    def replay() -> int:
        streams = [UUID(str(s)) for s in {r.stream_id for r in replayer.records()}]
        start = time.process_time()
        events = sum(replayer.repository.get(s).version for s in streams)
        nonlocal listing
        listing = time.process_time() - start
        return events

    listing = 0.0
    events, _ = _timed(replay)
    out["replay"] = (events, listing)  # the rebuilding only, not the listing of the streams
    replayer.close()
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return out


def measure(people: int, runs: int, folder: str | None = None,
            ) -> dict[tuple[str, str], tuple[int, float]]:
    """Median CPU seconds per (phase, variant) over ``runs`` interleaved runs."""
    seen: dict[tuple[str, str], list[float]] = {}
    events: dict[tuple[str, str], int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-privacy-", dir=folder) as tmp:
        for _ in range(runs):
            for variant in VARIANTS:
                for phase, (n, cpu) in run_variant(Path(tmp), variant, people).items():
                    seen.setdefault((phase, variant), []).append(cpu)
                    events[(phase, variant)] = n
    return {k: (events[k], statistics.median(v)) for k, v in seen.items()}


def lines(figures: dict[tuple[str, str], tuple[int, float]]) -> list[str]:
    out = []
    for phase in PHASES:
        anchor_n, anchor_cpu = figures[(phase, "none")]
        anchor_eps = anchor_n / anchor_cpu if anchor_cpu else 0.0
        for variant in VARIANTS:
            n, cpu = figures[(phase, variant)]
            eps = n / cpu if cpu else 0.0
            ratio = f"{eps / anchor_eps:.3f}" if anchor_eps else "na"
            out.append(f"BENCH privacy_{phase}_{variant} events_per_s={eps:.1f} "
                       f"cpu_s={cpu:.3f} ratio={ratio} anchor=privacy_{phase}_none")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.privacy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1000,
                        help="young people registered per run (each gets six commands)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each variant (median)")
    parser.add_argument("--folder", default="/dev/shm" if Path("/dev/shm").is_dir() else None,
                        help="where the stores go (default: /dev/shm, a RAM disk, so that "
                             "the run does not wait on fsync; CPU time is measured either way)")
    args = parser.parse_args(argv)
    print(f"# bench.privacy: {args.people} people x {args.runs} runs, CPU time, stores in "
          f"{args.folder or tempfile.gettempdir()}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores", flush=True)
    for line in lines(measure(args.people, args.runs, args.folder)):
        print(line, flush=True)


if __name__ == "__main__":
    main()
