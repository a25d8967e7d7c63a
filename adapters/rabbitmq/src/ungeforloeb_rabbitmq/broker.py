"""Connecting to RabbitMQ and declaring what the adapter uses, with pika's blocking client.

pika ships no type hints; this module is the one place that holds its objects, so the rest of
the adapter reads as typed code. Everything declared here is durable, and every message the
adapter publishes is persistent and published with publisher confirms on a channel in confirm
mode: ``basic_publish`` returns only when the broker has taken the message, and raises when the
broker refuses it or (``mandatory``) cannot route it.
"""

from __future__ import annotations

from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection

PERSISTENT = 2
"""AMQP ``delivery_mode`` of a message the broker writes to disk."""


class BrokerUnreachableError(ConnectionError):
    """Raised when the broker at the URL cannot be reached (the URL is named, never the
    password)."""


def redact(url: str) -> str:
    """The URL with its password replaced by ``***`` (for messages and logs)."""
    params = pika.URLParameters(url)
    user = params.credentials.username if params.credentials else ""
    return f"amqp://{user}:***@{params.host}:{params.port}/{params.virtual_host}"


def connect(url: str) -> BlockingConnection:
    """A blocking connection to the broker at ``url``
    (``amqp://guest:guest@127.0.0.1:5672/%2F``); raises :class:`BrokerUnreachableError`."""
    try:
        return BlockingConnection(pika.URLParameters(url))
    except pika.exceptions.AMQPConnectionError as e:
        raise BrokerUnreachableError(f"RabbitMQ at {redact(url)} cannot be reached: "
                                     f"{type(e).__name__}") from None


def confirming_channel(connection: BlockingConnection) -> BlockingChannel:
    """A channel in confirm mode: each publish waits for the broker's ack."""
    channel = connection.channel()
    channel.confirm_delivery()
    return channel


def declare_queue(channel: BlockingChannel, name: str) -> None:
    """Declare a durable queue (idempotent when it exists with the same arguments)."""
    channel.queue_declare(queue=name, durable=True)


def declare_exchange(channel: BlockingChannel, name: str) -> None:
    """Declare a durable topic exchange."""
    channel.exchange_declare(exchange=name, exchange_type="topic", durable=True)


def bind(channel: BlockingChannel, queue: str, exchange: str, key: str = "#") -> None:
    """Bind ``queue`` to ``exchange`` with the binding key ``key``."""
    channel.queue_bind(queue=queue, exchange=exchange, routing_key=key)


def properties(*, message_id: str | None, content_type: str = "application/json",
               type_: str | None = None, headers: dict[str, Any] | None = None,
               timestamp: int | None = None) -> pika.BasicProperties:
    """Persistent message properties."""
    return pika.BasicProperties(message_id=message_id, content_type=content_type, type=type_,
                                headers=headers, timestamp=timestamp,
                                delivery_mode=PERSISTENT)


def publish(channel: BlockingChannel, *, exchange: str, routing_key: str, body: bytes,
            props: pika.BasicProperties) -> None:
    """Publish and wait for the broker's confirm (the channel must be in confirm mode).

    Raises ``pika.exceptions.UnroutableError`` when no queue takes the message and
    ``pika.exceptions.NackError`` when the broker refuses it: the caller then has not
    published.
    """
    channel.basic_publish(exchange=exchange, routing_key=routing_key, body=body,
                          properties=props, mandatory=True)
