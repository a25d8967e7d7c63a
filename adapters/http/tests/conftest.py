"""Set-up of the HTTP adapter's tests: an application on a SQLite file in the test's temporary
directory, put on HTTP by ``create_app``, driven by fastapi's TestClient; and a story helper
that posts commands."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what fastapi documents
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from fastapi import FastAPI
from http_adapter_support import FIRST_CONTACT, Post, bearer, http_settings, make_token

from ungeforloeb.application import Ungeforloeb
from ungeforloeb_http import create_app


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Ungeforloeb]:
    app = Ungeforloeb(tmp_path / "store.sqlite")
    yield app
    app.close()


@pytest.fixture
def api(store: Ungeforloeb) -> FastAPI:
    """The HTTP front of the store, verifying HS256 tokens of the test issuer."""
    return create_app(store, http_settings())


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    """A client with the token of caseworker cw-1 of municipality 101."""
    with TestClient(api, raise_server_exceptions=True, headers=bearer(make_token())) as c:
        yield c


@pytest.fixture
def anonymous(api: FastAPI) -> Iterator[TestClient]:
    """A client with no token."""
    with TestClient(api, raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def command(client: TestClient) -> Post:
    """``command(name, expect=200, **body)``: post a command, check the status, return the
    JSON answer."""

    def post(name: str, expect: int = 200, /, **body: Any) -> dict[str, Any]:
        response = client.post(f"/commands/{name}", json=body)
        assert response.status_code == expect, response.text
        answer: dict[str, Any] = response.json()
        return answer

    return post


@pytest.fixture
def young_person(command: Post) -> str:
    """A young person registered at first contact (no CPR), with caseworker cw-1 of team-1."""
    yp = str(command("register_first_contact", 201, **FIRST_CONTACT)["young_person_id"])
    command("assign_caseworker", young_person_id=yp, occurred_on="2024-01-08",
            caseworker_id="cw-1", team_id="team-1")
    return yp


@pytest.fixture
def order(command: Post, young_person: str) -> str:
    """An education order issued to the young person on 2024-01-10."""
    return str(command("issue_order", 201, young_person_id=young_person,
                       occurred_on="2024-01-10")["order_id"])
