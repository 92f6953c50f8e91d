"""A hostile sender: unsafe paths and more bytes than announced are refused, nothing escapes -o."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest

from syncoxide.native.p2p.channel import IcePolicy, negotiate
from syncoxide.native.p2p.signal import SignalingClient, create_room
from syncoxide.protocol.events import Data
from syncoxide.protocol.frames import HEADER, encode_event
from tests.conftest import LiveServer
from tests.native.p2p.p2p_processes import start_cli


def raw_manifest(path: str, content: bytes) -> bytes:
    body = json.dumps(
        {
            "version": 1,
            "folders": [],
            "files": [{"path": path, "size": 3, "sha256": hashlib.sha256(content).hexdigest()}],
        }
    ).encode()
    return HEADER.pack(0x02, len(body)) + body


async def rogue_send(server: str, out: Path, log: Path, frames: list[bytes]) -> tuple[int, str]:
    address, _ = await create_room(server)
    signal = await SignalingClient.join(address, "sender")
    receiver = start_cli(["receive", address.link, "-o", str(out), "--wait", "20"], log)
    try:
        link = await negotiate(signal, offer_now=False, ice=IcePolicy(), wait=30)
        await asyncio.wait_for(link.receive(), 10)  # the receiver's HELLO
        await link.send(frames[0])
        if len(frames) > 1:
            await asyncio.wait_for(link.receive(), 10)  # its REQUEST + CREDIT
            for frame in frames[1:]:
                await link.send(frame)
        return await asyncio.to_thread(receiver.wait, 30)
    finally:
        receiver.stop()
        await signal.close()


@pytest.mark.parametrize("path", ["../escaped.txt", "/tmp/absolute.txt", "a/../../b.txt"])
def test_manifest_with_unsafe_path_is_refused(
    tmp_path: Path, live_server: LiveServer, path: str
) -> None:
    out = tmp_path / "inbox" / "out"
    rc, output = asyncio.run(
        rogue_send(live_server.url, out, tmp_path / "r.log", [raw_manifest(path, b"abc")])
    )
    assert rc == 1, output
    assert "list of files was refused" in output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["inbox", "out", "r.log"]


def test_sending_more_than_announced_is_refused(tmp_path: Path, live_server: LiveServer) -> None:
    out = tmp_path / "out"
    frames = [raw_manifest("small.txt", b"abc"), encode_event(Data(0, 0, b"abcdefghij"))]
    rc, output = asyncio.run(rogue_send(live_server.url, out, tmp_path / "r.log", frames))
    assert rc == 1, output
    assert "more of small.txt than its announced size" in output
    assert not (out / "small.txt").exists()


def test_content_not_matching_its_hash_is_refused(tmp_path: Path, live_server: LiveServer) -> None:
    out = tmp_path / "out"
    frames = [raw_manifest("small.txt", b"abc"), encode_event(Data(0, 0, b"xyz"))]
    rc, output = asyncio.run(rogue_send(live_server.url, out, tmp_path / "r.log", frames))
    assert rc == 1, output
    assert "SHA-256 does not match" in output
    assert list(out.rglob("*")) == []
