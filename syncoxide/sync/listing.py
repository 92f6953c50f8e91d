"""Turning provider entries into keyed listings the planners compare."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from syncoxide.byte_names import needs_bytes
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.filters import FilterSet
from syncoxide.sync.paths import RESERVED_TOP, is_reserved, match_key
from syncoxide.sync.plan import Side, Skipped, is_parked


@dataclass
class Listing:
    """One side's tree, keyed by ``match_key`` so NFD/NFC and case variants pair up."""

    files: dict[str, Entry] = field(default_factory=dict)
    dirs: dict[str, Entry] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    #: Partial writes a killed run left (dropped), and files a move chain parked (kept:
    #: ``syncoxide.engine.parked``).
    partials: list[Entry] = field(default_factory=list)
    #: Names this side holds more than once under one key (``café`` in NFC and NFD, or
    #: ``A.txt`` and ``a.txt`` when the pair ignores case; a file and a folder count too):
    #: left out of the plan, see ``syncoxide.sync.clashes``.
    clashes: dict[str, list[Entry]] = field(default_factory=dict)
    #: This side's files left out because the other side has a clash under their key.
    held: dict[str, Entry] = field(default_factory=dict)
    #: Further spellings of a folder key already in ``dirs`` (``Docs/`` beside ``docs/``):
    #: their files merge under one key, and removing the folder removes every spelling.
    more_dirs: dict[str, list[Entry]] = field(default_factory=dict)

    def dir_spellings(self, key: str) -> list[Entry]:
        """Every folder this side lists under ``key``."""
        return [self.dirs[key], *self.more_dirs.get(key, ())]


def build_listing(
    entries: Iterable[Entry], side: Side, *, filters: FilterSet, case_sensitive: bool
) -> Listing:
    listing = Listing()
    filtering = bool(filters.rules)  # hoisted: this loop runs once per file, 10k+ times
    files, dirs = listing.files, listing.dirs
    for entry in entries:
        path, kind = entry.path, entry.kind
        if path.startswith(RESERVED_TOP) and is_reserved(path):
            continue
        if kind is EntryKind.PARTIAL or (kind is EntryKind.FILE and is_parked(path)):
            # A parked file counts on every provider, also those (S3, memory) that have no
            # partial objects of their own and list the name as a plain file.
            listing.partials.append(entry)
            continue
        if filtering and filters.excluded(path, is_dir=kind is EntryKind.DIR):
            continue
        key = (
            path
            if case_sensitive and path.isascii()
            else match_key(path, case_sensitive=case_sensitive)
        )
        if kind is EntryKind.FILE:
            if key in files or key in listing.clashes:
                _add_clash(listing, key, entry)
            else:
                files[key] = entry
        elif kind is EntryKind.DIR:
            # Folders that differ only in case or Unicode form merge, as they would if copied
            # by hand to a side that folds: only files under one key can overwrite each other.
            if key in dirs:
                listing.more_dirs.setdefault(key, []).append(entry)
            else:
                dirs[key] = entry
        else:
            target = f" -> {entry.link_target}" if entry.link_target else ""
            listing.skipped.append(Skipped(side, entry.path, f"symlink not followed{target}"))
    for key in files.keys() & dirs.keys():  # ``Notes`` the file beside ``notes/`` the folder
        _add_clash(listing, key, dirs[key])
    return listing


def _add_clash(listing: Listing, key: str, entry: Entry) -> None:
    first = listing.files.pop(key, None)
    listing.clashes.setdefault(key, [] if first is None else [first]).append(entry)


UNMAPPED = "unmapped"


def set_aside_unmappable(listing: Listing, side: Side, target: str) -> None:
    """Leave out names ``target`` cannot store (not valid UTF-8), each reported as unmapped.

    The file stays where it is, untouched; it is simply not part of this pair's plan, so one
    name can never stop a pair."""
    reason = (
        f"{UNMAPPED}: the name is not valid UTF-8 and {target} stores only UTF-8 names; "
        "rename it to sync it"
    )
    for table in (listing.files, listing.dirs):
        for key in [key for key, entry in table.items() if needs_bytes(entry.path)]:
            listing.skipped.append(Skipped(side, table.pop(key).path, reason))


def same_content(a: Entry, b: Entry, *, tolerance_ns: int, checksum: bool) -> bool:
    """Equal size, and equal digests (``checksum``) or modification times within tolerance."""
    if a.size != b.size:
        return False
    if checksum:
        for kind in sorted(a.hashes.keys() & b.hashes.keys()):
            return a.hashes[kind] == b.hashes[kind]
    return abs(a.mtime_ns - b.mtime_ns) <= tolerance_ns


def same_digest(a: Entry, b: Entry) -> bool:
    """Equal size and an equal digest of a kind both entries carry (False when none is shared)."""
    if a.size != b.size:
        return False
    shared = sorted(a.hashes.keys() & b.hashes.keys())
    return bool(shared) and a.hashes[shared[0]] == b.hashes[shared[0]]
