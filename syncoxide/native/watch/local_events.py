"""A local folder's changes as a ``ChangeSource`` (``sync --watch``, the mount), through the
same tree watcher as the device daemon (``tree_changes.py``: inotify on Linux, where the event
loop waits on its descriptor and a quiet folder wakes nothing; watchfiles elsewhere).

Every path counts except our own bookkeeping: partial writes (``.sxpart-*``, renamed into place
by the engine, whose final name brings its own event) and the reserved ``.syncoxide`` folder
(trash and state; the tree watcher leaves it out already). Unlike watchfiles' default filter,
``.git`` and editor files are not ignored: they are synced, so their changes must start a run
too. Lost events (the kernel's queue overflowed, a watch could not be added, the root went
away) are a change of unknown extent: ``notify(0)``, "look at everything", which a run of the
pair does anyway.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from syncoxide.engine.watch import Notify, Ready
from syncoxide.native.watch.tree_changes import TreeChanges, tree_changes
from syncoxide.providers.contract import PARTIAL_PREFIX

log = logging.getLogger("syncoxide.watch")


def users_changes(changes: TreeChanges) -> frozenset[str]:
    """The changed paths a run should look at: all but our partial writes."""
    return frozenset(
        path for path in changes.paths if not path.rpartition("/")[2].startswith(PARTIAL_PREFIX)
    )


class FolderEvents:
    """A ``ChangeSource`` for the folder ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    async def __call__(self, notify: Notify, ready: Ready) -> None:
        changes = tree_changes(self.root, log.warning)
        try:
            await anext(changes)  # the watches are in place: the first run misses nothing
            ready()
            async for batch in changes:
                if batch.full:
                    notify(0)  # events were lost: look at everything
                elif paths := users_changes(batch):
                    notify(len(paths))
        finally:
            await changes.aclose()
