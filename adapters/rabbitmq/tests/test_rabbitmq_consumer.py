"""The inbound consumer against the real broker: stored once, acked after, bad ones kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import orjson
import pytest
from rabbitmq_world import World, body, depth, drain, send

from ungeforloeb_rabbitmq import InboundConsumer, confirming_channel, connect


@pytest.fixture
def world(tmp_path: Path) -> Any:
    w = World(tmp_path / "store.sqlite")
    yield w
    w.close()


def consumer(world: World, url: str, queue: str, **kw: Any) -> tuple[Any, InboundConsumer]:
    conn = connect(url)
    return conn, InboundConsumer(world.app, confirming_channel(conn), queue, **kw)


def test_institution_messages_are_consumed_and_stored(world: World, amqp_url: str,
                                                      names: Any, connection: Any) -> None:
    queue = names.queue("in")
    send(connection, queue, body(world.admission("h-1")), body(world.risk("h-2")),
         body(world.admission("h-3", n=1)))
    conn, c = consumer(world, amqp_url, queue)
    stats = c.run(max_messages=3, idle_timeout=5)
    conn.close()
    assert (stats.stored, stats.duplicates, stats.dead_lettered) == (3, 0, 0)
    assert world.reports(0) == ["h-1", "h-2"]
    assert world.reports(1) == ["h-3"]
    assert depth(connection, queue) == 0
    admitted = [r for r in world.app.records() if r.type == "Admitted"]
    assert [r.payload["admission_id"] for r in admitted] == ["h-1", "h-3"]


def test_duplicates_change_nothing_and_are_acked(world: World, amqp_url: str, names: Any,
                                                 connection: Any) -> None:
    queue = names.queue("in")
    admission = body(world.admission("h-1"))
    send(connection, queue, admission, admission, admission)
    conn, c = consumer(world, amqp_url, queue)
    stats = c.run(idle_timeout=0.5)
    conn.close()
    assert (stats.stored, stats.duplicates) == (1, 2)
    assert world.reports() == ["h-1"]
    assert depth(connection, queue) == 0


def test_a_consumer_killed_before_its_ack_gets_the_message_again_and_stores_it_once(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    queue = names.queue("in")
    send(connection, queue, body(world.admission("h-1")))
    world.close()  # the killed consumer runs in its own process on the same file
    script = textwrap.dedent("""
        import os, signal, sys
        from ungeforloeb.application import Ungeforloeb
        from ungeforloeb_rabbitmq import InboundConsumer, confirming_channel, connect
        app = Ungeforloeb(sys.argv[1])
        def die(outcome):  # the events are stored; the ack never goes out
            os.kill(os.getpid(), signal.SIGKILL)
        c = InboundConsumer(app, confirming_channel(connect(sys.argv[2])), sys.argv[3],
                            before_ack=die)
        c.run(max_messages=1, idle_timeout=5)
    """)
    done = subprocess.run([sys.executable, "-c", script, str(world.path), amqp_url, queue],
                          timeout=30, capture_output=True, env=dict(os.environ))
    assert done.returncode == -9, done.stderr.decode()
    world.app = type(world.app)(world.path)
    assert world.reports() == ["h-1"]  # stored before the kill
    conn, c = consumer(world, amqp_url, queue)
    outcomes: list[Any] = []
    c.before_ack = outcomes.append
    stats = c.run(max_messages=1, idle_timeout=5)
    conn.close()
    assert stats.duplicates == 1 and stats.stored == 0
    assert [o.status for o in outcomes] == ["duplicate"]
    assert world.reports() == ["h-1"]
    assert depth(connection, queue) == 0


def test_bad_messages_are_dead_lettered_with_the_error_and_the_consumer_goes_on(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    queue = names.queue("in")
    bad_date = orjson.loads(body(world.admission("h-2")))
    bad_date["provenance"]["occurred_on"] = "1 March 2024"
    unknown_person = orjson.loads(body(world.admission("h-3")))
    unknown_person["young_person_id"] = "00000000-0000-4000-8000-000000000099"
    send(connection, queue, b"{not json", orjson.dumps(bad_date),
         body(world.admission("h-1")), orjson.dumps(unknown_person), body(world.risk("h-4")))
    conn, c = consumer(world, amqp_url, queue)
    stats = c.run(max_messages=5, idle_timeout=5)
    conn.close()
    assert (stats.stored, stats.dead_lettered) == (2, 3)
    assert world.reports() == ["h-1", "h-4"]
    dead = drain(connection, f"{queue}.dead", expect=3)
    assert [d for _, d in dead] == [b"{not json", orjson.dumps(bad_date),
                                    orjson.dumps(unknown_person)]
    h = [props.headers for props, _ in dead]
    assert [x["ungeforloeb-error-kind"] for x in h] == ["decode", "decode", "refused"]
    assert h[0]["ungeforloeb-error-class"] == "MessageStructureError"
    assert "ungeforloeb-report-id" not in h[0]
    assert h[1]["ungeforloeb-report-id"] == "h-2"
    assert h[1]["ungeforloeb-message-type"] == "Optagelse"
    assert any(p.endswith("@ $.provenance.occurred_on")
               for p in h[1]["ungeforloeb-error-paths"])
    assert h[1]["ungeforloeb-error"] == ("inbound message: invalid value for type, expected "
                                         "date @ $.provenance.occurred_on")
    assert h[0]["ungeforloeb-error"].startswith("not JSON: ")
    assert h[0]["ungeforloeb-error-paths"][0].endswith(" @ $")
    assert h[2]["ungeforloeb-error-class"] == "UnknownCaseError"
    assert h[2]["ungeforloeb-report-id"] == "h-3"
    assert h[2]["ungeforloeb-error-paths"] == [
        "receive_institution_message: no young person with id "
        "00000000-0000-4000-8000-000000000099 @ $.young_person_id"]
    assert all(x["ungeforloeb-source-queue"] == queue for x in h)
    assert all(x["sender"] == "test" for x in h)  # the original headers are kept
    assert [props.message_id for props, _ in dead] == ["m-0", "m-1", "m-3"]
    assert depth(connection, queue) == 0


def test_a_message_the_domain_refuses_names_the_field_path(world: World, amqp_url: str,
                                                           names: Any,
                                                           connection: Any) -> None:
    queue = names.queue("in")
    future = orjson.loads(body(world.admission("h-9")))
    future["provenance"]["occurred_on"] = future["provenance"]["received_on"] = "2099-01-01"
    send(connection, queue, orjson.dumps(future))
    conn, c = consumer(world, amqp_url, queue, dead_letter_queue=names.queue("parked"))
    assert c.run(max_messages=1, idle_timeout=5).dead_lettered == 1
    conn.close()
    [(props, _)] = drain(connection, c.dead_letter_queue, expect=1)
    assert props.headers["ungeforloeb-error-kind"] == "refused"
    assert props.headers["ungeforloeb-error-class"] == "InvalidCommandError"
    assert props.headers["ungeforloeb-error-paths"][0].endswith("@ $.provenance.received_on")


def test_an_idle_queue_ends_a_bounded_run_quickly(world: World, amqp_url: str,
                                                  names: Any) -> None:
    conn, c = consumer(world, amqp_url, names.queue("in"))
    stats = c.run(idle_timeout=0.2)
    conn.close()
    assert stats.handled == 0


def test_a_message_may_name_the_young_person_by_cpr_resolved_through_the_identity_record(
        world: World, amqp_url: str, names: Any, connection: Any) -> None:
    queue = names.queue("in")
    by_cpr = orjson.loads(body(world.admission("h-1")))
    del by_cpr["young_person_id"]
    by_cpr["cpr"] = "0105031200"  # person 0's CPR number in the identity record
    unknown = {**by_cpr, "cpr": "0101019999",
               "provenance": {**by_cpr["provenance"], "haendelse_nummer": "h-2"}}
    both = {**orjson.loads(body(world.admission("h-3"))), "cpr": "0105031200"}
    send(connection, queue, orjson.dumps(by_cpr), orjson.dumps(unknown), orjson.dumps(both))
    conn, c = consumer(world, amqp_url, queue)
    stats = c.run(max_messages=3, idle_timeout=5)
    conn.close()
    assert (stats.stored, stats.dead_lettered) == (1, 2)
    assert world.reports() == ["h-1"]
    dead = drain(connection, f"{queue}.dead", expect=2)
    h = [props.headers for props, _ in dead]
    assert [x["ungeforloeb-error-kind"] for x in h] == ["refused", "decode"]
    assert h[0]["ungeforloeb-error-paths"] == [
        "receive_institution_message: no identity record holds the CPR number given (not "
        "shown) @ $.cpr"]
    assert h[1]["ungeforloeb-error-paths"] == ["give young_person_id or cpr, not both @ $.cpr"]
    assert "0101019999" not in orjson.dumps(h).decode()


def test_a_store_that_cannot_be_written_stops_the_consumer_and_keeps_the_message(
        world: World, amqp_url: str, names: Any, connection: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from eventsourcing.persistence import OperationalError

    from ungeforloeb_rabbitmq import StoreUnavailableError

    queue = names.queue("in")
    send(connection, queue, body(world.admission("h-1")))

    def down(*_: Any, **__: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(world.app, "receive_institution_message", down)
    conn, c = consumer(world, amqp_url, queue)
    with pytest.raises(StoreUnavailableError, match="went back to"):
        c.run(max_messages=1, idle_timeout=5)
    conn.close()
    assert depth(connection, queue) == 1
    assert depth(connection, f"{queue}.dead") == 0
    monkeypatch.undo()
    conn, c = consumer(world, amqp_url, queue)
    assert c.run(max_messages=1, idle_timeout=5).stored == 1
    conn.close()
    assert world.reports() == ["h-1"]


def test_an_unexpected_error_dead_letters_the_message_and_the_consumer_goes_on(
        world: World, amqp_url: str, names: Any, connection: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    queue = names.queue("in")
    send(connection, queue, body(world.admission("h-1")), body(world.risk("h-2")))
    real = world.app.receive_institution_message
    calls: list[str] = []

    def flaky(message: Any, **kw: Any) -> Any:
        calls.append(message.provenance.haendelse_nummer)
        if len(calls) == 1:
            raise KeyError("a bug")
        return real(message, **kw)

    monkeypatch.setattr(world.app, "receive_institution_message", flaky)
    conn, c = consumer(world, amqp_url, queue)
    stats = c.run(max_messages=2, idle_timeout=5)
    conn.close()
    assert (stats.stored, stats.dead_lettered) == (1, 1)
    [(props, _)] = drain(connection, f"{queue}.dead", expect=1)
    assert props.headers["ungeforloeb-error-kind"] == "error"
    assert props.headers["ungeforloeb-error-class"] == "KeyError"
    assert props.headers["ungeforloeb-report-id"] == "h-1"
