"""Helpers for server tests: create local users and sign test clients in."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.server.services import Services

PASSWORD = "correct horse battery"


def services(app: Starlette) -> Services:
    found: Services = app.state.services
    return found


def add_user(app: Starlette, name: str, password: str = PASSWORD) -> None:
    asyncio.run(services(app).accounts.add_local_user(name, password))


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the API; return the session's CSRF token."""
    response = client.post("/api/v1/session", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def signed_in_client(app: Starlette, name: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    add_user(app, name)
    return client, sign_in(client, name)
