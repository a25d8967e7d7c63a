"""One measurement in its own process: ``python -m bench.worker '{"name": .., "args": {..}}'``.

Prints one line ``RESULT {json}``: the workload's result plus ``peak_rss_mib``, the process's
maximum resident set size (``resource.getrusage``, so it is this measurement's alone).
"""

from __future__ import annotations

import json
import resource
import sys

from bench.workloads import WORKLOADS


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    result = WORKLOADS[spec["name"]](**spec.get("args", {}))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    result["optimized"] = sys.flags.optimize
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
