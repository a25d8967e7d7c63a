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


def _mount(where: Path, size: str) -> None:
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = f"cannot mount a tmpfs (needs root): {done.stderr.strip()}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    _mount(mount, "160k")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (room for a small store, then filled up or remounted read-only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    _mount(mount, "1m")
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
    _one_line(done, "the event store cannot be used", "it is read-only")
    assert "0105001234" not in done.stderr and "Testesen" not in done.stderr


def _small_store(disk: Path, tmp_path: Path) -> tuple[str, Path]:
    """A store on the disk with three people whose spells closed in 2019 (so shred-expired has
    someone to erase), and their log beside it in tmp_path; returns a case id prefix and the
    log."""
    app = Ungeforloeb(disk / "store.sqlite", clock=SettableClock(date(2024, 9, 2)))
    for i in range(3):
        person = app.register_first_contact(occurred_on=date(2019, 1, 2), recorded_by="cw-1",
                                            municipality_code="101",
                                            birth_date=date(2000, 5, 1),
                                            cpr=f"01050{i}-1234", name="Test Testesen")
        app.end_benefit(person, occurred_on=date(2019, 3, 1), recorded_by="cw-1",
                        reason=next(iter(BenefitEndReason)))
    log = tmp_path / "log.jsonl"
    buf = io.BytesIO()
    export_log(app, buf, exported_at=datetime(2024, 9, 3, tzinfo=UTC))
    log.write_bytes(buf.getvalue())
    app.close()
    return str(person)[:8], log


def _writers(disk: Path, case: str, log: Path) -> dict[str, list[str]]:
    """Every command that writes (to the store or to a file on the disk), with arguments."""
    store = str(disk / "store.sqlite")
    return {
        "demo": ["demo", "--db", str(disk / "new.sqlite"), "--people", "5"],
        "import": ["import", str(log), "--db", str(disk / "imported.sqlite")],
        "export": ["export", "--db", store, "--out", str(disk / "out.jsonl")],
        "audit": ["audit", str(log), "--as-of", "2024-12-31", "--format", "html", "--out",
                  str(disk / "audit.html")],
        "own-view": ["own-view", case, "--db", store, "--format", "html", "--out",
                     str(disk / "view.html")],
        "shred-expired": ["shred-expired", "--db", store, "--years", "1", "--on",
                          "2024-01-01"],
        "keep": ["keep", "--db", store, "--on", "2024-12-31"],
        "reindex": ["reindex", "--db", store],
        "management-report": ["management-report", "--from", "2019-01-01", "--to",
                              "2019-12-31", "--db", store, "--out",
                              str(disk / "management.html")],
        "keygen": ["keygen", "--name", "kommune-101.example", "--out", str(disk / "signer")],
        "pack": ["pack", str(log), "--out", str(disk / "pack.zip")],
        "prove": ["prove", str(log), "--seq", "1", "--out", str(disk / "proof.json")],
    }


def test_the_cli_writers_and_their_shared_handler_are_the_same_list():
    """A new command that writes must be added to the fault tests below (and wears the shared
    handler, as every command does)."""
    from ungeforloeb.cli import main

    for name, command in main.commands.items():
        assert command.callback is not None
        assert getattr(command.callback, "one_line_errors", False), name
    assert set(_writers(Path("/x"), "c", Path("/l"))) <= set(main.commands)


def _each_fails_in_one_line(writers: dict[str, list[str]], words: tuple[str, ...]) -> None:
    bad = {}
    for name, args in writers.items():
        done = _cli(*args)
        lines = done.stderr.strip().splitlines()
        if done.returncode != 1 or len(lines) != 1 or not lines[0].startswith("error: ") \
                or "Traceback" in done.stderr or not any(w in lines[0] for w in words) \
                or "Testesen" in done.stderr or "1234" in done.stderr:
            bad[name] = (done.returncode, done.stdout[-300:], done.stderr[-600:])
    assert not bad, bad


def test_every_writing_command_on_a_read_only_store_is_one_line(tmp_path, disk):
    case, log = _small_store(disk, tmp_path)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    _each_fails_in_one_line(_writers(disk, case, log), ("read-only",))


def test_every_writing_command_on_a_full_disk_is_one_line(tmp_path, disk):
    case, log = _small_store(disk, tmp_path)
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0
    _each_fails_in_one_line(_writers(disk, case, log), ("full",))
