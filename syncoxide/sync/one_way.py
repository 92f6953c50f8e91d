"""Planning copy, sync and move: path1 is the source, path2 the destination.

copy never deletes; sync also removes what the source lacks (the user asked for a mirror);
move copies, verifies and then deletes the source, including a source file whose twin is
already at the destination (the executor re-checks that twin by digest before deleting).
Excluded paths are invisible: a filtered file on the destination is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.sync.listing import Listing, same_content
from syncoxide.sync.paths import ancestors
from syncoxide.sync.plan import Action, ActionKind, Mode, Plan, Side, Skipped

SRC, DST = Side.PATH1, Side.PATH2


@dataclass(frozen=True)
class OneWayOptions:
    mode: Mode
    checksum: bool = False
    tolerance_ns: int = 0


def _plan_file(key: str, source: Listing, dest: Listing, opts: OneWayOptions) -> Action | None:
    entry = source.files[key]
    existing = dest.files.get(key)
    move = opts.mode is Mode.MOVE
    if existing is None:
        return Action(
            ActionKind.COPY,
            DST,
            entry.path,
            "new",
            source_path=entry.path,
            source=entry,
            target=None,
            delete_source=move,
            key=key,
        )
    if same_content(entry, existing, tolerance_ns=opts.tolerance_ns, checksum=opts.checksum):
        if not move:
            return None
        return Action(
            ActionKind.COPY,
            DST,
            existing.path,
            "already there; verify, delete source",
            source_path=entry.path,
            source=entry,
            target=existing,
            delete_source=True,
            key=key,
        )
    # The destination's own spelling is kept so an NFD/NFC twin is replaced, not duplicated.
    return Action(
        ActionKind.COPY,
        DST,
        existing.path,
        "changed",
        source_path=entry.path,
        source=entry,
        target=existing,
        delete_source=move,
        key=key,
    )


def _type_clashes(source: Listing, dest: Listing) -> list[Skipped]:
    clashes = [
        Skipped(SRC, source.files[key].path, "a folder of that name exists at the destination")
        for key in source.files.keys() & dest.dirs.keys()
    ]
    clashes += [
        Skipped(SRC, source.dirs[key].path, "a file of that name exists at the destination")
        for key in source.dirs.keys() & dest.files.keys()
    ]
    return clashes


def _mirror_removals(source: Listing, dest: Listing) -> list[Action]:
    actions = [
        Action(ActionKind.DELETE, DST, entry.path, "not in source", target=entry, key=key)
        for key, entry in dest.files.items()
        if key not in source.files and key not in source.dirs
    ]
    left = dest.clashes.keys() | dest.held.keys()  # name clashes stay, and so do their folders
    keep = {folder for key in left for folder in ancestors(key)}
    actions += [
        Action(ActionKind.RMDIR, DST, entry.path, "not in source", target=entry, key=key)
        for key in dest.dirs
        if key not in source.dirs and key not in keep
        for entry in dest.dir_spellings(key)
    ]
    return actions


def _emptied_source_dirs(source: Listing, blocked: set[str]) -> list[Action]:
    # A source folder holding a file we cannot move (a clash, a link) stays; others go.
    keep = {folder for key in blocked for folder in ancestors(key)}
    return [
        Action(ActionKind.RMDIR, SRC, entry.path, "moved", target=entry, key=key)
        for key in source.dirs
        if key not in keep
        for entry in source.dir_spellings(key)
    ]


def plan_one_way(source: Listing, dest: Listing, opts: OneWayOptions) -> Plan:
    clashes = _type_clashes(source, dest)
    clashing = set(source.files.keys() & dest.dirs.keys())
    actions: list[Action] = [
        Action(ActionKind.MKDIR, DST, entry.path, "new folder", key=key)
        for key, entry in source.dirs.items()
        if key not in dest.dirs and key not in dest.files
    ]
    theirs = dest.files
    for key in sorted(source.files.keys() - clashing):
        mine, other = source.files[key], theirs.get(key)
        if (  # the common case of an unchanged tree, decided without a call
            other is not None
            and not opts.checksum
            and opts.mode is not Mode.MOVE
            and mine.size == other.size
            and mine.mtime_ns == other.mtime_ns
        ):
            continue
        action = _plan_file(key, source, dest, opts)
        if action is not None:
            actions.append(action)
    if opts.mode is Mode.SYNC:
        actions += _mirror_removals(source, dest)
    if opts.mode is Mode.MOVE:
        left = source.clashes.keys() | source.held.keys()  # name clashes stay where they are
        blocked = clashing | {s.path for s in source.skipped} | left
        actions += _emptied_source_dirs(source, blocked)
    skipped = tuple(source.skipped + dest.skipped + clashes)
    return Plan(opts.mode, tuple(actions), skipped)
