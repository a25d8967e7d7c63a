"""Reading the regime data files strictly: every error names the file and the key.

:class:`Ctx` knows where in a file we are and checks values (tables with their allowed keys,
strings, integers, dates, choices, units, event types and their payload fields against the
domain's event catalogue); :func:`date_ref`, :func:`match` and :func:`length` read the small
structures every part of a rule uses. The loader (:mod:`ungeforloeb.rules.loader`) and the rule
kinds (:mod:`ungeforloeb.rules.kinds`) read with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.rules.calendar import Unit
from ungeforloeb.rules.model import GROUPS, DateRef, EventMatch


class RuleDataError(ValueError):
    """Raised when a regime data file is malformed; the message names the file and the key."""


PAYLOAD = {name: {f for f, _ in e.payload_fields} for name, e in EVENT_TYPES.items()}
"""Each event type's payload fields."""


class Ctx:
    """Where we are in a file, for error messages."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.rule: str | None = None
        """The id of the rule being read, when there is one (named in every error)."""

    def fail(self, key: str, message: str) -> RuleDataError:
        where = f" [rule {self.rule}]" if self.rule else ""
        return RuleDataError(f"{self.file}: {key}: {message}{where}")

    def table(self, value: Any, key: str, required: Sequence[str],
              optional: Sequence[str] = ()) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, got {type(value).__name__}")
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}",
                            f"unknown key (allowed: {', '.join([*required, *optional])})")
        for name in required:
            if name not in value:
                raise self.fail(f"{key}.{name}", "missing")
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, got {value!r}")
        return value

    def integer(self, value: Any, key: str, minimum: int = 0) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(key, f"must be an integer ≥ {minimum}, got {value!r}")
        return value

    def day(self, value: Any, key: str) -> date:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail(key, f"must be a TOML date (YYYY-MM-DD), got {value!r}")
        return value

    def choice(self, value: Any, key: str, options: Iterable[str]) -> str:
        opts = tuple(options)
        if value not in opts:
            raise self.fail(key, f"must be one of {', '.join(opts)}, got {value!r}")
        return str(value)

    def unit(self, value: Any, key: str) -> Unit:
        try:
            return Unit(value)
        except ValueError:
            raise self.fail(key, f"must be one of {', '.join(u.value for u in Unit)}, "
                                 f"got {value!r}") from None

    def event(self, value: Any, key: str) -> str:
        name = self.string(value, key)
        if name not in EVENT_TYPES:
            raise self.fail(key, f"unknown event type {name!r}")
        return name

    def where(self, value: Any, key: str, event: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table of payload field = value")
        for name, v in value.items():
            if name not in PAYLOAD[event]:
                raise self.fail(f"{key}.{name}", f"{event} has no payload field {name!r}")
            if not isinstance(v, str | bool | int):
                raise self.fail(f"{key}.{name}", f"must be a string, boolean or integer, "
                                                 f"got {v!r}")
        return dict(value)

    def groups(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"must be a non-empty list of {', '.join(GROUPS)}")
        return tuple(self.choice(g, f"{key}[{i}]", GROUPS) for i, g in enumerate(value))

    def list_of(self, value: Any, key: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {type(value).__name__}")
        return value


def date_ref(c: Ctx, value: Any, key: str) -> DateRef:
    t = c.table(value, key, ("event",), ("where", "field", "which"))
    event = c.event(t["event"], f"{key}.event")
    field = t.get("field")
    if field is not None and c.string(field, f"{key}.field") not in PAYLOAD[event]:
        raise c.fail(f"{key}.field", f"{event} has no payload field {field!r}")
    return DateRef(event, c.where(t.get("where", {}), f"{key}.where", event), field,
                   c.choice(t.get("which", "first"), f"{key}.which", ("first", "latest")))


def match(c: Ctx, value: Any, key: str) -> EventMatch:
    t = c.table(value, key, ("event",), ("where", "groups"))
    event = c.event(t["event"], f"{key}.event")
    groups = c.groups(t["groups"], f"{key}.groups") if "groups" in t else ()
    return EventMatch(event, c.where(t.get("where", {}), f"{key}.where", event), groups)


def length(c: Ctx, value: Any, key: str) -> tuple[int, Unit]:
    t = c.table(value, key, ("length", "unit"))
    return c.integer(t["length"], f"{key}.length", 1), c.unit(t["unit"], f"{key}.unit")
