"""The JSON Schema shipped in the package is the one generated from the catalogue."""

from __future__ import annotations

import orjson

from ungeforloeb.domain.catalogue import EVENT_TYPES
from ungeforloeb.interchange.lineschema import build_schema, render, shipped


def test_the_shipped_schema_is_current() -> None:
    assert shipped() == render(), (
        "regenerate with: python -m ungeforloeb.interchange.lineschema")


def test_the_schema_names_every_event_type_and_its_payload_fields() -> None:
    schema = build_schema()
    variants = schema["$defs"]["event"]["oneOf"]
    seen = {(v["properties"]["type"]["const"], v["properties"]["schema_version"]["const"]):
            v["properties"]["payload"]["required"] for v in variants}
    for name, entry in EVENT_TYPES.items():
        assert seen[(name, entry.schema_version)] == [n for n, _ in entry.payload_fields]
    assert ("ConversationHeld", 1) in seen


def test_the_schema_is_plain_json() -> None:
    assert orjson.loads(shipped())["$schema"].endswith("2020-12/schema")
