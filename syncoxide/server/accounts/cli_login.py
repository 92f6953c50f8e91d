"""``syncoxide login``: the browser hands the command line an API token.

The CLI makes a random ``verifier`` and sends only its SHA-256 (``challenge``) in the URL it
opens. The signed-in user approves on ``/cli-login`` (a CSRF-protected form); the server
mints a token, files it under a one-time ``code`` bound to that challenge, and sends the
browser to ``http://127.0.0.1:<port>/callback`` (never anywhere else) or, with ``port=0``,
shows the code to paste. The CLI swaps code + verifier for the token at
``POST /api/v1/cli-login/token`` (``accounts.api.cli_login_token``). A code is good once,
for two minutes, and only with the verifier, so a code seen in browser history or a log is
worthless.

Pending codes live in this process's memory: the embedded server is one process.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.server.accounts.auth import who
from syncoxide.server.accounts.pages import problem_page
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.identity import check_csrf
from syncoxide.server.http.forms import read_form
from syncoxide.server.inputs import is_decimal
from syncoxide.server.pages.templates import render_page
from syncoxide.server.services import services_of

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
        return problem_page(request, error, way_back=False)
    context = {
        "title": "Sign in the command line",
        "port": port,
        "challenge": challenge,
        "user_name": signed_in.user.name,
        "csrf": signed_in.csrf_token or "",
    }
    return render_page(request, "accounts/cli_approve.html", context)


async def approve(request: Request) -> Response:
    services = services_of(request)
    try:
        signed_in = await who(request)
        if signed_in is None or signed_in.via != "session":
            raise ApiError(401, "not_signed_in", "Sign in first, then approve again.")
        port, challenge = _params(request)
        check_csrf("POST", signed_in, (await read_form(request)).get("csrf"))
    except ApiError as error:
        return problem_page(request, error, way_back=False)
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
    return render_page(request, "accounts/cli_code.html", {"title": "Code", "code": code})


def routes() -> list[BaseRoute]:
    return [
        Route("/cli-login", approve_page, methods=["GET"]),
        Route("/cli-login", approve, methods=["POST"]),
    ]
