"""Finding 7: every malformed input the attack found is a clear 4xx, never a traceback.

Four causes crashed 36 handlers: Unicode digits ("²" passes ``str.isdigit()``, then ``int()``
fails), non-ASCII CSRF values (``secrets.compare_digest`` raises on them), lone surrogates in
JSON (no encoder can write them), and integers past SQLite's 64 bits. They are all read through
``syncoxide.server.inputs`` now; this replays one input per place each cause reached.

The test client re-raises any exception a handler lets escape, so a crash fails the test even
before its status is looked at.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from syncoxide.server.inputs import SQLITE_MAX_INT, is_decimal, same_secret, whole_number
from tests.server.links.links_world import TUS, LinksWorld, make_world, share_with

BIG = str(10**20)
SURROGATE = '"\\ud800"'  # JSON text of a lone surrogate, as an attacker sends it
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> LinksWorld:
    return make_world(tmp_path_factory.mktemp("malformed"))


@pytest.fixture(scope="module")
def share(world: LinksWorld) -> dict[str, Any]:
    return share_with(world, {"a.txt": b"some bytes"})


@pytest.fixture(scope="module")
def request_link(world: LinksWorld) -> dict[str, Any]:
    made = world.owner.post("/api/v1/requests", json={"title": "Drop"})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _raw(value: str) -> bytes:
    """Header bytes as a client sends them; servers read headers as Latin-1."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


def _refused(status: int, *allowed: int) -> None:
    assert 400 <= status < 500, status
    if allowed:
        assert status in allowed, status


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/events?after=²",
        "/api/v1/events?limit=²",
        f"/api/v1/events?after={BIG}",
        "/api/v1/events?after=٣",
        "/api/v1/storage?path=/&limit=²",
        "/api/v1/rules/1/runs?limit=²",
        "/cli-login?port=²&challenge=" + "a" * 43,
        "/cli-login?port=" + BIG + "&challenge=" + "a" * 43,
    ],
)
def test_unicode_digits_and_huge_numbers_in_queries(world: LinksWorld, query: str) -> None:
    _refused(world.owner.get(query, follow_redirects=False).status_code)


@pytest.mark.parametrize("header", ["Upload-Length", "Upload-Offset"])
@pytest.mark.parametrize("value", ["²", "١٢", BIG + "0", "-1", " 5"])
def test_unicode_digits_in_tus_headers(
    world: LinksWorld, share: dict[str, Any], header: str, value: str
) -> None:
    raw: Any = _raw(value)
    if header == "Upload-Length":
        sent = world.owner.post("/api/v1/uploads/", headers={**TUS, header: raw})
    else:
        made = world.owner.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "3"})
        sent = world.owner.patch(
            made.headers["location"],
            content=b"abc",
            headers={**TUS, header: raw, "Content-Type": "application/offset+octet-stream"},
        )
    _refused(sent.status_code)
    own = world.owner.post("/api/v1/storage/uploads/", headers={**TUS, header: raw})
    _refused(own.status_code)


def test_unicode_digits_in_a_file_time(world: LinksWorld) -> None:
    put = world.owner.put("/api/v1/storage/content?path=/x.txt&mtime_ns=²", content=b"x")
    _refused(put.status_code, 400)


def test_unicode_digits_in_a_range_are_ignored(world: LinksWorld, share: dict[str, Any]) -> None:
    url = share["files"][0]["download_url"]
    ranged: Any = {"Range": _raw("bytes=²-")}
    assert world.stranger().get(url, headers=ranged).status_code == 200


@pytest.mark.parametrize("value", ["é", "\u00ff" * 40])
def test_non_ascii_csrf_values(world: LinksWorld, value: str) -> None:
    raw = value.encode("latin-1")
    changed = world.owner.put(
        "/api/v1/me/password",
        json={"current_password": "x", "new_password": "long enough"},
        headers={"X-CSRF-Token": raw},  # type: ignore[dict-item]
    )
    _refused(changed.status_code, 403)
    stranger = world.stranger()
    form = stranger.post(
        "/login",
        content=f"csrf={value}&name=a&password=b".encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": b"sxo_form=" + raw,  # type: ignore[dict-item]
        },
    )
    _refused(form.status_code, 403)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/shares", '{"title": %s}'),
        ("POST", "/api/v1/requests", '{"allowed_types": %s}'),
        ("POST", "/api/v1/tokens", '{"label": %s}'),
        ("POST", "/api/v1/session", '{"name": %s, "password": "x"}'),
        ("POST", "/api/v1/session", '{"name": "alice", "password": %s}'),
        ("POST", "/api/v1/rules", '{"name": "r", "source": {"connection_id": 1, "path": %s}}'),
        ("POST", "/api/v1/shares", "{%s: 1}"),
    ],
)
def test_lone_surrogates_in_json(world: LinksWorld, method: str, path: str, body: str) -> None:
    sent = world.owner.request(method, path, content=(body % SURROGATE).encode(), headers=JSON)
    _refused(sent.status_code, 400)
    assert "surrogate" in sent.json()["message"]


def test_ids_too_large_for_sqlite(
    world: LinksWorld, share: dict[str, Any], request_link: dict[str, Any]
) -> None:
    for method, path in (
        ("DELETE", f"/api/v1/tokens/{BIG}"),
        ("GET", f"/api/v1/requests/{request_link['id']}/arrivals/{BIG}"),
        ("DELETE", f"/api/v1/connections/{BIG}"),
        ("GET", f"/api/v1/rules/{BIG}"),
        ("GET", f"{share['url']}/files/{BIG}"),
    ):
        answer = world.owner.request(method, path)
        assert answer.status_code == 404, (method, path, answer.status_code)
    form = world.owner.post(f"/account/tokens/{BIG}/revoke", data={"csrf": "x"})
    _refused(form.status_code, 404)


def test_websocket_inputs(world: LinksWorld) -> None:
    for after in ("²", BIG, "-1"):
        live = f"/api/v1/events/live?after={after}"
        with pytest.raises(WebSocketDisconnect), world.owner.websocket_connect(live) as ws:
            ws.receive_json()
    room = world.stranger().post("/signal/rooms").json()
    with world.stranger().websocket_connect(f"/signal/{room['room']}") as ws:
        ws.send_text('{"type": "join", "token": ' + SURROGATE + ', "role": "sender"}')
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4400


def test_the_validators_themselves() -> None:
    assert [is_decimal(v) for v in ("12", "-3", "²", "١", "", "1" * 20, " 1")] == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert whole_number(str(SQLITE_MAX_INT), "n", low=0, high=SQLITE_MAX_INT) == SQLITE_MAX_INT
    assert same_secret("é", "é") and not same_secret("é", "e") and not same_secret("\ud800", "x")
    assert not same_secret(None, "x") and not same_secret("", "")
