"""The Plan: an ordered list of actions, each small enough to journal and to redo safely.

An action names the side it changes and what it expects to find there (``target``: the entry
the planner saw, None for absent) and, for copies, what it expects to read (``source``). Those
expectations let a resumed run tell "already done" from "changed since" without guessing.
Actions run phase by phase: directories first, then renames and trash moves, copies, deletes,
and directory removals deepest first.
"""

from __future__ import annotations

import enum
from dataclasses import KW_ONLY, dataclass, field

from syncoxide.providers.contract import Entry


class Side(enum.Enum):
    PATH1 = "path1"
    PATH2 = "path2"

    @property
    def other(self) -> Side:
        return Side.PATH2 if self is Side.PATH1 else Side.PATH1


class Mode(enum.Enum):
    COPY = "copy"
    SYNC = "sync"
    MOVE = "move"
    BISYNC = "bisync"


class ActionKind(enum.Enum):
    MKDIR = "mkdir"
    RENAME = "rename"  # keep-both: the losing version steps aside on its own side
    TRASH = "trash"  # bisync delete: the version moves to the pair's trash
    COPY = "copy"
    #: Identical content, other times: the older side takes the newer time (no data moves).
    TOUCH = "touch"
    DELETE = "delete"  # sync-mode delete (the user asked for a mirror)
    RMDIR = "rmdir"


PHASE_OF = {
    ActionKind.MKDIR: 0,
    ActionKind.RENAME: 1,
    ActionKind.TRASH: 1,
    ActionKind.COPY: 2,
    ActionKind.TOUCH: 2,
    ActionKind.DELETE: 3,
    ActionKind.RMDIR: 4,
}


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    side: Side
    path: str
    reason: str
    # Everything past the first four is named at the call: a COPY's source and target read
    # alike and were once swapped by position.
    _: KW_ONLY
    #: COPY, TOUCH: path on the other side; RENAME: the old path on the same side.
    #: (TOUCH: ``source`` holds the time to set, ``target`` what must still be there.)
    source_path: str | None = None
    source: Entry | None = None
    target: Entry | None = None
    #: COPY: move the existing target to the trash first (bisync never overwrites silently).
    backup: bool = False
    #: COPY in move mode: delete the source once the copy is verified.
    delete_source: bool = False
    #: The key (normalized path) this action settles, for pair state bookkeeping.
    key: str = ""

    @property
    def phase(self) -> int:
        return PHASE_OF[self.kind]

    def describe(self) -> str:
        """One line for people: what happens, where, and why."""
        if self.kind is ActionKind.COPY:
            arrow = f"{self.side.other.value} -> {self.side.value}"
            return f"copy   {arrow}: {self.path} ({self.reason})"
        if self.kind is ActionKind.RENAME:
            return f"rename {self.side.value}: {self.source_path} -> {self.path}"
        if self.kind is ActionKind.TOUCH:
            return f"touch  {self.side.value}: {self.path} ({self.reason})"
        return f"{self.kind.value:<6} {self.side.value}: {self.path} ({self.reason})"


@dataclass(frozen=True)
class Skipped:
    side: Side
    path: str
    reason: str


@dataclass(frozen=True)
class Conflict:
    key: str
    winner: Side | None  # None: keep-both
    policy: str
    detail: str


@dataclass(frozen=True)
class Plan:
    mode: Mode
    actions: tuple[Action, ...]
    skipped: tuple[Skipped, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return f"<Plan {self.mode.value}: {len(self.actions)} actions>"

    @property
    def deletes(self) -> int:
        """Files this plan removes or sends to the trash (for --max-delete)."""
        removing = (ActionKind.DELETE, ActionKind.TRASH)
        return sum(1 for action in self.actions if action.kind in removing) + sum(
            1 for action in self.actions if action.backup and action.target is not None
        )

    def ordered(self) -> list[Action]:
        """Actions in execution order (stable within a phase; RMDIR deepest first)."""

        def order(action: Action) -> tuple[int, int]:
            depth = action.path.count("/")
            if action.kind is ActionKind.RMDIR:
                return (action.phase, -depth)
            if action.kind is ActionKind.MKDIR:
                return (action.phase, depth)
            return (action.phase, 0)

        return sorted(self.actions, key=order)
