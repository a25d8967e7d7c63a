"""All law lives in the rule data: Python outside ``rules/`` holds no paragraph, no statute's
number and no date of the law.

A date of the law in Python (``date(2022, 1, 1)``), a paragraph sign or a citation of an act
(``LAB``, ``LBK``, ``lov nr.``) outside ``src/ungeforloeb/rules/`` fails this test: put it in a
regime file (``rules/regimes/*.toml``) as a rule, a period, a source or a parameter.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "ungeforloeb"
LAW = re.compile(r"§|\blov nr\.|\bLBK\b|\bBEK\b|\bLAB\b|\bLAS\b|\bdate\(\s*(19|20)\d\d\b")


def _python_outside_rules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "rules" not in p.relative_to(
        PACKAGE).parts[:1]]


def test_no_law_in_python_outside_the_rule_data() -> None:
    files = _python_outside_rules()
    assert len(files) > 30  # the scan sees the package
    found = [f"{p.relative_to(PACKAGE)}:{n}: {line.strip()}"
             for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if LAW.search(line)]
    assert found == []


def test_the_scan_would_see_law_if_it_were_there() -> None:
    for text in ("in_force_from = date(2022, 1, 1)", "LAB § 30 stk. 7", "lov nr. 548",
                 "LBK nr. 1342"):
        assert LAW.search(text), text
    for text in ("date(self.year, 1, 1)", "date.fromisoformat(x)", "LABEL"):
        assert not LAW.search(text), text
