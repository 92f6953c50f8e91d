"""Photos of a user's server storage and connections: facts read once per content and
cached, thumbnails in the blob store, the timeline, folders, exact and near duplicates, and
"keep best" (server storage only: it goes through the trash, which providers lack here).

Facts are read lazily: a request reads at most ``batch`` photos it has not seen (the answer
says how many are still ``pending``, and the next request goes on), two at a time in threads;
the server storage first, then the connections (``provider_photos.py``).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from syncoxide.automation.actions import IMAGE_SUFFIXES, suffix_of
from syncoxide.errors import ActionError, SyncoxideError
from syncoxide.native.photos.facts import read_facts
from syncoxide.photos.timeline import EXIF, FILE_TIME, Photo, file_time
from syncoxide.providers.contract import chunks_of
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import FILE, StoredEntry
from syncoxide.server.photos.provider_photos import ProviderPhotos, SourcePhotos
from syncoxide.server.storage.database import Database

PAGE = 1000
HOME = "home"
#: Photos no library here reads: listed as not supported rather than left out in silence.
NOT_SUPPORTED = frozenset({"heic", "heif", "avif", "cr2", "cr3", "nef", "arw", "dng", "orf", "rw2"})


@dataclass
class PhotoIndex:
    photos: list[Photo]
    pending: int
    unreadable: list[str]
    not_supported: list[str]
    errors: list[str]


class PhotoService:
    def __init__(
        self,
        db: Database,
        files: FileService,
        batch: int = 200,
        providers: ProviderPhotos | None = None,
    ) -> None:
        self._db = db
        self.files = files
        self.batch = batch
        self.providers = providers
        self._reading = asyncio.Semaphore(2)

    async def index(self, user_id: int) -> PhotoIndex:
        """The server storage's photos and then the connections' (``source`` tells them
        apart); ``batch`` new ones at most are read per call, over both."""
        home, read = await self._home_index(user_id)
        if self.providers is None:
            return home
        budget = max(self.batch - read, 0)
        more = await self.providers.index(user_id, budget)
        return _joined(home, more)

    async def thumbnail(self, user_id: int, path: str, source: str = HOME) -> AsyncIterator[bytes]:
        """The cached thumbnail's bytes, made now if this content has none yet."""
        if source == HOME:
            return await self._home_thumbnail(user_id, path)
        if self.providers is None:
            raise ActionError(f"{source}:{path}: this server shows no photos of connections.")
        return await self.providers.thumbnail(user_id, source, path)

    async def _home_index(self, user_id: int) -> tuple[PhotoIndex, int]:
        """The storage's photos, and how many of them were read now."""
        every = self._subtree(user_id)
        entries = [e for e in every if suffix_of(e.path) in IMAGE_SUFFIXES]
        not_supported = [e.path for e in every if suffix_of(e.path) in NOT_SUPPORTED]
        known = self._known(user_id)
        fresh = [e for e in entries if known.get(e.path, ("",))[0] != e.sha256]
        await asyncio.gather(*(self._read(user_id, entry) for entry in fresh[: self.batch]))
        known = self._known(user_id)
        photos, unreadable = [], []
        for entry in entries:
            row = known.get(entry.path)
            if row is None or row[0] != entry.sha256:
                continue
            if row[1]:
                unreadable.append(entry.path)
                continue
            photos.append(_photo(entry, row))
        pending = max(len(fresh) - self.batch, 0)
        read = min(len(fresh), self.batch)
        return PhotoIndex(photos, pending, unreadable, not_supported, []), read

    async def _home_thumbnail(self, user_id: int, path: str) -> AsyncIterator[bytes]:
        entry = self.files.file(user_id, path)
        key = self._thumbnail_key(user_id, entry)
        if key is None:
            await self._read(user_id, entry)
            key = self._thumbnail_key(user_id, entry)
        if key is None:
            raise ActionError(f"{path!r} could not be read as an image; it has no thumbnail.")
        return self.files.blobs.read(key, 1 << 16, 0, None)

    def _thumbnail_key(self, user_id: int, entry: StoredEntry) -> str | None:
        row = self._db.execute(
            "SELECT thumbnail_key FROM photo_facts"
            " WHERE user_id = ? AND path = ? AND sha256 = ? AND error = ''",
            (user_id, entry.path, entry.sha256),
        ).one()
        return None if row is None else str(row[0])

    async def keep_best(self, user_id: int, keep: str, others: list[str]) -> list[str]:
        """Move ``others`` to the trash (restorable), keeping ``keep``; the paths moved."""
        self.files.file(user_id, keep)  # it must exist: never trash every copy by mistake
        moved = []
        for path in others:
            if path != keep:
                await self.files.delete(user_id, path, recursive=False)
                moved.append(path)
        return moved

    def _subtree(self, user_id: int) -> list[StoredEntry]:
        entries: list[StoredEntry] = []
        while page := self.files.store.listing(
            user_id, "", after=entries[-1].path if entries else "", limit=PAGE, recursive=True
        ):
            entries += page
        return [e for e in entries if e.kind == FILE]

    def _known(self, user_id: int) -> dict[str, tuple[str, ...]]:
        rows = self._db.execute(
            "SELECT path, sha256, error, taken, taken_from, width, height, phash"
            " FROM photo_facts WHERE user_id = ?",
            (user_id,),
        ).rows
        return {row[0]: tuple(str(value) for value in row[1:]) for row in rows}

    async def _read(self, user_id: int, entry: StoredEntry) -> None:
        async with self._reading:
            with tempfile.NamedTemporaryFile(suffix="." + suffix_of(entry.path)) as copy:
                async for piece in self.files.read(entry, 0, entry.size):
                    copy.write(piece)
                copy.flush()
                try:
                    facts = await asyncio.to_thread(read_facts, Path(copy.name))
                except SyncoxideError as error:
                    self._remember(user_id, entry, error=str(error))
                    return
            key = f"photos/u{user_id}/{entry.sha256}"
            await self.files.blobs.put(key, chunks_of(facts.thumbnail))
            taken, source = facts.taken, EXIF
            if not taken:
                taken, source = file_time(entry.mtime_ns), FILE_TIME
            values = (taken, source, facts.width, facts.height, facts.phash, key)
            self._remember(user_id, entry, values=values)

    def _remember(
        self,
        user_id: int,
        entry: StoredEntry,
        *,
        values: tuple[str, str, int, int, str, str] = ("", "", 0, 0, "", ""),
        error: str = "",
    ) -> None:
        self._db.execute(
            "INSERT INTO photo_facts (user_id, path, sha256, size, taken, taken_from, width,"
            " height, phash, thumbnail_key, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, path) DO UPDATE SET sha256 = excluded.sha256,"
            " size = excluded.size, taken = excluded.taken, taken_from = excluded.taken_from,"
            " width = excluded.width, height = excluded.height, phash = excluded.phash,"
            " thumbnail_key = excluded.thumbnail_key, error = excluded.error",
            (user_id, entry.path, entry.sha256, entry.size, *values, error),
        )


def _joined(home: PhotoIndex, more: SourcePhotos) -> PhotoIndex:
    return PhotoIndex(
        home.photos + more.photos,
        home.pending + more.pending,
        home.unreadable + more.unreadable,
        home.not_supported + more.not_supported,
        more.errors,
    )


def _photo(entry: StoredEntry, row: tuple[str, ...]) -> Photo:
    _, _, taken, taken_from, width, height, phash = row
    return Photo(HOME, entry.path, taken, taken_from, int(width), int(height), entry.size,
                 entry.sha256, phash)  # fmt: skip
