"""Turning provider entries into keyed listings the planners compare."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from syncoxide.byte_names import needs_bytes
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.filters import FilterSet
from syncoxide.sync.paths import RESERVED_TOP, is_reserved, match_key
from syncoxide.sync.plan import Side, Skipped


@dataclass
class Listing:
    """One side's tree, keyed by ``match_key`` so NFD/NFC and case variants pair up."""

    files: dict[str, Entry] = field(default_factory=dict)
    dirs: dict[str, Entry] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    partials: list[Entry] = field(default_factory=list)


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
        if kind is EntryKind.PARTIAL:
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
            files[key] = entry
        elif kind is EntryKind.DIR:
            dirs[key] = entry
        else:
            target = f" -> {entry.link_target}" if entry.link_target else ""
            listing.skipped.append(Skipped(side, entry.path, f"symlink not followed{target}"))
    return listing


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
