"""TURN REST credentials against pinned vectors, and the checks on a server's ICE server list."""

import json
from pathlib import Path

import pytest

from syncoxide.errors import RemoteProtocolError
from syncoxide.protocol.ice_servers import IceServer, parse_ice_servers, turn_server

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "protocol" / "turn_credentials.json"


@pytest.mark.parametrize("case", json.loads(VECTORS.read_text())["cases"])
def test_credentials_match_the_vectors(case: dict) -> None:
    server = turn_server(
        ("turn:127.0.0.1:3478",),
        case["secret"].encode(),
        label=case["label"],
        expires_at=case["expires_at"],
    )
    assert (server.username, server.credential) == (case["username"], case["password"])


def test_a_server_list_round_trips_through_json() -> None:
    servers = [
        IceServer(("stun:stun.example.org:3478",)),
        IceServer(("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"),
                  "1767225600:room-1", "c2VjcmV0"),
    ]  # fmt: skip
    assert parse_ice_servers(json.loads(json.dumps([s.to_json() for s in servers]))) == servers
    assert parse_ice_servers(None) == []
    assert parse_ice_servers([{"urls": "stun:a.example:3478"}]) == [
        IceServer(("stun:a.example:3478",))
    ]
    assert [s.is_turn for s in servers] == [False, True]


@pytest.mark.parametrize(
    "bad",
    [
        "stun:a.example",
        [{"urls": ["http://evil.example/"]}],
        [{"urls": []}],
        [{"urls": ["turn:a.example"], "username": 5}],
        [{"urls": ["turn:a.example"], "extra": "x"}],
        [{"urls": ["stun:a.example"]}] * 9,
        ["stun:a.example"],
    ],
)
def test_a_malformed_list_is_refused(bad: object) -> None:
    with pytest.raises(RemoteProtocolError):
        parse_ice_servers(bad)
