"""The frames two devices trade in a sync session, sans-IO. The one session
(``syncoxide/engine/device_sync/session.py``), run by the CLI daemon and by the browser, cuts
and reads them here.

Frames on the data channel (each at most ``MAX_FRAME``, the channel's message limit)::

    b"P" + part of a JSON message      more of it follows
    b"J" + (last part of) a JSON message
    b"K" + one or more blocks, each:
        +-----------+---------------+-------------------+
        | id (u32)  | length (u32)  | length bytes      |   length 0xFFFFFFFF: no bytes,
        +-----------+---------------+-------------------+   the block is not held any more

JSON messages: ``auth`` {public, signature} (the channel binding, purpose SYNC, signed by the
device key), ``records`` {records}, ``index`` {folder, entries}, ``want`` {folder, blocks:
[[id, path, block number, hash], ...]}.

Example: ``want`` {"folder": "f", "blocks": [[7, "a.txt", 0, "<sha256 hex>"]]} answered by
``4b 00000007 00000003 616263`` (block 7 is the 3 bytes "abc"), or, when gone, by
``4b 00000007 ffffffff``.
"""

from __future__ import annotations

import json
from typing import Any

from syncoxide.errors import RemoteProtocolError

#: The negotiated SCTP message limit of every WebRTC stack we meet (aiortc and Chromium).
MAX_FRAME = 256 * 1024
#: A JSON message that grows past this while being reassembled is refused (a page of index
#: entries is far smaller), so a peer cannot make us hold an endless message.
MAX_MESSAGE = 64 * 1024 * 1024
_PART = MAX_FRAME - 1
_GONE = 0xFFFFFFFF
_BLOCK_HEAD = 8

Message = dict[str, Any]
Wanted = tuple[int, str, int, str]  # id, path, block number, hash
Arrived = list[tuple[int, bytes | None]]  # id, block (None: not held any more)


def json_frames(message: Message) -> list[bytes]:
    """``message`` as ``P`` frames and a last ``J`` frame; send them in order, unmixed."""
    raw = json.dumps(message).encode()
    pieces = [raw[i : i + _PART] for i in range(0, len(raw), _PART)] or [b""]
    return [b"P" + piece for piece in pieces[:-1]] + [b"J" + pieces[-1]]


class FrameReader:
    """Frames in, messages out: ``feed`` returns a JSON message, a ``K`` frame's blocks, or
    None while a long message is still arriving."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, frame: bytes) -> Message | Arrived | None:
        kind, body = frame[:1], frame[1:]
        if kind == b"P":
            self._hold(body)
            return None
        if kind == b"J":
            self._hold(body)
            raw, self._parts, self._size = b"".join(self._parts), [], 0
            return parse_message(raw)
        if kind == b"K":
            return unpack_blocks(body)
        raise RemoteProtocolError("A peer sent a frame of unknown kind.")

    def _hold(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MAX_MESSAGE:
            raise RemoteProtocolError("A peer sent a message too large to be an index page.")
        self._parts.append(body)


def parse_message(raw: bytes) -> Message:
    try:
        message = json.loads(raw)
    except ValueError:
        raise RemoteProtocolError("A peer sent a message that is not JSON.") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise RemoteProtocolError("A peer sent a message without a type.")
    return message


def pack_blocks(blocks: Arrived) -> list[bytes]:
    """Blocks in as few ``K`` frames as fit (each at most MAX_FRAME)."""
    frames: list[bytes] = []
    frame, size = [b"K"], 1
    for request_id, data in blocks:
        body = b"" if data is None else data
        if size + _BLOCK_HEAD + len(body) > MAX_FRAME and size > 1:
            frames.append(b"".join(frame))
            frame, size = [b"K"], 1
        length = _GONE if data is None else len(body)
        frame += [request_id.to_bytes(4, "big") + length.to_bytes(4, "big"), body]
        size += _BLOCK_HEAD + len(body)
    if size > 1:
        frames.append(b"".join(frame))
    return frames


def unpack_blocks(body: bytes) -> Arrived:
    """A ``K`` frame's blocks (without the kind byte); a truncated frame is a protocol error."""
    blocks: Arrived = []
    at = 0
    while at < len(body):
        if at + _BLOCK_HEAD > len(body):
            raise RemoteProtocolError("A peer sent a truncated block frame.")
        request_id = int.from_bytes(body[at : at + 4], "big")
        length = int.from_bytes(body[at + 4 : at + _BLOCK_HEAD], "big")
        at += _BLOCK_HEAD
        if length == _GONE:
            blocks.append((request_id, None))
            continue
        if at + length > len(body):
            raise RemoteProtocolError("A peer sent a truncated block frame.")
        blocks.append((request_id, body[at : at + length]))
        at += length
    return blocks


def wanted_blocks(message: Message) -> list[Wanted]:
    try:
        return [(int(i), str(p), int(n), str(h)) for i, p, n, h in message["blocks"]]
    except (KeyError, TypeError, ValueError):
        raise RemoteProtocolError("A peer sent a malformed block request.") from None


def index_entries(message: Message) -> list[Any]:
    """An ``index`` message's raw entries; each is checked by ``FileEntry.from_json``."""
    entries = message.get("entries")
    if not isinstance(entries, list) or not isinstance(message.get("folder"), str):
        raise RemoteProtocolError("A peer sent an index message without a folder and entries.")
    return entries
