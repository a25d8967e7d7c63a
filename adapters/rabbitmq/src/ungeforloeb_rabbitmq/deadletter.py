"""What a dead-lettered message says about why: the error, its kind and where it is.

A message that fails to decode, or that the domain refuses, goes to the dead-letter queue
unchanged (same body, same properties) with these headers added:

``ungeforloeb-error-kind``
    ``decode`` (not JSON, or not an inbound message of the exchange codec's format),
    ``refused`` (the domain refused the command, e.g. an unknown young person) or ``error``
    (anything else the adapter did not expect).
``ungeforloeb-error-class``
    The exception's class, e.g. ``MessageStructureError``, ``UnknownCaseError``.
``ungeforloeb-error``
    The whole message, e.g. ``inbound message: invalid value for type, expected date @
    $.provenance.occurred_on``.
``ungeforloeb-error-paths``
    Each problem with its JSON path (an array), as the codec names them.
``ungeforloeb-report-id``
    The report id (``$.provenance.haendelse_nummer``) when the body has one, else absent.
``ungeforloeb-message-type``
    The body's ``type`` when it has one.
``ungeforloeb-source-queue``, ``ungeforloeb-dead-lettered-at``, ``ungeforloeb-redelivered``
    Where it came from, when (ISO 8601, UTC) and whether the broker had delivered it before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from ungeforloeb.domain.errors import DomainError, InvalidCommandError, UnknownCaseError
from ungeforloeb.exchange.codec import MessageStructureError

PREFIX = "ungeforloeb-"

DECODE = "decode"
REFUSED = "refused"
ERROR = "error"

_FIELD_PATHS = {
    "cpr": "$.cpr",
    "young_person_id": "$.young_person_id",
    "report_id": "$.provenance.haendelse_nummer",
    "institution_id": "$.provenance.institution_id",
    "system_id": "$.provenance.system_id",
    "entry": "$.provenance.entry",
    "occurred_on": "$.provenance.occurred_on",
    "received_on": "$.provenance.received_on",
    "education_code": "$.education_code",
    "starts_on": "$.starts_on",
    "reason_code": "$.reason_code",
    "school_municipality_code": "$.school_municipality_code",
    "in_reply_to": "$.in_reply_to",
}
"""Where in the JSON body a command's field came from (for the domain's refusals)."""


def error_kind(error: BaseException) -> str:
    """``decode``, ``refused`` or ``error``."""
    if isinstance(error, MessageStructureError):
        return DECODE
    if isinstance(error, DomainError):
        return REFUSED
    return ERROR


def error_paths(error: BaseException) -> list[str]:
    """Each problem with the JSON path it is at."""
    json_path = getattr(error, "json_path", None)
    if isinstance(json_path, str):  # an adapter's own error that knows where it is
        return [f"{error} @ {json_path}"]
    if isinstance(error, MessageStructureError):  # "not JSON" names no path: the whole body
        return [e if " @ $" in e else f"{e} @ $" for e in error.errors]
    if isinstance(error, UnknownCaseError):
        where = "$.young_person_id" if error.kind == "young person" else "$"
        return [f"{error} @ {where}"]
    if isinstance(error, InvalidCommandError):
        return [f"{error} @ {_FIELD_PATHS.get(error.field, '$')}"]

    return [f"{type(error).__name__}: {error} @ $"]


def _peek(body: bytes) -> dict[str, Any]:
    """The body's JSON object, or ``{}`` when it is not one."""
    try:
        loaded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def headers(body: bytes, error: BaseException, *, queue: str, redelivered: bool,
            original: dict[str, Any] | None = None,
            now: datetime | None = None) -> dict[str, Any]:
    """The dead-lettered message's headers: the original ones, then ours."""
    data = _peek(body)
    out: dict[str, Any] = dict(original or {})
    out[PREFIX + "error-kind"] = error_kind(error)
    out[PREFIX + "error-class"] = type(error).__name__
    out[PREFIX + "error"] = str(error) if str(error) else type(error).__name__
    out[PREFIX + "error-paths"] = error_paths(error)
    provenance = data.get("provenance")
    report_id = provenance.get("haendelse_nummer") if isinstance(provenance, dict) else None
    if isinstance(report_id, str):
        out[PREFIX + "report-id"] = report_id
    if isinstance(data.get("type"), str):
        out[PREFIX + "message-type"] = data["type"]
    out[PREFIX + "source-queue"] = queue
    out[PREFIX + "dead-lettered-at"] = (now or datetime.now(UTC)).isoformat()
    out[PREFIX + "redelivered"] = redelivered
    return out
