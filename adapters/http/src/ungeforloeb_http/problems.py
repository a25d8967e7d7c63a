"""Errors as problem documents (RFC 9457): ``type``, ``title``, ``status``, ``detail``,
``instance``, and the members ``command``, ``field`` and ``id`` naming what was refused.

The domain's errors map to a status by their class: a bad argument is 422, a fact out of order
or a closed order or case is 409, an unknown case is 404. Request validation (unknown fields,
wrong types, dates not ``YYYY-MM-DD``) is 422 and lists every problem with its path. A problem
document never repeats a value that was sent: a CPR number or a name cannot come back in one.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ungeforloeb.application.retry import is_conflict
from ungeforloeb.domain.errors import (
    CaseClosedError,
    DomainError,
    EventOutOfOrderError,
    InvalidCommandError,
    OrderClosedError,
    UnknownCaseError,
)
from ungeforloeb.exchange.messages import MessageError
from ungeforloeb.interchange.errors import ExportError
from ungeforloeb_http.auth import AuthenticationError, ForbiddenError

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("ungeforloeb_http")
TYPE_PREFIX = "urn:ungeforloeb:problem:"

PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "bad-request": (400, "The body is not UTF-8 JSON"),
    "unauthenticated": (401, "A valid bearer token is required"),
    "forbidden": (403, "Not allowed for this caller"),
    "not-found": (404, "No such route"),
    "method-not-allowed": (405, "The route does not take this method"),
    "too-large": (413, "The request body is too large"),
    "unavailable": (503, "The store cannot be reached"),
    "invalid-request": (422, "The request does not validate"),
    "invalid-command": (422, "The command's input is refused"),
    "invalid-message": (422, "The institution message is refused"),
    "out-of-order": (409, "A fact is recorded before the fact it depends on"),
    "order-closed": (409, "The education order has ended"),
    "case-closed": (409, "The retention case is closed"),
    "conflict": (409, "The store changed or already holds this id"),
    "unknown-case": (404, "No such case"),
    "unknown-rule": (404, "No such rule"),
    "export-refused": (409, "The store cannot be exported as one log"),
    "internal": (500, "Internal error"),
}
"""Problem type (after :data:`TYPE_PREFIX`) → (status, title)."""


class FieldProblem(BaseModel):
    """One problem of a request: the field (``stage``, ``contact.email``, a query parameter's
    name, ``$`` for the whole body) and what is wrong with it."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document with the command, field and id it concerns."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="A URN naming the kind of problem.",
                      examples=[TYPE_PREFIX + "invalid-command"])
    title: str
    status: int
    detail: str = Field(description="What was refused and why, naming the command, the field "
                                    "and the id.")
    instance: str | None = Field(None, description="The request's path.")
    command: str | None = Field(None, description="The command or query refused.")
    field: str | None = Field(None, description="The field refused, when one is.")
    id: str | None = Field(None, description="The young person, order or retention case.")
    errors: list[FieldProblem] | None = Field(
        None, description="Every problem found in the request, with its path.")


def problem(kind: str, detail: str, *, instance: str | None = None, command: str | None = None,
            field: str | None = None, id: object = None,
            errors: Sequence[FieldProblem] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem response of ``kind`` (a key of the table above)."""
    status, title = PROBLEM_TYPES[kind]
    doc = Problem(type=TYPE_PREFIX + kind, title=title, status=status, detail=detail,
                  instance=instance, command=command, field=field,
                  id=None if id is None else str(id),
                  errors=list(errors) if errors is not None else None)
    return JSONResponse(doc.model_dump(exclude_none=True), status_code=status,
                        media_type=MEDIA_TYPE, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problem statuses a route can answer with."""
    described = {400: "The body is not UTF-8 JSON.",
                 401: "No bearer token, or one that does not verify.",
                 403: "The caller's role or municipality does not allow it.",
                 404: "Unknown case (or rule).",
                 409: "Refused by the case's state, or another writer was first.",
                 413: "The body is larger than the configured limit.",
                 422: "Refused input: unknown fields, wrong types, bad dates or values."}
    return {s: {"model": Problem, "description": described.get(s, "Problem."),
                "content": {MEDIA_TYPE: {}}} for s in statuses}


_GOT = re.compile(r",?\s+got\b")


def without_value(text: str) -> str:
    """An error's text cut before the value it quotes (the core's errors end with ``got
    <value>``): the value was sent by the client and is not repeated."""
    return _GOT.split(text, maxsplit=1)[0]


def from_error(err: Exception, *, instance: str | None, command: str,
               id: object = None) -> JSONResponse | None:
    """The problem response for an error a command or query raised, or ``None`` when it is not
    one of the errors mapped here (then it is a bug: let it propagate)."""
    if isinstance(err, InvalidCommandError):
        return problem("invalid-command", without_value(str(err)), instance=instance,
                       command=err.command, field=err.field, id=id)
    if isinstance(err, UnknownCaseError):
        return problem("unknown-case", str(err), instance=instance, command=command,
                       id=err.case_id)
    if isinstance(err, EventOutOfOrderError):
        return problem("out-of-order", str(err), instance=instance, command=command, id=id)
    if isinstance(err, OrderClosedError):
        return problem("order-closed", str(err), instance=instance, command=command, id=id)
    if isinstance(err, CaseClosedError):
        return problem("case-closed", str(err), instance=instance, command=command, id=id)
    if isinstance(err, DomainError):
        return problem("invalid-command", without_value(str(err)), instance=instance,
                       command=command, id=id)
    if isinstance(err, MessageError):
        return problem("invalid-message", f"{command}: {without_value(str(err))}",
                       instance=instance,
                       command=command, id=id)
    if is_conflict(err):
        target = f" on {id}" if id is not None else ""
        return problem("conflict", f"{command}{target}: another writer was first (the case "
                                   f"changed, or the id or CPR number was taken meanwhile) and "
                                   f"re-running did not settle it; read the case and try "
                                   f"again", instance=instance, command=command, id=id)
    if isinstance(err, ExportError):
        return problem("export-refused", f"{command}: {err}", instance=instance,
                       command=command)
    return None


_ID_FIELDS = ("young_person_id", "order_id", "case_id")
_SAFE_KEY = re.compile(r"[a-z][a-z_]{0,63}")
"""A key repeated in a problem: lower-case letters and underscores, as every field of ours is
(never digits, so never a CPR number; never capitals or spaces, so not a name as written)."""


def is_uuid(value: object) -> bool:
    """Whether ``value`` is a UUID string: only then is it repeated as the problem's ``id``
    (any other string could be anything, a CPR number too)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def field_path(loc: Sequence[int | str]) -> str:
    """A field's name as this API names it: ``stage``, ``contact.email``, ``on`` (a query
    parameter), ``$`` for the body as a whole."""
    rest = list(loc[1:]) if loc and loc[0] in ("body", "query", "path") else list(loc)
    out = ""
    for part in rest:
        if isinstance(part, str) and not _SAFE_KEY.fullmatch(part):
            part = "?"  # a key sent that is not one of ours and could be anything
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind == "missing" and tuple(error.get("loc", ())) == ("body",):
        return "a JSON object body is required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field missing"
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def instance_of(request: Request) -> str | None:
    """The problem's ``instance``: the request's path, or the route's template when the path
    holds parameters (a path parameter is a value sent, and is never repeated)."""
    route = request.scope.get("route")
    if route is None:
        return None
    if getattr(route, "param_convertors", None):
        return str(getattr(route, "path", "")) or None
    return request.url.path


async def internal_problem(request: Request, exc: Exception) -> JSONResponse:
    """Handler of anything unexpected: 500, a problem document saying nothing of the request
    (the error itself goes to the server's log)."""
    route = request.scope.get("route")
    command = getattr(route, "name", None)
    # the type and where, never the error's text (it may hold a value that was sent)
    where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
                      for f in traceback.extract_tb(exc.__traceback__)[-5:])
    log.error("%s: unexpected %s at %s", command or "request", type(exc).__name__, where)
    return problem("internal", f"{command or 'request'}: an unexpected error; nothing "
                               f"of the request is shown here, see the server's log",
                   instance=instance_of(request), command=command)


async def validation_problem(request: Request, exc: Exception) -> JSONResponse:
    """Handler of FastAPI's request validation errors: 422, every problem with its path.

    The values sent are never repeated (pydantic's ``input`` is dropped)."""
    assert isinstance(exc, RequestValidationError)
    route = request.scope.get("route")
    command = getattr(route, "name", None)
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return problem("bad-request", f"{command}: the body is not UTF-8 JSON",
                       instance=instance_of(request), command=command, field="$")
    errors = [FieldProblem(field=field_path(e.get("loc", ())), message=_message(e))
              for e in exc.errors()]
    body = exc.body if isinstance(exc.body, dict) else {}
    ids = [body[k] for k in _ID_FIELDS if is_uuid(body.get(k))]
    first = errors[0] if errors else FieldProblem(field="$", message="invalid")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    detail = f"{command}: field '{first.field}': {first.message}{more}"
    return problem("invalid-request", detail, instance=instance_of(request), command=command,
                   field=first.field, id=ids[0] if ids else None, errors=errors)


async def unauthenticated_problem(request: Request, exc: Exception) -> JSONResponse:
    """Handler of :class:`AuthenticationError`: 401 with ``WWW-Authenticate: Bearer``."""
    assert isinstance(exc, AuthenticationError)
    route = request.scope.get("route")
    command = getattr(route, "name", None)
    return problem("unauthenticated", f"{command or 'request'}: {exc}",
                   instance=instance_of(request), command=command,
                   headers={"WWW-Authenticate": 'Bearer realm="ungeforloeb"'})


async def forbidden_problem(request: Request, exc: Exception) -> JSONResponse:
    """Handler of :class:`ForbiddenError`: 403 naming the operation and the case."""
    assert isinstance(exc, ForbiddenError)
    return problem("forbidden", str(exc), instance=instance_of(request), command=exc.operation,
                   id=exc.id)


async def http_problem(request: Request, exc: Exception) -> JSONResponse:
    """Handler of the router's own errors (unknown route 404, wrong method 405, a body that
    cannot be parsed 400) as problem documents; the request's path is the only thing of the
    request repeated, and only when it was one of ours."""
    assert isinstance(exc, StarletteHTTPException)
    route = request.scope.get("route")
    command = getattr(route, "name", None)
    if exc.status_code == 405:
        allowed = exc.headers.get("Allow", "") if exc.headers else ""
        return problem("method-not-allowed", f"{command or 'this route'}: method "
                                             f"{request.method} not allowed; allowed: {allowed}",
                       instance=instance_of(request), command=command,
                       headers={"Allow": allowed} if allowed else None)
    if exc.status_code == 404 and command is None:
        return problem("not-found", "no such route; the routes are listed in /openapi.json")
    if exc.status_code == 413:
        return problem("too-large", str(exc.detail), instance=instance_of(request),
                       command=command)
    if exc.status_code == 400:
        return problem("bad-request", f"{command or 'request'}: the body is not UTF-8 JSON",
                       instance=instance_of(request), command=command)
    return problem("internal", f"{command or 'request'}: refused with status "
                               f"{exc.status_code}", instance=instance_of(request),
                   command=command)
