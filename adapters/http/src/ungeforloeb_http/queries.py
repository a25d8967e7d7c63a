"""The queries: a case's status, trail and verdicts, the worklist, the compliance report, and
the interchange log streamed as ``application/x-ndjson``.

Every answer is derived from the events when it is asked for, as the library's projections do;
nothing here is stored. Query parameters are checked as strictly as command bodies: dates only
``YYYY-MM-DD``, unknown parameters refused.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal
from uuid import UUID

import attrs
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.interchange.export import export_log
from ungeforloeb.projections.audit_trail import DEFAULT_LATE_AFTER_DAYS, TrailEntry, audit_trail
from ungeforloeb.projections.compliance import evaluate_all, evaluate_case, load_rules
from ungeforloeb.projections.status import CaseStatus, case_status
from ungeforloeb.projections.worklist import WorkItem, worklist
from ungeforloeb_http.fields import IsoDate, UuidString
from ungeforloeb_http.problems import from_error, problem, problem_responses
from ungeforloeb_http.schema import attrs_schema

TAG = "queries"
EXPORT_TAG = "interchange"
NDJSON = "application/x-ndjson"
log = logging.getLogger("ungeforloeb_http")

CaseId = Annotated[UUID, Path(description="The young person's id."),
                   *UuidString.__metadata__]
AsOf = Annotated[date | None, Query(description="View the case as of this day (YYYY-MM-DD): "
                                                "only what had happened by then."),
                 *IsoDate.__metadata__]
KnownAt = Annotated[date | None, Query(description="Only what had been recorded by this day "
                                                   "(YYYY-MM-DD)."),
                    *IsoDate.__metadata__]


def _only(*names: str) -> Callable[[Request], None]:
    """A dependency refusing query parameters other than ``names`` (422, like a body's)."""
    allowed = frozenset(names)

    def check(request: Request) -> None:
        unknown = [k for k in request.query_params if k not in allowed]
        if unknown:
            raise RequestValidationError([
                {"type": "extra_forbidden", "loc": ("query", k), "msg": "unknown parameter"}
                for k in unknown])

    return check


def _plain_value(_: Any, __: Any, value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def plain(obj: Any) -> dict[str, Any]:
    """An attrs value as JSON-ready data (dates ISO, enumerations by their codes)."""
    return attrs.asdict(obj, value_serializer=_plain_value)


def _schema_response(schema: dict[str, Any], description: str) -> dict[int | str, Any]:
    return {200: {"description": description,
                  "content": {"application/json": {"schema": schema}}}}


def _guarded(request: Request, name: str, id: object,
             run: Callable[[], Response]) -> Response:
    try:
        return run()
    except Exception as err:
        answer = from_error(err, instance=request.url.path, command=name, id=id)
        if answer is None:
            raise
        return answer


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# ------------------------------------------------------------------ export stream

class _Cancelled(Exception):
    """Raised in the exporting thread when the client has gone."""


class _QueueWriter:
    """A binary file for :func:`export_log` that hands chunks of about ``size`` bytes to the
    response through a bounded queue (so a slow client slows the export, not the memory)."""

    def __init__(self, out: queue.Queue[bytes | BaseException | None],
                 cancelled: threading.Event, size: int = 1 << 16) -> None:
        self.out = out
        self.cancelled = cancelled
        self.size = size
        self.buffer = bytearray()

    def _put(self, item: bytes | BaseException | None) -> None:
        while True:
            if self.cancelled.is_set():
                raise _Cancelled
            try:
                self.out.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= self.size:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            chunk, self.buffer = bytes(self.buffer), bytearray()
            self._put(chunk)

    def finish(self, error: BaseException | None) -> None:
        if error is None:
            self.flush()
        self._put(error)


def export_chunks(app: Ungeforloeb, **options: Any) -> Iterator[bytes]:
    """The interchange log of ``app``'s store, in chunks, written by :func:`export_log` in a
    thread of its own. An error of the export is raised from the iterator."""
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)
    cancelled = threading.Event()
    writer = _QueueWriter(chunks, cancelled)

    def run() -> None:
        error: BaseException | None = None
        try:
            export_log(app, writer, **options)  # type: ignore[arg-type]
        except _Cancelled:
            return
        except BaseException as err:  # handed to the reader, which raises it
            error = err
        with contextlib.suppress(_Cancelled):
            writer.finish(error)

    thread = threading.Thread(target=run, name="ungeforloeb-http-export", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancelled.set()


# ------------------------------------------------------------------ routes


def query_router(app: Ungeforloeb) -> APIRouter:
    """A router with the queries and the export."""
    router = APIRouter()

    @router.get(
        "/cases/{young_person_id}/status", tags=[TAG], name="case_status",
        operation_id="case_status", summary="A case's status",
        description="Group, visitation, caseworker and team, every order with its current "
                    "step, step deadlines and admissions, open offers and retention cases. "
                    "With `as_of` / `known_at`: the case as it stood, as known then.",
        responses={**_schema_response(attrs_schema(CaseStatus), "The case's status."),
                   **problem_responses(404, 422)},
        dependencies=[Depends(_only("as_of", "known_at"))])
    def status(request: Request, young_person_id: CaseId, as_of: AsOf = None,
               known_at: KnownAt = None) -> Response:
        def run() -> Response:
            case_file = app.case_file(young_person_id)
            facts = (case_file.facts() if as_of is None and known_at is None
                     else case_file.view(as_of=as_of, known_at=known_at))
            return JSONResponse(plain(case_status(facts)))
        return _guarded(request, "case_status", young_person_id, run)

    @router.get(
        "/cases/{young_person_id}/trail", tags=[TAG], name="case_trail",
        operation_id="case_trail", summary="A case's audit trail",
        description="Every event of the young person's streams: what happened, the day it "
                    "happened, when and by whom it was recorded; recordings more than "
                    "`late_after` days after the day they happened are marked late.",
        responses={**_schema_response({"type": "array", "items": attrs_schema(TrailEntry)},
                                      "The trail, oldest first."),
                   **problem_responses(404, 422)},
        dependencies=[Depends(_only("order", "late_after"))])
    def trail(request: Request, young_person_id: CaseId,
              order: Annotated[Literal["recorded", "occurred"], Query(
                  description="By recording (sequence number) or by the day it happened.")]
              = "recorded",
              late_after: Annotated[int, Query(ge=0, description="Days after which a "
                                                                 "recording is late.")]
              = DEFAULT_LATE_AFTER_DAYS) -> Response:
        def run() -> Response:
            entries = audit_trail(app.case_file(young_person_id), late_after_days=late_after,
                                  order=order)
            return JSONResponse([plain(e) for e in entries])
        return _guarded(request, "case_trail", young_person_id, run)

    @router.get(
        "/worklist", tags=[TAG], name="worklist", operation_id="worklist",
        summary="What is due or overdue on a day",
        description="Every case viewed as of `on` (as known at `known_at`), every worklist "
                    "source run: step deadlines, control points, retention, data quality, "
                    "missing receipts. Overdue first, then by due date. `caseworker` / `team` "
                    "keep only their items.",
        responses={**_schema_response({"type": "object", "properties": {
            "on": {"type": "string", "format": "date"},
            "known_at": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
            "caseworker": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "team": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "count": {"type": "integer"}, "overdue": {"type": "integer"},
            "items": {"type": "array", "items": attrs_schema(WorkItem)}}},
            "The worklist."), **problem_responses(422)},
        dependencies=[Depends(_only("on", "caseworker", "team", "known_at"))])
    def worklist_query(request: Request,
                       on: Annotated[date, Query(description="The day (YYYY-MM-DD)."),
                                     *IsoDate.__metadata__],
                       caseworker: Annotated[str | None, Query()] = None,
                       team: Annotated[str | None, Query()] = None,
                       known_at: KnownAt = None) -> Response:
        def run() -> Response:
            items = worklist(app.case_files().values(), on, caseworker=caseworker, team=team,
                             known_at=known_at)
            return JSONResponse({"on": on.isoformat(), "known_at": _iso(known_at),
                                 "caseworker": caseworker, "team": team,
                                 "count": len(items), "overdue": sum(i.overdue for i in items),
                                 "items": [plain(i) for i in items]})
        return _guarded(request, "worklist", None, run)

    @router.get(
        "/compliance", tags=[TAG], name="compliance", operation_id="compliance",
        summary="Every rule judged for every case on a day",
        description="The compliance report as `ComplianceReport.to_json()`: the dates, the "
                    "rule set's digest, one row per rule (met, missed, share, by group, legal "
                    "source, the audit's 2018–20 share) and every verdict, with the verdicts' "
                    "digest.",
        responses={**_schema_response({"type": "object"}, "The compliance report."),
                   **problem_responses(422)},
        dependencies=[Depends(_only("as_of", "known_at"))])
    def compliance(request: Request,
                   as_of: Annotated[date, Query(description="Judge what had happened by this "
                                                            "day (YYYY-MM-DD)."),
                                    *IsoDate.__metadata__],
                   known_at: KnownAt = None) -> Response:
        def run() -> Response:
            report = evaluate_all(app.case_files().values(), as_of, known_at)
            return Response(report.to_json(), media_type="application/json")
        return _guarded(request, "compliance", None, run)

    @router.get(
        "/cases/{young_person_id}/verdicts/{rule_id}", tags=[TAG], name="explain",
        operation_id="explain", summary="Explain one rule's verdicts for one case",
        description="Each verdict of the rule for the case (one per subject: the case, an "
                    "admission, an order or a report) with what decided it: the period of the "
                    "rule used and the event whose date chose it, the event that started the "
                    "clock, the due date, the event that met it (or none), the legal source.",
        responses={**_schema_response({"type": "object"}, "The verdicts, explained."),
                   **problem_responses(404, 422)},
        dependencies=[Depends(_only("as_of", "known_at"))])
    def explain(request: Request, young_person_id: CaseId,
                rule_id: Annotated[str, Path(description="A rule id of the rule data.")],
                as_of: Annotated[date, Query(description="The day judged (YYYY-MM-DD)."),
                                 *IsoDate.__metadata__],
                known_at: KnownAt = None) -> Response:
        rules = load_rules()
        if rule_id not in rules.ids:
            return problem("unknown-rule", f"explain: no rule {rule_id!r}; rules: "
                           f"{', '.join(rules.ids)}", instance=request.url.path,
                           command="explain", field="rule_id", id=young_person_id)

        def run() -> Response:
            case_file = app.case_file(young_person_id)
            verdicts = [v for v in evaluate_case(case_file, as_of, known_at, rules)
                        if v.rule_id == rule_id]
            out = []
            for v in verdicts:
                d = v.to_dict()
                d["explain"] = {
                    "decided_by": v.decided_by.text() if v.decided_by else None,
                    "clock_started_by": v.clock_start.text() if v.clock_start else None,
                    "met_by": v.met_by.text() if v.met_by else None,
                }
                out.append(d)
            return JSONResponse({"case_id": str(young_person_id), "rule_id": rule_id,
                                 "as_of": as_of.isoformat(), "known_at": _iso(known_at),
                                 "verdicts": out})
        return _guarded(request, "explain", young_person_id, run)

    @router.get(
        "/export", tags=[EXPORT_TAG], name="export", operation_id="export",
        summary="The interchange log, streamed",
        description="The store's events as one interchange log (JSON Lines: header, one line "
                    "per event, trailer with the hash chain's end and the verdicts' digest), "
                    "streamed as it is written. Only the events stored when the export starts "
                    "are in it. Check it with `ungeforloeb verify`. A log cut short (a broken "
                    "connection) has no trailer and does not verify.",
        responses={200: {"description": "The log.", "content": {NDJSON: {
            "schema": {"type": "string"}}}}, **problem_responses(409, 422)},
        response_class=StreamingResponse,
        dependencies=[Depends(_only("as_of", "municipality", "exported_at"))])
    def export(request: Request,
               as_of: Annotated[date | None, Query(
                   description="Date of the trailer's verdict digest (default: the export "
                               "day)."), *IsoDate.__metadata__] = None,
               municipality: Annotated[str | None, Query(
                   description="Municipality code for the header (default: the store's)."),
                   ] = None,
               exported_at: Annotated[datetime | None, Query(
                   description="The export time in the header, with a zone (default: now); "
                               "fix it to reproduce a log.")] = None) -> Response:
        if exported_at is not None and exported_at.tzinfo is None:
            return problem("invalid-request", "export: field 'exported_at': a date-time with a "
                           "zone, e.g. 2024-12-31T23:00:00+00:00", instance=request.url.path,
                           command="export", field="exported_at")
        chunks = export_chunks(app, exported_at=exported_at, as_of=as_of,
                               municipality_code=municipality)

        def run() -> Response:
            first = next(chunks)  # the header, or the export's error before any byte is sent
            return StreamingResponse(_then(first, chunks), media_type=NDJSON)
        return _guarded(request, "export", None, run)

    return router


def _then(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    try:
        yield from rest
    except Exception:
        log.exception("export failed after the log began; the response is cut short")
        raise
