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
(``api_handlers.cli_login_token``). A code is good once, for two minutes, and only with the
verifier, so a code seen in browser history or a log is worthless.

Pending requests and codes live in this process's memory: the embedded server is one process.
"""

from __future__ import annotations

import html
import time
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.accounts.auth import check_csrf, services_of, who
from syncoxide.server.accounts.cli_codes import SignInRequest
from syncoxide.server.accounts.pages import read_form, render_page
from syncoxide.server.accounts.service import SignedIn
from syncoxide.server.api.errors import ApiError

_UNKNOWN = ApiError(
    404,
    "unknown_sign_in_request",
    "This sign-in request is unknown or expired. Run `syncoxide login` again "
    "(an older syncoxide must be updated first).",
)


def _request_id(request: Request) -> str:
    return request.query_params.get("request", "")[:64]


def _asked(request: Request) -> SignInRequest:
    services = services_of(request)
    asked = services.cli_codes.asked(_request_id(request), services.clock())
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
        asked = _asked(request)
    except ApiError as error:
        return _problem(error)
    return _approval_form(signed_in, asked, _request_id(request), wrong_code=False)


def _approval_form(
    signed_in: SignedIn, asked: SignInRequest, request_id: str, *, wrong_code: bool
) -> Response:
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(asked.asked_at))
    alert = (
        '<p role="alert">That is not the code in the terminal. Check it and type it again.</p>'
        if wrong_code
        else ""
    )
    body = (
        "<h1>Sign in the command line?</h1>"
        '<dl class="cli-request">'
        f'<dt>Device</dt><dd id="cli-device">{html.escape(asked.device)}</dd>'
        f'<dt>Address</dt><dd id="cli-address">{html.escape(asked.address)}</dd>'
        f"<dt>Asked at</dt><dd>{when}</dd></dl>"
        "<p>The <code>syncoxide</code> command there will get an API token and act as "
        f"<strong>{html.escape(signed_in.user.name)}</strong>. You can revoke it any time on "
        'your <a href="/account">account page</a>.</p>'
        "<p><strong>Only allow this if you just ran <code>syncoxide login</code> yourself.</strong>"
        " If someone sent you this link, cancel: they would get into your account.</p>"
        f"{alert}"
        f'<form method="post" action="/cli-login?request={quote(request_id, safe="")}">'
        f'<input type="hidden" name="csrf" value="{html.escape(signed_in.csrf_token or "")}">'
        '<label>Code shown in the terminal <input name="user_code" required autocomplete="off"'
        ' autocapitalize="characters" spellcheck="false" maxlength="20"></label> '
        '<button type="submit">Allow</button></form>'
        '<p><a href="/">Cancel</a></p>'
    )
    status = 400 if wrong_code else 200
    return HTMLResponse(
        render_page("Sign in the command line", body),
        status,
        headers={"Cache-Control": "no-store"},
    )


async def approve(request: Request) -> Response:
    services = services_of(request)
    try:
        signed_in = await _signed_in(request)
        if signed_in is None:
            raise ApiError(401, "not_signed_in", "Sign in first, then approve again.")
        asked = _asked(request)
        form = await read_form(request)
        check_csrf("POST", signed_in, form.get("csrf"))
    except ApiError as error:
        return _problem(error)
    request_id = _request_id(request)
    if services.cli_codes.confirm(request_id, form.get("user_code", ""), services.clock()) is None:
        if services.cli_codes.asked(request_id, services.clock()) is None:
            return _problem(_UNKNOWN)
        return _approval_form(signed_in, asked, request_id, wrong_code=True)
    label = f"command line on {asked.device}"
    secret, record = await services.accounts.create_token(signed_in.user, label)
    await services.notifier.emit(
        signed_in.user.id,
        "token.created",
        {"id": record.id, "label": record.label},
        services.clock(),
    )
    code = services.cli_codes.file(asked.challenge, secret, services.clock())
    if asked.port:
        return RedirectResponse(f"http://127.0.0.1:{asked.port}/callback?code={code}", 303)
    body = (
        "<h1>Paste this code into the command line</h1>"
        f'<p><code id="cli-code">{html.escape(code)}</code></p>'
        "<p>It works once, for two minutes.</p>"
    )
    return HTMLResponse(render_page("Code", body), headers={"Cache-Control": "no-store"})


def _problem(error: ApiError) -> Response:
    body = f'<h1>That did not work</h1><p role="alert">{html.escape(error.message)}</p>'
    return HTMLResponse(
        render_page("Error", body), error.status, headers={"Cache-Control": "no-store"}
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/cli-login", approve_page, methods=["GET"]),
        Route("/cli-login", approve, methods=["POST"]),
    ]
