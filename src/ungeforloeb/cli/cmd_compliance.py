"""``ungeforloeb compliance`` and ``explain``: every rule judged for every case on a date."""

from __future__ import annotations

import difflib
import sys
from datetime import date
from pathlib import Path

import click
from rich.markup import escape

from ungeforloeb.cli import main
from ungeforloeb.cli._common import (
    DB,
    console,
    find_case,
    one_line_errors,
    open_store,
    parse_date,
    read_case_files,
)
from ungeforloeb.cli._output import Column, compliance_listing, emit, format_option
from ungeforloeb.cli._progress import progress
from ungeforloeb.projections.compliance import (
    evaluate_all,
    evaluate_case,
    load_rules,
)
from ungeforloeb.report.explain import LANGS, explain_fields, label, status_word
from ungeforloeb.rules.model import RuleSet

_DB = DB
_AS_OF = click.option("--as-of", "as_of", required=True, callback=parse_date,
                      metavar="YYYY-MM-DD", help="Judge what had happened by this day.")
_KNOWN_AT = click.option("--known-at", callback=parse_date, default=None, metavar="YYYY-MM-DD",
                         help="Only what had been recorded by this day (default: everything).")


@main.command("compliance")
@_AS_OF
@_KNOWN_AT
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Table (with the audit's shares as a reference), JSON "
                                      "(rows and every verdict) or CSV (rows).")
@click.option("--no-reference", is_flag=True, help="Leave out the audit's 2018–20 column.")
@_DB
@one_line_errors
def compliance_command(as_of: date, known_at: date | None, fmt: str, no_reference: bool,
                       db: Path) -> None:
    """Every control point's share met, with numerator, denominator and legal source."""
    app = open_store(db)
    with progress() as tracker:
        files = read_case_files(app, tracker)
        report = evaluate_all(tracker.track(files, "judging the cases"), as_of, known_at)
    if fmt == "json":
        sys.stdout.buffer.write(report.to_json() + b"\n")
    elif fmt == "csv":
        click.echo(report.to_csv(), nl=False)
    else:
        rows, columns, title, caption = compliance_listing(
            report, reference=not no_reference, count=len(report.verdicts))
        emit(rows, columns, fmt="table", title=title, caption=caption)


@main.command("explain")
@click.argument("case_id")
@click.argument("rule_id")
@_AS_OF
@_KNOWN_AT
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
              help="da: Danish status words and event names (the glossary's), with the rule's "
                   "Danish quote and its reading.")
@format_option("The explanation as text (table), CSV (one line per verdict and field) or "
               "JSON (the verdicts with their fields).")
@_DB
@one_line_errors
def explain_command(case_id: str, rule_id: str, as_of: date, known_at: date | None, lang: str,
                    fmt: str, db: Path) -> None:
    """Explain one rule's verdict for one case: the events and dates it used.

    RULE_ID is a rule id of the rule data, or a control point's number (``6``, ``cp6``)."""
    rules = load_rules()
    rule_id = rule_named(rules, rule_id)
    app = open_store(db)
    case_file = find_case(app, case_id)
    known = (f", {label('known at', lang)} {known_at.isoformat()}" if known_at else "")
    # Only this rule (and the rules it depends on) is judged: one case, one rule.
    verdicts = [v for v in evaluate_case(case_file, as_of, known_at, rules.only((rule_id,)))
                if v.rule_id == rule_id]
    if fmt != "table":
        rows = [{"case_id": v.case_id, "subject": v.subject, "rule_id": v.rule_id,
                 "status": status_word(v.status.value, lang), "field": name, "value": value}
                for v in verdicts for name, value in explain_fields(v, rules, lang)]
        emit(rows, EXPLAIN_COLUMNS, fmt=fmt, title=f"{rule_id} for {case_file.young_person_id}",
             data={"case_id": case_file.young_person_id, "rule_id": rule_id,
                   "as_of": as_of.isoformat(),
                   "known_at": known_at.isoformat() if known_at else None, "lang": lang,
                   "verdicts": [{**v.to_dict(), "fields": [
                       {"name": name, "value": value}
                       for name, value in explain_fields(v, rules, lang)]}
                       for v in verdicts]})
        return
    out = console()
    for v in verdicts:
        subject = f" [{v.subject}]" if v.subject else ""
        out.print(f"[bold]{escape(v.case_id)}{escape(subject)} · {v.rule_id} · "
                  f"{label('as of', lang)} {as_of.isoformat()}{known}: "
                  f"{escape(status_word(v.status.value, lang))}[/]")
        fields = explain_fields(v, rules, lang)
        width = max(17, *(len(k) for k, _ in fields[:-1]))
        for name, value in fields[:-1]:
            out.print(f"  {name:<{width}} {escape(value)}", soft_wrap=lang == "da")
        out.print(f"  {escape(fields[-1][1])}", soft_wrap=False)


EXPLAIN_COLUMNS = (Column("case", "case_id"), Column("subject", "subject"),
                   Column("rule", "rule_id"), Column("status", "status"),
                   Column("field", "field"), Column("value", "value", wrap=True))


def rule_named(rules: RuleSet, given: str) -> str:
    """The rule id ``given`` names: a rule id, or a control point's number (``6``, ``cp06``,
    ``2a``); otherwise a usage error that suggests the closest ids."""
    if given in rules.ids:
        return given
    wanted = given.strip().lower().removeprefix("cp").lstrip("0")
    by_point = [r for r in rules.ids
                if (rules.latest(r).control_point or "").lower().lstrip("0") == wanted]
    if len(by_point) == 1:
        return by_point[0]
    close = difflib.get_close_matches(given, rules.ids, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else \
        "`ungeforloeb compliance` lists the rules and control points"
    raise click.BadParameter(f"unknown rule {given!r}; {hint}", param_hint="RULE_ID")
