"""The device room id and the signed request's bytes (pure: runs in Pyodide too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syncoxide.devices.device_room import RoomRequest, device_room_id, request_bytes
from syncoxide.errors import InvalidInputError

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "devices" / "device_room_v1.json"
CASE = json.loads(VECTORS.read_text())["cases"][0]
ONE, OTHER = bytes.fromhex(CASE["one"]), bytes.fromhex(CASE["other"])


def test_the_room_id_matches_the_known_answer_whichever_device_asks() -> None:
    assert device_room_id(ONE, OTHER) == device_room_id(OTHER, ONE) == CASE["room"]
    assert len(CASE["room"]) == 22


def test_the_request_bytes_match_the_known_answer() -> None:
    assert request_bytes(ONE, OTHER, CASE["issued_at"]).hex() == CASE["request_bytes"]


def test_a_request_round_trips_through_json_and_bad_keys_are_refused() -> None:
    request = RoomRequest(ONE, OTHER, CASE["issued_at"], bytes(64))
    assert RoomRequest.from_json(request.to_json()) == request
    with pytest.raises(InvalidInputError):
        request_bytes(ONE[:31], OTHER, 0)
    with pytest.raises(InvalidInputError):
        RoomRequest.from_json({**request.to_json(), "issued_at": 2**64})
    with pytest.raises(InvalidInputError):
        RoomRequest.from_json("not an object")
