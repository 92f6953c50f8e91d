"""A FAKE Google Drive v3 server (not Google's): the documented subset syncoxide's provider uses.

Implemented: ``files.list`` (``q`` subset, ``pageSize``/``pageToken``; ``fields`` is accepted
and ignored, every field is returned), ``files.get`` (metadata, or ``alt=media`` with
``Range``), ``files.create`` (metadata only, for folders), multipart and resumable uploads
(create and content update; 256 KiB chunk rule; ``Content-Range`` status queries answered with
308 + ``Range``; ``DELETE`` cancels), ``files.update`` (name, ``modifiedTime``,
``addParents``/``removeParents``), ``files.delete``, md5/sha1/sha256 checksums,
``revisions.list`` (oldest first, the head last; ``pageSize``/``pageToken``) and
``revisions.get`` (metadata, or ``alt=media``; an unknown revision is 404 ``notFound``),
``changes.getStartPageToken`` and ``changes.list``, an OAuth token endpoint with the
``refresh_token`` grant, expiring access tokens (401), and injected faults (``Faults``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.fake_gdrive_store import (
    FOLDER_MIME,
    DriveFile,
    DriveStore,
    QueryError,
    UploadSession,
    parse_query,
)
from tests.fakes.fake_oauth import FakeTokens, Faults

QUANTUM = 256 * 1024


def drive_error(status: int, reason: str, message: str) -> JSONResponse:
    errors = [{"domain": "global", "reason": reason, "message": message}]
    return JSONResponse({"error": {"code": status, "message": message, "errors": errors}}, status)


def _not_found(file_id: str) -> JSONResponse:
    return drive_error(404, "notFound", f"File not found: {file_id}.")


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) for ``bytes=a-b`` / ``bytes=a-``; None when unsatisfiable."""
    first, _, last = header.removeprefix("bytes=").partition("-")
    start = int(first)
    end = min(size, int(last) + 1) if last else size
    return (start, end) if start < size else None


class FakeDrive:
    """The fake's state and routes. ``app`` is the ASGI app (faults wrapped around it)."""

    def __init__(self, token_lifetime: float = 3600.0, max_page_size: int = 1000) -> None:
        self.store = DriveStore()
        self.tokens = FakeTokens(token_lifetime)
        self.max_page_size = max_page_size
        #: Bytes received by resumable-session PUTs, for tests of what a resume sends.
        self.session_bytes = 0
        api = "/drive/v3/files"
        routes = [
            Route("/token", self.tokens.token_endpoint, methods=["POST"]),
            Route("/authorize", self.tokens.authorize, methods=["GET"]),
            Route(api, self.list_files, methods=["GET"]),
            Route(api, self.create_metadata, methods=["POST"]),
            Route(api + "/{id}", self.get_file, methods=["GET"]),
            Route(api + "/{id}", self.update_metadata, methods=["PATCH"]),
            Route(api + "/{id}", self.delete_file, methods=["DELETE"]),
            Route(api + "/{id}/revisions", self.list_revisions, methods=["GET"]),
            Route(api + "/{id}/revisions/{rev}", self.get_revision, methods=["GET"]),
            Route("/upload" + api, self.upload, methods=["POST"]),
            Route("/upload" + api + "/{id}", self.upload, methods=["PATCH"]),
            Route("/upload/session/{sid}", self.session_put, methods=["PUT"]),
            Route("/upload/session/{sid}", self.session_cancel, methods=["DELETE"]),
            Route("/drive/v3/changes/startPageToken", self.start_token, methods=["GET"]),
            Route("/drive/v3/changes", self.list_changes, methods=["GET"]),
        ]
        self.faults = Faults(Starlette(routes=routes))
        self.app = self.faults

    def _denied(self, request: Request) -> JSONResponse | None:
        if self.tokens.valid(request):
            return None
        return drive_error(401, "authError", "Request had invalid authentication credentials.")

    async def list_files(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        try:
            wanted = parse_query(request.query_params.get("q", "trashed = false"))
        except QueryError as error:
            return drive_error(400, "invalid", f"Invalid Value: {error}")
        size = min(int(request.query_params.get("pageSize", 100)), self.max_page_size)
        start = int(request.query_params.get("pageToken", "0"))
        matching = sorted((f for f in self.store.files.values() if wanted(f)), key=lambda f: f.id)
        page = matching[start : start + size]
        body: dict[str, Any] = {"kind": "drive#fileList", "files": [f.metadata() for f in page]}
        if start + size < len(matching):
            body["nextPageToken"] = str(start + size)
        return JSONResponse(body)

    async def create_metadata(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        metadata = await request.json()
        if metadata.get("mimeType") != FOLDER_MIME:
            return drive_error(400, "badContent", "Only folders are created without content.")
        if bad := self._bad_parents(metadata):
            return bad
        return JSONResponse(self.store.create(metadata).metadata())

    def _bad_parents(self, metadata: dict[str, Any]) -> Response | None:
        for parent in metadata.get("parents", []):
            if self.store.live(parent) is None:
                return _not_found(parent)
        return None

    async def get_file(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        found = self.store.live(request.path_params["id"])
        if found is None:
            return _not_found(request.path_params["id"])
        if request.query_params.get("alt") != "media":
            return JSONResponse(found.metadata())
        if found.mime == FOLDER_MIME:
            return drive_error(403, "fileNotDownloadable", "Only files with binary content.")
        return self._media(found, request.headers.get("Range"))

    def _media(self, found: DriveFile, wanted: str | None) -> Response:
        size = len(found.content)
        if not wanted:
            return Response(found.content, media_type="application/octet-stream")
        span = _byte_range(wanted, size)
        if span is None:
            return Response(b"", 416, {"Content-Range": f"bytes */{size}"})
        start, end = span
        headers = {"Content-Range": f"bytes {start}-{end - 1}/{size}"}
        return Response(found.content[start:end], 206, headers, "application/octet-stream")

    def _with_revisions(self, request: Request) -> DriveFile | Response:
        if denied := self._denied(request):
            return denied
        found = self.store.live(request.path_params["id"])
        if found is None:
            return _not_found(request.path_params["id"])
        if found.mime == FOLDER_MIME:
            return drive_error(403, "revisionsNotSupported", "The file does not support revisions.")
        return found

    async def list_revisions(self, request: Request) -> Response:
        found = self._with_revisions(request)
        if isinstance(found, Response):
            return found
        size = min(int(request.query_params.get("pageSize", 200)), self.max_page_size)
        start = int(request.query_params.get("pageToken", "0"))
        page = found.revisions[start : start + size]
        revisions = [r.metadata(found.name, found.mime) for r in page]
        body: dict[str, Any] = {"kind": "drive#revisionList", "revisions": revisions}
        if start + size < len(found.revisions):
            body["nextPageToken"] = str(start + size)
        return JSONResponse(body)

    async def get_revision(self, request: Request) -> Response:
        found = self._with_revisions(request)
        if isinstance(found, Response):
            return found
        revision = found.revision(request.path_params["rev"])
        if revision is None:
            return drive_error(
                404, "notFound", f"Revision not found: {request.path_params['rev']}."
            )
        if request.query_params.get("alt") != "media":
            return JSONResponse(revision.metadata(found.name, found.mime))
        return Response(revision.content, media_type="application/octet-stream")

    async def update_metadata(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        found = self.store.live(request.path_params["id"])
        if found is None:
            return _not_found(request.path_params["id"])
        body = await request.body()
        metadata = json.loads(body) if body else {}
        adding = [p for p in request.query_params.get("addParents", "").split(",") if p]
        removing = [p for p in request.query_params.get("removeParents", "").split(",") if p]
        if bad := self._bad_parents({"parents": adding}):
            return bad
        found.parents = [p for p in found.parents if p not in removing] + adding
        self.store.update(found, metadata, None)
        return JSONResponse(found.metadata())

    async def delete_file(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        found = self.store.live(request.path_params["id"])
        if found is None:
            return _not_found(request.path_params["id"])
        self.store.delete(found)
        return Response(status_code=204)

    async def upload(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        file_id = request.path_params.get("id")
        if file_id is not None and self.store.live(file_id) is None:
            return _not_found(file_id)
        kind = request.query_params.get("uploadType")
        if kind == "multipart":
            return await self._multipart(request, file_id)
        if kind != "resumable":
            return drive_error(400, "invalid", f"Unsupported uploadType {kind!r} (fake).")
        metadata = json.loads(await request.body() or b"{}")
        if bad := self._bad_parents(metadata):
            return bad
        session_id = self.store.open_session(file_id, metadata)
        location = f"{request.base_url}upload/session/{session_id}"
        return Response(status_code=200, headers={"Location": location})

    async def _multipart(self, request: Request, file_id: str | None) -> Response:
        content_type = request.headers.get("Content-Type", "")
        boundary = content_type.partition("boundary=")[2].strip('"')
        parts = (await request.body()).split(f"--{boundary}".encode())
        if not boundary or len(parts) < 4:
            return drive_error(400, "badContent", "Malformed multipart body.")
        metadata = json.loads(parts[1].partition(b"\r\n\r\n")[2].strip() or b"{}")
        content = parts[2].partition(b"\r\n\r\n")[2].removesuffix(b"\r\n")
        if bad := self._bad_parents(metadata):
            return bad
        session = UploadSession(file_id, metadata, bytearray(content))
        return JSONResponse(self.store.commit(session).metadata())

    async def session_put(self, request: Request) -> Response:
        session = self.store.sessions.get(request.path_params["sid"])
        if session is None:
            return drive_error(404, "notFound", "No such upload session.")
        span, _, total = (
            request.headers.get("Content-Range", "").removeprefix("bytes ").partition("/")
        )
        data = await request.body()
        self.session_bytes += len(data)
        if span != "*":
            first, _, last = span.partition("-")
            start, end = int(first), int(last) + 1
            if start > len(session.received) or end - start != len(data):
                return drive_error(400, "badRange", "Content-Range does not fit the session.")
            final = total != "*" and end == int(total)
            if not final and (end - start) % QUANTUM:
                return drive_error(400, "badChunk", "Chunks must be multiples of 256 KiB.")
            session.received[start:] = data
        if total != "*" and len(session.received) == int(total):
            del self.store.sessions[request.path_params["sid"]]
            return JSONResponse(self.store.commit(session).metadata())
        held = len(session.received)
        headers = {"Range": f"bytes=0-{held - 1}"} if held else {}
        return Response(status_code=308, headers=headers)

    async def session_cancel(self, request: Request) -> Response:
        self.store.sessions.pop(request.path_params["sid"], None)
        return Response(status_code=499)

    async def start_token(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        return JSONResponse({"startPageToken": str(len(self.store.changes))})

    async def list_changes(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        start = int(request.query_params.get("pageToken", "0"))
        size = min(int(request.query_params.get("pageSize", 100)), self.max_page_size)
        page = self.store.changes[start : start + size]
        changes = []
        for file_id, removed in page:
            change: dict[str, Any] = {"changeType": "file", "fileId": file_id, "removed": removed}
            if not removed and (found := self.store.live(file_id)) is not None:
                change["file"] = found.metadata()
            changes.append(change)
        body: dict[str, Any] = {"kind": "drive#changeList", "changes": changes}
        if start + size < len(self.store.changes):
            body["nextPageToken"] = str(start + size)
        else:
            body["newStartPageToken"] = str(len(self.store.changes))
        return JSONResponse(body)
