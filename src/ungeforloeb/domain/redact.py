"""The one redaction every error path uses: no CPR number and no name is ever echoed.

- :func:`scrub` replaces anything shaped like a CPR number (six digits, an optional hyphen, four
  digits, not part of a longer run of digits) in a finished text;
- :func:`shown` is how an error shows a rejected value: the value of a personal field (a name,
  a CPR number, a phone number, an e-mail address, a birth date) is never shown, and any other
  value is shown scrubbed.

Domain errors, the interchange log's errors, the identity store and the command line's error
line all go through these two functions; a property test feeds CPR numbers and names into every
entry point and searches every output and log line (``tests/property/test_no_personal_data``).
"""

from __future__ import annotations

import re

CPR_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{6}-?\d{4}(?![0-9A-Za-z])")
"""What a CPR number looks like inside a text: not part of a longer run of digits or letters
(so never a piece of a UUID's hex digits)."""

NAME_SHAPED = re.compile(
    r"(?<![\w-])[A-ZÆØÅÄÖÜÉ][a-zæøåäöüé]+(?:-[A-ZÆØÅÄÖÜÉ]?[a-zæøåäöüé]+)?"
    r"(?:[ ]+[A-ZÆØÅÄÖÜÉ][a-zæøåäöüé]+(?:-[A-ZÆØÅÄÖÜÉ]?[a-zæøåäöüé]+)?)+(?![\w-])")
"""What a personal name looks like inside a text: two or more capitalised words in a row."""

CPR_MARK = "<redacted: looks like a CPR number>"
NAME_MARK = "<redacted: looks like a name>"
REDACTED = "<redacted>"

PERSONAL_FIELDS = frozenset({
    "cpr", "cpr_number", "name", "names", "first_name", "last_name", "full_name", "navn",
    "phone", "telefon", "email", "e_mail", "mail", "birth_date", "address", "adresse",
})
"""Field names whose values are personal data and never shown in an error."""


def is_personal_field(field: str | None) -> bool:
    """True when a field (possibly a path such as ``payload.contact.name``) holds personal data.
    """
    if not field:
        return False
    last = field.replace("[", ".").split(".")[-1].strip("]'\" ").lower()
    return last in PERSONAL_FIELDS or last.endswith(("_name", "_phone", "_email", "_cpr"))


def scrub(text: str) -> str:
    """``text`` with every CPR-shaped run and every run of two or more capitalised words
    (``Signe Kjærgaard``) replaced by a mark. A name of one word cannot be told from other
    words; that is why rejected values go through :func:`shown` as well."""
    return NAME_SHAPED.sub(NAME_MARK, CPR_SHAPED.sub(CPR_MARK, text))


_CODE_LIKE = re.compile(r"[A-Za-z0-9._:/+-]{1,64}")
_CAPITALISED_WORD = re.compile(r"[A-ZÆØÅ][a-zæøå]+")


def _may_show(text: str) -> bool:
    """A rejected text is shown only when it looks like a code or an id: no spaces, no letters
    beyond ASCII, not one capitalised word (which could be a name)."""
    return bool(_CODE_LIKE.fullmatch(text)) and not _CAPITALISED_WORD.fullmatch(text)


def _texts(value: object, depth: int = 0) -> list[str]:
    if isinstance(value, str):
        return [value]
    if depth > 4:
        return []
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (*_texts(k, depth + 1),
                                                      *_texts(v, depth + 1))]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [t for v in value for t in _texts(v, depth + 1)]
    return []


def shown(value: object, field: str | None = None, *, limit: int | None = None) -> str:
    """How an error shows a rejected ``value`` of ``field``: ``<redacted>`` for a personal
    field; a text (or a list or mapping holding one) that does not look like a code or an id
    by its length only; anything else as its ``repr``, scrubbed, cut to ``limit`` characters."""
    if is_personal_field(field):
        return REDACTED
    if isinstance(value, str) and not _may_show(value):
        return f"<redacted: a text of {len(value)} characters>"
    if not isinstance(value, str) and not all(_may_show(t) for t in _texts(value)):
        return f"<redacted: a {type(value).__name__} holding text>"
    text = scrub(repr(value))
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
