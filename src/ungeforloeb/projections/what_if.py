"""What-if: the same history judged under another set of regime files, per case and rule.

A reform under discussion (the test fixture's 2027 regime), or a municipality's own local
targets, is a set of regime files. :func:`what_if` judges every case twice by the one
evaluator — under the rules in force and under the other set — as of one day, and lists each
verdict that differs (case, rule, subject: the status before and after, the period and source
that judged each, and the other judgement's explanation), with a summary per rule. Nothing is
written: the log and the store are only read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.rules.evaluate import evaluate
from ungeforloeb.rules.model import RuleSet
from ungeforloeb.rules.verdict import Status, Verdict


@dataclass(frozen=True, slots=True)
class Change:
    """One verdict that differs between the two rule sets (``None``: not judged there)."""

    case_id: str
    rule_id: str
    subject: str
    control_point: str | None
    before: Status | None
    after: Status | None
    before_source: str | None
    after_source: str | None
    why: str
    """The period and regime that judged it under the other rules, and that judgement's
    explanation (or why it is not judged there)."""

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "rule_id": self.rule_id, "subject": self.subject,
                "control_point": self.control_point,
                "before": self.before.value if self.before else None,
                "after": self.after.value if self.after else None,
                "before_source": self.before_source, "after_source": self.after_source,
                "why": self.why}


@dataclass(frozen=True, slots=True)
class RuleSummary:
    """One rule's verdicts before and after: how many judged, met and missed, and changed."""

    rule_id: str
    control_point: str | None
    judged_before: int
    judged_after: int
    met_before: int
    met_after: int
    missed_before: int
    missed_after: int
    changed: int

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "control_point": self.control_point,
                "judged_before": self.judged_before, "judged_after": self.judged_after,
                "met_before": self.met_before, "met_after": self.met_after,
                "missed_before": self.missed_before, "missed_after": self.missed_after,
                "changed": self.changed}


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The differences, and a summary per rule, with both rule sets' digests."""

    as_of: date
    known_at: date | None
    base_digest: str
    other_digest: str
    cases: int
    changes: tuple[Change, ...]
    summary: tuple[RuleSummary, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(),
                "known_at": self.known_at.isoformat() if self.known_at else None,
                "base_rules": self.base_digest, "other_rules": self.other_digest,
                "cases": self.cases, "changed_verdicts": len(self.changes),
                "summary": [s.to_dict() for s in self.summary],
                "changes": [c.to_dict() for c in self.changes]}

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["case_id", "rule_id", "subject", "control_point", "before", "after",
                    "before_source", "after_source", "why"])
        for c in self.changes:
            w.writerow([c.case_id, c.rule_id, c.subject, c.control_point or "",
                        c.before.value if c.before else "", c.after.value if c.after else "",
                        c.before_source or "", c.after_source or "", c.why])
        return buf.getvalue()


def _judged(v: Verdict) -> str:
    where = f"{v.regime} {v.period}" if v.regime else "no period"
    return f"{where}: {v.explanation}"


def what_if(case_files: Iterable[CaseFile], as_of: date, base: RuleSet, other: RuleSet, *,
            known_at: date | None = None) -> WhatIf:
    """Judge every case under ``base`` and under ``other`` as of ``as_of`` (as known at
    ``known_at``) and list the verdicts that differ in status."""
    changes: list[Change] = []
    counts: dict[str, list[int]] = {}
    cps: dict[str, str | None] = {}
    n = 0
    for cf in case_files:
        n += 1
        facts = cf.view(as_of=as_of, known_at=known_at)
        before = {v.sort_key: v for v in evaluate(facts, as_of, base)}
        after = {v.sort_key: v for v in evaluate(facts, as_of, other)}
        for key in sorted(before.keys() | after.keys()):
            b, a = before.get(key), after.get(key)
            rule_id = key[1]
            row = counts.setdefault(rule_id, [0] * 7)
            for v, off in ((b, 0), (a, 1)):
                if v is not None:
                    cps.setdefault(rule_id, v.control_point)
                    if v.status is not Status.NOT_APPLICABLE:
                        row[off] += 1
                    if v.status is Status.MET:
                        row[2 + off] += 1
                    elif v.status is Status.MISSED:
                        row[4 + off] += 1
            if (b.status if b else None) == (a.status if a else None):
                continue
            row[6] += 1
            changes.append(Change(
                key[0], rule_id, key[2], cps.get(rule_id),
                b.status if b else None, a.status if a else None,
                b.legal_source if b else None, a.legal_source if a else None,
                _judged(a) if a is not None else "not judged under the other rules"))
    summary = tuple(RuleSummary(r, cps.get(r), *c) for r, c in sorted(counts.items()))
    return WhatIf(as_of, known_at, base.digest, other.digest, n, tuple(changes), summary)
