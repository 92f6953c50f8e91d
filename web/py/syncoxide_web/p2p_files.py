"""The sender's files in the browser: (path, Blob) pairs, hashed once for the manifest.

Their bytes are read again while sending by the JavaScript data plane (``/static/p2p-data.js``),
which reads ahead and frames them itself, so they never pass through Python then."""

from __future__ import annotations

import hashlib
from typing import Any

import js  # type: ignore[import-not-found]

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

    async def hash_all(self) -> Manifest:
        """The manifest, hashing each file once (a second call returns the same manifest)."""
        if self._hashed:
            return self.manifest
        files = []
        for path, blob in self.entries:
            digest = hashlib.sha256()
            size = int(blob.size)
            for start in range(0, size, HASH_READ):
                digest.update(await _blob_bytes(blob, start, min(size, start + HASH_READ)))
            files.append(FileEntry(path, size, digest.digest()))
        self.manifest = Manifest(tuple(files), self.folders)
        self._hashed = True
        return self.manifest

    def blob(self, file_index: int) -> Any:
        return self.entries[file_index][1]
