"""Blobs from the data directory's ``blobs`` folder to S3: each one hashed (SHA-256) as it
is read, uploaded, read back from S3 and hashed again; only equal size and hash mark it
copied (``syncoxide_migration_blobs``). A blob is recorded as under way before its upload,
so a resumed run knows the object a killed one may have left is its own.

``--verify`` reads every copied blob back again and compares it with the source, for an
operator who wants proof after the fact (or suspects the bucket).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from syncoxide.errors import ConfigError, IntegrityError
from syncoxide.server.storage.blobs import TEMP_SUFFIX
from syncoxide.server.storage.s3 import S3BlobStore

CHUNK = 1 << 20


@dataclass
class BlobReport:
    copied: int = 0
    skipped: int = 0  # copied and verified by an earlier run
    bytes: int = 0
    mismatched: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LocalBlob:
    key: str
    path: Path
    size: int


def local_blobs(root: Path) -> list[LocalBlob]:
    """Every finished blob under the data directory's ``blobs`` folder, in key order (read
    here rather than through LocalBlobStore, which would create the folder if missing)."""
    if not root.is_dir():
        return []
    found = [
        LocalBlob(path.relative_to(root).as_posix(), path, path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file() and not path.name.endswith(TEMP_SUFFIX)
    ]
    return sorted(found, key=lambda blob: blob.key)


def _recorded(target: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    rows = target.execute("SELECT key, size, sha256 FROM syncoxide_migration_blobs")
    return {key: (int(size), sha) for key, size, sha in rows}


async def refuse_foreign_objects(s3: S3BlobStore, target: psycopg.Connection[Any]) -> None:
    """Objects this migration did not write mean the bucket (or prefix) is in use."""
    recorded = _recorded(target)
    foreign = [key for key in await s3.keys("") if key not in recorded]
    if foreign:
        raise ConfigError(
            f"The S3 location already holds {len(foreign)} objects this migration did not "
            f"write (for example {foreign[0]!r}).",
            hint="Nothing was changed. Use an empty bucket or prefix, or add --replace-target "
            "to overwrite objects under the same keys (others are left alone).",
        )


async def copy_blobs(
    blobs: list[LocalBlob],
    s3: S3BlobStore,
    target: psycopg.Connection[Any],
    *,
    verify_all: bool,
    on_blob: Callable[[LocalBlob], None],
) -> BlobReport:
    """Upload what is not copied yet; with ``verify_all``, re-read every copied blob on both
    sides (a source file altered since it was copied counts as a mismatch too)."""
    report = BlobReport()
    recorded = _recorded(target)
    for blob in blobs:
        size, sha = recorded.get(blob.key, (-1, ""))
        if sha and size == blob.size and not verify_all and await s3.size(blob.key) == size:
            report.skipped += 1
            continue
        if sha and verify_all:
            if _file_sha(blob.path) != sha or not await _same(blob, s3, sha):
                report.mismatched.append(blob.key)
                _forget(target, blob.key)  # the next run uploads it afresh
            report.skipped += 1
            continue
        await _copy_one(blob, s3, target, report)
        on_blob(blob)
    return report


def _forget(target: psycopg.Connection[Any], key: str) -> None:
    target.execute("UPDATE syncoxide_migration_blobs SET sha256 = '' WHERE key = %s", (key,))


async def _copy_one(
    blob: LocalBlob, s3: S3BlobStore, target: psycopg.Connection[Any], report: BlobReport
) -> None:
    target.execute(
        "INSERT INTO syncoxide_migration_blobs (key, size, sha256) VALUES (%s, %s, '')"
        " ON CONFLICT (key) DO UPDATE SET sha256 = ''",
        (blob.key, blob.size),
    )
    hasher = hashlib.sha256()
    sent = await s3.put(blob.key, _hashed(blob.path, hasher))
    local_sha = hasher.hexdigest()
    if sent != blob.size:
        raise IntegrityError(f"Blob {blob.key} changed on disk while it was copied.")
    if not await _same(blob, s3, local_sha):
        report.mismatched.append(blob.key)
        return
    target.execute(
        "UPDATE syncoxide_migration_blobs SET size = %s, sha256 = %s WHERE key = %s",
        (blob.size, local_sha, blob.key),
    )
    report.copied += 1
    report.bytes += blob.size


async def _same(blob: LocalBlob, s3: S3BlobStore, sha: str) -> bool:
    """The object read back from S3 has the blob's size and SHA-256."""
    hasher = hashlib.sha256()
    size = 0
    async for chunk in s3.read(blob.key, CHUNK):
        hasher.update(chunk)
        size += len(chunk)
    return size == blob.size and hasher.hexdigest() == sha


def _file_sha(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


async def _hashed(path: Path, hasher: Any) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            hasher.update(chunk)
            yield chunk
