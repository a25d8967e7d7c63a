"""The letter to the young person in Jobnet saying what was sent to the institution (000:204).

Generated from the very :class:`~ungeforloeb.exchange.messages.DataTilInstitution` that was
sent, in Danish, listing every field of it and nothing else, so the young person "knows which
information is exchanged" (000:244). The letter never shows the CPR number; it goes to the
young person's Jobnet inbox, which the case system addresses by CPR when it sends it. That it
was sent is recorded as ``JobnetLetterSent`` (the text is not stored: it can be generated again
from the message).
"""

from __future__ import annotations

import attrs

from ungeforloeb.domain.values import ContactKind
from ungeforloeb.exchange.messages import OPTIONS, ORDERED_OPTION, DataTilInstitution

_YES_NO = {True: "Ja", False: "Nej"}
_KIND = {ContactKind.PERSON: "en medarbejder", ContactKind.TEAM: "et team"}


@attrs.frozen
class JobnetLetter:
    """The letter: which message it is about, its subject and its text (Danish)."""

    message_id: str
    subject: str
    text: str


AUTHORITY_WORD = "jobcenteret"
"""The word the options' verbatim wording uses for the municipality's employment service."""


def jobnet_letter(message: DataTilInstitution, legal_basis: str,
                  authority: str = AUTHORITY_WORD) -> JobnetLetter:
    """The Jobnet letter listing exactly what ``message`` sent, under ``legal_basis`` (the
    notification rule's citation for citizens, from the rule data of the day it is sent).
    ``authority`` is the word the law prescribes for texts shown to people on the day it is
    sent (the rule data's wording ``authority_in_citizen_texts``: "kommunen" from 1 July 2026);
    it replaces "jobcenteret" in the options' wording."""
    lines = [
        "Kære modtager",
        "",
        f"Kommunen har den {message.sent_on.strftime('%d.%m.%Y')} sendt disse oplysninger om "
        f"dig til uddannelsesinstitutionen (institutionsnummer {message.institution_id}) i "
        f"forbindelse med din optagelse på uddannelsen med koden {message.education_code}:",
        "",
        f"- {ORDERED_OPTION[1]}: {_YES_NO[message.ordered_to_start_and_complete]}",
    ]
    for name, danish, _english in OPTIONS:
        if name == "contact":
            contact = message.contact
            lines.append(
                f"- {danish}: {_KIND[contact.kind]} ({contact.contact_id}), "
                f"telefon {contact.phone}, e-mail {contact.email}")
        else:
            shown = danish.replace(AUTHORITY_WORD, authority)
            lines.append(f"- {shown}: {_YES_NO[bool(getattr(message, name))]}")
    lines += [
        "",
        "Der er ikke sendt andre oplysninger om dig gennem Ungedatabasen. Oplysningerne er "
        f"sendt efter {legal_basis}.",
        f"Beskedens nummer: {message.message_id}.",
        "",
        "Har du spørgsmål, kan du kontakte kommunen på telefonnummeret eller e-mailadressen "
        "ovenfor.",
    ]
    return JobnetLetter(
        message_id=message.message_id,
        subject="Oplysninger sendt til din uddannelsesinstitution",
        text="\n".join(lines),
    )
