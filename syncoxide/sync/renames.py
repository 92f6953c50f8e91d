"""Rename detection for one-way sync: a delete plus a new file with the same bytes is one move.

Works in two pure steps around one IO step (the engine's):

1. ``rename_candidates`` names the files worth a digest: a destination file the mirror would
   delete and a source file the destination lacks, of a size found on both sides (sizes are
   free; digests may cost a read, so only plausible pairs are hashed).
2. The engine fills the digests it can get cheaply (listed, or a local read).
3. ``pair_renames`` pairs them by (size, digest). The policy is the safe one of rclone's
   ``--track-renames``: a pair needs equal size and equal content digest on both sides; a
   file without a digest is never paired on size or mtime alone. Several identical files
   pair in path order, preferring equal mtimes, and every one paired is still an exact copy.
4. ``with_renames`` turns each pair's COPY + DELETE into a RENAME on the destination (phase 1,
   before copies), plus a COPY that only fixes the mtime when the source's differs (the
   executor sees equal digests and sets the time, moving no data).

Empty files are not tracked: every empty file has the same digest, and moving one saves
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from syncoxide.providers.contract import Entry
from syncoxide.sync.listing import Listing
from syncoxide.sync.plan import Action, ActionKind, Plan


def rename_candidates(source: Listing, dest: Listing) -> tuple[set[str], set[str]]:
    """(source keys, destination keys) whose digests decide whether they are renames."""
    arrived = {k: e for k, e in source.files.items() if k not in dest.files and e.size > 0}
    gone = {k: e for k, e in dest.files.items() if k not in source.files and e.size > 0}
    shared_sizes = {e.size for e in arrived.values()} & {e.size for e in gone.values()}
    return (
        {k for k, e in arrived.items() if e.size in shared_sizes},
        {k for k, e in gone.items() if e.size in shared_sizes},
    )


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


def with_renames(plan: Plan, pairs: Mapping[str, str], source: Listing, dest: Listing) -> Plan:
    """``plan`` with each paired COPY (new file) + DELETE (gone file) replaced by a move."""
    if not pairs:
        return plan
    moved_away = set(pairs.values())
    actions: list[Action] = []
    for action in plan.actions:
        if action.kind is ActionKind.DELETE and action.key in moved_away:
            continue
        if action.kind is ActionKind.COPY and action.key in pairs and action.target is None:
            actions += _move_actions(action, dest.files[pairs[action.key]], source)
            continue
        actions.append(action)
    return replace(plan, actions=tuple(actions))


def _move_actions(copy: Action, old: Entry, source: Listing) -> list[Action]:
    wanted = source.files[copy.key]
    move = Action(
        ActionKind.RENAME,
        copy.side,
        copy.path,
        f"renamed from {old.path}",
        source_path=old.path,
        source=old,
        key=copy.key,
    )
    if old.mtime_ns == wanted.mtime_ns:
        return [move]
    # Same bytes under the new name after the move: the copy below finds them equal by digest
    # and only sets the source's mtime.
    landed = Entry(copy.path, old.kind, old.size, old.mtime_ns, old.hashes)
    touch = replace(copy, reason="renamed; mtime from the source", target=landed)
    return [move, touch]
