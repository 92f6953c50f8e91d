"""The sender's summary of a transfer, kept by the room for the receive page to show at once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.ports import FixedClock
from syncoxide.server.signaling.summaries import MAX_LISTED, RoomSummaries
from tests.server.signaling.test_signaling_rooms import client, new_room

__all__ = ["client"]  # the fixture, shared with the rooms tests

OFFER = {
    "count": 3,
    "bytes": 2_100_000,
    "files": [
        {"path": "Holiday/beach.jpg", "size": 2_000_000},
        {"path": "Holiday/notes/day 1.txt", "size": 100_000},
        {"path": "readme.md", "size": 0},
    ],
    "folders": ["Holiday", "Holiday/notes", "Holiday/empty"],
}


def put(client: TestClient, room: dict[str, Any], body: object, token: str | None = None) -> Any:
    return client.put(
        f"/signal/rooms/{room['room']}/summary",
        content=json.dumps(body),
        headers={"X-Room-Token": token or room["token"]},
    )


def test_the_room_shows_what_the_sender_offers(client: TestClient) -> None:
    room = new_room(client)
    assert put(client, room, OFFER).status_code == 204
    look = client.get(f"/signal/rooms/{room['room']}", headers={"X-Room-Token": room["token"]})
    assert look.json()["summary"] == OFFER


def test_only_a_holder_of_the_token_may_say_what_is_offered(client: TestClient) -> None:
    room, other = new_room(client), new_room(client)
    assert put(client, room, OFFER, token=other["token"]).status_code == 401
    look = client.get(f"/signal/rooms/{room['room']}", headers={"X-Room-Token": room["token"]})
    assert look.json()["summary"] is None


@pytest.mark.parametrize(
    "body",
    [
        {**OFFER, "files": [{"path": "../etc/passwd", "size": 1}]},
        {**OFFER, "files": [{"path": "/abs", "size": 1}]},
        {**OFFER, "files": [{"path": "a//b", "size": 1}]},
        {**OFFER, "files": [{"path": "a", "size": -1}]},
        {**OFFER, "files": [{"path": "a", "size": True}]},
        {**OFFER, "files": [{"path": "a", "size": 1, "extra": 1}]},
        {**OFFER, "count": 1},  # three listed, one counted
        {**OFFER, "files": [{"path": "a", "size": 1}] * (MAX_LISTED + 1), "count": 10**6},
        {**OFFER, "folders": ["ok", "."]},
        {**OFFER, "bytes": 2**64},
        {"count": 0, "bytes": 0, "files": []},
        ["not", "an", "object"],
        {**OFFER, "files": [{"path": "bad\ud800", "size": 1}]},
    ],
)
def test_a_malformed_summary_is_refused_and_nothing_is_kept(client: TestClient, body: Any) -> None:
    room = new_room(client)
    answer = put(client, room, body)
    assert answer.status_code == 400
    assert "summary" in answer.json()["message"]
    look = client.get(f"/signal/rooms/{room['room']}", headers={"X-Room-Token": room["token"]})
    assert look.json()["summary"] is None


def test_not_json_is_refused(client: TestClient) -> None:
    room = new_room(client)
    answer = client.put(
        f"/signal/rooms/{room['room']}/summary",
        content=b"{nope",
        headers={"X-Room-Token": room["token"]},
    )
    assert answer.status_code == 400


def test_summaries_expire_and_the_oldest_is_forgotten_first() -> None:
    clock = FixedClock()
    kept = RoomSummaries(clock, ttl=60, most=2)
    kept.put("a", OFFER)
    kept.put("b", OFFER)
    kept.put("c", OFFER)
    assert kept.get("a") is None and kept.get("b") == OFFER
    clock.advance(61)
    assert kept.get("b") is None and kept.get("c") is None
