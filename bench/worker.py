"""One measurement in its own process: ``python -m bench.worker '{"name": .., "args": {..}}'``.

Prints one line ``RESULT {json}``: the workload's result plus ``peak_rss_mib``, the process's
maximum resident set size, so it is this measurement's alone.

The peak is read from ``VmHWM`` in ``/proc/self/status`` (Linux): the high-water mark of this
process's own address space. ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is not used on Linux
because the kernel carries it across ``exec``: a worker started by a parent of 95 MiB would
report at least 95 MiB whatever it did. Elsewhere ``ru_maxrss`` is the fallback.

A measurement that starts processes of its own (the audit with more than one job) is sampled
too: every 50 ms the resident memory of this process and all its descendants is summed
(proportional set sizes from ``/proc/PID/smaps_rollup``, so that pages the worker processes
share with the server they were forked from count once; ``/proc/PID/task/TID/children``), and
``peak_rss_mib`` is the larger of ``VmHWM`` and that sampled peak (``tree_peak_rss_mib``).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading

from bench.workloads import WORKLOADS


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB (see the module's doc)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (``/proc/PID/task/TID/children``)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _rss_mib(pid: int) -> float:
    """The process's proportional set size (its pages, shared ones divided among their users,
    so that processes forked from one server are not counted twice), else its RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


class TreeSampler(threading.Thread):
    """The peak of the summed resident memory of this process and its descendants."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.05):
            todo, total = [me], 0.0
            while todo:
                pid = todo.pop()
                total += _rss_mib(pid)
                todo.extend(_children(pid))
            self.peak = max(self.peak, total)


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    args = spec.get("args", {})
    several = args.get("jobs", 1) != 1  # only these start processes of their own
    sampler = TreeSampler() if several and os.path.isdir("/proc") else None
    if sampler is not None:
        sampler.start()
    result = WORKLOADS[spec["name"]](**args)
    result["peak_rss_mib"] = peak_rss_mib()
    if sampler is not None:
        sampler.stop.set()
        sampler.join()
        result["tree_peak_rss_mib"] = sampler.peak
        result["peak_rss_mib"] = max(result["peak_rss_mib"], sampler.peak)
    result["optimized"] = sys.flags.optimize
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
