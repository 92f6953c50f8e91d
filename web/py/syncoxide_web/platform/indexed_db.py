"""IndexedDB requests as awaitables, over one key-value object store per database.

What the browser keeps across reloads that is not a file: the handles the sender picked (they
are structured-cloneable, not JSON) and this browser's device identity. A failed request is a
``ConfigError`` naming the browser's own reason (storage full, private mode, site data cleared).
"""

from __future__ import annotations

import asyncio
from typing import Any

import js
from pyodide.ffi import create_once_callable

from syncoxide.errors import ConfigError


async def finished(request: Any) -> Any:
    """The result of an ``IDBRequest`` once it succeeds."""
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def succeed(_event: Any) -> None:
        if not done.done():
            done.set_result(request.result)

    def fail(_event: Any) -> None:
        if not done.done():
            done.set_exception(ConfigError(f"The browser's storage failed: {request.error}"))

    request.onsuccess = create_once_callable(succeed)
    request.onerror = create_once_callable(fail)
    return await done


async def object_store(database: str, store: str, mode: str) -> Any:
    """The object store ``store`` of ``database`` (made on first use) in a ``mode`` transaction."""
    opening = js.indexedDB.open(database, 1)
    opening.onupgradeneeded = create_once_callable(
        lambda _e: opening.result.createObjectStore(store)
    )
    opened = await finished(opening)
    return opened.transaction(store, mode).objectStore(store)
