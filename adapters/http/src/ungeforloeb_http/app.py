"""The composition root: :func:`create_app` puts one application on HTTP.

No global state: everything the routes use (the application, the lock that makes one command
at a time) is made here and held by the routes' closures, so two apps on two stores never meet.
The caller owns the application and closes it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from ungeforloeb import __version__ as core_version
from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http import __version__
from ungeforloeb_http.access import Access
from ungeforloeb_http.auth import AuthenticationError, JwtVerifier, TokenVerifier
from ungeforloeb_http.commands import COMMAND_TAGS, command_router
from ungeforloeb_http.edges import BodyLimit, Metrics, RequestLog
from ungeforloeb_http.inbound import TAG as INBOUND_TAG
from ungeforloeb_http.inbound import inbound_router
from ungeforloeb_http.operations import TAG as OPERATIONS_TAG
from ungeforloeb_http.operations import operations_router
from ungeforloeb_http.policy import ForbiddenError
from ungeforloeb_http.problems import (
    MEDIA_TYPE,
    forbidden_problem,
    http_problem,
    internal_problem,
    unauthenticated_problem,
    validation_problem,
)
from ungeforloeb_http.queries import EXPORT_TAG, query_router
from ungeforloeb_http.queries import TAG as QUERY_TAG
from ungeforloeb_http.settings import HttpSettings

DESCRIPTION = f"""\
The rules for young people on education benefit with an education order (uddannelsespålæg),
over HTTP: the application's commands, the institutions' reports through UDB, and the queries
derived from the events (status, audit trail, worklist, compliance, explanations), plus the
interchange log. Core library `ungeforloeb` {core_version}.

- Every command is `POST /commands/<name>` with a JSON object: unknown fields are refused,
  types are checked (no number for a string, only `true`/`false`), dates are `YYYY-MM-DD`,
  enumerations are given by their stored codes.
- Every route but `/health` needs a bearer token (a JWT: `sub` is recorded as `recorded_by`;
  `role` and `municipality`, `team`, `institution` or `young_person_id` decide what the caller
  may see and do). Use the Authorize button.
- Errors are problem documents (RFC 9457, `application/problem+json`) naming the command, the
  field and the id: 400 not JSON, 401 no valid token, 403 not this caller's, 404 unknown case
  or route, 405 wrong method, 409 refused by the case's state (a fact out of order, an ended
  order, a closed retention case) or another writer was first, 413 too large, 422 refused
  input. A problem never repeats a value that was sent.
- CPR number and name are accepted by `register_first_contact` only, kept in the identity
  record, and never returned.
"""

TAGS = [
    *({"name": name, "description": text} for name, text in COMMAND_TAGS),
    {"name": INBOUND_TAG, "description": "The institutions' reports through UDB, received "
                                         "idempotently by report id."},
    {"name": QUERY_TAG, "description": "Derived from the events when asked; nothing stored."},
    {"name": EXPORT_TAG, "description": "The exported event log (see docs/interchange.md)."},
    {"name": OPERATIONS_TAG, "description": "Health, metrics and the event log, paged."},
]


def create_app(app: Ungeforloeb, settings: HttpSettings | None = None, *,
               verifier: TokenVerifier | None = None) -> FastAPI:
    """The HTTP front of ``app``: commands, inbound messages, queries, export and operations.

    ``settings`` default to the environment (``UNGEFORLOEB_HTTP_*``); ``verifier`` defaults to
    :class:`~ungeforloeb_http.auth.JwtVerifier` on those settings (give your own to verify
    tokens another way)."""
    settings = settings if settings is not None else HttpSettings()  # type: ignore[call-arg]
    verifier = verifier if verifier is not None else JwtVerifier(settings)
    lock = threading.Lock()
    access = Access(app, verifier)
    metrics = Metrics()

    @contextmanager
    def counted(store: Ungeforloeb) -> Iterator[None]:
        before = store.recorder.max_notification_id() or 0
        try:
            yield
        finally:
            metrics.events.inc(max(0, (store.recorder.max_notification_id() or 0) - before))

    api = FastAPIOffline(title="ungeforloeb", version=__version__, description=DESCRIPTION,
                         openapi_tags=TAGS, static_url="/docs-assets",
                         swagger_ui_parameters={"persistAuthorization": True})
    api.add_exception_handler(RequestValidationError, validation_problem)
    api.add_exception_handler(StarletteHTTPException, http_problem)
    api.add_exception_handler(AuthenticationError, unauthenticated_problem)
    api.add_exception_handler(ForbiddenError, forbidden_problem)
    api.add_exception_handler(Exception, internal_problem)
    api.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    api.add_middleware(RequestLog, metrics=metrics)
    retries = settings.conflict_retries
    api.include_router(command_router(app, lock, access, counted, retries))
    api.include_router(inbound_router(app, lock, access, counted, retries,
                                      settings.events_page_max))
    api.include_router(query_router(app, access))
    api.include_router(operations_router(app, access, metrics, settings.events_page_max))
    default_openapi = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = _problems_as_problem_json(default_openapi())
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    return api


def _problems_as_problem_json(schema: dict[str, Any]) -> dict[str, Any]:
    """Problem responses are ``application/problem+json`` only (FastAPI lists a response
    model under ``application/json`` too)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if MEDIA_TYPE in content and "application/json" in content:
                    content[MEDIA_TYPE] = content.pop("application/json")
    return schema
