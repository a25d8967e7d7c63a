"""Where a streamed audit writes its verdicts: JSON Lines as they come, or the report's JSON.

Both open their output only when the first bytes are ready — after the whole log has been
checked — so a faulty log leaves no output behind.

**JSON Lines** (``audit --format jsonl``), for large results: the first line is the header
``{"as_of", "format": "ungeforloeb-audit", "format_version": 1, "kind": "header",
"known_at", "rules_digest"}``; then one line per verdict, in digest order (case id, rule id,
subject), each exactly the canonical bytes the verdict digest hashes (so the digest is the
SHA-256 of ``[`` + those lines joined by ``,`` + ``]``); the last line is the summary
``{"cases", "digest", "kind": "summary", "rows", "verdicts"}``. Verdict lines have no ``kind``.

**JSON** (``audit --format json``): the compliance report's JSON, byte for byte as
:meth:`~ungeforloeb.projections.compliance.ComplianceReport.to_json` writes it; the verdicts are
spooled to a temporary file while they stream, since the digest and rows come before them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from typing import IO, Any

import orjson

from ungeforloeb.interchange.audit import Audited

Opener = Callable[[], IO[bytes]]

FORMAT = "ungeforloeb-audit"
FORMAT_VERSION = 1


class JsonLines:
    """``--format jsonl``: a header line, one line per verdict as it comes, a summary line."""

    def __init__(self, open_out: Opener, as_of: date, known_at: date | None,
                 rules_digest: str) -> None:
        self._open = open_out
        self._out: IO[bytes] | None = None
        self._head = orjson.dumps({
            "kind": "header", "format": FORMAT, "format_version": FORMAT_VERSION,
            "as_of": as_of.isoformat(), "known_at": known_at.isoformat() if known_at else None,
            "rules_digest": rules_digest}, option=orjson.OPT_SORT_KEYS) + b"\n"

    def _started(self) -> IO[bytes]:
        if self._out is None:
            self._out = self._open()
            self._out.write(self._head)
        return self._out

    def verdicts(self, lines: bytes, indented: bytes | None) -> None:
        if lines:
            out = self._started()
            out.write(lines)
            out.write(b"\n")

    def finish(self, audited: Audited) -> None:
        """Write the summary line (rows and digest)."""
        report = audited.report()
        out = self._started()
        out.write(orjson.dumps({
            "kind": "summary", "cases": audited.tally.cases,
            "verdicts": audited.tally.verdicts, "digest": audited.digest,
            "rows": [r.to_dict() for r in report.rows()]}, option=orjson.OPT_SORT_KEYS))
        out.write(b"\n")
        out.flush()


class JsonReport:
    """``--format json``: the report's JSON; verdicts spooled to a temporary file meanwhile."""

    def __init__(self, open_out: Opener) -> None:
        self._open = open_out
        # open while the verdicts stream; closed (and so removed) by finish() or close()
        self._spool: Any = tempfile.TemporaryFile(  # noqa: SIM115
            prefix="ungeforloeb-verdicts-")
        self._count = 0

    def verdicts(self, lines: bytes, indented: bytes | None) -> None:
        if indented is None:
            raise ValueError("JsonReport needs the indented verdicts (audit_log(indented=True))")
        if indented:
            self._spool.write(b",\n" if self._count else b"")
            self._spool.write(indented)
            self._count += 1

    def finish(self, audited: Audited) -> None:
        """Write the whole document (and a final line feed)."""
        report = audited.report()
        head = orjson.dumps({
            "as_of": report.as_of.isoformat(),
            "known_at": report.known_at.isoformat() if report.known_at else None,
            "rules_digest": report.rules.digest, "digest": audited.digest,
            "rows": [r.to_dict() for r in report.rows()], "verdicts": [],
        }, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
        out = self._open()
        if self._count == 0:
            out.write(head + b"\n")
        else:
            tail = b"[]\n}"
            assert head.endswith(tail)
            out.write(head[:-len(tail)] + b"[\n")
            self._spool.seek(0)
            shutil.copyfileobj(self._spool, out)
            out.write(b"\n  ]\n}\n")
        out.flush()
        self.close()

    def close(self) -> None:
        self._spool.close()
