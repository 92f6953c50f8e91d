"""Who is asking: an API token (``Authorization: Bearer``) or a browser session cookie.

Cookie-authenticated requests that change something must echo the session's CSRF token
(``X-CSRF-Token`` header for the API, a ``csrf`` form field for pages): a cross-site page can
make the browser send the cookie, but cannot read the token. Bearer requests need no CSRF
token, since browsers never attach them on their own.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from syncoxide.errors import AuthenticationError
from syncoxide.server.accounts.service import SESSION_MAX_SECONDS, SignedIn
from syncoxide.server.api.errors import ApiError, from_syncoxide
from syncoxide.server.inputs import same_secret
from syncoxide.server.services import Services

SESSION_COOKIE = "sxo_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def services_of(connection: HTTPConnection) -> Services:
    services: Services = connection.app.state.services
    return services


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


def check_csrf(method: str, signed_in: SignedIn, submitted: str | None) -> None:
    if method in SAFE_METHODS or signed_in.via != "session":
        return
    expected = signed_in.csrf_token or ""
    if not same_secret(submitted, expected):
        raise ApiError(
            403,
            "csrf_failed",
            "The request lacked this session's CSRF token. Reload the page and try again.",
        )


def is_tls(connection: HTTPConnection) -> bool:
    return connection.url.scheme in {"https", "wss"}


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


def client_ip(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"
