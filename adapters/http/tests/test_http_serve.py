"""``ungeforloeb-http`` on a real socket: served by uvicorn in a process of its own."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from click.testing import CliRunner
from http_adapter_support import AUDIENCE, ISSUER, SECRET, bearer, make_token

from ungeforloeb_http.cli import main


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


TOKEN = bearer(make_token())
ENV = {"UNGEFORLOEB_HTTP_JWT_ISSUER": ISSUER, "UNGEFORLOEB_HTTP_JWT_AUDIENCE": AUDIENCE,
       "UNGEFORLOEB_HTTP_JWT_SECRET": SECRET}


def _post(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json", **TOKEN})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _send_chunked_until_answered(port: int, limit: int) -> tuple[int, bytes]:
    """Post a chunked body of up to ``limit`` bytes, 64 KiB at a time, stopping as soon as the
    server answers; the bytes sent by then and the answer's first bytes."""
    chunk = b"A" * 65536
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /commands/register_first_contact HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                  + f"Authorization: {TOKEN['Authorization']}\r\n\r\n".encode())
        while sent < limit:
            readable, _, _ = select.select([s], [], [], 0)
            if readable:
                break
            try:
                s.sendall(b"10000\r\n" + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        return sent, s.recv(4096)


def test_served_by_uvicorn_it_answers_real_http_requests(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "ungeforloeb_http", "--db", str(tmp_path / "s.sqlite"),
         "--create", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **ENV})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    assert json.loads(response.read())["status"] == "ok"
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not start in 30 s"
                time.sleep(0.2)
        status, answer = _post(f"{base}/commands/register_first_contact", {
            "occurred_on": "2024-01-08", "municipality_code": "101",
            "birth_date": "2004-05-17"})
        assert status == 201 and answer["command"] == "register_first_contact"
        status, problem = _post(f"{base}/commands/register_first_contact", {"bogus": 1})
        assert status == 422 and problem["type"] == "urn:ungeforloeb:problem:invalid-request"
        status_url = f"{base}/cases/{answer['young_person_id']}/status"
        with urllib.request.urlopen(urllib.request.Request(status_url, headers=TOKEN),
                                    timeout=10) as response:
            assert json.loads(response.read())["municipality_code"] == "101"
        try:
            urllib.request.urlopen(status_url, timeout=10)
            raise AssertionError("answered without a token")
        except urllib.error.HTTPError as err:
            assert err.code == 401 and err.headers["WWW-Authenticate"].startswith("Bearer")
        sent, head = _send_chunked_until_answered(port, limit=300 << 20)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert sent < 16 << 20, f"{sent} bytes went in before the 413"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def test_the_command_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    env = {**ENV, "UNGEFORLOEB_HTTP_JWT_SECRET": None}
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.sqlite"), "--create"], env=env)
    assert result.exit_code == 2
    assert "give exactly one of jwt_secret, jwt_public_key_file, jwks_file" in result.output
    assert not (tmp_path / "s.sqlite").exists()


def test_the_command_refuses_a_missing_store_without_create(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "none.sqlite")], env=ENV)
    assert result.exit_code == 2
    assert "give --create" in result.output
    assert not (tmp_path / "none.sqlite").exists()


def test_the_command_refuses_a_bad_routing_file(tmp_path: Path) -> None:
    routing = tmp_path / "routing.toml"
    routing.write_text("[municipalities.101]\nkind = 'nobody'\n")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.sqlite"), "--create",
                                       "--routing", str(routing)], env=ENV)
    assert result.exit_code == 2
    assert "routing.toml: municipalities.101" in result.output
