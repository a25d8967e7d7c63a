"""The management page in a real browser: headless Chromium loads it offline, every bar's height
is its figure on one scale, every figure's link leads to its list of cases, and a screenshot is
kept under test-artifacts/."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from test_html_report_browser import ARTIFACTS, chromium, run_chromium

from ungeforloeb.cli import main

pytestmark = pytest.mark.browser

MEASURE = """
<script>
(function () {
  const bars = (cls) => [...document.querySelectorAll("svg.chart rect." + cls)].map((r) => ({
    value: +r.dataset.value, height: r.getBoundingClientRect().height}));
  const links = [...document.querySelectorAll('a[href^="#cases-"]')].map(
    (a) => !!document.getElementById(a.getAttribute("href").slice(1)));
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify({stock: bars("stock"), inflow: bars("in"),
                                    outflow: bars("out"), links: links,
                                    lang: document.documentElement.lang});
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("mi-html")
    db, out = tmp / "demo.sqlite", tmp / "management.html"
    runner = CliRunner()
    for args in (["demo", "--db", str(db), "--people", "60", "--fresh"],
                 ["management-report", "--from", "2024-01-01", "--to", "2024-12-31", "--cap",
                  "20", "--db", str(db), "--out", str(out)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


def _one_scale(bars: list[dict[str, Any]]) -> None:
    scales = [b["height"] / b["value"] for b in bars if b["value"]]
    assert scales, "no bar drawn"
    for s in scales:
        assert s == pytest.approx(scales[0], rel=0.02, abs=0.02)


def test_the_bars_are_drawn_to_one_scale_and_every_link_has_its_cases(page: Path,
                                                                      tmp_path: Path) -> None:
    binary = chromium()
    measured_page = tmp_path / "measured.html"
    measured_page.write_text(page.read_text(encoding="utf-8").replace("</body>",
                                                                      MEASURE + "</body>"),
                             encoding="utf-8")
    done = run_chromium(binary, tmp_path / "profile", "--window-size=1200,1000",
                        "--virtual-time-budget=3000", "--dump-dom", measured_page.as_uri())
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no measurement in the DOM; chromium said: {done.stderr[-2000:]}"
    measured: dict[str, Any] = orjson.loads(html.unescape(found.group(1)))
    assert measured["lang"] == "da"
    assert len(measured["stock"]) == 12
    _one_scale(measured["stock"])
    _one_scale(measured["inflow"] + measured["outflow"])
    assert measured["links"] and all(measured["links"]), "a figure links to no list of cases"


def test_a_screenshot_of_the_management_page_is_kept(page: Path, tmp_path: Path) -> None:
    binary = chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "management.png"
    shot.unlink(missing_ok=True)
    done = run_chromium(binary, tmp_path / "profile", "--window-size=1200,1800",
                        f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000, "the screenshot looks blank"
    shutil.copy(page, ARTIFACTS / "management.html")
