"""Dropbox v2 as a sync root, over OAuth (``oauth_http``) and httpx2.

How it maps the contract:
- Dropbox addresses files by path, case-insensitively (case-preserving), so
  ``Features.case_sensitive`` is False. The sync root is a folder path (``""``: all of it).
- Writes are atomic through Dropbox's own commit (``upload``, or ``upload_session/finish``
  whose last chunk waits until the source digest was checked; ``dropbox_upload``).
- Dropbox's native digest is ``content_hash`` (4 MiB-block SHA-256). It comes with every
  listing as the hash kind ``"dropbox"`` (``listing_hash_kinds``); sha1/md5 are computed while
  streaming in ``write`` and by reading in ``hash``. "dropbox" is not in ``hash_kinds``
  because the engine and the conformance suite build those digests with ``hashlib``.
- Dropbox keeps ``client_modified`` in whole seconds and has no call to change it: ``set_mtime``
  uploads the same bytes again with the new time (one download and one upload).
- ``delete`` refuses a non-empty folder itself; Dropbox would delete it with its contents.
- Dropbox keeps a file's revisions itself (``KeepsVersions``): ``list_revisions`` in path mode
  lists them, ``restore`` commits an old one as a new revision, so the one it replaced is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncoxide.errors import DirectoryNotEmptyError, NotFoundError, UsageError
from syncoxide.native.net.address_guard import AddressGuard
from syncoxide.native.providers.byte_ranges import range_headers
from syncoxide.native.providers.digests import StreamDigests, read_head, verify_expected
from syncoxide.native.providers.dropbox.api import (
    DROPBOX_HASH,
    REV_PATTERN,
    REVISIONS_LIMIT,
    ContentHash,
    api_arg,
    client_modified,
    entry_from,
    error_summary,
    status_error,
    versions_from,
)
from syncoxide.native.providers.dropbox.upload import DropboxUpload
from syncoxide.native.providers.oauth_http import (
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
class DropboxSettings:
    oauth: OAuthSettings
    #: The folder that is the sync root, like ``/Backups/laptop``; ``""`` is the whole Dropbox.
    root_path: str = ""
    api_url: str = "https://api.dropboxapi.com"
    content_url: str = "https://content.dropboxapi.com"
    chunk_size: int = 8 * MiB
    #: Files up to this size go in one ``upload`` call; bigger ones use a session.
    single_limit: int = 8 * MiB
    page_size: int = 2000


class DropboxProvider:
    """One Dropbox folder as a sync root. Close with ``aclose``."""

    def __init__(self, settings: DropboxSettings) -> None:
        self._settings = settings
        self._root = settings.root_path.rstrip("/")
        self._rpc = settings.api_url.rstrip("/") + "/2/files"
        self._content = settings.content_url.rstrip("/") + "/2/files"
        self.client = OAuthClient(settings.oauth)
        self.uploads = DropboxUpload(self.client, settings.content_url, settings.chunk_size)
        self._features = Features(
            case_sensitive=False,
            mtime_precision_ns=10**9,
            server_side_copy=False,
            server_side_move=True,
            hash_kinds=frozenset({"sha1", "md5"}),
            listing_hash_kinds=frozenset({DROPBOX_HASH}),
            sets_mtime_in_place=False,  # set_mtime uploads the file again
            lists_whole_files=True,  # a file exists only once its upload or session commits
        )

    def keep_state_in(self, folder: Path) -> None:
        """Upload sessions outlive the run (see ``dropbox_upload``)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.uploads.ledger = UploadLedger(folder / "dropbox-uploads.json")

    def guard_addresses(self, guard: AddressGuard) -> None:
        self.client.guard = guard

    async def aclose(self) -> None:
        await self.client.aclose()

    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return f"dropbox:{self._root or '/'}"

    def _full(self, path: str) -> str:
        if path.startswith("/") or (path and any(p in (".", "..", "") for p in path.split("/"))):
            raise UsageError(f"{path!r} is not a path inside the sync root.")
        return f"{self._root}/{path}" if path else self._root

    def _relative(self, meta: dict[str, Any]) -> str:
        return str(meta["path_display"])[len(self._root) + 1 :]

    async def _call(self, endpoint: str, arg: dict[str, Any], path: str) -> dict[str, Any]:
        reply = await self.client.request("POST", f"{self._rpc}/{endpoint}", json=arg)
        if reply.status_code != 200:
            raise status_error(reply, endpoint.partition("_v2")[0].replace("_", " "), path)
        return require_json(reply, "Dropbox")

    async def _metadata(self, path: str) -> dict[str, Any]:
        if path == "":
            return {".tag": "folder"}
        return await self._call("get_metadata", {"path": self._full(path)}, path)

    # -- the contract --------------------------------------------------------------------
    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        arg = {"path": self._root, "recursive": True, "limit": self._settings.page_size}
        reply = await self._call("list_folder", arg, "")
        pruned: dict[str, bool] = {}
        while True:
            page = [
                entry_from(self._relative(meta), meta)
                for meta in reply.get("entries", [])
                if meta.get(".tag") in ("file", "folder")
                and str(meta.get("path_lower", "")) != self._root.lower()
                and not self._is_pruned(self._relative(meta), meta, prune, pruned)
            ]
            if page:
                yield page
            if not reply.get("has_more"):
                return
            reply = await self._call("list_folder/continue", {"cursor": reply["cursor"]}, "")

    @staticmethod
    def _is_pruned(
        path: str, meta: dict[str, Any], prune: PrunePredicate | None, seen: dict[str, bool]
    ) -> bool:
        """A recursive listing cannot skip folders server-side: drop them and their contents."""
        if prune is None:
            return False
        parts = path.split("/")
        folders = parts if meta.get(".tag") == "folder" else parts[:-1]
        for depth in range(1, len(folders) + 1):
            folder = "/".join(folders[:depth])
            if folder not in seen:
                seen[folder] = prune(folder)
            if seen[folder]:
                return True
        return False

    async def stat(self, path: str) -> Entry:
        return entry_from(path, await self._metadata(path))

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        if length == 0:
            return
        headers = {"Dropbox-API-Arg": api_arg({"path": self._full(path)})}
        headers.update(range_headers(offset, length))
        url = f"{self._content}/download"
        reply = await self.client.request("POST", url, headers=headers, stream=True)
        try:
            if reply.status_code == 416:
                return  # the offset is at or past the end: no bytes
            if reply.status_code not in (200, 206):
                await reply.aread()
                raise status_error(reply, "read", path)
            skip = offset if reply.status_code == 200 else 0
            remaining = -1 if length is None else length
            with reading("Dropbox", path):
                async for block in reply.aiter_bytes(_READ_CHUNK):
                    if skip:
                        block, skip = block[skip:], max(0, skip - len(block))
                    if remaining >= 0:
                        block, remaining = block[:remaining], max(0, remaining - len(block))
                    if block:
                        yield block
                    if remaining == 0:
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
        kind = hash_kind or "sha1"
        commit: dict[str, Any] = {"path": self._full(path), "mode": "overwrite"}
        commit |= {"autorename": False, "mute": True, "strict_conflict": False}
        if mtime_ns is not None:
            commit["client_modified"] = client_modified(mtime_ns)
        digests = StreamDigests(kind)
        head, rest = await read_head(chunks, digests, self._settings.single_limit)
        if rest is None:
            verify_expected(expected_digest, digests, kind, path)
            meta = await self.uploads.single(commit, head, path)
        else:
            check = lambda: verify_expected(expected_digest, digests, kind, path)  # noqa: E731
            meta = await self.uploads.session(
                commit, head, rest, digests, before_commit=check, path=path, mtime_ns=mtime_ns
            )
        written = entry_from(path, meta)
        hashes = digests.hashes(kind) | written.hashes
        return Entry(path, EntryKind.FILE, digests.size, written.mtime_ns, hashes)

    async def delete(self, path: str) -> None:
        meta = await self._metadata(path)
        if meta.get(".tag") == "folder":
            arg = {"path": self._full(path), "recursive": False, "limit": 1}
            if (await self._call("list_folder", arg, path)).get("entries"):
                raise DirectoryNotEmptyError(f"Dropbox: folder {path!r} is not empty.")
        await self._call("delete_v2", {"path": self._full(path)}, path)

    async def mkdir(self, path: str) -> None:
        """Also creates the sync root itself when asked for ``""``."""
        if not self._full(path):
            return
        reply = await self.client.request(
            "POST", f"{self._rpc}/create_folder_v2", json={"path": self._full(path)}
        )
        if reply.status_code == 409 and "conflict/folder" in error_summary(reply):
            return  # it exists already, as a folder: nothing to do
        if reply.status_code != 200:
            raise status_error(reply, "create", path)

    async def move(self, source: str, target: str) -> None:
        arg = {"from_path": self._full(source), "to_path": self._full(target)}
        await self._call("move_v2", arg | {"autorename": False}, source)

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        entry = await self.stat(path)
        if entry.kind is not EntryKind.FILE:
            raise UsageError(f"Dropbox: {path!r} is a folder; folders carry no time.")
        await self.write(path, self.open_read(path), mtime_ns=mtime_ns)

    async def hash(self, path: str, kind: str) -> str:
        entry = await self.stat(path)
        if kind in entry.hashes:
            return entry.hashes[kind]
        if entry.kind is not EntryKind.FILE:
            raise NotFoundError(f"Dropbox: {path!r} is not a file.")
        content_hash = ContentHash() if kind == DROPBOX_HASH else None
        digests = StreamDigests(None if content_hash else kind)
        async for block in self.open_read(path):
            if content_hash is not None:
                content_hash.update(block)
            else:
                await digests.update(block)
        return content_hash.hexdigest() if content_hash else digests.hexdigest(kind)

    # -- provider-side history (KeepsVersions) -------------------------------------------
    async def versions(self, path: str) -> list[ProviderVersion]:
        arg = {"path": self._full(path), "mode": "path", "limit": REVISIONS_LIMIT}
        found = versions_from(await self._call("list_revisions", arg, path))
        if not found:
            raise NotFoundError(f"Dropbox: {path!r} has no revisions.")
        return found

    async def restore_version(self, path: str, version_id: str) -> Entry:
        # Only a rev listed for this path: Dropbox would restore any rev of the account here.
        well_formed = REV_PATTERN.fullmatch(version_id) is not None
        listed = await self.versions(path) if well_formed else []
        if all(v.version_id != version_id for v in listed):
            raise NotFoundError(
                f"Dropbox keeps no revision {version_id!r} of {path!r}.",
                hint="Nothing was changed. List the file's versions for the revisions kept.",
            )
        arg = {"path": self._full(path), "rev": version_id}
        return entry_from(path, await self._call("restore", arg, path))

    # -- changes feed --------------------------------------------------------------------
    async def changes_token(self) -> str:
        """A cursor for "now"; ``changes`` later tells what changed after it."""
        arg = {"path": self._root, "recursive": True}
        return str((await self._call("list_folder/get_latest_cursor", arg, ""))["cursor"])

    async def changes(self, token: str) -> tuple[list[str], str]:
        """Paths (relative to the root) changed or deleted since ``token``, and the next one."""
        changed: list[str] = []
        while True:
            reply = await self._call("list_folder/continue", {"cursor": token}, "")
            changed += [self._relative(meta) for meta in reply.get("entries", [])]
            token = str(reply["cursor"])
            if not reply.get("has_more"):
                return changed, token
