"""Wake a waiter when one of a few files in a folder is saved (the device daemon's trust.json
and folders.json, edited by other ``syncoxide devices`` commands while it runs).

On Linux an inotify watch on the folder wakes the waiter at once and nothing wakes otherwise:
looking at both files' stamps every second cost an idle daemon two wake-ups a second. Saves
replace the file by a rename (IN_MOVED_TO); a plain write (IN_CLOSE_WRITE) or a deletion counts
too. The waiter still looks every ``longest`` seconds, in case the folder itself was replaced.
Elsewhere it looks every ``poll`` seconds, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

if sys.platform == "linux":
    from asyncinotify import Inotify, Mask

    SAVES = Mask.MOVED_TO | Mask.CLOSE_WRITE | Mask.CREATE | Mask.DELETE | Mask.ONLYDIR


class FileSaves:
    """Use as an async context manager; ``wait(name)`` returns once ``name`` may have changed."""

    def __init__(self, folder: Path, names: tuple[str, ...], *, longest: float, poll: float):
        self.folder, self.longest, self.poll = folder, longest, poll
        self._saved = {name: asyncio.Event() for name in names}
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FileSaves:
        if sys.platform == "linux":
            inotify = Inotify()
            try:
                inotify.add_watch(self.folder, SAVES)  # in place before anyone reads a file
            except OSError:
                inotify.close()  # no watch (limit reached): poll, as elsewhere
            else:
                self._reader = asyncio.create_task(self._read(inotify))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self, inotify: Inotify) -> None:
        with inotify:
            async for event in inotify:
                if (saved := self._saved.get(str(event.name))) is not None:
                    saved.set()

    async def wait(self, name: str) -> None:
        saved = self._saved[name]
        longest = self.longest if self._reader is not None else self.poll
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(saved.wait(), longest)
        saved.clear()


__all__ = ["FileSaves"]
