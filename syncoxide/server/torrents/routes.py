"""``/s/<id>.torrent`` and the web seed behind it (BEP 19), under the share's own rules.

A torrent client holds no cookie, so the web seed address carries the right to download:

    /s/<id>/seed/<ticket>/<name>[/<path>]

``ticket`` is a signed ticket (``signing.py``, purpose ``web-seed``) over the link and its
password hash, issued only when the ``.torrent`` was fetched by a browser that had unlocked
the link and whose download was counted. So a password holds (no ticket without it; a new
password ends earlier tickets), the download limit counts one per recipient rather than one
per piece, and expiry or withdrawal of the link ends the web seed at once (each piece
request checks the link). A ticket lasts ``RESUME_GRACE_SECONDS``; after that, fetching the
``.torrent`` again starts a new counted download. End-to-end encrypted shares offer no
torrent: the server holds only ciphertext, and the page is what decrypts it.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.http.ranges import (
    UnsatisfiableRange,
    attachment,
    not_satisfiable,
    requested_range,
)
from syncoxide.server.links.downloads import file_etag, file_response
from syncoxide.server.links.service import RESUME_GRACE_SECONDS, LinkService
from syncoxide.server.links.share_routes import (
    Download,
    download_gate,
    html_error,
    links_of,
    open_link,
    with_ticket,
)
from syncoxide.server.links.store import Link
from syncoxide.server.torrents.layout import TorrentLayout
from syncoxide.server.torrents.metainfo import TorrentMaker, with_web_seed

SEED_PURPOSE = "web-seed"
MEDIA_TYPE = "application/x-bittorrent"
_ENCRYPTED = (
    "This share is end-to-end encrypted: only its page can decrypt it, so it has no torrent."
)
_NO_SEED = (
    "This web seed address is not valid any more (too old, or the link's password changed)."
    " Fetch the .torrent again from the share's page."
)


def seed_ticket(links: LinkService, link: Link) -> str:
    return links.signing.issue(SEED_PURPOSE, _seed_subject(link), links.clock())


def holds_seed_ticket(links: LinkService, link: Link, ticket: str) -> bool:
    found = links.signing.check(
        ticket,
        SEED_PURPOSE,
        _seed_subject(link),
        now=links.clock(),
        lifetime=RESUME_GRACE_SECONDS,
    )
    return found is not None


def _seed_subject(link: Link) -> tuple[str, str]:
    return (link.id, link.password_hash or "")


def torrent_path(link: Link) -> str:
    return f"/s/{link.id}.torrent"


async def layout_of(links: LinkService, link: Link) -> TorrentLayout | None:
    return TorrentLayout.of(link, list(await links.store.files(link.id)))


class TorrentRoutes:
    def __init__(self, maker: TorrentMaker) -> None:
        self._maker = maker

    async def torrent(self, request: Request) -> Response:
        link = await open_link(request, "share")
        if isinstance(link, Response):
            return link
        if link.encrypted:
            return html_error(request, 409, _ENCRYPTED)
        links = links_of(request)
        layout = await layout_of(links, link)
        if layout is None:
            return html_error(request, 404, "This share has no bytes to download yet.")
        download = Download("torrent", torrent_path(link))
        counted = await download_gate(request, link, download, resuming=True)
        if isinstance(counted, Response):
            return counted
        headers = {
            "Content-Disposition": attachment(f"{layout.name}.torrent"),
            "Cache-Control": "private, no-store",
        }
        if request.method == "HEAD":
            return Response(media_type=MEDIA_TYPE, headers=headers)
        cached = await self._maker.torrent_of(link.id, layout)
        base = str(request.base_url).rstrip("/")
        seed = f"{base}/s/{link.id}/seed/{seed_ticket(links, link)}/{quote(layout.seed_suffix)}"
        body = with_web_seed(cached, seed)
        response = Response(body, media_type=MEDIA_TYPE, headers=headers)
        return with_ticket(request, link, download, response, counted=counted)

    async def seed(self, request: Request) -> Response:
        """One web seed request (usually a ``Range`` of one file); never counted again."""
        link = await open_link(request, "share")  # withdrawn or expired: 410 from now on
        if isinstance(link, Response):
            return link
        links = links_of(request)
        if link.encrypted or not holds_seed_ticket(links, link, request.path_params["ticket"]):
            return html_error(request, 403, _NO_SEED)
        layout = await layout_of(links, link)
        file = layout.file_at(request.path_params["path"]) if layout else None
        if file is None:
            return html_error(request, 404, "This share's torrent has no such file.")
        try:
            chosen = requested_range(request, file.size, file_etag(file))
        except UnsatisfiableRange:
            return not_satisfiable(file.size)
        return file_response(request, links, file, chosen)


def routes(links: LinkService) -> list[BaseRoute]:
    """Listed before the share routes: ``/s/{link_id}`` would also match ``<id>.torrent``."""
    handlers = TorrentRoutes(TorrentMaker(links.blobs))
    return [
        Route("/s/{link_id}.torrent", handlers.torrent, methods=["GET", "HEAD"]),
        Route("/s/{link_id}/seed/{ticket}/{path:path}", handlers.seed, methods=["GET", "HEAD"]),
    ]
