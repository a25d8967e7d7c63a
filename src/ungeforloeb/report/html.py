"""The compliance report as HTML: one self-contained page (inline CSS and SVG, no scripts, no
external resources) that opens offline, prints and can be archived with the log it came from,
and — when written to a file — one page per control point beside it with every case behind its
missed and not documented verdicts.

Danish by default (``lang="da"``; ``"en"`` for English), with Danish number and date formats
(1.234,5; 30. november 2026). The page is made for a phone (375 px) as well as a desk: its
sections stack and only wide tables scroll inside their own box.

**Colour encodes our share against the audit's reference** (the focus audit's 2018–2020 share of
the rule; :func:`compare`): *better* (ours at least :data:`BAND` above), *about the same* (within
:data:`BAND` either way), *worse* (at least :data:`BAND` below), or *no reference*. Every coloured
mark also carries the word and a symbol (▲ ● ▼ ○), so colour is never the only signal. A team's or
a month's share is held against the same reference; a caseworker's share over every rule is held
against the municipality's own share over every rule (said so on the page).

**Breakdowns**: per control point the share by visitation group, by team and per month (a small
SVG trend: the share of the verdicts whose deadline fell in that month, with the reference as a
dashed line), and the share per caseworker over every rule.

**Explanations on demand**: each control point is a collapsible section with the rule's own
words and reading, and the first :data:`EXAMPLES` cases behind its missed and not documented
verdicts, each with the fields that explain it; the page beside the report lists them all.
At 20,000 young people the main page stays well under 10 MB (see the browser test).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ungeforloeb import __version__
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.report.explain import explain_fields, status_word
from ungeforloeb.report.explain import label as field_label
from ungeforloeb.report.labels import EVENT_LABELS
from ungeforloeb.rules.translations import reading_da
from ungeforloeb.rules.verdict import Status, Verdict

if TYPE_CHECKING:
    from ungeforloeb.projections.compliance import (
        CaseworkerRow,
        ComplianceReport,
        ComplianceRow,
    )
    from ungeforloeb.rules.model import RuleSet

LANGS = ("da", "en")
GROUPS = (("AAUP", "ÅUP"), ("UP", "UP"), ("AP", "AP"))
BAND = 0.05
"""Half the width of *about the same*: a share within 5 percentage points of the reference."""
EXAMPLES = 5
"""Cases shown per control point on the main page (the page beside it lists them all)."""
BAR_W = 240
"""Width in pixels of a 100 % bar (all cases)."""
GROUP_BAR_W = 80
"""Width in pixels of a 100 % bar of one visitation group, team or caseworker."""
_JUDGED = (Status.MET, Status.MISSED, Status.UNUSED)
_LISTED = (Status.MISSED, Status.NOT_DOCUMENTED)

COMPARED = ("better", "same", "worse", "none")
COLOURS = {"better": "#0969da", "same": "#6e7781", "worse": "#cf4a00", "none": "#c1c8cf"}
"""Blue, grey and orange: told apart also by people who do not tell red from green."""
SYMBOLS = {"better": "▲", "same": "●", "worse": "▼", "none": "○"}

TEXT: dict[str, dict[str, str]] = {
    "da": {
        "title": "Overholdelse af kontrolpunkterne pr.", "known_at": "som kendt",
        "municipality": "Kommune", "period": "Periode", "log": "Log", "final_hash":
        "loggens sidste hash", "events": "hændelser", "cases": "unge", "verdicts": "afgørelser",
        "verdict_digest": "afgørelsernes digest", "library": "Lavet med ungeforloeb",
        "exported_by": "loggen skrevet af ungeforloeb", "rules": "Regelsæt",
        "rules_digest": "reglernes digest", "regime": "regelsæt", "log_hash": "i loggen",
        "ours_hash": "i dette bibliotek", "differs": "afviger",
        "better": "bedre end revisionen", "same": "på niveau med revisionen",
        "worse": "dårligere end revisionen", "none": "ingen reference",
        "legend": "Farven sammenligner vores andel med fokusrevisionens andel 2018–20 "
                  "(deres tal, ikke vores): på niveau = højst 5 procentpoint fra.",
        "legend_share": "andel opfyldt = opfyldt / (opfyldt + ikke opfyldt); frist løber, gælder "
                        "ikke og ikke dokumenteret tælles ikke med",
        "legend_ref": "lodret streg / stiplet linje: revisionens andel",
        "summary": "Overblik", "cp": "KP", "rule": "kontrolpunkt", "share": "andel opfyldt",
        "audit": "revisionen 2018–20", "trend": "udvikling pr. måned",
        "control_points": "Kontrolpunkterne", "group": "målgruppe", "team": "team",
        "by_team": "Pr. team", "by_month": "Pr. måned (måneden fristen faldt i)",
        "by_caseworker": "Pr. sagsbehandler (alle kontrolpunkter)",
        "caseworker_note": "Farven sammenligner sagsbehandlerens andel med kommunens egen andel "
                           "over alle kontrolpunkter",
        "caseworker": "sagsbehandler", "met": "opfyldt", "missed": "ikke opfyldt",
        "due": "frist løber", "not_documented": "ikke dokumenteret",
        "not_applicable": "gælder ikke", "unused": "ret ikke brugt",
        "month": "måned", "count": "antal", "none_judged": "ingen vurderet",
        "explain": "Forklaringer: sagerne bag ikke opfyldt og ikke dokumenteret",
        "quote": "lovens ord", "reading": "læsning",
        "case": "sag", "status": "status", "clock": "fristen startede ved", "due_on": "frist",
        "met_by": "gjort ved", "explanation": "forklaring (på engelsk)",
        "first": "de første", "of": "af", "all_cases": "alle sagerne",
        "no_pages": "Skriv rapporten til en fil (--out) for at få siderne med alle sagerne.",
        "no_cases": "Ingen sager med ikke opfyldt eller ikke dokumenteret.",
        "back": "tilbage til rapporten", "our_share": "kommunens andel",
        "total": "i alt", "legal_source": "retsgrundlag", "page_of": "Sagerne bag kontrolpunkt",
        "ours_on_population": "vores på revisionens population",
        "no_team": "uden team", "no_caseworker": "uden sagsbehandler", "scope": "Omfang",
        "judged": "vurderet",
    },
    "en": {
        "title": "Compliance with the control points as of", "known_at": "known at",
        "municipality": "Municipality", "period": "Period", "log": "Log", "final_hash":
        "the log's final hash", "events": "events", "cases": "young people",
        "verdicts": "verdicts", "verdict_digest": "verdict digest",
        "library": "Made with ungeforloeb", "exported_by": "log written by ungeforloeb",
        "rules": "Rule sets", "rules_digest": "rules digest", "regime": "regime",
        "log_hash": "in the log", "ours_hash": "in this library", "differs": "differs",
        "better": "better than the audit", "same": "about the same as the audit",
        "worse": "worse than the audit", "none": "no reference",
        "legend": "The colour compares our share with the focus audit's 2018–20 share (their "
                  "figure, not ours): about the same = within 5 percentage points.",
        "legend_share": "share met = met / (met + missed); due, not applicable and not "
                        "documented are left out",
        "legend_ref": "vertical mark / dashed line: the audit's share",
        "summary": "Overview", "cp": "CP", "rule": "control point", "share": "share met",
        "audit": "audit 2018–20", "trend": "trend per month",
        "control_points": "The control points", "group": "group", "team": "team",
        "by_team": "By team", "by_month": "By month (the month the deadline fell in)",
        "by_caseworker": "By caseworker (every control point)",
        "caseworker_note": "The colour compares the caseworker's share with the municipality's "
                           "own share over every control point",
        "caseworker": "caseworker", "met": "met", "missed": "missed", "due": "due",
        "not_documented": "not documented", "not_applicable": "not applicable",
        "unused": "unused", "month": "month", "count": "count", "none_judged": "none judged",
        "explain": "Explanations: the cases behind missed and not documented",
        "quote": "the law's words", "reading": "reading", "case": "case", "status": "status",
        "clock": "clock started by", "due_on": "due on", "met_by": "done by",
        "explanation": "explanation", "first": "the first", "of": "of",
        "all_cases": "all the cases",
        "no_pages": "Write the report to a file (--out) to get the pages with every case.",
        "no_cases": "No cases with missed or not documented verdicts.",
        "back": "back to the report", "our_share": "the municipality's share",
        "total": "total", "legal_source": "legal source", "page_of": "The cases behind control "
        "point", "ours_on_population": "ours on the audit's population",
        "no_team": "no team", "no_caseworker": "no caseworker", "scope": "Counted",
        "judged": "judged",
    },
}

_MONTHS = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


# ------------------------------------------------------------------------------ formats



def _words_of(rules: RuleSet, rule_id: str, lang: str) -> tuple[list[str], str]:
    """The law's quotes and our reading of the rule's latest period (the reading in Danish
    where one was written, for ``lang`` "da")."""
    shown = rules.latest(rule_id) if rule_id in rules.ids else None
    if shown is None:
        return [], ""
    quotes = list(dict.fromkeys(s.quote for s in shown.sources if s.quote))
    reading = (reading_da(shown) if lang == "da" else None) or shown.reading or ""
    return quotes, reading

def number(x: float, lang: str = "da", decimals: int = 0) -> str:
    """A number as the language writes it: Danish 1.234,5 (point between thousands, comma
    before decimals); English 1,234.5."""
    text = f"{x:,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(share: float | None, lang: str = "da") -> str:
    """A share as a whole percentage (Danish with a space before the sign: 45 %)."""
    if share is None:
        return "–"
    return f"{number(100 * share, lang)} %" if lang == "da" else f"{number(100 * share, lang)}%"


def long_date(day: date, lang: str = "da") -> str:
    """A day in words: 30. november 2026 (Danish), 30 November 2026 (English)."""
    month = _MONTHS[lang][day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "da" else f"{day.day} {month} {day.year}"


def month_name(month: str, lang: str = "da", short: bool = False) -> str:
    """``"2024-03"`` as ``marts 2024`` (``short``: ``mar``)."""
    year, m = int(month[:4]), int(month[5:7])
    name = _MONTHS[lang][m - 1]
    return name[:3] if short else f"{name} {year}"


def compare(share: float | None, reference: float | None) -> str:
    """Our share against the audit's reference: ``better``, ``same``, ``worse`` or ``none``
    (no reference, or nothing judged). Within :data:`BAND` either way is ``same``."""
    if share is None or reference is None:
        return "none"
    if share >= reference + BAND - 1e-9:
        return "better"
    if share <= reference - BAND + 1e-9:
        return "worse"
    return "same"


def _share(met: int, judged: int) -> float | None:
    return met / judged if judged else None


# ---------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class LogFacts:
    """What the header says of the log the report was made from."""

    source: str | None = None
    municipality: str | None = None
    final_hash: str | None = None
    event_count: int | None = None
    exported_by: str | None = None
    """The library version that wrote the log."""
    regimes: Mapping[str, str] = field(default_factory=dict)
    """Rule regime id → SHA-256 of its data, as the log's header names them."""


@dataclass(frozen=True)
class Breakdown:
    """Counts behind the breakdowns: per (rule, team) and per (rule, month) [met, judged], and
    per caseworker (met, missed, due over every rule). A streamed audit's tally has them
    (:class:`ungeforloeb.interchange.audit.Tally`); :meth:`of_verdicts` counts them from
    verdicts."""

    teams: Mapping[tuple[str, str], Sequence[int]]
    months: Mapping[tuple[str, str], Sequence[int]]
    caseworkers: Sequence[CaseworkerRow]

    @classmethod
    def of_verdicts(cls, report: ComplianceReport) -> Breakdown:
        """Counted from a whole report's verdicts (as the audit's tally counts them)."""
        teams: dict[tuple[str, str], list[int]] = {}
        months: dict[tuple[str, str], list[int]] = {}
        for v in report.verdicts:
            if v.status not in _JUDGED:
                continue
            met = v.status is Status.MET
            t = teams.setdefault((v.rule_id, v.team_id or ""), [0, 0])
            t[0] += met
            t[1] += 1
            day = v.due_on or (v.clock_start.on if v.clock_start else None)
            if day is not None:
                m = months.setdefault((v.rule_id, day.isoformat()[:7]), [0, 0])
                m[0] += met
                m[1] += 1
        return cls(teams, months, report.by_caseworker())


@dataclass
class _Mark:
    """A share drawn: counts, the share, how it compares and its words."""

    met: int
    judged: int
    share: float | None
    compared: str
    label: str


def _mark(met: int, judged: int, reference: float | None, lang: str, label: str = "") -> _Mark:
    share = _share(met, judged)
    return _Mark(met, judged, share, compare(share, reference), label)


# ------------------------------------------------------------------------------ drawing


def _bar(m: _Mark, lang: str, *, reference: float | None = None, full: int = BAR_W,
         height: int = 14) -> Markup:
    """An SVG bar: grey track, the share filled in the colour of its comparison, a marker at
    the reference, and the figure in words (with the comparison's symbol)."""
    t = TEXT[lang]
    width = round(full * m.share) if m.share is not None else 0
    figure = (f"{number(m.met, lang)}/{number(m.judged, lang)} ({percent(m.share, lang)})"
              if m.judged else t["none_judged"])
    words = f"{m.label}: {figure}" if m.label else figure
    if m.compared != "none" or reference is not None:
        words += f" – {t[m.compared]}"
    ref = ""
    if reference is not None:
        x = round(full * reference)
        ref = (f'<line class="ref" x1="{x}" x2="{x}" y1="-3" y2="{height + 3}" '
               f'stroke="#1b1f24" stroke-width="2"><title>{escape(t["audit"])}: '
               f'{escape(percent(reference, lang))}</title></line>')
    text = f"{SYMBOLS[m.compared]} {percent(m.share, lang)}" if m.judged else "–"
    return Markup(
        f'<svg class="bar {m.compared}" viewBox="-2 -4 {full + 58} {height + 8}" '
        f'width="{full + 60}" height="{height + 8}" role="img" '
        f'data-met="{m.met}" data-denominator="{m.judged}" data-compared="{m.compared}">'
        f"<title>{escape(words)}</title>"
        f'<rect class="track" x="0" y="0" width="{full}" height="{height}" fill="#eaeef2"/>'
        f'<rect class="fill" x="0" y="0" width="{width}" height="{height}" '
        f'fill="{COLOURS[m.compared]}"/>{ref}'
        f'<text x="{full + 5}" y="{height - 3}" font-size="11" fill="#1b1f24">'
        f"{escape(text)}</text></svg>")


def _trend(points: Sequence[tuple[str, _Mark]], reference: float | None, lang: str,
           *, width: int = 220, height: int = 56) -> Markup:
    """A small SVG line of the share per month (0–100 %), each point coloured by its
    comparison, the reference as a dashed line; the months named at both ends."""
    if not points:
        return Markup(f'<span class="muted">{escape(TEXT[lang]["none_judged"])}</span>')
    pad, top, bottom = 6, 4, 14
    inner_w, inner_h = width - 2 * pad, height - top - bottom
    step = inner_w / max(1, len(points) - 1)

    def y(share: float) -> float:
        return round(top + inner_h * (1 - share), 1)

    coords = [(round(pad + i * step, 1), y(m.share)) for i, (_, m) in enumerate(points)
              if m.share is not None]
    parts = [f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" data-months="{len(points)}"',
             f' aria-label="{escape(TEXT[lang]["trend"])}">',
             f'<rect x="{pad}" y="{top}" width="{inner_w}" height="{inner_h}" fill="#f6f8fa"/>']
    if reference is not None:
        parts.append(f'<line class="ref" x1="{pad}" x2="{width - pad}" y1="{y(reference)}" '
                     f'y2="{y(reference)}" stroke="#1b1f24" stroke-dasharray="3 2"/>')
    if len(coords) > 1:
        parts.append('<polyline fill="none" stroke="#57606a" stroke-width="1.5" points="'
                     + " ".join(f"{x},{yy}" for x, yy in coords) + '"/>')
    for i, (month, m) in enumerate(points):
        if m.share is None:
            continue
        words = (f"{month_name(month, lang)}: {number(m.met, lang)}/{number(m.judged, lang)} "
                 f"({percent(m.share, lang)}) – {TEXT[lang][m.compared]}")
        parts.append(f'<circle class="pt {m.compared}" cx="{round(pad + i * step, 1)}" '
                     f'cy="{y(m.share)}" r="2.6" fill="{COLOURS[m.compared]}" '
                     f'data-share="{m.share:.4f}"><title>{escape(words)}</title></circle>')
    first, last = points[0][0], points[-1][0]
    parts.append(f'<text x="{pad}" y="{height - 2}" font-size="10" fill="#57606a">'
                 f"{escape(month_name(first, lang, short=True))} {first[:4]}</text>")
    if last != first:
        parts.append(f'<text x="{width - pad}" y="{height - 2}" font-size="10" '
                     f'fill="#57606a" text-anchor="end">'
                     f"{escape(month_name(last, lang, short=True))} {last[:4]}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


# ------------------------------------------------------------------------------ the page


@dataclass
class _CaseLine:
    case: str
    short: str
    status: str
    status_class: str
    team: str
    caseworker: str
    clock: str
    regime: str
    due_on: str
    met_by: str
    explanation: str
    fields: list[tuple[str, str]]


@dataclass
class _Point:
    rule_id: str
    cp: str
    anchor: str
    description: str
    legal_source: str
    mark: _Mark
    bar: Markup
    trend: Markup
    reference: float | None
    audit_text: str
    groups: list[tuple[str, Markup]]
    teams: list[tuple[str, Markup]]
    months: list[tuple[str, Markup]]
    counts: list[tuple[str, str]]
    quotes: list[str]
    reading: str
    cases: list[_CaseLine]
    listed: int
    page: str | None


def _reference(r: ComplianceRow) -> float | None:
    return r.audit_share


def _ours(r: ComplianceRow) -> tuple[int, int]:
    """Our met and judged, on the audit's own population when the rule names one."""
    if r.reference_population and r.reference_denominator:
        return r.reference_met, r.reference_denominator
    return r.met, r.denominator


def _case_line(v: Verdict, rules: RuleSet, lang: str) -> _CaseLine:
    dash = "–"
    return _CaseLine(
        case=v.case_id, short=v.case_id[:8], status=status_word(v.status.value, lang),
        status_class=v.status.value, team=v.team_id or dash, caseworker=v.caseworker_id or dash,
        clock=_event(v.clock_start, lang), regime=v.regime or dash,
        due_on=long_date(v.due_on, lang) if v.due_on else dash,
        met_by=_event(v.met_by, lang), explanation=_gist(v),
        fields=[])


def _gist(v: Verdict) -> str:
    """The case's own part of the evaluator's explanation ("missed — not done by …"): its
    first sentence without the rule's description, which the page says once (the rule,
    source and population sentences after it are the same for every case of the rule)."""
    first = v.explanation.split(". Rule ", 1)[0]
    _, sep, rest = first.partition(": ")
    return rest if sep and rest else first


def _event(ref: Any, lang: str) -> str:
    if ref is None:
        return "–"
    name = EVENT_LABELS.get(ref.type, ref.type) if lang == "da" else ref.type
    return f"{name} #{ref.seq}, {long_date(ref.occurred_on, lang)}"


@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("ungeforloeb.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["number"] = number
    env.filters["percent"] = percent
    return env


def _slug(rule_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in rule_id)


def _points(report: ComplianceReport, breakdown: Breakdown, lang: str,
            pages: str | None, examples: int) -> list[_Point]:
    from ungeforloeb.projections.compliance import reference_text

    t = TEXT[lang]
    listed: dict[str, list[Verdict]] = {}
    for v in report.verdicts:
        if v.status in _LISTED:
            listed.setdefault(v.rule_id, []).append(v)
    teams: dict[str, list[tuple[str, Sequence[int]]]] = {}
    for (rule_id, team), counts in sorted(breakdown.teams.items()):
        teams.setdefault(rule_id, []).append((team, counts))
    months: dict[str, list[tuple[str, Sequence[int]]]] = {}
    for (rule_id, month), counts in sorted(breakdown.months.items()):
        months.setdefault(rule_id, []).append((month, counts))
    out = []
    for r in report.rows():
        ref = _reference(r)
        met, judged = _ours(r)
        mark = _mark(met, judged, ref, lang, "")
        by = {g.group: g for g in r.by_group}
        groups = []
        for code, label in GROUPS:
            g = by.get(code)
            gm = _mark(g.met if g else 0, g.denominator if g else 0, ref, lang, label)
            groups.append((label, _bar(gm, lang, reference=ref, full=GROUP_BAR_W, height=10)))
        team_bars = [(team or t["no_team"],
                      _bar(_mark(c[0], c[1], ref, lang, team or t["no_team"]), lang,
                           reference=ref, full=GROUP_BAR_W, height=10))
                     for team, c in teams.get(r.rule_id, [])]
        month_marks = [(month, _mark(c[0], c[1], ref, lang, month_name(month, lang)))
                       for month, c in months.get(r.rule_id, [])]
        month_bars = [(month_name(month, lang),
                       _bar(m, lang, reference=ref, full=GROUP_BAR_W, height=10))
                      for month, m in month_marks]
        status_counts = [(t[s], number(n, lang)) for s, n in (
            ("met", r.met), ("missed", r.missed), ("unused", r.unused), ("due", r.due),
            ("not_documented", r.not_documented), ("not_applicable", r.not_applicable)) if n]
        quotes, reading = _words_of(report.rules, r.rule_id, lang)
        vs = listed.get(r.rule_id, [])
        lines = []
        for v in vs[:examples]:
            line = _case_line(v, report.rules, lang)
            line.fields = [(k, val) for k, val in explain_fields(v, report.rules, lang)
                           if k not in (field_label("quote", lang), field_label("reading", lang))]
            lines.append(line)
        audit = reference_text(r)
        out.append(_Point(
            rule_id=r.rule_id, cp=r.control_point or "", anchor=f"cp-{_slug(r.rule_id)}",
            description=r.description, legal_source=r.legal_source, mark=mark,
            bar=_bar(mark, lang, reference=ref), trend=_trend(month_marks, ref, lang),
            reference=ref, audit_text=audit, groups=groups, teams=team_bars,
            months=month_bars, counts=status_counts, quotes=quotes, reading=reading, cases=lines,
            listed=len(vs),
            page=f"{pages}/{_slug(r.rule_id)}.html" if pages is not None and vs else None))
    return out


def _caseworkers(breakdown: Breakdown, lang: str) -> tuple[float | None, list[dict[str, Any]]]:
    t = TEXT[lang]
    met = sum(c.met for c in breakdown.caseworkers)
    judged = sum(c.denominator for c in breakdown.caseworkers)
    ours = _share(met, judged)
    rows = []
    for c in sorted(breakdown.caseworkers, key=lambda c: (c.team_id or "", c.caseworker_id or "")):
        name = c.caseworker_id or t["no_caseworker"]
        m = _mark(c.met, c.denominator, ours, lang, name)
        rows.append({"team": c.team_id or t["no_team"], "caseworker": name,
                     "met": number(c.met, lang), "missed": number(c.missed, lang),
                     "due": number(c.due, lang),
                     "bar": _bar(m, lang, reference=ours, full=GROUP_BAR_W, height=10)})
    return ours, rows


def _team_matrix(points: Sequence[_Point], breakdown: Breakdown,
                 lang: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Teams × control points: each cell the team's share, coloured against the rule's
    reference."""
    t = TEXT[lang]
    teams = sorted({team for _, team in breakdown.teams})
    rows = []
    for team in teams:
        cells = []
        for p in points:
            c = breakdown.teams.get((p.rule_id, team))
            m = _mark(c[0], c[1], p.reference, lang) if c else _mark(0, 0, None, lang)
            words = (f"{team or t['no_team']}, {t['cp']} {p.cp}: "
                     f"{number(m.met, lang)}/{number(m.judged, lang)} – {t[m.compared]}"
                     if m.judged else "")
            cells.append({"text": f"{SYMBOLS[m.compared]} {number(100 * m.share, lang)}"
                          if m.share is not None else "–", "compared": m.compared,
                          "title": words})
        rows.append({"team": team or t["no_team"], "cells": cells})
    return teams, rows


def _period(breakdown: Breakdown, as_of: date, lang: str) -> str:
    months = sorted({m for _, m in breakdown.months})
    if not months:
        return long_date(as_of, lang)
    first = month_name(months[0], lang)
    return f"{first} – {long_date(as_of, lang)}"


def render_html(report: ComplianceReport, files: Mapping[str, CaseFile] | None = None, *,
                source: str | None = None, cases: int | None = None,
                verdicts: int | None = None, lang: str = "da", log: LogFacts | None = None,
                breakdown: Breakdown | None = None, pages: str | None = None,
                examples: int = EXAMPLES) -> str:
    """The report as a self-contained HTML document (a string), in Danish (the default) or
    English (``lang="en"``).

    ``cases`` and ``verdicts`` give the counts when ``report`` holds only the verdicts the page
    lists (a streamed audit keeps the missed and not documented ones); by default they are
    counted from ``files`` and the report. ``log``: what the header says of the log;
    ``breakdown``: the counts by team, month and caseworker (by default counted from the
    report's verdicts, so give it for a streamed report); ``pages``: the folder, relative to
    the page, of the pages :func:`render_case_pages` makes (links to them); ``examples``: cases
    shown per control point."""
    if lang not in LANGS:
        raise ValueError(f"render_html: language {lang!r} is not one of {', '.join(LANGS)}")
    from ungeforloeb.interchange.audit import rule_regimes

    t = TEXT[lang]
    log = log or LogFacts(source=source)
    if log.source is None and source is not None:
        log = LogFacts(source, log.municipality, log.final_hash, log.event_count,
                       log.exported_by, log.regimes)
    breakdown = breakdown or Breakdown.of_verdicts(report)
    if cases is None:
        cases = len(files) if files is not None else len({v.case_id for v in report.verdicts})
    if verdicts is None:
        verdicts = len(report.verdicts)
    points = _points(report, breakdown, lang, pages, examples)
    ours, caseworkers = _caseworkers(breakdown, lang)
    teams, matrix = _team_matrix(points, breakdown, lang)
    ours_regimes = rule_regimes()
    regimes = [{"id": rid, "log": log.regimes.get(rid), "ours": ours_regimes.get(rid),
                "differs": bool(log.regimes) and log.regimes.get(rid) != ours_regimes.get(rid)}
               for rid in sorted(set(ours_regimes) | set(log.regimes))]
    title = f"{t['title']} {long_date(report.as_of, lang)}"
    if report.known_at:
        title += f", {t['known_at']} {long_date(report.known_at, lang)}"
    return _env().get_template("audit.html.j2").render(
        t=t, lang=lang, title=title, log=log, version=__version__,
        period=_period(breakdown, report.as_of, lang), cases=number(cases, lang),
        verdicts=number(verdicts, lang),
        events=number(log.event_count, lang) if log.event_count is not None else None,
        digest=report.digest(), rules_digest=report.rules.digest, regimes=regimes,
        points=points, caseworkers=caseworkers, ours=percent(ours, lang), teams=teams,
        matrix=matrix, colours=COLOURS, symbols=SYMBOLS, compared=COMPARED, examples=examples,
        pages=pages)


def render_case_pages(report: ComplianceReport, *, lang: str = "da",
                      back: str = "../report.html") -> dict[str, str]:
    """One page per control point with every case behind its missed and not documented
    verdicts (file name → HTML), for the folder beside the report; ``back`` links to it."""
    t = TEXT[lang]
    listed: dict[str, list[Verdict]] = {}
    for v in report.verdicts:
        if v.status in _LISTED:
            listed.setdefault(v.rule_id, []).append(v)
    template = _env().get_template("audit_cases.html.j2")
    out = {}
    for r in report.rows():
        vs = listed.get(r.rule_id)
        if not vs:
            continue
        lines = [_case_line(v, report.rules, lang) for v in vs]
        quotes, reading = _words_of(report.rules, r.rule_id, lang)
        title = (f"{t['page_of']} {r.control_point or r.rule_id} "
                 f"({long_date(report.as_of, lang)})")
        out[f"{_slug(r.rule_id)}.html"] = template.render(
            t=t, lang=lang, title=title, description=r.description,
            legal_source=r.legal_source, rule_id=r.rule_id, cases=lines, quotes=quotes,
            reading=reading,
            count=number(len(lines), lang),
            back=f"{back}#cp-{_slug(r.rule_id)}")
    return out


def write_report(out: Path, report: ComplianceReport, *, lang: str = "da",
                 log: LogFacts | None = None, breakdown: Breakdown | None = None,
                 cases: int | None = None, verdicts: int | None = None) -> list[Path]:
    """Write the report to ``out`` and the pages of its cases into the folder beside it
    (``<name>-sager/`` in Danish, ``<name>-cases/`` in English; pages of an earlier report
    there that this one has not are removed); return the files written."""
    folder = out.with_name(f"{out.stem}-{'sager' if lang == 'da' else 'cases'}")
    page = render_html(report, lang=lang, log=log, breakdown=breakdown, cases=cases,
                       verdicts=verdicts, pages=folder.name)
    pages = render_case_pages(report, lang=lang, back=f"../{out.name}")
    written = []
    if pages or folder.is_dir():
        folder.mkdir(exist_ok=True)
        for stale in folder.glob("*.html"):  # a page of an earlier report's control point
            if stale.name not in pages:
                stale.unlink()
        for name, text in pages.items():
            (folder / name).write_text(text, encoding="utf-8")
            written.append(folder / name)
    out.write_text(page, encoding="utf-8")  # last: the page links to the pages written
    return [out, *written]


__all__ = ["BAND", "EXAMPLES", "Breakdown", "LogFacts", "compare", "long_date", "number",
           "percent", "render_case_pages", "render_html", "write_report"]
