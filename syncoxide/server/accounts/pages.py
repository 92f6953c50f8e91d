"""Server-rendered pages for signing in and out and for managing API tokens.

They work without JavaScript so signing in never waits for Pyodide. Every form carries a CSRF
token: before sign-in a random value also set as a cookie (double submit, so a cross-site
page cannot sign a browser in to an attacker's account), after sign-in the session's own.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.errors import SyncoxideError
from syncoxide.server.accounts.auth import (
    clear_session_cookie,
    session_in_browser,
    set_session_cookie,
    to_sign_in,
    who,
)
from syncoxide.server.accounts.oidc import LOGIN_TTL_SECONDS, STATE_COOKIE, user_for_claims
from syncoxide.server.api.errors import ApiError, from_syncoxide, log, rate_limited
from syncoxide.server.api.identity import SignedIn, check_csrf
from syncoxide.server.http.connection import client_ip, is_tls
from syncoxide.server.http.forms import read_form, safe_next
from syncoxide.server.inputs import is_storable_id, same_secret
from syncoxide.server.pages.templates import render_page
from syncoxide.server.services import services_of
from syncoxide.server.storage.port import User

FORM_COOKIE = "sxo_form"
_NO_STORE = {"Cache-Control": "no-store"}


# sign in


async def login_page(request: Request) -> Response:
    signed_in = await _who_quietly(request)
    next_path = safe_next(request.query_params.get("next"))
    if signed_in is not None:
        return RedirectResponse(next_path, 303)
    return _login_form(request, next_path, "", 200)


def _login_form(request: Request, next_path: str, problem: str, status: int) -> Response:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    context = {
        "title": "Sign in",
        "problem": problem,
        "next_path": next_path,
        "csrf": token,
        "providers": list(services_of(request).oidc.providers.values()),
    }
    response = render_page(request, "accounts/login.html", context, status=status)
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
            wait = await services.limiter.hit(bucket, key, rule)
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
        return _error_page(request, error)
    services = services_of(request)
    await services.accounts.end_session(signed_in)
    await services.notifier.emit(signed_in.user.id, "session.ended", {}, services.clock())
    clear_session_cookie(response, request)
    return response


async def end_every_session(request: Request) -> Response:
    """ "Sign out everywhere" in Settings: every browser session of the account ends, this one
    too; API tokens (the command line's sign-ins) keep working and are revoked one by one."""
    signed_in = await _who_quietly(request)
    response = RedirectResponse("/login", 303, headers=_NO_STORE)
    if signed_in is None:
        return response
    try:
        check_csrf("POST", signed_in, (await read_form(request)).get("csrf"))
    except ApiError as error:
        return _error_page(request, error)
    services = services_of(request)
    await services.accounts.end_every_session(signed_in.user)
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
        return _error_page(request, error)
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
            redirect_uri=_callback_url(request, name),
            now=services.clock(),
        )
        user = await user_for_claims(services.store, provider, claims, services.clock())
    except ApiError as error:
        log.info("OIDC sign-in refused: %s", error.code)
        response = _error_page(request, error)
    else:
        response = await _signed_in_redirect(request, user, next_path)
    response.delete_cookie(STATE_COOKIE, path="/login/oidc")
    return response


# who you are, tokens


async def account_page(request: Request) -> Response:
    signed_in = await session_in_browser(request)
    if signed_in is None:
        return to_sign_in("/account")
    return await _render_account(request, signed_in, None, 200)


async def _render_account(
    request: Request, signed_in: SignedIn, new_token: str | None, status: int
) -> Response:
    context = {
        "title": "Account",
        "user": signed_in.user,
        "csrf": signed_in.csrf_token or "",
        "new_token": new_token,
        "tokens": await services_of(request).accounts.tokens(signed_in.user),
    }
    return render_page(request, "accounts/account.html", context, status=status)


async def create_token_form(request: Request) -> Response:
    signed_in = await session_in_browser(request)
    if signed_in is None:
        return to_sign_in("/account")
    services = services_of(request)
    try:
        form = await read_form(request)
        check_csrf("POST", signed_in, form.get("csrf"))
        for bucket, key, rule in (
            ("tokens-ip", client_ip(request), services.limits.tokens_per_ip),
            ("tokens-user", signed_in.user.name, services.limits.tokens_per_user),
        ):
            wait = await services.limiter.hit(bucket, key, rule)
            if wait is not None:
                raise rate_limited(wait)
    except ApiError as error:
        return _error_page(request, error)
    secret, record = await services.accounts.create_token(signed_in.user, form.get("label", ""))
    await services.notifier.emit(
        signed_in.user.id,
        "token.created",
        {"id": record.id, "label": record.label},
        services.clock(),
    )
    return await _render_account(request, signed_in, secret, 201)


async def revoke_token_form(request: Request) -> Response:
    signed_in = await session_in_browser(request)
    if signed_in is None:
        return to_sign_in("/account")
    services = services_of(request)
    token_id = request.path_params["token_id"]
    try:
        if not is_storable_id(token_id):
            raise ApiError(404, "not_found", "You have no token with this id.")
        check_csrf("POST", signed_in, (await read_form(request)).get("csrf"))
        await services.accounts.revoke_token(signed_in.user, token_id)
    except ApiError as error:
        return _error_page(request, error)
    except SyncoxideError as error:
        return _error_page(request, from_syncoxide(error))
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


def _error_page(request: Request, error: ApiError) -> Response:
    return problem_page(request, error, way_back=True)


def problem_page(request: Request, error: ApiError, *, way_back: bool) -> Response:
    """What went wrong, in the account pages' frame; ``way_back`` adds links to start again."""
    context = {"title": "Error", "message": error.message, "way_back": way_back}
    return render_page(
        request, "accounts/problem.html", context, status=error.status, headers=error.headers
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login_page, methods=["GET", "HEAD"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/account/sessions/end", end_every_session, methods=["POST"]),
        Route("/login/oidc/{provider}", oidc_begin, methods=["GET"]),
        Route(
            "/login/oidc/{provider}/callback", oidc_callback, methods=["GET"], name="oidc_callback"
        ),
        Route("/account", account_page, methods=["GET", "HEAD"]),
        Route("/account/tokens", create_token_form, methods=["POST"]),
        Route("/account/tokens/{token_id:int}/revoke", revoke_token_form, methods=["POST"]),
    ]
