"""``gather`` that leaves nothing running: the engine's concurrent workers (file copies, digest
workers, the streams of a copy in parts) share providers the run closes when it ends.

``asyncio.gather`` hands up the first failure and leaves the other awaitables running. In the
engine that meant a worker still copying, hashing or sending after the run had unwound and
closed its providers: it failed there, retried on the closed session, or wrote after the
caller had returned. Here a failure (or the caller's cancellation) cancels the rest, and
they are awaited before it leaves, so it leaves alone. (``asyncio.TaskGroup`` cancels alike
but raises an ``ExceptionGroup``; the engine's callers map the failure itself onto the error
tree.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def gather_or_cancel(*work: Awaitable[T]) -> list[T]:
    """The results of ``work`` in order, as ``asyncio.gather``; on the first failure the rest
    are cancelled and awaited, then that failure is raised."""
    tasks = [asyncio.ensure_future(one) for one in work]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()  # nothing for those already done
        await asyncio.gather(*tasks, return_exceptions=True)
