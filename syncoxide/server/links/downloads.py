"""A link's downloads, one file or a whole set as a zip, streamed and resumable.

A zip is planned by ``ZipLayout`` from the stored sizes and CRC-32s, so its size is known
before the first byte (``Content-Length``) and any range of it is produced from the range's
own pieces: a browser that lost the connection at 3.9 GB asks for ``bytes=3900000000-`` and
gets exactly the rest, read straight from the blobs. Nothing is built in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence

from starlette.requests import Request
from starlette.responses import Response

from syncoxide.archive.zip_layout import HeaderBytes, ZipLayout, ZipMember
from syncoxide.server.http.ranges import ByteRange, attachment, ranged_response
from syncoxide.server.links.service import LinkService
from syncoxide.server.links.store import LinkFile


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
    return ranged_response(request, body=body, size=file.size, chosen=chosen, headers=headers)


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
    *,
    files: Sequence[LinkFile],
    plan: tuple[ZipLayout, str],
    name: str,
    chosen: ByteRange | None,
) -> Response:
    layout, etag = plan
    start, end = (chosen.start, chosen.end) if chosen else (0, layout.size)
    headers = {"ETag": etag, "Content-Disposition": attachment(name)}
    body = _zip_bytes(links, layout, files, ByteRange(start, end))
    return ranged_response(request, body=body, size=layout.size, chosen=chosen, headers=headers)


async def _zip_bytes(
    links: LinkService, layout: ZipLayout, files: Sequence[LinkFile], wanted: ByteRange
) -> AsyncIterator[bytes]:
    for piece in layout.pieces(wanted.start, wanted.end):
        if isinstance(piece, HeaderBytes):
            yield piece.data
        else:
            async for chunk in links.file_bytes(files[piece.index], piece.offset, piece.length):
                yield chunk
