"""Rename detection for one-way sync: a delete plus a new file with the same bytes is one move.

Works in two pure steps around one IO step (the engine's):

1. ``rename_candidates`` names the files worth a digest: a destination file the mirror would
   delete or overwrite and a source file the destination lacks or holds other bytes of, of a
   size found on both sides (sizes are free; digests may cost a read, so only plausible pairs
   are hashed). ``same_bytes_both_sides`` then drops files whose only change is their time.
2. The engine fills the digests it can get cheaply (listed, or a local read).
3. ``pair_renames`` pairs them by (size, digest). The policy is the safe one of rclone's
   ``--track-renames``: a pair needs equal size and equal content digest on both sides; a
   file without a digest is never paired on size or mtime alone. Several identical files
   pair in path order, preferring equal mtimes, and every one paired is still an exact copy.
4. ``with_renames`` turns each pair's COPY + DELETE into a RENAME on the destination (phase 1,
   before copies), plus a COPY that only fixes the mtime when the source's differs (the
   executor sees equal digests and sets the time, moving no data). A rename onto a name the
   destination still holds (``a`` renamed over ``b``, a swap, a cycle) becomes a chain of
   steps: the occupant is deleted first when the move overwrites it, or parked under a
   temporary name when it moves on itself (``syncoxide.sync.plan``).

Empty files are not tracked: every empty file has the same digest, and moving one saves
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from syncoxide.providers.contract import Entry
from syncoxide.sync.listing import Listing
from syncoxide.sync.plan import (
    Action,
    ActionKind,
    ChainPlace,
    Plan,
    Side,
    chain_actions,
    order_moves,
)

DST = Side.PATH2


def rename_candidates(plan: Plan, source: Listing, dest: Listing) -> tuple[set[str], set[str]]:
    """(source keys, destination keys) whose digests decide whether they are renames.

    A source file the plan copies (new at the destination, or other bytes there) and a
    destination file the plan deletes or overwrites, each only if the other list holds a file
    of its size under another name: a file edited in place is never read for this."""
    copied = {a.key for a in plan.actions if a.kind is ActionKind.COPY}
    dropped = {a.key for a in plan.actions if a.kind is ActionKind.DELETE and a.key in dest.files}
    dropped |= copied & dest.files.keys()
    arrived = {k: source.files[k] for k in copied if k in source.files and source.files[k].size}
    gone = {k: dest.files[k] for k in dropped if dest.files[k].size > 0}
    return _elsewhere_of_size(arrived, gone), _elsewhere_of_size(gone, arrived)


def _elsewhere_of_size(mine: Mapping[str, Entry], theirs: Mapping[str, Entry]) -> set[str]:
    """Keys of ``mine`` with a file of the same size in ``theirs`` under another key."""
    by_size: dict[int, set[str]] = defaultdict(set)
    for key, entry in theirs.items():
        by_size[entry.size].add(key)
    return {key for key, entry in mine.items() if by_size.get(entry.size, set()) - {key}}


def same_bytes_both_sides(
    source: Mapping[str, Entry], dest: Mapping[str, Entry], kind: str
) -> set[str]:
    """Keys whose source and destination files hold the same bytes (only their times differ):
    such a file stays where it is, it neither sends nor receives a move."""
    return {
        key
        for key in source.keys() & dest.keys()
        if (found := _fingerprint(source[key], kind)) is not None
        and found == _fingerprint(dest[key], kind)
    }


def _fingerprint(entry: Entry, kind: str) -> tuple[int, str] | None:
    digest = entry.hashes.get(kind)
    return None if digest is None else (entry.size, digest)


def pair_renames(
    source: Mapping[str, Entry], dest: Mapping[str, Entry], kind: str
) -> dict[str, str]:
    """Source key -> destination key for files with the same size and ``kind`` digest."""
    waiting: dict[tuple[int, str], list[str]] = defaultdict(list)
    for key in sorted(dest):
        print_ = _fingerprint(dest[key], kind)
        if print_ is not None:
            waiting[print_].append(key)
    pairs: dict[str, str] = {}
    for key in sorted(source):
        print_ = _fingerprint(source[key], kind)
        if print_ is None or not waiting.get(print_):
            continue
        choices = waiting[print_]
        same_time = [k for k in choices if dest[k].mtime_ns == source[key].mtime_ns]
        chosen = same_time[0] if same_time else choices[0]
        choices.remove(chosen)
        pairs[key] = chosen
    return pairs


def with_renames(
    plan: Plan, pairs: Mapping[str, str], source: Listing, dest: Listing, *, park_tag: str
) -> Plan:
    """``plan`` with each paired COPY (new or overwritten file) + DELETE (gone or overwritten
    file) replaced by a move; moves onto taken names become ordered chains
    (``syncoxide.sync.plan``) whose temporary names end in ``park_tag``."""
    copies = {
        a.key: _with_digests(a, source, dest) for a in plan.actions if a.kind is ActionKind.COPY
    }
    moves = {old: new for new, old in pairs.items()}
    ordered = order_moves(moves, dest.files.keys())
    actions: list[Action] = []
    for action in plan.actions:
        if action.kind is ActionKind.DELETE and action.key in moves:
            continue
        if action.kind is ActionKind.COPY and action.key in pairs:
            continue
        if action.kind is ActionKind.COPY:
            action = copies[action.key]
        if action.kind is ActionKind.COPY and action.key in moves:
            # Its old bytes move away first: the new ones land on an empty name.
            action = replace(action, target=None)
        actions.append(action)
    for old, new in sorted(ordered.free.items()):
        actions += _move_actions(copies[new], dest.files[old], source)
    for number, chain in enumerate(ordered.chains, start=1):
        place = ChainPlace(DST, dest.files, pairs, f"{park_tag}-{number}", ActionKind.DELETE)

        def move_in(new: str, parked: str | None) -> list[Action]:
            old = dest.files[pairs[new]]
            return _move_actions(copies[new], old, source, from_path=parked)

        actions += chain_actions(chain, number, place, move_in)
    return replace(plan, actions=tuple(actions))


def _with_digests(copy: Action, source: Listing, dest: Listing) -> Action:
    """``copy`` with the digests read for rename detection since the plan was made, so the
    copy (which compares digests to tell a touched file from an edited one) reads no file
    twice. An entry that changed meanwhile (another size or time) keeps the plan's."""
    fresh_source = source.files.get(copy.key)
    fresh_target = dest.files.get(copy.key)
    return replace(
        copy,
        source=fresh_source if fresh_source == copy.source else copy.source,
        target=fresh_target if fresh_target == copy.target else copy.target,
    )


def _move_actions(
    copy: Action, old: Entry, source: Listing, *, from_path: str | None = None
) -> list[Action]:
    wanted = source.files[copy.key]
    move = Action(
        ActionKind.RENAME,
        copy.side,
        copy.path,
        f"renamed from {old.path}",
        source_path=from_path or old.path,
        source=old,
        key=copy.key,
    )
    if old.mtime_ns == wanted.mtime_ns:
        return [move]
    # Same bytes under the new name after the move: the copy below finds them equal by digest
    # and only sets the source's mtime.
    landed = Entry(copy.path, old.kind, old.size, old.mtime_ns, old.hashes, etag=old.etag)
    touch = replace(copy, reason="renamed; mtime from the source", target=landed)
    return [move, touch]
