"""Finding 2: a peer that does not read cannot make the server buffer without limit.

The attack on the old server, with no login: create a room, join a receiver that never reads,
and send 32 KB offers at the allowed rate; the server queued every one for the receiver, and
its memory grew linearly. Now the receiver is closed once its outbox is full (CLOSE_SLOW_READER)
and the sender is told it left.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from websockets.sync.client import connect as ws_connect

from syncoxide.server.signaling import messages as m
from tests.conftest import LiveServer, start_live_server
from tests.server.hostile import raw_ws

pytestmark = pytest.mark.live

OFFER = {"type": "offer", "sdp": "v=0\r\n" + "a" * (m.MAX_SDP_CHARS - 16)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path_factory.mktemp("hostile") / "data")
    yield live
    _, output = live.stop()
    assert "Traceback" not in output, output[-4000:]


def _rss_kib(server: LiveServer) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


def test_a_receiver_that_never_reads_is_closed_and_memory_stays_bounded(
    server: LiveServer,
) -> None:
    room = httpx2.post(f"{server.url}/signal/rooms").json()
    receiver = raw_ws.connect(server.url, f"/signal/{room['room']}")
    raw_ws.send_json(receiver, {"type": "join", "token": room["token"], "role": "receiver"})
    ws_url = server.url.replace("http", "ws", 1) + f"/signal/{room['room']}"
    before = _rss_kib(server)
    sent, left = 0, False
    with ws_connect(ws_url, max_size=None) as sender:
        sender.send(json.dumps({"type": "join", "token": room["token"], "role": "sender"}))
        assert json.loads(sender.recv(timeout=5))["type"] == "welcome"
        deadline = time.monotonic() + 20
        while not left and time.monotonic() < deadline:
            # Within the rate limit (burst 200, then 20 a second): 15 a second.
            sender.send(json.dumps(OFFER))
            sent += 1
            time.sleep(1 / 15 if sent > 150 else 0)
            left = _peer_left(sender)
        grown_kib = _rss_kib(server) - before
    assert left, f"the receiver was never closed after {sent} offers"
    # 1 MiB of outbox (about 32 offers) plus kernel buffers; the old server held every offer.
    assert sent * len(OFFER["sdp"]) > 4 * m.OUTBOX_MAX_BYTES
    assert grown_kib < 16 * 1024, grown_kib
    code = raw_ws.read_until_closed(receiver, timeout=10)
    assert code in (m.CLOSE_SLOW_READER, None)  # None: cut while its socket was still full
    receiver.close()


def _peer_left(sender: object) -> bool:
    while True:
        try:
            frame = sender.recv(timeout=0)  # type: ignore[attr-defined]
        except TimeoutError:
            return False
        if json.loads(frame)["type"] == "peer-left":
            return True
