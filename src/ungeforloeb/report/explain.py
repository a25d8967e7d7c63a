"""One verdict explained, in English (the default) or Danish (``lang="da"``): the fields the CLI's
``explain`` and the HTML report show, with their labels.

In Danish: the status words and event names are the glossary's (:mod:`ungeforloeb.report.labels`),
the rule's Danish quote (the statute's or guidance's own words, from the rule data) and the reading
behind it, in Danish (:mod:`ungeforloeb.rules.translations`); the explanation the evaluator wrote
is kept in English beside them, labelled so. In both languages the sources are cited by the
bibliography (:func:`ungeforloeb.rules.citations.cite`), never by a file name.
"""

from __future__ import annotations

from ungeforloeb.report.labels import EVENT_LABELS, STATUS_LABELS
from ungeforloeb.rules.citations import cite
from ungeforloeb.rules.model import RuleSet
from ungeforloeb.rules.translations import reading_da
from ungeforloeb.rules.verdict import EventRef, Verdict

LANGS = ("en", "da")

_DA = {
    "control point": "kontrolpunkt",
    "regime": "regelsæt (periode)",
    "decided by": "perioden valgt efter",
    "clock started by": "fristen startede ved",
    "due on": "frist",
    "met by": "opfyldt ved",
    "done late by": "gjort for sent ved",
    "group at end": "målgruppe ved sagens slutning",
    "legal source": "retsgrundlag",
    "quote": "lovens ord",
    "reading": "sådan læser vi reglen",
    "explanation": "forklaring (på engelsk)",
    "status": "status",
    "none": "ingen",
    "as of": "pr.",
    "known at": "som kendt",
}


def label(text: str, lang: str) -> str:
    """A field's label in the language."""
    return _DA.get(text, text) if lang == "da" else text


def status_word(status: str, lang: str) -> str:
    """A verdict status in the language (Danish: the glossary's word)."""
    return STATUS_LABELS.get(status, status) if lang == "da" else status


def event_text(ref: EventRef, lang: str) -> str:
    """An event a verdict used: its name (Danish: the glossary's, with the code name), number
    and dates."""
    if lang != "da":
        return ref.text()
    late = ""
    if ref.recorded_on > ref.occurred_on:
        late = f", registreret {ref.recorded_on.isoformat()}"
    used = "" if ref.on == ref.occurred_on else f" (dato brugt {ref.on.isoformat()})"
    name = EVENT_LABELS.get(ref.type, ref.type)
    return f"{name} ({ref.type}) #{ref.seq} den {ref.occurred_on.isoformat()}{used}{late}"


def explain_fields(v: Verdict, rules: RuleSet, lang: str = "en") -> list[tuple[str, str]]:
    """(label, value) of one verdict, in the language."""
    none = label("none", lang)
    dash = "–"
    met_label = "done late by" if v.status.value == "missed" and v.met_by else "met by"
    fields = [
        ("control point", v.control_point or dash),
        ("regime", f"{v.regime} {v.period}" if v.regime else dash),
        ("decided by", event_text(v.decided_by, lang) if v.decided_by else dash),
        ("clock started by", event_text(v.clock_start, lang) if v.clock_start else dash),
        ("due on", v.due_on.isoformat() if v.due_on else dash),
        (met_label, event_text(v.met_by, lang) if v.met_by else none),
        ("group at end", v.group or dash),
        ("legal source", cite(v.legal_source, lang=lang)),
    ]
    period = rules.period_named(v.rule_id, v.period)
    shown = period or (rules.latest(v.rule_id) if v.rule_id in rules.ids else None)
    if lang == "da" and shown is not None:
        for q in dict.fromkeys(s.quote for s in shown.sources if s.quote):
            fields.append(("quote", f"»{q}«"))
        reading = reading_da(shown)
        if reading:
            fields.append(("reading", cite(reading, lang=lang)))
    fields.append(("explanation", cite(v.explanation, lang=lang)))
    return [(label(k, lang), value) for k, value in fields]
