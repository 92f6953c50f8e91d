"""Google Drive uploads: one multipart request for small files, a resumable session for big ones.

Both publish the file only when the last byte arrives, so nothing shows under the final name
early. The resumable session holds back its last chunk until the source stream has ended and
its digest was checked: on a mismatch the session is cancelled and nothing is ever committed.
A chunk whose reply was lost (timeout, 5xx) is not resent blindly: the session is asked how
many bytes it holds (``Content-Range: bytes */*`` -> 308 + ``Range``) and the upload continues
from there, as Drive documents for interrupted uploads. With a ledger a session also outlives
the run: a later run continues it (``gdrive_resume``).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import Any

from syncoxide.errors import IntegrityError, ProviderError, ProviderUnavailableError
from syncoxide.native.providers.digests import ChunkCutter, StreamDigests
from syncoxide.native.providers.gdrive.api import FILE_FIELDS, status_error
from syncoxide.native.providers.gdrive.resume import SessionTrack, can_resume
from syncoxide.native.providers.oauth_http import OAuthClient, require_json
from syncoxide.native.providers.upload_ledger import OpenUpload, UploadLedger

#: Drive requires every chunk but the last to be a multiple of 256 KiB.
CHUNK_QUANTUM = 256 * 1024


class DriveUpload:
    """Uploads for one Drive account, at ``api_url`` (``https://www.googleapis.com``)."""

    def __init__(self, client: OAuthClient, api_url: str, chunk_size: int) -> None:
        if chunk_size % CHUNK_QUANTUM:
            raise ValueError("Drive upload chunks must be a multiple of 256 KiB")
        self._client = client
        self._api = api_url.rstrip("/")
        self._chunk_size = chunk_size
        #: Counted for tests: how many times an interrupted session was resumed.
        self.resumes = 0
        #: Open sessions a later run may resume; None: every session starts afresh.
        self.ledger: UploadLedger | None = None

    def _endpoint(self, file_id: str | None, upload_type: str) -> tuple[str, str]:
        base = f"{self._api}/upload/drive/v3/files"
        query = f"?uploadType={upload_type}&fields={FILE_FIELDS}"
        return ("PATCH", f"{base}/{file_id}{query}") if file_id else ("POST", base + query)

    async def multipart(
        self, file_id: str | None, metadata: dict[str, Any], content: bytes, path: str
    ) -> dict[str, Any]:
        boundary = f"sx{os.urandom(12).hex()}"
        body = b"".join(
            (
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode(),
                json.dumps(metadata).encode(),
                f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--".encode(),
            )
        )
        method, url = self._endpoint(file_id, "multipart")
        headers = {"Content-Type": f"multipart/related; boundary={boundary}"}
        reply = await self._client.request(method, url, content=body, headers=headers)
        if reply.status_code != 200:
            raise status_error(reply, "upload", path)
        return require_json(reply, "Google Drive")

    async def resumable(
        self,
        file_id: str | None,
        metadata: dict[str, Any],
        stream: tuple[bytes, AsyncIterator[bytes]],
        digests: StreamDigests,
        *,
        before_commit: Callable[[], None],
        path: str,
        mtime_ns: int | None = None,
    ) -> dict[str, Any]:
        """Streams ``stream`` (head, rest); calls ``before_commit`` before the last chunk.

        With a ledger and an mtime the session outlives a failed or killed run
        (``gdrive_resume``); otherwise any failure cancels it."""
        key = path if self.ledger is not None and mtime_ns is not None else ""
        track = await self._track(key, mtime_ns or 0, file_id, metadata, path=path)
        try:
            done = await self._stream(track, stream, digests, before_commit)
        except BaseException as error:
            if not key or isinstance(error, IntegrityError):
                await asyncio.shield(self._cancel(track.session))
                track.forget()
            raise
        track.forget()
        if done is None:
            raise ProviderError(f"Google Drive did not confirm the upload of {path!r}.")
        return done

    async def _stream(
        self,
        track: SessionTrack,
        stream: tuple[bytes, AsyncIterator[bytes]],
        digests: StreamDigests,
        before_commit: Callable[[], None],
    ) -> dict[str, Any] | None:
        head, rest = stream
        cutter = ChunkCutter(head, self._chunk_size)
        sent = 0
        async for chunk in cutter.whole(rest, digests):
            await self._send_tracked(track, chunk, sent, None)
            sent += len(chunk)
        before_commit()
        last = cutter.last()
        return await self._send_tracked(track, last, sent, sent + len(last))

    async def _send_tracked(
        self, track: SessionTrack, chunk: bytes, offset: int, total: int | None
    ) -> dict[str, Any] | None:
        skip = track.before_chunk(chunk, offset, final=total is not None)
        if skip == len(chunk) and total is None:
            return None  # the session holds it from an earlier run
        return await self._send_chunk(track.session, chunk[skip:], offset + skip, total)

    async def _track(
        self, key: str, mtime_ns: int, file_id: str | None, metadata: dict[str, Any], *, path: str
    ) -> SessionTrack:
        """The ledger's session for ``key`` if it was started for this mtime and chunk size
        and still holds what was recorded; else a new session."""
        found = self.ledger.find(key) if self.ledger is not None and key else None
        if found is not None:
            if (found.mtime_ns, found.part_size) == (mtime_ns, self._chunk_size):
                held = await self._held_if_open(found.upload_id)
                if can_resume(found, held, self._chunk_size):
                    track = SessionTrack(self.ledger, key, found)
                    track.resume_from(held or 0)
                    return track
            await self._cancel(found.upload_id)
            assert self.ledger is not None
            self.ledger.forget(key)
        upload = OpenUpload(
            await self._open_session(file_id, metadata, path), mtime_ns, self._chunk_size
        )
        if self.ledger is not None and key:
            self.ledger.remember(key, upload)
        return SessionTrack(self.ledger, key, upload)

    async def _held_if_open(self, session: str) -> int | None:
        """Bytes an open session holds; None if it completed, expired or is unknown."""
        reply = await self._client.request(
            "PUT", session, content=b"", headers={"Content-Range": "bytes */*"}
        )
        if reply.status_code != 308:
            return None
        held = reply.headers.get("Range", "")
        return int(held.rpartition("-")[2]) + 1 if held else 0

    async def _open_session(self, file_id: str | None, metadata: dict[str, Any], path: str) -> str:
        method, url = self._endpoint(file_id, "resumable")
        headers = {"X-Upload-Content-Type": "application/octet-stream"}
        reply = await self._client.request(method, url, json=metadata, headers=headers)
        location = reply.headers.get("Location")
        if reply.status_code != 200 or not location:
            raise status_error(reply, "start an upload of", path)
        return location

    async def _send_chunk(
        self, session: str, chunk: bytes, offset: int, total: int | None
    ) -> dict[str, Any] | None:
        """Sends ``chunk`` (at ``offset``); the file's metadata once the session completes."""
        start = offset
        for attempt in range(self._client.settings.attempts):
            sending = chunk[start - offset :]
            reply = await self._put(session, sending, start, total)
            if reply is not None and reply.status_code in (200, 201):
                return require_json(reply, "Google Drive")
            if reply is not None and reply.status_code == 308:
                if start + len(sending) == offset + len(chunk):
                    return None  # the server holds the whole chunk
            elif reply is not None and reply.status_code not in (500, 502, 503, 504, 429):
                raise status_error(reply, "upload", session.rpartition("/")[2])
            await asyncio.sleep(self._client.settings.backoff_seconds * 2**attempt)
            start, finished = await self._held(session, total)
            if finished is not None:
                return finished  # the last chunk had arrived; only its reply was lost
            self.resumes += 1
        raise ProviderUnavailableError(
            "Google Drive kept failing during a resumable upload.",
            hint="Nothing was committed under the final name; run again later.",
        )

    async def _put(self, session: str, data: bytes, start: int, total: int | None) -> Any:
        whole = "*" if total is None else str(total)
        span = f"{start}-{start + len(data) - 1}" if data else "*"
        headers = {"Content-Range": f"bytes {span}/{whole}"}
        try:
            return await self._client.request(
                "PUT", session, content=data, headers=headers, retry=False
            )
        except ProviderUnavailableError:
            return None  # the reply was lost: the next step asks the session where it stands

    async def _held(self, session: str, total: int | None) -> tuple[int, dict[str, Any] | None]:
        """Bytes the session holds (308 ``Range: bytes=0-N``), or the file if it completed."""
        whole = "*" if total is None else str(total)
        reply = await self._client.request(
            "PUT", session, content=b"", headers={"Content-Range": f"bytes */{whole}"}
        )
        if reply.status_code in (200, 201):
            return total or 0, require_json(reply, "Google Drive")
        if reply.status_code != 308:
            raise status_error(reply, "resume an upload of", session.rpartition("/")[2])
        held = reply.headers.get("Range", "")
        return (int(held.rpartition("-")[2]) + 1 if held else 0), None

    async def _cancel(self, session: str) -> None:
        with suppress(Exception):
            await self._client.request("DELETE", session, retry=False)
