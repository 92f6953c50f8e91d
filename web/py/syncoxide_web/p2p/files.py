"""The sender's files in the browser: (path, Blob) pairs, hashed once for the manifest.

Their bytes are read again while sending by the JavaScript data plane (``/static/p2p-data.js``),
which reads ahead and frames them itself, so they never pass through Python then."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import js

from syncoxide.protocol.manifest import FileEntry, Manifest

HASH_READ = 16 * 1024 * 1024


async def _blob_bytes(blob: Any, start: int, end: int) -> bytes:
    return bytes(js.Uint8Array.new(await blob.slice(start, end).arrayBuffer()).to_bytes())


class BlobSources:
    """The sender's files as (relative path, Blob/File) pairs."""

    def __init__(self, entries: list[tuple[str, Any]], folders: tuple[str, ...] = ()) -> None:
        self.entries = entries
        self.folders = folders
        self.manifest = Manifest(())
        self._hashed = False

    async def hash_all(self, on_progress: Callable[[int, int], None] | None = None) -> Manifest:
        """The manifest, hashing each file once (a second call returns the same manifest).
        ``on_progress(done, total)`` is told the bytes hashed so far, every HASH_READ bytes: a
        few GiB take a while, and the sender should see it moving."""
        if self._hashed:
            return self.manifest
        files = []
        total, done = sum(int(blob.size) for _, blob in self.entries), 0
        for path, blob in self.entries:
            digest = hashlib.sha256()
            size = int(blob.size)
            for start in range(0, size, HASH_READ):
                chunk = await _blob_bytes(blob, start, min(size, start + HASH_READ))
                digest.update(chunk)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(done, total)
            files.append(FileEntry(path, size, digest.digest()))
        self.manifest = Manifest(tuple(files), self.folders)
        self._hashed = True
        return self.manifest

    def blob(self, file_index: int) -> Any:
        return self.entries[file_index][1]
