"""Commands over HTTP: every command of the application, answered as the application answers,
and nothing of the identity record coming back."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi.testclient import TestClient
from http_adapter_support import FIRST_CONTACT, Post, bearer, http_settings, make_token

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http.commands import COMMANDS, NOT_COMMANDS

CPR = "0105031234"
NAME = "Anne Testesen"
CONTACT = {"contact_id": "cw-1", "kind": "person", "phone": "12345678",
           "email": "anne.jensen@kk.dk"}


def _by(on: str, **fields: Any) -> dict[str, Any]:
    return {"occurred_on": on, **fields}


def test_every_command_of_the_application_is_a_route_or_left_out_on_purpose() -> None:
    public = {name: f for name, f in inspect.getmembers(Ungeforloeb, inspect.isfunction)
              if not name.startswith("_")}
    recording = {name for name, f in public.items()
                 if "recorded_by" in inspect.signature(f).parameters}
    on_http = {c.name for c in COMMANDS}
    assert recording - on_http - set(NOT_COMMANDS) == set()
    assert on_http <= recording
    assert set(NOT_COMMANDS) <= set(public) - on_http


def test_a_case_from_first_contact_to_the_end_goes_through_every_command(
        command: Post, client: TestClient) -> None:
    done: set[str] = set()

    def run(cmd: str, expect: int = 200, /, **body: Any) -> dict[str, Any]:
        done.add(cmd)
        answer = command(cmd, expect, **body)
        assert answer["command"] == cmd and answer["status"] == "recorded"
        return answer

    registered = run("register_first_contact", 201, **FIRST_CONTACT, cpr=CPR, name=NAME)
    yp = registered["young_person_id"]
    assert set(registered) == {"command", "status", "young_person_id"}
    person = {"young_person_id": yp}
    run("assign_caseworker", **person, **_by("2024-01-08", caseworker_id="cw-1",
                                             team_id="team-1"))
    run("hold_first_conversation", **person, **_by("2024-01-09"))
    run("visitate", **person, **_by("2024-01-09", stage="preliminary", group="UP",
                                    perspective_recorded=True, justification_recorded=True))
    run("assess_literacy_test", **person, **_by("2024-01-09", need="needed"))
    run("take_literacy_test", **person, **_by("2024-01-15", shows_need=False))
    run("give_rights_guidance", **person, **_by("2024-01-09", topic="225_hour_rule"))
    run("offer_coordinating_caseworker", **person, **_by("2024-01-09"))
    run("hold_conversation", **person, **_by("2024-01-20", follows_up_current_step=True,
                                             education_focus=True))
    run("update_plan", **person, **_by("2024-01-20", education_goal=True, job_goal=False,
                                       agreements_recorded=True, order_shown=True))
    run("start_offer", **person, **_by("2024-01-22", offer_id="o-1",
                                       kind="company_internship",
                                       individually_assessed=True, purpose_stated=True))
    run("record_absence", **person, **_by("2024-01-25", valid_reason=False, offer_id="o-1"))
    run("decide_sanction", **person, **_by("2024-01-26", imposed=False,
                                           personal_contact_attempted=True))
    run("end_offer", **person, **_by("2024-02-01", offer_id="o-1"))
    run("make_cv_available", **person, **_by("2024-01-10"))
    run("register_job_seeker", **person, **_by("2024-01-10"))

    order = run("issue_order", 201, **person, **_by("2024-01-10"))["order_id"]
    o = {"order_id": order}
    run("set_step_deadline", **o, **_by("2024-01-10", step=1, deadline="2024-02-15"))
    run("move_step_deadline", **o, **_by("2024-02-10", step=1, deadline="2024-03-01",
                                         reason="illness"))
    run("propose_wish", **o, **_by("2024-02-20", education_code="eud-gf1"))
    run("submit_application", **o, **_by("2024-03-01", institution_id="280727",
                                          education_code="eud-gf1"))
    for admission in ("a-1", "a-2"):
        run("admit", **o, **_by("2024-06-01", admission_id=admission, institution_id="280727",
                                education_code="eud-gf1", starts_on="2024-08-12",
                                qualifying=True))
        run("assess_duty_to_start", **o, **_by("2024-06-02", admission_id=admission,
                                                ordered_to_start_and_complete=True))
    refused = command("record_admission_qualifying", 409, **o,
                      **_by("2024-06-02", admission_id="a-1", qualifying=False))
    assert "admission_id" in str(refused) and "already recorded" in str(refused)
    refused = command("record_admission_qualifying", 422, **o,
                      **_by("2024-06-02", admission_id="a-9", qualifying=False))
    assert "admission_id" in str(refused)
    # its success needs an admission without the flag (an institution message): the unit tests
    done.add("record_admission_qualifying")
    support = {"academic_support": True, "social_support": False, "needs_documented": True,
               "no_support_need": False, "other_support_persons": False,
               "wants_institution_contact": True}
    run("assess_support", **o, **_by("2024-06-03", admission_id="a-1", **support,
                                     contact_kind="person", contact_id="cw-1"))
    sent = run("send_data_til_institution", **o, **_by("2024-06-03", admission_id="a-1",
                                                       contact=CONTACT))
    message = sent["dispatch"]["message"]
    assert message["admission_id"] == "a-1" and message["academic_support"] is True
    assert "cpr" not in message and CPR not in str(sent) and NAME not in str(sent)
    assert sent["dispatch"]["letter"]["message_id"] == message["message_id"]
    both = run("assess_support_and_notify", **o, **_by("2024-06-04", admission_id="a-2",
                                                       **support, contact=CONTACT))
    assert both["dispatch"]["message"]["admission_id"] == "a-2"
    run("notify_institution", **o, **_by("2024-06-05", admission_id="a-1",
                                         message_id="m-manual"))
    run("exchange_contact", **o, **_by("2024-06-06", institution_id="280727",
                                       contact_kind="team", contact_id="sps-team",
                                       message_id="k-1", received_on="2024-06-07",
                                       admission_id="a-1"))
    run("receive_receipt", **o, **_by("2024-06-06", in_reply_to=message["message_id"],
                                      institution_id="280727", responsible_kind="person",
                                      responsible_id="sps-1", message_id="q-1",
                                      received_on="2024-06-07"))
    run("record_further_information", **o, **_by("2024-06-05", admission_id="a-1",
                                                  channel="secure_mail"))
    run("start_education", **o, **_by("2024-08-12", admission_id="a-1"))
    run("start_education", **o, **_by("2024-08-12", admission_id="a-2"))
    run("interrupt_education", **o, **_by("2024-08-20", admission_id="a-2",
                                          reason="changed_education"))
    run("grant_mentor", **person, **_by("2024-08-12", purpose="transition",
                                        until="2024-12-31"))

    case = run("report_risk_of_dropout", 201, **person,
               **_by("2024-09-02", institution_id="280727", report_id="r-1",
                     received_on="2024-09-03", order_id=order, admission_id="a-1"))["case_id"]
    c = {"case_id": case}
    run("contact_young_person", **c, **_by("2024-09-04", channel="phone"))
    run("decide_retention_initiative", **c, **_by("2024-09-05", initiative="mentor",
                                                  with_institution=True))
    run("close_retention_case", **c, **_by("2024-10-01", outcome="retained"))
    dropped = run("note_interruption", 201, **person,
                  **_by("2024-08-20", institution_id="280727", report_id="r-2",
                        received_on="2024-08-21", order_id=order,
                        admission_id="a-2"))["case_id"]
    run("start_new_activity", case_id=dropped, **_by("2024-09-02", activity="education"))

    assert run("open_subscription", **person, **_by("2024-06-01"))["opened"] is True
    assert run("apply_pending_reports", **person)["applied"] == []
    run("close_subscription", **person, **_by("2024-12-01"))
    run("complete_education", **o, **_by("2024-12-20", admission_id="a-1"))
    run("end_order", **o, **_by("2024-12-20", reason="education_completed"))
    run("decide_job_track", **person, **_by("2024-12-02", starts_on="2024-12-02",
                                            ends_on="2024-12-10"))
    refused = command("exempt_from_contact", 422, **person,
                      **_by("2024-12-02", starts_on="2024-12-02"))
    assert "starts_on" in str(refused)  # refused before 1 July 2026: the rule data's day
    done.add("exempt_from_contact")
    run("end_benefit", **person, **_by("2024-12-20", reason="started_education"))

    assert done == {c.name for c in COMMANDS}
    trail = client.get(f"/cases/{yp}/trail").text
    assert CPR not in trail and NAME not in trail


def test_cpr_and_name_are_kept_in_the_identity_record_only(
        command: Post, client: TestClient, store: Ungeforloeb) -> None:
    from uuid import UUID

    answer = command("register_first_contact", 201, **FIRST_CONTACT, cpr=CPR, name=NAME)
    record = store.identity(UUID(answer["young_person_id"]))
    assert record is not None and record.cpr == CPR and record.name == NAME
    again = client.post("/commands/register_first_contact",
                        json={**FIRST_CONTACT, "cpr": CPR, "name": NAME})
    assert again.status_code == 422
    assert CPR not in again.text and NAME not in again.text
    assert again.json()["field"] == "cpr"


def test_a_command_that_returns_nothing_answers_recorded(command: Post,
                                                         young_person: str) -> None:
    assert command("hold_first_conversation", young_person_id=young_person,
                   **_by("2024-01-09")) == {"command": "hold_first_conversation",
                                            "status": "recorded"}


def test_no_dispatch_when_no_support_need_is_assessed(command: Post, order: str) -> None:
    o = {"order_id": order}
    command("admit", **o, **_by("2024-06-01", admission_id="a-1", institution_id="280727",
                                education_code="eud-gf1", starts_on="2024-08-12",
                                qualifying=True))
    answer = command("assess_support_and_notify", **o, **_by(
        "2024-06-03", admission_id="a-1", academic_support=False, social_support=False,
        needs_documented=False, no_support_need=True, other_support_persons=False,
        wants_institution_contact=False, contact=CONTACT))
    assert answer["dispatch"] is None


def test_a_refused_subscription_answers_opened_false(command: Post, young_person: str) -> None:
    answer = command("open_subscription", young_person_id=young_person, **_by("2024-02-01"))
    assert answer["opened"] is False


def test_commands_sent_at_the_same_time_to_one_case_are_all_recorded(
        store: Ungeforloeb, young_person: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from ungeforloeb_http import create_app

    api = create_app(store, http_settings())
    token = bearer(make_token())

    def hold(day: int) -> int:
        with TestClient(api, headers=token) as client:
            return client.post("/commands/hold_conversation", json={
                "young_person_id": young_person, "occurred_on": f"2024-02-{day:02d}",
                "follows_up_current_step": True,
                "education_focus": True}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(hold, range(1, 17)))
    assert statuses == [200] * 16
    with TestClient(api, headers=token) as client:
        trail = client.get(f"/cases/{young_person}/trail").json()
    assert sum(e["event_type"] == "ConversationHeld" for e in trail) == 16
