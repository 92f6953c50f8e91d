"""The sender's files in the browser: (path, Blob) pairs, hashed, read ahead in 4 MiB slices.

While one slice is being sent the next one is already being read (the browser reads blobs in
another process), so the sender rarely waits for the disk."""

from __future__ import annotations

import hashlib
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from syncoxide.protocol.manifest import FileEntry, Manifest
from syncoxide.protocol.sending import ChunkRead

READ_AHEAD = 4 * 1024 * 1024


def _js_object(**values: Any) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


async def _blob_bytes(blob: Any, start: int, end: int) -> bytes:
    return await _arrived(blob.slice(start, end).arrayBuffer())


async def _arrived(array_buffer: Any) -> bytes:
    return bytes(js.Uint8Array.new(await array_buffer).to_bytes())


class BlobSources:
    """The sender's files as (relative path, Blob/File) pairs."""

    def __init__(self, entries: list[tuple[str, Any]], folders: tuple[str, ...] = ()) -> None:
        self.entries = entries
        self.folders = folders
        self.manifest = Manifest(())
        self._cache: tuple[int, int, bytes] = (-1, 0, b"")
        self._next: tuple[int, int, Any] = (-1, 0, None)  # the slice being read ahead
        self._hashed = False

    async def hash_all(self) -> Manifest:
        """The manifest, hashing each file once (a second call returns the same manifest)."""
        if self._hashed:
            return self.manifest
        files = []
        for path, blob in self.entries:
            digest = hashlib.sha256()
            size = int(blob.size)
            for start in range(0, size, 4 * READ_AHEAD):
                digest.update(await _blob_bytes(blob, start, min(size, start + 4 * READ_AHEAD)))
            files.append(FileEntry(path, size, digest.digest()))
        self.manifest = Manifest(tuple(files), self.folders)
        self._hashed = True
        return self.manifest

    async def read(self, chunk: ChunkRead) -> bytes:
        index, start, cached = self._cache
        end = chunk.offset + chunk.length
        if index != chunk.file_index or not start <= chunk.offset or end > start + len(cached):
            if self._next[:2] == (chunk.file_index, chunk.offset):
                cached = await _arrived(self._next[2])
            else:
                cached = await _blob_bytes(*self._slice(chunk.file_index, chunk.offset))
            self._cache = index, start, _ = chunk.file_index, chunk.offset, cached
            if len(cached) >= chunk.length:  # the file goes on as expected: read its next slice
                blob, ahead, after = self._slice(index, start + len(cached))
                self._next = (index, ahead, blob.slice(ahead, after).arrayBuffer())
        return cached[chunk.offset - start : end - start]

    def _slice(self, index: int, start: int) -> tuple[Any, int, int]:
        blob = self.entries[index][1]
        return blob, start, min(int(blob.size), start + READ_AHEAD)
