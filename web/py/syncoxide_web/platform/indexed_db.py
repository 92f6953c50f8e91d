"""IndexedDB requests as awaitables, over one key-value object store per database.

What the browser keeps across reloads that is not a file: the handles the sender picked (they
are structured-cloneable, not JSON) and this browser's device identity. A failed request is a
``ConfigError`` naming the browser's own reason (storage full, private mode, site data cleared).
"""

from __future__ import annotations

import asyncio
from typing import Any

import js
from pyodide.ffi import create_once_callable, to_js

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


async def object_store(database: str, store: str, mode: str, *, strict: bool = False) -> Any:
    """The object store ``store`` of ``database`` (made on first use) in a ``mode`` transaction;
    ``strict``: the transaction commits only once its writes reached the disk (the browser's
    fsync), not merely its own buffers."""
    opening = js.indexedDB.open(database, 1)
    opening.onupgradeneeded = create_once_callable(
        lambda _e: opening.result.createObjectStore(store)
    )
    opened = await finished(opening)
    durability = "strict" if strict else "default"
    options = to_js({"durability": durability}, dict_converter=js.Object.fromEntries)
    return opened.transaction(store, mode, options).objectStore(store)


def committed(transaction: Any) -> asyncio.Future[None]:
    """A future done once ``transaction`` commits, failed if it aborts. Call it before awaiting
    anything after making the transaction's requests: the commit may follow them at once."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def complete(_event: Any) -> None:
        if not done.done():
            done.set_result(None)

    def abort(_event: Any) -> None:
        if not done.done():
            reason = transaction.error or "aborted"
            done.set_exception(ConfigError(f"The browser's storage failed: {reason}"))

    transaction.oncomplete = create_once_callable(complete)
    transaction.onabort = create_once_callable(abort)
    transaction.onerror = create_once_callable(abort)
    return done
