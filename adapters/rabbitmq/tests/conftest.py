"""Fixtures of the RabbitMQ adapter's tests: the real local broker, and names of its own.

Every test declares queues and exchanges under fresh random names (``names``) and deletes them
afterwards. When the broker cannot be reached the tests skip locally and fail when
``CI=true``. Broker: ``UNGEFORLOEB_AMQP_URL``, else ``amqp://guest:guest@127.0.0.1:5672/%2F``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pika
import pytest

AMQP_URL = os.environ.get("UNGEFORLOEB_AMQP_URL",
                          "amqp://guest:guest@127.0.0.1:5672/%2F")
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")

_problem: list[str | None] = []


def _broker_problem() -> str | None:
    if not _problem:
        try:
            params = pika.URLParameters(AMQP_URL)
            params.socket_timeout = 3
            params.connection_attempts = 1
            pika.BlockingConnection(params).close()
            _problem.append(None)
        except Exception as e:  # any failure to connect means: no broker here
            _problem.append(f"RabbitMQ at {params.host}:{params.port} unreachable "
                            f"({type(e).__name__})")
    return _problem[0]


@pytest.fixture
def amqp_url() -> str:
    problem = _broker_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem}: the broker must run in CI (CI=true)")
        pytest.skip(problem)
    return AMQP_URL


class Names:
    """Fresh queue and exchange names for one test; deleted at its end."""

    def __init__(self) -> None:
        self.token = uuid.uuid4().hex[:10]
        self.queues: list[str] = []
        self.exchanges: list[str] = []

    def queue(self, role: str) -> str:
        name = f"ungeforloeb-test-{self.token}-{role}"
        self.queues.append(name)
        return name

    def exchange(self, role: str) -> str:
        name = f"ungeforloeb-test-{self.token}-{role}"
        self.exchanges.append(name)
        return name


@pytest.fixture
def names(amqp_url: str) -> Iterator[Names]:
    found = Names()
    yield found
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        for queue in [*found.queues, *(f"{q}.dead" for q in found.queues)]:
            channel = connection.channel()
            channel.queue_delete(queue=queue)
        for exchange in found.exchanges:
            channel = connection.channel()
            channel.exchange_delete(exchange=exchange)
    finally:
        connection.close()


@pytest.fixture
def connection(amqp_url: str) -> Iterator[Any]:
    """A connection for the test's own publishing and reading."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    yield conn
    if conn.is_open:
        conn.close()
