"""Planning bisync: compare each side with the saved state, then reconcile.

Per key each side is NEW, CHANGED, DELETED, SAME or ABSENT relative to the last run. One-sided
changes propagate; a delete facing a change loses (the change is copied back); two changes that
ended up identical just settle; two different changes are a conflict for the policy. Every
version that is overwritten or deleted goes to the pair trash first, so nothing is lost.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from syncoxide.providers.contract import Entry
from syncoxide.sync.bisync_renames import BisyncRename
from syncoxide.sync.conflicts import ConflictPolicy, choose_winner
from syncoxide.sync.listing import Listing, same_content, same_digest
from syncoxide.sync.paths import ancestors, conflict_name, match_key
from syncoxide.sync.plan import (
    Action,
    ActionKind,
    ChainPlace,
    Conflict,
    Mode,
    MoveChain,
    Plan,
    Side,
    Skipped,
    chain_actions,
    order_moves,
)
from syncoxide.sync.state import PairState


class Change(enum.Enum):
    ABSENT = "absent"
    NEW = "new"
    CHANGED = "changed"
    DELETED = "deleted"
    SAME = "same"


@dataclass(frozen=True)
class BisyncOptions:
    policy: ConflictPolicy = ConflictPolicy.NEWER
    checksum: bool = False
    tolerance_ns: int = 0
    case_sensitive: bool = True
    #: Wall-clock seconds for conflict names (from the Clock port).
    now: float = 0.0
    #: Sides whose provider sets a file's time in place: identical files found with other
    #: times get the newer time there; elsewhere the pair state records both times.
    settable_mtimes: frozenset[Side] = frozenset(Side)
    #: Ends the temporary names of this run's move chains (``park_name``), from the run's
    #: random token.
    park_tag: str = "run"


def _change(before: Entry | None, now: Entry | None, opts: BisyncOptions) -> Change:
    if before is None:
        return Change.ABSENT if now is None else Change.NEW
    if now is None:
        return Change.DELETED
    same = same_content(before, now, tolerance_ns=opts.tolerance_ns, checksum=opts.checksum)
    return Change.SAME if same else Change.CHANGED


def lookalike_keys(one: Listing, two: Listing, state: PairState, tolerance_ns: int) -> set[str]:
    """Keys both sides changed (or added) to the same size with other times: only their
    digests can tell an identical edit from a conflict."""
    keys = set()
    for key in one.files.keys() & two.files.keys():
        a, b = one.files[key], two.files[key]
        if a.size != b.size or abs(a.mtime_ns - b.mtime_ns) <= tolerance_ns:
            continue
        record = state.files.get(key)
        if record is None or not (
            same_content(record.one, a, tolerance_ns=tolerance_ns, checksum=False)
            or same_content(record.two, b, tolerance_ns=tolerance_ns, checksum=False)
        ):
            keys.add(key)
    return keys


def carry_digests(listing: Listing, side: Side, state: PairState, tolerance_ns: int) -> None:
    """Give files unchanged since the last run the digests the pair state kept for them.

    A digest is computed once (for two files that looked alike) and then stays in the state for
    as long as the file keeps its size and time, so no later run reads the file for it again.
    Not for --checksum runs: those re-read on purpose, to catch edits that kept size and time."""
    files = listing.files
    for key, record in state.files.items():
        before = record.one if side is Side.PATH1 else record.two
        entry = files.get(key)
        if (
            entry is not None
            and before.hashes
            and same_content(before, entry, tolerance_ns=tolerance_ns, checksum=False)
        ):
            files[key] = replace(entry, hashes={**before.hashes, **entry.hashes})


def _copy(src_side: Side, entry: Entry, target: Entry | None, reason: str, *, key: str) -> Action:
    path = target.path if target is not None else entry.path
    return Action(
        ActionKind.COPY,
        src_side.other,
        path,
        reason,
        source_path=entry.path,
        source=entry,
        target=target,
        backup=target is not None,
        key=key,
    )


class _BisyncPlanner:
    def __init__(self, one: Listing, two: Listing, state: PairState, opts: BisyncOptions):
        self.sides = {Side.PATH1: one, Side.PATH2: two}
        self.state, self.opts = state, opts
        self.actions: list[Action] = []
        self.conflicts: list[Conflict] = []
        self.skipped: list[Skipped] = one.skipped + two.skipped
        self.taken = set(one.files) | set(two.files) | set(one.dirs) | set(two.dirs)
        self.stamp = datetime.fromtimestamp(opts.now, UTC).strftime("%Y%m%d-%H%M%S")
        self.chains = 0  # move chains planned so far, numbered from 1

    def entry(self, side: Side, key: str) -> Entry | None:
        return self.sides[side].files.get(key)

    def plan_file(self, key: str) -> None:
        record = self.state.files.get(key)
        one, two = self.entry(Side.PATH1, key), self.entry(Side.PATH2, key)
        c1 = _change(record.one if record else None, one, self.opts)
        c2 = _change(record.two if record else None, two, self.opts)
        changed = (Change.NEW, Change.CHANGED)
        if c1 in changed and c2 in changed:
            self.settle_both_changed(key, one, two)
        elif c1 in changed and one is not None:
            self.actions.append(_copy(Side.PATH1, one, two, c1.value, key=key))
        elif c2 in changed and two is not None:
            self.actions.append(_copy(Side.PATH2, two, one, c2.value, key=key))
        elif c1 is Change.DELETED and two is not None:
            self.trash(Side.PATH2, two, key)
        elif c2 is Change.DELETED and one is not None:
            self.trash(Side.PATH1, one, key)

    def plan_renames(self, renames: Sequence[BisyncRename]) -> None:
        """Carry each side's renames to the other: free moves alone, moves onto taken names
        (a rename over a file, a swap, a cycle) as ordered chains (``order_moves``)."""
        for there in (Side.PATH1, Side.PATH2):
            carried = {r.new_key: r for r in renames if r.side.other is there}
            moves = {r.old_key: r.new_key for r in carried.values()}
            ordered = order_moves(moves, self.sides[there].files.keys())
            for new_key in sorted(ordered.free.values()):
                self.actions += self.rename_actions(carried[new_key])
            for chain in ordered.chains:
                self.plan_chain(chain, there, carried)
            for rename in carried.values():
                self.refill_old_name(rename, receiving=set(moves.values()))

    def rename_actions(self, rename: BisyncRename, *, from_path: str | None = None) -> list[Action]:
        """The move on the other side; its copy may hold an edit, which then follows the file
        to its new name and is copied back over the renamed bytes."""
        renamed_on, there = rename.side, rename.side.other
        new = self.entry(renamed_on, rename.new_key)
        old = self.entry(there, rename.old_key)
        assert new is not None and old is not None
        record = self.state.files[rename.old_key]
        actions = [
            Action(
                ActionKind.RENAME,
                there,
                new.path,
                f"renamed on {renamed_on.value} from {old.path}",
                source_path=from_path or old.path,
                source=old,
                key=rename.new_key,
            )
        ]
        before = record.one if there is Side.PATH1 else record.two
        if _change(before, old, self.opts) is Change.CHANGED:
            moved = replace(old, path=new.path)
            reason = f"edited on {there.value}, renamed on {renamed_on.value}"
            actions.append(_copy(there, moved, new, reason, key=rename.new_key))
        return actions

    def plan_chain(self, chain: MoveChain, there: Side, carried: dict[str, BisyncRename]) -> None:
        self.chains += 1
        incoming = {new: rename.old_key for new, rename in carried.items()}
        tag = f"{self.opts.park_tag}-{self.chains}"
        place = ChainPlace(there, self.sides[there].files, incoming, tag, ActionKind.TRASH)

        def move_in(new: str, parked: str | None) -> list[Action]:
            return self.rename_actions(carried[new], from_path=parked)

        self.actions += chain_actions(chain, self.chains, place, move_in)

    def refill_old_name(self, rename: BisyncRename, *, receiving: set[str]) -> None:
        """The renamed-on side still has a file at the old name (it was overwritten there, a
        swap's other half): once the other side's copy moved away, that file is sent to it."""
        if rename.old_key in receiving:
            return  # a chain moves another file into it
        now = self.entry(rename.side, rename.old_key)
        if now is not None:
            self.actions.append(_copy(rename.side, now, None, "changed", key=rename.old_key))

    def trash(self, side: Side, entry: Entry, key: str) -> None:
        reason = f"deleted on {side.other.value}"
        self.actions.append(
            Action(ActionKind.TRASH, side, entry.path, reason, target=entry, key=key)
        )

    def settle_both_changed(self, key: str, one: Entry | None, two: Entry | None) -> None:
        assert one is not None and two is not None
        if same_content(one, two, tolerance_ns=self.opts.tolerance_ns, checksum=self.opts.checksum):
            return
        if same_digest(one, two):  # identical content is never a conflict
            self.align_times(key, one, two)
            return
        policy = self.opts.policy
        winner = choose_winner(policy, one, two)
        win, lose = (one, two) if winner is Side.PATH1 else (two, one)
        if policy is not ConflictPolicy.KEEP_BOTH:
            self.conflicts.append(
                Conflict(
                    key, winner, policy.value, f"{winner.value} kept, the other version trashed"
                )
            )
            self.actions.append(_copy(winner, win, lose, f"conflict: {policy.value}", key=key))
            return
        self.keep_both(key, winner, win, lose)

    def align_times(self, key: str, one: Entry, two: Entry) -> None:
        """Give the older copy the newer time: forward only, so no tool that goes by times
        (make, backups, the next run) can take an edit for older than it is."""
        if abs(one.mtime_ns - two.mtime_ns) <= self.opts.tolerance_ns:
            return
        older, newer = (
            (Side.PATH1, Side.PATH2) if one.mtime_ns < two.mtime_ns else (Side.PATH2, Side.PATH1)
        )
        if older not in self.opts.settable_mtimes:
            return  # the pair state keeps both times; the next run sees nothing to do
        stale, fresh = (one, two) if older is Side.PATH1 else (two, one)
        reason = f"same content as {newer.value}: its time"
        self.actions.append(
            Action(
                ActionKind.TOUCH,
                older,
                stale.path,
                reason,
                source_path=fresh.path,
                source=fresh,
                target=stale,
                key=key,
            )
        )

    def keep_both(self, key: str, winner: Side, win: Entry, lose: Entry) -> None:
        loser = winner.other
        aside = self.free_conflict_name(lose.path, loser)
        aside_key = match_key(aside, case_sensitive=self.opts.case_sensitive)
        moved = replace(lose, path=aside)
        self.conflicts.append(Conflict(key, None, "keep-both", f"{loser.value} kept as {aside}"))
        self.actions += [
            Action(
                ActionKind.RENAME,
                loser,
                aside,
                "conflict: keep-both",
                source_path=lose.path,
                source=lose,
                key=key,
            ),
            _copy(winner, win, None, "conflict: keep-both winner", key=key),
            Action(
                ActionKind.COPY,
                winner,
                aside,
                "conflict: keep-both loser",
                source_path=aside,
                source=moved,
                key=aside_key,
            ),
        ]

    def free_conflict_name(self, path: str, loser: Side) -> str:
        candidate = conflict_name(path, self.stamp, loser.value)
        counter = 1
        while match_key(candidate, case_sensitive=self.opts.case_sensitive) in self.taken:
            counter += 1
            candidate = conflict_name(path, f"{self.stamp}-{counter}", loser.value)
        self.taken.add(match_key(candidate, case_sensitive=self.opts.case_sensitive))
        return candidate

    def surviving_files(self, side: Side) -> set[str]:
        present = set(self.sides[side].files)
        for action in self.actions:
            if action.side is not side:
                continue
            if action.kind is ActionKind.COPY:
                present.add(action.key)
            elif action.kind is ActionKind.TRASH:
                present.discard(action.key)
            elif action.kind is ActionKind.RENAME and action.source_path is not None:
                sensitive = self.opts.case_sensitive
                present.discard(match_key(action.source_path, case_sensitive=sensitive))
                present.add(match_key(action.path, case_sensitive=sensitive))
        return present

    def plan_dirs(self) -> None:
        for side in (Side.PATH1, Side.PATH2):
            mine, theirs = self.sides[side].dirs, self.sides[side.other].dirs
            kept_files = self.surviving_files(side) | self.sides[side].held.keys()
            kept_files |= self.sides[side].clashes.keys()  # left as they are, folders too
            keep = {folder for key in kept_files for folder in ancestors(key)}
            keep |= {
                folder
                for key in mine
                if key not in self.state.dirs
                for folder in [key, *ancestors(key)]
            }
            for key in sorted(mine.keys() - theirs.keys() - self.sides[side.other].files.keys()):
                if key in self.state.dirs and key not in keep:
                    self.actions += [
                        Action(
                            ActionKind.RMDIR,
                            side,
                            entry.path,
                            f"deleted on {side.other.value}",
                            key=key,
                        )
                        for entry in self.sides[side].dir_spellings(key)
                    ]
                else:
                    self.actions.append(
                        Action(ActionKind.MKDIR, side.other, mine[key].path, "new folder", key=key)
                    )

    def report_clashes(self) -> set[str]:
        one, two = self.sides[Side.PATH1], self.sides[Side.PATH2]
        clashing = (one.files.keys() & two.dirs.keys()) | (one.dirs.keys() & two.files.keys())
        for key in sorted(clashing):
            self.skipped.append(
                Skipped(
                    Side.PATH1, key, "a file on one side, a folder on the other: rename one of them"
                )
            )
        return clashing


def plan_bisync(
    one: Listing,
    two: Listing,
    state: PairState,
    opts: BisyncOptions,
    *,
    renames: Sequence[BisyncRename] = (),
) -> Plan:
    """The bisync plan; ``renames`` (``syncoxide.sync.bisync_renames``, verified) each become
    one move on the other side in place of a trash plus a full copy."""
    planner = _BisyncPlanner(one, two, state, opts)
    clashing = planner.report_clashes()
    keys = (one.files.keys() | two.files.keys() | state.files.keys()) - clashing
    planner.plan_renames(renames)
    for rename in renames:
        keys -= {rename.new_key, rename.old_key}
    for key in sorted(keys):
        planner.plan_file(key)
    planner.plan_dirs()
    return Plan(
        Mode.BISYNC, tuple(planner.actions), tuple(planner.skipped), tuple(planner.conflicts)
    )
