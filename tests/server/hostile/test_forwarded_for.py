"""Finding 11: ``X-Forwarded-For`` was believed from any loopback client by default.

uvicorn trusts the header from 127.0.0.1 unless told otherwise, so any program on the server's
machine (or a proxy that passes the header through unchanged) could pick a new address for
every request and walk around every per-address limit. Now no address is trusted unless the
operator lists its proxies (``SYNCOXIDE_TRUSTED_PROXIES`` / ``[server] trusted_proxies``), and
then only the address the trusted proxy itself saw counts. The same holds when the app runs
under a plain ``uvicorn`` command line, whose own default still believes loopback: the app
takes the address from the socket itself (``http/socket_peer.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import LiveServer, start_live_server

pytestmark = pytest.mark.live  # starts real servers

ROOMS_PER_MINUTE = 30  # signaling's per-address budget (SignalingSettings.rooms_per_minute)


@pytest.fixture
def server_without_proxies(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path / "data")
    yield server
    server.stop()


@pytest.fixture
def server_behind_local_proxy(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path / "data", env={"SYNCOXIDE_TRUSTED_PROXIES": "127.0.0.1"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def plain_uvicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Shared by two tests: one spends the rooms budget, the other asks for a page only.
    server = start_live_server(tmp_path_factory.mktemp("uvicorn") / "data", plain_uvicorn=True)
    yield server
    server.stop()


@pytest.fixture
def plain_uvicorn_behind_local_proxy(tmp_path: Path) -> Iterator[LiveServer]:
    env = {"SYNCOXIDE_TRUSTED_PROXIES": "127.0.0.1"}
    server = start_live_server(tmp_path / "data", env=env, plain_uvicorn=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx2.Client]:
    """One client for the module: a new one per request loads the CA bundle (0.1 s of CPU
    measured), and a test's 45 requests took 4 to 6 s that way. Every request comes from
    127.0.0.1 either way, and the limits count per address, not per connection."""
    with httpx2.Client(timeout=10) as client:
        yield client


def new_room(http: httpx2.Client, server: LiveServer, forwarded_for: str) -> int:
    answer = http.post(f"{server.url}/signal/rooms", headers={"X-Forwarded-For": forwarded_for})
    return answer.status_code


def one_visitor_is_held_to_its_budget(
    http: httpx2.Client, server: LiveServer, forwarded_for: str
) -> None:
    """45 rooms asked for as one visitor: the first 30 made, then refusals; the bucket refills
    one room every two seconds, so a slow machine may see that many more made, and no more."""
    started = time.monotonic()
    answers = [new_room(http, server, forwarded_for) for _ in range(45)]
    refilled = int((time.monotonic() - started) / 2) + 1
    assert answers[:ROOMS_PER_MINUTE] == [201] * ROOMS_PER_MINUTE
    assert 429 in answers, "one visitor was never refused"
    assert answers.count(201) <= ROOMS_PER_MINUTE + refilled, answers


def test_a_forged_address_per_request_does_not_escape_the_limit(
    server_without_proxies: LiveServer, http: httpx2.Client
) -> None:
    # Half again the budget: the bucket refills one room per 2 s, far less than the extra.
    answers = [new_room(http, server_without_proxies, f"198.51.100.{n}") for n in range(45)]
    assert answers[:ROOMS_PER_MINUTE] == [201] * ROOMS_PER_MINUTE
    assert 429 in answers, "the forged X-Forwarded-For was believed"


def test_a_listed_proxy_is_believed_but_not_what_its_client_prepended(
    server_behind_local_proxy: LiveServer, http: httpx2.Client
) -> None:
    server = server_behind_local_proxy
    one_visitor_is_held_to_its_budget(http, server, "198.51.100.7")
    # The proxy appends the address it saw; what the client wrote before it proves nothing.
    # The budget refills continuously (one room every two seconds), so on a slow machine one
    # request may find a fresh room; believed, the prepended address would get all five.
    prepended = [new_room(http, server, "203.0.113.50, 198.51.100.7") for _ in range(5)]
    assert 429 in prepended, "the address the client prepended was believed"
    assert new_room(http, server, "198.51.100.8") == 201  # another visitor has its own budget


def test_plain_uvicorn_does_not_believe_loopback_by_default(
    plain_uvicorn: LiveServer, http: httpx2.Client
) -> None:
    answers = [new_room(http, plain_uvicorn, f"198.51.100.{n}") for n in range(45)]
    assert answers[:ROOMS_PER_MINUTE] == [201] * ROOMS_PER_MINUTE
    assert 429 in answers, "uvicorn's loopback default was believed"


def test_plain_uvicorn_does_not_take_https_from_a_forwarded_header(
    plain_uvicorn: LiveServer,
) -> None:
    # A believed https would mark the sign-in form's cookie Secure on a plain-http connection.
    answer = httpx2.get(
        f"{plain_uvicorn.url}/login", headers={"X-Forwarded-Proto": "https"}, timeout=10
    )
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert "secure" not in cookie.lower(), cookie


def test_plain_uvicorn_believes_a_listed_proxy(
    plain_uvicorn_behind_local_proxy: LiveServer, http: httpx2.Client
) -> None:
    server = plain_uvicorn_behind_local_proxy
    one_visitor_is_held_to_its_budget(http, server, "198.51.100.7")
    assert new_room(http, server, "198.51.100.8") == 201  # another visitor has its own budget
