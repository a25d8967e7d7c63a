"""docs/interchange.md is precise enough to write a log without the library, and current."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from ungeforloeb.interchange.lineschema import catalogue_markdown
from ungeforloeb.interchange.verify import verify_log

DOC = Path(__file__).parents[2] / "docs" / "interchange.md"


def _between(begin: str, end: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(begin) + len(begin):text.index(end)]


def test_the_example_log_in_the_docs_verifies() -> None:
    block = _between("<!-- example:begin -->", "<!-- example:end -->")
    log = re.search(r"```jsonl\n(.*?)```", block, re.S)
    assert log is not None
    result = verify_log(io.BytesIO(log.group(1).encode("utf-8")))
    assert result.event_count == 4


def test_the_event_table_in_the_docs_is_current() -> None:
    assert _between("<!-- catalogue:begin -->\n", "<!-- catalogue:end -->") == \
        catalogue_markdown(), "paste catalogue_markdown() into docs/interchange.md §5"


def _canonical(obj: dict[str, Any]) -> bytes:
    """§2 with the standard library only, as a vendor might."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def test_a_log_written_from_the_spec_alone_verifies() -> None:
    yp = "11111111-2222-4333-8444-555555555555"
    lines: list[dict[str, Any]] = [
        {"kind": "header", "format": "ungeforloeb-interchange", "format_version": 1,
         "library_version": "vendor-7.2", "exported_at": "2024-05-01T06:00:00+00:00",
         "municipality_code": "461", "regimes": {}},
        {"kind": "event", "seq": 1, "stream_id": yp, "stream_type": "YoungPerson",
         "version": 1, "type": "FirstContactRegistered", "schema_version": 1,
         "occurred_on": "2024-04-02", "recorded_at": "2024-04-02T10:15:00.250000+00:00",
         "recorded_by": "sys.vendor", "payload": {"municipality_code": "461",
                                                  "birth_date": "2006-12-31"}},
        {"kind": "event", "seq": 2, "stream_id": yp, "stream_type": "YoungPerson",
         "version": 2, "type": "ConversationHeld", "schema_version": 1,
         "occurred_on": "2024-04-05", "recorded_at": "2024-04-05T08:00:00+00:00",
         "recorded_by": "cw-3", "payload": {"follows_up_current_step": True,
                                            "education_focus": True, "job_focus": False}},
    ]
    lines.append({"kind": "trailer", "event_count": 2, "verdicts_as_of": "2024-05-01",
                  "verdict_digest": "0" * 64, "final_hash": ""})
    previous = ""
    out = b""
    for obj in lines:
        if obj["kind"] == "trailer":
            obj["final_hash"] = previous
        obj["hash"] = hashlib.sha256(previous.encode("ascii") + _canonical(obj)).hexdigest()
        previous = obj["hash"]
        out += _canonical(obj) + b"\n"
    result = verify_log(io.BytesIO(out))
    assert result.event_count == 2
    assert result.header.library_version == "vendor-7.2"
