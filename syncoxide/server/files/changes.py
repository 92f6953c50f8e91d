"""What happened to a user's own files, told to whoever listens (the catalog, for now).

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
    def __init__(self) -> None:
        self._listeners: list[FileChangeListener] = []

    def listen(self, listener: FileChangeListener) -> None:
        self._listeners.append(listener)

    def tell(self, change: FileChange) -> None:
        for listener in self._listeners:
            listener(change)
