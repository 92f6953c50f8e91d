"""Fault suite: a peer dies in the middle of signaling (its process SIGKILLed after the offer).

The server notices the dropped socket and tells the room (``peer-left``); the CLI that was
setting up the connection must say so instead of waiting in silence, then wait for the peer
to come back, and end with the usual clear message when it does not.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx2

from tests.conftest import LiveServer
from tests.native.p2p.p2p_processes import start_cli

# A sender that joins, waits for the receiver's offer, says so, and then hangs: the test
# kills it there, mid-negotiation.
DYING_SENDER = """
import json, sys, time
from websockets.sync.client import connect
ws = connect(sys.argv[1])
ws.send(json.dumps({"type": "join", "token": sys.argv[2], "role": "sender"}))
while json.loads(ws.recv())["type"] != "offer":
    pass
print("offered", flush=True)
time.sleep(60)
"""


def test_a_sender_killed_mid_negotiation_is_reported_by_the_receiver(
    live_server: LiveServer, tmp_path: Path
) -> None:
    room = httpx2.post(f"{live_server.url}/signal/rooms", timeout=5).json()
    link = f"{live_server.url}/p/{room['room']}#{room['token']}"
    receiver = start_cli(
        ["receive", link, "-o", str(tmp_path / "out"), "--wait", "6"], tmp_path / "r.log"
    )
    socket_url = live_server.url.replace("http://", "ws://") + f"/signal/{room['room']}"
    time.sleep(1.5)  # the receiver is in the room first, so it is the one to offer
    sender = subprocess.Popen(
        [sys.executable, "-c", DYING_SENDER, socket_url, room["token"]],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sender.stdout is not None and sender.stdout.readline().strip() == "offered"
        sender.kill()
        rc, output = receiver.wait(30)
    finally:
        sender.kill()
        sender.wait(timeout=10)
        receiver.stop()
    assert "The sender left while the connection was being set up" in output, output
    assert rc == 1 and "did not connect" in output, output
