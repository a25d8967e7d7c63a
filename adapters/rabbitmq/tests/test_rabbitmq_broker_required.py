"""Without a broker the broker tests skip locally and fail in CI (CI=true)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize(("ci", "exit_code", "says"), [
    ("", 0, "1 skipped"),
    ("true", 1, "the broker must run in CI (CI=true)"),
])
def test_broker_tests_skip_locally_and_fail_in_ci_when_the_broker_is_unreachable(
        ci: str, exit_code: int, says: str) -> None:
    env = {**os.environ, "CI": ci,
           "UNGEFORLOEB_AMQP_URL": "amqp://guest:guest@127.0.0.1:9/%2F"}
    test = f"{HERE / 'test_rabbitmq_consumer.py'}::test_an_idle_queue_ends_a_bounded_run_quickly"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(HERE), test], capture_output=True, text=True,
                          timeout=60, env=env, cwd=HERE)
    assert done.returncode == exit_code, done.stdout + done.stderr
    assert says in done.stdout
