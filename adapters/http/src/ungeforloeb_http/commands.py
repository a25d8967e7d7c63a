"""The application's commands as ``POST /commands/<name>``, one route per command.

Each route's request model is made from the command method's own signature (names, types,
defaults), on the strict field types of :mod:`ungeforloeb_http.fields`, with unknown fields
refused; so the HTTP commands cannot drift from the application's. :data:`COMMANDS` lists
the commands put on HTTP, what each records and what it answers; a test checks that every
command of the application is either listed or left out on purpose (:data:`NOT_COMMANDS`).

CPR number and name are taken by ``register_first_contact`` only, go to the identity record,
and never come back in a response; the outbound DataTilInstitution is returned without them.
"""

from __future__ import annotations

import inspect
import threading
import typing
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import attrs
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from ungeforloeb.application import Ungeforloeb
from ungeforloeb.application.exchange_commands import Dispatch
from ungeforloeb.application.identity import CPR_PATTERN
from ungeforloeb.application.retry import retry_on_conflict
from ungeforloeb.domain.base import EDUCATION_CODE, INSTITUTION_ID, MUNICIPALITY_CODE
from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.domain.values import ContactKind
from ungeforloeb.exchange.codec import unstructure_outbound
from ungeforloeb.exchange.messages import EMAIL, PHONE, Contact
from ungeforloeb_http.auth import Principal
from ungeforloeb_http.fields import ACTOR_REGEX, ID_REGEX, ShortStr, enum_code, strict_type
from ungeforloeb_http.problems import from_error, problem_responses

if TYPE_CHECKING:
    from ungeforloeb_http.access import Access

YOUNG_PERSON = "commands: young person"
ORDER = "commands: education order"
RETENTION = "commands: retention case"
EXCHANGE = "commands: exchange"

COMMAND_TAGS = (
    (YOUNG_PERSON, "Facts about the young person's case: first contact, conversations, "
                   "visitation, offers, caseworker, benefit."),
    (ORDER, "The education order (uddannelsespålæg): its steps and deadlines, admission, start, "
            "completion, interruption, the support assessment."),
    (RETENTION, "Retention cases opened by a risk of dropout (risiko for frafald) or an "
                "interruption the municipality learnt of (afbrud; the youth effort)."),
    (EXCHANGE, "The outbound DataTilInstitution, the UDB subscription and pending reports."),
)


@attrs.frozen
class Command:
    """A command put on HTTP: its method's name, its tag, the events it records and what it
    answers besides ``{"command", "status"}`` (``result``)."""

    name: str
    tag: str
    records: tuple[str, ...]
    result: str = "recorded"
    """``recorded``, an id field (``young_person_id``, ``order_id``, ``case_id``), ``opened``,
    ``applied`` or ``dispatch``."""


def _c(name: str, tag: str, *records: str, result: str = "recorded") -> Command:
    return Command(name, tag, records, result)


COMMANDS: tuple[Command, ...] = (
    _c("register_first_contact", YOUNG_PERSON, "FirstContactRegistered",
       result="young_person_id"),
    _c("hold_first_conversation", YOUNG_PERSON, "FirstConversationHeld"),
    _c("visitate", YOUNG_PERSON, "Visitated"),
    _c("assess_literacy_test", YOUNG_PERSON, "LiteracyTestAssessed"),
    _c("take_literacy_test", YOUNG_PERSON, "LiteracyTestTaken"),
    _c("give_rights_guidance", YOUNG_PERSON, "RightsGuidanceGiven"),
    _c("offer_coordinating_caseworker", YOUNG_PERSON, "CoordinatingCaseworkerOffered"),
    _c("hold_conversation", YOUNG_PERSON, "ConversationHeld"),
    _c("update_plan", YOUNG_PERSON, "PlanUpdated"),
    _c("start_offer", YOUNG_PERSON, "OfferStarted"),
    _c("end_offer", YOUNG_PERSON, "OfferEnded"),
    _c("record_absence", YOUNG_PERSON, "AbsenceRecorded"),
    _c("decide_sanction", YOUNG_PERSON, "SanctionDecided"),
    _c("make_cv_available", YOUNG_PERSON, "CvMadeAvailable"),
    _c("register_job_seeker", YOUNG_PERSON, "JobSeekerRegistered"),
    _c("assign_caseworker", YOUNG_PERSON, "CaseworkerAssigned"),
    _c("grant_mentor", YOUNG_PERSON, "MentorGranted"),
    _c("end_benefit", YOUNG_PERSON, "BenefitEnded"),
    _c("decide_job_track", YOUNG_PERSON, "JobTrackDecided"),
    _c("exempt_from_contact", YOUNG_PERSON, "ContactExemptionDecided"),
    _c("issue_order", ORDER, "OrderIssued", result="order_id"),
    _c("set_step_deadline", ORDER, "StepDeadlineSet"),
    _c("move_step_deadline", ORDER, "StepDeadlineMoved"),
    _c("propose_wish", ORDER, "EducationWishProposed"),
    _c("submit_application", ORDER, "ApplicationSubmitted"),
    _c("admit", ORDER, "Admitted"),
    _c("record_admission_qualifying", ORDER, "AdmissionQualifyingRecorded"),
    _c("assess_duty_to_start", ORDER, "DutyToStartAssessed"),
    _c("start_education", ORDER, "EducationStarted"),
    _c("complete_education", ORDER, "EducationCompleted"),
    _c("interrupt_education", ORDER, "EducationInterrupted"),
    _c("end_order", ORDER, "OrderEnded"),
    _c("assess_support", ORDER, "SupportAssessed"),
    _c("notify_institution", ORDER, "InstitutionNotified"),
    _c("exchange_contact", ORDER, "ContactExchanged"),
    _c("receive_receipt", ORDER, "ReceiptReceived"),
    _c("record_further_information", ORDER, "FurtherInformationSent"),
    _c("report_risk_of_dropout", RETENTION, "RiskOfDropoutReported", result="case_id"),
    _c("note_interruption", RETENTION, "InterruptionNoted", result="case_id"),
    _c("start_new_activity", RETENTION, "NewActivityStarted"),
    _c("contact_young_person", RETENTION, "YoungPersonContacted"),
    _c("decide_retention_initiative", RETENTION, "RetentionInitiativeDecided"),
    _c("close_retention_case", RETENTION, "RetentionCaseClosed"),
    _c("send_data_til_institution", EXCHANGE, "InstitutionNotified", "JobnetLetterSent",
       result="dispatch"),
    _c("assess_support_and_notify", EXCHANGE, "SupportAssessed", "InstitutionNotified",
       "JobnetLetterSent", result="dispatch"),
    _c("open_subscription", EXCHANGE, "SubscriptionOpened", "SubscriptionRefused",
       result="opened"),
    _c("close_subscription", EXCHANGE, "SubscriptionClosed"),
    _c("apply_pending_reports", EXCHANGE, "InstitutionReportApplied", result="applied"),
)
"""Every command on HTTP, in the order of the OpenAPI document."""

NOT_COMMANDS: dict[str, str] = {
    "receive_institution_message": "POST /institution-messages",
    "receive_inbound": "POST /institution-messages (the same, in the commands' shape)",
    "receive_all": "POST /institution-messages, one message per request",
    "designate_recipient": "configuration, not an event: ungeforloeb-http --routing FILE",
    "use_routing": "configuration, not an event: ungeforloeb-http --routing FILE",
    "erase_personal_data": "not on HTTP until the access issue decides who may erase",
    "return_to_benefit": "not on HTTP yet: it finds the person by CPR number, which only "
                         "register_first_contact takes over HTTP (issue 11)",
    "follow_in_youth_effort": "not on HTTP yet: it takes a CPR number and name, which only "
                              "register_first_contact takes over HTTP (issue 11)",
}
"""Public methods of the application that record events but are not a ``/commands`` route,
and where they are instead."""

_TARGETS = ("young_person_id", "order_id", "case_id")

FROM_TOKEN = "recorded_by"
"""The parameter taken from the caller's token (its ``sub``), never from the body."""

FIELD_PATTERNS: dict[str, str] = {
    **dict.fromkeys(("caseworker_id", "team_id", "contact_id", "responsible_id"), ACTOR_REGEX),
    **dict.fromkeys(("admission_id", "message_id", "offer_id", "report_id", "in_reply_to",
                     "reason_code", "system_id"), ID_REGEX),
    "education_code": EDUCATION_CODE.pattern,
    "institution_id": INSTITUTION_ID.pattern,
    "municipality_code": MUNICIPALITY_CODE.pattern,
    "cpr": CPR_PATTERN.pattern,
    "name": r"^\S.*$",
}
"""The pattern each string field must match, as the domain checks it (in the schema; the
domain's check answers 422 ``invalid-command`` naming the field)."""

FIELD_DOCS = {
    "occurred_on": "The day it happened (YYYY-MM-DD); not after the day it is recorded.",
    "young_person_id": "The young person's random id.",
    "order_id": "The education order's id.",
    "case_id": "The retention case's id.",
    "cpr": "CPR number (ten digits): kept in the identity record only, never in an event, "
           "never returned.",
    "name": "The young person's name, with the CPR number: identity record only, never "
            "returned.",
}


# ---------------------------------------------------------------- request models


class ContactBody(BaseModel):
    """A contact person or team: id, kind, eight-digit phone, own (not general) e-mail."""

    model_config = ConfigDict(extra="forbid")

    contact_id: ShortStr = Field(json_schema_extra={"pattern": ACTOR_REGEX})
    kind: typing.Annotated[ContactKind, BeforeValidator(enum_code(ContactKind))]
    phone: ShortStr | None = Field(None, json_schema_extra={"pattern": f"^{PHONE.pattern}$"})
    email: ShortStr | None = Field(None, json_schema_extra={"pattern": f"^{EMAIL.pattern}$"})

    def to_contact(self) -> Contact:
        """The exchange's :class:`Contact` (its own validators check the patterns)."""
        return Contact(contact_id=self.contact_id, kind=self.kind, phone=self.phone,
                       email=self.email)


def _field(tp: Any) -> Any:
    return ContactBody if tp is Contact else strict_type(tp)


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


def request_model(command: Command) -> type[BaseModel]:
    """The request model of ``command``, from its method's signature."""
    method = getattr(Ungeforloeb, command.name)
    hints = typing.get_type_hints(method)
    fields: dict[str, Any] = {}
    for p in list(inspect.signature(method).parameters.values())[1:]:
        if p.name == FROM_TOKEN:
            continue
        tp = hints[p.name]
        default = ... if p.default is inspect.Parameter.empty else p.default
        pattern = FIELD_PATTERNS.get(p.name)
        fields[p.name] = (_field(tp), Field(
            default, description=FIELD_DOCS.get(p.name),
            json_schema_extra={"pattern": pattern} if pattern else None))
    model: type[BaseModel] = create_model(
        _camel(command.name) + "Request", __config__=ConfigDict(extra="forbid"), **fields)
    return model


# ---------------------------------------------------------------- response models


class Recorded(BaseModel):
    """The command was recorded."""

    command: str
    status: str = Field("recorded", description="Always ``recorded``.")


class YoungPersonCreated(Recorded):
    young_person_id: str


class OrderCreated(Recorded):
    order_id: str


class RetentionCaseCreated(Recorded):
    case_id: str


class SubscriptionAnswer(Recorded):
    opened: bool = Field(description="False when refused; the refusal is recorded with its "
                                     "reason (SubscriptionRefused).")


class PendingApplied(Recorded):
    applied: list[str] = Field(description="Report ids applied to the case by this call.")


class OutboundContact(BaseModel):
    contact_id: str
    kind: str
    phone: str | None
    email: str | None


class OutboundMessage(BaseModel):
    """DataTilInstitution v2.0 as built, without the CPR number: the vendor's transport adds
    it from its own records when it sends the message (CPR never leaves through this API)."""

    message_id: str
    sent_on: str
    municipality_code: str
    institution_id: str
    admission_id: str
    education_code: str
    ordered_to_start_and_complete: bool
    academic_support: bool
    social_support: bool
    needs_documented: bool
    no_support_need: bool
    other_support_persons: bool
    wants_institution_contact: bool
    contact: OutboundContact


class Letter(BaseModel):
    """The young person's Jobnet letter (Danish), saying what was sent."""

    message_id: str
    subject: str
    text: str


class DispatchBody(BaseModel):
    message: OutboundMessage
    letter: Letter


class Dispatched(Recorded):
    dispatch: DispatchBody | None = Field(
        description="The message and letter to send; null when the rules say no message is "
                    "due (assess_support_and_notify without a support need).")


RESPONSES: dict[str, tuple[type[Recorded], int]] = {
    "recorded": (Recorded, 200),
    "young_person_id": (YoungPersonCreated, 201),
    "order_id": (OrderCreated, 201),
    "case_id": (RetentionCaseCreated, 201),
    "opened": (SubscriptionAnswer, 200),
    "applied": (PendingApplied, 200),
    "dispatch": (Dispatched, 200),
}


def dispatch_json(dispatch: Dispatch) -> dict[str, Any]:
    """The dispatch as JSON, the CPR number left out."""
    message = unstructure_outbound(dispatch.message)
    message.pop("cpr", None)
    return {"message": message, "letter": attrs.asdict(dispatch.letter)}


def _answer(command: Command, result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"command": command.name, "status": "recorded"}
    if command.result in _TARGETS:
        out[command.result] = str(result)
    elif command.result == "opened":
        out["opened"] = bool(result)
    elif command.result == "applied":
        out["applied"] = list(result)
    elif command.result == "dispatch":
        out["dispatch"] = None if result is None else dispatch_json(result)
    return out


# ---------------------------------------------------------------- routes


def _description(command: Command) -> str:
    method = getattr(Ungeforloeb, command.name)
    doc = inspect.cleandoc(method.__doc__ or "")
    meanings = [f"- `{e}`: {EVENT_TYPES[e].meaning}" for e in command.records]
    records = "Records:\n\n" + "\n".join(meanings)
    return f"{doc}\n\n{records}" if doc else records


def _endpoint(app: Ungeforloeb, lock: threading.Lock, access: Access, command: Command,
              model: type[BaseModel], retries: int,
              counted: Callable[[Ungeforloeb], AbstractContextManager[None]]
              ) -> Callable[..., Any]:
    response_model, status = RESPONSES[command.result]
    takes_actor = FROM_TOKEN in inspect.signature(getattr(Ungeforloeb, command.name)).parameters

    def endpoint(request: Request, body: Any, principal: Principal) -> Any:
        kwargs = {name: getattr(body, name) for name in type(body).model_fields}
        target = next((kwargs[t] for t in _TARGETS if kwargs.get(t) is not None), None)
        if command.name == "register_first_contact":
            access.check(principal, command.name, municipality=kwargs["municipality_code"])
        else:
            access.case(principal, command.name, target)
        if takes_actor:
            kwargs[FROM_TOKEN] = principal.subject
        try:
            for name, value in kwargs.items():
                if isinstance(value, ContactBody):
                    kwargs[name] = value.to_contact()
            with lock, counted(app):
                result = retry_on_conflict(getattr(app, command.name), retries=retries,
                                           **kwargs)
        except Exception as err:
            answer = from_error(err, instance=request.url.path, command=command.name,
                                id=target)
            if answer is None:
                raise
            return answer
        return JSONResponse(response_model.model_validate(_answer(command, result))
                            .model_dump(), status_code=status)

    endpoint.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=Request),
        inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=model),
        inspect.Parameter("principal", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=Principal, default=Depends(access.authenticate)),
    ])
    endpoint.__name__ = command.name
    return endpoint


def command_router(app: Ungeforloeb, lock: threading.Lock, access: Access,
                   counted: Callable[[Ungeforloeb], AbstractContextManager[None]],
                   retries: int = 0) -> APIRouter:
    """A router with one ``POST /commands/<name>`` per command of :data:`COMMANDS`; a command
    refused by a concurrent write to its case is reloaded and re-run up to ``retries`` times."""
    router = APIRouter(prefix="/commands")
    for command in COMMANDS:
        model = request_model(command)
        response_model, status = RESPONSES[command.result]
        summary = command.name.replace("_", " ").capitalize()
        router.add_api_route(
            f"/{command.name}", _endpoint(app, lock, access, command, model, retries, counted),
            methods=["POST"], name=command.name, summary=summary,
            description=_description(command), tags=[command.tag],
            response_model=response_model, status_code=status,
            responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
            operation_id=command.name)
    return router
