"""The compliance projection: every rule judged for every case on a date, and the report.

A verdict as of D depends only on events that happened on or before D; an optional known-at T
keeps only events recorded by T (:meth:`ungeforloeb.casefile.CaseFile.view` does both), so an
auditor sees what had happened and what the municipality had documented, and when.

Shares are met / (met + missed): ``due``, ``not_applicable`` and ``not_documented`` verdicts are
counted but left out of the denominator, as the audit's denominators were subgroups (e.g. only
AP for the coordinating caseworker, only ÅUP for the CV). The audit's own 2018–2020 share is shown
beside ours as a reference, labelled as the audit's figure.

Verdicts follow the law's trigger. Where the audit measured a narrower population (e.g. only the
admissions actually started, control point 32), the rule data name it (``audit.population``)
and the row also gives our share on that population (``reference_*``), the figure that compares
with the audit's.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs
import orjson

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.rules.calendar import Calendar, Calendars
from ungeforloeb.rules.evaluate import evaluate
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.rules.model import RuleSet
from ungeforloeb.rules.verdict import Status, Verdict

REFERENCE_LABEL = "audit 2018–20, not ours"
"""The heading of the audit's reference column."""

OURS_ON_AUDIT_POPULATION = "ours on the audit's population"
"""The label of the reference-population figure in the reference column: our share among the
subjects in the audit's own (narrower) population, beside the audit's share, so the two
compare."""

GROUP_ORDER = ("AAUP", "UP", "AP")
GROUP_LABEL = {"AAUP": "ÅUP", "UP": "UP", "AP": "AP"}


def load_rules() -> RuleSet:
    """The default rule set from the packaged regime files (loaded once, cached)."""
    return default_rules()


def evaluate_case(case_file: CaseFile, as_of: date, known_at: date | None = None,
                  rules: RuleSet | None = None, *,
                  calendars: Calendars | Calendar | None = None) -> list[Verdict]:
    """Every rule's verdicts for one case file as of ``as_of`` (as known at ``known_at``)."""
    facts = case_file.view(as_of=as_of, known_at=known_at)
    return evaluate(facts, as_of, rules or load_rules(), calendars)


def _share(met: int, denominator: int) -> float | None:
    return met / denominator if denominator else None


@attrs.frozen
class GroupShare:
    """Met and denominator for one visitation group (at the end of the case)."""

    group: str
    met: int
    denominator: int

    @property
    def share(self) -> float | None:
        return _share(self.met, self.denominator)


@attrs.frozen
class ComplianceRow:
    """One rule's figures: counts by status, the share met, by group, and the audit's share.

    ``legal_source`` names the sources of the rule periods the judged verdicts used."""

    rule_id: str
    control_point: str | None
    description: str
    met: int
    missed: int
    due: int
    not_applicable: int
    not_documented: int
    by_group: tuple[GroupShare, ...]
    legal_source: str
    audit_share: float | None
    audit_n: int | None
    unused: int = 0
    """A right's windows passed unused (a right's share is used / (used + unused))."""
    audit_note: str | None = None
    """The audit's figure in words where it is not one share (e.g. per group)."""
    reference_met: int = 0
    reference_denominator: int = 0
    """Ours on the audit's own population (met / judged among the subjects in it), for a rule
    whose audit measured a narrower population than the law's trigger; 0/0 otherwise."""
    reference_population: str | None = None
    """The audit's population in words, when the rule names one."""
    distribution: tuple[tuple[str, int], ...] = ()
    """Ours where the audit gives a distribution, not a share (control point 2a: the group at
    the first conversation): (value, met verdicts with it), in the groups' order
    (:data:`ungeforloeb.rules.verdict.DISTRIBUTED`)."""

    @property
    def reference_share(self) -> float | None:
        return _share(self.reference_met, self.reference_denominator)

    @property
    def denominator(self) -> int:
        return self.met + self.missed + self.unused

    @property
    def share(self) -> float | None:
        return _share(self.met, self.denominator)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id, "control_point": self.control_point,
            "description": self.description, "met": self.met, "missed": self.missed,
            "denominator": self.denominator, "share": self.share, "due": self.due,
            "not_applicable": self.not_applicable, "not_documented": self.not_documented,
            "unused": self.unused,
            "by_group": {g.group: {"met": g.met, "denominator": g.denominator,
                                   "share": g.share} for g in self.by_group},
            "legal_source": self.legal_source, "audit_share": self.audit_share,
            "audit_n": self.audit_n, "audit_note": self.audit_note,
            "reference_population": self.reference_population,
            "reference_met": self.reference_met,
            "reference_denominator": self.reference_denominator,
            "reference_share": self.reference_share,
            "distribution": dict(self.distribution),
        }


@attrs.frozen
class CaseworkerRow:
    """One caseworker's (current caseworker of the case) figures over every rule."""

    caseworker_id: str | None
    team_id: str | None
    met: int
    missed: int
    due: int

    @property
    def denominator(self) -> int:
        return self.met + self.missed

    @property
    def share(self) -> float | None:
        return _share(self.met, self.denominator)


def _sources(rules: RuleSet, rule_id: str, used: set[str]) -> list[str]:
    """The sources of the periods the verdicts used, oldest first (else the latest)."""
    periods = sorted(rules.periods(rule_id), key=lambda p: p.effective_from)
    found = [p.legal_source for p in periods if p.legal_source in used]
    return list(dict.fromkeys(found)) or [rules.latest(rule_id).legal_source]


@attrs.frozen
class ComplianceReport:
    """Every verdict for a set of cases on one date, and the figures derived from them."""

    as_of: date
    known_at: date | None
    verdicts: tuple[Verdict, ...]
    """Sorted by (case id, rule id, subject)."""
    rules: RuleSet = attrs.field(eq=False, repr=False, factory=load_rules)

    def rows(self) -> list[ComplianceRow]:
        """One row per rule, in the rule data's order."""
        counts: dict[str, dict[str, int]] = {}
        groups: dict[str, dict[str, list[int]]] = {}
        used: dict[str, dict[str, None]] = {}
        reference: dict[str, list[int]] = {}
        values: dict[str, dict[str, int]] = {}
        for v in self.verdicts:
            if v.value is not None:
                per = values.setdefault(v.rule_id, {})
                per[v.value] = per.get(v.value, 0) + 1
            if v.reference:
                ref = reference.setdefault(v.rule_id, [0, 0])
                ref[0] += v.status is Status.MET
                ref[1] += 1
            if v.regime is not None and v.status in (Status.MET, Status.MISSED, Status.DUE,
                                                     Status.UNUSED):
                used.setdefault(v.rule_id, {})[v.legal_source] = None
            c = counts.setdefault(v.rule_id, dict.fromkeys((s.value for s in Status), 0))
            c[v.status.value] += 1
            if v.group is not None and v.status in (Status.MET, Status.MISSED, Status.UNUSED):
                g = groups.setdefault(v.rule_id, {}).setdefault(v.group, [0, 0])
                g[0] += v.status is Status.MET
                g[1] += 1
        return self.rows_from_counts(self.rules, counts, groups, used, reference, values)

    @staticmethod
    def rows_from_counts(rules: RuleSet, counts: Mapping[str, Mapping[str, int]],
                         groups: Mapping[str, Mapping[str, Sequence[int]]],
                         used: Mapping[str, Iterable[str]],
                         reference: Mapping[str, Sequence[int]] | None = None,
                         values: Mapping[str, Mapping[str, int]] | None = None
                         ) -> list[ComplianceRow]:
        """The rows of verdicts already counted (a streamed audit keeps counts, not verdicts):
        ``counts`` rule id → status value → verdicts; ``groups`` rule id → group → (met,
        met + missed + unused); ``used`` rule id → the legal sources of the periods its met,
        missed, due or unused verdicts were judged by; ``reference`` rule id → (met, judged)
        among the subjects in the audit's own population; ``values`` rule id → value → met
        verdicts with it (:attr:`ComplianceRow.distribution`). One row per rule, in the rule
        data's order; :meth:`rows` is this over the report's verdicts."""
        reference = reference or {}
        values = values or {}
        rows = []
        for rule_id in rules.ids:
            rule = rules.latest(rule_id)
            c = counts.get(rule_id, {})
            by = groups.get(rule_id, {})
            rows.append(ComplianceRow(
                rule_id=rule_id,
                control_point=rule.control_point,
                description=rule.description,
                met=c.get("met", 0), missed=c.get("missed", 0), due=c.get("due", 0),
                not_applicable=c.get("not_applicable", 0),
                not_documented=c.get("not_documented", 0), unused=c.get("unused", 0),
                by_group=tuple(GroupShare(g, by[g][0], by[g][1]) for g in GROUP_ORDER if g in by),
                legal_source=" | ".join(_sources(rules, rule_id, set(used.get(rule_id, ())))),
                audit_share=rule.audit.share if rule.audit else None,
                audit_n=rule.audit.n if rule.audit else None,
                audit_note=rule.audit.note if rule.audit else None,
                reference_met=reference.get(rule_id, [0, 0])[0],
                reference_denominator=reference.get(rule_id, [0, 0])[1],
                reference_population=(rule.audit.population.describe()
                                      if rule.audit and rule.audit.population else None),
                distribution=_ordered(values.get(rule_id, {})),
            ))
        return rows

    def by_caseworker(self) -> list[CaseworkerRow]:
        """Met / missed / due per current caseworker (and team) of the cases, over all rules."""
        acc: dict[tuple[str | None, str | None], list[int]] = {}
        for v in self.verdicts:
            a = acc.setdefault((v.caseworker_id, v.team_id), [0, 0, 0])
            if v.status is Status.MET:
                a[0] += 1
            elif v.status is Status.MISSED:
                a[1] += 1
            elif v.status is Status.DUE:
                a[2] += 1
        return [CaseworkerRow(k[0], k[1], *acc[k])
                for k in sorted(acc, key=lambda k: (k[0] or "", k[1] or ""))]

    def _verdict_dicts(self) -> list[dict[str, Any]]:
        return [v.to_dict() for v in self.verdicts]

    def digest(self) -> str:
        """sha256 hex over the canonical serialisation of every verdict (sorted keys, compact
        JSON, verdicts in their sorted order): the same verdicts give the same digest, bit for
        bit."""
        blob = orjson.dumps(self._verdict_dicts(), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(blob).hexdigest()

    def to_json(self) -> bytes:
        """The report as JSON: dates, rule-set digest, rows and every verdict."""
        return orjson.dumps({
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat() if self.known_at else None,
            "rules_digest": self.rules.digest,
            "digest": self.digest(),
            "rows": [r.to_dict() for r in self.rows()],
            "verdicts": self._verdict_dicts(),
        }, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)

    def to_csv(self, *, verdicts: bool = False) -> str:
        """The rows (one per rule) as CSV; with ``verdicts=True`` every verdict instead."""
        out = io.StringIO()
        if verdicts:
            fields = ["case_id", "rule_id", "subject", "control_point", "status", "due_on",
                      "clock_start", "met_by", "group", "caseworker_id", "team_id",
                      "legal_source", "explanation"]
            w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            for v in self.verdicts:
                d = v.to_dict()
                for key in ("clock_start", "met_by"):
                    ref = d[key]
                    d[key] = (f"{ref['type']}#{ref['seq']}@{ref['on']}" if ref else "")
                w.writerow({k: d[k] if d[k] is not None else "" for k in fields})
            return out.getvalue()
        w2 = csv.writer(out, lineterminator="\n")
        w2.writerow(["control_point", "rule_id", "met", "missed", "denominator", "share", "due",
                     "not_applicable", "not_documented", "unused",
                     *(f"share_{g}" for g in GROUP_ORDER),
                     "legal_source", "audit_share_2018_20", "audit_n", "audit_note",
                     "ours_on_audit_population", "ours_on_audit_population_met",
                     "ours_on_audit_population_denominator", "ours_distribution"])
        for r in self.rows():
            by = {g.group: g for g in r.by_group}
            w2.writerow([r.control_point or "", r.rule_id, r.met, r.missed, r.denominator,
                         _fmt(r.share), r.due, r.not_applicable, r.not_documented, r.unused,
                         *(_fmt(by[g].share) if g in by else "" for g in GROUP_ORDER),
                         r.legal_source, _fmt(r.audit_share), r.audit_n or "",
                         r.audit_note or "", _fmt(r.reference_share),
                         *((r.reference_met, r.reference_denominator)
                           if r.reference_population else ("", "")),
                         distribution_text(r)])
        return out.getvalue()


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"


def evaluate_all(case_files: Iterable[CaseFile], as_of: date, known_at: date | None = None,
                 rules: RuleSet | None = None, *,
                 calendars: Calendars | Calendar | None = None) -> ComplianceReport:
    """Judge every case file as of ``as_of`` (as known at ``known_at``)."""
    rule_set = rules or load_rules()
    verdicts: list[Verdict] = []
    for cf in case_files:
        verdicts.extend(evaluate_case(cf, as_of, known_at, rule_set, calendars=calendars))
    verdicts.sort(key=lambda v: v.sort_key)
    return ComplianceReport(as_of, known_at, tuple(verdicts), rule_set)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def _ordered(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    known = [g for g in GROUP_ORDER if g in counts]
    return tuple((v, counts[v]) for v in [*known, *sorted(set(counts) - set(known))])


def distribution_text(r: ComplianceRow) -> str:
    """Our distribution for a row whose audit figure is one (``ÅUP 14 / UP 52 / AP 34 %
    (N=369)``); empty otherwise."""
    total = sum(n for _, n in r.distribution)
    if not total:
        return ""
    parts = " / ".join(f"{GROUP_LABEL.get(v, v)} {round(100 * n / total)}"
                       for v, n in r.distribution)
    return f"{parts} % (N={total})"


def reference_text(r: ComplianceRow) -> str:
    """The audit's figure for a row: its share (and N), or its figure in words; where the audit
    measured a narrower population than the law's trigger, then ours on that population."""
    n = f" (N={r.audit_n})" if r.audit_n else ""
    if r.audit_share is not None:
        text = _pct(r.audit_share) + n + (f"; {r.audit_note}" if r.audit_note else "")
    else:
        text = (r.audit_note + n) if r.audit_note else ""
    if r.reference_population:
        text += (f" | {OURS_ON_AUDIT_POPULATION}: {_pct(r.reference_share)} "
                 f"({r.reference_met}/{r.reference_denominator})")
    if r.distribution:
        text += f" | ours: {distribution_text(r)}"
    return text


# ------------------------------------------------------------------------- worklist source
