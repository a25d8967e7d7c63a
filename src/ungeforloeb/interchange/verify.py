"""Verify: a log's schema, order, stream versions, hash chain and trailer; optionally its
verdict digest, re-derived by an audit of the log, and its Merkle root against a signed
checkpoint or a root the auditor recorded (:mod:`~ungeforloeb.interchange.checkpoint`).

The lines are checked in parallel ranges (:func:`~ungeforloeb.interchange.ranges.index_log`);
the first fault is reported as a sequential read reports it (line, event type, field)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from ungeforloeb.interchange.audit import recompute, regime_mismatch
from ungeforloeb.interchange.checkpoint import LogTree, Verifier, check_tree, log_tree
from ungeforloeb.interchange.errors import DigestMismatchError
from ungeforloeb.interchange.ranges import Source, check_log
from ungeforloeb.interchange.reader import Header, Trailer


@dataclass(frozen=True)
class Verified:
    """What a successful verification saw."""

    header: Header
    trailer: Trailer
    event_count: int
    digest_recomputed: bool
    tree: LogTree | None = None
    """The Merkle tree's size and root, when a checkpoint or root was checked."""


def verify_log(stream: IO[bytes], *, recompute_digest: bool = False,
               progress: Callable[[int], None] | None = None,
               jobs: int | None = None, checkpoint: str | None = None,
               verifier: Verifier | None = None, expect_root: str | None = None) -> Verified:
    """Check a whole log; raise the first :class:`~ungeforloeb.interchange.errors.LogError`.

    With ``recompute_digest`` the verdicts as of the trailer's date are re-derived from the log
    by the audit and their digest compared with the trailer's (needs the rule data). ``jobs``
    worker processes (default: the cores available) check ranges of lines and judge cases;
    ``progress`` is called with the bytes checked so far.

    With a ``checkpoint`` (a signed note's text), ``verifier`` (the key that must have signed
    it) or ``expect_root`` (hex or base64), the Merkle tree over the event lines is built in one
    more streamed read and checked against them
    (:class:`~ungeforloeb.interchange.errors.CheckpointError` and its subclasses).
    """
    source = Source.of(stream)
    try:
        if recompute_digest and source.path is not None:
            with open(source.path, "rb") as copy:
                index = recompute(copy, progress, jobs=jobs)
        elif recompute_digest:
            stream.seek(0)
            index = recompute(stream, progress, jobs=jobs)
        else:
            index = check_log(source, jobs, (lambda _stage, done, _total: progress(done))
                              if progress is not None else None)
        tree = None
        if checkpoint is not None or verifier is not None or expect_root is not None:
            tree = log_tree(source.lines())
            check_tree(tree, checkpoint=checkpoint, verifier=verifier, expect_root=expect_root)
    finally:
        source.close()
    return Verified(index.header, index.trailer, index.event_count, recompute_digest, tree)


def check_digest(header: Header, trailer: Trailer, event_count: int, derived: str) -> None:
    """Refuse a log whose trailer's verdict digest is not the one re-derived from it (as of the
    trailer's date), as ``verify --recompute`` does."""
    if derived != trailer.verdict_digest:
        mismatch = regime_mismatch(header.regimes)
        why = (" (the log was judged under other rule data: " + "; ".join(mismatch) + ")"
               if mismatch else "")
        raise DigestMismatchError(
            event_count + 2,
            f"the verdicts re-derived from the log differ from the exporter's{why}",
            field="verdict_digest", expected=derived, got=trailer.verdict_digest)


def check_anchors(source: Source, *, checkpoint: str | None = None,
                  verifier: Verifier | None = None, expect_root: str | None = None) -> None:
    """Check a checked log's Merkle tree against its checkpoint, key and recorded root (one
    streamed read), when any is given."""
    if checkpoint is not None or verifier is not None or expect_root is not None:
        check_tree(log_tree(source.lines()), checkpoint=checkpoint, verifier=verifier,
                   expect_root=expect_root)
