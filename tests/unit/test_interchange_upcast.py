"""Schema evolution: ConversationHeld v1 lines (and v1 stored states) read as v2."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import orjson

from interchange_support import export_bytes, fake_digest, new_app, small_history
from ungeforloeb.casefile.decode import record_from_state
from ungeforloeb.casefile.fold import CaseFile
from ungeforloeb.domain.upcast import readable_versions, upcast_payload
from ungeforloeb.domain.young_person import YoungPerson
from ungeforloeb.interchange.audit import evaluate, read_case_files
from ungeforloeb.interchange.importer import import_log

FIXTURE = Path(__file__).parents[1] / "fixtures" / "interchange" / "v1-conversation.jsonl"


def test_upcast_renames_the_follow_up_flag() -> None:
    v1 = {"follows_up_current_step": True, "education_focus": False, "job_focus": True}
    assert upcast_payload("ConversationHeld", 1, v1) == {
        "current_step_followed_up": True, "education_focus": False, "job_focus": True}
    assert readable_versions("ConversationHeld") == [1, 2]


def test_a_v1_stored_state_reads_as_v2_on_the_live_path() -> None:
    topic = "ungeforloeb.domain.young_person:YoungPerson.ConversationHeld"
    state = {"occurred_on": "2024-01-02", "recorded_by": "cw-1",
             "follows_up_current_step": False, "education_focus": True, "job_focus": False,
             "recorded_at": "2024-01-02T09:00:00+00:00"}
    rec = record_from_state(1, "00000000-0000-4000-8000-000000000001", 2, topic, state)
    assert rec.payload == {"current_step_followed_up": False, "education_focus": True,
                           "job_focus": False}
    assert YoungPerson.ConversationHeld.class_version == 2


ADDED_SINCE_V1 = ("qualifying", "job_goal_recorded")
"""Fields later event versions added, which the upcasters give v1 lines as unknown."""


def sealed_in_v1(files: Iterable[CaseFile], as_of: date) -> str:
    """The fixture's digest as its (v1) exporter sealed it: ``fake_digest`` over the records
    without the fields added since (the import re-derives it from the upcast records)."""
    return fake_digest([CaseFile(cf.young_person_id, [
        r._replace(payload={k: v for k, v in r.payload.items() if k not in ADDED_SINCE_V1})
        for r in cf.records]) for cf in files], as_of)


def test_the_v1_fixture_log_imports_and_audits_as_the_same_history_written_today() -> None:
    v1_log = FIXTURE.read_bytes()
    assert b'"schema_version":1,"seq"' in v1_log and b"follows_up_current_step" in v1_log
    app, clock = new_app()
    small_history(app, clock)
    today = export_bytes(app)
    imported, _ = new_app()
    import_log(imported, io.BytesIO(v1_log), digest=sealed_in_v1)
    _, from_v1 = read_case_files(io.BytesIO(v1_log))
    _, from_today = read_case_files(io.BytesIO(today))
    # the one field v2 of Admitted added is unknown in a v1 line (never guessed)
    [admitted] = [r for cf in from_v1.values() for r in cf.records if r.type == "Admitted"]
    assert admitted.payload["qualifying"] is None
    for cf in from_today.values():
        for r in cf.records:
            if r.type == "Admitted":
                assert r.payload["qualifying"] is True
                r.payload["qualifying"] = None
    assert fake_digest(from_v1.values(), clock().date()) == \
        fake_digest(from_today.values(), clock().date())
    for as_of in (date(2024, 1, 31), date(2024, 6, 30)):
        assert evaluate(from_v1.values(), as_of).digest() == \
            evaluate(from_today.values(), as_of).digest()
    # the imported store holds v2 events; re-exported, it is today's log (same stream ids)
    reexported = export_bytes(imported)
    today_payloads = [orjson.loads(x)["payload"] for x in today.splitlines()[1:-1]]
    for p in today_payloads:
        if "qualifying" in p:
            p["qualifying"] = None
    assert [orjson.loads(x)["payload"] for x in reexported.splitlines()[1:-1]] == today_payloads
