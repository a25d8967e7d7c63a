"""The municipality's contacts' phone numbers and e-mail addresses, for the outbound message.

Events keep only a contact's kind and id (``SupportAssessed.contact_kind``/``contact_id``):
phone and e-mail "stay in the message" (docs/exchange.md, docs/privacy.md). A relay that builds
DataTilInstitution again from the event log therefore looks them up here, in a strictly read
TOML file the municipality keeps (configuration, not events)::

    [contacts."cw-1"]
    kind = "person"
    phone = "12345678"
    email = "anne.jensen@kk.dk"

    [contacts.ungeteam-nord]
    kind = "team"
    phone = "87654321"
    email = "ungeteam.nord@kk.dk"

Each entry is structured by the exchange codec into a :class:`~ungeforloeb.exchange.messages.
Contact` (so a general mailbox, a bad phone number or an unknown key is refused, naming the
file and the path); both phone and e-mail are required, as the outbound message needs them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ungeforloeb.domain.values import ContactKind
from ungeforloeb.exchange.codec import MessageStructureError, structure
from ungeforloeb.exchange.messages import Contact


class ContactDirectoryError(ValueError):
    """Raised when the contact file is missing, not TOML, or an entry breaks a rule; the
    message names the file and the entry."""


class ContactDirectory:
    """Contacts by (kind, id)."""

    def __init__(self, contacts: Mapping[str, Contact] | None = None) -> None:
        self._by_id: dict[str, Contact] = dict(contacts or {})

    def __len__(self) -> int:
        return len(self._by_id)

    def find(self, kind: ContactKind, contact_id: str) -> Contact | None:
        """The contact with this id and kind, or ``None``."""
        found = self._by_id.get(contact_id)
        return found if found is not None and found.kind is kind else None

    @classmethod
    def of(cls, *contacts: Contact) -> ContactDirectory:
        """A directory of the given contacts."""
        return cls({c.contact_id: c for c in contacts})


def load_contacts(path: str | Path) -> ContactDirectory:
    """Read a contact file strictly (see the module's docstring)."""
    where = str(path)
    try:
        data: dict[str, Any] = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ContactDirectoryError(f"{where}: cannot be read ({e.strerror})") from None
    except tomllib.TOMLDecodeError as e:
        raise ContactDirectoryError(f"{where}: not TOML ({e})") from None
    extra = sorted(set(data) - {"contacts"})
    if extra:
        raise ContactDirectoryError(f"{where}: unknown top-level keys {extra}; expected "
                                    f"[contacts.<id>] tables")
    table = data.get("contacts", {})
    if not isinstance(table, dict):
        raise ContactDirectoryError(f"{where}: 'contacts' must be a table of tables")
    contacts: dict[str, Contact] = {}
    for contact_id, entry in table.items():
        if not isinstance(entry, dict):
            raise ContactDirectoryError(f"{where}: contacts.{contact_id} must be a table")
        try:
            contact = structure({"contact_id": contact_id, **entry}, Contact)
        except MessageStructureError as e:
            raise ContactDirectoryError(f"{where}: contacts.{contact_id}: "
                                        + "; ".join(e.errors)) from None
        if contact.phone is None or contact.email is None:
            raise ContactDirectoryError(f"{where}: contacts.{contact_id} must give both phone "
                                        f"and email (DataTilInstitution needs them)")
        contacts[contact_id] = contact
    return ContactDirectory(contacts)
