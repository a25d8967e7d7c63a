"""The management page: the group over time, its flows and its outcomes, on one HTML page.

Self-contained (no scripts, no external resources, every value escaped by Jinja2's
autoescaping), Danish by default. A line of the group's size at each period's end against the
cap, a stock-and-flow picture (entries up, exits down, per period), the states at the end of each
period, the group on the day by state, visitation group, age band, team and caseworker, and the
cohort's outcomes. Every figure links to the list of (pseudonymous) case ids behind it, further
down the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import Environment

from ungeforloeb import __version__
from ungeforloeb.projections.management import (
    STATE_LABELS,
    STATES,
    FlowRow,
    Outcome,
    StatusOn,
)

TEXT: dict[str, dict[str, str]] = {
    "da": {
        "title": "Ledelsesinformation: unge med uddannelsespålæg",
        "period": "Periode", "on": "Opgjort pr.", "made": "Lavet med ungeforloeb",
        "rules": "regler", "size": "Gruppens størrelse ved periodens udgang",
        "cap": "loft", "flows": "Tilgang og afgang pr. periode",
        "in": "tilgang", "out": "afgang", "stock": "i gruppen",
        "states": "Tilstande ved periodens udgang", "today": "Gruppen pr.",
        "total": "i alt", "state": "tilstand", "group": "visitationsgruppe",
        "age_band": "aldersgruppe", "team": "team", "caseworker": "sagsbehandler",
        "count": "antal", "outcomes": "Resultater for periodens årgang",
        "figure": "nøgletal", "met": "opfyldt", "of": "af", "share": "andel", "open": "åbne",
        "median": "median", "days": "dage", "cases": "Sagerne bag tallene",
        "none": "ingen", "other": "øvrige", "unknown": "ukendt", "from": "fra", "to": "til",
        "note": ("Ledelsestal, ikke lovkrav: vinduerne (et år, 3 måneder, 3 år) og "
                 "aldersgrupperne er indstillinger. Sager vises med pseudonyme id'er."),
    },
    "en": {
        "title": "Management information: young people with an education order",
        "period": "Period", "on": "As of", "made": "Made with ungeforloeb",
        "rules": "rules", "size": "The group's size at the end of each period",
        "cap": "cap", "flows": "Entries and exits per period",
        "in": "in", "out": "out", "stock": "in the group",
        "states": "States at the end of each period", "today": "The group on",
        "total": "total", "state": "state", "group": "visitation group",
        "age_band": "age band", "team": "team", "caseworker": "caseworker",
        "count": "count", "outcomes": "Outcomes of the period's cohort",
        "figure": "figure", "met": "met", "of": "of", "share": "share", "open": "open",
        "median": "median", "days": "days", "cases": "The cases behind the figures",
        "none": "none", "other": "other", "unknown": "unknown", "from": "from", "to": "to",
        "note": ("Management figures, not law: the windows (a year, 3 months, 3 years) and the "
                 "age bands are settings. Cases are shown by pseudonymous ids."),
    },
}

STATE_COLOURS = {
    "first_contact": "#9ecae1", "in_visitation": "#6baed6", "visitated": "#4292c6",
    "order_step_1": "#fdd0a2", "order_step_2": "#fdae6b", "order_step_3": "#fd8d3c",
    "admitted": "#a1d99b", "started": "#41ab5d", "at_risk": "#d94801",
    "interrupted": "#cb181d", "completed": "#006d2c",
}


@dataclass(frozen=True, slots=True)
class Page:
    """What the page shows."""

    start: date
    end: date
    on: StatusOn
    """The group on the page's day."""
    series: Sequence[StatusOn]
    """The group at the end of each period."""
    flows: Sequence[FlowRow]
    outcomes: Sequence[Outcome]
    rules_digest: str
    municipality: str | None = None


def _day(d: date, lang: str) -> str:
    return d.strftime("%d.%m.%Y") if lang == "da" else d.isoformat()


def _num(x: float, lang: str, digits: int = 0) -> str:
    text = f"{x:,.{digits}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _pct(x: float | None, lang: str) -> str:
    if x is None:
        return "–"
    return f"{_num(100 * x, lang, 1)} %" if lang == "da" else f"{100 * x:.1f}%"


def _anchor(dimension: str, value: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in value)
    return f"cases-{dimension}-{safe}"


_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;
padding:1rem;color:#222;line-height:1.4}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.6rem 0 .4rem}
header p{margin:.1rem 0;color:#555}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:1rem;
align-items:start}
table{border-collapse:collapse;width:100%}td,th{padding:.2rem .4rem;border-bottom:1px solid #ddd;
text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
svg{width:100%;height:auto;display:block}.legend span{display:inline-block;margin-right:.8rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:-1px}
details{margin:.2rem 0}summary{cursor:pointer}code{font-size:.85rem}
.note{color:#555;font-size:.9rem}
</style></head><body>
<header><h1>{{ t.title }}</h1>
<p>{{ t.period }}: {{ period }}{% if municipality %} · {{ municipality }}{% endif %}</p>
<p>{{ t.made }} {{ version }} · {{ t.rules }} <code>{{ digest[:16] }}…</code></p>
<p class="note">{{ t.note }}</p></header>

<h2>{{ t.size }}</h2>
<svg class="chart size" viewBox="0 0 {{ w }} {{ h + 30 }}" role="img" aria-label="{{ t.size }}">
{% for b in size_bars %}<rect class="stock" x="{{ b.x }}" y="{{ b.y }}" width="{{ b.w }}"
 height="{{ b.h }}" fill="#4292c6" data-value="{{ b.v }}"><title>{{ b.label }}: {{ b.v }}</title>
</rect>
<text x="{{ b.x + b.w / 2 }}" y="{{ h + 14 }}" font-size="10"
 text-anchor="middle">{{ b.tick }}</text>
{% endfor %}{% if cap_y is not none %}<line class="cap" x1="0" x2="{{ w }}" y1="{{ cap_y }}"
 y2="{{ cap_y }}" stroke="#cb181d" stroke-dasharray="6 4"/><text x="{{ w - 4 }}"
 y="{{ cap_y - 4 }}" font-size="11" text-anchor="end" fill="#cb181d">{{ t.cap }} {{ cap }}</text>
{% endif %}</svg>

<h2>{{ t.flows }}</h2>
<svg class="chart flows" viewBox="0 0 {{ w }} {{ h + 30 }}" role="img" aria-label="{{ t.flows }}">
<line x1="0" x2="{{ w }}" y1="{{ mid }}" y2="{{ mid }}" stroke="#999"/>
{% for b in flow_bars %}<a href="#{{ b.anchor }}"><rect class="{{ b.kind }}" x="{{ b.x }}"
 y="{{ b.y }}" width="{{ b.w }}" height="{{ b.h }}" fill="{{ b.colour }}" data-value="{{ b.v }}">
<title>{{ b.label }}: {{ b.v }}</title></rect></a>
{% endfor %}</svg>
<p class="legend"><span><i style="background:#41ab5d"></i>{{ t.in }}</span>
<span><i style="background:#d94801"></i>{{ t.out }}</span></p>
<table><tr><th>{{ t.from }}</th><th>{{ t.to }}</th><th class="n">{{ t.in }}</th>
<th class="n">{{ t.out }}</th><th class="n">{{ t.stock }}</th></tr>
{% for r in flow_rows %}<tr><td>{{ r.start }}</td><td>{{ r.end }}</td>
<td class="n"><a href="#{{ r.in_anchor }}">{{ r.inflow }}</a></td>
<td class="n"><a href="#{{ r.out_anchor }}">{{ r.outflow }}</a></td>
<td class="n">{{ r.after }}</td></tr>{% endfor %}</table>

<h2>{{ t.states }}</h2>
<svg class="chart states" viewBox="0 0 {{ w }} {{ h + 30 }}" role="img"
 aria-label="{{ t.states }}">
{% for b in state_bars %}<rect class="state" x="{{ b.x }}" y="{{ b.y }}" width="{{ b.w }}"
 height="{{ b.h }}" fill="{{ b.colour }}" data-value="{{ b.v }}">
<title>{{ b.label }}: {{ b.v }}</title></rect>{% endfor %}</svg>
<p class="legend">{% for s in legend %}<span><i style="background:{{ s.colour }}"></i>
{{- s.label }}</span>
{% endfor %}</p>

<h2>{{ t.today }} {{ today }}: {{ total }} {{ t.total }}
{%- if cap is not none %} ({{ t.cap }} {{ cap }}){% endif %}</h2>
<div class="grid">
{% for d in dimensions %}<table><tr><th>{{ d.title }}</th><th class="n">{{ t.count }}</th></tr>
{% for c in d.cells %}<tr><td>{{ c.label }}</td><td class="n">
{%- if c.count %}<a href="#{{ c.anchor }}">{{ c.count }}</a>{% else %}0{% endif %}</td></tr>
{% endfor %}</table>{% endfor %}</div>

<h2>{{ t.outcomes }}</h2>
<table><tr><th>{{ t.figure }}</th><th class="n">{{ t.met }}</th><th class="n">{{ t.of }}</th>
<th class="n">{{ t.share }}</th><th class="n">{{ t.open }}</th></tr>
{% for o in outcomes %}<tr><td>{{ o.label }}</td><td class="n">{{ o.numerator }}</td>
<td class="n"><a href="#{{ o.anchor }}">{{ o.denominator }}</a></td><td class="n">{{ o.share }}</td>
<td class="n">{{ o.open }}</td></tr>{% endfor %}</table>

<h2>{{ t.cases }}</h2>
{% for l in lists %}<details id="{{ l.anchor }}">
<summary>{{ l.title }} ({{ l.ids|length }})</summary>
<p>{% for i in l.ids %}<code>{{ i }}</code> {% endfor %}</p></details>
{% endfor %}
</body></html>
"""


def render_management(page: Page, lang: str = "da") -> str:
    """The management page as one HTML document, in Danish (``lang="da"``) or English."""
    if lang not in TEXT:
        raise ValueError(f"lang: one of {', '.join(TEXT)}, not {lang!r}")
    t = TEXT[lang]
    li = 0 if lang == "da" else 1
    w, h = 960, 220
    n = max(len(page.series), 1)
    slot = w / n
    bar_w = max(slot * 0.7, 1.0)
    top = max([s.total for s in page.series] + [page.on.cap or 0, 1])
    size_bars = []
    for i, s in enumerate(page.series):
        bh = h * s.total / top
        size_bars.append({"x": round(i * slot + (slot - bar_w) / 2, 2), "w": round(bar_w, 2),
                          "y": round(h - bh, 2), "h": round(bh, 2), "v": s.total,
                          "label": _day(s.on, lang), "tick": s.on.strftime("%m/%y")})
    cap_y = None if page.on.cap is None else round(h - h * page.on.cap / top, 2)
    mid = h / 2
    peak = max([r.inflow_total for r in page.flows] + [r.outflow_total for r in page.flows] + [1])
    flow_bars = []
    flow_rows = []
    lists: list[dict[str, Any]] = []
    for i, r in enumerate(page.flows):
        x = round(i * (w / max(len(page.flows), 1)) + (w / max(len(page.flows), 1)) * 0.15, 2)
        fw = round((w / max(len(page.flows), 1)) * 0.7, 2)
        span = f"{_day(r.start, lang)}–{_day(r.end, lang)}"
        ih = (mid - 4) * r.inflow_total / peak
        oh = (mid - 4) * r.outflow_total / peak
        ia, oa = _anchor("in", r.start.isoformat()), _anchor("out", r.start.isoformat())
        flow_bars.append({"kind": "in", "x": x, "w": fw, "y": round(mid - ih, 2),
                          "h": round(ih, 2), "v": r.inflow_total, "colour": "#41ab5d",
                          "label": f"{t['in']} {span}", "anchor": ia})
        flow_bars.append({"kind": "out", "x": x, "w": fw, "y": round(mid, 2), "h": round(oh, 2),
                          "v": r.outflow_total, "colour": "#d94801",
                          "label": f"{t['out']} {span}", "anchor": oa})
        flow_rows.append({"start": _day(r.start, lang), "end": _day(r.end, lang),
                          "inflow": r.inflow_total, "outflow": r.outflow_total,
                          "after": r.stock_after, "in_anchor": ia, "out_anchor": oa})
        lists.append({"anchor": ia, "title": f"{t['in']} {span}", "ids": r.inflow_ids})
        lists.append({"anchor": oa, "title": f"{t['out']} {span}", "ids": r.outflow_ids})
    state_bars = []
    for i, s in enumerate(page.series):
        counts = s.counts("state")
        y = float(h)
        for state in STATES:
            v = counts.get(state, 0)
            if not v:
                continue
            bh = h * v / top
            y -= bh
            state_bars.append({"x": round(i * slot + (slot - bar_w) / 2, 2),
                               "w": round(bar_w, 2), "y": round(y, 2), "h": round(bh, 2),
                               "v": v, "colour": STATE_COLOURS[state],
                               "label": f"{STATE_LABELS[state][li]}, {_day(s.on, lang)}"})
    dimensions = []
    for dimension in ("state", "group", "age_band", "team", "caseworker"):
        cells = []
        for c in page.on.cells:
            if c.dimension != dimension:
                continue
            label = STATE_LABELS[c.value][li] if dimension == "state" else \
                t.get(c.value, c.value) if c.value in ("none", "other", "unknown") else c.value
            anchor = _anchor(dimension, c.value)
            cells.append({"label": label, "count": c.count, "anchor": anchor})
            if c.count:
                lists.append({"anchor": anchor, "title": f"{t[dimension]}: {label}",
                              "ids": c.case_ids})
        dimensions.append({"title": t[dimension], "cells": cells})
    outcomes = []
    for o in page.outcomes:
        anchor = _anchor("outcome", o.name)
        share = _pct(o.share, lang)
        if o.median_days is not None:
            share = f"{t['median']} {_num(o.median_days, lang, 1 if o.median_days % 1 else 0)}" \
                    f" {t['days']}"
        outcomes.append({"label": o.label[li], "numerator": o.numerator,
                         "denominator": o.denominator, "share": share, "open": o.open,
                         "anchor": anchor})
        lists.append({"anchor": anchor, "title": o.label[li], "ids": o.case_ids})
    env = Environment(autoescape=True, trim_blocks=False)
    return env.from_string(_TEMPLATE).render(
        lang=lang, t=t, period=f"{_day(page.start, lang)}–{_day(page.end, lang)}",
        municipality=page.municipality, version=__version__, digest=page.rules_digest,
        w=w, h=h, mid=mid, size_bars=size_bars, cap_y=cap_y, cap=page.on.cap,
        flow_bars=flow_bars, flow_rows=flow_rows, state_bars=state_bars,
        legend=[{"colour": STATE_COLOURS[s], "label": STATE_LABELS[s][li]} for s in STATES],
        today=_day(page.on.on, lang), total=page.on.total, dimensions=dimensions,
        outcomes=outcomes, lists=lists)
