"""The composition root: :func:`create_app` puts one application on HTTP.

No global state: everything the routes use (the application, the lock that makes one command
at a time) is made here and held by the routes' closures, so two apps on two stores never meet.
The caller owns the application and closes it.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from ungeforloeb import __version__ as core_version
from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http import __version__
from ungeforloeb_http.commands import COMMAND_TAGS, command_router
from ungeforloeb_http.inbound import TAG as INBOUND_TAG
from ungeforloeb_http.inbound import inbound_router
from ungeforloeb_http.problems import MEDIA_TYPE, internal_problem, validation_problem
from ungeforloeb_http.queries import EXPORT_TAG, query_router
from ungeforloeb_http.queries import TAG as QUERY_TAG

DESCRIPTION = f"""\
The rules for young people on education benefit with an education order (uddannelsespålæg),
over HTTP: the application's commands, the institutions' reports through UDB, and the queries
derived from the events (status, audit trail, worklist, compliance, explanations), plus the
interchange log. Core library `ungeforloeb` {core_version}.

- Every command is `POST /commands/<name>` with a JSON object: unknown fields are refused,
  types are checked (no number for a string, only `true`/`false`), dates are `YYYY-MM-DD`,
  enumerations are given by their stored codes.
- Errors are problem documents (RFC 9457, `application/problem+json`) naming the command, the
  field and the id: 422 refused input, 409 refused by the case's state (a fact out of order, an
  ended order, a closed retention case), 404 unknown case.
- CPR number and name are accepted by `register_first_contact` only, kept in the identity
  record, and never returned.
"""

TAGS = [
    *({"name": name, "description": text} for name, text in COMMAND_TAGS),
    {"name": INBOUND_TAG, "description": "The institutions' reports through UDB, received "
                                         "idempotently by report id."},
    {"name": QUERY_TAG, "description": "Derived from the events when asked; nothing stored."},
    {"name": EXPORT_TAG, "description": "The exported event log (see docs/interchange.md)."},
]


def create_app(app: Ungeforloeb) -> FastAPI:
    """The HTTP front of ``app``: commands, inbound messages, queries and export."""
    lock = threading.Lock()
    api = FastAPI(title="ungeforloeb", version=__version__, description=DESCRIPTION,
                  openapi_tags=TAGS)
    api.add_exception_handler(RequestValidationError, validation_problem)
    api.add_exception_handler(Exception, internal_problem)
    api.include_router(command_router(app, lock))
    api.include_router(inbound_router(app, lock))
    api.include_router(query_router(app))
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
