"""What happened to a user's own files, told to whoever listens (the catalog, the change
feed, run-on-write, account shares, automation).

Listeners are called synchronously right after the store committed the change, so they must
be quick: the catalog only queues the change and writes it to its index a moment later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


FileChangeListener = Callable[[FileChange], None]


class ChangeFanout:
    """Listeners of the changes committed in this process; those that listen ``everywhere``
    also hear the changes other instances committed (files/change_relay.py carries them)."""

    def __init__(self) -> None:
        self._listeners: list[tuple[FileChangeListener, bool]] = []

    def listen(self, listener: FileChangeListener, *, everywhere: bool = False) -> None:
        self._listeners.append((listener, everywhere))

    def tell(self, change: FileChange) -> None:
        """A change committed here."""
        for listener, _ in self._listeners:
            listener(change)

    def heard(self, change: FileChange) -> None:
        """A change another instance committed."""
        for listener, everywhere in self._listeners:
            if everywhere:
                listener(change)
