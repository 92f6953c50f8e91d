"""tus endpoints whose caller must be signed in: the owner's uploads into shares and files.

The tus endpoint answers in tus's own terms (``TusRequestError``), so who is asking is checked
here and refused the tus way; strangers are refused before tus looks at the request at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from syncoxide.server.accounts.auth import who
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.identity import CSRF_HEADER, SignedIn, check_csrf
from syncoxide.server.tus.headers import TusRequestError


async def signed_in_owner(request: Request) -> SignedIn:
    """The signed-in caller of a tus request (token, or session + CSRF), or a tus refusal."""
    try:
        signed_in = await who(request)
        if signed_in is None:
            raise TusRequestError(401, "Sign in, or send an API token as 'Bearer'.")
        check_csrf(request.method, signed_in, request.headers.get(CSRF_HEADER))
    except ApiError as error:
        raise TusRequestError(error.status, error.message) from None
    return signed_in


def signed_in_first(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Strangers get 401 before tus looks at the request (tus would answer 412 first)."""

    async def guarded(request: Request) -> Response:
        if request.method != "OPTIONS":
            try:
                signed_in = await who(request)
            except ApiError:
                signed_in = None
            if signed_in is None:
                body = {"error": "not_signed_in", "message": "Sign in to upload here."}
                return JSONResponse(body, status_code=401)
        return await endpoint(request)

    return guarded
