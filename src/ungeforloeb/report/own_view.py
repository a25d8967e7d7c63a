"""The young person's own view: everything recorded about them, in plain Danish labels.

"Den unge skal altid kunne se alle oplysninger om sig selv" (001:632). :func:`own_view` gathers,
for one young person: their identity record (while it exists), every event of their case — the
young person's own, their education orders' and their retention cases' — with the day it
happened, when and by whom it was recorded and its fields; the messages sent and received; and
every rule's verdict on the case as of a day. :func:`render_html` makes one self-contained page
of it (no scripts, no external resources; every value escaped). The command line's
``ungeforloeb own-view`` writes either.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

from jinja2 import Environment

from ungeforloeb.application.app import Ungeforloeb
from ungeforloeb.projections.compliance import evaluate_case
from ungeforloeb.report.labels import EVENT_LABELS, STATUS_LABELS

STREAM_LABELS = {"YoungPerson": "din sag", "EducationOrder": "uddannelsespålæg",
                 "RetentionCase": "fastholdelsessag"}

FIELD_LABELS: dict[str, str] = {
    "municipality_code": "kommune", "birth_date": "fødselsdato", "stage": "visitation",
    "group": "målgruppe", "need": "behov", "earlier_test_on": "tidligere test",
    "shows_need": "viser behov", "topic": "emne", "kind": "type", "offer_id": "tilbud",
    "valid_reason": "lovlig grund", "imposed": "sanktion givet",
    "caseworker_id": "sagsbehandler", "team_id": "team", "purpose": "formål",
    "until": "til og med", "extension": "forlængelse", "reason": "årsag",
    "report_id": "hændelsesnummer", "institution_id": "institution",
    "received_on": "modtaget", "education_code": "uddannelse", "starts_on": "start",
    "step": "trin", "deadline": "frist", "admission_id": "optagelse",
    "message_id": "besked", "channel": "kanal", "contact_kind": "kontakt (type)",
    "contact_id": "kontakt", "outcome": "resultat", "initiative": "initiativ",
    "young_person_id": "den unge", "order_id": "uddannelsespålæg",
    "birth_date_earliest": "fødselsdato, tidligst", "birth_date_latest": "fødselsdato, senest",
}

SENT = {"InstitutionNotified", "JobnetLetterSent", "FurtherInformationSent"}
RECEIVED = {"InstitutionReportReceived", "InstitutionReportConflicting", "ContactExchanged",
            "ReceiptReceived", "RiskOfDropoutReported", "RiskOfDropoutReportedAgain"}


def _value(value: Any) -> str:
    if value is True:
        return "ja"
    if value is False:
        return "nej"
    if value is None:
        return "–"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    return str(value)


def own_view(app: Ungeforloeb, young_person_id: UUID, as_of: date) -> dict[str, Any]:
    """Everything recorded about one young person, with Danish labels, as plain JSON data."""
    case_file = app.case_file(young_person_id)
    identity = app.identity(young_person_id)
    erased = any(r.type == "PersonalDataErased" for r in case_file.records)
    events = []
    for r in case_file.records:
        events.append({
            "nr": r.seq, "dato": r.occurred_on.isoformat(), "registreret": r.recorded_at,
            "registreret_af": r.recorded_by, "type": r.type,
            "haendelse": EVENT_LABELS.get(r.type, r.type),
            "sag": STREAM_LABELS.get(r.stream_type, r.stream_type), "sag_id": r.stream_id,
            "oplysninger": [{"felt": FIELD_LABELS.get(k, k), "vaerdi": _value(v)}
                            for k, v in r.payload.items()],
        })
    messages = [{"retning": "sendt" if e["type"] in SENT else "modtaget", "dato": e["dato"],
                 "haendelse": e["haendelse"], "nr": e["nr"]}
                for e in events if e["type"] in SENT | RECEIVED]
    verdicts = [{"regel": v.rule_id, "kontrolpunkt": v.control_point or "",
                 "status": STATUS_LABELS.get(v.status.value, v.status.value),
                 "frist": v.due_on.isoformat() if v.due_on else None,
                 "hjemmel": v.legal_source, "forklaring": v.explanation}
                for v in evaluate_case(case_file, as_of)]
    return {
        "ung": {"id": str(young_person_id),
                "navn": identity.name if identity else None,
                "cpr": identity.cpr if identity else None,
                "personoplysninger_slettet": erased},
        "opgjort_pr": as_of.isoformat(),
        "haendelser": events,
        "beskeder": messages,
        "vurderinger": verdicts,
    }


PAGE = """<!doctype html>
<html lang="da"><head><meta charset="utf-8">
<title>Det, vi har registreret om dig</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1100px}
table{border-collapse:collapse;width:100%;margin-bottom:24px}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #d0d7de}
th{background:#f6f8fa}.small{color:#57606a;font-size:13px}
</style></head><body>
<h1>Det, vi har registreret om dig</h1>
<p class="small">Opgjort pr. {{ v.opgjort_pr }}. Sags-id {{ v.ung.id }}.</p>
{% if v.ung.personoplysninger_slettet %}
<p>Dine personoplysninger (CPR-nummer, navn og fødselsdato) er slettet.</p>
{% elif v.ung.navn %}
<p>Navn: {{ v.ung.navn }}<br>CPR-nummer: {{ v.ung.cpr }}</p>
{% endif %}
<h2>Hændelser i din sag</h2>
<table><tr><th>dato</th><th>hændelse</th><th>sag</th><th>oplysninger</th>
<th>registreret</th><th>af</th></tr>
{% for e in v.haendelser %}<tr><td>{{ e.dato }}</td><td>{{ e.haendelse }}</td>
<td>{{ e.sag }}</td>
<td>{% for o in e.oplysninger %}{{ o.felt }}: {{ o.vaerdi }}<br>{% endfor %}</td>
<td class="small">{{ e.registreret }}</td><td>{{ e.registreret_af }}</td></tr>
{% endfor %}</table>
<h2>Beskeder sendt og modtaget</h2>
{% if v.beskeder %}<table><tr><th>dato</th><th></th><th>besked</th></tr>
{% for m in v.beskeder %}<tr><td>{{ m.dato }}</td><td>{{ m.retning }}</td>
<td>{{ m.haendelse }}</td></tr>{% endfor %}</table>
{% else %}<p>Ingen.</p>{% endif %}
<h2>Hvad reglerne siger om din sag</h2>
<table><tr><th>regel</th><th>status</th><th>frist</th><th>hjemmel</th><th>forklaring</th></tr>
{% for r in v.vurderinger %}<tr><td>{{ r.kontrolpunkt }} {{ r.regel }}</td><td>{{ r.status }}</td>
<td>{{ r.frist or "–" }}</td><td>{{ r.hjemmel }}</td><td class="small">{{ r.forklaring }}</td></tr>
{% endfor %}</table>
</body></html>
"""

_ENV = Environment(autoescape=True, keep_trailing_newline=True)


def render_html(view: dict[str, Any]) -> str:
    """The own view as one self-contained HTML page (every value escaped)."""
    return _ENV.from_string(PAGE).render(v=view)
