"""Verify: a log's schema, order, stream versions, hash chain and trailer; optionally its
verdict digest, re-derived by an audit of the log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from ungeforloeb.interchange.audit import Counting, recompute
from ungeforloeb.interchange.reader import Header, LogReader, Trailer


@dataclass(frozen=True)
class Verified:
    """What a successful verification saw."""

    header: Header
    trailer: Trailer
    event_count: int
    digest_recomputed: bool


def verify_log(stream: IO[bytes], *, recompute_digest: bool = False,
               progress: Callable[[int], None] | None = None) -> Verified:
    """Check a whole log; raise the first :class:`~ungeforloeb.interchange.errors.LogError`.

    With ``recompute_digest`` the verdicts as of the trailer's date are re-derived from the log
    by the audit and their digest compared with the trailer's (needs the rule data).
    """
    if recompute_digest:
        reader = recompute(stream, progress)
    else:
        reader = LogReader(Counting(stream, progress))
        for _ in reader.records():
            pass
    assert reader.header is not None and reader.trailer is not None
    return Verified(reader.header, reader.trailer, reader.event_count, recompute_digest)
