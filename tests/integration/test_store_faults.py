"""A full disk and a read-only store: one clear line on stderr, exit 1, never a traceback.

The store lives on a small tmpfs mounted for the test (needs root, as CI runs; skipped
elsewhere locally, failed when ``CI=true``): filled up for the full disk, remounted read-only
for the read-only store.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.domain.values import BenefitEndReason
from ungeforloeb.interchange.export import export_log

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = f"cannot mount a tmpfs (needs root): {done.stderr.strip()}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "ungeforloeb"  # the installed console script
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=300,
                          check=False)


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def _big_log(tmp_path: Path) -> Path:
    app = Ungeforloeb(tmp_path / "source.sqlite", clock=SettableClock(date(2024, 9, 2)))
    with app.batch():
        for i in range(600):
            app.register_first_contact(occurred_on=date(2024, 9, 2), recorded_by="cw-1",
                                       municipality_code="101", birth_date=date(2004, 5, 1),
                                       cpr=f"0105{i % 100:02d}-{1000 + i}", name=f"Navn {i}")
    log = tmp_path / "log.jsonl"
    buf = io.BytesIO()
    export_log(app, buf, exported_at=datetime(2024, 9, 3, tzinfo=UTC))
    log.write_bytes(buf.getvalue())
    return log


def test_an_import_onto_a_full_disk_is_one_line(tmp_path, small_disk):
    log = _big_log(tmp_path)
    assert log.stat().st_size > 160 * 1024
    _one_line(_cli("import", str(log), "--db", str(small_disk / "store.sqlite")),
              "full")


def test_erasing_in_a_read_only_store_is_one_line(tmp_path, small_disk):
    db = small_disk / "store.sqlite"
    app = Ungeforloeb(db, clock=SettableClock(date(2024, 9, 2)))
    person = app.register_first_contact(occurred_on=date(2019, 1, 2), recorded_by="cw-1",
                                        municipality_code="101", birth_date=date(2000, 5, 1),
                                        cpr="010500-1234", name="Test Testesen")
    app.end_benefit(person, occurred_on=date(2019, 3, 1), recorded_by="cw-1",
                    reason=next(iter(BenefitEndReason)))
    app.close()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = _cli("shred-expired", "--db", str(db), "--years", "1", "--on", "2024-01-01")
    _one_line(done, "the event store cannot be used")
    assert "0105001234" not in done.stderr and "Testesen" not in done.stderr
