"""Static files: our own assets and the content-hashed vendor folder, pre-compressed.

Vendor folders are named by the hash of their content, so their files never change under a
URL: browsers may keep them for a year without asking again. Our own ``/static`` files keep
their names across releases, so browsers revalidate them (ETag, 304). When the browser accepts
gzip and the build left a ``.gz`` sibling, that file is sent as it is; Range requests always
get the identity bytes, so offsets mean what the client thinks they mean.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, Response

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_MEDIA_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
    ".py": "text/x-python",
    ".html": "text/html",
}


def media_type_for(path: Path) -> str:
    known = _MEDIA_TYPES.get(path.suffix)
    if known:
        return f"{known}; charset=utf-8" if known.startswith("text/") else known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def resolve_inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` if it names a regular, visible file inside ``root``; otherwise None."""
    parts = PurePosixPath(relative).parts
    if not parts or any(
        part in {"..", "."} or part.startswith(".") or "\\" in part for part in parts
    ):
        return None
    candidate = root.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return resolved


def accepts_gzip(request: Request) -> bool:
    accepted = request.headers.get("accept-encoding", "")
    return any(token.split(";")[0].strip() == "gzip" for token in accepted.split(","))


def file_response(request: Request, path: Path, cache_control: str) -> Response:
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    packed = path.with_name(path.name + ".gz")
    body = path
    if "range" not in request.headers and accepts_gzip(request) and packed.is_file():
        body = packed
        headers["Content-Encoding"] = "gzip"
    response = FileResponse(
        body, media_type=media_type_for(path), headers=headers, stat_result=body.stat()
    )
    if _matches_etag(request, response):
        return Response(status_code=304, headers={**headers, "ETag": response.headers["etag"]})
    return response


def _matches_etag(request: Request, response: Response) -> bool:
    wanted = request.headers.get("if-none-match")
    etag = response.headers.get("etag")
    if not wanted or not etag:
        return False
    return etag in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
