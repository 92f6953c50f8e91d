"""Wait for an event or a time, whichever comes first, without losing a cancellation.

``asyncio.wait_for`` in Python 3.11 can swallow the cancellation of its caller when the
awaited event fires at the same moment; a loop written ``while True`` around it then runs on
after its owner cancelled it, and the owner's stop waits for ever (seen as a worker stop that
hung about one run in five). ``asyncio.timeout`` counts cancellations and never swallows one.
"""

from __future__ import annotations

import asyncio
import contextlib


async def wait_for_event(event: asyncio.Event, seconds: float | None) -> bool:
    """Wait until ``event`` is set or ``seconds`` pass (None: no limit); whether it was set."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    return event.is_set()
