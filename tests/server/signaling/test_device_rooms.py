"""``POST /signal/device-rooms`` in-process: the pair's room for a fresh signed request only."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_room import FRESH_FOR, device_room_id, sign_request
from syncoxide.devices.signing import Identity
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.server.signaling.routes import SignalingService
from syncoxide.server.signaling.tokens import RoomTokens

ED25519 = NativeEd25519()
TOKENS = RoomTokens(b"k" * 32)


def identity(name: str) -> Identity:
    seed = SecretBytes(hashlib.sha256(name.encode()).digest())
    return Identity(seed, asyncio.run(ED25519.public_key(seed)), name)


DESKTOP, PHONE, STRANGER = identity("desktop"), identity("phone"), identity("stranger")


def signed(me: Identity, peer: Identity, *, issued_at: float | None = None) -> dict[str, Any]:
    when = int(time.time() if issued_at is None else issued_at)
    request = asyncio.run(sign_request(me, peer.public, issued_at=when, ed25519=ED25519))
    return request.to_json()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(Starlette(routes=SignalingService(TOKENS).routes())) as test_client:
        yield test_client


def test_both_devices_of_a_pair_are_given_the_same_room_and_a_token_for_it(
    client: TestClient,
) -> None:
    one = client.post("/signal/device-rooms", json=signed(DESKTOP, PHONE))
    other = client.post("/signal/device-rooms", json=signed(PHONE, DESKTOP))
    assert one.status_code == other.status_code == 200
    assert one.json() == other.json()
    room = one.json()["room"]
    assert room == device_room_id(DESKTOP.public, PHONE.public)
    assert TOKENS.verify(room, one.json()["token"])
    elsewhere = client.post("/signal/device-rooms", json=signed(DESKTOP, STRANGER)).json()
    assert elsewhere["room"] != room
    with client.websocket_connect(f"/signal/{room}") as socket:
        socket.send_json({"type": "join", "token": one.json()["token"], "role": "sender"})
        assert socket.receive_json()["type"] == "welcome"


def test_a_request_not_signed_by_its_device_is_refused(client: TestClient) -> None:
    forged = {**signed(STRANGER, PHONE), "device": signed(DESKTOP, PHONE)["device"]}
    answer = client.post("/signal/device-rooms", json=forged)
    assert answer.status_code == 401
    assert "token" not in answer.json()


def test_a_stale_or_future_request_is_refused(client: TestClient) -> None:
    for skew in (-FRESH_FOR - 60, FRESH_FOR + 60):
        late = signed(DESKTOP, PHONE, issued_at=time.time() + skew)
        answer = client.post("/signal/device-rooms", json=late)
        assert answer.status_code == 401
        assert "clock" in answer.json()["message"] or "old" in answer.json()["message"]


@pytest.mark.parametrize(
    "change",
    [
        {"device": "not base64!"},
        {"peer": "AAAA"},
        {"signature": "AAAA"},
        {"issued_at": "yesterday"},
        {"issued_at": True},
        {"issued_at": -5},
    ],
)
def test_a_malformed_request_gets_a_clear_400(client: TestClient, change: dict[str, Any]) -> None:
    answer = client.post("/signal/device-rooms", json={**signed(DESKTOP, PHONE), **change})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_input"


def test_a_request_for_a_room_with_itself_or_not_json_is_refused(client: TestClient) -> None:
    assert client.post("/signal/device-rooms", json=signed(DESKTOP, DESKTOP)).status_code == 400
    assert client.post("/signal/device-rooms", content=b"{nope").status_code == 400
    assert client.post("/signal/device-rooms", json=[1, 2]).status_code == 400
    assert client.post("/signal/device-rooms", content=b"x" * 5000).status_code == 400
