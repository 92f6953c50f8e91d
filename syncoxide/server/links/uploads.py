"""Two tus endpoints over the one ``Uploads``: the owner's, and the request links'.

- ``/api/v1/uploads/``: a signed-in owner (token, or session + CSRF) uploads files into one
  of their shares; ``Upload-Metadata`` names the ``share`` and the file's relative ``path``.
- ``/api/v1/drop/<link id>/``: anyone holding a request link uploads into it, with any tus
  client and no extra header: the link is in the URL, and so in every upload URL (``Location``)
  made there. Requests carry the link's password cookie when it has one.
- ``/api/v1/drop/``: the same, with the link named in the ``Syncoxide-Link`` header of every
  request instead (the first form; kept for clients written against it).

Each upload's scope is its owner or its link, so an upload id from one scope is a 404 in any
other. Limits (size, count, types, deadline) are checked when the upload is created, before
any byte arrives, and again when it completes, since other uploads may have finished since.
"""

from __future__ import annotations

import math
import mimetypes
import re

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from syncoxide.crypto import recipient
from syncoxide.errors import GoneError, NotFoundError
from syncoxide.server.http.connection import client_ip
from syncoxide.server.links.service import LinkService
from syncoxide.server.links.share_routes import cookie_name, links_of
from syncoxide.server.links.store import Link
from syncoxide.server.ratelimit import Limit
from syncoxide.server.services import services_of
from syncoxide.server.tus import TusEndpoint, TusPolicy, Upload, Uploads
from syncoxide.server.tus.headers import TusRequestError, parse_metadata, parse_non_negative
from syncoxide.server.tus.signed_in import signed_in_first, signed_in_owner
from syncoxide.units import counted

OWNER_BASE = "/api/v1/uploads"
DROP_BASE = "/api/v1/drop"
LINK_HEADER = "syncoxide-link"
MAX_UPLOAD = 1 << 40  # 1 TiB: the real bound is each request link's own total
# An end-to-end encrypted request stores sealed files under random names: the real name
# travels sealed inside the file (syncoxide.crypto.recipient), never in tus metadata.
SEALED_NAME = re.compile(r"^[0-9a-f]{32}\.sxor$")
SEALED_START = recipient.MAGIC + bytes([recipient.VERSION_1])
# New uploads a stranger may start: a dropped folder of a few hundred files goes at once (the
# page waits out a 429 and goes on), a flood of thousands from one address is slowed down.
DROPS_PER_LINK_AND_ADDRESS = Limit(300, 60)
DROPS_PER_ADDRESS = Limit(600, 60)


def _path_of(metadata: dict[str, str]) -> str:
    return metadata.get("path") or metadata.get("filename") or metadata.get("name") or ""


async def _owner_scope(request: Request) -> str:
    signed_in = await signed_in_owner(request)
    if request.method == "POST":
        length = parse_non_negative(request.headers.get("upload-length"), "Upload-Length")
        await links_of(request).uploads.sweep_abandoned()
        await check_quota(links_of(request), signed_in.user.id, length)
    return f"user:{signed_in.user.id}"


async def check_quota(links: LinkService, user_id: int, length: int) -> None:
    room = await links.quota_room(user_id)
    if room is not None and length > room:
        raise TusRequestError(
            413,
            f"This would go over the link storage quota ({counted(room, 'byte')} left). "
            "Revoke old links or ask the server's admin for more room.",
        )


async def _into_share(upload: Upload, store: Uploads, links: LinkService) -> None:
    link = await links.store.get(upload.metadata.get("share", ""))
    if link is None or f"user:{link.user_id}" != upload.scope or link.kind != "share":
        await store.delete(upload)
        raise TusRequestError(404, "Name one of your shares in the 'share' metadata.")
    try:
        await check_quota(links, link.user_id, upload.length)
    except TusRequestError:
        await store.delete(upload)
        raise
    await links.keep_upload(link, upload, _path_of(upload.metadata), late=False)


def allowed_type(link: Link, path: str) -> bool:
    if not link.allowed_types.strip():
        return True
    kind = mimetypes.guess_type(path)[0] or ""
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    rules = [rule.strip().lower() for rule in link.allowed_types.split(",") if rule.strip()]
    return any(rule == suffix or (kind and kind.startswith(rule)) for rule in rules)


class DropPolicy:
    """Who may upload into a request link, and what; see the module docstring."""

    def __init__(self, links: LinkService) -> None:
        self.links = links

    async def authorize(self, request: Request) -> str:
        link = await self._open(self._link_id(request))
        if not self.links.unlocked(link, request.cookies.get(cookie_name(link))):
            raise TusRequestError(401, "This request link needs its password first.")
        if request.method == "POST":
            await _throttle_drops(request, link)
            metadata = parse_metadata(request.headers.get("upload-metadata"))
            length = parse_non_negative(request.headers.get("upload-length"), "Upload-Length")
            if link.public_key and set(metadata) - {"path"}:
                raise TusRequestError(
                    400, "This request is end-to-end encrypted: send only the 'path' metadata."
                )
            await self.links.uploads.sweep_abandoned()
            await self.check_limits(link, _path_of(metadata), length)
        return f"link:{link.id}"

    @staticmethod
    def _link_id(request: Request) -> str:
        in_path = request.path_params.get("link_id")
        in_header = request.headers.get(LINK_HEADER)
        if in_path is not None and in_header is not None and in_header != in_path:
            raise TusRequestError(400, f"The {LINK_HEADER} header names another request link.")
        return str(in_path if in_path is not None else in_header or "")

    async def _open(self, link_id: str) -> Link:
        try:
            return await self.links.public(link_id, "request")
        except GoneError as error:
            raise TusRequestError(410, str(error)) from None
        except NotFoundError as error:
            raise TusRequestError(404, str(error)) from None

    def is_late(self, link: Link) -> bool:
        return link.expires_at is not None and link.expires_at <= self.links.clock()

    async def check_limits(self, link: Link, path: str, length: int) -> None:
        if self.is_late(link) and not link.allow_late:
            raise TusRequestError(410, "The deadline for this request has passed.")
        if not path.strip():
            raise TusRequestError(400, "Name the file in the 'path' or 'filename' metadata.")
        if link.public_key and not SEALED_NAME.match(path):
            raise TusRequestError(
                400,
                "This request is end-to-end encrypted: upload files sealed to its public key,"
                " named <32 hex digits>.sxor (the real name travels sealed inside).",
            )
        if not allowed_type(link, path):
            raise TusRequestError(
                415, f"This request accepts only: {link.allowed_types}. Skipped {path}."
            )
        await check_quota(self.links, link.user_id, length)
        count, total = await self.links.store.totals(link.id)
        if link.max_files is not None and count + 1 > link.max_files:
            raise TusRequestError(
                413, f"This request takes at most {counted(link.max_files, 'file')}."
            )
        if link.max_total_bytes is not None and total + length > link.max_total_bytes:
            room = max(link.max_total_bytes - total, 0)
            raise TusRequestError(413, f"Only {room} more bytes fit in this request.")

    async def on_complete(self, upload: Upload, store: Uploads) -> None:
        path = _path_of(upload.metadata)
        try:
            link = await self._open(upload.scope.removeprefix("link:"))
            await self.check_limits(link, path, upload.length)
            if link.public_key and not await _starts_sealed(store, upload):
                raise TusRequestError(
                    415,
                    "This request is end-to-end encrypted, and this file was not sealed to its"
                    " key: it was refused and not kept. Upload it from the request's page.",
                )
        except TusRequestError:
            await store.delete(upload)
            raise
        late = self.is_late(link)
        file = await self.links.keep_upload(link, upload, path, late)
        payload = {"link": link.id, "title": link.title, "path": file.path, "size": file.size}
        await self.links.notifier.emit(
            link.user_id, "request.arrived", {**payload, "late": late}, self.links.clock()
        )
        for listener in self.links.arrival_listeners:
            await listener(link, file)


async def _throttle_drops(request: Request, link: Link) -> None:
    limiter, address = services_of(request).limiter, client_ip(request)
    for bucket, key, rule in (
        ("drop-link", f"{link.id}\0{address}", DROPS_PER_LINK_AND_ADDRESS),
        ("drop", address, DROPS_PER_ADDRESS),
    ):
        wait = await limiter.hit(bucket, key, rule)
        if wait is not None:
            raise TusRequestError(
                429, f"Too many new uploads; wait {math.ceil(wait)} s.", retry_after=wait
            )


async def _starts_sealed(store: Uploads, upload: Upload) -> bool:
    """Whether an upload begins like a file sealed to a key: a cheap guard against a generic
    tus client leaving plaintext on an encrypted request (it cannot prove the rest is sealed)."""
    start = b"".join([chunk async for chunk in store.read(upload, len(SEALED_START))])
    return start == SEALED_START


def routes(links: LinkService) -> list[BaseRoute]:
    async def into_share(upload: Upload, store: Uploads) -> None:
        await _into_share(upload, store, links)

    owner_policy = TusPolicy(_owner_scope, MAX_UPLOAD, on_complete=into_share)
    owner = TusEndpoint(OWNER_BASE, links.uploads, owner_policy)
    drop = DropPolicy(links)
    drop_policy = TusPolicy(drop.authorize, MAX_UPLOAD, on_complete=drop.on_complete)
    by_header = TusEndpoint(DROP_BASE, links.uploads, drop_policy)
    by_path = TusEndpoint(DROP_BASE + "/{link_id}", links.uploads, drop_policy)
    guarded = [
        Route(r.path, signed_in_first(r.endpoint), methods=list(r.methods or ()))
        for r in owner.routes()
    ]
    return [*guarded, *by_header.routes(), *by_path.routes()]
