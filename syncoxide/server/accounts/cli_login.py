"""``syncoxide login``: the browser hands the command line an API token.

The CLI makes a random ``verifier`` and sends only its SHA-256 (``challenge``) in the URL it
opens. The signed-in user approves on ``/cli-login`` (a CSRF-protected form); the server
mints a token, files it under a one-time ``code`` bound to that challenge, and sends the
browser to ``http://127.0.0.1:<port>/callback`` (never anywhere else) or, with ``port=0``,
shows the code to paste. The CLI swaps code + verifier for the token at
``POST /api/v1/cli-login/token`` (``api_handlers.cli_login_token``). A code is good once,
for two minutes, and only with the verifier, so a code seen in browser history or a log is
worthless.

Pending codes live in this process's memory: the embedded server is one process.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.accounts.auth import check_csrf, services_of, who
from syncoxide.server.accounts.pages import read_form, render_page
from syncoxide.server.api.errors import ApiError
from syncoxide.server.inputs import is_decimal

_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def _params(request: Request) -> tuple[int, str]:
    port_raw = request.query_params.get("port", "")
    challenge = request.query_params.get("challenge", "")
    if not is_decimal(port_raw) or not (int(port_raw) == 0 or 1024 <= int(port_raw) <= 65535):
        raise ApiError(400, "bad_port", "The command line sent an impossible port.")
    if not _CHALLENGE.fullmatch(challenge):
        raise ApiError(400, "bad_challenge", "The command line sent an impossible challenge.")
    return int(port_raw), challenge


async def approve_page(request: Request) -> Response:
    try:
        signed_in = await who(request)
        if signed_in is None or signed_in.via != "session":
            target = quote(f"/cli-login?{request.url.query}", safe="")
            return RedirectResponse(f"/login?next={target}", 303)
        port, challenge = _params(request)
    except ApiError as error:
        return _problem(error)
    where = "this computer" if port else "the computer where you ran it"
    body = (
        "<h1>Sign in the command line?</h1>"
        f"<p>The <code>syncoxide</code> command on {where} will get an API token and act "
        f"as <strong>{html.escape(signed_in.user.name)}</strong>. You can revoke it any time "
        'on your <a href="/account">account page</a>.</p>'
        f'<form method="post" action="/cli-login?port={port}&amp;challenge={challenge}">'
        f'<input type="hidden" name="csrf" value="{html.escape(signed_in.csrf_token or "")}">'
        '<button type="submit">Allow</button></form>'
        '<p><a href="/">Cancel</a></p>'
    )
    return HTMLResponse(
        render_page("Sign in the command line", body), headers={"Cache-Control": "no-store"}
    )


async def approve(request: Request) -> Response:
    services = services_of(request)
    try:
        signed_in = await who(request)
        if signed_in is None or signed_in.via != "session":
            raise ApiError(401, "not_signed_in", "Sign in first, then approve again.")
        port, challenge = _params(request)
        check_csrf("POST", signed_in, (await read_form(request)).get("csrf"))
    except ApiError as error:
        return _problem(error)
    secret, record = await services.accounts.create_token(signed_in.user, "command line")
    await services.notifier.emit(
        signed_in.user.id,
        "token.created",
        {"id": record.id, "label": record.label},
        services.clock(),
    )
    code = services.cli_codes.file(challenge, secret, services.clock())
    if port:
        return RedirectResponse(f"http://127.0.0.1:{port}/callback?code={code}", 303)
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
