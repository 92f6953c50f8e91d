"""The device sync session's frames (syncoxide/devices/wire.py), run on CPython and in Pyodide.

Blocks travel packed in ``K`` frames and are asked for in ``want`` messages: round trips,
the documented example bytes, and what a malformed frame or request from a peer gets."""

from __future__ import annotations

import pytest

from syncoxide.devices import wire
from syncoxide.devices.wire import (
    MAX_FRAME,
    FrameReader,
    json_frames,
    pack_blocks,
    unpack_blocks,
    wanted_blocks,
)
from syncoxide.errors import RemoteProtocolError


def test_the_documented_example_bytes() -> None:
    assert pack_blocks([(7, b"abc")]) == [bytes.fromhex("4b0000000700000003") + b"abc"]
    assert pack_blocks([(7, None)]) == [bytes.fromhex("4b00000007ffffffff")]


def test_many_small_blocks_share_a_frame_and_come_back_in_order() -> None:
    blocks: list[tuple[int, bytes | None]] = [
        (number, bytes([number % 256]) * (1000 + number)) for number in range(100)
    ]
    frames = pack_blocks([*blocks, (100, None), (101, b"")])
    assert len(frames) == 1
    assert unpack_blocks(frames[0][1:]) == [*blocks, (100, None), (101, b"")]


def test_full_blocks_split_over_frames_each_within_the_message_limit() -> None:
    blocks: list[tuple[int, bytes | None]] = [(n, bytes(100 * 1024)) for n in range(5)]
    frames = pack_blocks(blocks)
    assert len(frames) == 3  # two 100 KiB blocks fit in 256 KiB, a third does not
    assert all(len(frame) <= MAX_FRAME for frame in frames)
    assert [b for frame in frames for b in unpack_blocks(frame[1:])] == blocks


@pytest.mark.parametrize(
    "body",
    [bytes.fromhex("0000000700"), bytes.fromhex("0000000700000010") + b"short"],
    ids=["header cut", "bytes cut"],
)
def test_a_truncated_frame_is_a_protocol_error(body: bytes) -> None:
    with pytest.raises(RemoteProtocolError, match="truncated"):
        unpack_blocks(body)


def test_a_want_is_read_and_a_malformed_one_refused() -> None:
    message = {"type": "want", "folder": "f", "blocks": [[1, "a.txt", 0, "ab" * 32]]}
    assert wanted_blocks(message) == [(1, "a.txt", 0, "ab" * 32)]
    for bad in ({"type": "want"}, {"blocks": [[1, "a.txt"]]}, {"blocks": [["x", "a", 0, "h"]]}):
        with pytest.raises(RemoteProtocolError, match="malformed block request"):
            wanted_blocks(bad)


def test_a_long_json_message_is_cut_into_frames_and_read_back_whole() -> None:

    message = {"type": "index", "folder": "f", "entries": ["x" * 1000] * 600}
    frames = json_frames(message)
    assert len(frames) > 2 and all(len(frame) <= MAX_FRAME for frame in frames)
    assert [frame[:1] for frame in frames] == [b"P"] * (len(frames) - 1) + [b"J"]
    reader = FrameReader()
    assert [reader.feed(frame) for frame in frames[:-1]] == [None] * (len(frames) - 1)
    assert reader.feed(frames[-1]) == message


@pytest.mark.parametrize(
    ("frame", "said"),
    [(b"Xabc", "unknown kind"), (b"Jnot json", "not JSON"), (b'J{"no": "type"}', "without")],
)
def test_a_frame_reader_refuses_what_a_peer_should_not_send(frame: bytes, said: str) -> None:

    with pytest.raises(RemoteProtocolError, match=said):
        FrameReader().feed(frame)


def test_a_message_that_never_ends_is_refused() -> None:

    reader = wire.FrameReader()
    part = b"P" + b"x" * (wire.MAX_FRAME - 1)
    with pytest.raises(RemoteProtocolError, match="too large"):
        for _ in range(wire.MAX_MESSAGE // (wire.MAX_FRAME - 1) + 2):
            reader.feed(part)
