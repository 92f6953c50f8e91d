"""A loopback TCP relay in front of a real server: counts the bytes clients send through it
and can slow them down, so a test can see what was uploaded and stop a run mid-transfer."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator


class CountingProxy:
    def __init__(self, upstream_port: int, bytes_per_second: float | None = None) -> None:
        self.upstream_port = upstream_port
        self.bytes_per_second = bytes_per_second
        self.sent = 0  # client -> server bytes, all connections together
        self.open_connections = 0
        self.port = 0

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
        try:
            while block := await reader.read(64 * 1024):
                if upload:
                    self.sent += len(block)
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


@contextlib.contextmanager
def counting_proxy(
    upstream_port: int, bytes_per_second: float | None = None
) -> Iterator[CountingProxy]:
    """Runs a ``CountingProxy`` on a free loopback port in a thread; stopped on exit."""
    proxy = CountingProxy(upstream_port, bytes_per_second)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Future[None] | None = None

    async def serve() -> None:
        nonlocal stop
        server = await asyncio.start_server(proxy._relay, "127.0.0.1", 0)
        proxy.port = server.sockets[0].getsockname()[1]
        stop = loop.create_future()
        ready.set()
        async with server:
            await stop
        relays = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in relays:
            task.cancel()
        await asyncio.gather(*relays, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the counting proxy did not start")
    try:
        yield proxy
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()
