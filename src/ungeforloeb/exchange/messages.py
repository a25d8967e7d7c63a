"""The typed messages of the exchange, named after the national services behind it.

Outbound, municipality → institution: :class:`DataTilInstitution` (STIL's web service v2.0, in
force 1 Jan 2022), built only from the seven predefined options of the support assessment
(000:243–254) plus whether the young person is ordered to start and complete the education
(000:219), and the municipality's contact (a person or a team, never a general mailbox).

Inbound, institution → municipality, through UDB: :class:`Optagelse` (admission),
:class:`Gennemfoerelse` (completion), :class:`Afbrydelse` (interruption, with a reason code),
:class:`RisikoForFrafald` (risk of dropout), :class:`IndberetInstitutionKontakt` (the
institution's contact person or team) and :class:`Modtagelseskvittering` (receipt naming the
responsible worker or team). Every inbound message carries its :class:`Provenance`.

No field can hold free text or sensitive data: every field is an enumeration, a boolean, a date,
a UUID, or a string that must match a narrow pattern (ids, codes, digits, a personal or team
e-mail address). Inbound messages name the young person by our random id: the receiving
adapter resolves UDB's CPR number through the identity record
(``app.identities.find_by_cpr``) before structuring, so these objects can be logged. The
outbound message carries the CPR number (ten digits), taken from the identity record at the
moment it is sent; its ``repr`` never shows it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

import attrs

from ungeforloeb.domain.base import (
    EDUCATION_CODE,
    ID_PATTERN,
    INSTITUTION_ID,
    MUNICIPALITY_CODE,
)
from ungeforloeb.domain.exchange_values import EntryMode, ReportKind
from ungeforloeb.domain.redact import scrub
from ungeforloeb.domain.values import ContactKind
from ungeforloeb.exchange import codelists

PHONE = re.compile(r"[0-9]{8}")
"""A Danish phone number: eight digits, no spaces, no +45 (the case system adds the prefix)."""

EMAIL = re.compile(r"(?P<local>[a-z0-9][a-z0-9._-]{0,63})@[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+")
"""A lower-case e-mail address: letters, digits and ``._-`` before the ``@``."""

GENERAL_MAILBOX_WORDS = frozenset({
    "post", "postkasse", "postmodtagelse", "info", "kontakt", "mail", "sikkerpost", "digitalpost",
    "borgerservice", "kommune", "kommunen", "jobcenter", "jobcentret", "jobcenteret",
    "ungeenheden", "sekretariat", "noreply", "no-reply", "admin", "skole", "kontor",
})
"""Local parts of general mailboxes (000:398–403; 001:1102: messages must not "strand i
tilfældige postkasser")."""

_SEGMENT = re.compile(r"[._-]")


class MessageError(ValueError):
    """Raised when a message is built or structured with a field that breaks its rules.

    The message names the field (or the JSON path), what was expected and what arrived — with
    CPR-shaped runs and name-shaped runs scrubbed (:func:`ungeforloeb.domain.redact.scrub`,
    the redaction every error path uses), so a broker's dead-letter header or an HTTP problem
    built from it never carries them.
    """

    def __init__(self, message: str) -> None:
        super().__init__(scrub(message))


# ------------------------------------------------------------------------- validators


def _strict_date(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise MessageError(f"{type(inst).__name__}.{attribute.name} must be a datetime.date, "
                           f"got {value!r}")


def _optional_date(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _strict_date(inst, attribute, value)


def _pattern(pattern: re.Pattern[str], what: str, *, secret: bool = False) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            shown = "<redacted>" if secret else repr(value)
            raise MessageError(f"{type(inst).__name__}.{attribute.name} must be {what}, "
                               f"got {shown}")
    return check


def _optional(check: Any) -> Any:
    def inner(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            check(inst, attribute, value)
    return inner


def _instance(tp: type[Any]) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise MessageError(f"{type(inst).__name__}.{attribute.name} must be a "
                               f"{tp.__name__}, got {value!r}")
    return check


_bool = _instance(bool)
_id = _pattern(ID_PATTERN, "an id of lower-case letters, digits and .:_- (never a name)")
_institution = _pattern(INSTITUTION_ID, "a six-digit institution number")
_education = _pattern(EDUCATION_CODE, "an education code")
_municipality = _pattern(MUNICIPALITY_CODE, "a three-digit municipality code")
_cpr = _pattern(re.compile(r"[0-9]{10}"), "a CPR number of ten digits", secret=True)


def is_general_mailbox(email: str) -> bool:
    """Whether ``email`` is a general mailbox.

    Our reading: a general word alone (``post@``, ``info@``) or followed by one place or number
    segment (``post.kk@``, ``jobcenter-101@``). Anything more specific (``ungeteam.nord@``,
    ``anne.jensen@``) names a person or a team.
    """
    local = email.split("@", 1)[0]
    if local in GENERAL_MAILBOX_WORDS:
        return True
    parts = _SEGMENT.split(local)
    return len(parts) == 2 and parts[0] in GENERAL_MAILBOX_WORDS


def _email(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not EMAIL.fullmatch(value):
        raise MessageError(f"{type(inst).__name__}.{attribute.name} must be a lower-case "
                           f"e-mail address, got {value!r}")
    if is_general_mailbox(value):
        raise MessageError(f"{type(inst).__name__}.{attribute.name} must be a person's or a "
                           f"team's own address, not a general mailbox, got {value!r}")


# ------------------------------------------------------------------------- contacts


@attrs.frozen
class Contact:
    """A contact person or team (never a general mailbox): an id, its kind, and how to reach it.

    ``phone`` is eight digits; ``email`` a personal or team address. The outbound message needs
    both; an inbound contact may come with either or neither (the id and kind always).
    """

    contact_id: str = attrs.field(validator=_id)
    kind: ContactKind = attrs.field(validator=_instance(ContactKind))
    phone: str | None = attrs.field(default=None,
                                    validator=_optional(_pattern(PHONE, "eight digits")))
    email: str | None = attrs.field(default=None, validator=_optional(_email))


# ------------------------------------------------------------------------- outbound


def _complete_contact(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Contact):
        raise MessageError(f"{type(inst).__name__}.{attribute.name} must be a Contact, "
                           f"got {value!r}")
    if value.phone is None or value.email is None:
        raise MessageError(f"{type(inst).__name__}.{attribute.name} must give both a phone "
                           f"number and an e-mail address")


@attrs.frozen
class DataTilInstitution:
    """DataTilInstitution v2.0: what the municipality sends the admitting institution.

    The seven options of 000:243–254, verbatim in :data:`OPTIONS`, plus the order to start and
    complete (000:219). Nothing else: anything beyond goes by secure mail or phone and is
    recorded only as ``FurtherInformationSent``.
    """

    service: ClassVar[str] = "DataTilInstitution"
    version: ClassVar[str] = "2.0"

    message_id: str = attrs.field(validator=_id)
    sent_on: date = attrs.field(validator=_strict_date)
    municipality_code: str = attrs.field(validator=_municipality)
    institution_id: str = attrs.field(validator=_institution)
    admission_id: str = attrs.field(validator=_id)
    education_code: str = attrs.field(validator=_education)
    cpr: str = attrs.field(validator=_cpr, repr=lambda _: "'******-****'")
    ordered_to_start_and_complete: bool = attrs.field(validator=_bool)
    academic_support: bool = attrs.field(validator=_bool)
    social_support: bool = attrs.field(validator=_bool)
    needs_documented: bool = attrs.field(validator=_bool)
    no_support_need: bool = attrs.field(validator=_bool)
    other_support_persons: bool = attrs.field(validator=_bool)
    wants_institution_contact: bool = attrs.field(validator=_bool)
    contact: Contact = attrs.field(validator=_complete_contact)

    def __attrs_post_init__(self) -> None:
        if self.no_support_need and (self.academic_support or self.social_support):
            raise MessageError("DataTilInstitution.no_support_need must be False when "
                               "academic_support or social_support is True")

    @property
    def has_support_need(self) -> bool:
        """Whether a support need was assessed (academic, or social/personal/health)."""
        return self.academic_support or self.social_support


OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("academic_support", "Om den unge har brug for støtte til faglige udfordringer",
     "Whether the young person needs support with academic challenges"),
    ("social_support",
     "Om den unge har brug for støtte til sociale, personlige eller helbredsmæssige udfordringer",
     "Whether the young person needs support with social, personal or health challenges"),
    ("needs_documented", "Om støttebehov(ene) er dokumenteret",
     "Whether the support need(s) are documented"),
    ("no_support_need", "Om der ikke vurderes at være støttebehov",
     "Whether no support need is assessed"),
    ("other_support_persons", "Om den unge har tilknyttet øvrige relevante støttepersoner",
     "Whether the young person has other relevant support persons"),
    ("wants_institution_contact",
     "Om jobcenteret gerne vil kontaktes af uddannelsesinstitutionen mhp. konkret dialog om den "
     "unges start på uddannelse",
     "Whether the jobcentre would like the institution to contact it about the young person's "
     "start"),
    ("contact", "Relevante kontaktoplysninger i kommunen",
     "Relevant contact details in the municipality (a person or a team)"),
)
"""The seven predefined options (field, Danish wording verbatim from 000:243–254, English)."""

ORDERED_OPTION = ("ordered_to_start_and_complete",
                  "Om den unge er pålagt at starte på uddannelsen",
                  "Whether the young person is ordered to start (and complete) the education")
"""The eighth field: the order to start and complete (000:219)."""


# ------------------------------------------------------------------------- inbound


@attrs.frozen
class Provenance:
    """Where an inbound report came from (002:259): its unique report id (HaendelseNummer),
    the reporting institution and system, automatic or by hand, when it happened and when the
    municipality received it."""

    haendelse_nummer: str = attrs.field(validator=_id)
    institution_id: str = attrs.field(validator=_institution)
    system_id: str = attrs.field(validator=_id)
    entry: EntryMode = attrs.field(validator=_instance(EntryMode))
    occurred_on: date = attrs.field(validator=_strict_date)
    received_on: date = attrs.field(validator=_strict_date)

    def __attrs_post_init__(self) -> None:
        if self.received_on < self.occurred_on:
            raise MessageError(f"Provenance.received_on ({self.received_on.isoformat()}) must "
                               f"be on or after occurred_on ({self.occurred_on.isoformat()})")


def _reason_code(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    known = codelists.load("afbrudsaarsager").codes
    if not isinstance(value, str) or value not in known:
        raise MessageError(f"{type(inst).__name__}.{attribute.name} must be one of the "
                           f"interruption-reason codes {sorted(known)}, got {value!r}")


_uuid = _instance(UUID)
_provenance = _instance(Provenance)


@attrs.frozen
class Optagelse:
    """Admission (optagelse) to an education, reported by the institution through UDB."""

    kind: ClassVar[ReportKind] = ReportKind.ADMISSION

    young_person_id: UUID = attrs.field(validator=_uuid)
    provenance: Provenance = attrs.field(validator=_provenance)
    education_code: str = attrs.field(validator=_education)
    starts_on: date = attrs.field(validator=_strict_date)
    school_municipality_code: str | None = attrs.field(default=None,
                                                       validator=_optional(_municipality))


@attrs.frozen
class Gennemfoerelse:
    """Completion (gennemførelse) of an education."""

    kind: ClassVar[ReportKind] = ReportKind.COMPLETION

    young_person_id: UUID = attrs.field(validator=_uuid)
    provenance: Provenance = attrs.field(validator=_provenance)
    education_code: str = attrs.field(validator=_education)


@attrs.frozen
class Afbrydelse:
    """Interruption (afbrydelse) of an education, with an interruption-reason code from the
    configurable code list ``codelists/afbrudsaarsager.toml`` (unverified)."""

    kind: ClassVar[ReportKind] = ReportKind.INTERRUPTION

    young_person_id: UUID = attrs.field(validator=_uuid)
    provenance: Provenance = attrs.field(validator=_provenance)
    education_code: str = attrs.field(validator=_education)
    reason_code: str = attrs.field(validator=_reason_code)


@attrs.frozen
class RisikoForFrafald:
    """Risk of dropout (risiko for frafald), e.g. absence or worrying behaviour (000:473). Only
    that there is a risk: the reason never goes through the exchange."""

    kind: ClassVar[ReportKind] = ReportKind.RISK_OF_DROPOUT

    young_person_id: UUID = attrs.field(validator=_uuid)
    provenance: Provenance = attrs.field(validator=_provenance)
    education_code: str | None = attrs.field(default=None, validator=_optional(_education))
    school_municipality_code: str | None = attrs.field(default=None,
                                                       validator=_optional(_municipality))


@attrs.frozen
class IndberetInstitutionKontakt:
    """IndberetInstitutionKontakt v1.0: the institution's contact person or team."""

    kind: ClassVar[ReportKind] = ReportKind.INSTITUTION_CONTACT

    young_person_id: UUID = attrs.field(validator=_uuid)
    provenance: Provenance = attrs.field(validator=_provenance)
    contact: Contact = attrs.field(validator=_instance(Contact))


@attrs.frozen
class Modtagelseskvittering:
    """Receipt (modtagelseskvittering) of an outbound message, naming the responsible worker or
    team at the institution (001:1114–1134)."""

    kind: ClassVar[ReportKind] = ReportKind.RECEIPT

    young_person_id: UUID = attrs.field(validator=_uuid)
    provenance: Provenance = attrs.field(validator=_provenance)
    in_reply_to: str = attrs.field(validator=_id)
    responsible: Contact = attrs.field(validator=_instance(Contact))


InboundMessage = (Optagelse | Gennemfoerelse | Afbrydelse | RisikoForFrafald
                  | IndberetInstitutionKontakt | Modtagelseskvittering)
"""Any inbound message."""

INBOUND_TYPES: tuple[type[Any], ...] = (Optagelse, Gennemfoerelse, Afbrydelse, RisikoForFrafald,
                                        IndberetInstitutionKontakt, Modtagelseskvittering)
