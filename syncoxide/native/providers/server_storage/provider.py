"""Your own files on a syncoxide server (``/api/v1/storage``) as a sync provider, via httpx2.

How it maps the contract:
- Listing asks for the whole tree under the root in pages sorted by path; every file comes
  with its size, exact mtime and the SHA-1 the server computed while the bytes arrived, so
  comparing by hash costs no reads.
- A write hashes the bytes as they stream out. A source that ends within ``small_upload``
  bytes goes in one ``PUT`` carrying its SHA-1; the server stores it only if all of it arrived
  and the digest matches. Anything larger goes through tus (``server_storage_upload``), and
  is named by a final commit only after the source's digest was checked here: a reader never
  sees half a file, and a mismatch commits nothing.
- Moves, copies and folder deletes run on the server; a non-empty folder is refused there.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from syncoxide.errors import IntegrityError, NotFoundError, UsageError
from syncoxide.native.providers.byte_ranges import range_headers
from syncoxide.native.providers.digests import StreamDigests, read_head, verify_expected
from syncoxide.native.providers.server_storage.errors import checked, translated
from syncoxide.native.providers.server_storage.upload import TusUpload
from syncoxide.native.providers.upload_ledger import UploadLedger
from syncoxide.providers.contract import Entry, EntryKind, ExpectedDigest, Features, PrunePredicate

API = "/api/v1/storage"
_READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class ServerStorageSettings:
    url: str  # the server, e.g. https://sync.example.org
    token: str = field(repr=False)
    root: str = ""  # a folder inside your files; "" for all of them
    timeout: float = 60.0
    small_upload: int = 4 << 20  # sources up to this size go in one request
    # Larger ones in tus PATCHes of this size; memory: about twice this per transfer.
    part_size: int = 8 << 20
    page_size: int = 5000


def _joined(root: str, path: str) -> str:
    return f"{root}/{path}" if root and path else root or path


class ServerStorageProvider:
    """The signed-in user's files on one server, from ``root`` down. Close with ``aclose``."""

    def __init__(self, settings: ServerStorageSettings) -> None:
        self._settings = settings
        self._base = settings.url.rstrip("/")
        self._root = settings.root.strip("/")
        self._client: httpx2.AsyncClient | None = None
        self._ledger: UploadLedger | None = None
        self._features = Features(
            case_sensitive=True,
            mtime_precision_ns=1,
            server_side_copy=True,
            server_side_move=True,
            hash_kinds=frozenset({"sha1", "md5"}),
            listing_hash_kinds=frozenset({"sha1"}),
            lists_whole_files=True,  # the server names a file only once all of it arrived
        )

    async def __aenter__(self) -> ServerStorageProvider:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    def keep_state_in(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._ledger = UploadLedger(folder / "server-uploads.json")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(
                base_url=self._base,
                headers={"Authorization": f"Bearer {self._settings.token}"},
                timeout=httpx2.Timeout(self._settings.timeout),
            )
        return self._client

    def _path(self, path: str) -> str:
        if path.startswith("/") or any(p in (".", "..") for p in path.split("/")):
            raise UsageError(f"{path!r} is not a path inside the sync root.")
        return _joined(self._root, path)

    def _relative(self, server_path: str) -> str:
        return server_path[len(self._root) + 1 :] if self._root else server_path

    async def _call(self, method: str, where: str, path: str, **options: Any) -> Any:
        with translated(path, self._base):
            reply = await self._http().request(method, API + where, **options)
        checked(reply, method, path)
        return reply.json() if reply.content else None

    def _entry(self, found: dict[str, Any]) -> Entry:
        path = self._relative(str(found["path"]))
        if found["kind"] == "dir":
            return Entry(path, EntryKind.DIR)
        hashes = {k: str(found[k]) for k in ("sha1", "sha256") if found.get(k)}
        return Entry(path, EntryKind.FILE, int(found["size"]), int(found["mtime_ns"]), hashes)

    # -- the contract ------------------------------------------------------------------
    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        # One URL serves many accounts, each with its own files: the token tells them apart, so
        # two accounts syncing the same local folder never share pair state. (A new token means
        # one run that compares everything afresh; nothing is lost.)
        account = hashlib.sha256(self._settings.token.encode()).hexdigest()[:12]
        return f"server:{self._base}/{self._root}#{account}"

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        pruned: set[str] = set()
        after = ""
        while True:
            query = {"path": self._root, "recursive": "true", "after": after}
            query["limit"] = str(self._settings.page_size)
            try:
                answer = await self._call("GET", "", self._root, params=query)
            except NotFoundError:
                if after or not self._root:
                    raise
                return  # the root folder is not there yet: an empty tree, as on S3
            page = [self._entry(found) for found in answer["entries"]]
            yield without_pruned(page, prune, pruned)
            if answer["next_after"] is None:
                return
            after = str(answer["next_after"])

    async def stat(self, path: str) -> Entry:
        if path == "":
            return Entry("", EntryKind.DIR)
        return self._entry(
            await self._call("GET", "/stat", path, params={"path": self._path(path)})
        )

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        if length == 0:
            return
        headers = range_headers(offset, length)
        params = {"path": self._path(path)}
        with translated(path, self._base):
            async with self._http().stream(
                "GET", API + "/content", params=params, headers=headers
            ) as reply:
                if reply.status_code == 416:
                    return  # the offset is at or past the end: no bytes
                if reply.status_code not in (200, 206):
                    await reply.aread()
                    checked(reply, "GET", path)
                async for block in reply.aiter_bytes(_READ_CHUNK):
                    yield block

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        target = self._path(path)
        kind = hash_kind or "sha1"
        mtime = time.time_ns() if mtime_ns is None else mtime_ns
        digests = StreamDigests(kind, "sha1", "sha256")
        head, rest = await read_head(chunks, digests, self._settings.small_upload)
        if rest is None:
            verify_expected(expected_digest, digests, kind, path)
            query = {"path": target, "mtime_ns": str(mtime), "sha1": digests.hexdigest("sha1")}
            await self._call("PUT", "/content", path, params=query, content=head)
        else:
            upload = TusUpload(self._http(), self._base, self._settings.part_size, self._ledger)
            # The ledger may resume only a source seen with this mtime (and part size).
            resume_key = target if mtime_ns is not None else ""
            upload_id = await upload.send(
                target, resume_key, mtime_ns=mtime, head=head, rest=rest, digests=digests
            )
            try:
                verify_expected(expected_digest, digests, kind, path)
            except IntegrityError:
                await upload.cancel(upload_id, resume_key)
                raise
            await upload.finish(upload_id, digests.size)
            body = {"upload": upload_id.rsplit("/", 1)[-1], "path": target, "mtime_ns": mtime}
            body["sha1"] = digests.hexdigest("sha1")
            try:
                await self._call("POST", "/commit", path, json=body)
            finally:
                upload.forget(resume_key)  # committed or refused, the server dropped it
        return Entry(path, EntryKind.FILE, digests.size, mtime, digests.hashes(kind, "sha1"))

    async def delete(self, path: str) -> None:
        await self._call("DELETE", "", path, params={"path": self._path(path)})

    async def mkdir(self, path: str) -> None:
        folder = self._path(path)
        if folder:
            await self._call("POST", "/folders", path, json={"path": folder})

    async def move(self, source: str, target: str) -> None:
        body = {"source": self._path(source), "target": self._path(target)}
        await self._call("POST", "/move", source, json=body)

    async def copy(self, source: str, target: str) -> None:
        """Server-side copy; ``AlreadyExistsError`` if ``target`` exists."""
        body = {"source": self._path(source), "target": self._path(target)}
        await self._call("POST", "/copy", source, json=body)

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        body = {"path": self._path(path), "mtime_ns": mtime_ns}
        await self._call("PUT", "/mtime", path, json=body)

    async def changes_token(self) -> str:
        """A token for "now"; ``changes`` later tells what changed under the root since."""
        return str((await self._call("GET", "/changes", ""))["token"])

    async def changes(self, token: str) -> tuple[list[str], str]:
        return await self.wait_for_changes(token, 0)

    async def wait_for_changes(self, token: str, seconds: float) -> tuple[list[str], str]:
        """Paths under the root changed since ``token`` (``""`` when the server cannot say
        which), and the next token; the server holds the call up to ``seconds`` for a change."""
        params = {"since": token, "wait": int(seconds)}
        reply = await self._call("GET", "/changes", "", params=params)
        inside = [self._changed_here(path) for path in reply["paths"]]
        return [path for path in inside if path is not None], str(reply["token"])

    def _changed_here(self, server_path: str) -> str | None:
        """The path relative to the root; "" for "unknown"; None when outside the root."""
        if not server_path or not self._root:
            return server_path
        if server_path == self._root or server_path.startswith(self._root + "/"):
            return self._relative(server_path) if server_path != self._root else ""
        return None

    async def hash(self, path: str, kind: str) -> str:
        stored = (await self.stat(path)).hashes.get(kind)
        if stored:
            return stored
        digests = StreamDigests(kind)
        async for block in self.open_read(path):
            await digests.update(block)
        return digests.hexdigest(kind)


def without_pruned(
    page: list[Entry], prune: PrunePredicate | None, pruned: set[str]
) -> list[Entry]:
    """``page`` without pruned folders and what lies under them; ``pruned`` carries the
    folders pruned so far from page to page (a listing sorted by path has parents first)."""
    if prune is None:
        return page
    kept = []
    for entry in page:
        parts = entry.path.split("/")
        if any("/".join(parts[:i]) in pruned for i in range(1, len(parts))):
            continue
        if entry.kind is EntryKind.DIR and prune(entry.path):
            pruned.add(entry.path)
            continue
        kept.append(entry)
    return kept
