"""One received file put together from its committed segments while the transfer goes on.

The receiver keeps each file as committed segments so a reload loses little (see
p2p_destination.py). Joining them only once the file is verified would copy the whole file
again while the sender waits; instead each segment is appended, in order, to one hidden file
(``assembled`` in the segments folder) as soon as its own commit is done. The copy is the
browser's, disk to disk (a File written to a stream), and overlaps the transfer. At the end only
the last segment is left to append; the hidden file is committed and moved to its final name.

Nothing here is durable on its own: a reload drops the uncommitted ``assembled`` stream, and
the next page starts it over from the committed segments, which are kept until the file is in
place.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from pyodide.ffi import JsException  # type: ignore[import-not-found]

ASSEMBLED = "assembled"  # not a number: segment names are their offsets


class Assembly:
    def __init__(self, handle: Any, stream: Any, create: Any) -> None:
        self.handle, self.stream, self.create = handle, stream, create
        self._last: asyncio.Future[None] | None = None  # the latest append, they run in order

    @classmethod
    async def start(cls, segments_folder: Any, create: Any) -> Assembly:
        handle = await segments_folder.getFileHandle(ASSEMBLED, create)
        # A new stream starts empty: whatever an earlier page assembled is dropped.
        return cls(handle, await handle.createWritable(), create)

    def append(self, segment: Any, committed: Any) -> None:
        """Append the segment file ``segment`` once the promise ``committed`` (if any) is
        fulfilled."""
        self._last = asyncio.ensure_future(self._append(self._last, segment, committed))

    async def _append(
        self, previous: asyncio.Future[None] | None, segment: Any, committed: Any
    ) -> None:
        if previous is not None:
            await previous  # a failed append fails every later one, and finish reports it
        if committed is not None:  # None: committed by an earlier page
            await committed
        await self.stream.write(await segment.getFile())

    async def move_to(self, folder: Any, name: str) -> None:
        """Wait for every append, commit, and give the file its final name."""
        if self._last is not None:
            await self._last
        await self.stream.close()
        try:
            await self.handle.move(folder, name)
        except JsException:  # a folder where moving is not supported: copy it once more
            target = await (await folder.getFileHandle(name, self.create)).createWritable()
            await target.write(await self.handle.getFile())
            await target.close()

    async def abandon(self) -> None:
        """The transfer stopped before this file was verified: drop what was assembled."""
        if self._last is not None:
            self._last.cancel()
            with contextlib.suppress(asyncio.CancelledError, JsException):
                await self._last
        with contextlib.suppress(JsException):
            await self.stream.abort()
