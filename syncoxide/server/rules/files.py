"""One view of everything: files across all of a user's connections, listed on the server.

Each connection is walked through its provider (the same ``list_tree`` the sync engine
uses), all at once and each bounded in time; one that fails or is slow is reported beside the
results instead of failing the whole answer. ``query`` keeps paths containing it, ignoring
case; the answer stops at ``limit`` files and says when it did.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide.providers.contract import PARTIAL_PREFIX, EntryKind
from syncoxide.server.rules.connections import RECONNECT, Connections, close_provider
from syncoxide.server.rules.store import Connection

LIST_SECONDS = 30.0
_HIDDEN = (".syncoxide", PARTIAL_PREFIX)


@dataclass
class FileListing:
    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


def _shown(path: str) -> bool:
    return not any(part.startswith(_HIDDEN) for part in path.split("/"))


async def list_files(
    connections: Connections, chosen: list[Connection], query: str, limit: int
) -> FileListing:
    listing = FileListing()
    needle = query.casefold()

    async def walk(connection: Connection) -> None:
        if connection.state == RECONNECT:
            listing.errors.append(_error(connection, "Reconnect this connection to list it."))
            return
        try:
            await asyncio.wait_for(
                _walk(connections, connection, needle, limit=limit, into=listing), LIST_SECONDS
            )
        except SyncoxideError as error:
            listing.errors.append(_error(connection, str(error)))
        except TimeoutError:
            listing.errors.append(
                _error(connection, f"Listing took over {LIST_SECONDS:.0f} s; partial results.")
            )
        except Exception as error:  # one provider's failure must not hide the rest
            listing.errors.append(_error(connection, f"Could not be listed ({error})."))

    await asyncio.gather(*(walk(c) for c in chosen))
    listing.files.sort(key=lambda f: (f["connection"], f["path"]))
    if len(listing.files) > limit:
        listing.files, listing.truncated = listing.files[:limit], True
    return listing


async def _walk(
    connections: Connections, connection: Connection, needle: str, *, limit: int, into: FileListing
) -> None:
    provider = connections.provider(connection, "")
    found = 0
    try:
        async for page in provider.list_tree(prune=lambda path: not _shown(path)):
            for entry in page:
                if entry.kind is not EntryKind.FILE or not _shown(entry.path):
                    continue
                if needle and needle not in entry.path.casefold():
                    continue
                into.files.append(
                    {
                        "connection_id": connection.id,
                        "connection": connection.name,
                        "path": entry.path,
                        "size": entry.size,
                        "mtime": entry.mtime_ns // 1_000_000_000,
                    }
                )
                found += 1
            if found > limit:
                into.truncated = True
                return
    finally:
        await close_provider(provider)


def _error(connection: Connection, message: str) -> dict[str, Any]:
    return {"connection_id": connection.id, "connection": connection.name, "message": message}
