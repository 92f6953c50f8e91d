"""Signaling in-process: rooms, tokens, presence, relay and every way a socket gets closed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from syncoxide.server.signaling import messages as m
from syncoxide.server.signaling.routes import SignalingService, SignalingSettings
from syncoxide.server.signaling.tokens import RoomTokens, normalise_code


async def user_one(websocket: object) -> int:
    """Every socket is signed in as user 1 here: these tests are about the relay; who may name
    which share is tested with real shares (test_fallback_records.py, hostile/)."""
    return 1


def make_client(**settings: Any) -> TestClient:
    service = SignalingService(
        RoomTokens(b"k" * 32), settings=SignalingSettings(**settings), identify=user_one
    )
    return TestClient(Starlette(routes=service.routes()))


@pytest.fixture
def client() -> Iterator[TestClient]:
    with make_client() as test_client:
        yield test_client


def new_room(client: TestClient) -> dict[str, Any]:
    response = client.post("/signal/rooms")
    assert response.status_code == 201
    room: dict[str, Any] = response.json()
    return room


def join(ws: Any, token: str, role: str) -> dict[str, Any]:
    ws.send_json({"type": "join", "token": token, "role": role})
    welcome: dict[str, Any] = ws.receive_json()
    assert welcome["type"] == "welcome"
    return welcome


def closed_with(ws: Any) -> int:
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return int(closed.value.code)


def test_two_peers_meet_relay_and_see_each_other_leave(client: TestClient) -> None:
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as sender:
        first = join(sender, room["token"], "sender")
        assert first["peers"] == []
        with client.websocket_connect(f"/signal/{room['room']}") as receiver:
            second = join(receiver, room["token"], "receiver")
            assert second["peers"] == [{"peer": first["peer"], "role": "sender"}]
            joined = sender.receive_json()
            assert joined == {"type": "peer-joined", "peer": second["peer"], "role": "receiver"}
            sender.send_json({"type": "offer", "sdp": "v=0 offer"})
            assert receiver.receive_json() == {
                "type": "offer",
                "sdp": "v=0 offer",
                "from": first["peer"],
            }
            receiver.send_json({"type": "ice", "candidate": None, "sdpMid": "0"})
            assert sender.receive_json()["candidate"] is None
            receiver.send_json({"type": "ping"})
            assert receiver.receive_json() == {"type": "pong"}
        assert sender.receive_json() == {"type": "peer-left", "peer": second["peer"]}


def test_forged_token_is_closed_with_4401(client: TestClient) -> None:
    room = new_room(client)
    forged = RoomTokens(b"x" * 32).token_for(room["room"])
    with client.websocket_connect(f"/signal/{room['room']}") as ws:
        ws.send_json({"type": "join", "token": forged, "role": "receiver"})
        assert closed_with(ws) == m.CLOSE_BAD_TOKEN


def test_token_of_another_room_is_rejected(client: TestClient) -> None:
    first, second = new_room(client), new_room(client)
    with client.websocket_connect(f"/signal/{first['room']}") as ws:
        ws.send_json({"type": "join", "token": second["token"], "role": "receiver"})
        assert closed_with(ws) == m.CLOSE_BAD_TOKEN


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '{"type": "hello"}',
        '{"type": "offer", "sdp": 5}',
        '{"type": "offer", "sdp": "x", "extra": 1}',
        '{"type": "ice", "candidate": "c", "sdpMLineIndex": true}',
        '{"type": "join", "token": "t", "role": "admin"}',
        '{"type": "cancel", "reason": ""}',
        '{"type": "cancel", "reason": 7}',
        '{"type": "cancel"}',
        '{"type": "cancel", "reason": "%s"}' % ("x" * (m.MAX_REASON_CHARS + 1)),
    ],
)
def test_malformed_message_closes_only_that_socket(client: TestClient, frame: str) -> None:
    room, bystanders = new_room(client), new_room(client)
    with (
        client.websocket_connect(f"/signal/{bystanders['room']}") as one,
        client.websocket_connect(f"/signal/{bystanders['room']}") as two,
    ):
        join(one, bystanders["token"], "sender")
        join(two, bystanders["token"], "receiver")
        one.receive_json()  # peer-joined
        with client.websocket_connect(f"/signal/{room['room']}") as bad:
            join(bad, room["token"], "sender")
            bad.send_text(frame)
            assert closed_with(bad) == m.CLOSE_MALFORMED
        two.send_json({"type": "answer", "sdp": "still fine"})
        assert one.receive_json()["sdp"] == "still fine"


def test_join_must_come_first(client: TestClient) -> None:
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as ws:
        ws.send_json({"type": "offer", "sdp": "too early"})
        assert closed_with(ws) == m.CLOSE_MALFORMED


def test_oversized_and_binary_messages_are_closed(client: TestClient) -> None:
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as ws:
        join(ws, room["token"], "sender")
        ws.send_json({"type": "offer", "sdp": "x" * (m.MAX_MESSAGE_BYTES + 1)})
        assert closed_with(ws) == m.CLOSE_TOO_BIG
    with client.websocket_connect(f"/signal/{room['room']}") as ws:
        join(ws, room["token"], "sender")
        ws.send_bytes(b"\x00\x01")
        assert closed_with(ws) == m.CLOSE_MALFORMED


def test_third_peer_is_turned_away() -> None:
    with make_client() as client:
        room = new_room(client)
        path = f"/signal/{room['room']}"
        with client.websocket_connect(path) as a, client.websocket_connect(path) as b:
            join(a, room["token"], "sender")
            join(b, room["token"], "receiver")
            with client.websocket_connect(path) as c:
                c.send_json({"type": "join", "token": room["token"], "role": "receiver"})
                assert closed_with(c) == m.CLOSE_ROOM_FULL


def test_flood_is_rate_limited() -> None:
    with make_client(message_rate=1.0, message_burst=5.0) as client:
        room = new_room(client)
        with client.websocket_connect(f"/signal/{room['room']}") as ws:
            join(ws, room["token"], "sender")
            for _ in range(10):
                ws.send_json({"type": "ice", "candidate": "candidate:1", "sdpMid": "0"})
            assert closed_with(ws) == m.CLOSE_RATE_LIMITED


def test_silent_peer_is_dropped_and_announced() -> None:
    with make_client(idle_timeout=0.4) as client:
        room = new_room(client)
        path = f"/signal/{room['room']}"
        with client.websocket_connect(path) as mute, client.websocket_connect(path) as talker:
            mute_id = join(mute, room["token"], "receiver")["peer"]
            join(talker, room["token"], "sender")
            time.sleep(0.2)
            talker.send_json({"type": "ping"})  # the talker stays alive past the mute's deadline
            assert talker.receive_json() == {"type": "pong"}
            assert mute.receive_json()["type"] == "peer-joined"
            assert closed_with(mute) == m.CLOSE_IDLE
            assert talker.receive_json() == {"type": "peer-left", "peer": mute_id}


def test_short_code_resolves_to_the_room(client: TestClient) -> None:
    room = new_room(client)
    typed = room["code"].lower().replace("-", " ")
    assert normalise_code(typed) == room["code"]
    found = client.get(f"/signal/codes/{typed}")
    assert found.json() == {"room": room["room"], "token": room["token"]}
    assert client.get("/signal/codes/AAAA-AAAA").status_code == 404


def test_room_creation_is_rate_limited() -> None:
    with make_client(rooms_per_minute=3.0) as client:
        statuses = [client.post("/signal/rooms").status_code for _ in range(5)]
    assert statuses[:3] == [201, 201, 201]
    assert statuses[-1] == 429


def test_secret_is_kept_in_the_data_dir(tmp_path: Path) -> None:
    first = RoomTokens.from_data_dir(tmp_path)
    again = RoomTokens.from_data_dir(tmp_path)
    assert first.secret == again.secret
    assert (tmp_path / "signaling.key").stat().st_mode & 0o777 == 0o600
