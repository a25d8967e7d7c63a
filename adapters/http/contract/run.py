"""The OpenAPI document is the contract: Schemathesis against a served ``ungeforloeb-http``.

Serves a fresh SQLite store with uvicorn on a free port of 127.0.0.1 (the console script, as a
vendor runs it), mints a caseworker's token for the run, and runs ``schemathesis run`` on
``/openapi.json`` with every check (server errors, status codes, content types and response
schemas as documented, schema-valid requests accepted, schema-violating ones refused), a bounded
number of examples per operation and a fixed seed (the same examples each run). Exits with
Schemathesis's status: 0 only when it found no failure.

``.ci/run`` installs Schemathesis and runs this after ``make test``:
``python adapters/http/contract/run.py [--max-examples N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import jwt

ISSUER = "https://idp.contract.example"
AUDIENCE = "ungeforloeb"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or \
        shutil.which("schemathesis")
    if schemathesis is None:
        print("schemathesis is not installed (pip install 'schemathesis>=4.32,<5')",
              file=sys.stderr)
        return 2
    secret = secrets.token_urlsafe(32)
    env = {**os.environ, "UNGEFORLOEB_HTTP_JWT_ISSUER": ISSUER,
           "UNGEFORLOEB_HTTP_JWT_AUDIENCE": AUDIENCE, "UNGEFORLOEB_HTTP_JWT_SECRET": secret,
           "PERSISTENCE_MODULE": "eventsourcing.sqlite"}
    token = jwt.encode({"sub": "cw-contract", "role": "caseworker", "municipality": "101",
                        "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 3600},
                       secret, algorithm="HS256")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "ungeforloeb_http", "--db", str(Path(tmp) / "s.sqlite"),
             "--create", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                        assert json.loads(response.read())["status"] == "ok"
                        break
                except (urllib.error.URLError, ConnectionError):
                    if server.poll() is not None or time.monotonic() > deadline:
                        print("ungeforloeb-http did not start", file=sys.stderr)
                        return 2
                    time.sleep(0.2)
            return subprocess.call(
                [schemathesis, "--config-file", str(Path(__file__).with_name(
                    "schemathesis.toml")), "run", f"{base}/openapi.json",
                 "--header", f"Authorization: Bearer {token}",
                 "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                 "--workers", "1", "--no-color"], cwd=tmp, env=env)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    sys.exit(main())
