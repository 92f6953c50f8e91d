"""The Provider contract: what the sync engine needs from any storage backend.

Paths are relative, ``/``-separated, without a leading slash; ``""`` is the root. A provider
never follows symbolic links: it reports them as ``EntryKind.SYMLINK`` so the planner can say
that it skipped them. Writes are atomic: bytes go to a partial object that is only given its
final name after every byte arrived and the digest matched, so a reader (or a crash) never sees
half a file under the final name. Leftover partial objects are listed as ``EntryKind.PARTIAL``
so the engine can clean them up after a crash.

Every provider passes ``syncoxide.testing.provider_conformance``.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

PARTIAL_PREFIX = ".sxpart-"
"""Name prefix of a write in progress; such entries are listed as ``EntryKind.PARTIAL``."""

HASH_KINDS = ("sha1", "md5")
"""Digest names the engine knows, in order of preference when both ends offer several."""


class EntryKind(enum.Enum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    PARTIAL = "partial"


@dataclass(frozen=True)
class Entry:
    """One listed object. ``mtime_ns`` is nanoseconds since the epoch (0 for directories)."""

    path: str
    kind: EntryKind
    size: int = 0
    mtime_ns: int = 0
    hashes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    link_target: str | None = None
    #: What names this file on its filesystem whatever its path ("device:inode" on a local
    #: disk), "" where the provider has none. A file renamed keeps it, so bisync can tell a
    #: rename from its pair state without reading the file (``syncoxide.sync.bisync_renames``).
    file_id: str = field(default="", compare=False, hash=False)
    #: What the provider changes whenever the object's content is written anew (an S3 ETag,
    #: quotes removed), "" where it has none. Digests remembered for a file are trusted only
    #: while it is unchanged (``syncoxide.sync.digest_cache``).
    etag: str = field(default="", compare=False, hash=False)
    #: The inode change time (``st_ctime_ns``) where the provider has one (a local disk), 0
    #: where unknown. The kernel sets it on every write, rename and attribute change, and no
    #: call sets it back: a rewrite that keeps the size and sets the old mtime back still moves
    #: it. A file known by its ``file_id`` is trusted as unchanged only while this is too
    #: (``syncoxide.sync.digest_cache.source_digests``).
    changed_ns: int = field(default=0, compare=False, hash=False)


_new_object = object.__new__
_set_attribute = object.__setattr__


def listed_file(
    path: str, kind: EntryKind, size: int, mtime_ns: int, *, file_id: str, changed_ns: int
) -> Entry:
    """``Entry(path, kind, size, mtime_ns, file_id=..., changed_ns=...)``, made in a third of
    the time.

    A local listing makes one per file on both sides of every run (20,000 for the 10,020-file
    tree): through the frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field)
    they took ~20 ms, here ~7 ms (2026-12-07). A test checks that both give the same fields."""
    entry = _new_object(Entry)
    _set_attribute(
        entry,
        "__dict__",
        {
            "path": path,
            "kind": kind,
            "size": size,
            "mtime_ns": mtime_ns,
            "hashes": {},
            "link_target": None,
            "file_id": file_id,
            "etag": "",
            "changed_ns": changed_ns,
        },
    )
    return entry


@dataclass(frozen=True)
class Features:
    """What a provider can do; the engine adapts instead of asking and failing."""

    case_sensitive: bool = True
    #: Smallest mtime step the provider stores, in nanoseconds (1 s on FAT, 1 ns on ext4).
    mtime_precision_ns: int = 1
    #: The provider implements ``CopiesWithin``: it duplicates a file without the bytes
    #: passing through us (S3 CopyObject, WebDAV COPY). The engine uses it to move a file
    #: where ``server_side_move`` is False.
    server_side_copy: bool = False
    #: ``move`` renames in place (local rename, S3 copy + delete, WebDAV MOVE, SFTP rename,
    #: Drive/Dropbox move). False: the engine moves by copy + verify + delete instead.
    server_side_move: bool = True
    #: Digests ``hash()`` and ``write()`` can produce.
    hash_kinds: frozenset[str] = frozenset(HASH_KINDS)
    #: Digests that come free with every listed entry (e.g. an S3 ETag that is an MD5).
    listing_hash_kinds: frozenset[str] = frozenset()
    #: True when ``hash()`` costs a local read, not a download: the engine may then hash a
    #: file before copying it to a destination that wants its digests first.
    hashes_cheaply: bool = False
    #: True when names that are not valid UTF-8 (POSIX bytes, carried as lone surrogates, see
    #: ``syncoxide.byte_names``) can be stored and listed. Where False, the engine leaves such
    #: names out of what it writes here and reports them as unmapped.
    byte_names: bool = False
    #: True when ``set_mtime`` changes the time alone. False where it must rewrite the file
    #: (Dropbox uploads it again as a new revision): bisync then records two equal files'
    #: differing times instead of aligning them.
    sets_mtime_in_place: bool = True
    #: True when every listed file carries ``Entry.file_id`` and a rename keeps it (a local
    #: disk): a one-way pair then remembers which source file each copy came from, and a
    #: renamed source file is known by one stat instead of a read (``syncoxide.sync.digest_cache``).
    keeps_file_ids: bool = False
    #: True when a file is listed only once its writer has finished, whoever wrote it (an S3
    #: object appears at PUT or multipart completion, Drive and Dropbox at the upload's end, a
    #: syncoxide server's storage at its commit). A poll may then act on a file the moment it
    #: is listed. False where another program may write a listed file in place (SFTP, a local
    #: folder, WebDAV servers that list a PUT in progress): pollers wait for it to settle.
    lists_whole_files: bool = False


ExpectedDigest = Callable[[], str | None]
"""Called by ``write`` after the last chunk: the digest the source stream had (None: unknown).

It raises ``IntegrityError`` itself when the source stream was short or changed; ``write``
then discards the partial object and lets the error through."""

PrunePredicate = Callable[[str], bool]
"""Given a directory path, True means: do not descend into it (and do not list it)."""


class Provider(Protocol):
    """An async storage backend. All failures are raised as ``syncoxide.errors`` classes."""

    @property
    def features(self) -> Features: ...

    @property
    def root_id(self) -> str:
        """A stable name for this root (e.g. ``local:/home/a/docs``), used to key pair state."""
        ...

    def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        """Every entry under the root, in pages (order unspecified); the root itself excluded."""
        ...

    async def stat(self, path: str) -> Entry:
        """The entry at ``path`` (links not followed); ``NotFoundError`` if absent."""
        ...

    def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        """The file's bytes from ``offset`` (``length`` bytes, or to the end), in chunks."""
        ...

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        """Atomically create or replace the file at ``path``; parents are created.

        ``hash_kind`` is computed over the bytes as they are stored. When ``expected_digest``
        is given and differs from that, nothing is committed and ``IntegrityError`` is raised.
        The returned entry carries the digest in ``hashes``.
        """
        ...

    async def delete(self, path: str) -> None:
        """Remove a file, link or empty directory; ``DirectoryNotEmptyError`` otherwise."""
        ...

    async def mkdir(self, path: str) -> None:
        """Create a directory and its parents; no error if it exists."""
        ...

    async def move(self, source: str, target: str) -> None:
        """Rename within this provider; parents of ``target`` are created.

        ``AlreadyExistsError`` if ``target`` exists: a move never overwrites silently."""
        ...

    async def set_mtime(self, path: str, mtime_ns: int) -> None: ...

    async def hash(self, path: str, kind: str) -> str:
        """Hex digest of the file's content; may read the whole file."""
        ...


@runtime_checkable
class WritesKnownDigests(Protocol):
    """A destination that stores a big file's digests with it and can do so cheaply only when
    they are known before the upload starts (S3: the metadata goes with
    CreateMultipartUpload; added afterwards it costs a server-side copy of the whole object).
    """

    def digests_wanted_first(self, size: int) -> tuple[str, ...]:
        """Digest kinds worth knowing before a write of ``size`` bytes (empty: none)."""
        ...

    async def write_known(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        known: dict[str, str],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        """``write`` of a stream whose digests (``known``, kind -> hex) were taken beforehand;
        a stream that does not match them raises ``IntegrityError`` and commits nothing."""
        ...


@runtime_checkable
class CopiesWithin(Protocol):
    """A provider that copies a file to another path of its own without a download."""

    async def copy(self, source: str, target: str) -> None:
        """Duplicate ``source`` at ``target``; ``AlreadyExistsError`` if ``target`` exists."""
        ...


@runtime_checkable
class MovesListedFiles(Protocol):
    """A provider whose move can skip its own look before it leaps when the caller has just
    listed both names (one-way sync's detected renames): S3 then sends what rclone sends, a
    copy and a delete, instead of asking again about the source, the target and the folder."""

    async def move_listed(self, source: Entry, target: str, *, folder_stays: bool) -> None:
        """Move the file ``source`` (as listed, ``etag`` included) to ``target``, which that
        listing showed free. ``folder_stays``: the source's folder outlives its last file
        (the caller does not remove it). ``AlreadyExistsError`` if ``target`` is taken, as
        far as the provider can tell without asking first (S3: a conditional copy)."""
        ...


@dataclass(frozen=True)
class OpenedFile:
    """A read whose reply has said what it reads: ``entry`` is the file as this very read
    finds it (size, mtime, the digests the store keeps), ``chunks`` the bytes of that version."""

    entry: Entry
    chunks: AsyncIterator[bytes]


@runtime_checkable
class StatsOnRead(Protocol):
    """A provider whose listing must look at each file again to give its exact mtime (S3: a
    HEAD per object, the mtime being metadata) while a read's reply carries that same stat
    (the GET's headers arrive before its body). A caller that reads every file anyway (a
    provider backup) lists with ``list_tree_listed`` and takes each entry from ``open_file``:
    one request per file instead of two, and the entry always matches the bytes."""

    def list_tree_listed(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        """``list_tree`` from the listing alone: the same paths, kinds and sizes, but a file's
        ``mtime_ns`` may be the store's own time (upload time) and its ``hashes`` missing."""
        ...

    def open_file(self, path: str) -> AbstractAsyncContextManager[OpenedFile]:
        """The whole file, its entry known before its first byte is read; ``NotFoundError``
        if absent. The read is let go when the context is left, read to the end or not."""
        ...


@dataclass(frozen=True)
class PartPlan:
    """How one big file is cut for ``WritesParts``: every range is ``part_bytes`` long but the
    last, so range ``offset`` is part number ``offset // part_bytes + 1``. ``hashes`` are the
    whole-file digests the source listed (possibly none)."""

    size: int
    part_bytes: int
    mtime_ns: int
    hashes: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class WritesParts(Protocol):
    """A destination that takes one big file as byte ranges written concurrently and in any
    order into a partial object that outlives the process (named by ``token``, which the
    engine derives from its journal), so a killed copy continues from its last good part.

    Nothing appears under ``path`` before ``commit_parts``; ``discard_parts`` drops the
    partial object. Leftovers are listed as ``EntryKind.PARTIAL`` like any partial write.
    """

    async def begin_parts(self, path: str, token: str, plan: PartPlan) -> str | None:
        """Open (or find again, for the same token and plan) the partial object before any
        part is written. Returns the digest kind ``part_digest`` answers in when the store
        can only vouch for stored parts in one kind (S3: the MD5 that is a part's ETag), or
        None when it reads parts back and hashes them in any kind."""
        ...

    async def write_part(
        self, path: str, token: str, offset: int, chunks: AsyncIterator[bytes], *, size: int
    ) -> None:
        """Store ``chunks`` at ``offset`` of the partial object of a ``size``-byte file."""
        ...

    async def part_digest(
        self, path: str, token: str, *, offset: int, length: int, kind: str
    ) -> str | None:
        """Digest of a stored range read back from storage; None if the partial is gone."""
        ...

    async def commit_parts(
        self,
        path: str,
        token: str,
        *,
        size: int,
        mtime_ns: int,
        whole_digest: str | None,
        hash_kind: str | None,
    ) -> Entry:
        """Give the partial object its final name (replacing a file there). When
        ``whole_digest`` is given, the stored bytes are hashed with ``hash_kind`` first and a
        mismatch raises ``IntegrityError`` and commits nothing."""
        ...

    async def discard_parts(self, path: str, token: str) -> None: ...


@dataclass(frozen=True)
class DeltaWritten:
    """What a delta update did: the committed entry and the bytes it cost.

    ``blocks_bytes`` counts the bytes written because they differed from the old file;
    ``base_bytes`` counts the bytes copied to make the temporary copy of the old file (0 when
    the filesystem cloned it by reference)."""

    entry: Entry
    blocks_bytes: int
    base_bytes: int


@runtime_checkable
class ReadsInto(Protocol):
    """A source that reads a byte range straight into a caller's buffer (no block of its own
    allocated and copied: a copy in parts fills the destination's part buffer with it)."""

    async def read_into(self, path: str, offset: int, buffer: memoryview) -> int:
        """Fills ``buffer`` from ``offset``; the byte count read (short only at the end of
        the file)."""
        ...


@runtime_checkable
class FillsBuffers(Protocol):
    """The bytes of one part as ``WritesParts.write_part`` receives them from the engine: an
    iterator of chunks that can also be read whole into a buffer the destination holds,
    straight from the source where it ``ReadsInto``."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def __anext__(self) -> bytes: ...

    async def fill(self, buffer: bytearray) -> int:
        """Fills ``buffer`` with the part; the byte count the source gave (never more than
        ``len(buffer)``; another count than the part's length means the source changed)."""
        ...

    def filled_digest(self, kind: str) -> bytes | None:
        """The ``kind`` digest of the bytes ``fill`` kept (the part's, sent with it as a
        checksum the server verifies); None before a fill or when hashed in another kind."""
        ...


@runtime_checkable
class WritesDeltas(Protocol):
    """A destination that updates an existing file by writing only the blocks that differ.

    The old file is first duplicated into a partial object (a reflink clone where the
    filesystem can, else a copy); each ``block_bytes`` block of the new content is compared
    byte for byte with the same block of that copy and written only where it differs; the
    whole-file digest is taken over the stored bytes and checked like ``write`` checks it;
    then the copy atomically takes the final name. A failure or a kill at any point leaves the
    old file untouched under its name.
    """

    async def write_delta(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        size: int,
        block_bytes: int,
        mtime_ns: int,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> DeltaWritten:
        """Replace the file at ``path`` (``NotFoundError`` if there is none) with the
        ``size`` bytes of ``chunks``, writing only the changed blocks."""
        ...


async def chunks_of(*pieces: bytes) -> AsyncIterator[bytes]:
    """The chunk stream ``Provider.write`` takes, made from bytes already in hand."""
    for piece in pieces:
        yield piece


@dataclass(frozen=True)
class ProviderVersion:
    """One version of a file that the provider itself keeps (S3 object versions, Drive and
    Dropbox revisions)."""

    version_id: str
    size: int
    stored_ns: int  # when the provider stored this version
    current: bool


@runtime_checkable
class KeepsVersions(Protocol):
    """A provider that keeps a file's older versions itself and can make one current again."""

    async def versions(self, path: str) -> list[ProviderVersion]:
        """The file's versions, newest first; ``NotFoundError`` when it has none;
        ``UsageError`` when this store keeps no versions (versioning is off or unsupported)."""
        ...

    async def restore_version(self, path: str, version_id: str) -> Entry:
        """Make ``version_id`` the current content; what was current stays a version."""
        ...
