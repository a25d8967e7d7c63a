"""The HTML report: one self-contained page, Danish by default with Danish numbers and dates,
colour that says how our share compares with the audit's (in words too), breakdowns by group,
team, month and caseworker, the cases behind missed and not documented verdicts on demand, and
a header that names the log."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interchange_support import small_log
from ungeforloeb import __version__
from ungeforloeb.interchange.audit import Tally, evaluate, read_case_files
from ungeforloeb.report.html import (
    BAND,
    Breakdown,
    LogFacts,
    compare,
    long_date,
    number,
    percent,
    render_case_pages,
    render_html,
    write_report,
)

AS_OF = date(2024, 12, 31)
FACTS = LogFacts(source="small.jsonl", municipality="101", final_hash="f" * 64,
                 event_count=21, exported_by="0.0.9", regimes={"from_2024": "ab" * 32})


def report():  # type: ignore[no-untyped-def]
    _, files = read_case_files(io.BytesIO(small_log()))
    return files, evaluate(files.values(), AS_OF)


def page(lang: str = "da") -> str:
    files, r = report()
    return render_html(r, files, lang=lang, log=FACTS)


def test_the_page_has_no_external_resources_and_no_script() -> None:
    html = page()
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["'](?!#)""", html)
    assert "<script" not in html and "@import" not in html and "url(" not in html


def test_danish_is_the_default_with_danish_numbers_and_dates() -> None:
    files, r = report()
    html = render_html(r, files)
    assert '<html lang="da">' in html
    assert "Overholdelse af kontrolpunkterne pr. 31. december 2024" in html
    assert number(1234.5, "da", 1) == "1.234,5" and number(1234567) == "1.234.567"
    assert number(1234.5, "en", 1) == "1,234.5"
    assert percent(0.456) == "46 %" and percent(0.456, "en") == "46%" and percent(None) == "–"
    assert long_date(date(2026, 11, 30)) == "30. november 2026"
    assert long_date(date(2026, 11, 30), "en") == "30 November 2026"
    english = render_html(r, files, lang="en")
    assert '<html lang="en">' in english and "as of 30 November" not in english
    assert "Compliance with the control points as of 31 December 2024" in english
    with pytest.raises(ValueError, match="language 'de'"):
        render_html(r, files, lang="de")


def test_the_header_names_the_log_its_final_hash_municipality_period_and_versions() -> None:
    html = page()
    assert "f" * 64 in html and "<dd>101</dd>" in html
    assert "small.jsonl" in html and "21 hændelser" in html
    assert f'<span class="version">{__version__}</span>' in html
    assert "loggen skrevet af ungeforloeb 0.0.9" in html
    _, r = report()
    assert r.rules.digest in html and r.digest() in html
    # every regime of this library by its hash, and the log's differing one marked
    from ungeforloeb.interchange.audit import rule_regimes

    for rid, sha in rule_regimes().items():
        assert f"<td>{rid}</td><td><code>{sha[:16]}</code>" in html
    assert "afviger" in html
    assert "Periode</dt><dd>januar 2024 – 31. december 2024" in html


@given(st.floats(0, 1), st.floats(0, 1))
def test_the_comparison_is_about_the_same_within_the_band_and_better_or_worse_beyond(
        share: float, reference: float) -> None:
    got = compare(share, reference)
    if share - reference >= BAND + 1e-9:
        assert got == "better"
    elif reference - share >= BAND + 1e-9:
        assert got == "worse"
    elif abs(share - reference) < BAND - 1e-9:
        assert got == "same"


def test_the_band_boundaries_both_sides() -> None:
    assert compare(0.55, 0.50) == "better" and compare(0.5499, 0.50) == "same"
    assert compare(0.45, 0.50) == "worse" and compare(0.4501, 0.50) == "same"
    assert compare(None, 0.5) == "none" and compare(0.5, None) == "none"


def test_every_coloured_bar_says_its_comparison_in_words_and_a_symbol() -> None:
    html = page()
    bars = re.findall(r'<svg class="bar (\w+)".*?<title>(.*?)</title>.*?<text[^>]*>(.*?)</text>',
                      html, re.S)
    assert bars
    words = {"better": "bedre end revisionen", "same": "på niveau med revisionen",
             "worse": "dårligere end revisionen"}
    symbols = {"better": "▲", "same": "●", "worse": "▼", "none": "○"}
    for compared, title, text in bars:
        if compared in words:
            assert words[compared] in title
        assert text.startswith(symbols[compared]) or text == "–"
    assert '<line class="ref"' in html  # the audit's share as a marker
    for word in words.values():
        assert word in html.split("</header>")[0]  # the legend names every colour


def test_every_control_point_has_its_bars_trend_and_collapsible_cases() -> None:
    html = page()
    _, r = report()
    rows = r.rows()
    assert html.count('<section class="cp ') == len(rows)
    assert html.count('<svg class="trend"') + html.count(
        '<span class="muted">ingen vurderet</span>') == 2 * len(rows)
    explains = re.findall(r'<details class="explain" data-listed="(\d+)">', html)
    assert len(explains) == len(rows)
    listed = sum(1 for v in r.verdicts if v.status.value in ("missed", "not_documented"))
    assert sum(int(n) for n in explains) == listed > 0
    assert '<span class="missed">ikke opfyldt</span>' in html
    assert "<dt>retsgrundlag</dt>" in html and "<b>lovens ord:</b> »" in html
    assert "første henvendelse (FirstContactRegistered) #" in html  # the glossary's words


def test_the_breakdowns_of_the_streamed_tally_equal_those_counted_from_the_verdicts() -> None:
    _, r = report()
    tally = Tally()
    for v in r.verdicts:
        tally.add(v)
    whole = Breakdown.of_verdicts(r)
    assert tally.teams == whole.teams and tally.months == whole.months
    assert tally.teams and tally.months
    assert render_html(r, lang="da", breakdown=Breakdown(tally.teams, tally.months,
                                                         tally.by_caseworker())) \
        == render_html(r, lang="da")


def test_the_pages_beside_list_every_case_and_the_page_links_to_them(tmp_path: Path) -> None:
    _, r = report()
    written = write_report(tmp_path / "rapport.html", r, log=FACTS)
    html = written[0].read_text(encoding="utf-8")
    pages = render_case_pages(r, back="../rapport.html")
    assert {p.name for p in written[1:]} == set(pages)
    for link in re.findall(r'href="(rapport-sager/[^"]+)"', html):
        target = tmp_path / link
        assert target.is_file()
        text = target.read_text(encoding="utf-8")
        assert 'href="../rapport.html#cp-' in text
    for name, text in pages.items():
        rule = name.removesuffix(".html")
        n = sum(1 for v in r.verdicts
                if v.rule_id == rule and v.status.value in ("missed", "not_documented"))
        assert text.count("<tr data-case=") == n
        assert ". Rule " not in text  # each case's own part of the explanation, not the rule's


def test_no_recorded_value_can_inject_markup() -> None:
    _, r = report()
    evil = LogFacts(source="<script>alert(1)</script>.jsonl", municipality="<b>x</b>")
    html = render_html(r, log=evil)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html
