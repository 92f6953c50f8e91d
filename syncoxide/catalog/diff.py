"""What changed between the index and a fresh listing of one source: a pure comparison.

A listing without digests (WebDAV, SFTP) does not erase a digest the index learnt on the way
in: when kind, size and mtime agree and the listing says nothing about content, the entry is
unchanged. A listing that does carry a digest replaces one that differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from syncoxide.catalog.model import CatalogEntry, Fingerprint


@dataclass(frozen=True)
class IndexChanges:
    upserts: tuple[CatalogEntry, ...] = ()
    removals: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.upserts) + len(self.removals)


def unchanged(indexed: Fingerprint, listed: Fingerprint) -> bool:
    if (indexed.kind, indexed.size, indexed.mtime_ns) != (
        listed.kind,
        listed.size,
        listed.mtime_ns,
    ):
        return False
    return not listed.content_hash or listed.content_hash == indexed.content_hash


def diff_listing(
    indexed: Mapping[str, Fingerprint], listed: Iterable[CatalogEntry]
) -> IndexChanges:
    """Entries to write and paths to remove so the index equals ``listed``."""
    upserts: list[CatalogEntry] = []
    seen: set[str] = set()
    for entry in listed:
        seen.add(entry.path)
        before = indexed.get(entry.path)
        if before is None or not unchanged(before, entry.fingerprint):
            upserts.append(entry)
    removals = tuple(sorted(path for path in indexed if path not in seen))
    return IndexChanges(tuple(upserts), removals)
