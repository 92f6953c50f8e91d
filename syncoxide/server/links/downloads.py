"""Byte-range downloads of one file or of a whole set as a zip, streamed and resumable.

A zip is planned by ``ZipLayout`` from the stored sizes and CRC-32s, so its size is known
before the first byte (``Content-Length``) and any range of it is produced from the range's
own pieces: a browser that lost the connection at 3.9 GB asks for ``bytes=3900000000-`` and
gets exactly the rest, read straight from the blobs. Nothing is built in memory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from syncoxide.archive.zip_layout import HeaderBytes, ZipLayout, ZipMember
from syncoxide.server.links.service import LinkService
from syncoxide.server.links.store import LinkFile

_RANGE = re.compile(r"^bytes=([0-9]{0,19})-([0-9]{0,19})$")  # ASCII digits: "²" is \d too


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive

    @property
    def length(self) -> int:
        return self.end - self.start


class UnsatisfiableRange(Exception):
    """The Range header asks for bytes outside the resource (answered with 416)."""


def requested_range(request: Request, size: int, etag: str) -> ByteRange | None:
    """The single range asked for, or None for the whole (also when If-Range is stale)."""
    header = request.headers.get("range")
    if not header:
        return None
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range != etag:
        return None  # the resource changed since the client's first part: send it all again
    match = _RANGE.match(header.strip())
    if match is None or match.group(0) == "bytes=-":
        return None  # multi-range or malformed: RFC 9110 lets us ignore it
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size
    else:
        start = int(first)
        end = min(int(last) + 1, size) if last else size
    if start >= size or start >= end:
        raise UnsatisfiableRange
    return ByteRange(start, end)


def attachment(name: str) -> str:
    """``Content-Disposition`` that never renders inline, with the UTF-8 name (RFC 6266)."""
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def ranged_response(
    request: Request,
    body: AsyncIterator[bytes] | None,
    size: int,
    chosen: ByteRange | None,
    headers: dict[str, str],
) -> Response:
    headers = {
        **headers,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-store",
        "Content-Type": "application/octet-stream",
    }
    if chosen is not None:
        headers["Content-Range"] = f"bytes {chosen.start}-{chosen.end - 1}/{size}"
    headers["Content-Length"] = str(chosen.length if chosen else size)
    status = 206 if chosen else 200
    if body is None or request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    return StreamingResponse(body, status_code=status, headers=headers)


def not_satisfiable(size: int) -> Response:
    return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})


def file_etag(file: LinkFile) -> str:
    return f'"{file.sha256[:32]}"'


def file_response(
    request: Request, links: LinkService, file: LinkFile, chosen: ByteRange | None
) -> Response:
    start, length = (chosen.start, chosen.length) if chosen else (0, file.size)
    body = links.file_bytes(file, start, length)
    headers = {
        "ETag": file_etag(file),
        "Content-Disposition": attachment(file.path.rsplit("/", 1)[-1]),
    }
    return ranged_response(request, body, file.size, chosen, headers)


def zip_plan(files: Sequence[LinkFile]) -> tuple[ZipLayout, str]:
    """The archive of ``files`` and an ETag that changes whenever its bytes would."""
    members = [ZipMember(f.path, f.size, f.crc32, f.created_at) for f in files]
    fingerprint = hashlib.sha256(
        "\n".join(f"{f.path}\0{f.sha256}\0{f.created_at}" for f in files).encode()
    ).hexdigest()
    return ZipLayout(members), f'"zip-{fingerprint[:32]}"'


def zip_response(
    request: Request,
    links: LinkService,
    files: Sequence[LinkFile],
    plan: tuple[ZipLayout, str],
    name: str,
    chosen: ByteRange | None,
) -> Response:
    layout, etag = plan
    start, end = (chosen.start, chosen.end) if chosen else (0, layout.size)
    headers = {"ETag": etag, "Content-Disposition": attachment(name)}
    body = _zip_bytes(links, layout, files, start, end)
    return ranged_response(request, body, layout.size, chosen, headers)


async def _zip_bytes(
    links: LinkService, layout: ZipLayout, files: Sequence[LinkFile], start: int, end: int
) -> AsyncIterator[bytes]:
    for piece in layout.pieces(start, end):
        if isinstance(piece, HeaderBytes):
            yield piece.data
        else:
            async for chunk in links.file_bytes(files[piece.index], piece.offset, piece.length):
                yield chunk
