"""Server-rendered pages for signing in and out and for managing API tokens.

They work without JavaScript so signing in never waits for Pyodide. Every form carries a CSRF
token: before sign-in a random value also set as a cookie (double submit, so a cross-site
page cannot sign a browser in to an attacker's account), after sign-in the session's own.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Sequence
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.errors import SyncoxideError
from syncoxide.server.accounts.auth import (
    check_csrf,
    clear_session_cookie,
    client_ip,
    is_tls,
    services_of,
    set_session_cookie,
    who,
)
from syncoxide.server.accounts.oidc import LOGIN_TTL_SECONDS, STATE_COOKIE, user_for_claims
from syncoxide.server.accounts.service import SignedIn
from syncoxide.server.api.errors import ApiError, from_syncoxide, log, rate_limited
from syncoxide.server.inputs import is_storable_id, same_secret
from syncoxide.server.storage.port import ApiToken, User

FORM_COOKIE = "sxo_form"
MAX_FORM_BODY = 16 * 1024
_NO_STORE = {"Cache-Control": "no-store"}


def safe_next(value: str | None) -> str:
    """Only paths on this site: never ``//host`` or a full URL (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} · syncoxide</title>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/static/app.css">\n</head>\n<body>\n'
        '<header class="topbar"><a class="brand" href="/">'
        '<img src="/static/favicon.svg" alt="" width="22" height="22">syncoxide</a></header>\n'
        f'<main class="account-page">\n{body}\n</main>\n</body>\n</html>\n'
    )


async def read_form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        raise ApiError(415, "form_required", "Send this form as a normal HTML form.")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BODY:
            raise ApiError(413, "body_too_large", "The form is too large.")
    try:
        fields = parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "malformed_form", "The form could not be read.") from None
    return {name: values[0] for name, values in fields.items()}


# sign in


async def login_page(request: Request) -> Response:
    signed_in = await _who_quietly(request)
    next_path = safe_next(request.query_params.get("next"))
    if signed_in is not None:
        return RedirectResponse(next_path, 303)
    return _login_form(request, next_path, "", 200)


def _login_form(request: Request, next_path: str, problem: str, status: int) -> Response:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    providers = services_of(request).oidc.providers.values()
    buttons = "".join(
        f'<p><a class="button" href="/login/oidc/{_e(p.name)}?next={_e(quote(next_path))}">'
        f"Sign in with {_e(p.label)}</a></p>"
        for p in providers
    )
    alert = f'<p class="error" role="alert">{_e(problem)}</p>' if problem else ""
    body = (
        f"<h1>Sign in</h1>{alert}"
        f'<form method="post" action="/login?next={_e(quote(next_path))}">'
        f'<input type="hidden" name="csrf" value="{_e(token)}">'
        '<p><label>User name <input name="name" autocomplete="username" required></label></p>'
        '<p><label>Password <input name="password" type="password" '
        'autocomplete="current-password" required></label></p>'
        '<p><button type="submit">Sign in</button></p></form>'
        f"{buttons}"
    )
    response = HTMLResponse(render_page("Sign in", body), status, headers=_NO_STORE)
    response.set_cookie(
        FORM_COOKIE, token, httponly=True, samesite="strict", secure=is_tls(request), path="/"
    )
    return response


async def login_submit(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    services = services_of(request)
    try:
        form = await read_form(request)
        expected = request.cookies.get(FORM_COOKIE, "")
        if not same_secret(form.get("csrf"), expected):
            raise ApiError(403, "csrf_failed", "The form expired. Please sign in again.")
        name = form.get("name", "").strip()
        for bucket, key, rule in (
            ("login-ip", client_ip(request), services.limits.login_per_ip),
            ("login-user", f"{name}\0{client_ip(request)}", services.limits.login_per_user),
        ):
            wait = services.limiter.hit(bucket, key, rule)
            if wait is not None:
                raise rate_limited(wait)
        user = await services.accounts.check_password(name, form.get("password", ""))
    except SyncoxideError as error:
        failure = from_syncoxide(error)
        log.info("sign-in refused: %s", failure.code)
        return _login_form(request, next_path, failure.message, failure.status)
    except ApiError as error:
        log.info("sign-in refused: %s", error.code)
        response = _login_form(request, next_path, error.message, error.status)
        for name_, value in (error.headers or {}).items():
            response.headers[name_] = value
        return response
    return await _signed_in_redirect(request, user, next_path)


async def _signed_in_redirect(request: Request, user: User, next_path: str) -> Response:
    cookie, _ = await services_of(request).accounts.start_session(user)
    response = RedirectResponse(next_path, 303, headers=_NO_STORE)
    set_session_cookie(response, request, cookie)
    response.delete_cookie(FORM_COOKIE, path="/")
    return response


async def logout(request: Request) -> Response:
    signed_in = await _who_quietly(request)
    response = RedirectResponse("/login", 303, headers=_NO_STORE)
    if signed_in is None:
        return response
    try:
        check_csrf("POST", signed_in, (await read_form(request)).get("csrf"))
    except ApiError as error:
        return _error_page(error)
    services = services_of(request)
    await services.accounts.end_session(signed_in)
    await services.notifier.emit(signed_in.user.id, "session.ended", {}, services.clock())
    clear_session_cookie(response, request)
    return response


# OIDC


def _callback_url(request: Request, provider: str) -> str:
    return str(request.url_for("oidc_callback", provider=provider))


async def oidc_begin(request: Request) -> Response:
    name = request.path_params["provider"]
    services = services_of(request)
    try:
        url, state = await services.oidc.begin(
            name,
            _callback_url(request, name),
            safe_next(request.query_params.get("next")),
            services.clock(),
        )
    except ApiError as error:
        return _error_page(error)
    response = RedirectResponse(url, 303, headers=_NO_STORE)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=LOGIN_TTL_SECONDS,
        httponly=True,
        samesite="lax",
        secure=is_tls(request),
        path="/login/oidc",
    )
    return response


async def oidc_callback(request: Request) -> Response:
    name = request.path_params["provider"]
    services = services_of(request)
    try:
        provider, claims, next_path = await services.oidc.finish(
            name,
            dict(request.query_params),
            request.cookies.get(STATE_COOKIE),
            _callback_url(request, name),
            services.clock(),
        )
        user = await user_for_claims(services.store, provider, claims, services.clock())
    except ApiError as error:
        log.info("OIDC sign-in refused: %s", error.code)
        response = _error_page(error)
    else:
        response = await _signed_in_redirect(request, user, next_path)
    response.delete_cookie(STATE_COOKIE, path="/login/oidc")
    return response


# who you are, tokens


async def account_page(request: Request) -> Response:
    signed_in = await _who_quietly(request)
    if signed_in is None or signed_in.via != "session":
        return RedirectResponse("/login?next=/account", 303)
    return await _render_account(request, signed_in, None, 200)


async def _render_account(
    request: Request, signed_in: SignedIn, new_token: str | None, status: int
) -> Response:
    user, csrf = signed_in.user, _e(signed_in.csrf_token)
    tokens = await services_of(request).accounts.tokens(user)
    shown = (
        '<section class="new-token" role="status"><h2>Your new token</h2>'
        f'<p><code id="new-token">{_e(new_token)}</code></p>'
        "<p>Copy it now: it is shown only this once.</p></section>"
        if new_token
        else ""
    )
    body = (
        f"<h1>Signed in as {_e(user.display_name)}</h1>"
        f'<p>User name: <strong id="user-name">{_e(user.name)}</strong></p>'
        '<p><a href="/">Go to your home</a></p>'
        f'<form method="post" action="/logout"><input type="hidden" name="csrf" value="{csrf}">'
        '<button type="submit">Sign out</button></form>'
        f"{shown}<h2>API tokens</h2>{_token_table(tokens, csrf)}"
        f'<form method="post" action="/account/tokens">'
        f'<input type="hidden" name="csrf" value="{csrf}">'
        '<label>Label <input name="label" maxlength="100" required></label> '
        '<button type="submit">Create token</button></form>'
    )
    return HTMLResponse(render_page("Account", body), status, headers=_NO_STORE)


def _token_table(tokens: Sequence[ApiToken], csrf: str) -> str:
    if not tokens:
        return "<p>No tokens yet.</p>"
    rows = []
    for token in tokens:
        action = (
            "revoked"
            if token.revoked_at
            else f'<form method="post" action="/account/tokens/{token.id}/revoke">'
            f'<input type="hidden" name="csrf" value="{csrf}">'
            '<button type="submit">Revoke</button></form>'
        )
        rows.append(
            f"<tr><td>{_e(token.label)}</td><td><code>{_e(token.prefix)}…</code></td>"
            f"<td>{action}</td></tr>"
        )
    return (
        '<table class="tokens"><tr><th>Label</th><th>Starts with</th><th></th></tr>'
        + "".join(rows)
        + "</table>"
    )


async def create_token_form(request: Request) -> Response:
    signed_in = await _who_quietly(request)
    if signed_in is None or signed_in.via != "session":
        return RedirectResponse("/login?next=/account", 303)
    services = services_of(request)
    try:
        form = await read_form(request)
        check_csrf("POST", signed_in, form.get("csrf"))
        for bucket, key, rule in (
            ("tokens-ip", client_ip(request), services.limits.tokens_per_ip),
            ("tokens-user", signed_in.user.name, services.limits.tokens_per_user),
        ):
            wait = services.limiter.hit(bucket, key, rule)
            if wait is not None:
                raise rate_limited(wait)
    except ApiError as error:
        return _error_page(error)
    secret, record = await services.accounts.create_token(signed_in.user, form.get("label", ""))
    await services.notifier.emit(
        signed_in.user.id,
        "token.created",
        {"id": record.id, "label": record.label},
        services.clock(),
    )
    return await _render_account(request, signed_in, secret, 201)


async def revoke_token_form(request: Request) -> Response:
    signed_in = await _who_quietly(request)
    if signed_in is None or signed_in.via != "session":
        return RedirectResponse("/login?next=/account", 303)
    services = services_of(request)
    token_id = request.path_params["token_id"]
    try:
        if not is_storable_id(token_id):
            raise ApiError(404, "not_found", "You have no token with this id.")
        check_csrf("POST", signed_in, (await read_form(request)).get("csrf"))
        await services.accounts.revoke_token(signed_in.user, token_id)
    except ApiError as error:
        return _error_page(error)
    except SyncoxideError as error:
        return _error_page(from_syncoxide(error))
    await services.notifier.emit(
        signed_in.user.id, "token.revoked", {"id": token_id}, services.clock()
    )
    return RedirectResponse("/account", 303)


async def _who_quietly(request: Request) -> SignedIn | None:
    """Pages treat a bad or revoked credential like none at all: show the sign-in page."""
    try:
        return await who(request)
    except ApiError:
        return None


def _error_page(error: ApiError) -> Response:
    body = (
        f'<h1>That did not work</h1><p role="alert">{_e(error.message)}</p>'
        '<p><a href="/login">Back to sign in</a> · <a href="/account">Your account</a></p>'
    )
    return HTMLResponse(
        render_page("Error", body), error.status, headers={**_NO_STORE, **(error.headers or {})}
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login_page, methods=["GET", "HEAD"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/login/oidc/{provider}", oidc_begin, methods=["GET"]),
        Route(
            "/login/oidc/{provider}/callback", oidc_callback, methods=["GET"], name="oidc_callback"
        ),
        Route("/account", account_page, methods=["GET", "HEAD"]),
        Route("/account/tokens", create_token_form, methods=["POST"]),
        Route("/account/tokens/{token_id:int}/revoke", revoke_token_form, methods=["POST"]),
    ]
