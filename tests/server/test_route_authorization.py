"""Walk every route in the app's own route table as a stranger and as another user.

New routes are covered automatically: a route missing from ``PUBLIC`` must refuse a stranger
(401/403/404, or a redirect to the sign-in page), and no route may show one user's data to
another. A route that is public on purpose is added to ``PUBLIC`` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from server.app import create_app
from server.config import ServerConfig
from tests.server.signin import add_user, sign_in

ROOT = Path(__file__).resolve().parents[2]
SECRET_LABEL = "alice-private-label-7f3a"

PUBLIC = {
    "GET /": "the app shell; strangers are redirected to sign in",
    "GET /healthz": "health check, no user data",
    "GET /static/{path:path}": "our css, icons, boot script",
    "GET /vendor/{folder}/{path:path}": "Pyodide and PyScript",
    "GET /login": "the sign-in page",
    "POST /login": "signing in",
    "GET /login/oidc/{provider}": "starting an OIDC sign-in",
    "GET /login/oidc/{provider}/callback": "finishing an OIDC sign-in",
    "POST /api/v1/session": "signing in through the API",
    "GET /api/v1/auth/providers": "which sign-in methods exist",
    "GET /api/v1/openapi.json": "the API description",
    "POST /api/v1/cli-login/token": "swapping a one-time code + verifier for a token",
    "GET /p/{room}": "the receive page of a peer-to-peer link (no account needed)",
    "POST /signal/rooms": "signaling: anyone may open a room; its token is the capability",
    "GET /signal/codes/{code}": "signaling: short codes resolve to a room for its holder",
    "WS /signal/{room}": "signaling: joining needs the room's token",
}
REFUSED = {401, 403, 404, 405}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Starlette, dict[str, str]]:
    """Alice with a token and an event; returns the app and values for path parameters."""
    data = tmp_path_factory.mktemp("walk") / "data"
    app = create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))
    add_user(app, "alice")
    add_user(app, "bob")
    alice = TestClient(app)
    csrf = sign_in(alice, "alice")
    made = alice.post(
        "/api/v1/tokens", json={"label": SECRET_LABEL}, headers={"X-CSRF-Token": csrf}
    ).json()
    params = {
        "token_id": str(made["record"]["id"]),
        "provider": "none",
        "path": "app.css",
        "folder": "x",
        "code": "abc",
        "room": "r",
    }
    return app, params


def every_route(app: Starlette) -> list[tuple[str, str]]:
    return list(_walk(app.routes, ""))


def _walk(routes: list[BaseRoute], prefix: str) -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(route.routes, prefix + route.path)
        elif isinstance(route, WebSocketRoute):
            yield "WS", prefix + route.path
        elif isinstance(route, Route):
            path = prefix + route.path
            yield from ((m, path) for m in sorted(route.methods or ()) if m != "HEAD")
        else:
            raise AssertionError(f"teach this walk about {route!r}")


def fill(path: str, params: dict[str, str]) -> str:
    for name, value in params.items():
        for suffix in ("}", ":int}", ":path}"):
            path = path.replace("{" + name + suffix, value)
    assert "{" not in path, f"add a value for the parameters of {path}"
    return path


def call(client: TestClient, method: str, url: str) -> tuple[int, str]:
    if method == "WS":
        try:
            with client.websocket_connect(url) as socket:
                return 101, str(socket.receive_json())
        except WebSocketDisconnect as closed:
            # Application close codes (4000-4999) and policy violation (1008) are refusals.
            return 403 if closed.code == 1008 or 4000 <= closed.code < 5000 else 500, ""
    if url.startswith("/api/"):
        response = client.request(
            method, url, json={}, follow_redirects=False, headers={"Accept": "application/json"}
        )
    else:  # pages take forms, with this client's CSRF token when it has one
        form = {"csrf": client.headers.get("X-CSRF-Token", ""), "label": "walk"}
        response = client.request(method, url, data=form, follow_redirects=False)
    return response.status_code, response.text + str(response.headers)


def test_the_walk_covers_the_api(world: tuple[Starlette, dict[str, str]]) -> None:
    routes = {f"{m} {p}" for m, p in every_route(world[0])}
    assert "DELETE /api/v1/tokens/{token_id:int}" in routes
    assert "WS /api/v1/events/live" in routes
    assert len(routes) >= 20


def test_strangers_are_refused_everywhere_but_public_routes(
    world: tuple[Starlette, dict[str, str]],
) -> None:
    app, params = world
    stranger = TestClient(app)
    problems = []
    for method, path in every_route(app):
        key = f"{method} {path}"
        if method == "WS" and key in PUBLIC:
            continue  # a public socket waits for its own handshake; its tests live beside it
        status, text = call(stranger, method, fill(path, params))
        if SECRET_LABEL in text or status >= 500:
            problems.append(f"{key}: {status}")
        elif key in PUBLIC:
            continue
        redirect_to_login = status == 303 and "location': '/login" in text
        if status not in REFUSED and not redirect_to_login:
            problems.append(f"{key} answered a stranger with {status}")
    assert problems == []


def test_another_user_never_sees_or_touches_alices_things(
    world: tuple[Starlette, dict[str, str]],
) -> None:
    app, params = world
    bob = TestClient(app)
    csrf = sign_in(bob, "bob")
    bob.headers["X-CSRF-Token"] = csrf
    problems = []
    for method, path in every_route(app):
        if path in {"/login", "/api/v1/session", "/logout"} and method != "GET":
            continue  # signing in or out as bob is not about alice's data
        if method == "WS" and f"WS {path}" in PUBLIC:
            continue
        status, text = call(bob, method, fill(path, params))
        if SECRET_LABEL in text or status >= 500:
            problems.append(f"{method} {path}: {status} showed alice's data or failed")
        if "{token_id" in path and status not in REFUSED:
            problems.append(f"{method} {path} let bob act on alice's token ({status})")
    assert problems == []
    alice_tokens = TestClient(app)
    sign_in(alice_tokens, "alice")
    assert [t["revoked_at"] for t in alice_tokens.get("/api/v1/tokens").json()["tokens"]] == [None]
