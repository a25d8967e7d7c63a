"""The outbox relay against the real broker: each InstitutionNotified published once, with
confirms, across restarts; what cannot be built is parked, not lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pika
import pytest
from rabbitmq_world import CONTACT, World, depth, drain

from ungeforloeb.exchange.codec import structure_outbound
from ungeforloeb_rabbitmq import (
    ContactDirectory,
    OutboxRelay,
    RelayLockedError,
    RelayState,
    Target,
    confirming_channel,
    connect,
    rebuild,
)

CONTACTS = ContactDirectory.of(CONTACT)


@pytest.fixture
def world(tmp_path: Path) -> Any:
    w = World(tmp_path / "store.sqlite")
    yield w
    w.close()


def run_relay(world: World, url: str, target: Target, *, contacts: ContactDirectory = CONTACTS,
              **kw: Any) -> Any:
    """One relay process's life: connect, run bounded, close (state and all)."""
    conn = connect(url)
    state = RelayState(world.path, "test")
    try:
        relay = OutboxRelay(world.app, confirming_channel(conn), state, contacts, target)
        return relay.run(connection=conn, poll_interval=0.05, **kw)
    finally:
        state.close()
        conn.close()


def notified(world: World) -> list[str]:
    return [r.payload["message_id"] for r in world.app.records()
            if r.type == "InstitutionNotified"]


def test_the_rebuilt_message_is_the_message_the_command_sent(world: World) -> None:
    sent = world.notify(0).message
    [record] = [r for r in world.app.records() if r.type == "InstitutionNotified"]
    # a later reassessment does not change a message already sent
    world.app.assess_duty_to_start(world.orders[0], occurred_on=record.occurred_on,
                                   recorded_by="cw-1", admission_id="adm-0",
                                   ordered_to_start_and_complete=False)
    assert rebuild(world.app, record, CONTACTS) == sent


def test_each_notification_is_published_exactly_once_across_a_restart(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    exchange, queue = names.exchange("out"), names.queue("institution")
    target = Target(exchange, queue)
    sent = [world.notify(n).message for n in range(3)]
    first = run_relay(world, amqp_url, target, max_messages=2)
    assert first.published == 2
    # the relay stopped; more is recorded meanwhile; a new relay process takes over
    sent.append(world.notify(3).message)
    second = run_relay(world, amqp_url, target, idle_timeout=0)
    assert second.published == 2
    third = run_relay(world, amqp_url, target, idle_timeout=0)
    assert third.published == 0
    got = drain(connection, queue, expect=4)
    assert [p.message_id for p, _ in got] == [m.message_id for m in sent] == notified(world)
    assert [structure_outbound(b) for _, b in got] == sent
    props = got[0][0]
    assert props.delivery_mode == 2 and props.content_type == "application/json"
    assert props.headers["institution_id"] == "280727"
    assert props.headers["service"] == "DataTilInstitution"
    assert b"0105031200" not in orjson.dumps(props.headers)  # the CPR only in the body
    assert RelayState(world.path, "test").position == world.app.recorder.max_notification_id()


def test_a_running_relay_publishes_what_is_recorded_while_it_waits(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    queue = names.queue("institution")
    world.notify(0)
    stats = run_relay(world, amqp_url, Target(queue=queue), idle_timeout=0.3)
    assert stats.published == 1
    assert [p.message_id for p, _ in drain(connection, queue, expect=1)] == notified(world)


def test_publisher_confirms_a_refused_or_unroutable_message_does_not_move_the_position(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    exchange = names.exchange("out")
    world.notify(0)
    world.notify(1)
    # the exchange exists but no queue is bound: unroutable, the broker returns it
    with pytest.raises(pika.exceptions.UnroutableError):
        run_relay(world, amqp_url, Target(exchange), idle_timeout=0)
    assert RelayState(world.path, "test").position == 0
    # a queue that takes one message and refuses the next: the broker nacks the second
    full = names.queue("full")
    channel = connection.channel()
    channel.queue_declare(queue=full, durable=True,
                          arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    channel.queue_bind(queue=full, exchange=exchange, routing_key="#")
    with pytest.raises(pika.exceptions.NackError):
        run_relay(world, amqp_url, Target(exchange), idle_timeout=0)
    first, _ = notified(world)
    assert [p.message_id for p, _ in drain(connection, full, expect=1)] == [first]
    position = RelayState(world.path, "test").position
    assert 0 < position < world.app.recorder.max_notification_id()
    # room again: the refused message goes out, the first is not sent again
    assert run_relay(world, amqp_url, Target(exchange), idle_timeout=0).published == 1
    assert [p.message_id for p, _ in drain(connection, full, expect=1)] == notified(world)[1:]


def test_a_notification_that_cannot_be_built_is_parked_and_sent_when_it_can(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    queue = names.queue("institution")
    world.notify(0)
    stats = run_relay(world, amqp_url, Target(queue=queue), contacts=ContactDirectory(),
                      idle_timeout=0)
    assert (stats.published, stats.parked) == (0, 1)
    [parked] = RelayState(world.path, "test").parked()
    assert "contact person cw-1 is not in the contact directory" in parked.error
    assert depth(connection, queue) == 0
    stats = run_relay(world, amqp_url, Target(queue=queue), idle_timeout=0)
    assert (stats.published, stats.unparked) == (1, 1)
    assert RelayState(world.path, "test").parked() == []
    assert [p.message_id for p, _ in drain(connection, queue, expect=1)] == notified(world)


def test_a_second_relay_of_the_same_name_is_refused(world: World, amqp_url: str,
                                                    names: Any) -> None:
    holder = RelayState(world.path, "test")
    holder.lock()
    try:
        with pytest.raises(RelayLockedError, match="relay 'test' already runs"):
            run_relay(world, amqp_url, Target(queue=names.queue("x")), idle_timeout=0)
    finally:
        holder.close()


def test_an_erased_identity_record_parks_the_message_and_the_relay_goes_on(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    queue = names.queue("institution")
    world.notify(0)
    world.notify(1)
    world.app.identities.erase(world.people[0])
    stats = run_relay(world, amqp_url, Target(queue=queue), idle_timeout=0)
    assert (stats.published, stats.parked) == (1, 1)
    [parked] = RelayState(world.path, "test").parked()
    assert parked.message_id == notified(world)[0]
    assert "has no identity record to address" in parked.error
    assert [p.message_id for p, _ in drain(connection, queue, expect=1)] == notified(world)[1:]


def test_a_stop_between_confirm_and_position_sends_that_one_message_again_with_its_id(
        world: World, amqp_url: str, names: Any, connection: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    queue = names.queue("institution")
    world.notify(0)
    world.notify(1)

    def crash(self: RelayState, seq: int) -> None:
        raise SystemExit("stopped after the confirm, before the position moved")

    monkeypatch.setattr(RelayState, "sent", crash)
    with pytest.raises(SystemExit):
        run_relay(world, amqp_url, Target(queue=queue), idle_timeout=0)
    monkeypatch.undo()
    assert run_relay(world, amqp_url, Target(queue=queue), idle_timeout=0).published == 2
    first, second = notified(world)
    ids = [p.message_id for p, _ in drain(connection, queue, expect=3)]
    assert ids == [first, first, second]  # the institution side drops the second `first`
