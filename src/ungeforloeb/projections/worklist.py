"""The worklist: what is due or overdue on a given day, for a caseworker or a team.

A worklist is a *view of the verdicts*: every duty the law sets — the order's step deadlines, the
control points, the reaction to a risk of dropout, the retention initiatives, the mentor right's
window, the institution's receipt — is a rule in the regime data (``rules/regimes/*.toml``) and
one evaluator judges it (:func:`ungeforloeb.rules.evaluate.evaluate`). An open verdict (``due``)
and a missed duty not yet done become items, with the rule, its legal source and the events
behind them. How a rule's verdicts show (the item's kind, from how many days before the due date,
only while a retention case is open) is the rule's ``worklist`` table: presentation, not law.

Beside the verdicts, sources that are *not law* add findings and say so: the checks on the data
the institutions report (:mod:`ungeforloeb.projections.data_quality`) and reminders
(:mod:`ungeforloeb.projections.reminders`). A vendor adds a source of its own with
``sources=[*default_sources(), my_source]``; a source is ``(facts, on) -> Iterable[WorkItem]``.

Each case file is viewed as of the day asked about (and, when given, as known at a day).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from functools import partial

import attrs

from ungeforloeb.casefile.fold import CaseFile, Facts
from ungeforloeb.projections.sources import WorkItemSource, default_sources
from ungeforloeb.rules.calendar import Calendar, Calendars
from ungeforloeb.rules.evaluate import evaluate, plan_of
from ungeforloeb.rules.loader import default_rules
from ungeforloeb.rules.model import Rule, RuleSet
from ungeforloeb.rules.verdict import Status, Verdict, spell_of


@attrs.frozen
class WorkItem:
    """One thing a caseworker should do (or should already have done)."""

    young_person_id: str
    kind: str
    """``"deadline"``, ``"rule"``, ``"retention"``, ``"receipt"`` (from verdicts; the rule's
    ``worklist.item``), ``"data_quality"``, ``"reminder"`` (not law), or a vendor's own."""
    title: str
    """One line, English."""
    due_on: date | None
    overdue: bool
    rule_id: str | None = None
    legal_source: str | None = None
    caseworker_id: str | None = None
    team_id: str | None = None
    cause: tuple[int, ...] = ()
    """Sequence numbers of the event records that caused the item."""


def item_order(item: WorkItem) -> tuple[bool, date, str, str, str]:
    """The worklist's order: overdue first, then by due date (none last), case, kind, title."""
    return (not item.overdue, item.due_on or date.max, item.young_person_id, item.kind,
            item.title)


def worklist(case_files: Iterable[CaseFile], on: date, *, caseworker: str | None = None,
             team: str | None = None, sources: Sequence[WorkItemSource] | None = None,
             known_at: date | None = None) -> list[WorkItem]:
    """Everything due or overdue on ``on``, overdue first, then by due date.

    Each case file is viewed as of ``on`` (and as known at ``known_at`` when given). Items a
    source leaves without a caseworker or team get the case's current ones. ``caseworker`` and
    ``team`` keep only the items of that caseworker or team.
    """
    active = default_sources() if sources is None else sources
    items: list[WorkItem] = []
    for case_file in case_files:
        facts = case_file.view(as_of=on, known_at=known_at)
        current = facts.current_caseworker
        for source in active:
            for item in source(facts, on):
                if current is not None and (item.caseworker_id is None or item.team_id is None):
                    item = attrs.evolve(
                        item,
                        caseworker_id=item.caseworker_id or current[0],
                        team_id=item.team_id or current[1],
                    )
                if caseworker is not None and item.caseworker_id != caseworker:
                    continue
                if team is not None and item.team_id != team:
                    continue
                items.append(item)
    items.sort(key=item_order)
    return items


# ------------------------------------------------------------------ verdicts → items

_SUBJECT_LABEL = {"order": "order", "admission": "admission", "report": "risk of dropout",
                  "notification": "DataTilInstitution"}


def _subject_text(subject: str) -> str:
    spell, about = spell_of(subject)
    shown = [] if spell == 1 else ["youth effort"] if spell == 0 else [f"spell {spell}"]
    if about:
        scope, _, key = about.partition(":")
        if scope == "order":
            key = key[:8]
        shown.append(f"{_SUBJECT_LABEL.get(scope, scope)} {key}")
    return f" ({', '.join(shown)})" if shown else ""


def title(rule: Rule, verdict: Verdict) -> str:
    """The item's one line: the control point, the duty, what it is about, the due date."""
    label = f"CP {verdict.control_point}: " if verdict.control_point else ""
    due = f", due {verdict.due_on.isoformat()}" if verdict.due_on else ""
    return f"{label}{rule.description}{_subject_text(verdict.subject)}{due}"


def _showing(rule: Rule, verdict: Verdict, facts: Facts, on: date) -> bool:
    shown = rule.worklist
    if verdict.status is Status.DUE:
        if shown.show_from_days is not None and verdict.due_on is not None and \
                on < verdict.due_on - timedelta(days=shown.show_from_days):
            return False
    elif verdict.status is Status.MISSED:
        if verdict.met_by is not None or verdict.closed_by is not None or not shown.show_missed:
            return False
    else:
        return False
    if shown.show_while == "retention_case_open":
        return any(case.closed is None for case in facts.retention_cases.values())
    return True


def items_from_verdicts(verdicts: Iterable[Verdict], facts: Facts, on: date,
                        rules: RuleSet) -> Iterator[WorkItem]:
    """The work items of a case's verdicts on ``on``: every open duty shown by its rule's
    ``worklist`` table, and every missed duty still undone (a duty done late, or ended after it
    was missed, is history, not work)."""
    plan = plan_of(rules)
    for v in verdicts:
        rule = plan.shown(v.rule_id, v.period)
        if not _showing(rule, v, facts, on):
            continue
        cause = tuple(sorted({ref.seq for ref in (v.decided_by, v.clock_start, v.met_by)
                              if ref is not None}))
        yield WorkItem(
            young_person_id=v.case_id, kind=rule.worklist.item, title=title(rule, v),
            due_on=v.due_on, overdue=v.status is Status.MISSED, rule_id=v.rule_id,
            legal_source=v.legal_source, caseworker_id=v.caseworker_id, team_id=v.team_id,
            cause=cause)


def verdict_items(facts: Facts, on: date, *, rules: RuleSet | None = None,
                  calendars: Calendars | Calendar | None = None) -> Iterator[WorkItem]:
    """Worklist source: the case judged on ``on`` by the rules, as work items."""
    ruleset = rules if rules is not None else default_rules()
    yield from items_from_verdicts(evaluate(facts, on, ruleset, calendars, explain=False), facts,
                                   on, ruleset)


def verdict_source(rules: RuleSet | None = None,
                   calendars: Calendars | Calendar | None = None) -> WorkItemSource:
    """The verdict source judged by another rule set (e.g. with a municipality's own targets in
    a regime file of its own) or other calendars."""
    return partial(verdict_items, rules=rules, calendars=calendars)
