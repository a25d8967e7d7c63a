"""The audit report of 20,000 young people in a real browser: under 10 MB, laid out by headless
Chromium in under 3 s, no horizontal scroll of the page at 375 px or 1024 px, and screenshots
kept under test-artifacts/.

The log is :mod:`big_log`'s: the demo's municipality of 1,000 young people simulated in memory,
copied 20 times with fresh ids and sealed anew (its digest the streamed audit's), made once per
test session; the report is made by ``audit --format html --jobs 2`` as an auditor makes it.
The time to open is measured inside the page (``performance.now()`` after the whole document is
parsed and laid out, counted from the navigation's start), not by the wall clock of a shared
machine.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path
from typing import Any

import big_log
import orjson
import pytest
from click.testing import CliRunner
from test_html_report_browser import ARTIFACTS, chromium, run_chromium

from ungeforloeb.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEOPLE, COPIES = 1000, 20
LIMIT_MB = 10
LIMIT_MS = 3000
MEASURE = """
<script>
(function () {
  document.body.getBoundingClientRect();  // the whole page laid out
  const opened = performance.now();
  const root = document.documentElement;
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify({
    opened_ms: opened, width: window.innerWidth, scroll_width: root.scrollWidth,
    control_points: document.querySelectorAll("section.cp").length,
    bars: document.querySelectorAll("svg.bar").length,
    trends: document.querySelectorAll("svg.trend").length,
    caseworkers: document.querySelectorAll("table.caseworkers tbody tr").length,
    lang: root.lang});
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.fixture(scope="session")
def report_20k(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("report-20k")
    log, out = tmp / "20k.jsonl", tmp / "rapport.html"
    started = time.perf_counter()
    as_of, timing = big_log.build(log, people=PEOPLE, copies=COPIES, jobs=2)
    built = time.perf_counter()
    result = CliRunner().invoke(main, ["audit", str(log), "--as-of", as_of.isoformat(),
                                       "--format", "html", "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    audited = time.perf_counter()
    print(f"\n20k log: simulate {timing.simulate_s:.1f} s, copy {timing.copy_s:.1f} s, digest "
          f"{timing.audit_s:.1f} s; audit --format html {audited - built:.1f} s; "
          f"total {audited - started:.1f} s (wall clock)")
    return {"page": out, "log": log, "as_of": as_of}


def _measure(page: Path, tmp: Path, width: int) -> dict[str, Any]:
    probe = tmp / f"measured-{width}.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                     encoding="utf-8")
    done = run_chromium(chromium(), tmp / f"profile-{width}", f"--window-size={width},900",
                        "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no measurement in the DOM; chromium said: {done.stderr[-2000:]}"
    measured: dict[str, Any] = orjson.loads(html.unescape(found.group(1)))
    return measured


def test_the_20k_report_is_under_10_mb_and_opens_in_chromium_in_under_3_s(
        report_20k: dict[str, Any], tmp_path: Path) -> None:
    page: Path = report_20k["page"]
    size = page.stat().st_size
    assert size < LIMIT_MB * 1_000_000, f"{size:,} bytes"
    measured = _measure(page, tmp_path, 1024)
    print(f"\n20k report: {size:,} bytes, laid out in {measured['opened_ms']:.0f} ms")
    assert measured["opened_ms"] < LIMIT_MS
    assert measured["lang"] == "da"
    assert measured["control_points"] > 20 and measured["trends"] >= measured["control_points"]
    assert measured["caseworkers"] > 500  # every copy's caseworkers, one row each
    assert measured["scroll_width"] <= measured["width"], "the page scrolls sideways at 1024"
    folder = page.with_name("rapport-sager")
    assert folder.is_dir() and any(folder.iterdir())


NARROW = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0}
iframe{border:0;display:block}</style></head><body>
<iframe id="page" width="375" height="1800" srcdoc="%s"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  const doc = this.contentDocument, root = doc.documentElement;
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify({width: this.contentWindow.innerWidth,
                                    scroll_width: root.scrollWidth, lang: root.lang});
  document.body.appendChild(pre);
});
</script></body></html>
"""


def test_the_20k_report_does_not_scroll_sideways_at_375_px(report_20k: dict[str, Any],
                                                            tmp_path: Path) -> None:
    """Headless Chromium's window is at least 500 px wide, so the page is measured in a frame
    of a phone's width (375 px)."""
    page: Path = report_20k["page"]
    probe = tmp_path / "narrow.html"
    probe.write_text(NARROW % html.escape(page.read_text(encoding="utf-8"), quote=True),
                     encoding="utf-8")
    done = run_chromium(chromium(), tmp_path / "profile", "--window-size=500,1800",
                        "--virtual-time-budget=20000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no measurement in the DOM; chromium said: {done.stderr[-2000:]}"
    measured = orjson.loads(html.unescape(found.group(1)))
    assert measured["width"] == 375 and measured["lang"] == "da"
    assert measured["scroll_width"] <= 375, f"the page is {measured['scroll_width']} px wide"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-20k-375.png"
    shot.unlink(missing_ok=True)
    run_chromium(chromium(), tmp_path / "profile", "--window-size=500,1800",
                 "--virtual-time-budget=20000", f"--screenshot={shot}", probe.as_uri())
    assert shot.is_file() and shot.stat().st_size > 20_000, "no screenshot, or a blank one"


def test_a_screenshot_of_the_20k_report_is_kept_as_an_artifact(report_20k: dict[str, Any],
                                                                tmp_path: Path) -> None:
    page: Path = report_20k["page"]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-20k-1024.png"
    shot.unlink(missing_ok=True)
    done = run_chromium(chromium(), tmp_path / "profile", "--window-size=1024,1800",
                        f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000, "the screenshot looks blank"
    shutil.copy(page, ARTIFACTS / "report-20k.html")


def test_the_narrow_measure_sees_a_page_that_scrolls_sideways(tmp_path: Path) -> None:
    """The measure above can fail: a page 600 px wide is seen wider than the frame."""
    wide = '<!DOCTYPE html><html lang="da"><body><div style="width:600px">x</div></body></html>'
    probe = tmp_path / "wide.html"
    probe.write_text(NARROW % html.escape(wide, quote=True), encoding="utf-8")
    done = run_chromium(chromium(), tmp_path / "profile", "--window-size=500,900",
                        "--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    assert orjson.loads(html.unescape(found.group(1)))["scroll_width"] > 375
