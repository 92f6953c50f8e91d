"""Copying one big file in parallel parts that survive a crash.

A file of ``PART_THRESHOLD`` bytes or more, going to a destination that ``WritesParts``, is
cut into ranges of ``part_bytes_for`` (the user's chunk size, else the destination's own
choice, else ``PART_BYTES``); ``streams`` of them are in flight at once. Each range is
hashed as it is read from the source, written into the destination's partial object (named by
a token derived from the journal, so the next run finds it), read back from storage and hashed
again. Only when both digests agree is a PART record appended to the journal. So the journal
never vouches for bytes that were not verified where they are stored. The destination opens
its partial object first (``begin_parts``) and may name the one digest kind it can vouch for
per stored range (S3: MD5, which is a part's ETag); ranges are then hashed in that kind.

After a crash the resumed action finds its PART records, reads each range back once more
(while the streams copy the ranges never stored) and keeps it only if its digest still matches
(a part lost with the page cache, or changed while the process was down, is copied again).
When every range is verified, and the source still has the size and mtime it had when the copy
began, the partial object takes the final name; if the source lists a whole-file digest the
destination checks it before committing.

Nothing is ever visible under the final name before that commit.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import cast

from syncoxide.errors import IntegrityError
from syncoxide.providers.contract import Entry, PartPlan, Provider, WritesParts

from .part_read import PartRead
from .side_by_side import gather_or_cancel
from .transfer import in_verified_attempts

MIB = 1024 * 1024
#: Below this a single stream is as fast (measured on the 2-core machine, local disk).
PART_THRESHOLD = 64 * MIB
#: Large enough that per-part overhead (a journal record, a read-back) is noise; small enough
#: that a kill loses little and 4 streams keep both cores busy on a 2 GiB file.
PART_BYTES = 32 * MIB
DEFAULT_STREAMS = 4


@dataclass(frozen=True)
class PartSettings:
    """--multi-thread-streams, --multi-thread-cutoff and --multi-thread-chunk-size."""

    streams: int = DEFAULT_STREAMS
    threshold: int = PART_THRESHOLD
    #: None: the destination chooses (``preferred_part_bytes``), else ``PART_BYTES``.
    part_bytes: int | None = None


StoredParts = Mapping[int, tuple[int, str]]
"""offset -> (length, digest) of ranges a previous run stored, from the journal."""


@dataclass(frozen=True)
class PartJob:
    """What the executor knows about one copy in parts: its token, what the journal says was
    stored already, and how to journal a newly stored range."""

    token: str
    record: Callable[[int, int, str], Awaitable[None]]
    stored: StoredParts = field(default_factory=dict)
    #: Also hash the whole source alongside the parts (a local read, in a worker thread), so
    #: the written entry carries the file's digest where the destination cannot give one:
    #: parts hashed apart make none, and the pair remembers it for rename detection
    #: (``syncoxide.sync.digest_cache``). Not handed to ``commit_parts``, which would read
    #: the stored bytes back to check it.
    hash_whole: bool = False


def parts_writer(dest: Provider, size: int, settings: PartSettings) -> WritesParts | None:
    """``dest`` when this file goes in parts (see ``known_digest_writer`` on why not
    ``isinstance``)."""
    if size >= settings.threshold and callable(getattr(dest, "write_part", None)):
        return cast(WritesParts, dest)
    return None


def part_bytes_for(dest: WritesParts, size: int, settings: PartSettings) -> int:
    """The part size of one file: the one the user set, else the destination's preference
    (S3 keeps its parts small: each stream holds one part in memory while it is sent), else
    ``PART_BYTES``. It depends only on the settings and the file's size, so a resumed run cuts
    the file as the killed one did."""
    if settings.part_bytes is not None:
        return settings.part_bytes
    preferred = getattr(dest, "preferred_part_bytes", None)
    return int(preferred(size)) if callable(preferred) else PART_BYTES


def part_ranges(size: int, part_bytes: int) -> list[tuple[int, int]]:
    return [(offset, min(part_bytes, size - offset)) for offset in range(0, size, part_bytes)]


async def copy_in_parts(
    source: Provider,
    entry: Entry,
    dest: WritesParts,
    path: str,
    *,
    hash_kind: str | None,
    job: PartJob,
    settings: PartSettings,
) -> Entry:
    part_bytes = part_bytes_for(dest, entry.size, settings)
    plan = PartPlan(entry.size, part_bytes, entry.mtime_ns, dict(entry.hashes))
    part_kind = await dest.begin_parts(path, job.token, plan)
    copier = _PartCopier(source, entry, dest, path, job.token, part_kind or hash_kind or "sha1")
    whole = entry.hashes.get(hash_kind) if hash_kind else None
    alongside = None
    if hash_kind and whole is None and job.hash_whole:
        alongside = asyncio.ensure_future(source.hash(entry.path, hash_kind))
    try:
        await _copy_missing(copier, job, part_ranges(entry.size, part_bytes), settings)
        now = await source.stat(entry.path)
        if (now.size, now.mtime_ns) != (entry.size, entry.mtime_ns):
            await dest.discard_parts(path, job.token)
            raise IntegrityError(
                f"{entry.path!r} changed while it was being copied; the next run copies its "
                "new version."
            )
        committed = await dest.commit_parts(
            path,
            job.token,
            size=entry.size,
            mtime_ns=entry.mtime_ns,
            whole_digest=whole,
            hash_kind=hash_kind,
        )
        if alongside is None or hash_kind is None:
            return committed
        # Read while the parts went, within the same unchanged size and mtime of the source.
        return replace(committed, hashes={**committed.hashes, hash_kind: await alongside})
    finally:
        if alongside is not None and not alongside.done():
            alongside.cancel()


async def _copy_missing(
    copier: _PartCopier, job: PartJob, ranges: list[tuple[int, int]], settings: PartSettings
) -> None:
    """Copies every range but those a previous run stored and that still read back with their
    journaled digest. The read-backs run while the streams copy the ranges never stored, not
    before them: on a resume that overlaps reading half the file back with copying the other
    half (measured: the read-back alone held a 512 MiB rerun for ~1 s before the first byte
    was copied). A range that fails its read-back joins the queue; every range is verified
    before the streams finish, so before anything is committed."""
    claimed = [(o, n) for o, n in ranges if job.stored.get(o, (-1, ""))[0] == n]
    pending = deque(r for r in ranges if r not in set(claimed))

    async def check_claimed() -> None:
        good = await copier.still_good(job.stored, claimed)
        pending.extend(r for r in claimed if r not in good)

    checking = asyncio.ensure_future(check_claimed())

    async def worker() -> None:
        while pending or not checking.done():
            if not pending:
                await asyncio.wait([checking])  # more may come from failed read-backs
                continue
            offset, length = pending.popleft()
            await job.record(offset, length, await copier.copy_verified(offset, length))

    # A stream that fails (or the read-back check) ends the copy: the rest stop with it before
    # the caller goes on (and closes the providers). Left running, streams went on sending
    # their parts, failed on the closed session and retried them.
    await gather_or_cancel(checking, *(worker() for _ in range(max(1, settings.streams))))


@dataclass(frozen=True)
class _PartCopier:
    source: Provider
    entry: Entry
    dest: WritesParts
    path: str
    token: str
    kind: str

    async def still_good(
        self, stored: StoredParts, ranges: list[tuple[int, int]]
    ) -> set[tuple[int, int]]:
        """Journaled ranges whose bytes, read back now, still have their journaled digest."""
        claimed = [(o, n) for o, n in ranges if stored.get(o, (-1, ""))[0] == n]
        digests = await gather_or_cancel(
            *(
                self.dest.part_digest(self.path, self.token, offset=o, length=n, kind=self.kind)
                for o, n in claimed
            )
        )
        return {r for r, d in zip(claimed, digests, strict=True) if d == stored[r[0]][1]}

    async def copy_verified(self, offset: int, length: int) -> str:
        return await in_verified_attempts(
            lambda: self.copy(offset, length),
            f"Copying bytes {offset}-{offset + length} of {self.entry.path!r} failed verification",
            "Nothing was written under the final name; the verified parts are kept for the next "
            "run.",
        )

    async def copy(self, offset: int, length: int) -> str:
        hasher = hashlib.new(self.kind)
        part = PartRead(self.source, self.entry.path, (offset, length), hasher)
        await self.dest.write_part(self.path, self.token, offset, part, size=self.entry.size)
        if part.count != length:
            raise IntegrityError(
                f"{self.entry.path!r} gave {part.count} bytes at offset {offset}, {length} "
                "expected: it changed while it was being copied."
            )
        read = hasher.hexdigest()
        stored = await self.dest.part_digest(
            self.path, self.token, offset=offset, length=length, kind=self.kind
        )
        if stored != read:
            raise IntegrityError(
                f"Bytes {offset}-{offset + length} of {self.path!r} did not read back as written."
            )
        return read
