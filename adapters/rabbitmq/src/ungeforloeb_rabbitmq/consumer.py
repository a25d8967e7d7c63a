"""The inbound consumer: institution messages from a durable queue into the application.

For each delivery, in order:

1. the body is structured by the exchange codec (:func:`ungeforloeb.exchange.codec.
   structure_inbound`);
2. the message is received through the application
   (:meth:`~ungeforloeb.application.Ungeforloeb.receive_institution_message`), which stores the
   report once per report id: a duplicate or a redelivery changes nothing;
3. only then is the delivery acked.

A message that does not decode, or that the domain refuses, is published (with a publisher
confirm) to the dead-letter queue with headers naming the error and where it is
(:mod:`.deadletter`), and only then acked: it is never lost, and the consumer goes on. A store
that cannot be written (an eventsourcing ``PersistenceError``: database down, locked, a
concurrent writer) is not the message's fault: the delivery is returned to the queue and the
consumer stops with :class:`StoreUnavailableError`, loudly (so too for the identity store's
driver errors) — except for a conflict with a
concurrent writer (``IntegrityError``), after which the delivery is returned and the consumer
goes on (the next try reads the case afresh).

Delivery is at least once; receiving is idempotent by report id, so the effect is once.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import attrs
import orjson
import pika
import psycopg
from eventsourcing.persistence import IntegrityError, PersistenceError
from pika.adapters.blocking_connection import BlockingChannel

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.exchange_commands import UDB, Received
from ungeforloeb.application.identity import check_cpr
from ungeforloeb.domain.errors import DomainError
from ungeforloeb.exchange.codec import MessageStructureError, structure_inbound
from ungeforloeb_rabbitmq import broker, deadletter

log = logging.getLogger(__name__)

STORE_ERRORS: tuple[type[Exception], ...] = (PersistenceError, sqlite3.OperationalError,
                                             psycopg.OperationalError)
"""The event store or the identity store could not be read or written: not the message's
fault (eventsourcing wraps its own; the identity stores raise the drivers')."""

STORED = "stored"
DUPLICATE = "duplicate"
DEAD_LETTERED = "dead_lettered"


class StoreUnavailableError(RuntimeError):
    """Raised when the consumer stops because the event store could not be written; the
    delivery went back to the queue."""


@attrs.frozen
class Outcome:
    """What became of one delivery."""

    status: str
    """``stored``, ``duplicate`` or ``dead_lettered``."""
    report_id: str | None
    error: str | None = None


@attrs.define
class ConsumeStats:
    """Counts of one run of the consumer."""

    stored: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    requeued: int = 0

    @property
    def handled(self) -> int:
        """Deliveries acked (stored, duplicate or dead-lettered)."""
        return self.stored + self.duplicates + self.dead_lettered

    def count(self, outcome: Outcome) -> None:
        if outcome.status == STORED:
            self.stored += 1
        elif outcome.status == DUPLICATE:
            self.duplicates += 1
        else:
            self.dead_lettered += 1


class UnknownCprError(DomainError, LookupError):
    """Raised when a message names the young person by a CPR number that no identity record
    holds (the number itself is never shown)."""

    json_path = "$.cpr"


def resolve_cpr(app: Ungeforloeb, body: bytes) -> bytes | dict[str, Any]:
    """``body``, or its JSON with ``cpr`` replaced by the young person's ``young_person_id``
    from the identity record."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body  # the codec names the problem
    if not isinstance(data, dict) or "cpr" not in data:
        return body
    if "young_person_id" in data:
        raise MessageStructureError("inbound message", [
            "give young_person_id or cpr, not both @ $.cpr"])
    cpr = check_cpr("receive_institution_message", data.pop("cpr"))
    found = app.identities.find_by_cpr(cpr)
    if found is None:
        raise UnknownCprError("receive_institution_message: no identity record holds the "
                              "CPR number given (not shown)")
    data["young_person_id"] = str(found)
    return data


def dead_letter_queue_of(queue: str) -> str:
    """The default dead-letter queue of ``queue``: ``<queue>.dead``."""
    return f"{queue}.dead"


class InboundConsumer:
    """Consumes institution messages from ``queue`` into ``app``.

    ``channel`` should be in confirm mode (:func:`.broker.confirming_channel`): dead letters
    are published with confirms. ``before_ack`` is called with each outcome after the events
    are stored (or the dead letter confirmed) and before the ack — a seam for tests that kill
    the consumer there.
    """

    def __init__(self, app: Ungeforloeb, channel: BlockingChannel, queue: str, *,
                 dead_letter_queue: str | None = None, recorded_by: str = UDB,
                 prefetch: int = 20,
                 before_ack: Callable[[Outcome], None] | None = None) -> None:
        self.app = app
        self.channel = channel
        self.queue = queue
        self.dead_letter_queue = dead_letter_queue or dead_letter_queue_of(queue)
        self.recorded_by = recorded_by
        self.before_ack = before_ack
        broker.declare_queue(channel, queue)
        broker.declare_queue(channel, self.dead_letter_queue)
        channel.basic_qos(prefetch_count=prefetch)

    # ------------------------------------------------------------------ one message

    def receive(self, body: bytes) -> Received:
        """Structure ``body`` and receive it (raises what the codec or the domain raises).

        The body names the young person by ``young_person_id``, or by ``cpr`` in its place:
        UDB's CPR number, resolved here through the identity record (docs/exchange.md) and
        never logged.
        """
        message = structure_inbound(resolve_cpr(self.app, body))
        received = self.app.receive_institution_message(message, recorded_by=self.recorded_by)
        if received.duplicate and received.pending:
            # A redelivery after a stop between storing the report and applying what was
            # pending: apply now what the case can take (nothing, when nothing changed).
            self.app.apply_pending_reports(message.young_person_id,
                                           recorded_by=self.recorded_by)
        return received

    def handle(self, body: bytes, props: pika.BasicProperties, *,
               redelivered: bool) -> Outcome:
        """Receive one body, or dead-letter it; the outcome (not yet acked)."""
        try:
            received = self.receive(body)
        except STORE_ERRORS:
            raise
        except Exception as error:  # decode, refused, or unexpected: log and go on
            sent = self._dead_letter(body, props, error, redelivered=redelivered)
            report_id = sent.get(deadletter.PREFIX + "report-id")
            if deadletter.error_kind(error) == deadletter.ERROR:
                log.exception("dead-lettered report %s from %s: unexpected %s", report_id,
                              self.queue, type(error).__name__)
            else:
                log.warning("dead-lettered report %s from %s: %s", report_id, self.queue,
                            "; ".join(deadletter.error_paths(error)))
            return Outcome(DEAD_LETTERED, report_id if isinstance(report_id, str) else None,
                           str(error))
        status = DUPLICATE if received.duplicate else STORED
        log.info("%s report %s%s", status, received.report_id,
                 " (redelivered)" if redelivered else "")
        return Outcome(status, received.report_id)

    def _dead_letter(self, body: bytes, props: pika.BasicProperties, error: BaseException, *,
                     redelivered: bool) -> dict[str, Any]:
        """Publish the delivery unchanged to the dead-letter queue, with the error's headers
        (confirmed); the headers sent."""
        sent = deadletter.headers(body, error, queue=self.queue, redelivered=redelivered,
                                  original=dict(props.headers or {}))
        out = broker.properties(
            message_id=props.message_id, content_type=props.content_type or "application/json",
            type_=props.type, timestamp=props.timestamp, headers=sent)
        broker.publish(self.channel, exchange="", routing_key=self.dead_letter_queue,
                       body=body, props=out)
        return sent

    # ------------------------------------------------------------------ the loop

    def run(self, *, max_messages: int | None = None,
            idle_timeout: float | None = None) -> ConsumeStats:
        """Consume until ``max_messages`` deliveries are handled, or none has arrived for
        ``idle_timeout`` seconds; without either, until stopped. Deliveries prefetched but not
        handled go back to the queue."""
        stats = ConsumeStats()
        if max_messages is not None and max_messages <= 0:
            return stats
        tick = 1.0 if idle_timeout is None else max(0.05, min(idle_timeout, 1.0))
        last = time.monotonic()
        try:
            for method, props, body in self.channel.consume(self.queue,
                                                            inactivity_timeout=tick):
                if method is None:
                    if idle_timeout is not None and time.monotonic() - last >= idle_timeout:
                        break
                    continue
                self._one(method, props, body, stats)
                last = time.monotonic()
                if max_messages is not None and stats.handled >= max_messages:
                    break
        finally:
            if self.channel.is_open:
                self.channel.cancel()
        return stats

    def _one(self, method: Any, props: pika.BasicProperties, body: bytes,
             stats: ConsumeStats) -> None:
        tag = method.delivery_tag
        try:
            outcome = self.handle(body, props, redelivered=bool(method.redelivered))
        except IntegrityError as e:
            log.warning("conflict with a concurrent writer (%s): delivery returned to %s",
                        type(e).__name__, self.queue)
            self.channel.basic_nack(delivery_tag=tag, requeue=True)
            stats.requeued += 1
            return
        except STORE_ERRORS as e:
            self.channel.basic_nack(delivery_tag=tag, requeue=True)
            raise StoreUnavailableError(
                f"the event store could not be written ({type(e).__name__}: {e}); the "
                f"delivery went back to {self.queue}") from e
        if self.before_ack is not None:
            self.before_ack(outcome)
        self.channel.basic_ack(delivery_tag=tag)
        stats.count(outcome)
