"""Dropbox uploads: one ``upload`` call for small files, an upload session for big ones.

Nothing appears under the final name before ``upload``/``upload_session/finish`` commits, and
the session's last chunk rides on ``finish``, which is only sent once the source stream ended
and its digest was checked; an abandoned session simply expires. Both calls also carry the
content_hash of what was sent, so Dropbox itself refuses bytes damaged on the way.
An ``append`` whose reply was lost is sent again at the same offset; Dropbox answers
``incorrect_offset`` with the offset it holds, and the upload continues from there.

With a ledger (``upload_ledger``), a session survives the run: a later write of the same path
with the same mtime and chunk size asks the session how many bytes it holds (an empty append
at offset 0 is answered with ``incorrect_offset``) and sends only what follows. The skipped
bytes are still read and hashed, and ``finish`` carries the content_hash of the whole source,
so Dropbox refuses to commit if what it held was not the source's bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from syncoxide.errors import IntegrityError, ProviderUnavailableError
from syncoxide.native.providers.digests import ChunkCutter, StreamDigests
from syncoxide.native.providers.dropbox.api import ContentHash, api_arg, status_error
from syncoxide.native.providers.oauth_http import OAuthClient, require_json
from syncoxide.native.providers.upload_ledger import OpenUpload, UploadLedger

_OCTETS = "application/octet-stream"


class DropboxUpload:
    """Uploads for one Dropbox account at ``content_url`` (``https://content.dropboxapi.com``)."""

    def __init__(self, client: OAuthClient, content_url: str, chunk_size: int) -> None:
        self._client = client
        self._content = content_url.rstrip("/") + "/2/files"
        self._chunk_size = chunk_size
        #: Counted for tests: how many times an append continued from the server's offset.
        self.resumes = 0
        #: Open sessions a later run may resume; None: every session starts afresh.
        self.ledger: UploadLedger | None = None

    async def _call(
        self, endpoint: str, arg: dict[str, Any], data: bytes, path: str, *, retry: bool = True
    ) -> Any:
        headers = {"Dropbox-API-Arg": api_arg(arg), "Content-Type": _OCTETS}
        url = f"{self._content}/{endpoint}"
        reply = await self._client.request("POST", url, content=data, headers=headers, retry=retry)
        if reply.status_code != 200:
            return reply
        return require_json(reply, "Dropbox")

    async def single(self, commit: dict[str, Any], content: bytes, path: str) -> dict[str, Any]:
        arg = commit | {"content_hash": _hash_of(content)}
        done = await self._call("upload", arg, content, path)
        if not isinstance(done, dict):
            raise status_error(done, "upload", path)
        return done

    async def session(
        self,
        commit: dict[str, Any],
        head: bytes,
        rest: AsyncIterator[bytes],
        digests: StreamDigests,
        *,
        before_commit: Callable[[], None],
        path: str,
        mtime_ns: int | None = None,
    ) -> dict[str, Any]:
        """Streams ``head`` then ``rest``; calls ``before_commit`` before ``finish``."""
        key = str(commit["path"]) if self.ledger is not None and mtime_ns is not None else ""
        session_id, held = await self._open_session(key, mtime_ns or 0, path)
        try:
            done = await self._stream(
                session_id,
                held,
                commit,
                head=head,
                rest=rest,
                digests=digests,
                before_commit=before_commit,
            )
        except IntegrityError:
            self._forget(key)
            raise
        self._forget(key)
        if not isinstance(done, dict):
            raise status_error(done, "finish the upload of", path)
        return done

    async def _stream(
        self,
        session_id: str,
        held: int,
        commit: dict[str, Any],
        *,
        head: bytes,
        rest: AsyncIterator[bytes],
        digests: StreamDigests,
        before_commit: Callable[[], None],
    ) -> Any:
        path = str(commit["path"])
        sent_hash = ContentHash()
        cutter, offset = ChunkCutter(head, self._chunk_size), 0
        async for chunk in cutter.whole(rest, digests):
            sent_hash.update(chunk)
            if offset + len(chunk) <= held:
                offset += len(chunk)  # the session holds it from an earlier run
            else:
                offset = await self._append(session_id, chunk, offset, path)
        before_commit()
        last = cutter.last()
        sent_hash.update(last)
        cursor = {"session_id": session_id, "offset": offset}
        arg = {"cursor": cursor, "commit": commit, "content_hash": sent_hash.hexdigest()}
        return await self._call("upload_session/finish", arg, last, path)

    async def _open_session(self, key: str, mtime_ns: int, path: str) -> tuple[str, int]:
        """(session id, bytes it already holds): the ledger's session for ``key`` if it is
        still open and was started for this mtime and chunk size, else a new one."""
        found = self.ledger.find(key) if self.ledger is not None and key else None
        if found is not None:
            if (found.mtime_ns, found.part_size) == (mtime_ns, self._chunk_size):
                held = await self._held_bytes(found.upload_id, path)
                if held is not None:
                    return found.upload_id, held
            self._forget(key)  # Dropbox has no abort: an unused session expires by itself
        started = await self._call("upload_session/start", {"close": False}, b"", path)
        if not isinstance(started, dict):
            raise status_error(started, "start an upload of", path)
        session_id = str(started["session_id"])
        if self.ledger is not None and key:
            self.ledger.remember(key, OpenUpload(session_id, mtime_ns, self._chunk_size))
        return session_id, 0

    async def _held_bytes(self, session_id: str, path: str) -> int | None:
        """How many bytes an open session holds; None if it is closed, expired or unknown."""
        arg = {"cursor": {"session_id": session_id, "offset": 0}, "close": False}
        reply = await self._call("upload_session/append_v2", arg, b"", path)
        if isinstance(reply, dict):
            return 0
        return _correct_offset(reply) if reply.status_code == 409 else None

    def _forget(self, key: str) -> None:
        if self.ledger is not None and key:
            self.ledger.forget(key)

    async def _append(self, session_id: str, chunk: bytes, offset: int, path: str) -> int:
        """Appends ``chunk`` at ``offset``; returns the offset after it."""
        start = offset
        for attempt in range(self._client.settings.attempts):
            arg = {"cursor": {"session_id": session_id, "offset": start}, "close": False}
            try:
                reply = await self._call(
                    "upload_session/append_v2", arg, chunk[start - offset :], path, retry=False
                )
            except ProviderUnavailableError:
                reply = None  # lost: send again; a wrong offset is corrected below
            if isinstance(reply, dict):
                return offset + len(chunk)
            if reply is not None and reply.status_code == 409:
                held = _correct_offset(reply)
                if held is None or not offset <= held <= offset + len(chunk):
                    raise status_error(reply, "upload", path)
                start = held
                self.resumes += 1
                if held == offset + len(chunk):
                    return held
                continue
            if reply is not None and reply.status_code not in (429, 500, 502, 503, 504):
                raise status_error(reply, "upload", path)
            await asyncio.sleep(self._client.settings.backoff_seconds * 2**attempt)
        raise ProviderUnavailableError(
            "Dropbox kept failing during an upload session.",
            hint="Nothing was committed under the final name; run again later.",
        )


def _correct_offset(reply: Any) -> int | None:
    try:
        error = reply.json()["error"]
        return int(error["lookup_failed"]["correct_offset"])
    except (ValueError, KeyError, TypeError):
        try:
            return int(reply.json()["error"]["correct_offset"])
        except (ValueError, KeyError, TypeError):
            return None


def _hash_of(content: bytes) -> str:
    hasher = ContentHash()
    hasher.update(content)
    return hasher.hexdigest()
