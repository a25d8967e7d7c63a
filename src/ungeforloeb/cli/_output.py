"""Listings that fit: one way for every listing command to write a table, CSV or JSON.

- ``--format table`` on a terminal: a table when it fits the terminal's width (``COLUMNS`` is
  honoured), else each row stacked as ``name: value`` lines, so no number is ever cut to "…";
- ``--format table`` piped: plain tab-separated lines (a ``#`` title, a header, the rows), with
  no padding and no box characters, for ``cut``, ``grep`` and ``sort``;
- ``--format csv``: the same columns as CSV; ``--format json``: the rows (or the command's own
  richer data) as JSON.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import click
import orjson
from rich.console import Console
from rich.markup import escape
from rich.table import Table

FORMATS = ("table", "csv", "json")
F = TypeVar("F", bound=Callable[..., Any])


def format_option(help_text: str = "A table (stacked when the terminal is narrow; plain "
                                   "tab-separated lines when piped), CSV or JSON."
                  ) -> Callable[[F], F]:
    """The ``--format table|csv|json`` option every listing takes."""
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help=help_text)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a listing: its heading and the row key it shows."""

    heading: str
    key: str
    numeric: bool = False
    wrap: bool = False
    """May wrap in a table (long free text); other columns never wrap."""


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _needed(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> int:
    """The width a boxed table needs to show every cell whole (wrapping columns at 24)."""
    total = 1
    for c in columns:
        widest = max([len(c.heading), *(len(_text(r.get(c.key))) for r in rows)])
        total += (min(widest, 24) if c.wrap else widest) + 3
    return total


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, fmt: str, title: str,
         caption: str | None = None, data: Any = None, out: Console | None = None) -> None:
    """Write ``rows`` as ``fmt`` (``data`` instead of the rows for JSON, when given)."""
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(data if data is not None else list(rows),
                                             option=orjson.OPT_INDENT_2) + b"\n")
        return
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([c.key for c in columns])
        for r in rows:
            w.writerow(["" if r.get(c.key) is None else _text(r.get(c.key)) for c in columns])
        click.echo(buf.getvalue(), nl=False)
        return
    console = out or Console()
    if not console.is_terminal:
        def echo(line: str) -> None:
            if out is not None:
                console.file.write(line + "\n")
            else:
                click.echo(line)

        echo(f"# {title}")
        echo("\t".join(c.heading for c in columns))
        for r in rows:
            echo("\t".join(_text(r.get(c.key)).replace("\t", " ").replace("\n", " ")
                            for c in columns))
        if caption:
            echo(f"# {caption}")
        return
    if _needed(rows, columns) <= console.width:
        table = Table(title=escape(title), title_justify="left", expand=False)
        for c in columns:
            table.add_column(c.heading, justify="right" if c.numeric else "left",
                             no_wrap=not c.wrap, overflow="fold")
        for r in rows:
            table.add_row(*(escape(_text(r.get(c.key))) for c in columns))
        if caption:
            table.caption = escape(caption)
            table.caption_justify = "left"
        console.print(table)
        return
    # narrow: every row stacked, name: value (long values wrap; nothing is cut)
    console.print(f"[bold]{escape(title)}[/]", highlight=False)
    label = max(len(c.heading) for c in columns)
    for i, r in enumerate(rows):
        if i:
            console.print("")
        for c in columns:
            console.print(f"{c.heading.rjust(label)}: {escape(_text(r.get(c.key)))}",
                          overflow="fold", highlight=False)
    if caption:
        console.print(escape(caption), highlight=False)


def compliance_listing(report: Any, *, reference: bool, count: int
                       ) -> tuple[list[dict[str, Any]], list[Column], str, str]:
    """The compliance table's rows, columns, title and caption (for :func:`emit`): per rule the
    counts, the share, each visitation group's met/of, the legal source and, with
    ``reference``, the focus audit's figure labelled as not ours; the caption names the rule
    set's and the ``count`` verdicts' digests."""
    from ungeforloeb.projections.compliance import (
        GROUP_LABEL,
        GROUP_ORDER,
        REFERENCE_LABEL,
        reference_text,
    )

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.1f}%"

    columns = [Column("CP", "cp"), Column("rule", "rule_id"),
               Column("met", "met", numeric=True), Column("missed", "missed", numeric=True),
               Column("of", "of", numeric=True), Column("share", "share", numeric=True),
               *(Column(GROUP_LABEL[g], g, numeric=True) for g in GROUP_ORDER),
               Column("due", "due", numeric=True), Column("n/a", "na", numeric=True),
               Column("not doc.", "nd", numeric=True), Column("unused", "unused", numeric=True),
               Column("legal source", "source", wrap=True)]
    if reference:
        columns.append(Column(REFERENCE_LABEL, "reference", wrap=True))
    rows = []
    for r in report.rows():
        by = {g.group: g for g in r.by_group}
        row: dict[str, Any] = {
            "cp": r.control_point or "", "rule_id": r.rule_id, "met": r.met,
            "missed": r.missed, "of": r.denominator, "share": pct(r.share),
            "due": r.due, "na": r.not_applicable, "nd": r.not_documented, "unused": r.unused,
            "source": r.legal_source, "reference": reference_text(r)}
        for g in GROUP_ORDER:
            row[g] = (f"{by[g].met}/{by[g].denominator} {pct(by[g].share)}" if g in by else "–")
        rows.append(row)
    known = f", known at {report.known_at.isoformat()}" if report.known_at else ""
    return (rows, columns, f"Compliance as of {report.as_of.isoformat()}{known}",
            "share = met / (met + missed + unused); due, not applicable and not documented "
            f"are left out of the denominator. Rules {report.rules.digest[:16]}, verdicts "
            f"{report.digest()[:16]} (sha256 prefixes; {count} verdicts)")
