"""Work spread over processes, results in order: the audit's pool.

:func:`ordered_map` runs a function over tasks in worker processes and yields the results in
the tasks' order, with at most a few tasks in flight per worker (so neither the tasks nor the
results pile up in memory). With one job everything runs in this process, with no pool.

Workers start from a fork server (``forkserver``: safe when the caller has threads, e.g. a
progress bar) that has imported the audit once (or the modules the caller names: the kept
verdicts' cold start); on platforms without it, the default method.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT = 3
"""Tasks submitted ahead per worker."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform says)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Pool:
    """``jobs`` worker processes (none for one job)."""

    def __init__(self, jobs: int,
                 preload: tuple[str, ...] = ("ungeforloeb.interchange.audit",)) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.jobs = jobs
        self._executor: ProcessPoolExecutor | None = None
        if jobs > 1:
            methods = multiprocessing.get_all_start_methods()
            context: multiprocessing.context.BaseContext
            if "forkserver" in methods:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(list(preload))
            else:
                context = multiprocessing.get_context()
            self._executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context)

    def map(self, fn: Callable[..., R], tasks: Iterable[tuple[Any, ...]]) -> Iterator[R]:
        """``fn(*task)`` for each task, in order; at most ``IN_FLIGHT`` tasks per worker ahead.
        """
        if self._executor is None:
            for task in tasks:
                yield fn(*task)
            return
        pending: deque[Future[R]] = deque()
        limit = IN_FLIGHT * self.jobs
        try:
            for task in tasks:
                pending.append(self._executor.submit(fn, *task))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


@contextmanager
def pool(jobs: int,
         preload: tuple[str, ...] = ("ungeforloeb.interchange.audit",)) -> Iterator[Pool]:
    """A :class:`Pool` closed on exit; its workers start with the modules ``preload`` imported.
    """
    p = Pool(jobs, preload)
    try:
        yield p
    finally:
        p.close()
