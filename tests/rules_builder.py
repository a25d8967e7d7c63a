"""A small builder of case files straight from event records (no database, no aggregates).

    case = CaseBuilder(date(2024, 3, 4))          # FirstContactRegistered on 4 Mar 2024
    case.event("FirstConversationHeld", date(2024, 3, 8))
    order = case.order(date(2024, 3, 8))
    case.admit(order, "adm-1", on=date(2024, 6, 1), starts_on=date(2024, 8, 12))
    verdicts = evaluate_case(case.case_file(), as_of=date(2024, 9, 1))

Records get increasing sequence numbers in the order they are added; ``recorded_on`` defaults
to the day the event happened.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ungeforloeb.casefile import CaseFile, EventRecord
from ungeforloeb.domain.catalogue import EVENT_TYPES

YP = "00000000-0000-4000-8000-00000000000a"
INSTITUTION = "123456"


class CaseBuilder:
    """Builds one young person's records."""

    def __init__(self, first_contact: date, *, birth_date: date = date(2000, 5, 17),
                 municipality_code: str = "101", young_person_id: str = YP) -> None:
        self.yp = young_person_id
        self.records: list[EventRecord] = []
        self._versions: dict[str, int] = {}
        self._streams = 0
        self.event("FirstContactRegistered", first_contact, municipality_code=municipality_code,
                   birth_date=birth_date.isoformat())

    def event(self, type_: str, on: date, *, stream: str | None = None,
              recorded_on: date | None = None, **payload: Any) -> EventRecord:
        stream_type = EVENT_TYPES[type_].stream_type
        stream_id = stream or self.yp
        version = self._versions.get(stream_id, 0) + 1
        self._versions[stream_id] = version
        rec = EventRecord(
            seq=len(self.records) + 1, stream_id=stream_id, stream_type=stream_type,
            version=version, type=type_, occurred_on=on,
            recorded_at=f"{(recorded_on or on).isoformat()}T12:00:00+00:00",
            recorded_by="cw-1",
            payload={k: (v.isoformat() if isinstance(v, date) else v)
                     for k, v in payload.items()})
        self.records.append(rec)
        return rec

    # ------------------------------------------------------------------ young person

    def visitate(self, on: date, group: str, *, stage: str = "final", perspective: bool = True,
                 justification: bool = True, **kw: Any) -> EventRecord:
        return self.event("Visitated", on, stage=stage, group=group,
                          perspective_recorded=perspective, justification_recorded=justification,
                          **kw)

    def conversation(self, on: date, *, followed_up: bool = True, education_focus: bool = True,
                     **kw: Any) -> EventRecord:
        return self.event("ConversationHeld", on, current_step_followed_up=followed_up,
                          education_focus=education_focus, job_focus=False, **kw)

    # ------------------------------------------------------------------ order

    def order(self, on: date, *, step: int = 1, **kw: Any) -> str:
        self._streams += 1
        order_id = f"00000000-0000-4000-9000-{self._streams:012d}"
        self.event("OrderIssued", on, stream=order_id, young_person_id=self.yp, step=step, **kw)
        return order_id

    def admit(self, order: str, admission_id: str, *, on: date, starts_on: date,
              institution: str = INSTITUTION, **kw: Any) -> EventRecord:
        return self.event("Admitted", on, stream=order, admission_id=admission_id,
                          institution_id=institution, education_code="edu-1",
                          starts_on=starts_on, **{"qualifying": True, **kw})

    def on_admission(self, type_: str, order: str, admission_id: str, on: date,
                     **payload: Any) -> EventRecord:
        return self.event(type_, on, stream=order, admission_id=admission_id, **payload)

    def support(self, order: str, admission_id: str, on: date, *, academic: bool = False,
                social: bool = False, **kw: Any) -> EventRecord:
        return self.on_admission(
            "SupportAssessed", order, admission_id, on, academic_support=academic,
            social_support=social, needs_documented=False,
            no_support_need=not (academic or social), other_support_persons=False,
            wants_institution_contact=True, contact_kind="team", contact_id="team-1", **kw)

    # ------------------------------------------------------------------ retention

    def risk_report(self, on: date, *, received_on: date | None = None,
                    admission_id: str | None = None, report_id: str = "r-1",
                    **kw: Any) -> str:
        self._streams += 1
        case_id = f"00000000-0000-4000-a000-{self._streams:012d}"
        self.event("RiskOfDropoutReported", on, stream=case_id, young_person_id=self.yp,
                   order_id=None, admission_id=admission_id, institution_id=INSTITUTION,
                   report_id=report_id, received_on=received_on or on, **kw)
        return case_id

    def contacted(self, case_id: str, on: date, **kw: Any) -> EventRecord:
        return self.event("YoungPersonContacted", on, stream=case_id, channel="phone", **kw)

    # ------------------------------------------------------------------ out

    def case_file(self) -> CaseFile:
        return CaseFile(self.yp, list(self.records))
