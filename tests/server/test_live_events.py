"""Live notifications over the WebSocket: auth, catch-up after a reconnect, per-user events."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import migrate
from syncoxide.server.events.service import (
    FELL_BEHIND,
    QUEUE_DEPTH,
    CaughtUp,
    Notifier,
    WatchEnded,
)
from syncoxide.server.storage.sqlite import SqliteMetadataStore, open_database
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


def test_one_watch_serves_every_stream_backlog_live_and_falling_behind(tmp_path: Path) -> None:
    """The WebSocket and gRPC both read ``Notifier.watch``: its whole life, on a real store."""

    async def main() -> list[object]:
        migrate(open_database(tmp_path / "db.sqlite3"))
        store = SqliteMetadataStore.open(tmp_path / "db.sqlite3")
        notifier = Notifier(store)
        user = await store.create_user("ada", "Ada", None, 1)
        old = await notifier.emit(user.id, "share.created", {"id": 1}, now=100)

        async def signed_in() -> bool:
            return True

        seen: list[object] = []
        async with contextlib.aclosing(notifier.watch(user.id, 0, signed_in)) as watched:
            seen.append(await anext(watched))
            seen.append(await anext(watched))
            new = await notifier.emit(user.id, "share.created", {"id": 2}, now=101)
            seen.append(await anext(watched))
            for number in range(QUEUE_DEPTH + 1):  # more than a watcher may fall behind by
                await notifier.emit(user.id, "file.written", {"n": number}, now=102)
            seen.extend([item async for item in watched])
        assert seen[:3] == [old, CaughtUp(old.id), new]
        return seen[3:]

    rest = asyncio.run(main())
    assert rest[-1] == WatchEnded(FELL_BEHIND, rest[-2].id)  # type: ignore[attr-defined]
    assert len(rest) == QUEUE_DEPTH  # what it was still given, then the end
