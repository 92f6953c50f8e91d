"""A WebSocket client made of a bare socket, for peers that misbehave on purpose.

Library clients read frames in the background; a peer that never reads must leave bytes in the
kernel so the server's sends back up, as a stalled browser tab or a hostile client would.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from typing import Any
from urllib.parse import urlsplit


def connect(url: str, path: str, receive_buffer: int = 4096) -> socket.socket:
    """An upgraded socket to ``path`` on the server at ``url``, its receive buffer tiny."""
    address = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((address.hostname or "127.0.0.1", address.port or 80))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


def send_json(sock: socket.socket, message: dict[str, Any]) -> None:
    payload = json.dumps(message).encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    elif len(payload) < 65536:
        header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(header + mask + masked)


def read_until_closed(sock: socket.socket, timeout: float) -> int | None:
    """Read every frame until the server ends the connection; its close code, if it sent one."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(1 << 16):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return _close_code(data)


def _close_code(data: bytes) -> int | None:
    at = 0
    while at + 2 <= len(data):
        opcode, length = data[at] & 0x0F, data[at + 1] & 0x7F
        at += 2
        if length == 126:
            length = struct.unpack("!H", data[at : at + 2])[0]
            at += 2
        elif length == 127:
            length = struct.unpack("!Q", data[at : at + 8])[0]
            at += 8
        if opcode == 0x8 and length >= 2:
            return int(struct.unpack("!H", data[at : at + 2])[0])
        at += length
    return None
