"""One measurement in its own process: ``python -m bench.worker '{"name": .., "args": {..}}'``.

Prints one line ``RESULT {json}``: the workload's result plus ``peak_rss_mib``, the process's
maximum resident set size, so it is this measurement's alone.

The peak is read from ``VmHWM`` in ``/proc/self/status`` (Linux): the high-water mark of this
process's own address space. ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is not used on Linux
because the kernel carries it across ``exec``: a worker started by a parent of 95 MiB would
report at least 95 MiB whatever it did. Elsewhere ``ru_maxrss`` is the fallback.
"""

from __future__ import annotations

import json
import resource
import sys

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


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    result = WORKLOADS[spec["name"]](**spec.get("args", {}))
    result["peak_rss_mib"] = peak_rss_mib()
    result["optimized"] = sys.flags.optimize
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
