"""The room remembers the sender's server copy, so a receiver who finds no sender can use it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from syncoxide.server.signaling import messages as m
from tests.server.signaling.test_signaling_rooms import client, closed_with, join, new_room

__all__ = ["client"]  # the fixture, shared with the rooms tests

SHARE = "/s/AbCdEfGhIjKlMnOpQrStUvWx"
NO_ONE = {"sender": False, "fallback": None, "summary": None}


def test_receiver_learns_the_fallback_when_it_joins_after_the_sender_left(
    client: TestClient,
) -> None:
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as sender:
        assert join(sender, room["token"], "sender")["fallback"] is None
        sender.send_json({"type": "fallback", "url": SHARE})
        sender.send_json({"type": "ping"})
        assert sender.receive_json() == {"type": "pong"}  # the fallback was taken before this
    with client.websocket_connect(f"/signal/{room['room']}") as receiver:
        welcome = join(receiver, room["token"], "receiver")
    assert welcome["peers"] == []
    assert welcome["fallback"] == SHARE


def test_a_waiting_receiver_is_told_of_the_fallback_at_once(client: TestClient) -> None:
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as receiver:
        join(receiver, room["token"], "receiver")
        with client.websocket_connect(f"/signal/{room['room']}") as sender:
            join(sender, room["token"], "sender")
            assert receiver.receive_json()["type"] == "peer-joined"
            sender.send_json({"type": "fallback", "url": SHARE})
            relayed = receiver.receive_json()
    assert relayed["type"] == "fallback"
    assert relayed["url"] == SHARE


def test_only_the_sender_may_name_a_fallback(client: TestClient) -> None:
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as receiver:
        join(receiver, room["token"], "receiver")
        receiver.send_json({"type": "fallback", "url": SHARE})
        assert closed_with(receiver) == m.CLOSE_MALFORMED
    with client.websocket_connect(f"/signal/{room['room']}") as later:
        assert join(later, room["token"], "receiver")["fallback"] is None


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/s/AbCdEfGhIjKlMnOpQrStUvWx",
        "//elsewhere.example/s/AbCdEfGhIjKlMnOpQrStUvWx",
        "/s/short",
        "/s/AbCdEfGhIjKlMnOpQrStUvWx/../../account",
        "/r/AbCdEfGhIjKlMnOpQrStUvWx",
    ],
)
def test_a_fallback_can_only_point_at_a_share_on_this_server(client: TestClient, url: str) -> None:
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as sender:
        join(sender, room["token"], "sender")
        sender.send_json({"type": "fallback", "url": url})
        assert closed_with(sender) == m.CLOSE_MALFORMED


def test_a_look_at_the_room_says_whether_a_sender_is_there_without_joining(
    client: TestClient,
) -> None:
    room = new_room(client)
    look = f"/signal/rooms/{room['room']}"
    token = {"X-Room-Token": room["token"]}
    assert client.get(look, headers=token).json() == NO_ONE
    with client.websocket_connect(f"/signal/{room['room']}") as sender:
        join(sender, room["token"], "sender")
        sender.send_json({"type": "fallback", "url": SHARE})
        sender.send_json({"type": "ping"})
        sender.receive_json()
        there = {**NO_ONE, "sender": True, "fallback": SHARE}
        assert client.get(look, headers=token).json() == there
        with client.websocket_connect(f"/signal/{room['room']}") as receiver:
            join(receiver, room["token"], "receiver")
            assert sender.receive_json()["type"] == "peer-joined"
    assert client.get(look, headers=token).json() == {**NO_ONE, "fallback": SHARE}


@pytest.mark.parametrize("headers", [{}, {"X-Room-Token": "A" * 43}])
def test_a_look_needs_the_room_token(client: TestClient, headers: dict[str, str]) -> None:
    room = new_room(client)
    answer = client.get(f"/signal/rooms/{room['room']}", headers=headers)
    assert answer.status_code == 401
    assert "token" in answer.json()["message"]


def test_a_cancel_reaches_the_other_peer_at_once(client: TestClient) -> None:
    # The CANCEL frame on the data channel queues behind up to a window of DATA; this does not.
    room = new_room(client)
    with client.websocket_connect(f"/signal/{room['room']}") as receiver:
        join(receiver, room["token"], "receiver")
        with client.websocket_connect(f"/signal/{room['room']}") as sender:
            join(sender, room["token"], "sender")
            assert receiver.receive_json()["type"] == "peer-joined"
            sender.send_json({"type": "cancel", "reason": "the sender stopped it"})
            relayed = receiver.receive_json()
    assert relayed["type"] == "cancel"
    assert relayed["reason"] == "the sender stopped it"
