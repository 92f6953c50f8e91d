"""Versions a connected provider keeps of a file itself (S3 object versions, Google Drive and
Dropbox revisions), and bringing one back: the provider-side half of a file's history, beside
the versions this server keeps of its own storage (files/recovery.py).

Nothing is kept on the server: the versions are listed from the provider when asked, and a
restore is the provider's own (for S3 a server-side copy of the old version onto the key, for
Dropbox its restore call, for Drive the old revision uploaded as the new content), so every
later version, including the one replaced, is still kept. The restored file is written to
the index at once and counts as the user's activity, as a restore on server storage does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import HOME, CatalogEntry, Location, from_listing
from syncoxide.catalog.port import Activity
from syncoxide.errors import NotFoundError, UsageError
from syncoxide.providers.contract import KeepsVersions, ProviderVersion
from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.rules.connections import close_provider


async def provider_versions(
    catalog: CatalogService, user_id: int, place: Location
) -> list[ProviderVersion]:
    """The versions ``place``'s provider keeps of its file, newest first."""
    async with _history_of(catalog, user_id, place.source) as history:
        return await history.versions(place.path)


async def restore_provider_version(
    catalog: CatalogService, user_id: int, place: Location, *, version_id: str
) -> CatalogEntry:
    """Make that version current on the provider; the index and Recent learn of it."""
    source, path = place.source, place.path
    async with _history_of(catalog, user_id, source) as history:
        restored = await history.restore_version(path, version_id)
    entry = from_listing(source, restored)
    assert entry is not None  # a restored version is a file
    await catalog.store.apply(user_id, source, IndexChanges(upserts=(entry,)))
    await catalog.store.record(user_id, Activity(source, path, "restored", catalog.clock()))
    return entry


@asynccontextmanager
async def _history_of(
    catalog: CatalogService, user_id: int, source: str
) -> AsyncIterator[KeepsVersions]:
    if source == HOME:
        raise UsageError(
            "Versions of your files on this server are kept by the server itself.",
            hint="Ask /catalog/versions?path=... for them.",
        )
    connections = catalog.connections
    found = None
    if connections is not None:
        mine = await connections.store.connections(user_id)
        found = next((c for c in mine if c.name == source), None)
    if connections is None or found is None:
        raise NotFoundError(
            f"You have no provider named {source!r}.",
            hint="Use a connection's name, as in PROVIDER:path.",
        )
    provider = connections.provider(found, "")
    try:
        if not isinstance(provider, KeepsVersions):
            raise UsageError(
                f"{source} ({found.kind}) keeps no versions of its own that syncoxide can read.",
                hint="Provider-side history is read from Google Drive, Dropbox and S3 buckets"
                " with versioning on.",
            )
        yield provider
    finally:
        await close_provider(provider)
