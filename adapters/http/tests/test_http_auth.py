"""Authentication: without a verified bearer token every route but /health answers 401; tokens
are checked for signature, expiry, issuer, audience and the claims their role needs; HS256,
RS256 with a PEM public key and ES256 from a JWKS file all verify; the token's ``sub`` is what
gets recorded as ``recorded_by``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from http_adapter_support import (
    AUDIENCE,
    FIRST_CONTACT,
    ISSUER,
    bearer,
    http_settings,
    make_token,
)
from pydantic import ValidationError

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http import create_app
from ungeforloeb_http.settings import HttpSettings

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def _example_path(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", lambda m: "x22_risk_reaction" if "rule" in m.group()
                  else UNKNOWN, path)


def _problem_401(response: Any) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    doc: dict[str, Any] = response.json()
    assert doc["type"] == "urn:ungeforloeb:problem:unauthenticated"
    return doc


def test_without_a_token_every_route_but_health_is_401(anonymous: TestClient,
                                                        api: FastAPI) -> None:
    paths = api.openapi()["paths"]
    checked = 0
    for path, item in paths.items():
        for method in item:
            response = anonymous.request(method.upper(), _example_path(path), json={})
            if path == "/health":
                assert response.status_code == 200
                continue
            _problem_401(response)
            checked += 1
    assert checked == len(api.openapi()["paths"]) - 1 >= 50


def test_every_route_but_health_carries_the_bearer_scheme_in_openapi(api: FastAPI) -> None:
    doc = api.openapi()
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"]}
    for path, item in doc["paths"].items():
        for operation in item.values():
            expected = [] if path == "/health" else [{"bearer": []}]
            assert operation.get("security", []) == expected, path
            if path != "/health":
                assert "401" in operation["responses"] and "403" in operation["responses"]


@pytest.mark.parametrize("token,says", [
    (make_token(lifetime=-120), "expired"),
    (make_token(iss="https://evil.example"), "trusted issuer"),
    (make_token(aud="another-api"), "audience"),
    (make_token(key="another-secret-of-at-least-thirty-two-bytes"), "signature"),
    (make_token(exp=None), "lacks the claim 'exp'"),
    (make_token(role="admin"), "claim 'role'"),
    (make_token(municipality=None), "claim 'municipality'"),
    (make_token(municipality="1010"), "claim 'municipality'"),
    (make_token(sub="0105031234"), "claim 'sub'"),
    (make_token(sub="Anne Jensen"), "claim 'sub'"),
    (make_token("inst-1", "institution"), "claim 'institution'"),
    (make_token("yp", "young_person"), "claim 'young_person_id'"),
    (jwt.encode({"sub": "cw-1", "role": "caseworker", "municipality": "101", "iss": ISSUER,
                 "aud": AUDIENCE, "exp": 4102444800}, None, algorithm="none"), "algorithm"),
    ("not-a-jwt", "not a valid JWT"),
])
def test_a_token_that_does_not_verify_is_401_saying_why(anonymous: TestClient, young_person: str,
                                                        token: str, says: str) -> None:
    response = anonymous.get(f"/cases/{young_person}/status", headers=bearer(token))
    doc = _problem_401(response)
    assert says in doc["detail"], doc["detail"]
    assert "Anne" not in response.text and "0105031234" not in response.text


def test_another_scheme_than_bearer_is_401(anonymous: TestClient) -> None:
    _problem_401(anonymous.get("/events", headers={"Authorization": "Basic Y3c6cHc="}))


def test_recorded_by_is_the_tokens_subject(client: TestClient, young_person: str) -> None:
    other = bearer(make_token("cw-7"))
    assert client.post("/commands/hold_first_conversation", headers=other, json={
        "young_person_id": young_person, "occurred_on": "2024-01-09"}).status_code == 200
    trail = client.get(f"/cases/{young_person}/trail").json()
    assert [e["recorded_by"] for e in trail] == ["cw-1", "cw-1", "cw-7"]


# ------------------------------------------------------------------ keys and settings


def _serve_with(tmp_path: Path, settings: HttpSettings) -> tuple[Ungeforloeb, TestClient]:
    store = Ungeforloeb(tmp_path / "store.sqlite")
    return store, TestClient(create_app(store, settings))


def test_rs256_tokens_verify_against_a_pem_public_key(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "idp.pem"
    pem.write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    store, client = _serve_with(tmp_path, HttpSettings(
        jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_public_key_file=pem,
        jwt_algorithms=("RS256",)))
    try:
        good = make_token(key=private, algorithm="RS256")
        answer = client.post("/commands/register_first_contact", json=FIRST_CONTACT,
                             headers=bearer(good))
        assert answer.status_code == 201
        hs = make_token()  # an HS256 token: the algorithm is not accepted
        _problem_401(client.get("/events", headers=bearer(hs)))
    finally:
        store.close()


def test_es256_tokens_verify_against_the_jwks_key_named_by_kid(tmp_path: Path) -> None:
    keys = {kid: ec.generate_private_key(ec.SECP256R1()) for kid in ("k1", "k2")}
    jwks = {"keys": [{**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(k.public_key())),
                      "kid": kid, "alg": "ES256", "use": "sig"} for kid, k in keys.items()]}
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    store, client = _serve_with(tmp_path, HttpSettings(
        jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwks_file=path, jwt_algorithms=("ES256",)))
    try:
        for kid in ("k1", "k2"):
            token = make_token(key=keys[kid], algorithm="ES256", headers={"kid": kid})
            assert client.get("/events", headers=bearer(token)).status_code == 200
        wrong = make_token(key=keys["k1"], algorithm="ES256", headers={"kid": "k2"})
        assert "signature" in _problem_401(client.get("/events", headers=bearer(wrong)))[
            "detail"]
        unknown = make_token(key=keys["k1"], algorithm="ES256", headers={"kid": "k9"})
        assert "kid" in _problem_401(client.get("/events", headers=bearer(unknown)))["detail"]
    finally:
        store.close()


@pytest.mark.parametrize("changes,says", [
    ({"jwt_secret": None}, "exactly one of"),
    ({"jwks_file": "jwks.json"}, "exactly one of"),
    ({"jwt_secret": "short"}, "at least 32 bytes"),
    ({"jwt_algorithms": ("RS256",)}, "HS256/HS384/HS512 only"),
    ({"jwt_algorithms": ("HS256", "RS256")}, "do not mix"),
    ({"jwt_algorithms": ("none",)}, "unknown"),
    ({"max_body_bytes": 10}, "greater than or equal to 1024"),
])
def test_settings_that_cannot_verify_a_token_are_refused(changes: dict[str, Any],
                                                         says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        http_settings(**changes)


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNGEFORLOEB_HTTP_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("UNGEFORLOEB_HTTP_JWT_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("UNGEFORLOEB_HTTP_JWT_SECRET", "x" * 32)
    monkeypatch.setenv("UNGEFORLOEB_HTTP_MAX_BODY_BYTES", "2048")
    settings = HttpSettings()  # type: ignore[call-arg]
    assert settings.max_body_bytes == 2048 and settings.jwt_algorithms == ("HS256",)
    assert "x" * 32 not in repr(settings)
