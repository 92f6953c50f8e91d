"""What happened to a user's own files, told to whoever listens (the catalog, the change
feed, run-on-write, account shares, automation).

Listeners are called synchronously right after the store committed the change, so they must
be quick: the catalog only queues the change and writes it to its index a moment later.
Before that, the change takes its position (files/change_positions.py), which the change feed
and the relay to other instances carry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syncoxide.server.files.change_positions import ChangePositions

log = logging.getLogger("syncoxide.server.files")

WRITTEN, MADE_FOLDER, REMOVED, MOVED, OPENED, RESTORED = (
    "written",
    "made_folder",
    "removed",
    "moved",
    "opened",
    "restored",
)


@dataclass(frozen=True)
class FileChange:
    user_id: int
    what: str
    path: str
    #: For a move: where it came from. For a write: "" when the file is new.
    before: str = ""
    #: Its position among the deployment's changes; 0 when it has none (not numbered, or
    #: the position could not be taken: the change feed then falls back to "look at all").
    position: int = 0


FileChangeListener = Callable[[FileChange], None]


class ChangeFanout:
    """Listeners of the changes committed in this process; those that listen ``everywhere``
    also hear the changes other instances committed (files/change_relay.py carries them)."""

    def __init__(self) -> None:
        self._listeners: list[tuple[FileChangeListener, bool]] = []
        #: Where committed changes take their positions; None: they are told unnumbered.
        self.positions: ChangePositions | None = None

    def listen(self, listener: FileChangeListener, *, everywhere: bool = False) -> None:
        self._listeners.append((listener, everywhere))

    def tell(self, change: FileChange) -> None:
        """A change committed here."""
        if change.what != OPENED and self.positions is not None:
            change = replace(change, position=_take(self.positions))
        for listener, _ in self._listeners:
            listener(change)

    def heard(self, change: FileChange) -> None:
        """A change another instance committed."""
        for listener, everywhere in self._listeners:
            if everywhere:
                listener(change)


def _take(positions: ChangePositions) -> int:
    """The next position; 0 (unknown) when the database could not give one, as the change
    is committed already and its listeners must hear of it all the same."""
    try:
        return positions.take()
    except Exception as error:  # the driver's errors: the database is out
        log.warning("a change to a user's files took no position: %s", error)
        return 0
