"""Code lists of the exchange, kept as data (TOML) because UDB's own lists are not public.

Every file says ``verified = false`` until someone replaces it with the official list and its
source. The loader is strict: unknown keys, a missing note or a code without its Danish and
English wording are errors naming the file.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import attrs

_TOP_KEYS = frozenset({"verified", "source", "note", "codes"})
_CODE_KEYS = frozenset({"da", "en", "maps_to"})


class CodeListError(ValueError):
    """Raised when a code list file is malformed; the message names the file and the key."""


@attrs.frozen
class Code:
    """One code: its Danish and English wording and what it maps to in the library."""

    code: str
    da: str
    en: str
    maps_to: str


@attrs.frozen
class CodeList:
    """A code list and whether it has been checked against the official one."""

    name: str
    verified: bool
    source: str
    note: str
    codes: dict[str, Code]


@cache
def load(name: str) -> CodeList:
    """Load ``codelists/<name>.toml`` strictly."""
    file = f"{name}.toml"
    try:
        text = resources.files(__name__).joinpath(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodeListError(f"{file}: no such code list") from None
    data = tomllib.loads(text)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise CodeListError(f"{file}: unknown keys {unknown}")
    if not isinstance(data.get("verified"), bool):
        raise CodeListError(f"{file}: 'verified' must be true or false")
    for key in ("source", "note"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise CodeListError(f"{file}: '{key}' must be a non-empty string")
    codes: dict[str, Code] = {}
    for code, entry in dict(data.get("codes", {})).items():
        if not isinstance(entry, dict) or set(entry) != _CODE_KEYS:
            raise CodeListError(f"{file}: code {code!r} must have exactly {sorted(_CODE_KEYS)}")
        if not all(isinstance(v, str) and v for v in entry.values()):
            raise CodeListError(f"{file}: code {code!r}: every value must be a non-empty string")
        codes[code] = Code(code, entry["da"], entry["en"], entry["maps_to"])
    if not codes:
        raise CodeListError(f"{file}: no codes")
    return CodeList(name, data["verified"], data["source"], data["note"], codes)
