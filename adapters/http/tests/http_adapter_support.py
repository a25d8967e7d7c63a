"""What the HTTP adapter's tests share besides fixtures (a module name of its own: the
repository's root tests have a ``conftest`` too, so nothing is imported from ours)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
from pydantic import SecretStr

from ungeforloeb_http.inbound import EXAMPLE
from ungeforloeb_http.settings import HttpSettings

Post = Callable[..., dict[str, Any]]
"""``post(name, expect=200, **body)``: the ``command`` fixture."""

FIRST_CONTACT = {"occurred_on": "2024-01-08", "municipality_code": "101",
                 "birth_date": "2004-05-17"}
"""A first contact's fields, without CPR and name."""

SECRET = "test-secret-of-at-least-thirty-two-bytes"
ISSUER = "https://idp.kommune.example"
AUDIENCE = "ungeforloeb"


def http_settings(**changes: Any) -> HttpSettings:
    """Settings verifying HS256 tokens signed with :data:`SECRET`."""
    fields: dict[str, Any] = {"jwt_issuer": ISSUER, "jwt_audience": AUDIENCE,
                              "jwt_secret": SecretStr(SECRET), **changes}
    return HttpSettings(**fields)


def make_token(sub: str = "cw-1", role: str = "caseworker", *, key: Any = SECRET,
               algorithm: str = "HS256", lifetime: int = 86400, headers: dict[str, Any] | None
               = None, **claims: Any) -> str:
    """A signed JWT (by default a caseworker of municipality 101, valid a day: modules mint
    theirs when imported, and the whole suite takes more than ten minutes)."""
    now = int(time.time())
    body: dict[str, Any] = {"sub": sub, "role": role, "iss": ISSUER, "aud": AUDIENCE,
                            "iat": now, "exp": now + lifetime}
    if role in ("caseworker", "auditor"):
        body["municipality"] = "101"
    body.update(claims)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key,
                      algorithm=algorithm, headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


EXAMPLE_ADMISSION: dict[str, Any] = {
    **EXAMPLE, "provenance": {**EXAMPLE["provenance"], "institution_id": "280727"}}
"""An Optagelse from institution 280727 (give it a ``young_person_id``)."""
