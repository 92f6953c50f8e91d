"""Who a request is from, and the CSRF rule that follows from how it proved it.

The accounts service makes a :class:`SignedIn` from a token or a session cookie; the API
wrapper, the pages and the tus endpoints all receive it. It lives here, below every feature,
so that each of them can name it without importing the accounts package's internals.

Cookie-authenticated requests that change something must echo the session's CSRF token
(``X-CSRF-Token`` header for the API, a ``csrf`` form field for pages): a cross-site page can
make the browser send the cookie, but cannot read the token. Bearer requests need no CSRF
token, since browsers never attach them on their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from syncoxide.server.api.errors import ApiError
from syncoxide.server.inputs import same_secret
from syncoxide.server.storage.port import User

CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SignedIn:
    """Who a request is from, and how it proved it."""

    user: User
    via: str  # "session" or "token"
    csrf_token: str | None = None  # set for sessions: unsafe requests must echo it
    session_hash: bytes | None = None


#: Finds who is asking (None for nobody); raises ``ApiError`` for a refused credential.
Identify = Callable[[HTTPConnection], Awaitable[SignedIn | None]]


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
