"""One PostgreSQL connection pool per event loop, closed when its loop ends.

psycopg's ``AsyncConnectionPool`` belongs to the loop that opened it (its workers are tasks of
that loop), while the store built on it serves any loop: the CLI runs each step in its own
``asyncio.run``, and a test client runs each request on a loop of its own. A pool left behind
by a finished loop would hold its connections until the garbage collector found it; a process
that runs many loops would run the database out of connections ("too many clients").

So each pool is closed as its loop ends. ``asyncio.run`` (and ``asyncio.Runner``, which anyio
and uvicorn use) closes every asynchronous generator still open before it closes the loop
(``loop.shutdown_asyncgens``): each pool comes with one such generator, parked at its ``yield``,
whose ``finally`` closes the pool's connections while the loop still runs. A loop closed
without that step (``run_until_complete`` then ``close`` by hand) cannot run the pool's own
close any more: its connections are shut at the socket instead, the next time a pool is opened
or ``close`` is called, so what a process holds stays bounded by the loops still running.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

PoolFactory = Callable[[Callable[[AsyncConnection[Any]], Any]], AsyncConnectionPool[Any]]


@dataclass
class _Held:
    pool: AsyncConnectionPool[Any]
    #: The generator closed at the loop's end; held here, as the loop only keeps a weak set.
    watch: AsyncGenerator[None, None] | None = None
    #: Every connection the pool made, to shut them when its loop closed without closing it.
    connections: weakref.WeakSet[AsyncConnection[Any]] = field(default_factory=weakref.WeakSet)


class PoolPerLoop:
    """The calling loop's pool, opened on first use, closed by ``close`` or the loop's end.

    ``make(configure)`` builds an unopened pool that passes ``configure`` to psycopg_pool
    (called with each new connection)."""

    def __init__(self, make: PoolFactory) -> None:
        self._make = make
        self._held: dict[asyncio.AbstractEventLoop, _Held] = {}

    def __len__(self) -> int:
        """How many pools are open (loops that ended are forgotten first)."""
        self._forget_closed_loops()
        return len(self._held)

    async def get(self) -> AsyncConnectionPool[Any]:
        loop = asyncio.get_running_loop()
        held = self._held.get(loop)
        if held is not None:
            return held.pool
        self._forget_closed_loops()
        connections: weakref.WeakSet[AsyncConnection[Any]] = weakref.WeakSet()

        async def remember(connection: AsyncConnection[Any]) -> None:
            connections.add(connection)

        pool = self._make(remember)
        await pool.open(wait=True)  # a failure leaves no pool behind: the next call retries
        if loop in self._held:  # another call of this loop opened one meanwhile
            await pool.close()
            return self._held[loop].pool
        held = self._held[loop] = _Held(pool, connections=connections)
        held.watch = self._until_loop_ends(loop)
        await anext(held.watch)  # now the loop knows of it, and closes it as it shuts down
        return pool

    async def close(self) -> None:
        """Close the calling loop's pool; the pools of other running loops are theirs to
        close (each at its loop's end)."""
        self._forget_closed_loops()
        held = self._held.pop(asyncio.get_running_loop(), None)
        if held is None:
            return
        await held.pool.close()
        if held.watch is not None:
            await held.watch.aclose()

    async def _until_loop_ends(self, loop: asyncio.AbstractEventLoop) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            held = self._held.pop(loop, None)
            if held is not None:
                await _close_at_loop_end(held)

    def _forget_closed_loops(self) -> None:
        for loop in [loop for loop in self._held if loop.is_closed()]:
            held = self._held.pop(loop)
            for connection in list(held.connections):
                connection.pgconn.finish()  # its loop is gone: shut the socket itself


async def _close_at_loop_end(held: _Held) -> None:
    """Close a pool as its loop shuts down. ``asyncio.run`` has cancelled every task by then,
    the pool's workers too, so the pool's own close marks it closed and takes its connections
    out, then fails waiting for those workers: the connections are closed here instead."""
    try:
        await held.pool.close()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # this close itself was cancelled, not the workers it waited for
    finally:
        for connection in list(held.connections):
            await connection.close()
