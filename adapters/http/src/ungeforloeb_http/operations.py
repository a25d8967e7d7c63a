"""Operations: ``/health`` (open), ``/metrics`` (operators), and ``/events`` (the log paged,
per municipality, so that vendors not on Python can follow it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http.access import Access
from ungeforloeb_http.auth import Principal
from ungeforloeb_http.edges import Metrics
from ungeforloeb_http.fields import only_params
from ungeforloeb_http.problems import problem, problem_responses
from ungeforloeb_http.queries import owned_records

TAG = "operations"


class Health(BaseModel):
    """The store answered."""

    status: str = Field(description="Always ``ok``.")
    position: int = Field(description="The store's last event position.")


class StoredEvent(BaseModel):
    """One event as stored: its position, stream and payload (ids, dates and codes; never a
    CPR number or a name)."""

    position: int
    stream_id: str
    stream_type: str
    version: int
    type: str
    occurred_on: str
    recorded_at: str
    recorded_by: str
    payload: dict[str, Any]


class EventPage(BaseModel):
    """A page of events; ask again with ``after=last_position`` for the next."""

    events: list[StoredEvent]
    last_position: int = Field(description="The position read up to (give it as `after`); "
                                           "equal to `after` when nothing new was stored.")


def operations_router(app: Ungeforloeb, access: Access, metrics: Metrics,
                      page_max: int) -> APIRouter:
    """A router with ``/health``, ``/metrics`` and ``/events``."""
    router = APIRouter(tags=[TAG])
    authenticated = Depends(access.authenticate)

    @router.get("/health", name="health", operation_id="health",
                summary="Whether the store can be reached",
                description="Reads the store's last position. Open to anyone (no token); "
                            "says nothing of the store's content.",
                response_model=Health, responses=problem_responses(503),
                dependencies=[Depends(only_params())])
    def health(request: Request) -> Any:
        try:
            position = app.recorder.max_notification_id() or 0
        except Exception:  # any driver error: the store cannot be read
            return problem("unavailable", "health: the event store did not answer",
                           instance=request.url.path, command="health")
        return Health(status="ok", position=position)

    @router.get("/metrics", name="metrics", operation_id="metrics",
                summary="Prometheus figures",
                description="Requests by operation, method and status; latencies by "
                            "operation; events written by this process. Operators only.",
                responses={200: {"description": "Prometheus text format.",
                                 "content": {"text/plain": {"schema": {"type": "string"}}}},
                           **problem_responses(401, 403)},
                dependencies=[Depends(only_params())])
    def metrics_text(*, principal: Principal = authenticated) -> Response:
        access.check(principal, "metrics")
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @router.get("/events", name="events", operation_id="events",
                summary="The stored events of the caller's municipality, paged",
                description="The events after position `after`, oldest first, at most "
                            "`limit`, of the cases of the caller's municipality. Follow the "
                            "log by asking again with `after=last_position`. Caseworkers and "
                            "auditors.",
                response_model=EventPage, responses=problem_responses(400, 401, 403, 422),
                dependencies=[Depends(only_params("after", "limit"))])
    def events(*, principal: Principal = authenticated,
               after: Annotated[int, Query(ge=0, le=2**62, description="Position of the "
                                                                       "last event seen.")]
               = 0,
               limit: int = Query(100, ge=1, le=page_max)) -> JSONResponse:
        access.check(principal, "events")
        out: list[dict[str, Any]] = []
        last = after
        for rec, code in owned_records(app, after + 1):
            last = rec.seq
            if code != principal.municipality_code:
                continue
            out.append({"position": rec.seq, "stream_id": rec.stream_id,
                        "stream_type": rec.stream_type, "version": rec.version,
                        "type": rec.type, "occurred_on": rec.occurred_on.isoformat(),
                        "recorded_at": rec.recorded_at, "recorded_by": rec.recorded_by,
                        "payload": rec.payload})
            if len(out) == limit:
                break
        return JSONResponse(EventPage.model_validate(
            {"events": out, "last_position": last}).model_dump(mode="json"))

    return router
