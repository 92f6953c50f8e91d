"""A folder tree watched with inotify (Linux), through asyncinotify: the event loop waits on
the inotify file descriptor, so nothing wakes while the folder is quiet.

inotify watches one folder per watch and does not recurse, so this keeps one watch per folder
of the tree (not following links, not inside the folder's own state folder, as a scan walks it)
and a map from each watch to its folder's relative path: a folder created or moved in is
watched with everything under it; one moved out is let go (its watches would keep reporting
under the old name); one deleted loses its watch by itself (IN_IGNORED).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from collections.abc import AsyncGenerator
from pathlib import Path

from asyncinotify import Event, Inotify, Mask, Watch

from syncoxide.native.watch.changed_paths import LONGEST, SETTLE, Batch, TreeChanges, Trouble, ours

#: What a user's change to a folder's entries raises; DONT_FOLLOW and ONLYDIR keep a watch on
#: real folders only, EXCL_UNLINK spares us events from files already deleted.
WATCH_MASK = (
    Mask.MODIFY | Mask.CLOSE_WRITE | Mask.ATTRIB | Mask.CREATE | Mask.DELETE | Mask.MOVED_FROM
    | Mask.MOVED_TO | Mask.DELETE_SELF | Mask.MOVE_SELF | Mask.DONT_FOLLOW | Mask.ONLYDIR
    | Mask.EXCL_UNLINK
)  # fmt: skip
ENTRIES = Mask.CREATE | Mask.DELETE | Mask.MOVED_FROM | Mask.MOVED_TO
READ_AT_ONCE = 512  # events per read(2): a burst of changes is drained in few trips


class InotifyTree:
    """The watches on one tree, and the meaning of their events."""

    def __init__(self, inotify: Inotify, root: Path, trouble: Trouble) -> None:
        self.inotify, self.root, self.trouble = inotify, root, trouble
        self.folders: dict[int, str] = {}  # watch descriptor -> folder, relative ("" = root)
        self._watches: dict[int, Watch] = {}
        self._lost = False  # a watch could not be added: a full scan must cover for it
        self._warned = False

    def watch(self, relative: str) -> None:
        """Watch ``relative`` and every folder under it (the watch first, then the listing: a
        folder made meanwhile is either listed here or raises an event)."""
        pending = [relative]
        while pending:
            folder = pending.pop()
            path = self.root / folder if folder else self.root
            try:
                watch = self.inotify.add_watch(path, WATCH_MASK)
                self.folders[watch.wd], self._watches[watch.wd] = folder, watch
                with os.scandir(path) as listing:
                    children = [item.name for item in listing if _real_folder(item)]
            except OSError as error:
                self._not_watched(folder, error)
                continue
            pending += [child for name in children if not ours(child := _join(folder, name))]

    def _not_watched(self, folder: str, error: OSError) -> None:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return  # gone again already: its parent's event says so
        self._lost = True
        if not self._warned:
            self._warned = True
            limit = error.errno == errno.ENOSPC  # the per-user watch limit
            self.trouble(
                f"Cannot watch {self.root / folder} ({error.strerror}); changes there are found "
                "by full scans."
                + (" Raise fs.inotify.max_user_watches to watch it all." if limit else "")
            )

    def unwatch(self, relative: str) -> None:
        """Let go of ``relative`` and the folders under it (moved out, or away)."""
        for descriptor, folder in list(self.folders.items()):
            if folder == relative or folder.startswith(relative + "/"):
                del self.folders[descriptor]
                with contextlib.suppress(OSError):  # already gone with its folder
                    self.inotify.rm_watch(self._watches.pop(descriptor))

    def take(self, event: Event, batch: Batch) -> None:
        """Note what ``event`` means for the scan in ``batch``."""
        if Mask.Q_OVERFLOW in event.mask:
            batch.full = True
            self.watch("")  # folders made while events were lost have no watch yet
            return
        descriptor = event.watch.wd if event.watch is not None else -1
        folder = self.folders.get(descriptor)
        if folder is None:
            return  # a watch let go meanwhile
        if Mask.IGNORED in event.mask:
            del self.folders[descriptor], self._watches[descriptor]
        elif event.name is None:
            if folder == "" and event.mask & (Mask.DELETE_SELF | Mask.MOVE_SELF):
                batch.full = True  # the root went away: the scan refuses an empty folder
        else:
            self._take_entry(event, _join(folder, str(event.name)), batch)
        if self._lost:
            self._lost, batch.full = False, True

    def _take_entry(self, event: Event, relative: str, batch: Batch) -> None:
        if ours(relative):
            return
        if Mask.ISDIR in event.mask:
            if event.mask & (Mask.CREATE | Mask.MOVED_TO):
                self.watch(relative)
            elif Mask.MOVED_FROM in event.mask:
                self.unwatch(relative)
            elif not event.mask & Mask.DELETE:
                return  # a folder's own attributes: nothing to sync
        batch.changed(relative, listing=bool(event.mask & ENTRIES))


class EventReader:
    """The inotify's events one at a time, waited for with a time limit that neither loses an
    event nor swallows a cancellation: a wait that runs out leaves its read pending for the
    next call. (Cancelling a read on time-out can drop the events it just took from the kernel;
    ``asyncio.wait_for`` in Python 3.11 also swallows its caller's cancellation when the read
    completes at the same moment, which left a stopping ``sync --watch`` waiting for ever.)"""

    def __init__(self, inotify: Inotify) -> None:
        self.inotify = inotify
        # asyncinotify 4.4.4's InitFlags.NONBLOCK has O_CLOEXEC's value: set it here, so that
        # events already queued are taken without a trip through the event loop.
        os.set_blocking(inotify.fd, False)
        self._pending: asyncio.Future[Event] | None = None

    async def next(self, seconds: float | None) -> Event | None:
        """The next event; None once ``seconds`` passed without one (None: no limit)."""
        if self._pending is None:
            with contextlib.suppress(BlockingIOError):
                return self.inotify.sync_get()  # already read or queued: no wait
            self._pending = asyncio.ensure_future(self.inotify.get())
        done, _ = await asyncio.wait({self._pending}, timeout=seconds)
        if not done:
            return None
        event, self._pending = self._pending.result(), None
        return event

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()


async def inotify_changes(root: Path, trouble: Trouble) -> AsyncGenerator[TreeChanges, None]:
    with Inotify(cache_size=READ_AT_ONCE) as inotify:
        reader = EventReader(inotify)
        tree = InotifyTree(inotify, root, trouble)
        tree.watch("")
        try:
            yield TreeChanges(full=True)
            while True:
                batch = Batch()
                first = await reader.next(None)  # waits on the descriptor: no wake-ups
                assert first is not None
                tree.take(first, batch)
                await _gather(reader, tree, batch)
                if batch:
                    yield batch.frozen()
        finally:
            reader.close()


async def _gather(reader: EventReader, tree: InotifyTree, batch: Batch) -> None:
    """Take events until none came for ``SETTLE`` seconds or ``LONGEST`` have passed."""
    loop = asyncio.get_running_loop()
    until = loop.time() + LONGEST
    while (left := until - loop.time()) > 0:
        event = await reader.next(min(SETTLE, left))
        if event is None:
            return
        tree.take(event, batch)


def _real_folder(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


__all__ = ["EventReader", "InotifyTree", "inotify_changes"]
