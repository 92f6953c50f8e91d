"""The recipient's side of a share link, ``/s/<id>``: the page, the password, the downloads.

Only an actual file or zip download counts against a link's limit: the page view, ``HEAD``
requests and link-preview bots (chat apps fetch a link as soon as it is pasted) never do,
and bots are refused the bytes, so a one-time link survives being pasted into a chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.errors import AuthenticationError, GoneError, NotFoundError
from syncoxide.server.api.errors import ApiError, rate_limited
from syncoxide.server.http.connection import client_ip, is_tls
from syncoxide.server.http.forms import read_form
from syncoxide.server.http.ranges import UnsatisfiableRange, not_satisfiable, requested_range
from syncoxide.server.inputs import is_storable_id
from syncoxide.server.links import html as pages
from syncoxide.server.links.downloads import file_etag, file_response, zip_plan, zip_response
from syncoxide.server.links.service import RESUME_GRACE_SECONDS, LinkService
from syncoxide.server.links.store import Link
from syncoxide.server.ratelimit import Limit
from syncoxide.server.services import services_of

_PREVIEW_AGENTS = re.compile(
    r"bot|crawler|spider|preview|facebookexternalhit|whatsapp|telegram|slack|discord|skype"
    r"|linkedin|embedly|iframely|vkshare|pinterest|mastodon|quora link|outbrain|nuzzel",
    re.IGNORECASE,
)
PASSWORD_LIMIT_PER_LINK = Limit(10, 300)
PASSWORD_LIMIT_PER_IP = Limit(30, 300)
_NO_STORE = {"Cache-Control": "no-store"}


def links_of(connection: HTTPConnection) -> LinkService:
    links: LinkService = connection.app.state.links
    return links


def is_preview(request: Request) -> bool:
    return request.method == "HEAD" or bool(
        _PREVIEW_AGENTS.search(request.headers.get("user-agent", ""))
    )


def cookie_name(link: Link) -> str:
    return f"sxo_link_{link.id}"


def html_error(request: Request, status: int, message: str) -> Response:
    return pages.gone_page(request, message, status)


async def open_link(request: Request, kind: str) -> Link | Response:
    """The link, or the page that explains why it cannot be used."""
    try:
        return await links_of(request).public(request.path_params["link_id"], kind)
    except GoneError as error:
        return html_error(request, 410, str(error))
    except NotFoundError as error:
        return html_error(request, 404, str(error))


async def check_link_password(request: Request, link: Link, password: str) -> str:
    """The unlocking cookie value; rate limited per (link, client IP) and per client IP, so a
    stranger guessing never locks out the recipient, who asks from another address."""
    limiter = services_of(request).limiter
    address = client_ip(request)
    for bucket, key, rule in (
        ("link-password", f"{link.id}\0{address}", PASSWORD_LIMIT_PER_LINK),
        ("link-password-ip", address, PASSWORD_LIMIT_PER_IP),
    ):
        wait = await limiter.hit(bucket, key, rule)
        if wait is not None:
            raise rate_limited(wait)
    return links_of(request).check_password(link, password)


def unlock_response(request: Request, link: Link, secret: str, target: str) -> Response:
    response = RedirectResponse(target, 303, headers=_NO_STORE)
    response.set_cookie(
        cookie_name(link), secret, httponly=True, samesite="lax", secure=is_tls(request), path="/"
    )
    return response


def unlocked(request: Request, link: Link) -> bool:
    return links_of(request).unlocked(link, request.cookies.get(cookie_name(link)))


async def share_page(request: Request) -> Response:
    link = await open_link(request, "share")
    if isinstance(link, Response):
        return link
    try:
        links_of(request).check_not_used_up(link)
    except GoneError as error:
        return html_error(request, 410, str(error))
    if not unlocked(request, link):
        return pages.password_page(request, link, f"/s/{link.id}")
    links = links_of(request)
    files = await links.store.files(link.id)
    if link.encrypted:
        sizes = [await links.plaintext_size(file) for file in files]
        return pages.share_page(request, link, files, sizes)
    return pages.share_page(request, link, files)


async def password_submit(request: Request, kind: str) -> Response:
    """The password form of ``/s/<id>`` and ``/r/<id>``: unlock, or say why not."""
    link = await open_link(request, kind)
    if isinstance(link, Response):
        return link
    action = f"/{kind[0]}/{link.id}"
    try:
        form = await read_form(request)
        secret = await check_link_password(request, link, form.get("password", ""))
    except AuthenticationError as error:
        return pages.password_page(request, link, action, wrong=str(error), status=401)
    except ApiError as error:  # too many attempts, or not a form
        return pages.password_page(
            request, link, action, wrong=error.message, status=error.status, headers=error.headers
        )
    return unlock_response(request, link, secret, action)


async def share_password(request: Request) -> Response:
    return await password_submit(request, "share")


def ticket_cookie(link: Link) -> str:
    return f"sxo_dl_{link.id}"


@dataclass(frozen=True)
class Download:
    """What one download fetches: the ticket it earns covers exactly this (``scope``), sent
    back only to its own address (``path``). An encrypted share's page fetches file after
    file, so there the whole share is one scope."""

    scope: str
    path: str

    @classmethod
    def of_file(cls, link: Link, file_id: int) -> Download:
        if link.encrypted:
            return cls("all", f"/s/{link.id}/")
        return cls(f"file:{file_id}", f"/s/{link.id}/files/{file_id}")

    @classmethod
    def of_zip(cls, link: Link, folder: str) -> Download:
        return cls(f"zip:{folder}", f"/s/{link.id}/zip")


async def download_gate(
    request: Request, link: Link, download: Download, resuming: bool
) -> Response | bool:
    """A refusal, or whether the download that may now go ahead was counted."""
    if not unlocked(request, link):
        return html_error(request, 401, "This link needs its password; open the link's page first.")
    if is_preview(request):  # HEAD too: it never counts and earns no ticket
        if request.method == "HEAD":
            return False
        return html_error(
            request, 403, "Link previews do not download files; open the link instead."
        )
    links = links_of(request)
    # Free: the client whose download of this very thing was counted, resuming it; on an
    # encrypted share, also fetching another file in the same visit.
    ticket = request.cookies.get(ticket_cookie(link))
    free = (resuming or link.encrypted) and links.holds_ticket(link, download.scope, ticket)
    try:
        await links.start_download(link, free)
    except GoneError as error:
        return html_error(request, 410, str(error))
    return not free


def with_ticket(
    request: Request, link: Link, download: Download, response: Response, *, counted: bool
) -> Response:
    """After a counted download, hand its client the ticket that makes resuming free."""
    if counted:
        response.set_cookie(
            ticket_cookie(link),
            links_of(request).download_ticket(link, download.scope),
            max_age=RESUME_GRACE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=is_tls(request),
            path=download.path,
        )
    return response


async def share_file(request: Request) -> Response:
    link = await open_link(request, "share")
    if isinstance(link, Response):
        return link
    file_id = request.path_params["file_id"]
    file = await links_of(request).store.file(link.id, file_id) if is_storable_id(file_id) else None
    if file is None:
        return html_error(request, 404, "This share has no such file.")
    try:
        chosen = requested_range(request, file.size, file_etag(file))
    except UnsatisfiableRange:
        return not_satisfiable(file.size)
    download = Download.of_file(link, file.id)
    resuming = chosen is not None and chosen.start > 0
    counted = await download_gate(request, link, download, resuming)
    if isinstance(counted, Response):
        return counted
    response = file_response(request, links_of(request), file, chosen)
    return with_ticket(request, link, download, response, counted=counted)


async def share_zip(request: Request) -> Response:
    link = await open_link(request, "share")
    if isinstance(link, Response):
        return link
    if link.encrypted:
        return html_error(
            request,
            409,
            "This share is end-to-end encrypted: its page decrypts and saves file by file.",
        )
    files = await links_of(request).store.files(link.id)
    folder = request.query_params.get("folder", "").strip("/")
    if folder:
        files = [f for f in files if f.path.startswith(folder + "/")]
    if not files:
        return html_error(request, 404, "There is nothing to put in a zip here.")
    plan = zip_plan(files)
    try:
        chosen = requested_range(request, plan[0].size, plan[1])
    except UnsatisfiableRange:
        return not_satisfiable(plan[0].size)
    download = Download.of_zip(link, folder)
    counted = await download_gate(request, link, download, chosen is not None and chosen.start > 0)
    if isinstance(counted, Response):
        return counted
    name = (folder.rsplit("/", 1)[-1] or link.title or "share") + ".zip"
    response = zip_response(
        request, links_of(request), files=files, plan=plan, name=name, chosen=chosen
    )
    return with_ticket(request, link, download, response, counted=counted)


def routes() -> list[BaseRoute]:
    return [
        Route("/s/{link_id}", share_page, methods=["GET", "HEAD"]),
        Route("/s/{link_id}", share_password, methods=["POST"]),
        Route("/s/{link_id}/files/{file_id:int}", share_file, methods=["GET", "HEAD"]),
        Route("/s/{link_id}/zip", share_zip, methods=["GET", "HEAD"]),
    ]
