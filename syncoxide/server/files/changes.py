"""What happened to a user's own files, told to whoever listens (the catalog, the change
feed, run-on-write, account shares, automation).

Listeners are called synchronously right after the store committed the change, so they must
be quick: the catalog only queues the change and writes it to its index a moment later.
The change has its position by then (files/change_positions.py), which the change feed and the
relay to other instances carry: the file service records a change inside ``recording`` (the
position commits with it) and tells it with what that gave.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace

from syncoxide.server.files.change_positions import ChangePositions, Taken, taken_or_none

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

    def recording(self) -> AbstractContextManager[Taken]:
        """Around the statements that record one change; ``tell`` it with what this gave."""
        if self.positions is None:
            return nullcontext(Taken())
        return self.positions.recording()

    def tell(self, change: FileChange, taken: Taken | None = None) -> None:
        """A change committed here, with the position ``recording`` gave it; without one it
        takes the next position now."""
        if taken is not None:
            change = replace(change, position=taken.position)
        elif change.what != OPENED and self.positions is not None:
            change = replace(change, position=taken_or_none(self.positions.take))
        for listener, _ in self._listeners:
            listener(change)

    def heard(self, change: FileChange) -> None:
        """A change another instance committed."""
        for listener, everywhere in self._listeners:
            if everywhere:
                listener(change)
