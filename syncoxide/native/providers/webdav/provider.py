"""WebDAV servers (RFC 4918) through httpx2.

How it maps the contract:
- Writes PUT a hidden partial (``.sxpart-<random>``) beside the target, hashing the bytes as
  they stream out, check the source digest, record our properties on the partial with
  PROPPATCH, then ``MOVE`` it over the target with ``Overwrite: T``: a reader never sees half
  a file, and a crash leaves only a partial that listing reports as PARTIAL.
- HTTP dates carry whole seconds, so the exact mtime and our digests are dead properties
  (``webdav_xml``). A foreign client's later PUT leaves them behind, stale: they are trusted
  only while the size matches and the server's own modification time is not later than
  when we wrote them, else the server's values are used (safe: it looks changed).
- Listing walks with ``Depth: 1`` (``Depth: infinity`` is often refused), folders in parallel.
- ``delete`` refuses a non-empty folder itself: a WebDAV DELETE would remove it recursively.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx2

from syncoxide.errors import AlreadyExistsError, DirectoryNotEmptyError, UsageError
from syncoxide.native.net.address_guard import AddressGuard
from syncoxide.native.net.guarded_clients import guarded_transport
from syncoxide.native.providers.byte_ranges import range_headers
from syncoxide.native.providers.digests import (
    StreamDigests,
    mtime_from_text,
    mtime_to_text,
    verify_expected,
)
from syncoxide.native.providers.webdav.errors import status_error, translated
from syncoxide.native.providers.webdav.xml import (
    PROPFIND_BODY,
    Resource,
    parse_multistatus,
    proppatch_body,
)
from syncoxide.providers.contract import (
    PARTIAL_PREFIX,
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    PrunePredicate,
)

_READ_CHUNK = 1024 * 1024
_STALE_SLACK_NS = 2 * 10**9  # server clocks round to seconds and drift a little


@dataclass(frozen=True)
class WebDavSettings:
    url: str  # the root collection, e.g. https://dav.example.org/remote.php/dav/files/me
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    max_connections: int = 8


def _entry(path: str, found: Resource) -> Entry:
    if found.is_collection:
        return Entry(path, EntryKind.DIR)
    name = path.rpartition("/")[2]
    kind = EntryKind.PARTIAL if name.startswith(PARTIAL_PREFIX) else EntryKind.FILE
    own = found.own
    written = mtime_from_text(own.get("written", ""))
    trusted = (
        written is not None
        and own.get("size") == str(found.size)
        and found.modified_ns <= written + _STALE_SLACK_NS
    )
    mtime = mtime_from_text(own.get("mtime", "")) if trusted else None
    hashes: dict[str, str] = {k: own[k] for k in ("sha1", "md5") if k in own} if trusted else {}
    return Entry(path, kind, found.size, found.modified_ns if mtime is None else mtime, hashes)


class WebDavProvider:
    """One WebDAV collection as a sync root. Close with ``aclose``."""

    def __init__(self, settings: WebDavSettings) -> None:
        self._settings = settings
        self._base = settings.url.rstrip("/")
        self._base_path = unquote(urlsplit(self._base).path).rstrip("/")
        self._client: httpx2.AsyncClient | None = None
        self._guard: AddressGuard | None = None
        self._known_folders: set[str] = {""}
        self._features = Features(
            case_sensitive=True,
            mtime_precision_ns=1,
            server_side_copy=True,
            server_side_move=True,
            hash_kinds=frozenset({"sha1", "md5"}),
        )

    async def __aenter__(self) -> WebDavProvider:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def guard_addresses(self, guard: AddressGuard) -> None:
        self._guard = guard

    def _http(self) -> httpx2.AsyncClient:
        if self._client is None:
            s = self._settings
            auth = httpx2.BasicAuth(s.username, s.password or "") if s.username else None
            limits = httpx2.Limits(max_connections=s.max_connections)
            self._client = httpx2.AsyncClient(
                auth=auth,
                timeout=httpx2.Timeout(s.timeout),
                limits=limits,
                transport=guarded_transport(self._guard, limits=limits),
            )
        return self._client

    def _url(self, path: str) -> str:
        if path.startswith("/") or any(p in (".", "..") for p in path.split("/")):
            raise UsageError(f"{path!r} is not a path inside the sync root.")
        return f"{self._base}/{quote(path)}" if path else self._base + "/"

    async def _send(
        self, method: str, path: str, ok: tuple[int, ...], **options: Any
    ) -> httpx2.Response:
        with translated(path, self._base):
            response = await self._http().request(method, self._url(path), **options)
        if response.status_code not in ok:
            raise status_error(response.status_code, method, path)
        return response

    async def _propfind(self, path: str, depth: str) -> list[tuple[str, Resource]]:
        reply = await self._send(
            "PROPFIND",
            path,
            (207,),
            content=PROPFIND_BODY,
            headers={"Depth": depth, "Content-Type": "application/xml"},
        )
        found = []
        for item in parse_multistatus(reply.content):
            relative = item.path.rstrip("/")[len(self._base_path) :].strip("/")
            found.append((relative, item))
        return found

    # -- the contract ------------------------------------------------------------------
    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return f"webdav:{self._base}"

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        slots = asyncio.Semaphore(self._settings.max_connections)

        async def listed(folder: str) -> list[tuple[str, Resource]]:
            async with slots:
                return await self._propfind(folder, "1")

        level = [""]
        while level:
            replies = await asyncio.gather(*(listed(folder) for folder in level))
            page: list[Entry] = []
            deeper: list[str] = []
            for folder, listing in zip(level, replies, strict=True):
                for path, found in listing:
                    if path == folder or (found.is_collection and prune and prune(path)):
                        continue
                    page.append(_entry(path, found))
                    if found.is_collection:
                        deeper.append(path)
                        self._known_folders.add(path)
            level = deeper
            if page:
                yield page

    async def stat(self, path: str) -> Entry:
        if path == "":
            return Entry("", EntryKind.DIR)
        found = await self._propfind(path, "0")
        return _entry(path, found[0][1])

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        if length == 0:
            return
        headers = range_headers(offset, length)
        with translated(path, self._base):
            async with self._http().stream("GET", self._url(path), headers=headers) as reply:
                if reply.status_code == 416:
                    return  # the offset is at or past the end: no bytes
                if reply.status_code not in (200, 206):
                    raise status_error(reply.status_code, "GET", path)
                # A server that ignores Range answers 200 with the whole file: cut it here.
                skip = offset if reply.status_code == 200 else 0
                remaining = -1 if length is None else length
                async for block in reply.aiter_bytes(_READ_CHUNK):
                    if skip:
                        block, skip = block[skip:], max(0, skip - len(block))
                    if remaining >= 0:
                        block, remaining = block[:remaining], max(0, remaining - len(block))
                    if block:
                        yield block
                    if remaining == 0:
                        return

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        self._url(path)
        kind = hash_kind or "sha1"
        mtime = time.time_ns() if mtime_ns is None else mtime_ns
        parent, _, _ = path.rpartition("/")
        await self.mkdir(parent)
        partial = f"{parent}/{PARTIAL_PREFIX}{os.urandom(8).hex()}".lstrip("/")
        digests = StreamDigests(kind)
        try:
            await self._put(partial, chunks, digests, mtime)
            verify_expected(expected_digest, digests, kind, path)
            # Both digests are set (one blank) so an older write's other digest cannot linger.
            own = {"sha1": "", "md5": "", kind: digests.hexdigest(kind)}
            own |= {"mtime": mtime_to_text(mtime), "size": str(digests.size)}
            own["written"] = mtime_to_text(time.time_ns())
            await self._send("PROPPATCH", partial, (207,), content=proppatch_body(own))
            await self._move(partial, path, overwrite=True)
        except BaseException:
            await asyncio.shield(self._discard(partial))
            raise
        return Entry(path, EntryKind.FILE, digests.size, mtime, digests.hashes(kind))

    async def _put(
        self, partial: str, chunks: AsyncIterator[bytes], digests: StreamDigests, mtime: int
    ) -> None:
        async def body() -> AsyncIterator[bytes]:
            async for block in chunks:
                await digests.update(block)
                yield block

        # X-OC-Mtime: servers that know it (Nextcloud, ownCloud, wsgidav) keep the mtime too.
        headers = {"X-OC-Mtime": str(mtime // 10**9)}
        await self._send("PUT", partial, (200, 201, 204), content=body(), headers=headers)

    async def _discard(self, partial: str) -> None:
        with suppress(Exception):
            await self._http().request("DELETE", self._url(partial))

    async def _move(
        self, source: str, target: str, *, overwrite: bool, method: str = "MOVE"
    ) -> None:
        headers = {"Destination": self._url(target), "Overwrite": "T" if overwrite else "F"}
        await self._send(method, source, (201, 204), headers=headers)

    async def delete(self, path: str) -> None:
        listing = await self._propfind(path, "1")
        if len(listing) > 1:
            raise DirectoryNotEmptyError(f"WebDAV: folder {path!r} is not empty.")
        await self._send("DELETE", path, (200, 204))
        self._known_folders.discard(path)

    async def mkdir(self, path: str) -> None:
        if path in self._known_folders:
            return
        reply = await self._send("MKCOL", path, (201, 405, 409))
        if reply.status_code == 409:  # a parent is missing
            await self.mkdir(path.rpartition("/")[0])
            await self._send("MKCOL", path, (201, 405))
        elif reply.status_code == 405 and (await self.stat(path)).kind is not EntryKind.DIR:
            raise AlreadyExistsError(f"WebDAV: {path!r} exists and is a file.")
        self._known_folders.add(path)

    async def move(self, source: str, target: str) -> None:
        await self.mkdir(target.rpartition("/")[0])
        await self._move(source, target, overwrite=False)
        self._known_folders = {f for f in self._known_folders if not _inside(f, source)}

    async def copy(self, source: str, target: str) -> None:
        """Server-side copy; ``AlreadyExistsError`` if ``target`` exists."""
        await self.mkdir(target.rpartition("/")[0])
        await self._move(source, target, overwrite=False, method="COPY")

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        entry = await self.stat(path)
        own = {"mtime": mtime_to_text(mtime_ns), "size": str(entry.size)}
        own["written"] = mtime_to_text(time.time_ns())
        if not entry.hashes:  # stale or absent: must not become trusted with the new stamp
            own |= {"sha1": "", "md5": ""}
        await self._send("PROPPATCH", path, (207,), content=proppatch_body(own))

    async def hash(self, path: str, kind: str) -> str:
        stored = (await self.stat(path)).hashes.get(kind)
        if stored is not None:
            return stored
        digests = StreamDigests(kind)
        async for block in self.open_read(path):
            await digests.update(block)
        return digests.hexdigest(kind)


def _inside(folder: str, moved: str) -> bool:
    return folder == moved or folder.startswith(moved + "/")
