"""Changed big files as deltas: only the blocks that differ are written (rsync's idea).

A file of ``cutoff`` bytes or more that replaces an existing file, on a destination that
``WritesDeltas``, is streamed once from the source; the destination compares each block with
a temporary copy of its old file and writes only the differing ones, then checks the
whole-file digest and renames the copy into place. Blocks are fixed-size and aligned: an edit
in place (a disk image, a database, a VM file) costs about its own size; an insertion near the
start shifts every later block and costs a whole copy, which is never worse than today's path.

The source is re-checked after its stream ends (size and mtime), as in a whole copy: a source
edited during the update is refused, nothing is committed, and the copy is tried again.
Turned off with ``--whole-file`` (rsync's name for the same switch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from syncoxide.providers.contract import DeltaWritten, Entry, Provider, WritesDeltas

from .transfer import HashingSource, in_verified_attempts

MIB = 1024 * 1024
#: Below this a whole copy takes a few tens of milliseconds; a delta saves nothing worth its
#: extra read of the old file.
DELTA_CUTOFF = 16 * MIB
#: 1 MiB, as the local reader's chunk: one comparison per read, no regrouping copy. A
#: 1%-changed file written in 1 MiB blocks rewrites about 1% plus one block per edit.
BLOCK_BYTES = 1 * MIB


@dataclass(frozen=True)
class DeltaSettings:
    """--whole-file (``enabled=False``), --delta-cutoff and --delta-block-size."""

    enabled: bool = True
    cutoff: int = DELTA_CUTOFF
    block_bytes: int = BLOCK_BYTES


def delta_writer(
    dest: Provider, source: Entry, target: Entry | None, settings: DeltaSettings
) -> WritesDeltas | None:
    """``dest`` when ``source`` should replace ``target`` by a delta (see
    ``known_digest_writer`` on why not ``isinstance``)."""
    if not settings.enabled or target is None or source.size < settings.cutoff:
        return None
    if callable(getattr(dest, "write_delta", None)):
        return cast(WritesDeltas, dest)
    return None


async def copy_delta(
    source: Provider,
    entry: Entry,
    dest: WritesDeltas,
    path: str,
    *,
    kind: str | None,
    settings: DeltaSettings,
) -> DeltaWritten:
    # The destination hashes the bytes it stores, each block compared byte for byte with the
    # source's: hashing the source stream again would only double the CPU. The source side
    # checks its count, its listed digest if any, and its size and mtime.
    listed = kind if kind is not None and kind in entry.hashes else None

    async def attempt() -> DeltaWritten:
        reader = HashingSource(
            source.open_read(entry.path), listed, entry, recheck=lambda: source.stat(entry.path)
        )
        return await dest.write_delta(
            path,
            reader.stream(),
            size=entry.size,
            block_bytes=settings.block_bytes,
            mtime_ns=entry.mtime_ns,
            hash_kind=kind,
            expected_digest=reader.digest,
        )

    return await in_verified_attempts(
        attempt,
        f"Updating {entry.path!r} by its changed blocks failed",
        "The previous version is still in place and the source is untouched; "
        "run again, or use --whole-file.",
    )
