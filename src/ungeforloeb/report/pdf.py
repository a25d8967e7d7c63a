"""The summary of the compliance report as a PDF for the audit file (``audit --format pdf``).

One A4 document, Danish by default: the header of the HTML report (municipality, period, the
log's final hash, counts, digests, library and rule versions), the legend, and per control point
our share, the audit's reference and how the two compare — in words, so that a grey-scale print
says it too. The breakdowns and the cases stay in the HTML report.

Made with fpdf2 (pure Python; its core fonts cover Danish letters), so vendors need no system
libraries. Text outside Latin-1 (dashes, the comparison's symbols) is written in Latin-1 forms.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from ungeforloeb import __version__
from ungeforloeb.report.html import (
    COLOURS,
    TEXT,
    Breakdown,
    LogFacts,
    _ours,
    _period,
    compare,
    long_date,
    number,
    percent,
)

if TYPE_CHECKING:
    from ungeforloeb.projections.compliance import ComplianceReport

_LATIN1 = str.maketrans({"–": "-", "—": "-", "…": "...", "’": "'", "‘": "'", "“": '"',
                         "”": '"', "≥": ">=", "≤": "<="})
_FILL = {k: tuple(int(v[i:i + 2], 16) for i in (1, 3, 5)) for k, v in COLOURS.items()}


def _text(s: str) -> str:
    """Text the core fonts can write (Latin-1)."""
    return s.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def render_pdf(report: ComplianceReport, *, lang: str = "da", log: LogFacts | None = None,
               breakdown: Breakdown | None = None, cases: int | None = None,
               verdicts: int | None = None) -> bytes:
    """The report's summary as PDF bytes."""
    from ungeforloeb.projections.compliance import reference_text

    t = TEXT[lang]
    log = log or LogFacts()
    breakdown = breakdown or Breakdown.of_verdicts(report)
    if cases is None:
        cases = len({v.case_id for v in report.verdicts})
    if verdicts is None:
        verdicts = len(report.verdicts)
    title = f"{t['title']} {long_date(report.as_of, lang)}"
    if report.known_at:
        title += f", {t['known_at']} {long_date(report.known_at, lang)}"

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_text(title))
    pdf.set_creator(_text(f"ungeforloeb {__version__}"))
    # the day judged, not the clock: the same report gives the same bytes
    pdf.set_creation_date(datetime.combine(report.as_of, time(), UTC))
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 7, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    facts = []
    if log.municipality:
        facts.append((t["municipality"], log.municipality))
    facts.append((t["period"], _period(breakdown, report.as_of, lang)))
    if log.source:
        events = f" · {number(log.event_count, lang)} {t['events']}" \
            if log.event_count is not None else ""
        facts.append((t["log"], log.source + events))
    if log.final_hash:
        facts.append((t["final_hash"], log.final_hash))
    facts.append((t["scope"], f"{number(cases, lang)} {t['cases']} · "
                              f"{number(verdicts, lang)} {t['verdicts']}"))
    facts.append((t["verdict_digest"], report.digest()))
    made = __version__ + (f" ({t['exported_by']} {log.exported_by})" if log.exported_by else "")
    facts.append((t["library"], made))
    facts.append((t["rules_digest"], report.rules.digest))
    regimes = ", ".join(f"{rid} {sha[:12]}" for rid, sha in sorted(log.regimes.items()))
    if regimes:
        facts.append((t["rules"], regimes))
    pdf.set_font("Helvetica", "", 8.5)
    for name, value in facts:
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.cell(42, 4.6, _text(name))
        pdf.set_font("Helvetica", "", 8.5)
        pdf.multi_cell(0, 4.6, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _text(f"{t['legend']} {t['legend_share']}."),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 8)
    with pdf.table(col_widths=(9, 78, 22, 14, 30, 29), text_align=(
            "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"), line_height=4,
            cell_fill_mode=TableCellFillMode.NONE, first_row_as_headings=True) as table:
        head = table.row()
        for h in (t["cp"], t["rule"], f"{t['met']}/{t['judged']}", "%", t["audit"], ""):
            head.cell(_text(h))
        for r in report.rows():
            met, judged = _ours(r)
            share = met / judged if judged else None
            compared = compare(share, r.audit_share)
            row = table.row()
            row.cell(_text(r.control_point or ""))
            row.cell(_text(r.description))
            row.cell(_text(f"{number(met, lang)}/{number(judged, lang)}" if judged else "-"))
            row.cell(_text(percent(share, lang)))
            row.cell(_text(reference_text(r) or "-"))
            row.cell(_text(t[compared]), style=FontFace(color=_FILL[compared],
                                                        emphasis="BOLD"))
    return bytes(pdf.output())


__all__ = ["render_pdf"]
