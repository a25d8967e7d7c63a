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
    DEFAULT_DB,
    console,
    find_case,
    one_line_errors,
    open_store,
    parse_date,
)
from ungeforloeb.cli._output import compliance_listing, emit
from ungeforloeb.projections.compliance import (
    evaluate_all,
    evaluate_case,
    load_rules,
)
from ungeforloeb.report.explain import LANGS, explain_fields, label, status_word
from ungeforloeb.rules.model import RuleSet

_DB = click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
                   show_default=True, help="SQLite event store.")
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
    report = evaluate_all(app.case_files().values(), as_of, known_at)
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
@_DB
@one_line_errors
def explain_command(case_id: str, rule_id: str, as_of: date, known_at: date | None, lang: str,
                    db: Path) -> None:
    """Explain one rule's verdict for one case: the events and dates it used.

    RULE_ID is a rule id of the rule data, or a control point's number (``6``, ``cp6``)."""
    rules = load_rules()
    rule_id = rule_named(rules, rule_id)
    app = open_store(db)
    case_file = find_case(app, case_id)
    out = console()
    known = (f", {label('known at', lang)} {known_at.isoformat()}" if known_at else "")
    # Only this rule (and the rules it depends on) is judged: one case, one rule.
    for v in evaluate_case(case_file, as_of, known_at, rules.only((rule_id,))):
        if v.rule_id != rule_id:
            continue
        subject = f" [{v.subject}]" if v.subject else ""
        out.print(f"[bold]{escape(v.case_id)}{escape(subject)} · {v.rule_id} · "
                  f"{label('as of', lang)} {as_of.isoformat()}{known}: "
                  f"{escape(status_word(v.status.value, lang))}[/]")
        fields = explain_fields(v, rules, lang)
        width = max(17, *(len(k) for k, _ in fields[:-1]))
        for name, value in fields[:-1]:
            out.print(f"  {name:<{width}} {escape(value)}", soft_wrap=lang == "da")
        out.print(f"  {escape(fields[-1][1])}", soft_wrap=False)


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
