"""A loopback TCP relay in front of a real server: counts the bytes clients send through it
and can slow them down, so a test can see what was uploaded and stop a run mid-transfer.
In front of an HTTP server it also reads the request heads going by (``requests``), so a test
can count the requests an operation costs on the wire, and keeps each request's head with the
MD5 of the body that followed it (``bodies``), so a test can see what reached the server."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.native.providers.thread_loop import Serving, serving_in_thread


class CountingProxy:
    def __init__(self, upstream_port: int, bytes_per_second: float | None = None) -> None:
        self.upstream_port = upstream_port
        self.bytes_per_second = bytes_per_second
        self.sent = 0  # client -> server bytes, all connections together
        self.open_connections = 0
        self.port = 0
        #: "METHOD /path?query" of every HTTP request sent, a CopyObject as "COPY /path".
        self.requests: list[str] = []
        #: Each request whose body had a Content-Length, once the body went by.
        self.bodies: list[SentBody] = []

    def wait_until_idle(self, seconds: float = 30) -> None:
        """Until every connection is closed: bytes of a killed client still in flight have
        reached the server (or were dropped) and are counted."""
        deadline = time.monotonic() + seconds
        while self.open_connections and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.open_connections:
            raise RuntimeError(f"{self.open_connections} connections still open")

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, upload: bool
    ) -> None:
        heads = _RequestHeads(self.requests, self.bodies)
        try:
            while block := await reader.read(64 * 1024):
                if upload:
                    self.sent += len(block)
                    heads.feed(block)
                    if self.bytes_per_second:
                        await asyncio.sleep(len(block) / self.bytes_per_second)
                writer.write(block)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        self.open_connections += 1
        try:
            await asyncio.gather(
                self._pipe(client_r, server_w, upload=True),
                self._pipe(server_r, client_w, upload=False),
            )
        finally:
            self.open_connections -= 1


@dataclass(frozen=True)
class SentBody:
    line: str  # "METHOD /path?query"
    headers: dict[str, str]  # names in lower case
    md5: str  # of the body as it went to the server (hex)
    length: int


class _RequestHeads:
    """Follows one connection's HTTP/1.1 requests (heads, then bodies by Content-Length or
    chunks) and records each request's line; anything that is not HTTP stops it quietly."""

    def __init__(self, seen: list[str], bodies: list[SentBody]) -> None:
        self._seen = seen
        self._bodies = bodies
        self._buffer = b""
        self._body_left = 0  # bytes of the current body still to skip
        self._body: tuple[str, dict[str, str], Any, int] | None = None  # line, head, hash, size
        self._chunked = False
        self._lost = False

    def feed(self, block: bytes) -> None:
        if self._lost:
            return
        self._buffer += block
        while self._step():
            pass

    def _step(self) -> bool:
        if self._body_left:
            taken = min(self._body_left, len(self._buffer))
            if self._body is not None:
                self._body[2].update(self._buffer[:taken])
            self._buffer, self._body_left = self._buffer[taken:], self._body_left - taken
            if not self._body_left and self._body is not None:
                line, headers, md5, size = self._body
                self._bodies.append(SentBody(line, headers, md5.hexdigest(), size))
                self._body = None
            return bool(self._buffer) and not self._body_left
        if self._chunked:
            return self._chunk()
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head, self._buffer = self._buffer[:end].decode("latin-1"), self._buffer[end + 4 :]
        line, *fields = head.split("\r\n")
        parts = line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self._lost = True
            return False
        headers = {k.strip().lower(): v.strip() for k, _, v in (f.partition(":") for f in fields)}
        method = "COPY" if parts[0] == "PUT" and "x-amz-copy-source" in headers else parts[0]
        self._seen.append(f"{method} {parts[1]}")
        self._chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self._body_left = int(headers.get("content-length", "0") or 0)
        if self._body_left:
            self._body = (f"{parts[0]} {parts[1]}", headers, hashlib.md5(), self._body_left)
        return bool(self._buffer)

    def _chunk(self) -> bool:
        end = self._buffer.find(b"\r\n")
        if end < 0:
            return False
        size = int(self._buffer[:end].split(b";")[0], 16)
        if size == 0:  # the last chunk; no trailers from the clients we test
            if len(self._buffer) < end + 4:
                return False
            self._buffer, self._chunked = self._buffer[end + 4 :], False
            return bool(self._buffer)
        if len(self._buffer) < end + 2 + size + 2:
            return False
        self._buffer = self._buffer[end + 2 + size + 2 :]
        return bool(self._buffer)


@contextlib.contextmanager
def counting_proxy(
    upstream_port: int, bytes_per_second: float | None = None
) -> Iterator[CountingProxy]:
    """Runs a ``CountingProxy`` on a free loopback port in a thread; stopped on exit."""
    proxy = CountingProxy(upstream_port, bytes_per_second)

    async def serve(serving: Serving) -> None:
        server = await asyncio.start_server(proxy._relay, "127.0.0.1", 0)
        proxy.port = server.sockets[0].getsockname()[1]
        async with server:
            await serving()
        relays = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in relays:
            task.cancel()
        await asyncio.gather(*relays, return_exceptions=True)

    with serving_in_thread(serve, "counting proxy"):
        yield proxy
