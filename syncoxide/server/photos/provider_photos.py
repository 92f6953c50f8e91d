"""Photos in the user's connections (WebDAV, S3, SFTP, Drive, Dropbox) for the Photos view.

Which photos there are comes from the catalog, the global view's index of every connection
(refreshed on its timer or when the user asks), so listing the view never lists a provider.
What each photo holds (capture date, shown size, pHash, thumbnail) is read once per
``version`` through the provider contract: the photo is downloaded to a temporary file, read
and dropped; the facts go to ``provider_photo_facts`` and the thumbnail to the blob store, so
later views and thumbnails cost no provider call. A provider that fails (credentials refused,
unreachable) is named in ``errors``; its photos already read stay in the view.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide.automation.actions import IMAGE_SUFFIXES, suffix_of
from syncoxide.catalog.model import FILE, CatalogEntry
from syncoxide.catalog.search import SearchQuery
from syncoxide.errors import ActionError, NotFoundError, SyncoxideError
from syncoxide.native.photos.facts import PhotoFacts, read_facts
from syncoxide.photos.timeline import EXIF, FILE_TIME, Photo
from syncoxide.providers.contract import Provider, chunks_of
from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.rules.connections import HOME, Connections, close_provider
from syncoxide.server.rules.store import Connection
from syncoxide.server.storage.database import Database
from syncoxide.server.storage.port import BlobStore

#: Photos larger than this are not downloaded to be read (listed as unreadable instead).
MAX_PHOTO_BYTES = 256 << 20
#: At most this many photos of one source are listed (a catalog search page).
MAX_LISTED = 100_000
NOT_SUPPORTED = frozenset({"heic", "heif", "avif", "cr2", "cr3", "nef", "arw", "dng", "orf", "rw2"})
_SUFFIXES = tuple(sorted(IMAGE_SUFFIXES | NOT_SUPPORTED))

FileTime = Callable[[int], str]


@dataclass
class SourcePhotos:
    """What the connections add to the view, and what is left to read."""

    photos: list[Photo] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    not_supported: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pending: int = 0


def version_of(entry: CatalogEntry) -> str:
    return entry.content_hash or f"{entry.size}:{entry.mtime_ns}"


class ProviderPhotos:
    def __init__(
        self,
        db: Database,
        *,
        catalog: CatalogService,
        connections: Connections,
        blobs: BlobStore,
        file_time: FileTime,
    ) -> None:
        self._db = db
        self.catalog = catalog
        self.connections = connections
        self.blobs = blobs
        self.file_time = file_time
        self._reading = asyncio.Semaphore(2)

    async def index(self, user_id: int, budget: int) -> SourcePhotos:
        """Every photo the catalog lists in the user's connections; at most ``budget`` not
        read before are read now (the rest are ``pending``)."""
        found = SourcePhotos()
        listed = await self._listed(user_id)
        known = self._known(user_id)
        fresh: dict[str, list[CatalogEntry]] = defaultdict(list)
        for entry in listed:
            if suffix_of(entry.path) in NOT_SUPPORTED:
                found.not_supported.append(entry.location)
            elif known.get((entry.source, entry.path), ("",))[0] != version_of(entry):
                fresh[entry.source].append(entry)
        budget_left = budget
        for source, entries in fresh.items():
            now, later = entries[:budget_left], entries[budget_left:]
            budget_left -= len(now)
            found.pending += len(later)
            if now:
                await self._read_source(user_id, source, now, found.errors)
        known = self._known(user_id)
        for entry in listed:
            row = known.get((entry.source, entry.path))
            if row is None or row[0] != version_of(entry) or suffix_of(entry.path) in NOT_SUPPORTED:
                continue
            if row[1]:
                found.unreadable.append(entry.location)
            else:
                found.photos.append(_photo(entry, row))
        return found

    async def connection_deleted(self, connection: Connection) -> None:
        """Forget what was read of a deleted connection's photos: their facts and thumbnails
        (one of kind ``home`` is the server's own storage, whose photos are not kept here)."""
        if connection.kind == HOME:
            return
        removed = self._db.execute(
            "DELETE FROM provider_photo_facts WHERE user_id = ? AND source = ?"
            " RETURNING thumbnail_key",
            (connection.user_id, connection.name),
        ).rows
        for (key,) in removed:
            if key:
                await self.blobs.delete(str(key))

    async def thumbnail(self, user_id: int, source: str, path: str) -> AsyncIterator[bytes]:
        entry = await self.catalog.store.entry(user_id, source, path)
        if entry is None or entry.kind != FILE:
            raise NotFoundError(
                f"{source}:{path} is not in the index of your connections.",
                hint="Refresh the index (Files view, or syncoxide files ls --refresh).",
            )
        key = self._thumbnail_key(user_id, entry)
        if key is None:
            errors: list[str] = []
            await self._read_source(user_id, source, [entry], errors)
            key = self._thumbnail_key(user_id, entry)
            if key is None:
                reason = errors[0] if errors else "it could not be read as an image"
                raise ActionError(f"{source}:{path} has no thumbnail: {reason}")
        return self.blobs.read(key, 1 << 16, 0, None)

    async def _listed(self, user_id: int) -> list[CatalogEntry]:
        sources = tuple(c.name for c in await self._connections(user_id))
        if not sources:
            return []
        query = SearchQuery(sources=sources, extensions=_SUFFIXES, kind=FILE)
        return list(await self.catalog.search_query(user_id, query, MAX_LISTED))

    async def _connections(self, user_id: int) -> list[Connection]:
        return [c for c in await self.connections.store.connections(user_id) if c.kind != HOME]

    async def _read_source(
        self, user_id: int, source: str, entries: list[CatalogEntry], errors: list[str]
    ) -> None:
        connection = next((c for c in await self._connections(user_id) if c.name == source), None)
        if connection is None:
            return  # deleted since the index was made
        try:
            provider = self.connections.provider(connection, "")
        except SyncoxideError as error:
            errors.append(f"{source}: {error}")
            return
        try:
            for entry in entries:
                await self._read(user_id, provider, entry)
        except SyncoxideError as error:  # credentials refused, unreachable: the rest waits
            errors.append(f"{source}: {error}")
        finally:
            await close_provider(provider)

    async def _read(self, user_id: int, provider: Provider, entry: CatalogEntry) -> None:
        if entry.size > MAX_PHOTO_BYTES:
            self._remember(user_id, entry, error=f"larger than {MAX_PHOTO_BYTES >> 20} MiB")
            return
        async with self._reading:
            with tempfile.NamedTemporaryFile(suffix="." + suffix_of(entry.path)) as copy:
                try:
                    async for piece in provider.open_read(entry.path):
                        copy.write(piece)
                except NotFoundError:
                    return  # gone since the index was made: the next refresh drops it
                copy.flush()
                try:
                    facts = await asyncio.to_thread(read_facts, Path(copy.name))
                except ActionError as error:
                    self._remember(user_id, entry, error=str(error))
                    return
        await self._keep(user_id, entry, facts)

    async def _keep(self, user_id: int, entry: CatalogEntry, facts: PhotoFacts) -> None:
        named = "\0".join((entry.source, entry.path, version_of(entry))).encode()
        key = f"photos/u{user_id}/p{hashlib.sha256(named).hexdigest()}"
        await self.blobs.put(key, chunks_of(facts.thumbnail))
        taken, taken_from = facts.taken, EXIF
        if not taken:
            taken, taken_from = self.file_time(entry.mtime_ns), FILE_TIME
        values = (taken, taken_from, facts.width, facts.height, facts.phash, key)
        self._remember(user_id, entry, values=values)

    def _thumbnail_key(self, user_id: int, entry: CatalogEntry) -> str | None:
        row = self._db.execute(
            "SELECT thumbnail_key FROM provider_photo_facts WHERE user_id = ? AND source = ?"
            " AND path = ? AND version = ? AND error = ''",
            (user_id, entry.source, entry.path, version_of(entry)),
        ).one()
        return None if row is None else str(row[0])

    def _known(self, user_id: int) -> dict[tuple[str, str], tuple[str, ...]]:
        rows = self._db.execute(
            "SELECT source, path, version, error, taken, taken_from, width, height, phash"
            " FROM provider_photo_facts WHERE user_id = ?",
            (user_id,),
        ).rows
        return {(row[0], row[1]): tuple(str(value) for value in row[2:]) for row in rows}

    def _remember(
        self,
        user_id: int,
        entry: CatalogEntry,
        *,
        values: tuple[str, str, int, int, str, str] = ("", "", 0, 0, "", ""),
        error: str = "",
    ) -> None:
        self._db.execute(
            "INSERT INTO provider_photo_facts (user_id, source, path, version, size,"
            " taken, taken_from, width, height, phash, thumbnail_key, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, source, path) DO UPDATE SET version = excluded.version,"
            " size = excluded.size, taken = excluded.taken, taken_from = excluded.taken_from,"
            " width = excluded.width, height = excluded.height, phash = excluded.phash,"
            " thumbnail_key = excluded.thumbnail_key, error = excluded.error",
            (user_id, entry.source, entry.path, version_of(entry), entry.size, *values, error),
        )


def _photo(entry: CatalogEntry, row: tuple[str, ...]) -> Photo:
    _, _, taken, taken_from, width, height, phash = row
    return Photo(entry.source, entry.path, taken, taken_from, int(width), int(height),
                 entry.size, entry.content_hash, phash)  # fmt: skip
