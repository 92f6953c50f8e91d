"""STUN/TURN servers from the config: in the room's welcome and at /api/v1/webrtc/ice, with
TURN credentials that check out, and every malformed setting refused with what to write."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.errors import ConfigError
from syncoxide.protocol.ice_servers import turn_password
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.signaling.ice import IceSettings, ice_settings
from syncoxide.server.signaling.routes import SignalingService, SignalingSettings
from syncoxide.server.signaling.tokens import RoomTokens
from tests.server.signin import signed_in_client

ROOT = Path(__file__).resolve().parents[3]
SECRET = "shared-with-coturn"
TURN = "turn:turn.example.org:3478?transport=udp"


def write_settings(tmp_path: Path, text: str) -> ServerConfig:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config.settings_path.write_text(text)
    return config


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SYNCOXIDE_STUN_URLS", "SYNCOXIDE_TURN_URLS", "SYNCOXIDE_TURN_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SYNCOXIDE_SETTINGS", raising=False)


def test_nothing_configured_means_no_servers_at_all(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    assert config.ice() == IceSettings()
    assert config.ice().servers_for("peer-1", time.time()) == []


def test_the_settings_file_and_the_environment(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "secret").write_text(SECRET + "\n")
    config = write_settings(
        tmp_path,
        f'[webrtc]\nstun = ["stun:turn.example.org:3478"]\nturn = ["{TURN}"]\n'
        f'turn_secret_file = "{tmp_path / "secret"}"\nturn_lifetime = 600\n',
    )
    ice = config.ice()
    assert ice == IceSettings(("stun:turn.example.org:3478",), (TURN,), SECRET.encode(), 600)
    monkeypatch.setenv("SYNCOXIDE_TURN_URLS", "turns:relay.example.org:5349, ")
    monkeypatch.setenv("SYNCOXIDE_TURN_SECRET", "other")
    assert config.ice().turn_urls == ("turns:relay.example.org:5349",)
    assert config.ice().turn_secret == b"other"


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (f'turn = ["{TURN}"]', "without the shared secret"),
        ('stun = ["http://stun.example.org"]', "not a STUN or TURN address"),
        ('stun = "stun:a.example"', "must be a list"),
        ('relay = ["x"]', "unknown settings: relay"),
        (f'turn = ["{TURN}"]\nturn_secret = "s"\nturn_lifetime = 5', "turn_lifetime"),
        (f'turn = ["{TURN}"]\nturn_secret_file = "/no/such/secret"', "Could not read"),
    ],
)
def test_a_malformed_setting_is_refused(tmp_path: Path, settings: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        write_settings(tmp_path, "[webrtc]\n" + settings + "\n").ice()
    with pytest.raises(ConfigError, match=says):
        create_app(write_settings(tmp_path, "[webrtc]\n" + settings + "\n"))


def check_turn_entry(entry: dict, label_prefix: str, lifetime: int) -> None:
    expiry, label = entry["username"].split(":", 1)
    assert label.startswith(label_prefix)
    assert abs(int(expiry) - (time.time() + lifetime)) < 5
    assert entry["credential"] == turn_password(SECRET.encode(), entry["username"])
    assert entry["urls"] == [TURN]


def test_each_peer_of_a_room_gets_its_own_fresh_credentials() -> None:
    ice = ice_settings({"turn": [TURN], "turn_secret": SECRET, "turn_lifetime": 900}, {})
    service = SignalingService(RoomTokens(b"k" * 32), settings=SignalingSettings(ice=ice))
    with TestClient(Starlette(routes=service.routes())) as client:
        room = client.post("/signal/rooms").json()
        welcomes = []
        for role in ("sender", "receiver"):
            with client.websocket_connect(f"/signal/{room['room']}") as ws:
                ws.send_json({"type": "join", "token": room["token"], "role": role})
                welcomes.append(ws.receive_json())
    entries = [welcome["iceServers"][0] for welcome in welcomes]
    for entry in entries:
        check_turn_entry(entry, "peer-", 900)
    assert entries[0]["username"] != entries[1]["username"]


def test_a_room_without_configured_servers_says_so() -> None:
    service = SignalingService(RoomTokens(b"k" * 32))
    with TestClient(Starlette(routes=service.routes())) as client:
        room = client.post("/signal/rooms").json()
        with client.websocket_connect(f"/signal/{room['room']}") as ws:
            ws.send_json({"type": "join", "token": room["token"], "role": "sender"})
            assert ws.receive_json()["iceServers"] == []


def test_the_api_answers_signed_in_users_only(tmp_path: Path) -> None:
    config = write_settings(tmp_path, f'[webrtc]\nturn = ["{TURN}"]\nturn_secret = "{SECRET}"\n')
    app = create_app(config)
    assert TestClient(app).get("/api/v1/webrtc/ice").status_code == 401
    client, _ = signed_in_client(app, "tester")
    answer = client.get("/api/v1/webrtc/ice")
    assert answer.status_code == 200
    (entry,) = answer.json()["ice_servers"]
    check_turn_entry(entry, "user-", 12 * 3600)
