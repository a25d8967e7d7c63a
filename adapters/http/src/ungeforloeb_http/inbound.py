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
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.retry import retry_on_conflict
from ungeforloeb.domain.base import EDUCATION_CODE, INSTITUTION_ID, MUNICIPALITY_CODE
from ungeforloeb.exchange import codelists
from ungeforloeb.exchange.codec import TAG as TYPE_KEY
from ungeforloeb.exchange.codec import MessageStructureError, structure_inbound
from ungeforloeb.exchange.messages import EMAIL, INBOUND_TYPES, PHONE
from ungeforloeb_http.access import Access
from ungeforloeb_http.auth import Principal, Role
from ungeforloeb_http.fields import ID_REGEX, only_params
from ungeforloeb_http.policy import case_scope
from ungeforloeb_http.problems import (
    FieldProblem,
    from_error,
    is_uuid,
    problem,
    problem_responses,
    without_value,
)
from ungeforloeb_http.schema import attrs_schema

TAG = "exchange: inbound"
COMMAND = "receive_institution_message"
_QUOTED = re.compile(r"\s*\([^()]*\)")
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


class Notification(BaseModel):
    """One DataTilInstitution sent to the institution (``InstitutionNotified``)."""

    position: int
    message_id: str
    admission_id: str
    sent_on: str
    order_id: str
    young_person_id: str


class SentPage(BaseModel):
    """A page of notifications; ask again with ``after=last_position`` for more."""

    items: list[Notification]
    last_position: int = Field(description="The position read up to (give it as `after`).")


PATTERNS: dict[str, str] = {
    **dict.fromkeys(("contact_id", "message_id", "admission_id", "haendelse_nummer",
                     "system_id", "in_reply_to"), ID_REGEX),
    "institution_id": INSTITUTION_ID.pattern,
    "education_code": EDUCATION_CODE.pattern,
    "school_municipality_code": MUNICIPALITY_CODE.pattern,
    "phone": f"^{PHONE.pattern}$",
    "email": f"^{EMAIL.pattern}$",
}
"""The patterns of the inbound messages' string fields, as the exchange checks them."""


def request_schema() -> dict[str, Any]:
    """The request body's schema: one of the inbound message types, tagged by ``type``."""
    members = [attrs_schema(t, tag=t.__name__, patterns=PATTERNS) for t in INBOUND_TYPES]
    for member in members:
        if "reason_code" in member["properties"]:  # a code of the configured code list
            member["properties"]["reason_code"] = {
                "type": "string", "enum": sorted(codelists.load("afbrudsaarsager").codes)}
    return {"oneOf": members,
            "discriminator": {"propertyName": "type"}}


def _errors(err: MessageStructureError) -> list[FieldProblem]:
    out = []
    for text in err.errors:
        found = _AT_PATH.match(text)
        path = found["path"].removeprefix("$.") if found else "$"
        message = found["message"] if found else text
        while _QUOTED.search(message):  # "(…)", nested too: values or keys that were sent
            message = _QUOTED.sub("", message)
        message = message.replace("extra fields found",
                                  "unknown fields (their names are not repeated)")
        out.append(FieldProblem(field=path, message=without_value(message)))
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
    first = errors[0] if errors else FieldProblem(field="$", message="refused")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return problem("invalid-message", f"{COMMAND}: {first.field}: {first.message}{more}",
                   instance=path, command=COMMAND, field=first.field, id=_young_person(raw),
                   errors=errors)


def _receive(app: Ungeforloeb, lock: threading.Lock, access: Access, principal: Principal,
             raw: bytes, path: str, retries: int,
             counted: Callable[[Ungeforloeb], AbstractContextManager[None]]) -> JSONResponse:
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return problem("bad-request", f"{COMMAND}: the body is not UTF-8 JSON", instance=path,
                       command=COMMAND, field="$")
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
    if principal.role is Role.INSTITUTION:
        access.check(principal, COMMAND, institution=message.provenance.institution_id)
    else:
        access.case(principal, COMMAND, message.young_person_id)
    try:
        with lock, counted(app):
            received = retry_on_conflict(app.receive_institution_message, message,
                                         recorded_by=principal.subject, retries=retries)
    except Exception as err:
        answer = from_error(err, instance=path, command=COMMAND, id=message.young_person_id)
        if answer is None:
            raise
        return answer
    body = ReceivedBody(status="duplicate" if received.duplicate else "recorded",
                        report_id=received.report_id, duplicate=received.duplicate,
                        applied=list(received.applied), pending=list(received.pending))
    return JSONResponse(body.model_dump(), status_code=200 if received.duplicate else 201)


def inbound_router(app: Ungeforloeb, lock: threading.Lock, access: Access,
                   counted: Callable[[Ungeforloeb], AbstractContextManager[None]],
                   retries: int = 0, page_max: int = 1000) -> APIRouter:
    """A router with ``POST /institution-messages`` and the institutions' notifications."""
    router = APIRouter(tags=[TAG])
    authenticated = Depends(access.authenticate)

    @router.post(
        "/institution-messages", name=COMMAND, operation_id=COMMAND, status_code=201,
        summary="Receive an institution's report (UDB)",
        response_model=ReceivedBody,
        responses={200: {"model": ReceivedBody,
                         "description": "Received before (same report id): nothing changed."},
                   **problem_responses(400, 401, 403, 404, 409, 413, 422)},
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
            "YYYY-MM-DD are refused, each problem named by its JSON path. An institution "
            "posts only its own reports (`provenance.institution_id`); a caseworker, reports "
            "on the cases of their municipality. `recorded_by` is the token's `sub`."),
    )
    async def receive(request: Request, *, principal: Principal = authenticated) -> JSONResponse:
        raw = await request.body()
        return await run_in_threadpool(_receive, app, lock, access, principal, raw,
                                       request.url.path, retries, counted)

    @router.get(
        "/institution-messages/sent", name="institution_notifications",
        operation_id="institution_notifications",
        summary="The DataTilInstitution notifications sent to the calling institution",
        description="Every `InstitutionNotified` of the calling institution's admissions, "
                    "after position `after`, oldest first, at most `limit`: the message id, "
                    "the admission, the young person's random id (to name in reports) and the "
                    "order. The message's content went with the vendor's transport; CPR "
                    "numbers never leave through this API. Institutions only.",
        response_model=SentPage, responses=problem_responses(400, 401, 403, 422),
        dependencies=[Depends(only_params("after", "limit"))])
    def sent(*, principal: Principal = authenticated,
             after: Annotated[int, Query(ge=0, le=2**62, description="Position of the last "
                                                                     "event seen.")] = 0,
             limit: int = Query(100, ge=1, le=page_max)) -> SentPage:
        access.check(principal, "institution_notifications")
        items: list[Notification] = []
        owner: dict[str, str] = {}
        last = after
        for rec in app.records(after + 1):
            last = rec.seq
            if rec.type == "InstitutionNotified" and \
                    rec.payload.get("institution_id") == principal.institution_id:
                yp = owner.get(rec.stream_id)
                if yp is None:
                    scope = case_scope(app, UUID(rec.stream_id))
                    yp = owner[rec.stream_id] = str(scope.young_person_id) if scope else ""
                items.append(Notification(
                    position=rec.seq, message_id=str(rec.payload["message_id"]),
                    admission_id=str(rec.payload["admission_id"]),
                    sent_on=rec.occurred_on.isoformat(), order_id=rec.stream_id,
                    young_person_id=yp))
                if len(items) == limit:
                    break
        return SentPage(items=items, last_position=last)

    return router
