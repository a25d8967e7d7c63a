"""Value types of the municipality–institution exchange (issue 5): the codes its events store.

Kept apart from :mod:`ungeforloeb.domain.values` so that the exchange grows without editing the
core value types. As there: the values (not the names) are stored and exported; never change a
value, add a member instead.
"""

from __future__ import annotations

from enum import Enum


class ReportKind(Enum):
    """What an institution's report (an inbound message through UDB) is about."""

    ADMISSION = "optagelse"
    COMPLETION = "gennemfoerelse"
    INTERRUPTION = "afbrydelse"
    RISK_OF_DROPOUT = "risiko_for_frafald"
    INSTITUTION_CONTACT = "institution_kontakt"  # IndberetInstitutionKontakt
    RECEIPT = "modtagelseskvittering"


class EntryMode(Enum):
    """How the institution's student-administrative system got the data (002:259)."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"  # entered by hand, e.g. by a school secretary


class FurtherInformationChannel(Enum):
    """How information beyond the predefined options was given to the institution (000:257–262).

    Only the channel and the date are recorded; the content never enters the library.
    """

    SECURE_MAIL = "secure_mail"  # sikker post
    PHONE = "phone"


class SubscriptionRefusal(Enum):
    """Why UDB refused a subscription (CreateUDBabonnement)."""

    NO_EDUCATION_PLAN = "no_education_plan"
    AGE_30_OR_OVER = "age_30_or_over"
    NO_ACTIVE_CONTACT_GROUP = "no_active_contact_group"
