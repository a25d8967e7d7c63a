"""The simulated institutions send their reports through the exchange, with duplicates, late
and contradictory ones at small rates; the demo's worklist shows what they cause."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from ungeforloeb.application import SettableClock, Ungeforloeb
from ungeforloeb.projections.worklist import worklist
from ungeforloeb.simulation.generator import Action, Scenario, actions, simulate

SCENARIO = Scenario(people=1500, seed=3)


@pytest.fixture(scope="module")
def inbound() -> list[Action]:
    return [a for a in actions(SCENARIO) if a.command == "receive_inbound"]


def test_every_kind_of_report_arrives_as_a_typed_message(inbound: list[Action]) -> None:
    kinds = Counter(type(a.kwargs["message"]).__name__ for a in inbound)
    assert set(kinds) == {"Optagelse", "Afbrydelse", "Gennemfoerelse", "RisikoForFrafald",
                          "IndberetInstitutionKontakt", "Modtagelseskvittering"}


def test_some_reports_arrive_twice_some_late_some_by_hand(inbound: list[Action]) -> None:
    ids = Counter(a.kwargs["message"].provenance.haendelse_nummer for a in inbound)
    duplicates = sum(n > 1 for n in ids.values())
    assert 0 < duplicates < 0.1 * len(ids)
    provenances = [a.kwargs["message"].provenance for a in inbound]
    late = sum((p.received_on - p.occurred_on).days > 14 for p in provenances)
    manual = sum(p.entry.value == "manual" for p in provenances)
    assert 0 < late < 0.15 * len(provenances)
    assert 0.05 < manual / len(provenances) < 0.25


def test_the_demo_worklist_shows_retention_data_quality_and_receipt_items() -> None:
    scenario = Scenario(people=400, seed=5)
    clock = SettableClock(scenario.first_day)
    app = Ungeforloeb(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    simulate(app, clock, scenario)
    items = worklist(list(app.case_files().values()), date(2024, 12, 31))
    kinds = Counter(i.kind for i in items)
    assert kinds["retention"] and kinds["data_quality"] and kinds["receipt"]
    for item in items:
        if item.kind in ("retention", "data_quality", "receipt"):
            assert item.cause and item.rule_id and item.legal_source
