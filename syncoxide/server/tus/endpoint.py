"""The tus HTTP endpoint: thin Starlette handlers over an upload store (``tus/port.py``).

Mounted under a base path chosen by the feature that owns the uploads (a request-files link,
a share being uploaded); the base path may hold a path parameter the policy reads.
``TusPolicy`` says who may upload there (``authorize`` returns a scope, or raises), how big an
upload may be, how long an unfinished one lives, and what to do with a finished one
(``on_complete``).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from syncoxide.server.tus.headers import (
    CHECKSUM_ALGORITHMS,
    EXTENSIONS,
    OFFSET_CONTENT_TYPE,
    TUS_VERSION,
    TusRequestError,
    format_metadata,
    http_date,
    parse_checksum,
    parse_metadata,
    parse_non_negative,
)
from syncoxide.server.tus.port import Uploads
from syncoxide.server.tus.upload import DEFERRED, Upload
from syncoxide.units import counted

DEFER_EXTENSION = "creation-defer-length"
Authorize = Callable[[Request], Awaitable[str]]
OnComplete = Callable[[Upload, Uploads], Awaitable[None]]


async def _no_completion_step(upload: Upload, store: Uploads) -> None:
    return None


@dataclass(frozen=True)
class TusPolicy:
    authorize: Authorize
    max_size: int
    lifetime_seconds: float = 24 * 3600
    on_complete: OnComplete = _no_completion_step
    #: ``creation-defer-length``: a client streaming from a source of unknown size may create
    #: the upload first and give Upload-Length with its last PATCH.
    defer_length: bool = False


class TusEndpoint:
    def __init__(self, base_path: str, store: Uploads, policy: TusPolicy) -> None:
        self.base_path = base_path.rstrip("/")
        self.store = store
        self.policy = policy

    def routes(self) -> list[Route]:
        return [
            Route(self.base_path + "/", self.collection, methods=["OPTIONS", "POST"]),
            Route(
                self.base_path + "/{upload_id}",
                self.resource,
                methods=["OPTIONS", "HEAD", "PATCH", "DELETE"],
            ),
        ]

    async def collection(self, request: Request) -> Response:
        return await self._guarded(request, self._create)

    async def resource(self, request: Request) -> Response:
        handlers = {"HEAD": self._status, "PATCH": self._append, "DELETE": self._terminate}
        return await self._guarded(request, handlers.get(request.method, self._create))

    async def _guarded(
        self, request: Request, handler: Callable[[Request, str], Awaitable[Response]]
    ) -> Response:
        if request.method == "OPTIONS":
            return self._options()
        try:
            if request.headers.get("tus-resumable") != TUS_VERSION:
                raise TusRequestError(412, f"Only tus {TUS_VERSION} is supported.")
            scope = await self.policy.authorize(request)
            return await handler(request, scope)
        except TusRequestError as error:
            return self._error(request, error)

    def _options(self) -> Response:
        return Response(
            status_code=204,
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": ",".join(
                    (*EXTENSIONS, DEFER_EXTENSION) if self.policy.defer_length else EXTENSIONS
                ),
                "Tus-Max-Size": str(self.policy.max_size),
                "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
            },
        )

    async def _create(self, request: Request, scope: str) -> Response:
        length = self._declared_length(request)
        metadata = parse_metadata(request.headers.get("upload-metadata"))
        upload = await self.store.create(length, metadata, scope, self.policy.lifetime_seconds)
        # Beside the collection the client posted to: the base path may hold a parameter
        # (a request link's own tus URL, /api/v1/drop/<link id>/).
        headers = {"Location": request.url.path.rstrip("/") + "/" + upload.id}
        if request.headers.get("content-type") == OFFSET_CONTENT_TYPE:  # creation-with-upload
            upload = await self._write(request, upload, 0)
            headers["Upload-Offset"] = str(upload.offset)
        elif length == 0:
            await self.policy.on_complete(upload, self.store)
        return self._reply(201, upload, headers)

    def _declared_length(self, request: Request) -> int:
        if "upload-defer-length" in request.headers:
            if not self.policy.defer_length:
                raise TusRequestError(
                    400, "Upload-Defer-Length is not supported here; send Upload-Length."
                )
            if request.headers["upload-defer-length"] != "1" or "upload-length" in request.headers:
                raise TusRequestError(400, "Send Upload-Defer-Length: 1 or Upload-Length.")
            return DEFERRED
        length = parse_non_negative(request.headers.get("upload-length"), "Upload-Length")
        self._check_size(length)
        return length

    def _check_size(self, length: int) -> None:
        if length > self.policy.max_size:
            raise TusRequestError(
                413, f"Uploads here are limited to {counted(self.policy.max_size, 'byte')}."
            )

    async def _status(self, request: Request, scope: str) -> Response:
        upload = await self.store.get(request.path_params["upload_id"], scope)
        headers = {"Upload-Offset": str(upload.offset), "Cache-Control": "no-store"}
        if upload.deferred:
            headers["Upload-Defer-Length"] = "1"
        else:
            headers["Upload-Length"] = str(upload.length)
        if upload.metadata:
            headers["Upload-Metadata"] = format_metadata(upload.metadata)
        return self._reply(200, upload, headers)

    async def _append(self, request: Request, scope: str) -> Response:
        if request.headers.get("content-type") != OFFSET_CONTENT_TYPE:
            raise TusRequestError(415, f"PATCH bodies must be {OFFSET_CONTENT_TYPE}.")
        offset = parse_non_negative(request.headers.get("upload-offset"), "Upload-Offset")
        upload = await self.store.get(request.path_params["upload_id"], scope)
        if upload.deferred and "upload-length" in request.headers:
            length = parse_non_negative(request.headers["upload-length"], "Upload-Length")
            self._check_size(length)
            upload = await self.store.declare_length(upload, length)
        upload = await self._write(request, upload, offset)
        return self._reply(204, upload, {"Upload-Offset": str(upload.offset)})

    async def _write(self, request: Request, upload: Upload, offset: int) -> Upload:
        raw_checksum = request.headers.get("upload-checksum")
        checksum = parse_checksum(raw_checksum) if raw_checksum else None
        try:
            room = self.policy.max_size - upload.offset
            upload = await self.store.append(
                upload, offset, request.stream(), checksum, max_room=room
            )
        except ClientDisconnect as error:
            raise TusRequestError(
                400, "The connection closed mid-upload; resume with HEAD."
            ) from error
        if upload.complete:
            await self.policy.on_complete(upload, self.store)
        return upload

    async def _terminate(self, request: Request, scope: str) -> Response:
        upload = await self.store.get(request.path_params["upload_id"], scope)
        await self.store.delete(upload)
        return Response(status_code=204, headers={"Tus-Resumable": TUS_VERSION})

    def _reply(self, status: int, upload: Upload, headers: dict[str, str]) -> Response:
        headers = {"Tus-Resumable": TUS_VERSION, **headers}
        if not upload.complete:
            headers["Upload-Expires"] = http_date(upload.expires)
        return Response(status_code=status, headers=headers)

    def _error(self, request: Request, error: TusRequestError) -> Response:
        headers = {"Tus-Resumable": TUS_VERSION}
        if error.status == 412:
            headers["Tus-Version"] = TUS_VERSION
        if error.retry_after is not None:
            headers["Retry-After"] = str(math.ceil(error.retry_after))
        if request.method == "HEAD":
            return Response(status_code=error.status, headers=headers)
        body = {"error": "tus", "status": error.status, "message": error.message}
        return JSONResponse(body, status_code=error.status, headers=headers)
