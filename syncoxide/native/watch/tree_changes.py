"""Which paths of a folder changed, as they change, so that a running device daemon rescans
those alone instead of the whole folder.

On Linux one inotify instance (asyncinotify) watches every folder of the tree, and the event
loop waits on its file descriptor: a quiet folder costs no wake-up at all. (watchfiles' thread
woke every 50 ms to look at its queue, half of an idle daemon's CPU.) inotify does not recurse:
a folder created or moved in gets its own watches and is rescanned whole, since files made in
it before its watch existed raised no event; a folder moved out loses its watches. When the
kernel's queue overflows (IN_Q_OVERFLOW), a watch cannot be added (the per-user limit) or the
root itself is deleted or moved, events were lost: the batch asks for a full scan.

``sync --watch`` and the mount follow a local folder with the same watcher
(``local_events.py``).

Elsewhere (macOS, Windows) watchfiles reports paths the same way, minus the overflow signal;
the daemon's slow periodic scan covers what it may miss.

A batch is handed over once no event came for ``SETTLE`` seconds, or ``LONGEST`` seconds after
its first event (a file written in many pieces is scanned once, a long copy still flows).
The first batch of every watch is a full scan: the watches are in place before it starts, so
nothing changed during it goes unseen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncGenerator
from pathlib import Path

from watchfiles import Change, awatch

from syncoxide.native.watch.changed_paths import Batch, TreeChanges, Trouble, ours

if sys.platform == "linux":  # asyncinotify binds libc's inotify calls when imported
    from syncoxide.native.watch.inotify_tree import inotify_changes

READY_AFTER_MS = 1000  # watchfiles hands back this often even when nothing changed


def tree_changes(root: Path, trouble: Trouble) -> AsyncGenerator[TreeChanges, None]:
    """The batches of changes under ``root`` until cancelled; the first is a full scan."""
    if sys.platform == "linux":
        return inotify_changes(root, trouble)
    return watchfiles_changes(root)


async def watchfiles_changes(root: Path) -> AsyncGenerator[TreeChanges, None]:
    """The portable watcher: watchfiles' events, as relative paths (no overflow signal)."""
    prefix = str(root) + os.sep

    def relative(path: str) -> str:
        return path.removeprefix(prefix).replace(os.sep, "/")

    def relevant(change: Change, path: str) -> bool:
        del change
        return path.startswith(prefix) and not ours(relative(path))

    started = False
    async for events in awatch(
        root,
        watch_filter=relevant,
        step=50,
        debounce=200,
        rust_timeout=READY_AFTER_MS,
        yield_on_timeout=True,  # the first hand-back says the watch is in place
    ):
        if not started:
            started = True
            yield TreeChanges(full=True)
        batch = Batch()
        for change, path in events:
            batch.changed(relative(path), listing=change != Change.modified)
        if batch:
            yield batch.frozen()


__all__ = ["TreeChanges", "tree_changes", "watchfiles_changes"]
