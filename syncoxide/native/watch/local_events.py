"""A local folder's file events, through watchfiles (inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows, from its Rust core).

Every path counts except our own bookkeeping: partial writes (``.sxpart-*``, renamed into place
by the engine, whose final name brings its own event) and the reserved ``.syncoxide`` folder
(trash and state). Unlike watchfiles' default filter, ``.git`` and editor files are not
ignored: they are synced, so their changes must start a run too.
"""

from __future__ import annotations

import os
from pathlib import Path

from watchfiles import Change, awatch

from syncoxide.engine.watch import Notify, Ready
from syncoxide.providers.contract import PARTIAL_PREFIX
from syncoxide.sync.paths import RESERVED_TOP

#: watchfiles groups events until 50 ms pass without one; our own Debounce adds the settle time.
_STEP_MS = 50
#: How long the watching thread waits for events before handing back (and before its first
#: hand-back, which tells us the folder is watched).
_TIMEOUT_MS = 500


class FolderEvents:
    """A ``ChangeSource`` for the folder ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._reserved = str(self.root / RESERVED_TOP)

    def relevant(self, change: Change, path: str) -> bool:
        del change  # added, modified and deleted all count
        if path == self._reserved or path.startswith(self._reserved + os.sep):
            return False
        return not path.rpartition(os.sep)[2].startswith(PARTIAL_PREFIX)

    async def __call__(self, notify: Notify, ready: Ready) -> None:
        waiting = True
        async for changes in awatch(
            self.root,
            watch_filter=self.relevant,
            step=_STEP_MS,
            rust_timeout=_TIMEOUT_MS,
            yield_on_timeout=True,
        ):
            if waiting:
                waiting = False
                ready()
            if changes:
                notify(len(changes))
