"""Google Drive v3 as a sync root, over OAuth (``oauth_http``) and httpx2.

How it maps the contract:
- Drive addresses files by id, not by path. Paths are resolved one folder at a time
  (``name = '...' and '<parent>' in parents and trashed = false``) and the ids are cached;
  ``list_tree`` fills the cache as it walks. A cached id that has gone stale is looked up again.
- Writes are atomic through Drive's own commit: small files go in one multipart request after
  the source digest was checked; big ones stream through a resumable session whose last chunk
  is held back until the digest was checked (``gdrive_upload``). A replaced file keeps its id
  (content update), so readers see the old or the new version, never a mix.
- Drive's md5/sha1/sha256 come with every listing; after an upload Drive's md5 must equal the
  md5 of the bytes sent, else the write fails with IntegrityError.
- ``modifiedTime`` is settable with millisecond precision; ``delete`` refuses a non-empty
  folder itself, because Drive would delete (trash) it with everything inside.
- Drive keeps a file's revisions itself (``KeepsVersions``, ``gdrive_revisions``); a restore
  uploads an old revision's bytes as the new content, so the replaced head stays a revision.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    IntegrityError,
    NotFoundError,
    UsageError,
)
from syncoxide.native.net.address_guard import AddressGuard
from syncoxide.native.providers.digests import StreamDigests, read_head, verify_expected
from syncoxide.native.providers.gdrive.api import (
    CHECKSUM_FIELDS,
    FILE_FIELDS,
    FOLDER_MIME,
    LIST_FIELDS,
    children_query,
    entry_from,
    is_folder,
    is_rate_limited,
    parse_rfc3339,
    rfc3339,
    status_error,
)
from syncoxide.native.providers.gdrive.revisions import (
    list_revisions,
    revision_bytes,
    versions_from,
)
from syncoxide.native.providers.gdrive.upload import DriveUpload
from syncoxide.native.providers.oauth_http import (
    RETRYABLE_STATUSES,
    OAuthClient,
    OAuthSettings,
    reading,
    require_json,
)
from syncoxide.native.providers.upload_ledger import UploadLedger
from syncoxide.providers.contract import (
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    ProviderVersion,
    PrunePredicate,
)

MiB = 1024 * 1024
_READ_CHUNK = MiB


@dataclass(frozen=True)
class DriveSettings:
    oauth: OAuthSettings
    #: The folder that is the sync root ("root" is the user's My Drive).
    root_folder_id: str = "root"
    api_url: str = "https://www.googleapis.com"
    chunk_size: int = 8 * MiB
    #: Files up to this size go in one multipart request; bigger ones use a resumable session.
    multipart_limit: int = 5 * MiB
    page_size: int = 1000


class DriveProvider:
    """One Google Drive folder as a sync root. Close with ``aclose``."""

    def __init__(self, settings: DriveSettings) -> None:
        self._settings = settings
        self._api = settings.api_url.rstrip("/") + "/drive/v3"
        retryable = lambda r: r.status_code in RETRYABLE_STATUSES or is_rate_limited(r)  # noqa: E731
        self.client = OAuthClient(settings.oauth, is_retryable=retryable)
        self.uploads = DriveUpload(self.client, settings.api_url, settings.chunk_size)
        self._ids: dict[str, str] = {"": settings.root_folder_id}
        self._features = Features(
            case_sensitive=True,
            mtime_precision_ns=10**6,
            server_side_copy=False,
            server_side_move=True,
            hash_kinds=frozenset(CHECKSUM_FIELDS),
            listing_hash_kinds=frozenset(CHECKSUM_FIELDS),
            lists_whole_files=True,  # a file exists only once its upload completes
        )

    def keep_state_in(self, folder: Path) -> None:
        """Resumable sessions outlive the run (see ``gdrive_resume``)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.uploads.ledger = UploadLedger(folder / "gdrive-uploads.json")

    def guard_addresses(self, guard: AddressGuard) -> None:
        self.client.guard = guard

    async def aclose(self) -> None:
        await self.client.aclose()

    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return f"gdrive:{self._settings.root_folder_id}"

    # -- ids and metadata ----------------------------------------------------------------
    async def _call(
        self, method: str, url: str, action: str, path: str, **options: Any
    ) -> dict[str, Any]:
        reply = await self.client.request(method, url, **options)
        if reply.status_code not in (200, 204):
            raise status_error(reply, action, path)
        return require_json(reply, "Google Drive")

    async def _children(self, folder_id: str, name: str | None = None) -> AsyncIterator[Any]:
        """Pages of the folder's children (only those called ``name`` if given)."""
        params = {"q": children_query(folder_id, name), "fields": LIST_FIELDS}
        params["pageSize"] = str(self._settings.page_size)
        while True:
            page = await self._call("GET", f"{self._api}/files", "list", name or "", params=params)
            yield page.get("files", [])
            if not page.get("nextPageToken"):
                return
            params["pageToken"] = page["nextPageToken"]

    async def _find(self, path: str) -> dict[str, Any] | None:
        """Metadata of the file or folder at ``path``, or None."""
        _check(path)
        if path == "":
            return {"id": self._settings.root_folder_id, "mimeType": FOLDER_MIME}
        cached = self._ids.get(path)
        if cached is not None:
            reply = await self.client.request(
                "GET", f"{self._api}/files/{cached}", params={"fields": FILE_FIELDS + ",trashed"}
            )
            meta = require_json(reply, "Google Drive") if reply.status_code == 200 else {}
            if meta and not meta.get("trashed") and meta.get("name") == path.rpartition("/")[2]:
                return meta
            self._forget(path)
        parent, _, name = path.rpartition("/")
        parent_meta = await self._find(parent)
        if parent_meta is None or not is_folder(parent_meta):
            return None
        async for files in self._children(parent_meta["id"], name):
            if files:
                self._ids[path] = files[0]["id"]
                return dict(files[0])
        return None

    async def _need(self, path: str) -> dict[str, Any]:
        meta = await self._find(path)
        if meta is None:
            raise NotFoundError(f"Google Drive: {path!r} does not exist.")
        return meta

    def _forget(self, path: str) -> None:
        for known in [p for p in self._ids if p == path or p.startswith(path + "/")]:
            if known:
                del self._ids[known]

    async def _folder_id(self, path: str) -> str:
        """The id of the folder at ``path``, creating it and its parents when missing."""
        meta = await self._find(path)
        if meta is not None:
            if not is_folder(meta):
                raise AlreadyExistsError(f"Google Drive: {path!r} exists and is a file.")
            return str(meta["id"])
        parent, _, name = path.rpartition("/")
        body = {"name": name, "mimeType": FOLDER_MIME, "parents": [await self._folder_id(parent)]}
        made = await self._call(
            "POST", f"{self._api}/files", "create", path, json=body, params={"fields": "id"}
        )
        self._ids[path] = str(made["id"])
        return str(made["id"])

    # -- the contract --------------------------------------------------------------------
    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        level = [("", self._settings.root_folder_id)]
        while level:
            deeper: list[tuple[str, str]] = []
            for folder, folder_id in level:
                async for files in self._children(folder_id):
                    page: list[Entry] = []
                    for meta in files:
                        path = f"{folder}/{meta['name']}".lstrip("/")
                        if is_folder(meta) and prune is not None and prune(path):
                            continue
                        self._ids[path] = meta["id"]
                        page.append(entry_from(path, meta))
                        if is_folder(meta):
                            deeper.append((path, meta["id"]))
                    if page:
                        yield page
            level = deeper

    async def stat(self, path: str) -> Entry:
        return entry_from(path, await self._need(path))

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        meta = await self._need(path)
        if is_folder(meta):
            raise UsageError(f"Google Drive: {path!r} is a folder, not a file.")
        size = int(meta.get("size", 0))
        end = size if length is None else min(size, offset + length)
        if end <= offset:
            return
        headers = {"Range": f"bytes={offset}-{end - 1}"}
        url = f"{self._api}/files/{meta['id']}"
        reply = await self.client.request(
            "GET", url, params={"alt": "media"}, headers=headers, stream=True
        )
        try:
            if reply.status_code not in (200, 206):
                await reply.aread()
                raise status_error(reply, "read", path)
            # A reply of 200 is the whole file (Range ignored): skip to the offset here.
            skip = offset if reply.status_code == 200 else 0
            remaining = end - offset
            with reading("Google Drive", path):
                async for block in reply.aiter_bytes(_READ_CHUNK):
                    if skip:
                        block, skip = block[skip:], max(0, skip - len(block))
                    block, remaining = block[:remaining], remaining - len(block[:remaining])
                    if block:
                        yield block
                    if remaining <= 0:
                        return
        finally:
            await reply.aclose()

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        _check(path)
        kind = hash_kind or "sha1"
        parent, _, name = path.rpartition("/")
        parent_id = await self._folder_id(parent)
        existing = await self._find(path)
        if existing is not None and is_folder(existing):
            raise AlreadyExistsError(f"Google Drive: {path!r} is a folder.")
        metadata: dict[str, Any] = {"name": name}
        if mtime_ns is not None:
            metadata["modifiedTime"] = rfc3339(mtime_ns)
        if existing is None:
            metadata["parents"] = [parent_id]
        file_id = existing["id"] if existing else None
        digests = StreamDigests("md5", kind)
        head, rest = await read_head(chunks, digests, self._settings.multipart_limit)
        if rest is None:
            verify_expected(expected_digest, digests, kind, path)
            meta = await self.uploads.multipart(file_id, metadata, head, path)
        else:
            check = lambda: verify_expected(expected_digest, digests, kind, path)  # noqa: E731
            meta = await self.uploads.resumable(
                file_id,
                metadata,
                (head, rest),
                digests,
                before_commit=check,
                path=path,
                mtime_ns=mtime_ns,
            )
        self._ids[path] = meta["id"]
        if meta.get("md5Checksum", digests.hexdigest("md5")) != digests.hexdigest("md5"):
            raise IntegrityError(f"Google Drive stored different bytes for {path!r} than sent.")
        entry = entry_from(path, meta)
        return Entry(path, EntryKind.FILE, digests.size, entry.mtime_ns, digests.hashes(kind))

    async def delete(self, path: str) -> None:
        meta = await self._need(path)
        if is_folder(meta):
            async for files in self._children(meta["id"]):
                if files:
                    raise DirectoryNotEmptyError(f"Google Drive: folder {path!r} is not empty.")
        reply = await self.client.request("DELETE", f"{self._api}/files/{meta['id']}")
        if reply.status_code not in (200, 204):
            raise status_error(reply, "delete", path)
        self._forget(path)

    async def mkdir(self, path: str) -> None:
        if path:
            await self._folder_id(path)

    async def move(self, source: str, target: str) -> None:
        meta = await self._need(source)
        if await self._find(target) is not None:
            raise AlreadyExistsError(f"Google Drive: {target!r} already exists.")
        old_parent = await self._need(source.rpartition("/")[0])
        new_parent, _, name = target.rpartition("/")
        params = {"addParents": await self._folder_id(new_parent), "fields": "id"}
        params["removeParents"] = old_parent["id"]
        url = f"{self._api}/files/{meta['id']}"
        await self._call("PATCH", url, "move", source, json={"name": name}, params=params)
        self._forget(source)
        self._ids[target] = meta["id"]

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        meta = await self._need(path)
        body = {"modifiedTime": rfc3339(mtime_ns)}
        await self._call("PATCH", f"{self._api}/files/{meta['id']}", "touch", path, json=body)

    async def hash(self, path: str, kind: str) -> str:
        entry = await self.stat(path)
        if kind in entry.hashes:
            return entry.hashes[kind]
        digests = StreamDigests(kind)
        async for block in self.open_read(path):
            await digests.update(block)
        return digests.hexdigest(kind)

    # -- provider-side history (KeepsVersions) -------------------------------------------
    async def _revisions(self, path: str) -> tuple[str, list[dict[str, Any]]]:
        """The file's revisions URL and its revision resources, oldest first."""
        meta = await self._need(path)
        if is_folder(meta):
            raise NotFoundError(f"Google Drive: {path!r} is a folder; folders have no versions.")
        url = f"{self._api}/files/{meta['id']}/revisions"
        return url, await list_revisions(self._call, url, path, self._settings.page_size)

    async def versions(self, path: str) -> list[ProviderVersion]:
        return versions_from((await self._revisions(path))[1])

    async def restore_version(self, path: str, version_id: str) -> Entry:
        url, revisions = await self._revisions(path)
        wanted = next((r for r in revisions if r["id"] == version_id), None)
        if wanted is None:
            raise NotFoundError(
                f"Google Drive keeps no version {version_id!r} of {path!r}.",
                hint="Nothing was changed. List the file's versions for the ones kept.",
            )
        old = revision_bytes(self.client, f"{url}/{quote(version_id, safe='')}", path)
        md5 = wanted.get("md5Checksum")  # checked before the upload commits
        return await self.write(
            path,
            old,
            mtime_ns=parse_rfc3339(str(wanted["modifiedTime"])),
            hash_kind="md5",
            expected_digest=lambda: None if md5 is None else str(md5),
        )

    # -- changes feed --------------------------------------------------------------------
    async def changes_token(self) -> str:
        """A token for "now"; ``changes`` later tells what changed after it."""
        reply = await self._call("GET", f"{self._api}/changes/startPageToken", "watch", "")
        return str(reply["startPageToken"])

    async def changes(self, token: str) -> tuple[list[str], str]:
        """Ids of the files changed (or removed) since ``token``, and the next token."""
        changed: list[str] = []
        params = {"pageToken": token, "pageSize": str(self._settings.page_size)}
        while True:
            page = await self._call("GET", f"{self._api}/changes", "watch", "", params=params)
            changed += [str(change["fileId"]) for change in page.get("changes", [])]
            if "newStartPageToken" in page:
                return changed, str(page["newStartPageToken"])
            params["pageToken"] = str(page["nextPageToken"])


def _check(path: str) -> None:
    if path.startswith("/") or any(p in (".", "..", "") for p in path.split("/") if path):
        raise UsageError(f"{path!r} is not a path inside the sync root.")
