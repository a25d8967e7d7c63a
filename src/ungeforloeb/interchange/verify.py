"""Verify: a log's schema, order, stream versions, hash chain and trailer; optionally its
verdict digest, re-derived by an audit of the log.

The lines are checked in parallel ranges (:func:`~ungeforloeb.interchange.ranges.index_log`);
the first fault is reported as a sequential read reports it (line, event type, field)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from ungeforloeb.interchange.audit import recompute
from ungeforloeb.interchange.ranges import Source, check_log
from ungeforloeb.interchange.reader import Header, Trailer


@dataclass(frozen=True)
class Verified:
    """What a successful verification saw."""

    header: Header
    trailer: Trailer
    event_count: int
    digest_recomputed: bool


def verify_log(stream: IO[bytes], *, recompute_digest: bool = False,
               progress: Callable[[int], None] | None = None,
               jobs: int | None = None) -> Verified:
    """Check a whole log; raise the first :class:`~ungeforloeb.interchange.errors.LogError`.

    With ``recompute_digest`` the verdicts as of the trailer's date are re-derived from the log
    by the audit and their digest compared with the trailer's (needs the rule data). ``jobs``
    worker processes (default: the cores available) check ranges of lines and judge cases;
    ``progress`` is called with the bytes checked so far.
    """
    if recompute_digest:
        index = recompute(stream, progress, jobs=jobs)
    else:
        source = Source.of(stream)
        try:
            index = check_log(source, jobs, (lambda _stage, done, _total: progress(done))
                              if progress is not None else None)
        finally:
            source.close()
    return Verified(index.header, index.trailer, index.event_count, recompute_digest)
