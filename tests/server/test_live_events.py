"""Live notifications over the WebSocket: auth, catch-up after a reconnect, per-user events."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.server.signin import add_user, sign_in

ROOT = Path(__file__).resolve().parents[2]
LIVE = "/api/v1/events/live"


@pytest.fixture()
def app(tmp_path: Path) -> Starlette:
    built = create_app(ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web"))
    add_user(built, "alice")
    add_user(built, "bob")
    return built


def token_for(app: Starlette, name: str) -> str:
    client = TestClient(app)
    csrf = sign_in(client, name)
    made = client.post("/api/v1/tokens", json={"label": "ws"}, headers={"X-CSRF-Token": csrf})
    return str(made.json()["token"])


def test_strangers_and_bad_tokens_are_refused(app: Starlette) -> None:
    client = TestClient(app)
    for headers in ({}, {"Authorization": "Bearer sxo_nope"}, {"Authorization": "Basic x"}):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect(LIVE, headers=headers),
        ):
            pass
        assert closed.value.code == 4401


def test_a_session_cookie_needs_a_same_origin_page(app: Starlette) -> None:
    client = TestClient(app)
    sign_in(client, "alice")
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(LIVE, headers={"Origin": "https://evil.example"}),
    ):
        pass
    with client.websocket_connect(LIVE, headers={"Origin": "http://testserver"}) as socket:
        assert socket.receive_json()["type"] == "caught_up"


def test_catch_up_then_live_then_resume_after_reconnect(app: Starlette) -> None:
    secret = token_for(app, "alice")  # creating it is already one event (token.created)
    bearer = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    with bearer.websocket_connect(LIVE) as socket:
        first = socket.receive_json()
        assert first["type"] == "event" and first["kind"] == "token.created"
        assert socket.receive_json() == {"type": "caught_up", "last_id": first["id"]}
        made = bearer.post("/api/v1/tokens", json={"label": "live"}).json()
        live = socket.receive_json()
        assert live["kind"] == "token.created" and live["payload"]["id"] == made["record"]["id"]
    last_seen = live["id"]
    # While no socket is open, more happens; a reconnect with ?after= gets exactly that.
    bearer.delete(f"/api/v1/tokens/{made['record']['id']}")
    with bearer.websocket_connect(f"{LIVE}?after={last_seen}") as socket:
        missed = socket.receive_json()
        assert missed["kind"] == "token.revoked" and missed["id"] > last_seen
        assert socket.receive_json()["type"] == "caught_up"
    polled = bearer.get(f"/api/v1/events?after={last_seen}").json()
    assert [e["kind"] for e in polled["events"]] == ["token.revoked"]


def test_events_go_only_to_their_user(app: Starlette) -> None:
    alice = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'alice')}"})
    bob = TestClient(app, headers={"Authorization": f"Bearer {token_for(app, 'bob')}"})
    with bob.websocket_connect(LIVE) as socket:
        backlog = socket.receive_json()
        assert backlog["kind"] == "token.created"
        assert socket.receive_json()["type"] == "caught_up"
        alice.post("/api/v1/tokens", json={"label": "alice-only"})
        bob.post("/api/v1/tokens", json={"label": "bob-marker"})
        # The next thing bob sees is his own marker: alice's event never reached him.
        assert socket.receive_json()["payload"]["label"] == "bob-marker"


def test_revoking_the_token_closes_its_socket(app: Starlette) -> None:
    secret = token_for(app, "alice")
    bearer = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    own_id = bearer.get("/api/v1/tokens").json()["tokens"][0]["id"]
    with bearer.websocket_connect(LIVE) as socket:
        socket.receive_json()
        assert socket.receive_json()["type"] == "caught_up"
        assert bearer.delete(f"/api/v1/tokens/{own_id}").status_code == 204
        assert socket.receive_json()["kind"] == "token.revoked"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4401


def test_signing_out_closes_the_sessions_socket(app: Starlette) -> None:
    client = TestClient(app)
    csrf = sign_in(client, "alice")
    with client.websocket_connect(LIVE, headers={"Origin": "http://testserver"}) as socket:
        assert socket.receive_json()["type"] == "caught_up"
        client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
        assert socket.receive_json()["kind"] == "session.ended"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4401
