"""Renames in bisync: a file gone at one path and new at another on the same side is one move.

Compared with the pair state, a side that renamed ``old`` to ``new`` shows ``old`` DELETED and
``new`` NEW. Without this module the other side would trash ``old`` and receive ``new`` in full.
Here such a pair becomes one RENAME on the other side (a server-side move where the provider
can), and the other side's copy at ``old`` keeps its bytes under the new name.

Pairing is pure and works in two grades:

- **sure**: same size and the same digest of a kind both carry (the new file's digest from the
  listing, the old one's from the pair state, which keeps the digest of either side's copy:
  at the last run both held the same bytes);
- **guess**: same size and the same mtime, no shared digest. The engine verifies every guess by
  hashing before the plan is made (``syncoxide.engine.renames.verify_bisync_guesses``) and drops
  those that differ, which then sync as a delete plus a new file, as before;
- **same file**, a guess that is also the very file the state recorded (the same
  ``Entry.file_id``, e.g. device and inode on a local disk, with the same size and mtime): a
  rename moves a file without touching its bytes, so the engine verifies it by asking the
  provider once more (same id, size and mtime now) instead of reading the whole file. Preferred
  over a plain guess when several old names fit.

A name this side overwrote also counts, as ``new`` (its bytes may come from another name) and
as ``old`` (its old bytes may have moved on), when the other side still holds that name's old
version unchanged: a rename onto a taken name, a swap or a cycle. The planner carries those
as move chains (``syncoxide.sync.plan.order_moves``): the other side's overwritten version
goes to the trash first, a file that moves on is moved or parked first.

A pair needs the other side's copy at ``old`` still there. If that copy was edited since the
last run, the edit follows the file: the other side moves its edited copy to ``new`` and the
edit is then copied back over the renamed one (the renamed bytes go to the trash first). If it
was deleted or renamed too, nothing pairs: the renamed file is simply new and survives, and two
different new names both survive. Empty files never pair (every empty file looks the same).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from syncoxide.providers.contract import Entry
from syncoxide.sync.listing import Listing, same_content
from syncoxide.sync.plan import Side
from syncoxide.sync.state import PairRecord, PairState


@dataclass(frozen=True)
class BisyncRename:
    #: The side where the file was renamed; the move is carried to ``side.other``.
    side: Side
    new_key: str
    old_key: str
    #: True: equal digests; False: equal size and mtime only, to be verified by hash.
    sure: bool
    #: A guess whose file has the file id the state recorded for ``old_key``: verified by a
    #: fresh stat, not a read.
    same_file: bool = False


def old_digests(record: PairRecord, side: Side) -> dict[str, str]:
    """Digests of the bytes both sides held at the last run (``side``'s own record first)."""
    mine, theirs = (record.one, record.two) if side is Side.PATH1 else (record.two, record.one)
    return {**theirs.hashes, **mine.hashes}


def _side_entry(record: PairRecord, side: Side) -> Entry:
    return record.one if side is Side.PATH1 else record.two


def _unpairable(mine: Listing, theirs: Listing) -> set[str]:
    """Keys a name clash or a file facing a folder keeps out of the plan."""
    keys = set(mine.dirs) | set(theirs.dirs)
    for listing in (mine, theirs):
        keys |= listing.clashes.keys() | listing.held.keys()
    return keys


def _candidates(
    sides: Mapping[Side, Listing],
    state: PairState,
    side: Side,
    *,
    blocked: set[str],
    tolerance_ns: int,
) -> tuple[dict[str, Entry], dict[str, Entry]]:
    """(files ``side`` has at a name the other side lacks or still holds unchanged, old files
    ``side`` lost or overwrote that the other side still has), of a size found in both."""
    mine, theirs = sides[side], sides[side.other]
    blocked = blocked | _unpairable(mine, theirs)

    def unchanged(key: str, listing: Listing, of: Side) -> bool:
        now = listing.files.get(key)
        before = _side_entry(state.files[key], of)
        return now is not None and same_content(
            before, now, tolerance_ns=tolerance_ns, checksum=False
        )

    def arrived_at(key: str) -> bool:
        if key not in state.files:
            return key not in theirs.files
        # Overwritten here (a rename onto a taken name, a swap): the other side still holds
        # the old version, untouched, so the name's new bytes may come from elsewhere.
        return not unchanged(key, mine, side) and unchanged(key, theirs, side.other)

    arrived = {
        key: entry
        for key, entry in mine.files.items()
        if entry.size > 0 and key not in blocked and arrived_at(key)
    }
    gone = {
        key: _side_entry(record, side)
        for key, record in state.files.items()
        if key in theirs.files
        and key not in blocked
        and (
            key not in mine.files
            or (not unchanged(key, mine, side) and unchanged(key, theirs, side.other))
        )
    }
    sizes = {e.size for e in arrived.values()} & {e.size for e in gone.values()}
    return (
        {k: e for k, e in arrived.items() if e.size in sizes},
        {k: e for k, e in gone.items() if e.size in sizes},
    )


SURE, SAME_FILE, GUESS = 2, 1, 0


def _grade(new: Entry, old: Entry, digests: Mapping[str, str], tolerance_ns: int) -> int | None:
    """SURE, SAME_FILE or GUESS for a match (best first), None for no match."""
    if new.size != old.size:
        return None
    shared = sorted(new.hashes.keys() & digests.keys())
    if shared:
        return SURE if new.hashes[shared[0]] == digests[shared[0]] else None
    if abs(new.mtime_ns - old.mtime_ns) > tolerance_ns:
        return None
    return SAME_FILE if new.file_id and new.file_id == old.file_id else GUESS


def find_bisync_renames(
    sides: Mapping[Side, Listing],
    state: PairState,
    *,
    tolerance_ns: int,
    blocked: set[str] | frozenset[str] = frozenset(),
) -> list[BisyncRename]:
    """Every rename either side made since the last run, sure ones preferred over guesses.

    ``blocked`` keys (name clashes, a file facing a folder) never pair. Each old key pairs at
    most once, in path order, so several identical files still map one to one."""
    found: list[BisyncRename] = []
    for side in (Side.PATH1, Side.PATH2):
        arrived, gone = _candidates(
            sides, state, side, blocked=set(blocked), tolerance_ns=tolerance_ns
        )
        # Indexed by size: a renamed folder of 10k files must not compare 10k x 10k pairs.
        free: dict[int, list[str]] = defaultdict(list)
        for old_key in sorted(gone):
            free[gone[old_key].size].append(old_key)
        for new_key in sorted(arrived):
            same_size = free[arrived[new_key].size]
            graded = [
                (grade, old_key)
                for old_key in same_size
                if old_key != new_key
                and (
                    grade := _grade(
                        arrived[new_key],
                        gone[old_key],
                        old_digests(state.files[old_key], side),
                        tolerance_ns,
                    )
                )
                is not None
            ]
            if not graded:
                continue
            best = max(grade for grade, _ in graded)
            old_key = next(old for grade, old in graded if grade == best)
            same_size.remove(old_key)
            found.append(
                BisyncRename(side, new_key, old_key, sure=best == SURE, same_file=best == SAME_FILE)
            )
    return found
