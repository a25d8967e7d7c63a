"""The edge of every request: a body cap checked while the body arrives, and one structured
log line and the Prometheus figures per request.

The cap is checked twice: a declared ``Content-Length`` over it is refused before a byte is
read, and a body sent without one (chunked) is counted as it arrives and refused as soon as it
passes the cap, so a 300 MB body is never buffered. Both answer 413 as a problem document.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import HTTPException
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ungeforloeb_http.problems import problem

log = logging.getLogger("ungeforloeb_http.access")


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes (the configured max_body_bytes)"


class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes with 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            response = problem("too-large", _too_large(self.limit) if declared.isdigit()
                               else "the Content-Length header is not a number")
            await response(scope, receive, send)
            return
        seen = 0
        limit = self.limit

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # fastapi's HTTPException passes through its body parsing untouched and
                    # reaches the app's problem handler
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


class Metrics:
    """The Prometheus figures of one app, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("ungeforloeb_http_requests", "Requests answered.",
                                ["operation", "method", "status"], registry=self.registry)
        self.latency = Histogram("ungeforloeb_http_request_duration_seconds",
                                 "Time to answer (until the response began).",
                                 ["operation"], registry=self.registry)
        self.events = Counter("ungeforloeb_http_events_written",
                              "Events written by this process's commands and inbound "
                              "messages.", registry=self.registry)


class RequestLog:
    """ASGI middleware: per request one JSON log line (operation, method, route template,
    status, milliseconds, caller's role) and the Prometheus figures. No path, query, body or
    header value of the request is logged: the route's template names what was called."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - started
            route: Any = scope.get("route")
            operation = str(getattr(route, "name", None) or "unmatched")
            template = str(getattr(route, "path", None) or "unmatched")
            method = str(scope.get("method", ""))
            method = method if method.isalpha() and len(method) <= 10 else "other"
            principal = scope.get("state", {}).get("principal")
            self.metrics.requests.labels(operation, method, str(status)).inc()
            self.metrics.latency.labels(operation).observe(elapsed)
            log.info(json.dumps({
                "event": "request", "operation": operation, "method": method,
                "route": template, "status": status, "ms": round(elapsed * 1000, 1),
                "role": str(principal.role) if principal is not None else None}))
