"""The compliance report as one self-contained HTML file (inline CSS and SVG, no scripts, no
external resources): opens offline, prints, and can be archived with the log it came from.

Per control point: a bar of the share met with numerator / denominator, the focus audit's
2018–2020 share as a marker (labelled as the audit's figure, not ours), and one bar per
visitation group. Then a table of the cases with missed points, each linking to the case's
explanation section further down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import TYPE_CHECKING

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.report.explain import explain_fields, status_word
from ungeforloeb.rules.verdict import Status, Verdict

if TYPE_CHECKING:
    from ungeforloeb.projections.compliance import ComplianceReport

GROUPS = (("AAUP", "ÅUP"), ("UP", "UP"), ("AP", "AP"))
BAR_W = 240
"""Width in pixels of a 100 % bar (all cases)."""
GROUP_BAR_W = 80
"""Width in pixels of a 100 % bar of one visitation group."""

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1f24}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.meta{color:#57606a;font-size:12px;margin-bottom:16px;max-width:1100px}
.meta code{font-size:11px;word-break:break-all}
table{border-collapse:collapse}table.points{table-layout:fixed;width:1290px}
table.cases{min-width:800px}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #d0d7de}
th{background:#f6f8fa;font-weight:600}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.cp{white-space:nowrap;font-weight:600;width:2.5em}.rule{color:#57606a;font-size:12px}
svg.bar{display:block;overflow:visible}
.legend{font-size:12px;color:#57606a;margin:8px 0}
.legend span{display:inline-block;margin-right:16px}
.sw{display:inline-block;width:10px;height:10px;vertical-align:middle;margin-right:4px}
.missed{color:#a40e26;font-weight:600}.met{color:#116329}.due{color:#9a6700}
section.case{border-top:1px solid #d0d7de;padding-top:8px;margin-top:12px}
section.case:target{background:#fff8c5}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:4px 0 12px}
dt{color:#57606a}dd{margin:0}
"""


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def _bar(met: int, denominator: int, *, reference: float | None = None, height: int = 14,
         label: str = "", full: int = BAR_W) -> str:
    """An SVG bar: grey track, filled share, an optional marker at the audit's share."""
    share = met / denominator if denominator else None
    width = round(full * share) if share is not None else 0
    text = f"{met}/{denominator} ({_pct(share)})" if denominator else "none judged"
    ref = ""
    if reference is not None:
        x = round(full * reference)
        ref = (f'<line class="ref" x1="{x}" x2="{x}" y1="-3" y2="{height + 3}" '
               f'stroke="#0b0f14" stroke-width="2"><title>audit 2018–20 (not ours): '
               f'{_pct(reference)}</title></line>')
    title = escape(f"{label}: {text}" if label else text)
    return (f'<svg class="bar" width="{full + 88}" height="{height}" role="img" '
            f'aria-label="{title}" data-met="{met}" data-denominator="{denominator}">'
            f'<title>{title}</title>'
            f'<rect class="track" x="0" y="0" width="{full}" height="{height}" fill="#eaeef2"/>'
            f'<rect class="fill" x="0" y="0" width="{width}" height="{height}" '
            f'fill="#2da44e"/>{ref}'
            f'<text x="{full + 6}" y="{height - 3}" font-size="11" fill="#1b1f24">'
            f'{escape(text)}</text></svg>')


def _verdict_rows(verdicts: Iterable[Verdict]) -> dict[str, list[Verdict]]:
    by_case: dict[str, list[Verdict]] = {}
    for v in verdicts:
        by_case.setdefault(v.case_id, []).append(v)
    return by_case


_DA = {
    "Compliance as of": "Overholdelse pr.", "known at": "som kendt",
    "cases": "sager", "verdicts": "afgørelser", "verdict digest": "afgørelsernes digest",
    "rules": "regler", "Control points": "Kontrolpunkter", "rule": "regel",
    "share met": "andel opfyldt", "audit 2018–20": "revisionen 2018–20",
    "Cases with missed points": "Sager med kontrolpunkter ikke opfyldt", "case": "sag",
    "group": "målgruppe", "caseworker": "sagsbehandler", "missed": "ikke opfyldt",
    "control points missed": "kontrolpunkter ikke opfyldt", "Explanations": "Forklaringer",
    "Case": "Sag", "back to the cases": "tilbage til sagerne", "log": "log",
    "legend_share": "andel opfyldt = opfyldt / (opfyldt + ikke opfyldt)",
    "legend_ref": "fokusrevisionens andel 2018–20 (deres tal, ikke vores)",
    "legend_left": "frist løber, gælder ikke og ikke dokumenteret tælles ikke med",
}
_EN = {"legend_share": "share met = met / (met + missed)",
       "legend_ref": "the focus audit\'s 2018–20 share (their figure, not ours)",
       "legend_left": "due, not applicable and not documented are left out"}


def _t(text: str, lang: str) -> str:
    return _DA.get(text, text) if lang == "da" else _EN.get(text, text)


def render_html(report: ComplianceReport, files: Mapping[str, CaseFile] | None = None, *,
                source: str | None = None, cases: int | None = None,
                verdicts: int | None = None, lang: str = "en") -> str:
    """The report as a self-contained HTML document (a string), in English or Danish
    (``lang="da"``: headings, status words, event names as the glossary gives them, each
    explanation with the rule's Danish quote and its reading).

    ``cases`` and ``verdicts`` give the counts when ``report`` holds only the verdicts the page
    shows (a streamed audit keeps those of the cases with a missed verdict); by default they are
    counted from ``files`` and the report."""
    from ungeforloeb.projections.compliance import reference_text

    known = (f", {_t('known at', lang)} {report.known_at.isoformat()}"
             if report.known_at else "")
    title = f"{_t('Compliance as of', lang)} {report.as_of.isoformat()}{known}"
    out: list[str] = [
        "<!DOCTYPE html>", f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p class="meta">',
    ]
    if source:
        out.append(f"{_t('log', lang)} <code>{escape(source)}</code> · ")
    if cases is None:
        cases = len(files) if files is not None else len({v.case_id for v in report.verdicts})
    if verdicts is None:
        verdicts = len(report.verdicts)
    out.append(f"{cases} {_t('cases', lang)} · {verdicts} {_t('verdicts', lang)} · "
               f"{_t('verdict digest', lang)} <code>{report.digest()}</code> · "
               f"{_t('rules', lang)} <code>{escape(report.rules.digest)}</code></p>")
    out.append('<p class="legend"><span><i class="sw" style="background:#2da44e"></i>'
               f'{_t("legend_share", lang)}</span><span><i class="sw" style="background:#0b0f14;'
               f'width:2px"></i>{_t("legend_ref", lang)}'
               f'</span><span>{_t("legend_left", lang)}</span></p>')
    out.append(f'<h2 id="control-points">{_t("Control points", lang)}</h2><table class="points">'
               '<colgroup><col style="width:44px"><col style="width:270px">'
               '<col style="width:360px"><col style="width:170px"><col style="width:170px">'
               '<col style="width:170px"><col style="width:106px"></colgroup><thead><tr>'
               f"<th>CP</th><th>{_t('rule', lang)}</th><th>{_t('share met', lang)}</th>"
               + "".join(f"<th>{label}</th>" for _, label in GROUPS)
               + f'<th class="num">{_t("audit 2018–20", lang)}</th></tr></thead><tbody>')
    for r in report.rows():
        by = {g.group: g for g in r.by_group}
        audit = reference_text(r)
        cells = [f'<td class="cp">{escape(r.control_point or "")}</td>',
                 f'<td>{escape(r.description)}<div class="rule">{escape(r.rule_id)} · '
                 f"{escape(r.legal_source)}</div></td>",
                 f'<td data-rule="{escape(r.rule_id)}">'
                 f'{_bar(r.met, r.denominator, reference=r.audit_share, label="all")}</td>']
        for code, label in GROUPS:
            g = by.get(code)
            bar = _bar(g.met if g else 0, g.denominator if g else 0, height=10, label=label,
                       full=GROUP_BAR_W)
            cells.append(f'<td data-group="{code}">{bar}</td>')
        cells.append(f'<td class="num">{escape(audit)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")

    by_case = _verdict_rows(report.verdicts)
    missed_cases = {k: vs for k, vs in by_case.items()
                    if any(v.status is Status.MISSED for v in vs)}
    out.append(f'<h2 id="missed">{_t("Cases with missed points", lang)} '
               f'({len(missed_cases)})</h2>')
    out.append(f'<table class="cases"><thead><tr><th>{_t("case", lang)}</th>'
               f'<th>{_t("group", lang)}</th><th>{_t("caseworker", lang)}</th>'
               f'<th class="num">{_t("missed", lang)}</th>'
               f'<th>{_t("control points missed", lang)}</th></tr></thead><tbody>')
    for case_id, vs in missed_cases.items():
        missed = [v for v in vs if v.status is Status.MISSED]
        first = vs[0]
        points = ", ".join(dict.fromkeys(v.control_point or v.rule_id for v in missed))
        out.append(f'<tr><td><a href="#case-{escape(case_id)}">{escape(case_id[:8])}</a></td>'
                   f"<td>{escape(first.group or '–')}</td>"
                   f"<td>{escape(first.caseworker_id or '–')}</td>"
                   f'<td class="num">{len(missed)}</td><td>{escape(points)}</td></tr>')
    out.append("</tbody></table>")
    out.append(f'<h2 id="explanations">{_t("Explanations", lang)}</h2>')
    for case_id, vs in missed_cases.items():
        out.append(f'<section class="case" id="case-{escape(case_id)}">'
                   f"<h3>{_t('Case', lang)} {escape(case_id)}</h3>")
        for v in vs:
            if v.status not in (Status.MISSED, Status.DUE):
                continue
            subject = f" [{v.subject}]" if v.subject else ""
            out.append(f'<p><b>{escape(v.rule_id)}{escape(subject)}</b>: '
                       f'<span class="{v.status.value}">'
                       f'{escape(status_word(v.status.value, lang))}</span></p><dl>')
            fields = explain_fields(v, report.rules, lang) if lang == "da" else (
                    ("control point", v.control_point or "–"),
                    ("clock started by", v.clock_start.text() if v.clock_start else "–"),
                    ("due on", v.due_on.isoformat() if v.due_on else "–"),
                    ("met by", v.met_by.text() if v.met_by else "none"),
                    ("legal source", v.legal_source),
                    ("explanation", v.explanation))
            for label, value in fields:
                out.append(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>")
            out.append("</dl>")
        out.append(f'<p><a href="#missed">{_t("back to the cases", lang)}</a></p></section>')
    out.append("</body></html>\n")
    return "\n".join(out)
