"""Thumbnails of connections' photos that no photo facts row names any more leave the blob store.

Why: the facts of a deleted connection's photos were swept from the database by migration 26
(PostgreSQL 14, storage/orphan_sweep.py), which can only run SQL: their thumbnails stayed in
the blob store. A photo whose content changed also leaves its old thumbnail behind (the key
names the version read). Nothing can name those blobs any more but a look at the store.

How: a pass lists the blobs of connections' photos (``photos/uUSER/pHASH``; the server
storage's own thumbnails, ``photos/uUSER/SHA256``, are not touched) and the keys the facts
table names. A blob is deleted only when two passes one interval apart (an hour by default)
both found it unnamed: a thumbnail is stored a moment before its row is written, by this
instance or another, so one look could catch it in between.
"""

from __future__ import annotations

import re

from syncoxide.server.scheduling.periodic import PeriodicSweep
from syncoxide.server.storage.database import Database
from syncoxide.server.storage.port import BlobStore

#: The thumbnail of a connection's photo (provider_photos.py names them so).
_CONNECTION_THUMBNAIL = re.compile(r"photos/u[0-9]+/p[0-9a-f]{64}")


class ThumbnailSweep(PeriodicSweep):
    name = "thumbnail sweep"
    did = "deleted %d thumbnails no photo names"

    def __init__(self, db: Database, blobs: BlobStore, every_seconds: float) -> None:
        super().__init__(every_seconds)
        self._db, self._blobs = db, blobs
        #: Blobs the last pass found unnamed: deleted by the next if still so.
        self._suspects: set[str] = set()

    async def sweep(self) -> int:
        """One pass: the number of thumbnails deleted (found unnamed by this pass and the last)."""
        unnamed = await self._unnamed()
        gone = sorted(unnamed & self._suspects)
        self._suspects = unnamed - set(gone)
        for key in gone:
            await self._blobs.delete(key)
        return len(gone)

    async def _unnamed(self) -> set[str]:
        stored = {key for key in await self._blobs.keys("photos/")
                  if _CONNECTION_THUMBNAIL.fullmatch(key)}  # fmt: skip
        if not stored:
            return set()
        named = self._db.execute(
            "SELECT thumbnail_key FROM provider_photo_facts WHERE thumbnail_key <> ''"
        ).rows
        return stored - {str(key) for (key,) in named}
