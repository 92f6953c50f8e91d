"""A provider's files as a tar stream for ``borg import-tar``: one read per object, no copy.

The provider is listed first (metadata only, sorted by path so archives list in a stable
order), then each file is read once and framed by :mod:`syncoxide.backup.tar_stream` as its
bytes arrive.

Small files are read ahead: while one file is streamed, the next few small ones (up to
``READ_AHEAD_FILES`` of at most ``READ_AHEAD_SIZE`` each, together at most ``READ_AHEAD_BYTES``
by their listed sizes) are already being read, whole, so a store's per-object latency is paid
in parallel rather than once per file in turn (10,000 small objects from S3: one GET at a time,
then eight, now up to 32 in flight: bench/backup_provider.py). Bigger files stream in their
turn. Memory stays at the listing, one chunk, and about ``READ_AHEAD_BYTES`` (8 MiB) of files
read ahead, whatever the backup's size or the size of its files.

A tar header carries the size and mtime before the bytes. Where the provider ``StatsOnRead``
(S3), the listing asks nothing per file and each read's reply gives the entry of the very
version it reads (its headers come before its body): the header is written from that, so a
file changed since the listing is saved as read, with its own size and mtime, and named in
``TarTally.changed``; on S3 that halved the requests of a first backup (no HEAD per object).
Elsewhere a small file is framed with its listed entry and a bigger one is looked up again just
before it streams. A small file whose bytes do not match its entry, or that vanished, is
skipped and named in ``TarTally.skipped`` (the next run takes its new version), and the rest
of the backup goes on. A bigger file that changes during its own read stops the stream with
``IntegrityError`` (borg is stopped without committing the archive; nothing earlier in the
repository is touched).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from syncoxide.backup import tar_stream
from syncoxide.errors import IntegrityError, NotFoundError
from syncoxide.providers.contract import Entry, EntryKind, OpenedFile, Provider, StatsOnRead

READ_AHEAD_FILES = 32
READ_AHEAD_SIZE = 1 << 20
READ_AHEAD_BYTES = 8 << 20


@dataclass
class TarTally:
    """What went into the stream (borg 1.2's own file count for import-tar double-counts)."""

    files: int = 0
    folders: int = 0
    bytes: int = 0
    #: Files left out because they changed or vanished between the listing and their read.
    skipped: list[str] = field(default_factory=list)
    #: Files saved as their read found them, another version than the listing showed.
    changed: list[str] = field(default_factory=list)


async def listed_entries(provider: Provider) -> list[Entry]:
    lister = provider.list_tree_listed if isinstance(provider, StatsOnRead) else provider.list_tree
    entries = [e async for page in lister() for e in page]
    wanted = (EntryKind.FILE, EntryKind.DIR)
    return sorted((e for e in entries if e.kind in wanted), key=lambda e: e.path)


@asynccontextmanager
async def _closed_after(
    chunks: AsyncIterator[bytes],
) -> AsyncGenerator[AsyncIterator[bytes], None]:
    """``chunks``, closed on the way out even when left early: a ``break`` alone would leave a
    provider's read (and its connection) open until garbage collection."""
    try:
        yield chunks
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


@asynccontextmanager
async def _listed_read(provider: Provider, entry: Entry) -> AsyncGenerator[OpenedFile, None]:
    async with _closed_after(provider.open_read(entry.path)) as chunks:
        yield OpenedFile(entry, chunks)


class ReadAhead:
    """Whole reads of the next few small files, started while earlier files are streamed."""

    def __init__(self, provider: Provider, entries: list[Entry]) -> None:
        self.provider = provider
        # Asked once: isinstance on a runtime-checkable protocol looks up every member, and
        # once per file it cost more CPU than the HEADs it spares on a "nothing changed" run.
        self.stats_on_read = provider if isinstance(provider, StatsOnRead) else None
        self._entries = entries
        self._reads: dict[int, asyncio.Task[tuple[Entry, list[bytes]]]] = {}
        self._next = 0  # the first index not yet considered for reading ahead
        self._held = 0  # listed bytes of the reads started and not yet taken

    def start(self, index: int) -> None:
        """Read ahead the small files among ``entries[index : index + READ_AHEAD_FILES]``
        while their listed sizes fit in ``READ_AHEAD_BYTES`` (the file due now always may)."""
        self._next = max(self._next, index)
        while self._next < min(index + READ_AHEAD_FILES, len(self._entries)):
            entry = self._entries[self._next]
            if entry.kind is EntryKind.FILE and entry.size <= READ_AHEAD_SIZE:
                if self._next > index and self._held + entry.size > READ_AHEAD_BYTES:
                    return  # the window is full: this file is considered again next time
                self._reads[self._next] = asyncio.ensure_future(self._whole(entry))
                self._held += entry.size
            self._next += 1

    def opened(self, listed: Entry) -> AbstractAsyncContextManager[OpenedFile]:
        """The file's read and the entry its tar header is written from: the read's own where
        the provider ``StatsOnRead``, else the listed one (bigger files: ``_looked_up``)."""
        if self.stats_on_read is not None:
            return self.stats_on_read.open_file(listed.path)
        return _listed_read(self.provider, listed)

    async def _whole(self, listed: Entry) -> tuple[Entry, list[bytes]]:
        chunks, size = [], 0
        async with self.opened(listed) as reading:
            async for chunk in reading.chunks:
                chunks.append(chunk)
                size += len(chunk)
                if size > reading.entry.size:  # more than its entry says: enough to tell
                    break
        return reading.entry, chunks

    async def read_whole(self, index: int) -> tuple[Entry, list[bytes]] | None:
        """The file's entry and chunks if it was read ahead (None if it streams in its turn);
        raises the read's error, such as ``NotFoundError`` for a file deleted since the
        listing."""
        read = self._reads.pop(index, None)
        if read is None:
            return None
        self._held -= self._entries[index].size
        return await read

    async def cancel(self) -> None:
        """Stop the reads still running (the stream was stopped before their turn)."""
        reads = list(self._reads.values())
        self._reads.clear()
        self._held = 0
        for read in reads:
            read.cancel()
        # Their outcomes (cancelled, or a failure nobody will read) are moot now; a
        # cancellation of this task itself still goes through.
        await asyncio.gather(*reads, return_exceptions=True)


async def provider_tar(
    provider: Provider,
    tally: TarTally | None = None,
    on_file: Callable[[Entry], None] | None = None,
) -> AsyncIterator[bytes]:
    tally = tally if tally is not None else TarTally()
    entries = await listed_entries(provider)
    ahead = ReadAhead(provider, entries)
    try:
        for index, listed in enumerate(entries):
            if listed.kind is EntryKind.DIR:
                yield tar_stream.folder_header(listed.path, listed.mtime_ns / 1e9)
                tally.folders += 1
                continue
            ahead.start(index)
            saved: list[Entry] = []
            try:
                whole = await ahead.read_whole(index)
                member = _streamed(ahead, listed, saved) if whole is None else _whole(*whole)
                async for block in member:
                    yield block
            except (_Skipped, NotFoundError):  # raised only before the file's header went out
                tally.skipped.append(listed.path)
                continue
            entry = saved[0] if saved else whole[0] if whole else listed
            _count(tally, listed, entry)
            if on_file is not None:
                on_file(entry)
        yield tar_stream.END
    finally:
        await ahead.cancel()


def _count(tally: TarTally, listed: Entry, saved: Entry) -> None:
    tally.files += 1
    tally.bytes += saved.size
    if saved.size != listed.size or (listed.etag and saved.etag and listed.etag != saved.etag):
        tally.changed.append(listed.path)


class _Skipped(Exception):
    """A file changed between the listing and its read, found before its header went out."""


async def _whole(entry: Entry, chunks: list[bytes]) -> AsyncIterator[bytes]:
    if sum(map(len, chunks)) != entry.size:
        raise _Skipped(entry.path)
    yield tar_stream.file_header(entry.path, entry.size, entry.mtime_ns / 1e9)
    for chunk in chunks:
        yield chunk
    yield tar_stream.padding(entry.size)


@asynccontextmanager
async def _looked_up(ahead: ReadAhead, listed: Entry) -> AsyncGenerator[OpenedFile, None]:
    """A bigger file's read: with its entry from the read itself, or looked up just before."""
    if ahead.stats_on_read is not None:
        async with ahead.opened(listed) as reading:
            yield reading
        return
    now = await ahead.provider.stat(listed.path)
    if now.kind is not EntryKind.FILE:
        raise _Skipped(now.path)
    async with _listed_read(ahead.provider, now) as reading:
        yield reading


async def _streamed(ahead: ReadAhead, listed: Entry, saved: list[Entry]) -> AsyncIterator[bytes]:
    """A bigger file, framed with its entry as its read begins (put in ``saved``); it may only
    change during its own read, which stops the stream (the header already promised the size)."""
    async with _looked_up(ahead, listed) as reading:
        now = reading.entry
        saved.append(now)
        yield tar_stream.file_header(now.path, now.size, now.mtime_ns / 1e9)
        sent = 0
        try:
            async for chunk in reading.chunks:
                sent += len(chunk)
                if sent > now.size:
                    break
                yield chunk
        except NotFoundError:
            sent = -1  # deleted during its read: the header is out, so the stream must stop
    if sent != now.size:
        how = "was deleted" if sent < 0 else f"changed ({now.size} bytes when its read began)"
        raise IntegrityError(
            f"{now.path} {how} while it was being backed up.",
            hint="The archive was not saved; the next run backs up the new version.",
        )
    yield tar_stream.padding(now.size)
