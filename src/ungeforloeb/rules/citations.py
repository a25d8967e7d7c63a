"""Citations of the source documents as a reader sees them: by the bibliography
(``docs/sources.md``: short title and year), never by a file or seed number a reader does not
have.

The rule data keeps its citations as written (``seed 003:1594-1596``, ``000:199``): regime files'
bytes are hashed into every exported log's header, so the rule data is never rewritten for
presentation. :func:`cite` renders such a citation for a reader, from the mapping
:data:`BIBLIOGRAPHY` (document key → its entry); a test keeps the mapping equal to the
bibliography's table and fails when any reader-facing text still says "seed NNN" or names a file
of the project's working notes.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Entry(NamedTuple):
    """One document of the bibliography."""

    short: str
    """Short title and year, as a citation gives it."""
    publisher: str


BIBLIOGRAPHY: dict[str, Entry] = {
    "000": Entry("Vejledning om datadeling (2022)", "STAR, STUK og STIL"),
    "001": Entry("Eftersyn af ungeindsatsen (2021)", "Beskæftigelsesministeriet"),
    "002": Entry("KOMBIT, datakvalitet i UDB (2025)", "KOMBIT"),
    "003": Entry("Fokusrevisionen (2022)", "STAR"),
    "004": Entry("Unge uden uddannelse (2019)", "Benchmarkingenheden"),
}
"""Document key (the rule data's ``NNN`` in ``seed NNN:L``) → its bibliography entry."""

NOTES: dict[str, str] = {
    "LEGAL_REVIEW.md": "the legal review of November 2026,",
    "CONTROL_POINTS.md": "the control points of the focus audit",
    "BRIEF.md": "the project's brief",
}
"""The project's working notes, by the name a reader is given instead of their file name."""

BIBLIOGRAPHY_PAGE = "sources.md"
"""The bibliography's page in the docs (links from the other pages)."""

_LINES = r"\d+(?:[-–]\d+)?(?:, ?\d+(?:[-–]\d+)?)*"
_CITATION = re.compile(
    rf"\b(?:seeds? )?(?P<key>00[0-4])(?::(?P<lines>{_LINES}|whole text))?(?![\d])"
    r"|\bseed (?P<bare>00[0-4])\b")
_NOTE = re.compile("|".join(re.escape(n) for n in NOTES))
_SEED_WORD = re.compile(r"\bseed (?=\d)")
_SEEDS = ((re.compile(r"\bthe seeds\b"), "the bibliography's documents"),
          (re.compile(r"\bthe seed\b"), "a document of the bibliography"))


def _lines(text: str, lang: str) -> str:
    if text == "whole text":
        return "hele teksten" if lang == "da" else "the whole text"
    word = "ll." if any(c in text for c in ",-–") else "l."
    return f"{word} {text.replace('-', '–')}"


def cite(text: str, *, lang: str = "en", link: str | None = None) -> str:
    """``text`` with every citation of a source document (``seed 003:1594-1596``,
    ``003:954``, ``seed 000``) given by its bibliography entry, and every working note named
    instead of its file. With ``link`` (a relative address of ``docs/sources.md``) the entry's
    title links to the bibliography (Markdown)."""

    def one(m: re.Match[str]) -> str:
        key = m.group("key") or m.group("bare")
        entry = BIBLIOGRAPHY[key]
        title = f"[{entry.short}]({link})" if link else entry.short
        lines = m.group("lines") if m.group("key") else None
        return f"{title}, {_lines(lines, lang)}" if lines else title

    out = _CITATION.sub(one, text)
    out = _NOTE.sub(lambda m: NOTES[m.group(0)], out).replace(",)", ")")
    for pattern, words in _SEEDS:
        out = pattern.sub(words, out)
    return _SEED_WORD.sub("", out)
