"""Danish words shown to people: every event type and every verdict status, as the glossary
(docs/glossary.md) gives them. The young person's own view and ``explain --lang da`` (CLI and
HTML report) use them; a test keeps them equal to the glossary."""

from __future__ import annotations

EVENT_LABELS: dict[str, str] = {
    "FirstContactRegistered": "første henvendelse",
    "FirstConversationHeld": "1. samtale afholdt",
    "Visitated": "visiteret (foreløbig/endelig)",
    "LiteracyTestAssessed": "behov for FVU-test vurderet",
    "LiteracyTestTaken": "FVU-test taget",
    "RightsGuidanceGiven": "vejledt om rettigheder og pligter",
    "CoordinatingCaseworkerOffered": "tilbudt koordinerende sagsbehandler",
    "ConversationHeld": "samtale afholdt",
    "PlanUpdated": "Min Plan opdateret",
    "OfferStarted": "tilbud startet",
    "OfferEnded": "tilbud afsluttet",
    "AbsenceRecorded": "fravær registreret",
    "SanctionDecided": "afgørelse om sanktion",
    "CvMadeAvailable": "CV synligt for arbejdsgivere",
    "JobSeekerRegistered": "tilmeldt som jobsøgende",
    "CaseworkerAssigned": "sagsbehandler (og team) tilknyttet",
    "MentorGranted": "mentor bevilget",
    "BenefitEnded": "hjælpen ophørt",
    "BenefitSpellStarted": "nyt ydelsesforløb (ny første henvendelse)",
    "YouthEffortFollowed": "fulgt af den kommunale ungeindsats (uden hjælp)",
    "JobTrackDecided": "afgørelse om jobsporet fra–til",
    "ContactExemptionDecided": "fritagelse for jobsamtaler og tilbud fra–til",
    "InstitutionReportReceived": "hændelse modtaget fra UDB",
    "InstitutionReportConflicting":
        "hændelse genfremsendt med samme HaendelseNummer men andet indhold",
    "InstitutionReportApplied": "hændelse indarbejdet i sagen",
    "SubscriptionOpened": "UDB-abonnement oprettet",
    "SubscriptionRefused": "UDB-abonnement afvist",
    "SubscriptionClosed": "UDB-abonnement lukket",
    "PersonalDataErased": "personoplysninger slettet (nøglen destrueret)",
    "OrderIssued": "uddannelsespålæg givet",
    "StepDeadlineSet": "frist for trin sat",
    "StepDeadlineMoved": "frist for trin flyttet",
    "EducationWishProposed": "uddannelsesønske (trin 1)",
    "ApplicationSubmitted": "ansøgning om optagelse (trin 2)",
    "Admitted": "optaget",
    "AdmissionQualifyingRecorded": "kompetencegivende uddannelse afklaret",
    "DutyToStartAssessed": "pligt til at påbegynde og gennemføre vurderet",
    "EducationStarted": "uddannelse påbegyndt",
    "EducationCompleted": "uddannelse gennemført",
    "EducationInterrupted": "uddannelse afbrudt",
    "OrderEnded": "uddannelsespålæg ophørt",
    "SupportAssessed": "støttebehov vurderet",
    "InstitutionNotified": "underretning sendt til institutionen",
    "ContactExchanged": "kontaktoplysninger fra institutionen modtaget",
    "ReceiptReceived": "modtagelseskvittering modtaget",
    "FurtherInformationSent": "yderligere oplysninger sendt (sikker post/telefon)",
    "JobnetLetterSent": "brev til den unge i Jobnet",
    "RiskOfDropoutReported": "risiko for frafald indberettet",
    "RiskOfDropoutReportedAgain": "risiko for frafald indberettet igen",
    "YoungPersonContacted": "den unge kontaktet",
    "InterruptionNoted": "afbrud af uddannelse kendt af kommunen",
    "NewActivityStarted": "ny aktivitet påbegyndt",
    "RetentionInitiativeDecided": "fastholdelsesinitiativ besluttet",
    "RetentionCaseClosed": "fastholdelsessag lukket",
}
"""Every event type in Danish (the glossary's words without references to the law, which
live in the rule data only; a test keeps the two equal)."""

STATUS_LABELS = {"met": "opfyldt", "missed": "ikke opfyldt", "due": "frist løber",
                 "not_applicable": "gælder ikke", "not_documented": "ikke dokumenteret",
                 "unused": "ret ikke brugt"}
"""Every verdict status in Danish."""
