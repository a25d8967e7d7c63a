"""The ``ungeforloeb-rabbitmq`` command: ``consume`` and ``relay``.

Both run until stopped, or — for tests and batch use — until ``--max-messages`` are handled or
nothing has arrived for ``--idle-timeout`` seconds. A summary goes to standard output; each
message's fate is logged to standard error (never a body: bodies may hold CPR numbers).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
import pika
from pika.adapters.blocking_connection import BlockingConnection

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.exchange_commands import UDB
from ungeforloeb.exchange.routing import load_routing
from ungeforloeb_rabbitmq import broker
from ungeforloeb_rabbitmq.consumer import InboundConsumer, StoreUnavailableError
from ungeforloeb_rabbitmq.contacts import ContactDirectoryError, load_contacts
from ungeforloeb_rabbitmq.position import RelayLockedError, RelayState
from ungeforloeb_rabbitmq.relay import DEFAULT_RELAY, OutboxRelay, Target

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"

_db = click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
                   required=True, help="The application's SQLite file.")
_url = click.option("--url", default=DEFAULT_URL, show_default=True,
                    help="The broker's AMQP URL.")
_max = click.option("--max-messages", type=click.IntRange(min=0), default=None,
                    help="Stop after this many messages.")
_idle = click.option("--idle-timeout", type=click.FloatRange(min=0), default=None,
                     help="Stop when nothing has arrived for this many seconds.")
_log = click.option("--log-level", default="INFO", show_default=True,
                    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]))


@click.group()
def main() -> None:
    """RabbitMQ adapter of ungeforloeb: the institutions' messages in, DataTilInstitution out."""


@main.command()
@_db
@_url
@click.option("--queue", required=True, help="The durable queue of institution messages.")
@click.option("--dead-letter-queue", default=None,
              help="Where undecodable or refused messages go [default: <queue>.dead].")
@click.option("--routing", "routing", type=click.Path(exists=True, dir_okay=False),
              default=None, help="The designated recipients (routing TOML, see "
                                 "docs/exchange.md).")
@click.option("--recorded-by", default=UDB, show_default=True)
@click.option("--prefetch", type=click.IntRange(min=1), default=20, show_default=True)
@_max
@_idle
@_log
def consume(db: Path, url: str, queue: str, dead_letter_queue: str | None,
            routing: str | None, recorded_by: str, prefetch: int, max_messages: int | None,
            idle_timeout: float | None, log_level: str) -> None:
    """Receive institution messages from QUEUE into the store; ack after storing."""
    logging.basicConfig(level=log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = Ungeforloeb(db)
    try:
        if routing is not None:
            app.use_routing(load_routing(routing))
        connection = _connect(url)
        try:
            consumer = InboundConsumer(app, broker.confirming_channel(connection), queue,
                                       dead_letter_queue=dead_letter_queue,
                                       recorded_by=recorded_by, prefetch=prefetch)
            stats = consumer.run(max_messages=max_messages, idle_timeout=idle_timeout)
        except StoreUnavailableError as e:
            raise click.ClickException(str(e)) from None
        except pika.exceptions.AMQPError as e:
            raise click.ClickException(f"RabbitMQ: {type(e).__name__}: {e} (unacked "
                                       f"deliveries go back to {queue})") from None
        finally:
            if connection.is_open:
                connection.close()
    finally:
        app.close()
    click.echo(f"consumed {stats.handled}: stored {stats.stored}, duplicates "
               f"{stats.duplicates}, dead-lettered {stats.dead_lettered} (to "
               f"{consumer.dead_letter_queue}), returned {stats.requeued}")


@main.command()
@_db
@_url
@click.option("--contacts", "contacts", type=click.Path(dir_okay=False), required=True,
              help="The municipality's contacts' phone and e-mail (TOML).")
@click.option("--exchange", default="", help="A durable topic exchange to publish to "
                                              "(routing key data-til-institution.<id>).")
@click.option("--queue", default=None, help="A durable queue to declare (and bind to the "
                                             "exchange); without --exchange, published to.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite file of the relay's position [default: the --db file].")
@click.option("--name", "relay_name", default=DEFAULT_RELAY, show_default=True,
              help="The relay's name (its position is kept under it).")
@click.option("--poll-interval", type=click.FloatRange(min=0.01), default=1.0,
              show_default=True)
@_max
@_idle
@_log
def relay(db: Path, url: str, contacts: str, exchange: str, queue: str | None,
          state: Path | None, relay_name: str, poll_interval: float, max_messages: int | None,
          idle_timeout: float | None, log_level: str) -> None:
    """Publish every recorded InstitutionNotified as DataTilInstitution, with confirms."""
    logging.basicConfig(level=log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        directory = load_contacts(contacts)
        target = Target(exchange, queue)
    except (ContactDirectoryError, ValueError) as e:
        raise click.BadParameter(str(e)) from None
    app = Ungeforloeb(db)
    relay_state = RelayState(state or db, relay_name)
    try:
        relay_state.lock()
        connection = _connect(url)
        try:
            outbox = OutboxRelay(app, broker.confirming_channel(connection), relay_state,
                                 directory, target)
            stats = outbox.run(max_messages=max_messages, idle_timeout=idle_timeout,
                               poll_interval=poll_interval, connection=connection)
            position = relay_state.position
        finally:
            if connection.is_open:
                connection.close()
    except RelayLockedError as e:
        raise click.ClickException(str(e)) from None
    except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as e:
        raise click.ClickException(
            f"RabbitMQ did not take a message ({type(e).__name__}: no queue bound, or "
            f"refused); the position stays before it, the next run sends it") from None
    except pika.exceptions.AMQPError as e:
        raise click.ClickException(f"RabbitMQ: {type(e).__name__}: {e}; the position stays "
                                   f"at the last confirmed message") from None
    finally:
        relay_state.close()
        app.close()
    click.echo(f"published {stats.published} (of them {stats.unparked} parked before), "
               f"parked {stats.parked}, position {position}")


def _connect(url: str) -> BlockingConnection:
    try:
        return broker.connect(url)
    except broker.BrokerUnreachableError as e:
        raise click.ClickException(str(e)) from None
