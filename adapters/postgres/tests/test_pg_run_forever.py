"""`ungeforloeb-postgres run` as a process: it keeps the kept verdicts current as commands
arrive, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ungeforloeb.application.clock import SettableClock

pytestmark = pytest.mark.postgres


def _wait_for(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_run_follows_commands_and_stops_on_sigterm(pg: Any) -> None:
    clock = SettableClock(datetime(2025, 5, 5, 9, tzinfo=UTC))
    app = pg.app(clock=clock)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from ungeforloeb_postgres.cli import main; main()",
         "run", "--schema", pg.schema, "--on", "2025-05-05", "--poll", "0.5"],
        env={**os.environ, **pg.env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        yp = app.register_first_contact(occurred_on=date(2025, 5, 5), recorded_by="cw",
                                        municipality_code="101", birth_date=date(2005, 1, 1))
        app.assign_caseworker(yp, occurred_on=date(2025, 5, 5), recorded_by="cw",
                              caseworker_id="cw-1", team_id="team-1")

        def applied() -> bool:
            try:
                rows = pg.query("SELECT k.team_id, t.position FROM {s}.kept_case AS k, "
                                "{s}.kept_tracking AS t")
            except Exception:  # the tables may not exist yet
                return False
            return rows == [{"team_id": "team-1",
                             "position": app.recorder.max_notification_id()}]

        assert _wait_for(applied, 30), "the running projection did not apply the commands"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0, out
    assert "running: schema" in out and "stopping" in out
