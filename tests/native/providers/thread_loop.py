"""Runs an asyncio server (a test's relay or proxy) on an event loop of its own, in a daemon
thread, so that tests driving synchronous code can put it in front of a real server.

The server is a coroutine ``serve(serving)``: it starts listening, awaits ``serving()`` (which
says it is ready and returns once the ``with`` block ends), then cleans up on its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

Serving = Callable[[], Awaitable[None]]


@contextlib.contextmanager
def serving_in_thread(
    serve: Callable[[Serving], Coroutine[Any, Any, None]], what: str
) -> Iterator[None]:
    """Runs ``serve`` until the block ends; raises if it is not serving within 10 s."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: asyncio.Future[None] = loop.create_future()

    async def serving() -> None:
        ready.set()
        await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(serving),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError(f"the {what} did not start")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()
