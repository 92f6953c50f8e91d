"""Walk every route in the app's own route table as a stranger and as another user.

New routes are covered automatically: a route missing from ``PUBLIC`` must refuse a stranger
(401/403/404, or a redirect to the sign-in page), and no route may show one user's data to
another. A route that is public on purpose is added to ``PUBLIC`` with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.server.links.links_world import TUS, metadata
from tests.server.signin import add_user, services, sign_in

# The walk over every route, on SQLite and (live layer) on PostgreSQL: it caught store bugs.
pytestmark = pytest.mark.both_databases
ROOT = Path(__file__).resolve().parents[3]
SECRET_LABEL = "alice-private-label-7f3a"

PUBLIC = {
    "GET /": "the app shell; strangers are redirected to sign in",
    "GET /healthz": "health check, no user data",
    "GET /static/{path:path}": "our css, icons, boot script",
    "GET /vendor/{folder}/{path:path}": "Pyodide, our wheels and scripts",
    "GET /login": "the sign-in page",
    "POST /login": "signing in",
    "GET /login/oidc/{provider}": "starting an OIDC sign-in",
    "GET /login/oidc/{provider}/callback": "finishing an OIDC sign-in",
    "POST /api/v1/session": "signing in through the API",
    "GET /api/v1/auth/providers": "which sign-in methods exist",
    "GET /api/v1/openapi.json": "the API description",
    "POST /api/v1/cli-login/start": "a command line asking to sign in (approved in a browser)",
    "POST /api/v1/cli-login/token": "swapping a one-time code + verifier for a token",
    "GET /p/{room}": "the receive page of a peer-to-peer link (no account needed)",
    "POST /signal/rooms": "signaling: anyone may open a room; its token is the capability",
    "POST /signal/device-rooms": "signaling: a device pair's room, for a request signed by a "
    "key of the pair",
    "GET /signal/codes/{code}": "signaling: short codes resolve to a room for its holder",
    "WS /signal/{room}": "signaling: joining needs the room's token",
    "GET /s/{link_id}": "a share link's page; its id is the capability (here password-locked)",
    "POST /s/{link_id}": "a share link's password form",
    "GET /s/{link_id}/files/{file_id:int}": "a share's file, once its password was given",
    "GET /s/{link_id}/zip": "a share as a zip, once its password was given",
    "GET /s/{link_id}.torrent": "a share's torrent, once its password was given",
    "GET /s/{link_id}/seed/{ticket}/{path:path}": "a torrent's web seed; the ticket is the right",
    "GET /r/{link_id}": "a request link's upload page (no account needed)",
    "POST /r/{link_id}": "a request link's password form",
    "GET /api/v1/shares/{link_id}": "describes a share to anyone holding it and its password",
    "GET /api/v1/requests/{link_id}": "describes a request link to its uploaders",
    "OPTIONS /api/v1/uploads/": "tus capability discovery, no data",
    "OPTIONS /api/v1/uploads/{upload_id}": "tus capability discovery, no data",
    "OPTIONS /api/v1/drop/": "tus capability discovery, no data",
    "POST /api/v1/drop/": "uploads into a request link, authorized by the link (and password)",
    "OPTIONS /api/v1/drop/{upload_id}": "tus capability discovery, no data",
    "PATCH /api/v1/drop/{upload_id}": "uploads into a request link, authorized by the link",
    "DELETE /api/v1/drop/{upload_id}": "cancels an upload into a request link, by its holder",
    "OPTIONS /api/v1/drop/{link_id}/": "tus capability discovery, no data",
    "POST /api/v1/drop/{link_id}/": "uploads into a request link, authorized by the link",
    "OPTIONS /api/v1/drop/{link_id}/{upload_id}": "tus capability discovery, no data",
    "PATCH /api/v1/drop/{link_id}/{upload_id}": "uploads into a request link, by its holder",
    "DELETE /api/v1/drop/{link_id}/{upload_id}": "cancels an upload into a request link",
    "OPTIONS /api/v1/storage/uploads/": "tus capability discovery, no data",
    "OPTIONS /api/v1/storage/uploads/{upload_id}": "tus capability discovery, no data",
    "GET /unsubscribe/{ticket}": "a digest's unsubscribe page; the signed ticket is the right",
    "POST /unsubscribe/{ticket}": "unsubscribing from a digest; the signed ticket is the right",
}
REFUSED = {401, 403, 404, 405}


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, server_database: str
) -> tuple[Starlette, dict[str, str]]:
    """Alice with a token and an event, on the module's database (SQLite, then PostgreSQL);
    returns the app and values for path parameters."""
    data = tmp_path_factory.mktemp("walk") / "data"
    app = create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))
    add_user(app, "alice")
    add_user(app, "bob")
    add_user(app, "carol")
    alice = TestClient(app)
    csrf = sign_in(alice, "alice")
    made = alice.post(
        "/api/v1/tokens", json={"label": SECRET_LABEL}, headers={"X-CSRF-Token": csrf}
    ).json()
    params = {
        "token_id": str(made["record"]["id"]),
        "provider": "none",
        "path": "app.css",
        "ticket": "v1.0.forged.ticket",
        "folder": "x",
        "code": "abc",
        "room": "r",
        "upload_id": "no-such-upload",
        **_alices_links(alice, csrf),
        **_alices_rule(app),
    }
    params.update(_alices_backups(app, int(params["connection_id"])))
    params.update(_alices_account_share(alice, csrf))
    params.update(_alices_automation(app, params["request_id"]))
    params.update(_alices_stored_file(alice, csrf))
    return app, params


def _alices_stored_file(alice: TestClient, csrf: str) -> dict[str, str]:
    """A file in alice's own storage, named and filled with the label nobody else may see, and
    its entry in her index (what ``/f/<id>`` names)."""
    stored = alice.put(
        "/api/v1/storage/content",
        params={"path": SECRET_LABEL},
        content=SECRET_LABEL.encode(),
        headers={"X-CSRF-Token": csrf},
    )
    assert stored.status_code == 200, stored.text
    [entry] = alice.get("/api/v1/catalog/search", params={"q": "in:home"}).json()["entries"]
    return {"entry_id": str(entry["id"])}


def _alices_links(alice: TestClient, csrf: str) -> dict[str, str]:
    """A password-locked share holding one file, and a password-locked request link."""
    headers = {"X-CSRF-Token": csrf}
    locked = {"title": "walk", "password": "walk password"}
    share = alice.post("/api/v1/shares", json=locked, headers=headers).json()["id"]
    request = alice.post("/api/v1/requests", json=locked, headers=headers).json()["id"]
    tus = {
        **TUS,
        **headers,
        "Upload-Length": "6",
        "Upload-Metadata": metadata(share=share, path="a"),
    }
    created = alice.post("/api/v1/uploads/", headers=tus)
    alice.patch(
        created.headers["location"],
        content=SECRET_LABEL[:6].encode(),
        headers={
            **TUS,
            **headers,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    file_id = alice.get(f"/api/v1/shares/{share}").json()["files"][0]["id"]
    return {"share_id": share, "request_id": request, "file_id": str(file_id)}


def _alices_rule(app: Starlette) -> dict[str, str]:
    """A connection and a rule of alice's, stored directly: no provider is reachable here."""
    from syncoxide.server.rules.store import Connection, Rule

    store = app.state.rules.store
    alice = asyncio.run(services(app).store.user_by_name("alice"))
    assert alice is not None
    made = Connection(
        0, alice.id, SECRET_LABEL, "webdav", {"url": "http://127.0.0.1:9/"}, {}, "ok", "", 0, None
    )
    connection = asyncio.run(store.add_connection(made))
    rule = Rule(
        0,
        alice.id,
        SECRET_LABEL,
        connection.id,
        "a",
        connection.id,
        "b",
        "copy",
        "newer",
        3600,
        False,
        "idle",
        "",
        2**40,
        None,
        0,
    )
    added = asyncio.run(store.add_rule(rule))
    return {"connection_id": str(connection.id), "rule_id": str(added.id)}


def _alices_account_share(alice: TestClient, csrf: str) -> dict[str, str]:
    """A folder of alice's shared with carol: bob, the third account, must see none of it."""
    made = alice.post(
        "/api/v1/account-shares",
        json={"to": "carol", "place": f"home:{SECRET_LABEL}"},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code == 201, made.text
    return {"account_share_id": str(made.json()["id"])}


def _alices_backups(app: Starlette, connection_id: int) -> dict[str, str]:
    """A backup key, repository (not on disk) and rule of alice's, stored directly."""
    from syncoxide.server.backups.store import (
        BackupKey,
        BackupRepository,
        BackupRestore,
        BackupRule,
    )

    store = app.state.backups.store
    alice = asyncio.run(services(app).store.user_by_name("alice"))
    assert alice is not None
    key = BackupKey(0, alice.id, SECRET_LABEL, "ssh-ed25519 AAAAwalk", False, "", 0)
    key = asyncio.run(store.add_key(key))
    made = BackupRepository(0, alice.id, "walk", "repokey-blake2", "", 0)
    repository = asyncio.run(store.add_repository(made))
    rule = BackupRule(0, alice.id, SECRET_LABEL, connection_id, "", repository.id, "walk",
                      "daily", {}, False, "idle", "", 2**40, None, 0)  # fmt: skip
    added = asyncio.run(store.add_rule(rule))
    made_restore = BackupRestore(0, alice.id, repository.id, "walk-2026-12-06T10:00:00", "",
                                 connection_id, SECRET_LABEL, "failed", 0, 0, SECRET_LABEL, 0,
                                 0)  # fmt: skip
    restore = asyncio.run(store.add_restore(made_restore))
    return {
        "restore_id": str(restore.id),
        "key_id": str(key.id),
        "repository_id": str(repository.id),
        "archive": "walk-2026-12-06T10:00:00",
        "backup_rule_id": str(added.id),
    }


def _alices_automation(app: Starlette, request_id: str) -> dict[str, str]:
    """An automation rule of alice's on her request link, and a dead job it made."""
    from syncoxide.server.automation.queue import NewJob
    from syncoxide.server.automation.rules import AutomationRule

    automation = app.state.automation
    alice = asyncio.run(services(app).store.user_by_name("alice"))
    assert alice is not None
    rule = AutomationRule(0, alice.id, SECRET_LABEL, "request", request_id, ["image"], "", 0,
                          "pdf", {}, "Scans", True, "keep", True, 0)  # fmt: skip
    rule = automation.rules.add(rule)
    payload = {"rule": rule.id, "items": [{"name": SECRET_LABEL}], "output": SECRET_LABEL}
    job = automation.queue.enqueue(NewJob(alice.id, "automation", payload, delay=10**9))
    return {"automation_rule_id": str(rule.id), "job_id": str(job.id)}


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
    if "link_id" not in params and "share_id" in params:
        is_request = path.startswith(("/r/", "/api/v1/requests/"))
        params = {**params, "link_id": params["request_id" if is_request else "share_id"]}
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
        signing_out = {"/login", "/api/v1/session", "/logout", "/account/sessions/end"}
        if path in signing_out and method != "GET":
            continue  # signing in or out as bob is not about alice's data
        if method == "WS" and f"WS {path}" in PUBLIC:
            continue
        status, text = call(bob, method, fill(path, params))
        if SECRET_LABEL in text or status >= 500:
            problems.append(f"{method} {path}: {status} showed alice's data or failed")
        if "{token_id" in path and status not in REFUSED:
            problems.append(f"{method} {path} let bob act on alice's token ({status})")
        owners_only = "{link_id" in path and f"{method} {path}" not in PUBLIC
        owners_only = owners_only or "{connection_id" in path or "{rule_id" in path
        owners_only = owners_only or "{account_share_id" in path
        owners_only = owners_only or any(
            f"{{{name}" in path
            for name in (
                "repository_id",
                "restore_id",
                "key_id",
                "backup_rule_id",
                "automation_rule_id",
                "job_id",
            )
        )
        # A body that fails its schema is refused before any lookup, the same for every id.
        refused_body = status == 422 and '"error":"invalid_body"' in text.replace(" ", "")
        if owners_only and status not in REFUSED and not refused_body:
            problems.append(f"{method} {path} let bob act on alice's link ({status})")
    assert problems == []
    alice_tokens = TestClient(app)
    sign_in(alice_tokens, "alice")
    assert [t["revoked_at"] for t in alice_tokens.get("/api/v1/tokens").json()["tokens"]] == [None]
    links = alice_tokens.get("/api/v1/shares").json()["links"]
    links += alice_tokens.get("/api/v1/requests").json()["links"]
    assert [link["revoked_at"] for link in links] == [None, None]
    assert [c["name"] for c in alice_tokens.get("/api/v1/connections").json()["connections"]] == [
        SECRET_LABEL
    ]
    assert len(alice_tokens.get("/api/v1/rules").json()["rules"]) == 1
    [shared] = alice_tokens.get("/api/v1/account-shares").json()["shares"]
    assert (shared["recipient"], shared["state"]) == ("carol", "invited")
    assert len(alice_tokens.get("/api/v1/automation/rules").json()["rules"]) == 1
    assert [j["status"] for j in alice_tokens.get("/api/v1/jobs").json()["jobs"]] == ["queued"]
    stored = alice_tokens.get("/api/v1/storage").json()["entries"]
    assert [(e["path"], e["size"]) for e in stored] == [(SECRET_LABEL, len(SECRET_LABEL))]
