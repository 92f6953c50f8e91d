"""API operations for share links and request-files links (joined to the API's table by the app).

Owners create, list and revoke links and fetch what arrived; two descriptions are public,
because other clients build on them: ``GET /shares/<id>`` (password permitting) with a
``download_url`` per file and ``zip_url``, and ``GET /requests/<id>`` with its ``upload_url``.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from starlette.responses import Response

from syncoxide.errors import NotFoundError
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.openapi import tus_paths
from syncoxide.server.api.spec import BOOL, INT, NULL_INT, STR, Call, Operation, obj
from syncoxide.server.http.ranges import UnsatisfiableRange, not_satisfiable, requested_range
from syncoxide.server.links.downloads import file_etag, file_response, zip_plan, zip_response
from syncoxide.server.links.service import LinkOptions
from syncoxide.server.links.share_routes import check_link_password, links_of, unlocked
from syncoxide.server.links.store import Link, LinkFile
from syncoxide.server.links.uploads import DROP_BASE, LINK_HEADER, OWNER_BASE

# A request link with no max_files still takes at most this many (max_files raises it).
DEFAULT_REQUEST_MAX_FILES = 5000
_FILE = obj(
    ("id", "path", "size", "sha256", "late", "download_url"),
    id=INT,
    path=STR,
    size=INT,
    sha256=STR,
    late=BOOL,
    download_url=STR,
)
_LINK = obj(
    ("id", "url", "title", "message", "expires_at", "protected"),
    id=STR,
    url=STR,
    title=STR,
    message=STR,
    expires_at=NULL_INT,
    protected=BOOL,
    revoked_at=NULL_INT,
    downloads=INT,
    max_downloads=NULL_INT,
    allow_late=BOOL,
    max_files=NULL_INT,
    max_total_bytes=NULL_INT,
    allowed_types=STR,
    encrypted=BOOL,
    files={"type": "array", "items": _FILE},
    zip_url=STR,
    torrent_url=STR,
    upload_url=STR,
    upload_header=STR,
    public_key=STR,
)
_TEXT = {"type": "string", "maxLength": 2000}
_SECONDS = {"type": "integer", "minimum": 60, "maximum": 10 * 365 * 86400}
_COMMON_BODY = {
    "title": {"type": "string", "maxLength": 200},
    "message": _TEXT,
    "password": {"type": "string", "minLength": 1, "maxLength": 1024},
}


def _link_json(link: Link, files: list[LinkFile] | None = None) -> dict[str, Any]:
    prefix = "s" if link.kind == "share" else "r"
    answer: dict[str, Any] = {
        "id": link.id,
        "url": f"/{prefix}/{link.id}",
        "title": link.title,
        "message": link.message,
        "expires_at": link.expires_at,
        "protected": link.password_hash is not None,
        "revoked_at": link.revoked_at,
    }
    if link.kind == "share":
        answer |= {
            "downloads": link.downloads,
            "max_downloads": link.max_downloads,
            "encrypted": link.encrypted,
        }
    else:
        answer |= {
            "allow_late": link.allow_late,
            "max_files": link.max_files,
            "max_total_bytes": link.max_total_bytes,
            "allowed_types": link.allowed_types,
            "upload_url": f"{DROP_BASE}/{link.id}/",
            "upload_header": LINK_HEADER,
            "public_key": link.public_key,
        }
    if files is not None:
        answer["files"] = [_file_json(link, f) for f in files]
        if not link.encrypted:  # a zip of ciphertext is no use: the page decrypts per file
            answer["zip_url"] = _zip_url(link)
        if link.kind == "share" and not link.encrypted and any(f.size for f in files):
            answer["torrent_url"] = f"/s/{link.id}.torrent"
    return answer


def _zip_url(link: Link) -> str:
    if link.kind == "share":
        return f"/s/{link.id}/zip"
    return f"/api/v1/requests/{link.id}/zip"


def _file_json(link: Link, file: LinkFile) -> dict[str, Any]:
    url = (
        f"/s/{link.id}/files/{file.id}"
        if link.kind == "share"
        else f"/api/v1/requests/{link.id}/arrivals/{file.id}"
    )
    return {
        "id": file.id,
        "path": file.path,
        "size": file.size,
        "sha256": file.sha256,
        "late": file.late,
        "download_url": url,
    }


def _options(call: Call, expires_field: str) -> LinkOptions:
    body = call.json
    seconds = body.get(expires_field)
    now = links_of(call.request).clock()
    return LinkOptions(
        title=body.get("title", ""),
        message=body.get("message", ""),
        expires_at=now + seconds if seconds else None,
        allow_late=body.get("allow_late", False),
        max_downloads=body.get("max_downloads"),
        password=body.get("password"),
        max_total_bytes=body.get("max_total_bytes"),
        max_files=body.get("max_files"),
        allowed_types=body.get("allowed_types", ""),
        encrypted=body.get("encrypted", False),
        public_key=body.get("public_key", ""),
    )


async def create_share(call: Call) -> dict[str, Any]:
    link = await links_of(call.request).create(call.user, "share", _options(call, "expires_in"))
    return _link_json(link, [])


def _is_x25519_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except ValueError:
        return False


async def create_request(call: Call) -> dict[str, Any]:
    options = _options(call, "deadline_in")
    if options.max_files is None:  # anyone may upload: an owner who set no cap still gets one
        options = dataclasses.replace(options, max_files=DEFAULT_REQUEST_MAX_FILES)
    if options.public_key and not _is_x25519_key(options.public_key):
        raise ApiError(
            400, "bad_public_key", "public_key must be a base64 X25519 public key (32 bytes)."
        )
    if options.public_key and options.allowed_types:
        raise ApiError(
            400,
            "types_need_names",
            "An end-to-end encrypted request cannot limit file types: the server never sees"
            " the names. Leave allowed_types empty.",
        )
    link = await links_of(call.request).create(call.user, "request", options)
    return _link_json(link, [])


async def _list(call: Call, kind: str) -> dict[str, Any]:
    links = await links_of(call.request).store.of_user(call.user.id, kind)
    return {"links": [_link_json(link) for link in links]}


async def list_shares(call: Call) -> dict[str, Any]:
    return await _list(call, "share")


async def list_requests(call: Call) -> dict[str, Any]:
    return await _list(call, "request")


async def _revoke(call: Call, kind: str) -> None:
    service = links_of(call.request)
    link = await service.owned(call.user, call.request.path_params["link_id"], kind)
    await service.store.revoke(link.id, service.clock())


async def revoke_share(call: Call) -> None:
    await _revoke(call, "share")


async def revoke_request(call: Call) -> None:
    await _revoke(call, "request")


async def describe_share(call: Call) -> dict[str, Any]:
    service = links_of(call.request)
    link = await service.public(call.request.path_params["link_id"], "share")
    owner = call.signed_in is not None and call.signed_in.user.id == link.user_id
    if not owner:
        service.check_not_used_up(link)
    password = call.request.headers.get("x-link-password")
    if not owner and not unlocked(call.request, link):
        if password is None:
            raise ApiError(401, "password_required", "This share needs its password.")
        await check_link_password(call.request, link, password)
    return _link_json(link, list(await service.store.files(link.id)))


async def describe_request(call: Call) -> dict[str, Any]:
    link = await links_of(call.request).public(call.request.path_params["link_id"], "request")
    return _link_json(link)


async def list_arrivals(call: Call) -> dict[str, Any]:
    service = links_of(call.request)
    link = await service.owned(call.user, call.request.path_params["link_id"], "request")
    return _link_json(link, list(await service.store.files(link.id)))


async def arrival_content(call: Call) -> Response:
    service = links_of(call.request)
    link = await service.owned(call.user, call.request.path_params["link_id"], "request")
    file = await service.store.file(link.id, call.request.path_params["file_id"])
    if file is None:
        raise NotFoundError("Nothing with this id arrived on this request link.")
    try:
        chosen = requested_range(call.request, file.size, file_etag(file))
    except UnsatisfiableRange:
        return not_satisfiable(file.size)
    return file_response(call.request, service, file, chosen)


async def arrivals_zip(call: Call) -> Response:
    service = links_of(call.request)
    link = await service.owned(call.user, call.request.path_params["link_id"], "request")
    files = await service.store.files(link.id)
    if not files:
        raise NotFoundError("Nothing has arrived on this request link yet.")
    plan = zip_plan(files)
    try:
        chosen = requested_range(call.request, plan[0].size, plan[1])
    except UnsatisfiableRange:
        return not_satisfiable(plan[0].size)
    name = (link.title or "request") + ".zip"
    return zip_response(call.request, service, files=files, plan=plan, name=name, chosen=chosen)


_LINKS = obj(("links",), links={"type": "array", "items": _LINK})

LINK_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST",
        "/shares",
        create_share,
        "Create a share link; upload its files to /api/v1/uploads/ with metadata share, path",
        body=obj(
            (),
            **_COMMON_BODY,
            expires_in=_SECONDS,
            max_downloads={"type": "integer", "minimum": 1, "maximum": 1_000_000},
            encrypted=BOOL,
        ),
        answer=_LINK,
        status=201,
    ),
    Operation("GET", "/shares", list_shares, "The caller's share links", answer=_LINKS),
    Operation(
        "GET",
        "/shares/{link_id}",
        describe_share,
        "Describe a share (send X-Link-Password if it has one)",
        signed_in=False,
        answer=_LINK,
    ),
    Operation("DELETE", "/shares/{link_id}", revoke_share, "Revoke a share link", status=204),
    Operation(
        "POST",
        "/requests",
        create_request,
        "Create a request-files link",
        body=obj(
            (),
            **_COMMON_BODY,
            deadline_in=_SECONDS,
            allow_late=BOOL,
            max_files={"type": "integer", "minimum": 1, "maximum": 1_000_000},
            max_total_bytes={"type": "integer", "minimum": 1, "maximum": 1 << 62},
            allowed_types={"type": "string", "maxLength": 500},
            public_key={
                "type": "string",
                "pattern": "^[A-Za-z0-9+/]{43}=$",
                "description": "X25519 public key (base64) that uploads are sealed to",
            },
        ),
        answer=_LINK,
        status=201,
    ),
    Operation("GET", "/requests", list_requests, "The caller's request links", answer=_LINKS),
    Operation(
        "GET",
        "/requests/{link_id}",
        describe_request,
        "Describe a request link for its upload page (upload_url speaks tus)",
        signed_in=False,
        answer=_LINK,
    ),
    Operation("DELETE", "/requests/{link_id}", revoke_request, "Close a request link", status=204),
    Operation(
        "GET",
        "/requests/{link_id}/arrivals",
        list_arrivals,
        "What arrived on a request link",
        answer=_LINK,
    ),
    Operation(
        "GET",
        "/requests/{link_id}/arrivals/{file_id:int}",
        arrival_content,
        "Download one arrived file (Range supported)",
    ),
    Operation(
        "GET",
        "/requests/{link_id}/zip",
        arrivals_zip,
        "Download everything that arrived as one zip (Range supported)",
    ),
)


def tus_openapi_paths() -> dict[str, dict[str, Any]]:
    """The links' tus endpoints, listed for discovery: they speak tus 1.0.0, not JSON."""
    return {
        **tus_paths(OWNER_BASE, "Uploads into the caller's shares (metadata: share, path)"),
        **tus_paths(DROP_BASE + "/{link_id}", "Uploads into this request link (metadata: path)"),
        **tus_paths(
            DROP_BASE, f"Uploads into a request link (header {LINK_HEADER}; metadata: path)"
        ),
    }
