"""Re-running a command that lost a race with another writer.

Two writers on one case (two processes on one store, or two application objects) each load the
case, decide and save; the store takes the first save and refuses the second with an integrity
error, because the case's version moved under it. The same happens when two registrations of
one CPR number race past the identity store's check. :func:`retry_on_conflict` reloads and
re-runs such a command a bounded number of times: each call of an application command loads
its aggregate afresh, so the re-run decides on what the winner recorded (and may then be
refused for a domain reason, e.g. the CPR number is now registered).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from eventsourcing.persistence import IntegrityError

T = TypeVar("T")

CONFLICTS: tuple[type[BaseException], ...] = (IntegrityError, sqlite3.IntegrityError,
                                              psycopg.IntegrityError)
"""The errors that mean "another writer was first": the event store's (a case's version
taken) and the identity store's drivers' (a CPR number or id taken)."""


def is_conflict(err: BaseException) -> bool:
    """Whether ``err`` means another writer saved first (see :data:`CONFLICTS`)."""
    return isinstance(err, CONFLICTS)


def retry_on_conflict(command: Callable[..., T], /, *args: Any, retries: int = 2,
                      **kwargs: Any) -> T:
    """``command(*args, **kwargs)``, re-run up to ``retries`` more times while it raises a
    conflict; the last conflict propagates. Any other error propagates at once.

    For the application's commands called one by one (not inside ``Ungeforloeb.batch()``,
    whose aggregates are held in memory and not reloaded)::

        retry_on_conflict(app.hold_first_conversation, yp, occurred_on=day,
                          recorded_by="cw-1", retries=3)
    """
    if retries < 0:
        raise ValueError(f"retries: a count of zero or more, got {retries}")
    for attempt in range(retries + 1):
        try:
            return command(*args, **kwargs)
        except CONFLICTS:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
