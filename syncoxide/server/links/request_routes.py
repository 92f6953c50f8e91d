"""The uploader's side of a request-files link, ``/r/<id>``: the page and its password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.links import html as pages
from syncoxide.server.links.share_routes import links_of, open_link, password_submit, unlocked

_NO_STORE = {"Cache-Control": "no-store"}


async def request_page(request: Request) -> Response:
    link = await open_link(request, "request")
    if isinstance(link, Response):
        return link
    if not unlocked(request, link):
        return HTMLResponse(pages.password_page(link, f"/r/{link.id}"), headers=_NO_STORE)
    late = link.expires_at is not None and link.expires_at <= links_of(request).clock()
    if late and not link.allow_late:
        page = pages.gone_page("The deadline for this request has passed.")
        return HTMLResponse(page, status_code=410, headers=_NO_STORE)
    return HTMLResponse(pages.request_page(link, late), headers=_NO_STORE)


async def request_password(request: Request) -> Response:
    return await password_submit(request, "request")


def routes() -> list[BaseRoute]:
    return [
        Route("/r/{link_id}", request_page, methods=["GET", "HEAD"]),
        Route("/r/{link_id}", request_password, methods=["POST"]),
    ]
