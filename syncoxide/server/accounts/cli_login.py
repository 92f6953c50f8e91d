"""``syncoxide login``: the browser hands the command line an API token.

The CLI makes a random ``verifier`` and files a sign-in request with only its SHA-256
(``challenge``), its device name and its loopback port (``POST /api/v1/cli-login/start``, see
``cli_codes``); the terminal shows the request's short user code and opens
``/cli-login?request=<id>``. That page shows the signed-in user what is asking (device, address,
time) and takes the user code typed from the terminal (a CSRF-protected form), so a link someone
else made cannot be approved by a click. The server then mints a token, files it under a
one-time ``code`` bound to the challenge, and sends the browser to
``http://127.0.0.1:<port>/callback`` (never anywhere else) or, with port 0, shows the code to
paste. The CLI swaps code + verifier for the token at ``POST /api/v1/cli-login/token``
(``accounts.api.cli_login_token``). A code is good once, for two minutes, and only with the
verifier, so a code seen in browser history or a log is worthless.

Pending requests and codes live in this process's memory: the embedded server is one process.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.accounts.auth import who
from syncoxide.server.accounts.cli_codes import SignInRequest
from syncoxide.server.accounts.pages import problem_page
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.identity import SignedIn, check_csrf
from syncoxide.server.http.forms import read_form
from syncoxide.server.pages.templates import render_page
from syncoxide.server.services import services_of

_UNKNOWN = ApiError(
    404,
    "unknown_sign_in_request",
    "This sign-in request is unknown or expired. Run `syncoxide login` again "
    "(an older syncoxide must be updated first).",
)


def _request_id(request: Request) -> str:
    return request.query_params.get("request", "")[:64]


async def _asked(request: Request) -> SignInRequest:
    services = services_of(request)
    asked = await services.cli_codes.asked(_request_id(request), services.clock())
    if asked is None:
        raise _UNKNOWN
    return asked


async def _signed_in(request: Request) -> SignedIn | None:
    signed_in = await who(request)
    return signed_in if signed_in is not None and signed_in.via == "session" else None


async def approve_page(request: Request) -> Response:
    try:
        signed_in = await _signed_in(request)
        if signed_in is None:
            target = quote(f"/cli-login?{request.url.query}", safe="")
            return RedirectResponse(f"/login?next={target}", 303)
        asked = await _asked(request)
    except ApiError as error:
        return problem_page(request, error, way_back=False)
    return _approval_form(request, signed_in, asked, wrong_code=False)


def _approval_form(
    request: Request, signed_in: SignedIn, asked: SignInRequest, *, wrong_code: bool
) -> Response:
    context = {
        "title": "Sign in the command line",
        "device": asked.device,
        "address": asked.address,
        "asked_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(asked.asked_at)),
        "request_id": _request_id(request),
        "user_name": signed_in.user.name,
        "csrf": signed_in.csrf_token or "",
        "wrong_code": wrong_code,
    }
    status = 400 if wrong_code else 200
    return render_page(request, "accounts/cli_approve.html", context, status=status)


async def approve(request: Request) -> Response:
    services = services_of(request)
    try:
        signed_in = await _signed_in(request)
        if signed_in is None:
            raise ApiError(401, "not_signed_in", "Sign in first, then approve again.")
        asked = await _asked(request)
        form = await read_form(request)
        check_csrf("POST", signed_in, form.get("csrf"))
    except ApiError as error:
        return problem_page(request, error, way_back=False)
    request_id = _request_id(request)
    if (
        await services.cli_codes.confirm(request_id, form.get("user_code", ""), services.clock())
        is None
    ):
        if await services.cli_codes.asked(request_id, services.clock()) is None:
            return problem_page(request, _UNKNOWN, way_back=False)
        return _approval_form(request, signed_in, asked, wrong_code=True)
    label = f"command line on {asked.device}"
    secret, record = await services.accounts.create_token(signed_in.user, label)
    await services.notifier.emit(
        signed_in.user.id,
        "token.created",
        {"id": record.id, "label": record.label},
        services.clock(),
    )
    code = await services.cli_codes.file(asked.challenge, secret, services.clock())
    if asked.port:
        return RedirectResponse(f"http://127.0.0.1:{asked.port}/callback?code={code}", 303)
    return render_page(request, "accounts/cli_code.html", {"title": "Code", "code": code})


def routes() -> list[BaseRoute]:
    return [
        Route("/cli-login", approve_page, methods=["GET"]),
        Route("/cli-login", approve, methods=["POST"]),
    ]
