"""Two real ``syncoxide serve`` processes that share a data directory and a bus (each test
runs on Redis and on NATS).

What one instance raises, a socket on the other hears; two peers of one transfer meet and
relay through different instances; a long poll for changes on one wakes for an upload
through the other. (Both share the SQLite file here, which one machine
allows; the metadata store on PostgreSQL is the part that lets instances live apart.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import ClientConnection, connect

from tests.conftest import LiveServer, data_dir_token, start_live_server

pytestmark = pytest.mark.live


@pytest.fixture(scope="module", params=["redis", "nats"])
def module_bus_url(request: pytest.FixtureRequest) -> str:
    """conftest's ``bus_url`` for a module-scoped fixture: each test runs on Redis and NATS."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


# One pair per bus for the module's tests: each test signs in as its own user or uses a room of
# its own, and the backlog a socket is sent first is read past. Starting two servers one after
# the other (the second waits for the first to migrate) took 5 to 10 s of each test.
@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, module_bus_url: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    env = {"SYNCOXIDE_BUS": module_bus_url}
    data = tmp_path_factory.mktemp("two-instances") / "data"
    first = start_live_server(data, env=env)  # migrates the database first
    try:
        second = start_live_server(data, env=env)
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def _token(data_dir: Path, tmp_path: Path) -> str:
    """A user of this test's own (the servers are the module's): named after its folder."""
    return data_dir_token(data_dir, "iris-" + tmp_path.name.lower()[-40:], tmp_path)


def _next(socket: ClientConnection) -> dict[str, Any]:
    reply: dict[str, Any] = json.loads(socket.recv(timeout=10))
    return reply


def _ws(server: LiveServer, path: str, token: str | None = None) -> ClientConnection:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return connect(server.url.replace("http", "ws", 1) + path, additional_headers=headers)


def test_a_socket_on_one_instance_hears_what_happens_on_the_other(
    instances: tuple[LiveServer, LiveServer], tmp_path: Path
) -> None:
    first, second = instances
    token = _token(first.data_dir, tmp_path)
    with _ws(first, "/api/v1/events/live", token) as socket:
        while _next(socket)["type"] != "caught_up":
            pass  # the backlog, if any
        made = httpx2.post(
            f"{second.url}/api/v1/tokens",
            json={"label": "made on the second"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert made.status_code == 201, made.text
        heard = _next(socket)
        assert heard["kind"] == "token.created"
        assert heard["payload"]["label"] == "made on the second"


def test_sender_and_receiver_signal_through_different_instances(
    instances: tuple[LiveServer, LiveServer],
) -> None:
    first, second = instances
    room = httpx2.post(f"{first.url}/signal/rooms", timeout=10).json()
    path = f"/signal/{room['room']}"
    with _ws(first, path) as sender, _ws(second, path) as receiver:
        sender.send(json.dumps({"type": "join", "token": room["token"], "role": "sender"}))
        sender_id = _next(sender)["peer"]
        receiver.send(json.dumps({"type": "join", "token": room["token"], "role": "receiver"}))
        welcome = _next(receiver)
        assert welcome["peers"] == [{"peer": sender_id, "role": "sender"}]
        assert _next(sender) == {"type": "peer-joined", "peer": welcome["peer"], "role": "receiver"}
        sender.send(json.dumps({"type": "offer", "sdp": "v=0 across"}))
        assert _next(receiver) == {"type": "offer", "sdp": "v=0 across", "from": sender_id}
        receiver.send(json.dumps({"type": "answer", "sdp": "v=0 back"}))
        assert _next(sender)["sdp"] == "v=0 back"
        # A third window on either instance finds the room full: capacity holds across them.
        with _ws(first, path) as third:
            third.send(json.dumps({"type": "join", "token": room["token"], "role": "receiver"}))
            with pytest.raises(ConnectionClosedError) as refused:
                _next(third)
            assert refused.value.rcvd is not None and refused.value.rcvd.code == 4409
        receiver.close()
        assert _next(sender) == {"type": "peer-left", "peer": welcome["peer"]}


def test_a_long_poll_on_one_instance_wakes_for_an_upload_through_the_other(
    instances: tuple[LiveServer, LiveServer], tmp_path: Path
) -> None:
    first, second = instances
    token = _token(first.data_dir, tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    changes = f"{second.url}/api/v1/storage/changes"
    since = httpx2.get(changes, headers=auth, timeout=10).json()["token"]
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(
            httpx2.get, changes, params={"since": since, "wait": 20}, headers=auth, timeout=30
        )
        time.sleep(0.5)  # the poll is waiting on the second instance
        started = time.monotonic()
        stored = httpx2.put(
            f"{first.url}/api/v1/storage/content",
            params={"path": "inbox/report.txt"},
            content=b"written through the first",
            headers=auth,
            timeout=10,
        )
        assert stored.status_code == 200, stored.text
        answer = waiting.result(timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["paths"] == ["inbox/report.txt"]
    assert time.monotonic() - started < 5  # woken by the write, not by the poll's end
    # The next poll may land on the other instance: the tokens are good there too.
    on_first = f"{first.url}/api/v1/storage/changes"
    for token_given, paths in ((since, ["inbox/report.txt"]), (answer.json()["token"], [])):
        again = httpx2.get(on_first, params={"since": token_given}, headers=auth, timeout=10)
        assert again.status_code == 200, again.text
        assert again.json()["paths"] == paths
