"""The Plan: an ordered list of actions, each small enough to journal and to redo safely.

An action names the side it changes and what it expects to find there (``target``: the entry
the planner saw, None for absent) and, for copies, what it expects to read (``source``). Those
expectations let a resumed run tell "already done" from "changed since" without guessing.
Actions run phase by phase: directories first, then renames and trash moves, copies, deletes,
and directory removals deepest first.

Move chains: renames onto taken names, swaps and cycles (``order_moves``, at the end).
Rename detection pairs files one to one, so the moves on one side form disjoint paths and
cycles over its keys (each key sends at most one file and receives at most one):

- a **free move** ``a -> b`` where ``b`` is empty runs on its own, as any rename;
- a **path** ``a -> b -> c``: ``c`` is emptied first (its occupant, if any, is to be
  overwritten: it is discarded), then the moves run from the end back: ``b -> c``, ``a -> b``;
- a **cycle** ``a -> b -> a`` (a swap) or ``a -> b -> c -> a``: one occupant steps aside to a
  temporary name (PARK), the others move back along the cycle, and the parked file moves
  last into its own place::

      a -> b, b -> c, c -> a      PARK a; MOVE c -> a; MOVE b -> c; MOVE (parked a) -> b

A chain's steps are journaled with their order (``Action.chain``, ``Action.step``) and run one
after another; different chains and free moves run side by side. Every step leaves each file
under one name (its own, the temporary one, or its new one), so a run killed between steps
loses nothing and the next run finishes the chain from its journal.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping
from dataclasses import KW_ONLY, dataclass, field, replace

from syncoxide.providers.contract import PARTIAL_PREFIX, Entry

PARK_PREFIX = PARTIAL_PREFIX + "park-"


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
    #: A step of a move chain (``syncoxide.sync.plan``): ``chain`` > 0 names the chain,
    #: ``step`` (from 1) its place in it. A chain's steps run in phase 1, one after another.
    chain: int = 0
    step: int = 0

    @property
    def phase(self) -> int:
        return PHASE_OF[ActionKind.RENAME] if self.chain else PHASE_OF[self.kind]

    def describe(self) -> str:
        """One line for people: what happens, where, and why."""
        if self.kind is ActionKind.COPY:
            arrow = f"{self.side.other.value} -> {self.side.value}"
            return f"copy   {arrow}: {self.path} ({self.reason})"
        step = f" (step {self.step} of move chain {self.chain})" if self.chain else ""
        if self.kind is ActionKind.RENAME:
            return f"rename {self.side.value}: {self.source_path} -> {self.path}{step}"
        if self.kind is ActionKind.TOUCH:
            return f"touch  {self.side.value}: {self.path} ({self.reason})"
        return f"{self.kind.value:<6} {self.side.value}: {self.path} ({self.reason}){step}"


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

        def order(action: Action) -> tuple[int, int, int, int]:
            depth = action.path.count("/")
            if action.kind is ActionKind.RMDIR:
                return (action.phase, -depth, 0, 0)
            if action.kind is ActionKind.MKDIR:
                return (action.phase, depth, 0, 0)
            return (action.phase, 0, action.chain, action.step)

        return sorted(self.actions, key=order)


class StepKind(enum.Enum):
    #: The occupant of ``key`` is overwritten by the move that follows: remove it first.
    DISCARD = "discard"
    #: The occupant of ``key`` steps aside to the chain's temporary name.
    PARK = "park"
    #: The file at ``key`` (or the parked file, when ``parked``) moves to ``to``.
    MOVE = "move"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    key: str
    to: str = ""
    parked: bool = False


@dataclass(frozen=True)
class MoveChain:
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class OrderedMoves:
    #: old key -> new key of moves into an empty name, independent of each other.
    free: dict[str, str]
    chains: tuple[MoveChain, ...]


def order_moves(moves: Mapping[str, str], occupied: Collection[str]) -> OrderedMoves:
    """Free moves and ordered chains for ``moves`` (old key -> new key, one to one) on a side
    whose current names are ``occupied``."""
    if len(set(moves.values())) != len(moves):
        raise ValueError("two moves share a destination")
    into = {new: old for old, new in moves.items()}
    free: dict[str, str] = {}
    chains: list[MoveChain] = []
    seen: set[str] = set()
    for end in sorted(set(into) - set(moves)):  # a destination that sends nothing on
        steps = _path_steps(end, into, occupied, seen)
        if len(steps) == 1 and steps[0].kind is StepKind.MOVE:
            free[steps[0].key] = steps[0].to
        else:
            chains.append(MoveChain(tuple(steps)))
    for start in sorted(moves):
        if start not in seen:
            chains.append(MoveChain(tuple(_cycle_steps(start, into, seen))))
    return OrderedMoves(free, tuple(chains))


def _path_steps(
    end: str, into: Mapping[str, str], occupied: Collection[str], seen: set[str]
) -> list[Step]:
    steps = [Step(StepKind.DISCARD, end)] if end in occupied else []
    target = end
    while target in into:
        origin = into[target]
        steps.append(Step(StepKind.MOVE, origin, target))
        seen.add(origin)
        target = origin
    return steps


def _cycle_steps(start: str, into: Mapping[str, str], seen: set[str]) -> list[Step]:
    steps = [Step(StepKind.PARK, start)]
    target = start
    while (origin := into[target]) != start:
        steps.append(Step(StepKind.MOVE, origin, target))
        seen.add(origin)
        target = origin
    seen.add(start)
    steps.append(Step(StepKind.MOVE, start, target, parked=True))
    return steps


def park_name(path: str, token: str) -> str:
    """The temporary name beside ``path`` that a chain parks a file under: a partial-style
    hidden name (never listed as a file, never synced), but one the engine keeps rather than
    cleans up, since it holds a whole file (``is_parked``)."""
    folder, slash, _ = path.rpartition("/")
    return f"{folder}{slash}{PARK_PREFIX}{token}"


def is_parked(path: str) -> bool:
    """True for a file a chain parked: a whole file to be recovered, not a partial write."""
    return path.rpartition("/")[2].startswith(PARK_PREFIX)


@dataclass(frozen=True)
class ChainPlace:
    """Where a chain's steps run: the side, its files by key, which old key each new key
    receives, the chain's park tag, and how an overwritten occupant goes (DELETE in a
    mirror, TRASH in bisync)."""

    side: Side
    files: Mapping[str, Entry]
    incoming: Mapping[str, str]
    tag: str
    removal: ActionKind


#: The actions that move the file of a new key in (the move first, then e.g. a time fix),
#: given the parked name it comes from, or None when it comes from its own name.
MoveIn = Callable[[str, str | None], list[Action]]


def chain_actions(
    chain: MoveChain, number: int, place: ChainPlace, move_in: MoveIn
) -> list[Action]:
    """The chain's steps as actions numbered ``step`` 1.. in chain ``number``; what a move
    brings along (a copy that fixes a time) follows the chain, unnumbered."""
    steps: list[Action] = []
    after: list[Action] = []
    for step in chain.steps:
        occupant = place.files[step.key]
        parked = park_name(occupant.path, place.tag)
        rest: list[Action] = []
        if step.kind is StepKind.DISCARD:
            # ``source``: the file that moves in next, so a resumed run that finds it already
            # here knows the occupant is gone and does not remove the newcomer.
            incoming = place.files[place.incoming[step.key]]
            reason = "overwritten by a rename onto its name"
            first = Action(
                place.removal,
                place.side,
                occupant.path,
                reason,
                target=occupant,
                source=incoming,
                key=step.key,
            )
        elif step.kind is StepKind.PARK:
            reason = "moved aside: its name is taken by a rename"
            first = Action(
                ActionKind.RENAME,
                place.side,
                parked,
                reason,
                source_path=occupant.path,
                source=occupant,
                key=step.key,
            )
        else:
            first, *rest = move_in(step.to, parked if step.parked else None)
        steps.append(replace(first, chain=number, step=len(steps) + 1))
        after += rest
    return steps + after
