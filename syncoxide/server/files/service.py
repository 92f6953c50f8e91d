"""Each user's own files on this server: what the files API, the tus uploads and server-side
rules call, apart from HTTP.

Bytes arrive two ways and are hashed (SHA-1 and SHA-256) as they do, never read again:
``put`` streams a small body to a file in ``incoming/``; a finished tus upload is committed
with ``commit_upload``. Either way the finished file is moved (renamed) into the blob store
and only then recorded under its name, so an interrupted upload leaves nothing under the final
name, and a digest the client expected but did not get commits nothing.

One quota covers a user's files and their links (``SYNCOXIDE_LINK_QUOTA_BYTES``): an upload
that would go over it is refused before its bytes are kept.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import hashlib
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from syncoxide.errors import (
    AlreadyExistsError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    SyncoxideError,
    TransportError,
    UsageError,
)
from syncoxide.server.files.changes import (
    MADE_FOLDER,
    MOVED,
    OPENED,
    REMOVED,
    WRITTEN,
    ChangeFanout,
    FileChange,
)
from syncoxide.server.files.history import HistoryStore
from syncoxide.server.files.mtimes import check_given_mtime, committed_mtime
from syncoxide.server.files.names import checked_path
from syncoxide.server.files.store import DIR, FILE, FileStore, StoredEntry, parents_of
from syncoxide.server.storage.owner_only import create_owner_only, mkdir_owner_only
from syncoxide.server.storage.port import BlobStore, DuplicateError
from syncoxide.server.storage.quota import NO_QUOTA, Quota
from syncoxide.server.tus import Upload, Uploads
from syncoxide.server.tus.headers import TusRequestError
from syncoxide.units import counted

UPLOAD_SCOPE = "files:user:{}"


class QuotaExceededError(ProviderError):
    """An upload would take the user over their storage quota; nothing of it was kept."""

    code = "quota_exceeded"


class StorageFullError(ProviderError):
    """The server's disk is full; the upload was not kept."""

    code = "storage_full"


@contextmanager
def _disk_full_said_plainly(path: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise StorageFullError(
            f"The server's disk is full: {path!r} was not stored.",
            hint="Nothing half-written was kept, and the previous version (if any) is intact."
            " Tell the server's admin, or try again later.",
        ) from None


@dataclass(frozen=True)
class Received:
    """A finished file, not yet under any name: ``become(key)`` makes its bytes that blob
    (a file on the server's disk adopted, or a finished upload handed over)."""

    become: Callable[[str], Awaitable[object]]
    size: int
    sha1: str
    sha256: str


class FileService:
    def __init__(
        self,
        *,
        store: FileStore,
        blobs: BlobStore,
        uploads: Uploads,
        incoming: Path,
        quota: Quota = NO_QUOTA,
        history: HistoryStore | None = None,
        clock: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        self.store = store
        self.blobs = blobs
        self.uploads = uploads
        self.incoming = incoming
        self.quota = quota
        #: Told of every change after it is committed (the catalog keeps its index by it).
        self.changes = ChangeFanout()
        #: Where overwritten and deleted files go (None: they are gone at once).
        self.history = history
        #: Why the API may not write a path for a user (a folder shared with them read-only),
        #: or None. Only the API asks: the server's own syncing writes through providers.
        self.api_write_refused: Callable[[int, str], str | None] = lambda _user, _path: None
        self.clock = clock
        #: Stamps a file stored without a modification time (``mtimes``); in nanoseconds, as
        #: two same-size writes within a second must still get different times.
        self.clock_ns: Callable[[], int] = time.time_ns
        mkdir_owner_only(incoming)
        for leftover in incoming.glob("*.part"):  # bodies cut off by a crash: never named
            leftover.unlink(missing_ok=True)

    def check_api_write(self, user_id: int, *paths: str) -> None:
        """``PermissionDeniedError`` if the API may not write any of ``paths`` for the user."""
        for path in paths:
            reason = self.api_write_refused(user_id, path)
            if reason is not None:
                raise PermissionDeniedError(reason, hint="Ask its owner to make the change.")

    # -- reading ----------------------------------------------------------------------

    def entry(self, user_id: int, path: str) -> StoredEntry:
        path = checked_path(path, root_ok=True)
        if path == "":
            return StoredEntry("", DIR)
        found = self.store.get(user_id, path)
        if found is None:
            raise NotFoundError(f"{path!r} does not exist in your files.")
        return found

    def listing(
        self, user_id: int, folder: str, *, after: str, limit: int, recursive: bool
    ) -> list[StoredEntry]:
        if self.entry(user_id, folder).kind != DIR:
            raise UsageError(f"{folder!r} is a file; list the folder that holds it.")
        return self.store.listing(user_id, folder, after=after, limit=limit, recursive=recursive)

    def file(self, user_id: int, path: str) -> StoredEntry:
        found = self.entry(user_id, path)
        if found.kind != FILE:
            raise UsageError(f"{path!r} is a folder, not a file.")
        return found

    def read(self, file: StoredEntry, start: int, length: int) -> AsyncIterator[bytes]:
        return self.blobs.read(file.blob_key, 1 << 20, start, length)

    # -- quota ------------------------------------------------------------------------

    async def room(self, user_id: int) -> int | None:
        """How many more bytes the user may store, or None without a quota."""
        return await self.quota.room(user_id, self.store.bytes_of_user(user_id))

    async def check_room(self, user_id: int, size: int, replacing: str = "") -> None:
        room = await self.room(user_id)
        if room is None:
            return
        old = self.store.get(user_id, replacing) if replacing else None
        room += old.size if old is not None and old.kind == FILE else 0
        if size > room:
            raise QuotaExceededError(
                f"This upload ({counted(size, 'byte')}) would go over your storage quota "
                f"({counted(room, 'byte')} left).",
                hint="Nothing of it was kept. Delete files or old links, or ask for more room.",
            )

    # -- writing ----------------------------------------------------------------------

    async def put(
        self,
        user_id: int,
        path: str,
        body: AsyncIterator[bytes],
        *,
        mtime_ns: int | None,
        expected_sha1: str | None,
    ) -> StoredEntry:
        """Store a streamed body under ``path``; nothing is named unless every byte arrived.

        ``mtime_ns`` None stamps the file with the moment it is committed.
        """
        path = checked_path(path)
        check_given_mtime(mtime_ns, self.clock_ns())  # before any byte is received
        self._check_not_folder(user_id, path)
        with _disk_full_said_plainly(path):
            received, target = await self._receive(user_id, path, body)
            try:
                return await self._keep(
                    user_id, path, received, mtime_ns=mtime_ns, expected_sha1=expected_sha1
                )
            finally:
                target.unlink(missing_ok=True)

    async def _receive(
        self, user_id: int, path: str, body: AsyncIterator[bytes]
    ) -> tuple[Received, Path]:
        room = await self.room(user_id)
        old = self.store.get(user_id, path)
        if room is not None and old is not None and old.kind == FILE:
            room += old.size
        target = self.incoming / f"{secrets.token_hex(12)}.part"
        sha1, sha256, size = hashlib.sha1(), hashlib.sha256(), 0  # noqa: S324 - a content id
        try:
            with create_owner_only(target) as out:
                async for chunk in body:
                    size += len(chunk)
                    if room is not None and size > room:
                        await self.check_room(user_id, size, path)
                    out.write(chunk)
                    sha1.update(chunk)
                    sha256.update(chunk)
                out.flush()
                # Durable off the event loop: the blob store's own fsync then finds nothing to
                # write, so other requests are not held up behind this disk.
                await asyncio.to_thread(os.fsync, out.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        adopt = functools.partial(self.blobs.adopt, path=target)
        return Received(adopt, size, sha1.hexdigest(), sha256.hexdigest()), target

    async def commit_upload(
        self,
        user_id: int,
        upload_id: str,
        path: str,
        *,
        mtime_ns: int | None,
        expected_sha1: str | None,
    ) -> StoredEntry:
        """Name a finished tus upload; on any refusal the upload is dropped and nothing kept.
        When the blob store is out for a while the upload stays, so committing again works.

        ``mtime_ns`` None stamps the file with the moment it is committed. An absurd time is
        refused before the upload is touched, so the client may commit it again with a fix.
        """
        path = checked_path(path)
        check_given_mtime(mtime_ns, self.clock_ns())
        try:
            upload = await self._finished_upload(user_id, upload_id)
        except NotFoundError:
            # Sent again after a commit that succeeded (its answer was lost): answer the same.
            earlier = self._committed_before(user_id, upload_id, path, expected_sha1)
            if earlier is not None:
                return earlier
            raise
        try:
            self._check_not_folder(user_id, path)
            with _disk_full_said_plainly(path):
                received = await self._described(upload)
                return await self._keep(  # handing the bytes over ends the upload
                    user_id, path, received, mtime_ns=mtime_ns, expected_sha1=expected_sha1,
                    upload_id=upload_id,
                )  # fmt: skip
        except (ProviderUnavailableError, TransportError):
            raise  # the blob store failed for a while: the upload stays for the next commit
        except DuplicateError:
            # A commit of the same upload overlapping this one recorded it first.
            earlier = self._committed_before(user_id, upload_id, path, expected_sha1)
            if earlier is not None:
                return earlier
            await self.uploads.delete(upload)
            raise
        except BaseException:
            await self.uploads.delete(upload)
            raise

    def _committed_before(
        self, user_id: int, upload_id: str, path: str, expected_sha1: str | None
    ) -> StoredEntry | None:
        """The file an earlier commit of this upload stored, if one did (refused when this
        commit asks for another name or other bytes)."""
        done = self.store.commits.find(user_id, upload_id, self.clock())
        if done is None:
            return None
        done.check_asked_again(path, expected_sha1)
        return StoredEntry(done.path, FILE, done.size, done.mtime_ns, done.sha1, done.sha256)

    async def _finished_upload(self, user_id: int, upload_id: str) -> Upload:
        try:
            upload = await self.uploads.get(upload_id, UPLOAD_SCOPE.format(user_id))
        except TusRequestError as error:
            raise NotFoundError(f"No upload {upload_id!r} of yours is waiting: {error}") from None
        if not upload.complete:
            raise UsageError(
                f"The upload holds {counted(upload.offset, 'byte')} and is not finished.",
                hint="Send the rest (and its Upload-Length), then commit it.",
            )
        return upload

    async def _described(self, upload: Upload) -> Received:
        """Digests kept while the upload arrived; after a restart, read once more."""
        digest = await self.uploads.digests(upload)
        become = functools.partial(self.uploads.hand_over, upload, self.blobs)
        return Received(become, upload.length, digest.sha1.hexdigest(), digest.sha256.hexdigest())

    async def _keep(
        self,
        user_id: int,
        path: str,
        received: Received,
        *,
        mtime_ns: int | None,
        expected_sha1: str | None,
        upload_id: str | None = None,
    ) -> StoredEntry:
        if expected_sha1 is not None and expected_sha1.lower() != received.sha1:
            raise IntegrityError(
                f"{path!r} arrived with SHA-1 {received.sha1}, not the {expected_sha1} expected.",
                hint="Nothing was kept; the previous version (if any) is unchanged. Upload again.",
            )
        await self.check_room(user_id, received.size, path)
        key = f"files/u{user_id}/{secrets.token_hex(16)}"
        await received.become(key)
        mtime = committed_mtime(mtime_ns, self.clock_ns())
        sizes = (received.size, mtime, received.sha1, received.sha256)
        entry = StoredEntry(path, FILE, *sizes, key)
        old = self.store.get(user_id, path)
        try:
            with self.changes.recording() as taken:
                replaced = self.store.put_file(
                    user_id, entry, upload_id=upload_id, now=self.clock()
                )
        except BaseException:
            await self.blobs.delete(key)
            raise
        if replaced and old is not None and self.history is not None:
            self.history.keep_version(user_id, old, self.clock())
        elif replaced:
            await self.blobs.delete(replaced)
        self.changes.tell(FileChange(user_id, WRITTEN, path, path if replaced else ""), taken)
        return entry

    def check_writable(self, user_id: int, path: str) -> None:
        """``UsageError`` when a file cannot be stored at ``path`` (a folder is in the way)."""
        self._check_not_folder(user_id, path)

    def _check_not_folder(self, user_id: int, path: str) -> None:
        found = self.store.get(user_id, path)
        if found is not None and found.kind == DIR:
            raise UsageError(f"{path!r} is a folder; a file cannot replace it.")
        for parent in parents_of(path):
            above = self.store.get(user_id, parent)
            if above is not None and above.kind != DIR:
                raise UsageError(f"{parent!r} is a file, so {path!r} cannot be inside it.")

    # -- folders, moves, copies -----------------------------------------------------------

    def mkdir(self, user_id: int, path: str) -> StoredEntry:
        path = checked_path(path)
        found = self.store.get(user_id, path)
        if found is not None and found.kind == DIR:
            # Nothing changed, so nothing is told: a share run makes its folder every run, and
            # telling it re-ran the share at once, for ever.
            return StoredEntry(path, DIR)
        with self.changes.recording() as taken:
            self.store.make_folders(user_id, [*parents_of(path), path])
        self.changes.tell(FileChange(user_id, MADE_FOLDER, path), taken)
        return StoredEntry(path, DIR)

    async def delete(self, user_id: int, path: str, recursive: bool) -> None:
        """Remove a file or folder; with a history, it goes to the trash instead of away."""
        path = checked_path(path)
        found = self.store.get(user_id, path)
        inside = (
            self.store.listing(user_id, path, after="", limit=1 << 62, recursive=True)
            if found
            else []
        )
        with self.changes.recording() as taken:
            freed = self.store.remove(user_id, path, recursive)
        if self.history is not None and found is not None:
            self.history.trash(user_id, [found, *inside], self.clock())
        else:
            for key in freed:
                await self.blobs.delete(key)
        self.changes.tell(FileChange(user_id, REMOVED, path), taken)

    def move(self, user_id: int, source: str, target: str) -> StoredEntry:
        source, target = checked_path(source), checked_path(target)
        with self.changes.recording() as taken:
            self.store.move(user_id, source, target)
        self.changes.tell(FileChange(user_id, MOVED, target, source), taken)
        return self.entry(user_id, target)

    async def copy(self, user_id: int, source: str, target: str) -> StoredEntry:
        """A server-side copy of one file; the bytes never leave the server."""
        original = self.file(user_id, source)
        target = checked_path(target)
        if self.store.get(user_id, target) is not None:
            raise _exists(target)
        self._check_not_folder(user_id, target)
        await self.check_room(user_id, original.size)
        key = f"files/u{user_id}/{secrets.token_hex(16)}"
        await self.blobs.put(key, self.read(original, 0, original.size))
        copied = StoredEntry(
            target, FILE, original.size, original.mtime_ns, original.sha1, original.sha256, key
        )
        if self.store.get(user_id, target) is not None:  # taken while the bytes were copied
            await self.blobs.delete(key)
            raise _exists(target)
        with self.changes.recording() as taken:
            self.store.put_file(user_id, copied)
        self.changes.tell(FileChange(user_id, WRITTEN, target), taken)
        return copied

    def set_mtime(self, user_id: int, path: str, mtime_ns: int) -> StoredEntry:
        check_given_mtime(mtime_ns, self.clock_ns())
        found = self.entry(user_id, path)
        with self.changes.recording() as taken:
            self.store.set_mtime(user_id, found.path, mtime_ns)
        self.changes.tell(FileChange(user_id, WRITTEN, found.path, found.path), taken)
        return self.entry(user_id, path)

    def note_opened(self, user_id: int, path: str) -> None:
        """The user downloaded (opened) this file: Recent lists it."""
        self.changes.tell(FileChange(user_id, OPENED, path, path))


def _exists(path: str) -> SyncoxideError:
    return AlreadyExistsError(f"{path!r} exists already; a copy never overwrites.")
