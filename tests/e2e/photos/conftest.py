"""A live server with one user, shared by the Photos and Automation views' tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import LiveServer
from tests.e2e.own_server import server_with_user

USER, PASSWORD = "photos-e2e", "photos e2e password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("photos-e2e") / "data"
    # Connections to the tests' own servers on loopback, as an operator would allow them.
    with server_with_user(
        data, USER, PASSWORD, env={"SYNCOXIDE_CONNECTIONS_ALLOW": "127.0.0.0/8"}
    ) as live:
        yield live


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx2.Client]:
    """The user's API client: session cookie and CSRF header."""
    with httpx2.Client(base_url=server.url, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        yield client
