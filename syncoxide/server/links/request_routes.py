"""The uploader's side of a request-files link, ``/r/<id>``: the page and its password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.links import html as pages
from syncoxide.server.links.share_routes import links_of, open_link, password_submit, unlocked


async def request_page(request: Request) -> Response:
    link = await open_link(request, "request")
    if isinstance(link, Response):
        return link
    if not unlocked(request, link):
        return pages.password_page(request, link, f"/r/{link.id}")
    late = link.expires_at is not None and link.expires_at <= links_of(request).clock()
    if late and not link.allow_late:
        return pages.gone_page(request, "The deadline for this request has passed.", 410)
    return pages.request_page(request, link, late)


async def request_password(request: Request) -> Response:
    return await password_submit(request, "request")


def routes() -> list[BaseRoute]:
    return [
        Route("/r/{link_id}", request_page, methods=["GET", "HEAD"]),
        Route("/r/{link_id}", request_password, methods=["POST"]),
    ]
