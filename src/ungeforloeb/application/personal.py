"""Personal fields of events, sealed with the young person's own data key.

The event catalogue has one personal field: ``FirstContactRegistered.birth_date`` (every other
field is an id, a code, a boolean, an enumeration or a date of the case; contact persons appear
by kind and id only, and there is no free text — see docs/privacy.md). In the store that field
holds a token ``sealed:v1:<base64>``: the value's JSON sealed (AES-GCM) with the person's data
key, bound to the person's id and the field's name.

Reading opens the token with the data key. After erasure the key is gone and the field reads as
the value kept for it at erasure (:class:`Kept`): for the birth date, the earliest birth date
that gives the person the same age on every date of their case (see
:func:`generalised_birth_dates`), so that replay, the rules and the figures are unchanged.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, Protocol
from uuid import UUID

import orjson

from ungeforloeb.application.keys import KeyUnavailableError, open_sealed, seal

PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {"FirstContactRegistered": ("birth_date",),
                                                "YouthEffortFollowed": ("birth_date",)}
"""Event type → its personal fields (sealed with the person's key; the person is the stream)."""

TOKEN = "sealed:v1:"


class PersonalData(Protocol):
    """What sealing and opening need of the store: the data key, and what erasure kept."""

    def data_key(self, young_person_id: UUID) -> bytes | None: ...

    def kept(self, young_person_id: UUID) -> dict[str, Any] | None: ...


_FIELD_NAMES = frozenset(f for fields in PERSONAL_FIELDS.values() for f in fields)


def seal_fields(store: PersonalData, type_name: str, person: UUID,
                state: dict[str, Any]) -> None:
    """Replace the personal fields of an event's state by sealed tokens
    (``sealed:v1:<person id hex>:<base64>``); in place."""
    fields = PERSONAL_FIELDS.get(type_name)
    if not fields:
        return
    key = store.data_key(person)
    if key is None:
        raise KeyUnavailableError(f"no data key for young person {person}: {type_name} cannot "
                                  "be stored")
    for name in fields:
        value = state.get(name)
        if value is None or (isinstance(value, str) and value.startswith(TOKEN)):
            continue
        sealed = seal(key, person, name, orjson.dumps(value))
        state[name] = f"{TOKEN}{person.hex}:{base64.urlsafe_b64encode(sealed).decode()}"


def open_fields(store: PersonalData, state: dict[str, Any]) -> dict[str, Any]:
    """Replace sealed tokens in a decoded state by their values, or after erasure by what was
    kept for them (``None`` if nothing was); in place. Fast when there is no token."""
    for name in _FIELD_NAMES:
        value = state.get(name)
        if not (isinstance(value, str) and value.startswith(TOKEN)):
            continue
        person_hex, _, body = value[len(TOKEN):].partition(":")
        person = UUID(hex=person_hex)
        kept = store.kept(person)
        if kept is not None:
            state[name] = kept.get(name)
            continue
        key = store.data_key(person)
        if key is None:
            state[name] = None
            continue
        raw = base64.urlsafe_b64decode(body.encode())
        state[name] = orjson.loads(open_sealed(key, person, name, raw))
    return state


class Kept:
    """What is kept of a person's personal fields when their key is erased."""

    @staticmethod
    def for_birth_date(earliest: date) -> dict[str, Any]:
        return {"birth_date": earliest.isoformat()}


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def generalised_birth_dates(born: date, case_dates: Iterable[date]) -> tuple[date, date]:
    """The earliest and latest birth dates that give the same age in whole years as ``born``
    on every one of ``case_dates`` (a contiguous range around ``born``, at most a year wide).

    Any date in the range judges every age rule on those dates as ``born`` does; the range's
    ends follow from the dates and the ages on them alone."""
    days: Sequence[date] = sorted(set(case_dates))
    ages = [_age(born, d) for d in days]

    def same(candidate: date) -> bool:
        return all(_age(candidate, d) == a for d, a in zip(days, ages, strict=True))

    earliest = latest = born
    while earliest - timedelta(days=1) >= date.min and same(earliest - timedelta(days=1)) \
            and (born - earliest).days < 366:
        earliest -= timedelta(days=1)
    while same(latest + timedelta(days=1)) and (latest - born).days < 366 \
            and (not days or latest + timedelta(days=1) < days[0]):
        latest += timedelta(days=1)
    return earliest, latest


def dates_in(payloads: Iterable[tuple[date, dict[str, Any]]]) -> list[date]:
    """Every date of a case: each event's ``occurred_on`` and every ISO date in its payload."""
    out: list[date] = []
    personal = {f for fields in PERSONAL_FIELDS.values() for f in fields}
    for occurred_on, payload in payloads:
        out.append(occurred_on)
        for name, value in payload.items():
            if name not in personal and isinstance(value, str) and len(value) == 10 \
                    and value[4] == "-" and value[7] == "-":
                try:
                    out.append(date.fromisoformat(value))
                except ValueError:
                    continue
    return out
