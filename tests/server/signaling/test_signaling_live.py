"""Signaling through a live uvicorn: a peer whose process is killed is announced within a second."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time

import httpx2
import pytest
from websockets.sync.client import connect

from tests.conftest import LiveServer

pytestmark = pytest.mark.live

PEER_SCRIPT = """
import json, sys, time
from websockets.sync.client import connect
ws = connect(sys.argv[1])
ws.send(json.dumps({"type": "join", "token": sys.argv[2], "role": "receiver"}))
ws.recv()
print("joined", flush=True)
time.sleep(60)
"""


def test_killed_peer_is_announced_within_a_second(live_server: LiveServer) -> None:
    room = httpx2.post(f"{live_server.url}/signal/rooms", timeout=5).json()
    url = live_server.url.replace("http://", "ws://") + f"/signal/{room['room']}"
    with connect(url, open_timeout=5) as sender:
        sender.send(json.dumps({"type": "join", "token": room["token"], "role": "sender"}))
        assert json.loads(sender.recv(timeout=5))["type"] == "welcome"
        peer = subprocess.Popen(
            [sys.executable, "-c", PEER_SCRIPT, url, room["token"]],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert peer.stdout is not None and peer.stdout.readline().strip() == "joined"
            assert json.loads(sender.recv(timeout=5))["type"] == "peer-joined"
            peer.kill()
            killed = time.monotonic()
            left = json.loads(sender.recv(timeout=5))
            elapsed = time.monotonic() - killed
        finally:
            peer.kill()
            peer.wait(timeout=10)
    assert left["type"] == "peer-left"
    assert elapsed < 1.0, f"peer-left took {elapsed:.3f} s"


def test_forged_token_is_refused_by_the_live_server(live_server: LiveServer) -> None:
    room = httpx2.post(f"{live_server.url}/signal/rooms", timeout=5).json()
    url = live_server.url.replace("http://", "ws://") + f"/signal/{room['room']}"
    with connect(url, open_timeout=5) as ws:
        ws.send(json.dumps({"type": "join", "token": "A" * 43, "role": "receiver"}))
        with contextlib.suppress(Exception):  # the close code is what we check
            ws.recv(timeout=5)
        assert ws.close_code == 4401
