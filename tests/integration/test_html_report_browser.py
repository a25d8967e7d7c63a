"""The HTML report in a real browser: headless Chromium loads it offline, the bars render with a
size that matches their share (those not folded away), every control point's link leads to its
section, and a screenshot is kept under test-artifacts/.

Chromium is Debian's ``chromium`` package (``make test`` installs it: the ``browser`` target).
Locally the test skips when it is missing; in CI (``CI=true``) it fails.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ungeforloeb.cli import main

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
MEASURE = """
<script>
(function () {
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
                        return [r.width, r.height]; };
  const shown = [...document.querySelectorAll("svg.bar")].filter(
    (s) => !s.closest("details:not([open])"));
  const bars = shown.map((s) => ({
    met: +s.dataset.met, denominator: +s.dataset.denominator,
    svg: box(s), track: box(s.querySelector("rect.track")), fill: box(s.querySelector("rect.fill")),
    ref: box(s.querySelector("line.ref")),
    visible: getComputedStyle(s).visibility === "visible" && getComputedStyle(s).display !== "none",
  }));
  const links = [...document.querySelectorAll('a[href^="#cp-"]')].map(
    (a) => !!document.getElementById(a.getAttribute("href").slice(1)));
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify({bars: bars, links: links});
  document.body.appendChild(pre);
})();
</script>
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is missing in CI: apt-get install -y chromium chromium-driver")
        pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)")
    return found


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report of the demo's store (40 people), as an auditor makes it from the log."""
    tmp = tmp_path_factory.mktemp("html")
    db, log, out = tmp / "demo.sqlite", tmp / "demo.jsonl", tmp / "report.html"
    runner = CliRunner()
    for args in (["demo", "--db", str(db), "--people", "40", "--fresh"],
                 ["export", "--db", str(db), "--out", str(log), "--as-of", "2024-12-31"],
                 ["audit", str(log), "--as-of", "2024-12-31", "--format", "html", "--out",
                  str(out)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


def test_the_bars_render_in_chromium_with_the_size_of_their_share(report: Path,
                                                                  tmp_path: Path) -> None:
    binary = chromium()
    page = tmp_path / "measured.html"
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                    encoding="utf-8")
    done = run_chromium(binary, tmp_path / "profile", "--window-size=1400,1000",
                        "--virtual-time-budget=3000", "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no measurement in the DOM; chromium said: {done.stderr[-2000:]}"
    measured: dict[str, Any] = orjson.loads(html.unescape(found.group(1)))
    bars = measured["bars"]
    assert len(bars) >= 5 * 10, "expected two bars per rule and one per visitation group"
    for bar in bars:
        assert bar["visible"]
        assert bar["track"][0] > 0 and bar["track"][1] > 0
        if bar["denominator"] and bar["met"]:
            share = bar["met"] / bar["denominator"]
            assert bar["fill"][0] == pytest.approx(share * bar["track"][0], abs=1.5)
    assert any(bar["ref"] and bar["ref"][1] > 0 for bar in bars), "no audit marker drawn"
    assert measured["links"] and all(measured["links"]), "a control point's link points nowhere"


def test_a_screenshot_of_the_report_is_kept_as_an_artifact(report: Path, tmp_path: Path) -> None:
    binary = chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    shot.unlink(missing_ok=True)
    done = run_chromium(binary, tmp_path / "profile", "--window-size=1400,1600",
                        f"--screenshot={shot}", report.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000, "the screenshot looks blank"
    shutil.copy(report, ARTIFACTS / "html-report.html")
