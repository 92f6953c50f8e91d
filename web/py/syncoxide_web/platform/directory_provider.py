"""A Provider over a browser directory handle: the origin-private file system (OPFS) or a
folder the user picked with ``showDirectoryPicker`` (File System Access API).

Both expose the same ``FileSystemDirectoryHandle``, so one class serves both. Writes are
atomic the way the contract asks: a new file is written under a hidden partial name and moved
into place; an existing file is replaced through ``createWritable``, which writes a swap file
that the browser swaps in on ``close()`` and discards on ``abort()``. On a disk that swap file
is visible to a listing (``<name>.crswap`` beside the file, in Chromium), as are partial names:
both list as ``PARTIAL``, never as finished files. Modification times come from ``MtimeIndex``
because browsers cannot set them. A name the browser refuses (a backslash, in Chromium) is a
``NameRefusedError``: that file only, the rest of the folder is unaffected.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    IntegrityError,
    NameRefusedError,
    NotFoundError,
    ProviderError,
    SyncoxideError,
)
from syncoxide.providers.contract import (
    PARTIAL_PREFIX,
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    PrunePredicate,
)
from syncoxide_web.platform.mtime_index import MtimeIndex

READ_CHUNK = 1 << 20
#: Chromium's swap file for a ``createWritable`` on a disk folder, removed or swapped in on close.
SWAP_SUFFIX = ".crswap"


def _options(**values: Any) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


def _split(path: str) -> tuple[str, str]:
    parent, _, name = path.rpartition("/")
    return parent, name


class DirectoryHandleProvider:
    def __init__(
        self, handle: Any, root_id: str, index: MtimeIndex, *, case_sensitive: bool = True
    ) -> None:
        self._root = handle
        self._root_id = root_id
        self._index = index
        self._features = Features(
            case_sensitive=case_sensitive,
            mtime_precision_ns=1_000_000,  # the browser's own clock, when the index cannot help
            server_side_move=True,
            hash_kinds=frozenset({"sha1", "md5"}),
        )

    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return self._root_id

    @property
    def root_handle(self) -> Any:
        """The folder's ``FileSystemDirectoryHandle`` (for change events on it)."""
        return self._root

    # -- resolving paths -------------------------------------------------------------------

    async def _directory(self, path: str, *, create: bool = False) -> Any:
        handle = self._root
        for part in filter(None, path.split("/")):
            handle = await self._call(
                path, handle.getDirectoryHandle, part, _options(create=create)
            )
        return handle

    async def _file(self, path: str) -> tuple[Any, Any]:
        parent_path, name = _split(path)
        parent = await self._directory(parent_path)
        return parent, await self._call(path, parent.getFileHandle, name)

    async def _call(self, path: str, method: Any, *args: Any) -> Any:
        try:
            return await method(*args)
        except JsException as error:
            raise _translate(error, path) from error

    async def _file_entry(self, path: str, handle: Any) -> Entry:
        file = await self._call(path, handle.getFile)
        size, observed = int(file.size), int(file.lastModified)
        kind = EntryKind.PARTIAL if _unfinished(_split(path)[1]) else EntryKind.FILE
        return Entry(path, kind, size, self._index.wanted_mtime(path, size, observed))

    # -- reading ---------------------------------------------------------------------------

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        pending: list[tuple[str, Any]] = [("", self._root)]
        while pending:
            folder, handle = pending.pop()
            page: list[Entry] = []
            try:
                async for child in handle.values():
                    path = f"{folder}/{child.name}" if folder else str(child.name)
                    if child.kind == "directory":
                        if prune is not None and prune(path):
                            continue
                        page.append(Entry(path, EntryKind.DIR))
                        pending.append((path, child))
                    else:
                        page.append(await self._file_entry(path, child))
            except JsException as error:  # the folder went away or its permission was taken
                raise _translate(error, folder) from error
            if page:
                yield page

    async def stat(self, path: str) -> Entry:
        if not path:
            return Entry("", EntryKind.DIR)
        parent_path, name = _split(path)
        parent = await self._directory(parent_path)
        try:
            return await self._file_entry(path, await parent.getFileHandle(name))
        except JsException as error:
            if getattr(error, "name", "") != "TypeMismatchError":
                raise _translate(error, path) from error
        await self._call(path, parent.getDirectoryHandle, name)
        return Entry(path, EntryKind.DIR)

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        _, handle = await self._file(path)
        file = await self._call(path, handle.getFile)
        end = int(file.size) if length is None else min(int(file.size), offset + length)
        position = offset
        while position < end:
            step = min(READ_CHUNK, end - position)
            buffer = await self._call(path, file.slice(position, position + step).arrayBuffer)
            yield buffer.to_bytes()
            position += step

    async def hash(self, path: str, kind: str) -> str:
        digest = hashlib.new(kind)
        async for chunk in self.open_read(path):
            digest.update(chunk)
        return digest.hexdigest()

    # -- writing ---------------------------------------------------------------------------

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        parent_path, name = _split(path)
        parent = await self._directory(parent_path, create=True)
        existing = await _existing_file(parent, name, path)
        target = existing or await self._call(
            path, parent.getFileHandle, PARTIAL_PREFIX + secrets.token_hex(8), _options(create=True)
        )
        stream = await self._call(path, target.createWritable)
        try:
            size, digest = await _copy_into(stream, chunks, hash_kind)
            wanted = expected_digest() if expected_digest is not None else None
            if wanted is not None and digest is not None and wanted != digest:
                raise IntegrityError(f"{path}: the bytes written do not match the source's digest.")
        except BaseException:
            await stream.abort()
            if existing is None:
                await parent.removeEntry(target.name)
            raise
        await self._call(path, stream.close)
        if existing is None:
            await self._call(path, target.move, parent, name)
        entry = await self.stat(path)
        if mtime_ns is not None:
            await self.set_mtime(path, mtime_ns)
            entry = Entry(path, EntryKind.FILE, size, mtime_ns)
        return Entry(
            path,
            entry.kind,
            size,
            entry.mtime_ns,
            {hash_kind: digest} if hash_kind and digest else {},
        )

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        _, handle = await self._file(path)
        file = await self._call(path, handle.getFile)
        self._index.remember(path, int(file.size), int(file.lastModified), mtime_ns)

    async def delete(self, path: str) -> None:
        parent_path, name = _split(path)
        await self.stat(path)  # NotFoundError before anything else
        parent = await self._directory(parent_path)
        await self._call(path, parent.removeEntry, name)
        self._index.forget(path)

    async def mkdir(self, path: str) -> None:
        await self._directory(path, create=True)

    async def move(self, source: str, target: str) -> None:
        entry = await self.stat(source)
        if await self._exists(target):
            raise AlreadyExistsError(f"{target} already exists; nothing was moved.")
        target_parent, target_name = _split(target)
        new_parent = await self._directory(target_parent, create=True)
        source_parent, source_name = _split(source)
        parent = await self._directory(source_parent)
        handle = await self._call(
            source,
            parent.getFileHandle if entry.kind is not EntryKind.DIR else parent.getDirectoryHandle,
            source_name,
        )
        await self._call(source, handle.move, new_parent, target_name)
        self._index.rename(source, target)
        if entry.kind is not EntryKind.DIR:  # the rename may restamp it: keep the wanted time
            await self.set_mtime(target, entry.mtime_ns)

    async def _exists(self, path: str) -> bool:
        try:
            await self.stat(path)
        except NotFoundError:
            return False
        return True


def _unfinished(name: str) -> bool:
    return name.startswith(PARTIAL_PREFIX) or name.endswith(SWAP_SUFFIX)


async def _existing_file(parent: Any, name: str, path: str) -> Any:
    try:
        return await parent.getFileHandle(name)
    except JsException as error:
        if getattr(error, "name", "") == "NotFoundError":
            return None
        if getattr(error, "name", "") == "TypeMismatchError":
            raise AlreadyExistsError(f"{path} is a folder; a file cannot replace it.") from error
        raise _translate(error, path) from error


async def _copy_into(
    stream: Any, chunks: AsyncIterator[bytes], hash_kind: str | None
) -> tuple[int, str | None]:
    digest = hashlib.new(hash_kind) if hash_kind else None
    size = 0
    async for chunk in chunks:
        if digest is not None:
            digest.update(chunk)
        size += len(chunk)
        await stream.write(to_js(chunk))
    return size, digest.hexdigest() if digest is not None else None


def _translate(error: JsException, path: str) -> SyncoxideError:
    name = getattr(error, "name", "")
    if name == "NotFoundError":
        return NotFoundError(f"{path or 'The folder'} does not exist.")
    if name == "InvalidModificationError":
        return DirectoryNotEmptyError(f"The folder {path} is not empty; nothing was deleted.")
    if name == "TypeMismatchError":
        return AlreadyExistsError(f"{path} exists as a different kind (file vs folder).")
    if name == "QuotaExceededError":
        return ProviderError(
            "The browser's storage is full.",
            hint="Free some space or pick a folder on disk instead.",
        )
    if name == "TypeError":  # "Name is not allowed": the only TypeError a valid call gets
        return NameRefusedError(
            f"This folder cannot hold a file named {path!r}: the browser refuses the name.",
            hint="It was kept on the other devices. Rename it there to sync it here.",
        )
    if name == "NotAllowedError":
        return ProviderError(
            f"The browser did not allow access to {path}.",
            hint="Grant the folder permission again, then retry.",
        )
    return ProviderError(f"The browser refused an operation on {path}: {error}.")
