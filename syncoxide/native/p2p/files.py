"""Files on disk for a peer-to-peer transfer: the sender's sources, the receiver's destination.

The sender hashes everything before it shares the link (it must wait for the receiver anyway),
so the manifest carries each file's SHA-256 and a resumed file needs no re-hash on its side.

The receiver writes each file to a hidden partial name beside its final place
(``.name.<transfer>.syncoxide-part``), keeps it across cuts and restarts, re-reads it once after
a restart to rebuild the running hash, and renames it only after the SHA-256 matched. Every path
is resolved under the chosen folder and checked again after its parents exist, so neither ``..``
nor a symlink planted inside the folder can lead a write outside it. An existing file is never
overwritten: if it already holds the right content it counts as received, else the run stops.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from syncoxide.errors import AlreadyExistsError, NotFoundError, PermissionDeniedError
from syncoxide.protocol.manifest import FileEntry, Manifest
from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide.protocol.sending import ChunkRead

READ_SIZE = 1024 * 1024


def sha256_of(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(READ_SIZE):
            digest.update(block)
    return digest.digest()


class SourceFiles:
    """The sender's files, in manifest order."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths: list[Path] = []
        entries: list[FileEntry] = []
        folders: list[str] = []
        for path in paths:
            self._add(path, entries, folders)
        self.manifest = Manifest(tuple(entries), tuple(folders))
        self._open: dict[int, BinaryIO] = {}
        self._block: tuple[int, int, bytes] = (-1, 0, b"")  # file index, offset, bytes read

    def _add(self, path: Path, entries: list[FileEntry], folders: list[str]) -> None:
        if not path.exists():
            raise NotFoundError(f"{path} does not exist.", hint="Check the path and try again.")
        if path.is_file():
            entries.append(FileEntry(path.name, path.stat().st_size, sha256_of(path)))
            self.paths.append(path)
            return
        folders.append(path.name)
        for folder, dirs, files in os.walk(path):
            dirs.sort()
            base = Path(folder)
            relative = base.relative_to(path.parent).as_posix()
            folders.extend(f"{relative}/{d}" for d in dirs if not (base / d).is_symlink())
            for name in sorted(files):
                file = base / name
                if file.is_file() and not file.is_symlink():
                    entries.append(
                        FileEntry(f"{relative}/{name}", file.stat().st_size, sha256_of(file))
                    )
                    self.paths.append(file)

    def holds(self, chunk: ChunkRead) -> bool:
        """Whether ``read(chunk)`` is served from the block read last (no disk access)."""
        index, start, block = self._block
        end = chunk.offset + chunk.length
        return index == chunk.file_index and start <= chunk.offset and end <= start + len(block)

    def read(self, chunk: ChunkRead) -> bytes:
        """The chunk's bytes. The disk is read READ_SIZE at a time and chunks are cut from that
        block, so a sender that reads in a thread hops to it once per MiB, not per chunk."""
        if not self.holds(chunk):
            handle = self._open.get(chunk.file_index)
            if handle is None:
                for old in self._open.values():
                    old.close()
                self._open = {chunk.file_index: self.paths[chunk.file_index].open("rb")}
                handle = self._open[chunk.file_index]
            handle.seek(chunk.offset)
            self._block = (
                chunk.file_index,
                chunk.offset,
                handle.read(max(READ_SIZE, chunk.length)),
            )
        _, start, block = self._block
        return block[chunk.offset - start : chunk.offset - start + chunk.length]

    def close(self) -> None:
        for handle in self._open.values():
            handle.close()
        self._open = {}


class DestinationFolder:
    """Where the receiver writes: nothing lands outside ``root``."""

    def __init__(self, root: Path, transfer_id: bytes) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.tag = transfer_id.hex()[:12]
        self.manifest: Manifest | None = None
        self._open: dict[int, BinaryIO] = {}

    def _inside(self, relative: str) -> Path:
        target = self.root.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(self.root) or target.is_symlink():
            raise PermissionDeniedError(
                f"{relative} would be written outside {self.root}; nothing was written there.",
                hint="Remove the symlink from the destination folder, or choose another -o.",
            )
        return target

    def final_path(self, index: int) -> Path:
        assert self.manifest is not None
        return self._inside(self.manifest.files[index].path)

    def partial_path(self, index: int) -> Path:
        final = self.final_path(index)
        return final.with_name(f".{final.name}.{self.tag}.syncoxide-part")

    def prepare(self, manifest: Manifest, progress: ReceiverProgress) -> None:
        """Create the folders; count what earlier runs left (finished or partial files)."""
        self.make_folders(manifest)
        for index, entry in enumerate(manifest.files):
            if progress.offset(index) or progress.is_verified(index):
                continue  # known from an earlier connection of this run
            final, partial = self.final_path(index), self.partial_path(index)
            if final.exists():
                self.check_existing(final, entry)
                self._absorb(index, final, progress)
            elif partial.exists():
                self._absorb(index, partial, progress)

    def make_folders(self, manifest: Manifest) -> None:
        """Set the manifest and create its folders (empty ones too), each checked."""
        self.manifest = manifest
        for folder in manifest.folders:
            self._inside(f"{folder}/-")  # creates and checks the folder itself

    def check_existing(self, final: Path, entry: FileEntry) -> None:
        """A file already under its final name must be this entry's content: never overwrite."""
        if final.stat().st_size != entry.size or sha256_of(final) != entry.sha256:
            raise AlreadyExistsError(
                f"{final} already exists with other content; it was not overwritten.",
                hint="Move it away or receive into another folder with -o.",
            )

    def _absorb(self, index: int, path: Path, progress: ReceiverProgress) -> None:
        assert self.manifest is not None
        limit = self.manifest.files[index].size
        with path.open("rb") as handle:
            while block := handle.read(min(READ_SIZE, limit - progress.offset(index))):
                progress.absorb(index, block)

    def write(self, index: int, offset: int, payload: bytes) -> None:
        handle = self._open.get(index)
        if handle is None:
            partial = self.partial_path(index)
            handle = partial.open("r+b" if partial.exists() else "wb")
            self._open[index] = handle
        handle.seek(offset)
        handle.write(payload)

    def finish(self, index: int) -> Path:
        """The file is verified: flush it and give it its final name."""
        final, partial = self.final_path(index), self.partial_path(index)
        handle = self._open.pop(index, None)
        if handle is not None:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        if partial.exists():
            partial.replace(final)
        elif not final.exists():
            final.touch()  # an empty file never had a partial
        return final

    def discard_restarted(self, progress: ReceiverProgress) -> None:
        """Drop partial files whose progress was reset (their content failed the hash)."""
        assert self.manifest is not None
        for index in range(len(self.manifest.files)):
            if progress.offset(index) == 0 and not progress.is_verified(index):
                handle = self._open.pop(index, None)
                if handle is not None:
                    handle.close()
                with contextlib.suppress(FileNotFoundError):
                    self.partial_path(index).unlink()

    def close(self) -> None:
        for handle in self._open.values():
            handle.close()
        self._open = {}
