"""Progress of long work, on standard error only: one bar per phase, with the elapsed time and an
estimate of the time left (ETA) when the phase's size is known.

Shown when standard error is a terminal; ``ungeforloeb --progress`` (or the setting
``UNGEFORLOEB_PROGRESS=1``) shows it anyway, e.g. into a CI log, and ``--no-progress`` (``=0``)
hides it. Standard output carries the command's output and nothing else, so it is the same
byte for byte with and without progress.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")

_mode: list[bool | None] = [None]


def set_mode(value: bool | None) -> None:
    """``True``: always show progress; ``False``: never; ``None``: when stderr is a terminal."""
    _mode[0] = value


def enabled() -> bool:
    """Whether progress is shown (the ``--progress`` choice, else: stderr is a terminal)."""
    if _mode[0] is not None:
        return _mode[0]
    return sys.stderr.isatty()


class Tracker:
    """The phases of one command's work. Each :meth:`phase` starts a new bar below the
    earlier ones (which stay, finished); a disabled tracker hands out ``None`` callbacks and
    passes iterables through untouched."""

    def __init__(self, bar: Progress | None) -> None:
        self._bar = bar
        self._current: TaskID | None = None

    @property
    def shown(self) -> bool:
        """Whether anything is shown (callers may skip counting work when not)."""
        return self._bar is not None

    def _start(self, label: str, total: int | None) -> TaskID | None:
        bar = self._bar
        if bar is None:
            return None
        self._finish()
        self._current = bar.add_task(label, total=total)
        return self._current

    def _finish(self) -> None:
        bar, task = self._bar, self._current
        if bar is not None and task is not None:
            t = bar.tasks[task]
            if t.total is None:
                bar.update(task, total=max(t.completed, 1), completed=max(t.completed, 1))
            else:
                bar.update(task, completed=t.total)
            bar.stop_task(task)
        self._current = None

    def phase(self, label: str, total: int | None = None) -> Callable[[int], None] | None:
        """A new phase; the callback takes the amount done so far (``None`` when hidden)."""
        task = self._start(label, total)
        if task is None:
            return None
        bar = self._bar
        assert bar is not None

        def advance(done: int) -> None:
            bar.update(task, completed=done)

        return advance

    def pairs(self, label: str, total: int | None = None) -> Callable[[int, int], None] | None:
        """A new phase whose callback takes ``(done, total)``."""
        task = self._start(label, total)
        if task is None:
            return None
        bar = self._bar
        assert bar is not None

        def advance(done: int, of: int) -> None:
            bar.update(task, completed=done, total=of)

        return advance

    def stages(self, label: str) -> Callable[[str, int, int], None] | None:
        """Callbacks ``(stage, done, total)``: a new phase for every new stage named."""
        if self._bar is None:
            return None
        seen: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            bar = self._bar
            assert bar is not None
            if stage not in seen:
                self._start(f"{label}: {stage}", total)
                assert self._current is not None
                seen[stage] = self._current
            bar.update(seen[stage], completed=done, total=total)

        return advance

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        """``items`` passed through, counted as a phase (the total: ``len(items)`` if known)."""
        if self._bar is None:
            yield from items
            return
        if total is None and isinstance(items, Sized):
            total = len(items)
        advance = self.phase(label, total)
        assert advance is not None
        done = 0
        for item in items:
            yield item
            done += 1
            if done % 50 == 0:
                advance(done)
        advance(done)

    def step(self, label: str) -> None:
        """A phase of one step whose size is not known (a spinner and the time it takes)."""
        self._start(label, None)


@contextmanager
def progress() -> Iterator[Tracker]:
    """The tracker of a command's phases: bars on standard error while the block runs,
    cleared at its end (the output that follows is not mixed with them)."""
    if not enabled():
        yield Tracker(None)
        return
    err = Console(file=sys.stderr, force_terminal=True if _mode[0] else None)
    columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                          MofNCompleteColumn(), TextColumn("elapsed"), TimeElapsedColumn(),
                          TextColumn("left"), TimeRemainingColumn()]
    with Progress(*columns, console=err, transient=True, redirect_stdout=False,
                  redirect_stderr=False) as bar:
        tracker = Tracker(bar)
        try:
            yield tracker
        finally:
            tracker._finish()


def note(line: str) -> None:
    """A line for the person at the terminal (e.g. which store is used), on standard error,
    shown when progress is."""
    if enabled():
        print(line, file=sys.stderr, flush=True)
