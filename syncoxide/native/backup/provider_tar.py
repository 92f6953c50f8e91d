"""A provider's files as a tar stream for ``borg import-tar``: one read per object, no copy.

The provider is listed first (metadata only, sorted by path so archives list in a stable
order), then each file is read once with ``open_read`` and framed by
:mod:`syncoxide.backup.tar_stream` as its bytes arrive. Memory stays at one chunk plus the
listing, whatever the size of the backup.

A tar header carries the size before the bytes, so a file whose size changed between the
listing and the read cannot be stored as it is now: the stream stops with ``IntegrityError``,
borg is stopped without committing the archive, and the next scheduled run takes the new
version. Nothing earlier in the repository is touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from syncoxide.backup import tar_stream
from syncoxide.errors import IntegrityError
from syncoxide.providers.contract import Entry, EntryKind, Provider


@dataclass
class TarTally:
    """What went into the stream (borg 1.2's own file count for import-tar double-counts)."""

    files: int = 0
    folders: int = 0
    bytes: int = 0


async def listed_entries(provider: Provider) -> list[Entry]:
    entries = [e async for page in provider.list_tree() for e in page]
    wanted = (EntryKind.FILE, EntryKind.DIR)
    return sorted((e for e in entries if e.kind in wanted), key=lambda e: e.path)


async def provider_tar(
    provider: Provider,
    tally: TarTally | None = None,
    on_file: Callable[[Entry], None] | None = None,
) -> AsyncIterator[bytes]:
    tally = tally if tally is not None else TarTally()
    for entry in await listed_entries(provider):
        mtime = entry.mtime_ns / 1e9
        if entry.kind is EntryKind.DIR:
            yield tar_stream.folder_header(entry.path, mtime)
            tally.folders += 1
            continue
        yield tar_stream.file_header(entry.path, entry.size, mtime)
        sent = 0
        async for chunk in provider.open_read(entry.path):
            sent += len(chunk)
            if sent > entry.size:
                break
            yield chunk
        if sent != entry.size:
            raise IntegrityError(
                f"{entry.path} changed while it was being backed up "
                f"(listed as {entry.size} bytes, read {sent}).",
                hint="The archive was not saved; the next run backs up the new version.",
            )
        yield tar_stream.padding(entry.size)
        tally.files += 1
        tally.bytes += entry.size
        if on_file is not None:
            on_file(entry)
    yield tar_stream.END
