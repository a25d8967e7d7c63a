"""The examples a vendor starts from run standalone and print what they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(script: str, cwd: Path) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True,
                          text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_walk_one_case_prints_the_status_and_the_audit_trail(tmp_path: Path) -> None:
    out = run("walk_one_case.py", tmp_path)
    assert re.search(r"first contact 2024-08-05, group UP, caseworker cw-017", out)
    assert re.search(r"order [0-9a-f]{8} issued 2024-08-05: step 3, open", out)
    assert "admitted 2024-10-01 to eud-gf2 at 280727, starts 2024-11-04: admitted" in out
    for event in ("FirstContactRegistered", "Visitated", "OrderIssued", "StepDeadlineSet",
                  "EducationWishProposed", "ApplicationSubmitted", "Admitted",
                  "DutyToStartAssessed"):
        assert event in out
    (late,) = [line for line in out.splitlines() if "LATE" in line]
    assert "EducationWishProposed" in late and "+10 d" in late
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_risk_of_dropout_prints_the_retention_item_on_the_worklist(tmp_path: Path) -> None:
    out = run("risk_of_dropout.py", tmp_path)
    assert re.search(r"Risk of dropout recorded for young person [0-9a-f-]{36}: retention case",
                     out)
    assert "Worklist of cw-004 on 2024-12-12" in out
    assert re.search(r"\[retention\] OVERDUE 2024-12-10: Contact the young person: risk of "
                     r"dropout reported by institution 751450, received 2024-12-03", out)
    assert list(tmp_path.iterdir()) == []
