"""One tab at a time: an exclusive Web Lock (``navigator.locks``) held around async Python.

Several tabs of the app share one origin's IndexedDB; a read-modify-write in two tabs at once
would lose one side's change. The Web Locks API queues holders of a name across every tab and
worker of the origin, and lets go when the holder's promise settles (or its tab closes).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import js
from pyodide.ffi import create_once_callable


@contextlib.asynccontextmanager
async def exclusive(name: str) -> AsyncIterator[None]:
    locks = getattr(js.navigator, "locks", None)
    if locks is None:  # no Web Locks (an old browser, or an insecure origin): one tab assumed
        yield
        return
    granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    release: list[Any] = []

    def hold(_lock: Any) -> Any:
        def keep_until_released(resolve: Any, _reject: Any) -> None:
            release.append(resolve)
            granted.set_result(None)

        return js.Promise.new(create_once_callable(keep_until_released))

    locks.request(name, create_once_callable(hold))
    await granted
    try:
        yield
    finally:
        release[0]()
