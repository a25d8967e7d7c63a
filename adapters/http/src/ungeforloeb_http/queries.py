"""The queries: a case's status, trail and verdicts, the worklist, the compliance report, and
the interchange log streamed as ``application/x-ndjson``.

Every answer is derived from the events when it is asked for, as the library's projections do;
nothing here is stored. Query parameters are checked as strictly as command bodies: dates only
``YYYY-MM-DD``, unknown parameters refused.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import Enum
from typing import IO, Annotated, Any, Literal
from uuid import UUID

import attrs
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.kept import KeptVerdicts, existing_sqlite_store
from ungeforloeb.application.kept_timelines import open_kept_timelines
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.casefile.records import EventRecord, group_by_case
from ungeforloeb.interchange.export import export_log
from ungeforloeb.projections.audit_trail import DEFAULT_LATE_AFTER_DAYS, TrailEntry, audit_trail
from ungeforloeb.projections.compliance import evaluate_all, evaluate_case, load_rules
from ungeforloeb.projections.management import flows, outcomes, status_on, timelines
from ungeforloeb.projections.status import CaseStatus, case_status
from ungeforloeb.projections.worklist import WorkItem, worklist
from ungeforloeb_http.access import Access
from ungeforloeb_http.auth import Principal
from ungeforloeb_http.fields import (
    DATE_MAX,
    DATE_MIN,
    ID_REGEX,
    IsoDate,
    IsoDateTime,
    UuidString,
    only_params,
)
from ungeforloeb_http.policy import ForbiddenError, case_scope
from ungeforloeb_http.problems import from_error, instance_of, problem, problem_responses
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
        answer = from_error(err, instance=instance_of(request), command=name, id=id)
        if answer is None:
            raise
        return answer


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# ------------------------------------------------------------------ scoped reads

def owned_records(app: Ungeforloeb, start: int = 1
                  ) -> Iterator[tuple[EventRecord, str | None]]:
    """Each of the store's events from position ``start`` with the municipality of its case
    (``None`` for a stream of no known case): a young person's stream by its first event, an
    order's or retention case's by its young person, looked up once per stream."""
    owner: dict[str, str | None] = {}
    for rec in app.records(start):
        if rec.stream_id in owner:
            code = owner[rec.stream_id]
        else:
            if rec.type == "FirstContactRegistered":
                code = str(rec.payload.get("municipality_code"))
            else:
                scope = case_scope(app, UUID(rec.stream_id))
                code = scope.municipality_code if scope is not None else None
            if len(owner) > 50_000:  # bounded: streams recur close together
                owner.clear()
            owner[rec.stream_id] = code
        yield rec, code


def municipality_records(app: Ungeforloeb, municipality: str,
                         start: int = 1) -> Iterator[EventRecord]:
    """The store's events (from position ``start``) of the cases of ``municipality``."""
    return (rec for rec, code in owned_records(app, start) if code == municipality)


def kept_items(app: Ungeforloeb, on: date, municipality: str, *, caseworker: str | None,
               team: str | None, municipalities: dict[str, str | None]) -> list[WorkItem] | None:
    """The worklist of ``municipality`` on ``on`` read from the store's kept verdicts when they
    are current for ``on`` — kept for that day and up to the store's last event — else
    ``None`` (judge the events instead). Only an SQLite store's own kept tables are read;
    nothing is created in the store. ``municipalities`` caches each case's municipality."""
    store = existing_sqlite_store(app)
    if store is None:
        return None
    try:
        kept = KeptVerdicts(app, store)
        if kept.day != on or store.position() != (app.recorder.max_notification_id() or 0):
            return None
        items = kept.worklist(caseworker=caseworker, team=team)
    finally:
        store.close()
    if len(municipalities) > 200_000:
        municipalities.clear()
    out = []
    for item in items:
        code = municipalities.get(item.young_person_id, "")
        if code == "":
            scope = case_scope(app, UUID(item.young_person_id))
            code = municipalities[item.young_person_id] = (
                scope.municipality_code if scope is not None else None)
        if code == municipality:
            out.append(item)
    return out


def municipality_case_files(app: Ungeforloeb, municipality: str) -> list[CaseFile]:
    """The case files of ``municipality``'s young people."""
    return [CaseFile(k, v) for k, v in
            group_by_case(municipality_records(app, municipality)).items()]


def _spooled_export(app: Ungeforloeb, **options: Any) -> tuple[IO[bytes], int]:
    """The whole log written to a spooled temporary file (memory up to 8 MiB, then disk):
    the answer's status is decided only once the export has finished."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115
    try:
        export_log(app, out, **options)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out, size


def _chunks(out: IO[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    try:
        while chunk := out.read(size):
            yield chunk
    finally:
        out.close()


# ------------------------------------------------------------------ routes

ERRORS = (400, 401, 403, 422)


def query_router(app: Ungeforloeb, access: Access) -> APIRouter:
    """A router with the queries and the export."""
    router = APIRouter()
    authenticated = Depends(access.authenticate)

    @router.get(
        "/cases/{young_person_id}/status", tags=[TAG], name="case_status",
        operation_id="case_status", summary="A case's status",
        description="Group, visitation, caseworker and team, every order with its current "
                    "step, step deadlines and admissions, open offers and retention cases. "
                    "With `as_of` / `known_at`: the case as it stood, as known then. "
                    "Caseworkers of the case's municipality, and the young person.",
        responses={**_schema_response(attrs_schema(CaseStatus), "The case's status."),
                   **problem_responses(*ERRORS, 404)},
        dependencies=[Depends(only_params("as_of", "known_at"))])
    def status(request: Request, *, principal: Principal = authenticated, young_person_id: CaseId,
               as_of: AsOf = None, known_at: KnownAt = None) -> Response:
        access.case(principal, "case_status", young_person_id)

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
                    "`late_after` days after the day they happened are marked late. "
                    "Caseworkers of the case's municipality, and the young person.",
        responses={**_schema_response({"type": "array", "items": attrs_schema(TrailEntry)},
                                      "The trail, oldest first."),
                   **problem_responses(*ERRORS, 404)},
        dependencies=[Depends(only_params("order", "late_after"))])
    def trail(request: Request, *, principal: Principal = authenticated, young_person_id: CaseId,
              order: Annotated[Literal["recorded", "occurred"], Query(
                  description="By recording (sequence number) or by the day it happened.")]
              = "recorded",
              late_after: Annotated[int, Query(ge=0, le=36500, description="Days after "
                                               "which a recording is late.")]
              = DEFAULT_LATE_AFTER_DAYS) -> Response:
        access.case(principal, "case_trail", young_person_id)

        def run() -> Response:
            entries = audit_trail(app.case_file(young_person_id), late_after_days=late_after,
                                  order=order)
            return JSONResponse([plain(e) for e in entries])
        return _guarded(request, "case_trail", young_person_id, run)

    municipality_of: dict[str, str | None] = {}
    """Each kept case's municipality (a young person's never changes: their first event's)."""

    @router.get(
        "/worklist", tags=[TAG], name="worklist", operation_id="worklist",
        summary="What is due or overdue on a day",
        description="The cases of the caller's municipality viewed as of `on` (as known at "
                    "`known_at`), every worklist source run: step deadlines, control points, "
                    "retention, data quality, missing receipts. Overdue first, then by due "
                    "date. `caseworker` / `team` keep only their items; a caseworker whose "
                    "token names a team sees that team's items only. Read from the store's "
                    "kept verdicts (`ungeforloeb keep`) when they are kept for `on` and up to "
                    "the store's last event, else judged from the events: the same answer "
                    "either way.",
        responses={**_schema_response({"type": "object", "properties": {
            "on": {"type": "string", "format": "date"},
            "known_at": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
            "caseworker": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "team": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "count": {"type": "integer"}, "overdue": {"type": "integer"},
            "items": {"type": "array", "items": attrs_schema(WorkItem)}}},
            "The worklist."), **problem_responses(*ERRORS)},
        dependencies=[Depends(only_params("on", "caseworker", "team", "known_at"))])
    def worklist_query(request: Request, *, principal: Principal = authenticated,
                       on: Annotated[date, Query(description="The day (YYYY-MM-DD)."),
                                     *IsoDate.__metadata__],
                       caseworker: Annotated[str | None, Query(
                           max_length=64, pattern=ID_REGEX)] = None,
                       team: Annotated[str | None, Query(
                           max_length=64, pattern=ID_REGEX)] = None,
                       known_at: KnownAt = None) -> Response:
        access.check(principal, "worklist")
        if principal.team_id is not None:
            if team not in (None, principal.team_id):
                raise ForbiddenError("worklist", f"the token's team is {principal.team_id}")
            team = principal.team_id
        code = principal.municipality_code
        assert code is not None  # a caseworker's token names the municipality

        def run() -> Response:
            kept = kept_items(app, on, code, caseworker=caseworker, team=team,
                              municipalities=municipality_of) if known_at is None else None
            items = kept if kept is not None else worklist(
                municipality_case_files(app, code), on, caseworker=caseworker, team=team,
                known_at=known_at)
            return JSONResponse({"on": on.isoformat(), "known_at": _iso(known_at),
                                 "caseworker": caseworker, "team": team,
                                 "count": len(items), "overdue": sum(i.overdue for i in items),
                                 "items": [plain(i) for i in items]})
        return _guarded(request, "worklist", None, run)

    @router.get(
        "/compliance", tags=[TAG], name="compliance", operation_id="compliance",
        summary="Every rule judged for every case on a day",
        description="The compliance report of the caller's municipality as "
                    "`ComplianceReport.to_json()`: the dates, the rule set's digest, one row "
                    "per rule (met, missed, share, by group, legal source, the audit's 2018–20 "
                    "share) and every verdict, with the verdicts' digest. Caseworkers and "
                    "auditors.",
        responses={**_schema_response({"type": "object"}, "The compliance report."),
                   **problem_responses(*ERRORS)},
        dependencies=[Depends(only_params("as_of", "known_at"))])
    def compliance(request: Request, *, principal: Principal = authenticated,
                   as_of: Annotated[date, Query(description="Judge what had happened by this "
                                                            "day (YYYY-MM-DD)."),
                                    *IsoDate.__metadata__],
                   known_at: KnownAt = None) -> Response:
        access.check(principal, "compliance")
        code = principal.municipality_code
        assert code is not None

        def run() -> Response:
            report = evaluate_all(municipality_case_files(app, code), as_of, known_at)
            return Response(report.to_json(), media_type="application/json")
        return _guarded(request, "compliance", None, run)

    @router.get(
        "/management/status-on", tags=[TAG], name="management_status_on",
        operation_id="management_status_on", summary="The group on a day",
        description="How many young people of the caller's municipality are in the group at "
                    "the end of `on` (first contact registered, benefit not ended): by state "
                    "on their path, visitation group, age band, team and caseworker, against "
                    "`cap` when given, each figure with the case ids behind it. Management "
                    "figures, not law. Caseworkers and auditors. Read from the kept "
                    "timelines when the store's are current (`ungeforloeb keep`) and no "
                    "`known_at` is given, else computed from the events: `source` says which "
                    "(`kept` or `events`); the figures are the same.",
        responses={**_schema_response({"type": "object"}, "The group on the day."),
                   **problem_responses(*ERRORS)},
        dependencies=[Depends(only_params("on", "known_at", "cap"))])
    def management_status_on(request: Request, *, principal: Principal = authenticated,
                             on: Annotated[date, Query(description="The day (YYYY-MM-DD)."),
                                           *IsoDate.__metadata__],
                             known_at: KnownAt = None,
                             cap: Annotated[int | None, Query(
                                 ge=0, le=10_000_000, description="A target or cap on the "
                                                                  "group's size.")] = None
                             ) -> Response:
        access.check(principal, "management_status_on")
        code = principal.municipality_code
        assert code is not None

        def run() -> Response:
            kept = open_kept_timelines(app) if known_at is None else None
            if kept is not None:
                try:
                    found = kept.status_on(on, cap=cap, municipality=code)
                finally:
                    kept.close()
            else:
                lines = timelines(municipality_case_files(app, code), known_at)
                found = status_on(lines, on, cap=cap, known_at=known_at)
            return JSONResponse({**found.to_dict(),
                                 "source": "events" if kept is None else "kept"})
        return _guarded(request, "management_status_on", None, run)

    @router.get(
        "/management/flows", tags=[TAG], name="management_flows",
        operation_id="management_flows", summary="Entries and exits over a period",
        description="The caller's municipality's entries into and exits from the group week "
                    "by week or month by month from `from` to `to`, the exits by reason, the "
                    "stock before and after each period, and the period's cohort outcomes as "
                    "of `as_of` (default `to`), each with the case ids behind it; `to` before "
                    "`from` is an empty period (no flows). Caseworkers and auditors. `source`: "
                    "`kept` (the kept timelines) or `events`, as for the group on a day.",
        responses={**_schema_response({"type": "object"}, "The flows and outcomes."),
                   **problem_responses(*ERRORS)},
        dependencies=[Depends(only_params("from", "to", "every", "as_of", "known_at"))])
    def management_flows(request: Request, *, principal: Principal = authenticated,
                         start: Annotated[date, Query(alias="from", description="First day "
                                                      "(YYYY-MM-DD)."), *IsoDate.__metadata__],
                         end: Annotated[date, Query(alias="to", description="Last day "
                                                    "(YYYY-MM-DD)."), *IsoDate.__metadata__],
                         every: Annotated[Literal["week", "month"], Query(
                             description="Week by week or month by month.")] = "month",
                         as_of: Annotated[date | None, Query(
                             description="The day the outcomes are judged on (YYYY-MM-DD)."),
                             *IsoDate.__metadata__] = None,
                         known_at: KnownAt = None) -> Response:
        access.check(principal, "management_flows")
        code = principal.municipality_code
        assert code is not None

        def run() -> Response:
            kept = open_kept_timelines(app) if known_at is None else None
            if kept is not None:
                try:
                    rows = kept.flows(start, end, every, municipality=code)
                    results = kept.outcomes(start, end, as_of or end, municipality=code)
                finally:
                    kept.close()
            else:
                lines = timelines(municipality_case_files(app, code), known_at)
                rows = flows(lines, start, end, every)
                results = outcomes(lines, start, end, as_of or end)
            return JSONResponse({
                "from": start.isoformat(), "to": end.isoformat(), "every": every,
                "known_at": _iso(known_at), "source": "events" if kept is None else "kept",
                "flows": [r.to_dict() for r in rows],
                "outcomes": [o.to_dict() for o in results]})
        return _guarded(request, "management_flows", None, run)

    @router.get(
        "/cases/{young_person_id}/verdicts/{rule_id}", tags=[TAG], name="explain",
        operation_id="explain", summary="Explain one rule's verdicts for one case",
        description="Each verdict of the rule for the case (one per subject: the case, an "
                    "admission, an order or a report) with what decided it: the period of the "
                    "rule used and the event whose date chose it, the event that started the "
                    "clock, the due date, the event that met it (or none), the legal source. "
                    "Caseworkers and auditors of the case's municipality, and the young "
                    "person.",
        responses={**_schema_response({"type": "object"}, "The verdicts, explained."),
                   **problem_responses(*ERRORS, 404)},
        dependencies=[Depends(only_params("as_of", "known_at"))])
    def explain(request: Request, *, principal: Principal = authenticated, young_person_id: CaseId,
                rule_id: Annotated[str, Path(description="A rule id of the rule data.",
                                             max_length=64, pattern=ID_REGEX)],
                as_of: Annotated[date, Query(description="The day judged (YYYY-MM-DD)."),
                                 *IsoDate.__metadata__],
                known_at: KnownAt = None) -> Response:
        access.case(principal, "explain", young_person_id)
        rules = load_rules()
        if rule_id not in rules.ids:
            return problem("unknown-rule", f"explain: no such rule; rules: "
                           f"{', '.join(rules.ids)}", instance=instance_of(request),
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
        summary="The interchange log of the caller's municipality",
        description="The store's events as one interchange log (JSON Lines: header, one line "
                    "per event, trailer with the hash chain's end and the verdicts' digest). "
                    "The log is written whole before the answer starts, so a 200 always "
                    "carries a complete log; a store that also holds another municipality's "
                    "cases is refused (409 `export-refused`) before any byte is sent. Only the "
                    "events stored when the export starts are in it. Check it with "
                    "`ungeforloeb verify`. Caseworkers and auditors.",
        responses={200: {"description": "The log.", "content": {NDJSON: {
            "schema": {"type": "string"}}}}, **problem_responses(*ERRORS, 409)},
        response_class=StreamingResponse,
        dependencies=[Depends(only_params("as_of", "municipality", "exported_at"))])
    def export(request: Request, *, principal: Principal = authenticated,
               as_of: Annotated[date | None, Query(
                   description="Date of the trailer's verdict digest (default: the day the "
                               "last event happened)."), *IsoDate.__metadata__] = None,
               municipality: Annotated[str | None, Query(
                   description="Municipality code for the header: the caller's (the "
                               "default).", pattern="^[0-9]{3}$")] = None,
               exported_at: Annotated[datetime | None, Query(
                   description="The export time in the header, with a zone (default: now); "
                               "fix it to reproduce a log."), *IsoDateTime.__metadata__]
               = None) -> Response:
        access.check(principal, "export", municipality=municipality)
        if exported_at is not None and exported_at.tzinfo is None:
            return problem("invalid-request", "export: field 'exported_at': a date-time with a "
                           "zone, e.g. 2024-12-31T23:00:00+00:00", instance=request.url.path,
                           command="export", field="exported_at")
        if exported_at is not None and not DATE_MIN <= exported_at.date() <= DATE_MAX:
            return problem("invalid-request", f"export: field 'exported_at': a day from "
                           f"{DATE_MIN} to {DATE_MAX}", instance=request.url.path,
                           command="export", field="exported_at")

        def run() -> Response:
            out, size = _spooled_export(app, exported_at=exported_at, as_of=as_of,
                                        municipality_code=principal.municipality_code)
            return StreamingResponse(_chunks(out), media_type=NDJSON,
                                     headers={"Content-Length": str(size)})
        return _guarded(request, "export", None, run)

    return router
