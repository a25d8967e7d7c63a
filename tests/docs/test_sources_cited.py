"""Sources are cited by the bibliography (docs/sources.md), never by a seed number or a file a
reader does not have; every rule's reading has a Danish text, and no Danish text is an orphan."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ungeforloeb.projections.data_quality import SOURCE
from ungeforloeb.report.explain import explain_fields
from ungeforloeb.rules.citations import BIBLIOGRAPHY, cite
from ungeforloeb.rules.docs import render_rules
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.rules.translations import check, danish_readings, reading_da
from ungeforloeb.rules.verdict import Status, Verdict

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
NOTES = ("BRIEF.md", "CONTROL_POINTS.md", "LEGAL_REVIEW.md", "ARCHITECTURE.md", "STYLE.md")


def _forbidden() -> re.Pattern[str]:
    names = set(NOTES)
    if SHARED.is_dir():  # every file of the working notes, by name
        names |= {p.name for p in SHARED.rglob("*") if p.is_file() and p.name != "README.md"}
    return re.compile(r"\bseeds? `?00\d|\b00[0-4]_[0-9a-f]{16}\.txt|"
                      + "|".join(re.escape(n) for n in sorted(names)))


FORBIDDEN = _forbidden()


def _reader_texts() -> list[tuple[str, str]]:
    rules = default_rules()
    out = [("docs/rules.md (generated)", render_rules(rules)), ("data-quality source", SOURCE)]
    for page in sorted((ROOT / "docs").glob("*.md")):
        out.append((f"docs/{page.name}", page.read_text("utf-8")))
    for p in rules.rules:
        verdict = Verdict(case_id="c", rule_id=p.id, control_point=p.control_point,
                          status=Status.MET, due_on=None, clock_start=None, met_by=None,
                          legal_source=p.legal_source, explanation=p.reading or "",
                          regime=p.regime, period=p.period_text())
        for lang in ("en", "da"):
            for label, value in explain_fields(verdict, rules, lang):
                out.append((f"explain {p.id} {p.period_text()} {lang}: {label}", value))
    return out


def test_no_reader_facing_text_cites_a_seed_number_or_a_working_notes_file() -> None:
    bad = [(where, m.group(0)) for where, text in _reader_texts()
           if (m := FORBIDDEN.search(text))]
    assert bad == []


def test_the_forbidden_pattern_catches_what_it_should() -> None:
    for text in ("seed 003:1594", "(seed 000)", "LEGAL_REVIEW.md item 5",
                 "003_00d4d060e1c05dc9.txt"):
        assert FORBIDDEN.search(text), text
        assert not FORBIDDEN.search(cite(text)), cite(text)


def test_a_citation_gives_the_bibliographys_short_title_and_lines() -> None:
    assert cite("seed 003:1594-1596 (the audit's citation)") == \
        "Fokusrevisionen (2022), ll. 1594–1596 (the audit's citation)"
    assert cite("(000:199)", link="sources.md") == \
        "([Vejledning om datadeling (2022)](sources.md), l. 199)"
    assert cite("lov nr. 1000 af 2003 § 3") == "lov nr. 1000 af 2003 § 3"


def test_the_bibliography_mapping_is_the_sources_pages_table() -> None:
    page = (ROOT / "docs" / "sources.md").read_text("utf-8")
    for key, entry in BIBLIOGRAPHY.items():
        assert f"| `{key}` | *{entry.short}* |" in page, key


def test_every_reading_has_a_danish_text_and_none_is_an_orphan() -> None:
    rules = default_rules()
    assert check(rules) == []
    for p in rules.rules:
        if p.reading:
            assert reading_da(p), (p.id, p.period_text())


@pytest.mark.parametrize("change, problem", [
    (lambda t: t.pop("cp29_cv_available"), "cp29_cv_available: no Danish reading"),
    (lambda t: t.update(cp99_gone="x"), "cp99_gone: a Danish reading of no rule"),
    (lambda t: t.update(cp01_first_conversation="én"), "one Danish reading for 2 readings"),
    (lambda t: t.update(cp12_minimum_conversations={"2014-01-01": "x"}),
     "cp12_minimum_conversations: no Danish reading for the period from 2020-01-01"),
    (lambda t: t.update(cp29_cv_available={"2014-01-01": "x", "2022-01-01": "y"}),
     "a Danish reading from 2022-01-01, where no reading of its own starts"),
])
def test_a_missing_or_orphaned_danish_reading_is_found(change, problem) -> None:  # type: ignore[no-untyped-def]
    texts = dict(danish_readings())
    change(texts)
    assert any(problem in p for p in check(default_rules(), texts)), check(default_rules(),
                                                                           texts)


def test_the_danish_reading_follows_the_period() -> None:
    rules = default_rules()
    old = rules.period_on("cp12_minimum_conversations", date(2019, 6, 1))
    new = rules.period_on("cp12_minimum_conversations", date(2021, 6, 1))
    assert old is not None and new is not None
    assert (reading_da(old) or "").startswith("Før 2020")
    assert (reading_da(new) or "").startswith("Fra 2020")
