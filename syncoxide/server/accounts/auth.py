"""Who is asking: an API token (``Authorization: Bearer``) or a browser session cookie.

``who`` is the ``Identify`` step the API wrapper, the pages and the tus endpoints run; the
CSRF rule that goes with a session is in ``api.identity``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse, Response
from starlette.websockets import WebSocket

from syncoxide.errors import AuthenticationError
from syncoxide.server.accounts.service import SESSION_MAX_SECONDS
from syncoxide.server.api.errors import ApiError, from_syncoxide
from syncoxide.server.api.identity import SignedIn
from syncoxide.server.http.connection import is_tls
from syncoxide.server.http.forms import safe_next
from syncoxide.server.services import services_of

SESSION_COOKIE = "sxo_session"


async def who(connection: HTTPConnection) -> SignedIn | None:
    accounts = services_of(connection).accounts
    header = connection.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "bad_authorization", "Send API tokens as 'Bearer <token>'.")
        try:
            return await accounts.authenticate_token(value.strip())
        except AuthenticationError as error:
            raise from_syncoxide(error) from None
    cookie = connection.cookies.get(SESSION_COOKIE)
    return await accounts.session_user(cookie) if cookie else None


async def session_in_browser(connection: HTTPConnection) -> SignedIn | None:
    """Who signed in to this browser (its session cookie), for pages: a bad or revoked
    credential counts as none, and so does an API token (pages are for people)."""
    try:
        signed_in = await who(connection)
    except ApiError:
        return None
    return signed_in if signed_in is not None and signed_in.via == "session" else None


def to_sign_in(back_to: str) -> RedirectResponse:
    """Off to the sign-in page, which comes back to ``back_to`` (a path on this site)."""
    return RedirectResponse(
        f"/login?next={safe_next(back_to)}", 303, headers={"Cache-Control": "no-store"}
    )


async def who_on_socket(websocket: WebSocket) -> SignedIn | None:
    """``who`` for a WebSocket: a refused credential is nobody, and a session cookie counts only
    from a page of this same origin (CORS does not cover WebSockets, so Origin is checked
    where CSRF tokens would be)."""
    try:
        signed_in = await who(websocket)
    except ApiError:
        return None
    if signed_in is not None and signed_in.via == "session":
        origin = websocket.headers.get("origin")
        if origin is None or urlsplit(origin).netloc != websocket.headers.get("host"):
            return None
    return signed_in


def set_session_cookie(response: Response, connection: HTTPConnection, cookie: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_MAX_SECONDS,
        httponly=True,
        samesite="lax",
        secure=is_tls(connection),
        path="/",
    )


def clear_session_cookie(response: Response, connection: HTTPConnection) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=is_tls(connection), path="/"
    )
