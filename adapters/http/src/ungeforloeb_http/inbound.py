"""``POST /institution-messages``: an institution's report through UDB, as the exchange codec
structures it (``{"type": "Optagelse", "young_person_id": …, "provenance": {…}, …}``).

Receiving is idempotent by the report id (``provenance.haendelse_nummer``): the first time the
report is recorded (201, ``"status": "recorded"``), every later time nothing changes (200,
``"status": "duplicate"``). The JSON is structured by the core's own strict converter
(:mod:`ungeforloeb.exchange.codec`), so HTTP accepts exactly what the library accepts.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.exchange.codec import TAG as TYPE_KEY
from ungeforloeb.exchange.codec import MessageStructureError, structure_inbound
from ungeforloeb.exchange.messages import INBOUND_TYPES
from ungeforloeb_http.problems import (
    FieldProblem,
    from_error,
    is_uuid,
    problem,
    problem_responses,
)
from ungeforloeb_http.schema import attrs_schema

TAG = "exchange: inbound"
COMMAND = "receive_institution_message"
_AT_PATH = re.compile(r"^(?P<message>.*) @ (?P<path>\$\S*)$")

EXAMPLE = {
    "type": "Optagelse",
    "young_person_id": "00000000-0000-4000-8000-000000000001",
    "provenance": {"haendelse_nummer": "h-1", "institution_id": "280727",
                   "system_id": "easy-a", "entry": "automatic", "occurred_on": "2024-03-01",
                   "received_on": "2024-03-02"},
    "education_code": "eud-gf1", "starts_on": "2024-08-12", "school_municipality_code": None,
}


class ReceivedBody(BaseModel):
    """What receiving one report did."""

    status: str = Field(description="``recorded`` the first time, ``duplicate`` after.")
    report_id: str
    duplicate: bool
    applied: list[str] = Field(description="Report ids applied to the case by this call (this "
                                           "one and earlier pending ones).")
    pending: list[str] = Field(description="The young person's reports still waiting for what "
                                           "they need (e.g. a completion before the start).")


def request_schema() -> dict[str, Any]:
    """The request body's schema: one of the inbound message types, tagged by ``type``."""
    return {"oneOf": [attrs_schema(t, tag=t.__name__) for t in INBOUND_TYPES],
            "discriminator": {"propertyName": "type"}}


def _errors(err: MessageStructureError) -> list[FieldProblem]:
    out = []
    for text in err.errors:
        found = _AT_PATH.match(text)
        path = found["path"].removeprefix("$.") if found else "$"
        out.append(FieldProblem(field=path, message=found["message"] if found else text))
    return out


def _young_person(raw: bytes) -> str | None:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    found = data.get("young_person_id") if isinstance(data, dict) else None
    return found if is_uuid(found) else None


def _refused(err: MessageStructureError, raw: bytes, path: str) -> JSONResponse:
    errors = _errors(err)
    return problem("invalid-message", f"{COMMAND}: {err}", instance=path, command=COMMAND,
                   field=errors[0].field if errors else None, id=_young_person(raw),
                   errors=errors)


def _receive(app: Ungeforloeb, lock: threading.Lock, raw: bytes, path: str) -> JSONResponse:
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = raw  # the codec says what is wrong with it
    if isinstance(data, dict) and not isinstance(data.get(TYPE_KEY, ""), str):
        # structure_inbound raises TypeError on an unhashable tag (a list or an object);
        # refuse it here with the codec's own wording
        names = sorted(t.__name__ for t in INBOUND_TYPES)
        return _refused(MessageStructureError("inbound message", [
            f"'{TYPE_KEY}' must be one of {names}, got a {type(data[TYPE_KEY]).__name__} "
            f"@ $.{TYPE_KEY}"]), raw, path)
    try:
        message = structure_inbound(data)
    except MessageStructureError as err:
        return _refused(err, raw, path)
    try:
        with lock:
            received = app.receive_institution_message(message)
    except Exception as err:
        answer = from_error(err, instance=path, command=COMMAND, id=message.young_person_id)
        if answer is None:
            raise
        return answer
    body = ReceivedBody(status="duplicate" if received.duplicate else "recorded",
                        report_id=received.report_id, duplicate=received.duplicate,
                        applied=list(received.applied), pending=list(received.pending))
    return JSONResponse(body.model_dump(), status_code=200 if received.duplicate else 201)


def inbound_router(app: Ungeforloeb, lock: threading.Lock) -> APIRouter:
    """A router with ``POST /institution-messages``."""
    router = APIRouter(tags=[TAG])

    @router.post(
        "/institution-messages", name=COMMAND, operation_id=COMMAND, status_code=201,
        summary="Receive an institution's report (UDB)",
        response_model=ReceivedBody,
        responses={200: {"model": ReceivedBody,
                         "description": "Received before (same report id): nothing changed."},
                   **problem_responses(404, 409, 422)},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": request_schema(), "example": EXAMPLE}}}},
        description=(
            "Record an institution's report with its provenance, routed to the designated "
            "recipient, and apply it to the case where the case can take it (an admission to "
            "the open order, a completion or interruption to the started education, a risk "
            "of dropout to a retention case, a contact or receipt to the order). A report the "
            "case cannot take yet stays pending and is applied when what it needs arrives. "
            "The young person is named by our random id (resolve UDB's CPR number through the "
            "identity record first); unknown keys, numbers for strings and dates not "
            "YYYY-MM-DD are refused, each problem named by its JSON path."),
    )
    async def receive(request: Request) -> JSONResponse:
        raw = await request.body()
        return await run_in_threadpool(_receive, app, lock, raw, request.url.path)

    return router
