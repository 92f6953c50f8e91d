"""What is in an archive, and getting it back out: browse, one file, a zip, into a provider.

Browsing reads ``borg list --json-lines`` (only the asked folder's subtree). A single file is
streamed from ``borg extract --stdout`` with its size known from the listing. A folder leaves
the archive as ``borg export-tar ... -`` read by :class:`~syncoxide.backup.tar_reader.TarReader`
and rewritten on the fly either as a zip (:class:`~syncoxide.archive.zip_stream.ZipStream`) or
as provider writes: nothing is staged on the server's disk, memory stays at a few chunks.
"""

from __future__ import annotations

import posixpath
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass

from syncoxide.archive.zip_stream import ZipStream
from syncoxide.backup.borg_log import BorgEvent, PercentProgress
from syncoxide.backup.listing import ArchiveEntry, children
from syncoxide.backup.tar_reader import TarData, TarEvent, TarMember, TarMemberEnd, TarReader
from syncoxide.errors import NotFoundError, UsageError
from syncoxide.native.backup.process import EventSink
from syncoxide.native.backup.repository import BorgRepository
from syncoxide.providers.contract import Provider


def clean_archive_path(path: str) -> str:
    """``a/b`` for ``/a/b/``; borg stores paths relative, without ``.`` or ``..``."""
    parts = [p for p in path.strip().strip("/").split("/") if p]
    if any(p in {".", ".."} for p in parts):
        raise UsageError(f"{path!r} is not a path inside an archive.")
    return "/".join(parts)


async def entries_under(borg: BorgRepository, archive: str, path: str) -> list[ArchiveEntry]:
    """Every entry at or below ``path`` ("" for the whole archive)."""
    return [e async for e in borg.contents(archive, [path] if path else [])]


async def browse(borg: BorgRepository, archive: str, path: str) -> list[ArchiveEntry]:
    """The entries directly inside folder ``path``; ``NotFoundError`` if it is not there."""
    found = await entries_under(borg, archive, path)
    if path and not found:
        raise NotFoundError(f"There is no {path} in archive {archive}.")
    if path and len(found) == 1 and found[0].path == path and found[0].kind != "dir":
        raise UsageError(f"{path} is a file, not a folder.")
    return children(found, path)


async def one_file(borg: BorgRepository, archive: str, path: str) -> ArchiveEntry:
    match = [e for e in await entries_under(borg, archive, path) if e.path == path]
    if not match:
        raise NotFoundError(f"There is no {path} in archive {archive}.")
    if match[0].kind != "file":
        raise UsageError(f"{path} is not a file; download a folder as a zip.")
    return match[0]


async def tar_events(
    borg: BorgRepository, archive: str, path: str, *, on_event: EventSink | None = None
) -> AsyncGenerator[TarEvent, None]:
    reader = TarReader()
    async for chunk in borg.tar_bytes(archive, [path] if path else [], on_event=on_event):
        for event in reader.feed(chunk):
            yield event
    reader.close()


async def zip_bytes(borg: BorgRepository, archive: str, path: str) -> AsyncIterator[bytes]:
    """The folder ``path`` as a zip, names relative to the folder's parent (``Documents/...``).

    Regular files and folders go in; links, devices and fifos are left out (a zip cannot
    carry them portably)."""
    base = posixpath.dirname(path)
    stream = ZipStream()
    async with aclosing(tar_events(borg, archive, path)) as events:
        async for event in events:
            if isinstance(event, TarMember):
                name = posixpath.relpath(event.path, base) if base else event.path
                if event.kind == "dir":
                    yield stream.add_folder(name, event.mtime)
                elif event.kind == "file":
                    yield stream.start_file(name, event.mtime, event.mode)
            elif isinstance(event, TarData):
                yield stream.write(event.data)
    yield stream.close()


@dataclass
class RestoreTally:
    """How far a restore is. Totals come from the archive's listing before anything moves,
    the byte total confirmed by borg's own ``--progress`` (``progress_percent``, msgid
    ``extract``, whose total borg measures before it streams). Done counts what the provider
    was handed: bytes as they flow into its writes (so one big file shows progress too; borg's
    ``current`` runs ahead of them by what the pipes hold), files once their write finished."""

    files: int = 0
    bytes: int = 0
    files_total: int = 0
    bytes_total: int = 0
    counted: bool = False  # the totals are known

    def count(self, entries: Sequence[ArchiveEntry]) -> None:
        files = [e for e in entries if e.kind == "file"]
        self.files_total, self.bytes_total = len(files), sum(e.size for e in files)
        self.counted = True

    def borg_said(self, event: BorgEvent) -> None:
        if isinstance(event, PercentProgress) and event.operation == "extract" and event.total:
            self.bytes_total = event.total


async def count_restore(borg: BorgRepository, archive: str, path: str, tally: RestoreTally) -> None:
    """Fill in the totals of a restore about to start (``borg list --json-lines``), or raise
    ``NotFoundError`` if ``path`` is not in the archive, rather than "0 files restored"."""
    entries = await entries_under(borg, archive, path)
    if path and not entries:
        raise NotFoundError(f"There is no {path} in archive {archive}.")
    tally.count(entries)


async def restore_into(
    borg: BorgRepository,
    archive: str,
    path: str,
    *,
    provider: Provider,
    tally: RestoreTally,
) -> None:
    """Write the files of ``path`` into ``provider`` (its root is the destination folder),
    under their names relative to ``path``'s parent, as ``borg extract`` would lay them out.

    Each file is one ``provider.write`` fed straight from borg's stream; a provider write is
    atomic, so a stopped restore leaves whole files only. ``tally`` moves as it goes."""
    base = posixpath.dirname(path)
    streamed = tar_events(borg, archive, path, on_event=tally.borg_said)
    async with aclosing(streamed) as events:
        async for event in events:
            if not isinstance(event, TarMember):
                continue
            name = posixpath.relpath(event.path, base) if base else event.path
            if event.kind == "dir":
                await provider.mkdir(name)
            elif event.kind == "file":
                mtime_ns = int(event.mtime * 1_000_000_000)
                await provider.write(name, _member_bytes(events, tally), mtime_ns=mtime_ns)
                tally.files += 1


async def _member_bytes(
    events: AsyncIterator[TarEvent], tally: RestoreTally
) -> AsyncIterator[bytes]:
    """The current member's data, up to its end; the shared event stream moves on with it."""
    async for event in events:
        if isinstance(event, TarData):
            tally.bytes += len(event.data)
            yield event.data
        elif isinstance(event, TarMemberEnd):
            return
