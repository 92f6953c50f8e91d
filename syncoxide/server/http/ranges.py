"""Byte ranges (RFC 9110): which part of a resource a download asks for, and the answer.

One single range per request, honoured only while ``If-Range`` still matches; anything else is
answered with the whole resource, which the RFC allows. Shared by the link downloads and the
owner's own files.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

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
    *,
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
