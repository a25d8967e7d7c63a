"""The outbox relay: every recorded ``InstitutionNotified`` published to RabbitMQ, once.

The application records ``InstitutionNotified`` (with the message id) when it sends
DataTilInstitution; the event log is the outbox. The relay reads ``app.records(start=position
+ 1)``, builds each notification's message again (:func:`.outbound.rebuild`), publishes it as
the codec's JSON with the message id as AMQP ``message_id`` and waits for the broker's confirm,
and only then moves its position (:class:`.position.RelayState`). So:

- nothing is lost: a stop before the confirm leaves the position before the message;
- a stop after the confirm and before the position moved publishes that one message again on
  restart, with the same ``message_id``: the institution side drops it by id (exactly-once
  effect);
- a notification that cannot be built (identity record erased, contact missing from the
  directory) is parked, logged, and tried again at the start of every run (log and go on);
- a broker that refuses or cannot route a message (``NackError``, ``UnroutableError``) stops
  the relay loudly, its position before that message.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import attrs
import orjson
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.exchange.codec import unstructure_outbound
from ungeforloeb.exchange.messages import DataTilInstitution, MessageError
from ungeforloeb_rabbitmq import broker
from ungeforloeb_rabbitmq.contacts import ContactDirectory
from ungeforloeb_rabbitmq.outbound import NOTIFIED, NotSendableError, rebuild
from ungeforloeb_rabbitmq.position import RelayState

log = logging.getLogger(__name__)

DEFAULT_RELAY = "data-til-institution"


def routing_key_of(message: DataTilInstitution) -> str:
    """``data-til-institution.<institution_id>``: institutions bind their own queues."""
    return f"data-til-institution.{message.institution_id}"


def body_of(message: DataTilInstitution) -> bytes:
    """The message as the codec's JSON (it holds the CPR number: it is the message sent)."""
    return orjson.dumps(unstructure_outbound(message))


@attrs.define
class RelayStats:
    """Counts of one run of the relay."""

    published: int = 0
    parked: int = 0
    unparked: int = 0


@attrs.frozen
class Target:
    """Where the relay publishes: an exchange (``""``: the default exchange, with the queue
    as routing key) and optionally a queue it declares and binds."""

    exchange: str = ""
    queue: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.exchange and not self.queue:
            raise ValueError("the relay needs an exchange or a queue to publish to")

    def declare(self, channel: BlockingChannel) -> None:
        if self.exchange:
            broker.declare_exchange(channel, self.exchange)
        if self.queue:
            broker.declare_queue(channel, self.queue)
            if self.exchange:
                broker.bind(channel, self.queue, self.exchange, "data-til-institution.#")

    def routing_key(self, message: DataTilInstitution) -> str:
        if self.exchange:
            return routing_key_of(message)
        assert self.queue is not None
        return self.queue


class OutboxRelay:
    """Publishes the application's recorded DataTilInstitution messages."""

    def __init__(self, app: Ungeforloeb, channel: BlockingChannel, state: RelayState,
                 contacts: ContactDirectory, target: Target) -> None:
        self.app = app
        self.channel = channel
        self.state = state
        self.contacts = contacts
        self.target = target
        target.declare(channel)

    def publish(self, record: EventRecord, message: DataTilInstitution) -> None:
        """Publish one message and wait for its confirm."""
        props = broker.properties(
            message_id=message.message_id, type_=DataTilInstitution.service,
            timestamp=int(datetime.now(UTC).timestamp()),
            headers={"service": DataTilInstitution.service,
                     "version": DataTilInstitution.version,
                     "institution_id": message.institution_id,
                     "ungeforloeb-seq": record.seq})
        broker.publish(self.channel, exchange=self.target.exchange,
                       routing_key=self.target.routing_key(message), body=body_of(message),
                       props=props)

    def _send(self, record: EventRecord) -> bool:
        """Build and publish one notification; ``False`` when it had to be parked."""
        message_id = str(record.payload.get("message_id"))
        try:
            message = rebuild(self.app, record, self.contacts)
        except (NotSendableError, MessageError) as e:
            self.state.park(record.seq, message_id, str(e))
            log.warning("parked %s (seq %d): %s", message_id, record.seq, e)
            return False
        self.publish(record, message)
        self.state.sent(record.seq)
        log.info("published %s (seq %d) to %s", message_id, record.seq,
                 self.target.exchange or self.target.queue)
        return True

    def retry_parked(self, stats: RelayStats) -> None:
        """Try the parked notifications again."""
        for parked in self.state.parked():
            records = list(self.app.records(start=parked.seq, stop=parked.seq))
            if not records or records[0].type != NOTIFIED:
                continue
            if self._send(records[0]):
                stats.published += 1
                stats.unparked += 1

    def drain(self, stats: RelayStats, max_messages: int | None = None) -> bool:
        """Publish what has been recorded since the position; ``True`` when it stopped at
        ``max_messages`` (more may wait)."""
        seen = self.state.position
        for record in self.app.records(start=seen + 1):
            if max_messages is not None and stats.published >= max_messages:
                return True
            seen = record.seq
            if record.type != NOTIFIED:
                continue
            if self._send(record):
                stats.published += 1
            else:
                stats.parked += 1
        if seen > self.state.position:
            self.state.skip(seen)  # the events after the last notification: none to send
        return False

    def run(self, *, max_messages: int | None = None, idle_timeout: float | None = None,
            poll_interval: float = 1.0, connection: BlockingConnection | None = None
            ) -> RelayStats:
        """Relay until ``max_messages`` are published, or nothing new was recorded for
        ``idle_timeout`` seconds (``0``: drain once and stop); without either, until stopped.
        Parked notifications are tried first."""
        self.state.lock()
        stats = RelayStats()
        self.retry_parked(stats)
        last = time.monotonic()
        while True:
            before = stats.published + stats.parked
            if self.drain(stats, max_messages):
                return stats
            if max_messages is not None and stats.published >= max_messages:
                return stats
            if stats.published + stats.parked > before:
                last = time.monotonic()
            elif idle_timeout is not None and time.monotonic() - last >= idle_timeout:
                return stats
            wait = poll_interval if idle_timeout is None else \
                max(0.0, min(poll_interval, idle_timeout - (time.monotonic() - last)))
            if connection is not None:
                connection.sleep(wait)  # keeps the heartbeats going
            else:
                time.sleep(wait)
