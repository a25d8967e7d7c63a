"""The ``ungeforloeb-rabbitmq`` console script: consume and relay, bounded, on a SQLite file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from rabbitmq_world import World, body, drain, send

from ungeforloeb_rabbitmq.cli import main

CONTACTS_TOML = """
[contacts."cw-1"]
kind = "person"
phone = "12345678"
email = "anne.jensen@kk.dk"
"""


def script() -> str:
    found = shutil.which("ungeforloeb-rabbitmq", path=str(Path(sys.executable).parent))
    assert found, "the console script is installed with the package"
    return found


def test_consume_stores_the_queue_and_dead_letters_the_bad_one(
        tmp_path: Path, amqp_url: str, names: Any, connection: Any) -> None:
    db = tmp_path / "store.sqlite"
    world = World(db)
    queue = names.queue("in")
    send(connection, queue, body(world.admission("h-1")), b"[]", body(world.risk("h-2")))
    world.close()
    done = subprocess.run([script(), "consume", "--db", str(db), "--url", amqp_url,
                           "--queue", queue, "--idle-timeout", "1", "--max-messages", "10"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"consumed 3: stored 2, duplicates 0, dead-lettered 1 "
                                   f"(to {queue}.dead), returned 0")
    assert "dead-lettered report None" in done.stderr
    world = World(db)
    reports = [r.payload["report_id"] for r in world.app.records()
               if r.type == "InstitutionReportReceived"]
    world.close()
    assert reports == ["h-1", "h-2"]
    [(props, data)] = drain(connection, f"{queue}.dead", expect=1)
    assert data == b"[]"
    assert props.headers["ungeforloeb-error-paths"] == [
        "'type' must be one of ['Afbrydelse', 'Gennemfoerelse', 'IndberetInstitutionKontakt', "
        "'Modtagelseskvittering', 'Optagelse', 'RisikoForFrafald'], got 'list' @ $.type"]


def test_relay_publishes_and_a_second_run_publishes_nothing_again(
        tmp_path: Path, amqp_url: str, names: Any, connection: Any) -> None:
    db = tmp_path / "store.sqlite"
    world = World(db)
    sent = [world.notify(n).message.message_id for n in range(2)]
    world.close()
    contacts = tmp_path / "contacts.toml"
    contacts.write_text(CONTACTS_TOML)
    exchange, queue = names.exchange("out"), names.queue("institution")
    args = [script(), "relay", "--db", str(db), "--url", amqp_url, "--contacts",
            str(contacts), "--exchange", exchange, "--queue", queue, "--idle-timeout", "0"]
    first = subprocess.run([*args, "--max-messages", "1"], capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("published 1 (of them 0 parked before), parked 0")
    rest = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert rest.returncode == 0, rest.stderr
    assert rest.stdout.startswith("published 1 ")
    again = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert again.stdout.startswith("published 0 ")
    assert [p.message_id for p, _ in drain(connection, queue, expect=2)] == sent


def test_an_unreachable_broker_is_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "consume", "--db", str(tmp_path / "s.sqlite"), "--queue", "q",
        "--url", "amqp://guest:secret@127.0.0.1:9/%2F?connection_attempts=1&socket_timeout=2",
        "--idle-timeout", "0"])
    assert result.exit_code == 1
    assert "RabbitMQ at amqp://guest:***@127.0.0.1:9/" in result.output
    assert "secret" not in result.output


def test_a_bad_contact_file_is_refused_naming_the_file_and_entry(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.toml"
    contacts.write_text('[contacts.team-a]\nkind = "team"\nphone = "12345678"\n'
                        'email = "post@kk.dk"\n')
    result = CliRunner().invoke(main, [
        "relay", "--db", str(tmp_path / "s.sqlite"), "--contacts", str(contacts),
        "--queue", "q"])
    assert result.exit_code == 2
    assert f"{contacts}: contacts.team-a:" in result.output
    assert "general mailbox" in result.output


def test_relay_to_an_exchange_with_no_queue_says_so_and_keeps_its_position(
        tmp_path: Path, amqp_url: str, names: Any) -> None:
    db = tmp_path / "store.sqlite"
    world = World(db)
    world.notify(0)
    world.close()
    contacts = tmp_path / "contacts.toml"
    contacts.write_text(CONTACTS_TOML)
    result = CliRunner().invoke(main, [
        "relay", "--db", str(db), "--url", amqp_url, "--contacts", str(contacts),
        "--exchange", names.exchange("nowhere"), "--idle-timeout", "0"])
    assert result.exit_code == 1
    assert "RabbitMQ did not take a message (UnroutableError" in result.output
    assert "the position stays before it" in result.output
