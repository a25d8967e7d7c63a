"""docs/rules.md is generated from the rule data and cannot drift from it."""

from __future__ import annotations

from pathlib import Path

from ungeforloeb.docsgen import TARGETS
from ungeforloeb.projections.compliance import load_rules
from ungeforloeb.rules.citations import BIBLIOGRAPHY_PAGE, cite
from ungeforloeb.rules.docs import render_rules

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    assert DOC.exists(), "docs/rules.md is missing: run python -m ungeforloeb.docsgen"
    assert DOC.read_text(encoding="utf-8") == render_rules(), (
        "docs/rules.md differs from the rule data: run python -m ungeforloeb.docsgen")


def test_docs_rules_md_is_a_registered_target() -> None:
    assert TARGETS["docs/rules.md"] is render_rules


def test_every_rule_period_source_certainty_and_reading_is_listed() -> None:
    text = render_rules()
    rules = load_rules()
    for rule in rules.rules:
        assert f"### `{rule.id}`" in text
        assert rule.period_text() in text
        shown = (lambda t: cite(t, link=BIBLIOGRAPHY_PAGE))  # noqa: E731 - sources cited so
        for source in rule.sources:
            assert shown(source.text.replace("|", "\\|")) in text
            assert shown(source.certainty.replace("|", "\\|")) in text
        if rule.reading:
            assert shown(rule.reading) in text
    for regime in rules.regimes:
        assert f"`{regime.file}` (`{regime.sha256[:12]}`)" in text
