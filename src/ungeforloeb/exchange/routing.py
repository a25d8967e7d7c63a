"""Routing of the institutions' messages to the municipality's designated recipient.

**Designated recipient.** Every municipality designates a recipient of the institutions'
messages: a worker with special responsibility for young people with an education order, or a
team (000:398–403), because caseworkers change (000:393). When a report arrives, the application
routes it to the municipality's designated recipient and records that decision in the report's
event (``recipient_kind``, ``recipient_id``): the routing is decided once, at receipt, and a
later change of caseworker does not move it. The designations are configuration, not events:
set them with ``designate_recipient`` or load them from a TOML file (:func:`load_routing`).
With no designation, the report is routed to the case's team at the time (and, if the case has
none, to nobody: the worklist then gives it the case's current caseworker).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

import attrs

from ungeforloeb.domain.base import ID_PATTERN, MUNICIPALITY_CODE
from ungeforloeb.domain.values import ContactKind


@attrs.frozen
class Recipient:
    """A designated recipient: a person (caseworker id) or a team (team id)."""

    kind: ContactKind = attrs.field(validator=attrs.validators.instance_of(ContactKind))
    recipient_id: str = attrs.field(validator=attrs.validators.matches_re(ID_PATTERN))


@attrs.frozen
class Routing:
    """The designated recipient of each municipality (by three-digit code)."""

    designated: Mapping[str, Recipient] = attrs.field(factory=dict)

    def designate(self, municipality_code: str, recipient: Recipient) -> Routing:
        """A copy with ``recipient`` designated for ``municipality_code``."""
        if not isinstance(municipality_code, str) or \
                not MUNICIPALITY_CODE.fullmatch(municipality_code):
            raise ValueError(f"Routing.designate: municipality_code must be three digits, got "
                             f"{municipality_code!r}")
        return Routing({**self.designated, municipality_code: recipient})

    def route(self, municipality_code: str | None,
              current_team: str | None) -> Recipient | None:
        """Where a report for a young person of ``municipality_code`` goes: the designated
        recipient, else the case's current team, else nobody."""
        if municipality_code is not None and municipality_code in self.designated:
            return self.designated[municipality_code]
        if current_team is not None:
            return Recipient(ContactKind.TEAM, current_team)
        return None


class RoutingError(ValueError):
    """Raised when a routing file is malformed; the message names the file and the key."""


def load_routing(path: str | Path) -> Routing:
    """Read the designated recipients from a TOML file, strictly::

        [municipalities.101]
        kind = "team"            # or "person"
        recipient_id = "ungeteam-kbh"
    """
    file = Path(path)
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    if set(data) - {"municipalities"}:
        raise RoutingError(f"{file.name}: unknown keys {sorted(set(data) - {'municipalities'})}")
    routing = Routing()
    for code, entry in dict(data.get("municipalities", {})).items():
        where = f"{file.name}: municipalities.{code}"
        if not isinstance(entry, dict) or set(entry) != {"kind", "recipient_id"}:
            raise RoutingError(f"{where} must have exactly 'kind' and 'recipient_id'")
        try:
            routing = routing.designate(code, Recipient(ContactKind(entry["kind"]),
                                                        entry["recipient_id"]))
        except (ValueError, TypeError) as e:
            raise RoutingError(f"{where}: {e}") from None
    return routing
