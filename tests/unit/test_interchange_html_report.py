"""The HTML report is one self-contained page: bars per rule and group, links to explanations."""

from __future__ import annotations

import io
import re
from datetime import date

from interchange_support import small_log
from ungeforloeb.interchange.audit import evaluate, read_case_files
from ungeforloeb.report.html import render_html


def page(as_of: date = date(2024, 12, 31)) -> str:
    _, files = read_case_files(io.BytesIO(small_log()))
    return render_html(evaluate(files.values(), as_of), files, source="small.jsonl")


def test_the_page_has_no_external_resources_and_no_script() -> None:
    html = page()
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["'](?!#)""", html)
    assert "<script" not in html and "@import" not in html and "url(" not in html


def test_every_rule_has_a_bar_for_all_cases_and_one_per_visitation_group() -> None:
    html = page()
    rows = html.split('<table class="points">')[1].split("</table>")[0].count("<tr>") - 1
    assert rows > 10
    assert html.count('<svg class="bar"') == 4 * rows
    assert html.count('data-group="AAUP"') == rows


def test_cases_with_missed_points_link_to_their_explanation_sections() -> None:
    html = page()
    links = set(re.findall(r'href="#(case-[0-9a-f-]+)"', html))
    anchors = set(re.findall(r'<section class="case" id="(case-[0-9a-f-]+)"', html))
    assert links and links == anchors


def test_the_audit_share_is_drawn_as_a_marker_labelled_as_theirs() -> None:
    html = page()
    assert '<line class="ref"' in html
    assert "audit 2018–20 (not ours)" in html


def test_the_page_speaks_danish_with_lang_da() -> None:
    _, files = read_case_files(io.BytesIO(small_log()))
    report = evaluate(files.values(), date(2024, 12, 31))
    html = render_html(report, files, source="small.jsonl", lang="da")
    assert '<html lang="da">' in html and "Overholdelse pr. 2024-12-31" in html
    assert "Sager med kontrolpunkter ikke opfyldt" in html
    assert '<span class="missed">ikke opfyldt</span>' in html
    assert "<dt>lovens ord</dt><dd>»" in html and "<dt>retsgrundlag</dt>" in html
    assert "(FirstContactRegistered) #" in html  # event names as the glossary gives them
    english = render_html(report, files, source="small.jsonl")
    assert '<html lang="en">' in english and "lovens ord" not in english
