"""Checks on the data the institutions report (the data-quality problems of seed 002). Not law.

Institution-reported statuses are ambiguous, incomplete and conflict once combined (002:44, 245,
261, 272); 002:324 recommends automatic rule checks without defining them, so these are ours.
Each finding becomes a worklist item of kind ``"data_quality"`` naming the reports (report ids,
HaendelseNummer) and the event records (``cause``: sequence numbers) that caused it. Nothing is
ever corrected: the reports stay as they arrived.

The checks (rule ids ``exchange.dq.*``):

- ``no_admission`` — a completion or interruption with no admission to that education at that
  institution on or before it (reported or recorded by the caseworker);
- ``risk_without_enrolment`` — a risk-of-dropout message when no enrolment at that institution
  was active on the day it happened;
- ``overlapping_enrolments`` — two admissions from different reporters (institution or system)
  whose enrolments overlap in time;
- ``contradicting_status`` — an education reported both completed and interrupted, or reported
  admitted again while an earlier admission to it is still active;
- ``late`` — a report received more than ``late_days`` calendar days after it happened;
- ``school_municipality`` — a report naming a school municipality other than the home
  municipality, where responsibility is unclear (002:355–369);
- ``conflicting_resend`` — a report arriving again with the id (HaendelseNummer) of one
  received before but saying something else (recorded as ``InstitutionReportConflicting``,
  never applied);
- ``not_applied`` — any other report the case could not take (yet): an admission with no open
  order, a completion before the start is recorded, a receipt for an unknown message;
- ``qualifying_unknown`` — an admission recorded without saying whether the education is
  "studie- eller erhvervskompetencegivende" (an institution message lacks the flag, or an
  older record): the admission duties apply only to those; the library does not guess, it
  judges the duties as for a qualifying education (the order's educations are) and flags it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Any

from ungeforloeb.casefile.fold import Facts
from ungeforloeb.casefile.records import EventRecord
from ungeforloeb.domain.values import ContactKind
from ungeforloeb.projections.worklist import WorkItem
from ungeforloeb.rules.citations import cite

DEFAULT_LATE_DAYS = 14
"""A report received more than this many calendar days after it happened is late (our
threshold; UDB reports daily, 000:268, and one system reports admission 7 days after
placement)."""

SOURCE = cite("not law: the review recommends automatic rule checks on reported data "
              "(002:324); the checks are ours")

_FINAL = ("gennemfoerelse", "afbrydelse")
_NOT_APPLIED_HINT = {
    "optagelse": "no open education order to record it on",
    "gennemfoerelse": "the education's start is not recorded, or it has ended",
    "afbrydelse": "the education's start is not recorded, or it has ended",
    "institution_kontakt": "no admission at this institution",
    "modtagelseskvittering": "no outbound message with this id",
    "risiko_for_frafald": "the retention case could not take it",
}


def addressee(report: EventRecord) -> dict[str, Any]:
    """``caseworker_id``/``team_id`` keyword arguments of a work item for a received report:
    the recipient recorded when it arrived (empty when it was routed to nobody)."""
    kind = report.payload.get("recipient_kind")
    rid = report.payload.get("recipient_id")
    if kind == ContactKind.PERSON.value:
        return {"caseworker_id": rid}
    if kind == ContactKind.TEAM.value:
        return {"team_id": rid}
    return {}


def _reports(facts: Facts) -> list[EventRecord]:
    return sorted(facts.other.get("InstitutionReportReceived", []),
                  key=lambda r: (r.occurred_on, r.payload["report_id"]))


def _p(r: EventRecord, name: str) -> Any:
    return r.payload.get(name)


def _item(facts: Facts, check: str, title: str, causes: list[EventRecord]) -> WorkItem:
    ids = ", ".join(sorted({str(_p(c, "report_id") or c.type) for c in causes}))
    received = [date.fromisoformat(_p(c, "received_on")) for c in causes
                if _p(c, "received_on")]
    first_report = next((c for c in causes if c.type == "InstitutionReportReceived"), None)
    return WorkItem(
        young_person_id=facts.young_person_id,
        kind="data_quality",
        title=f"{title} [{ids}]",
        due_on=max(received) if received else None,
        overdue=False,
        rule_id=f"exchange.dq.{check}",
        legal_source=SOURCE,
        cause=tuple(sorted({c.seq for c in causes})),
        **(addressee(first_report) if first_report is not None else {}),
    )


def _enrolment_end(reports: list[EventRecord], facts: Facts, institution: str,
                   code: str | None, after: date) -> date | None:
    """The first completion or interruption (reported or recorded) of that education on or
    after ``after``."""
    ends = [r.occurred_on for r in reports if _p(r, "kind") in _FINAL
            and _p(r, "institution_id") == institution
            and (code is None or _p(r, "education_code") == code) and r.occurred_on >= after]
    for adm in facts.admissions:
        if adm.institution_id == institution and (code is None or adm.education_code == code):
            for slot in (adm.completed, adm.interrupted):
                if slot is not None and slot.occurred_on >= after:
                    ends.append(slot.occurred_on)
    return min(ends) if ends else None


def _admissions(reports: list[EventRecord], facts: Facts) -> list[tuple[str, str, date,
                                                                       EventRecord]]:
    """(institution, education code, day admitted, record) of every admission known."""
    out = [(str(_p(r, "institution_id")), str(_p(r, "education_code")), r.occurred_on, r)
           for r in reports if _p(r, "kind") == "optagelse"]
    seen = {_p(r, "report_id") for r in reports}
    for adm in facts.admissions:
        if adm.admission_id not in seen:
            out.append((adm.institution_id, adm.education_code, adm.rec.occurred_on, adm.rec))
    return out


def data_quality(facts: Facts, on: date, *,
                 late_days: int = DEFAULT_LATE_DAYS) -> Iterator[WorkItem]:
    """Worklist source: every data-quality finding on the young person's reports, in every
    benefit spell (an earlier spell's findings stay after the young person returns)."""
    for spell in facts.spells:
        yield from _spell_findings(spell, late_days)


def _spell_findings(facts: Facts, late_days: int) -> Iterator[WorkItem]:
    """The data-quality findings of one spell's records."""
    reports = _reports(facts)
    for adm in facts.admissions:
        if adm.rec.payload.get("qualifying") is None:
            # the admission recorded is the cause: the case's caseworker settles it, whoever
            # the report was routed to
            yield _item(facts, "qualifying_unknown",
                        f"Admission {adm.admission_id} to {adm.education_code} at "
                        f"{adm.institution_id} does not say whether the education is qualifying "
                        f"(studie- eller erhvervskompetencegivende): its duties are judged as "
                        f"for a qualifying education — check with the institution",
                        [adm.rec])
    if not reports:
        return
    applied = {_p(r, "report_id") for r in facts.other.get("InstitutionReportApplied", [])}
    conflicts = facts.other.get("InstitutionReportConflicting", [])
    conflicting = {_p(c, "report_id") for c in conflicts}
    first_of = {_p(r, "report_id"): r for r in reports}
    for c in conflicts:
        rid = _p(c, "report_id")
        original = first_of.get(rid)
        yield _item(facts, "conflicting_resend",
                    f"Report id {rid} from {_p(c, 'institution_id')} arrived again saying "
                    f"something else ({', '.join(_p(c, 'differs_in') or [])}): the first is "
                    f"kept, the resend is not applied — check with the institution",
                    [r for r in (original, c) if r is not None])
    admissions = _admissions(reports, facts)
    flagged: set[str] = set()

    for r in reports:
        kind = _p(r, "kind")
        inst = _p(r, "institution_id")
        rid = _p(r, "report_id")
        if kind in _FINAL:
            code = _p(r, "education_code")
            if not any(i == inst and c == code and d <= r.occurred_on
                       for i, c, d, _ in admissions):
                flagged.add(rid)
                word = "Completion" if kind == "gennemfoerelse" else "Interruption"
                yield _item(facts, "no_admission",
                            f"{word} of {code} at {inst} on {r.occurred_on.isoformat()} with no "
                            f"admission", [r])
        if kind == "risiko_for_frafald":
            active = [a for a in admissions if a[0] == inst and a[2] <= r.occurred_on and (
                (end := _enrolment_end(reports, facts, inst, a[1], a[2])) is None
                or end > r.occurred_on)]
            if not active:
                yield _item(facts, "risk_without_enrolment",
                            f"Risk of dropout from {inst} on {r.occurred_on.isoformat()} with no "
                            f"active enrolment there", [r])
        delay = (date.fromisoformat(_p(r, "received_on")) - r.occurred_on).days
        if delay > late_days:
            yield _item(facts, "late",
                        f"Report {kind} from {inst} received {delay} days after it happened "
                        f"(more than {late_days})", [r])
        school = _p(r, "school_municipality_code")
        if school is not None and facts.municipality_code is not None and \
                school != facts.municipality_code:
            yield _item(facts, "school_municipality",
                        f"School municipality {school} differs from home municipality "
                        f"{facts.municipality_code}: agree who is responsible", [r])
        if rid not in applied and rid not in flagged and rid not in conflicting:
            yield _item(facts, "not_applied",
                        f"Report {kind} from {inst} not applied to the case: "
                        f"{_NOT_APPLIED_HINT.get(str(kind), 'see the report')}", [r])

    # overlapping enrolments from different reporters
    spans = []
    for inst, code, _admitted, rec in admissions:
        if rec.type != "InstitutionReportReceived":
            continue
        start = date.fromisoformat(_p(rec, "starts_on"))
        end = _enrolment_end(reports, facts, inst, code, rec.occurred_on) or date.max
        spans.append((start, end, rec))
    for i, (s1, e1, a) in enumerate(spans):
        for s2, e2, b in spans[i + 1:]:
            different = (_p(a, "institution_id"), _p(a, "system_id")) != \
                (_p(b, "institution_id"), _p(b, "system_id"))
            if different and s1 < e2 and s2 < e1:
                yield _item(facts, "overlapping_enrolments",
                            f"Enrolments overlap: {_p(a, 'education_code')} at "
                            f"{_p(a, 'institution_id')} from {s1.isoformat()} and "
                            f"{_p(b, 'education_code')} at {_p(b, 'institution_id')} from "
                            f"{s2.isoformat()}", [a, b])

    # contradicting statuses: the same education reported both completed and interrupted
    finals: dict[tuple[str, str], list[EventRecord]] = {}
    for r in reports:
        if _p(r, "kind") in _FINAL:
            finals.setdefault((_p(r, "institution_id"), _p(r, "education_code")), []).append(r)
    for (inst, code), recs in sorted(finals.items()):
        if len({_p(r, "kind") for r in recs}) > 1:
            yield _item(facts, "contradicting_status",
                        f"{code} at {inst} reported both completed and interrupted", recs)
    # … or admitted again while the earlier admission to it is still active
    reported = [a for a in admissions if a[3].type == "InstitutionReportReceived"]
    for i, (inst, code, admitted, rec) in enumerate(reported):
        for inst2, code2, admitted2, rec2 in reported[i + 1:]:
            if (inst2, code2) != (inst, code) or admitted2 < admitted:
                continue
            end = _enrolment_end(reports, facts, inst, code, admitted)
            if end is None or end > admitted2:
                yield _item(facts, "contradicting_status",
                            f"{code} at {inst} reported admitted again on "
                            f"{admitted2.isoformat()} while admitted since "
                            f"{admitted.isoformat()}", [rec, rec2])


def data_quality_source(late_days: int = DEFAULT_LATE_DAYS) -> Any:
    """The data-quality source with another threshold for late reports."""
    return partial(data_quality, late_days=late_days)


