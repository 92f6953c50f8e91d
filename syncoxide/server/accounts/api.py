"""API operations for who the caller is, signing in and out, and API tokens.

Thin on purpose: the work happens in the accounts service. ``server.composition.api_table``
joins this table to the other features', and ``api.routing`` routes and describes them all.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from syncoxide.safe_names import without_bidi_controls
from syncoxide.server.accounts.auth import clear_session_cookie, set_session_cookie
from syncoxide.server.accounts.cli_codes import (
    REQUEST_TTL_SECONDS,
    SignInRequest,
    new_user_code,
)
from syncoxide.server.api.errors import ApiError, rate_limited
from syncoxide.server.api.spec import INT, NULL_INT, STR, Call, Operation, obj
from syncoxide.server.http.connection import client_ip
from syncoxide.server.services import services_of
from syncoxide.server.storage.port import ApiToken, User


def user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "display_name": user.display_name}


def token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "label": token.label,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "expires_at": token.expires_at,
    }


async def limit(call: Call, kind: str, user_key: str) -> None:
    """Count an attempt against the client's IP and the (account, IP) pair; 429 when over
    either. Never the account alone: a stranger's wrong guesses must not lock its owner out."""
    services = services_of(call.request)
    limits = services.limits
    per_ip, per_user = getattr(limits, f"{kind}_per_ip"), getattr(limits, f"{kind}_per_user")
    address = client_ip(call.request)
    for bucket, key, rule in (
        (f"{kind}-ip", address, per_ip),
        (f"{kind}-user", f"{user_key}\0{address}", per_user),
    ):
        wait = await services.limiter.hit(bucket, key, rule)
        if wait is not None:
            raise rate_limited(wait)


async def me(call: Call) -> dict[str, Any]:
    assert call.signed_in is not None
    answer = {"user": user_json(call.user), "via": call.signed_in.via}
    if call.signed_in.csrf_token:  # the app's own pages need it for their unsafe requests
        answer["csrf_token"] = call.signed_in.csrf_token
    return answer


async def change_password(call: Call) -> None:
    await limit(call, "login", call.user.name)
    accounts = services_of(call.request).accounts
    await accounts.check_password(call.user.name, call.json["current_password"])
    assert call.signed_in is not None
    await accounts.set_password(
        call.user, call.json["new_password"], keep_session=call.signed_in.session_hash
    )


async def sign_in(call: Call) -> Response:
    name = call.json["name"]
    await limit(call, "login", name)
    services = services_of(call.request)
    user = await services.accounts.check_password(name, call.json["password"])
    cookie, session = await services.accounts.start_session(user)
    response = JSONResponse(
        {"user": user_json(user), "csrf_token": session.csrf_token},
        headers={"Cache-Control": "no-store"},
    )
    set_session_cookie(response, call.request, cookie)
    return response


async def sign_out(call: Call) -> Response:
    assert call.signed_in is not None
    if call.signed_in.via != "session":
        raise ApiError(400, "not_a_session", "Tokens are revoked, not signed out.")
    services = services_of(call.request)
    await services.accounts.end_session(call.signed_in)
    await services.notifier.emit(call.user.id, "session.ended", {}, services.clock())
    response = Response(status_code=204)
    clear_session_cookie(response, call.request)
    return response


async def list_tokens(call: Call) -> dict[str, Any]:
    tokens = await services_of(call.request).accounts.tokens(call.user)
    return {"tokens": [token_json(t) for t in tokens]}


async def create_token(call: Call) -> dict[str, Any]:
    await limit(call, "tokens", call.user.name)
    services = services_of(call.request)
    days = call.json.get("expires_in_days")
    secret, record = await services.accounts.create_token(
        call.user, call.json.get("label", ""), days * 86400 if days else None
    )
    await services.notifier.emit(
        call.user.id, "token.created", {"id": record.id, "label": record.label}, services.clock()
    )
    return {"token": secret, "record": token_json(record)}


async def revoke_token(call: Call) -> None:
    services = services_of(call.request)
    token_id = call.request.path_params["token_id"]
    await services.accounts.revoke_token(call.user, token_id)
    await services.notifier.emit(call.user.id, "token.revoked", {"id": token_id}, services.clock())


async def sign_in_providers(call: Call) -> dict[str, Any]:
    providers = services_of(call.request).oidc.providers.values()
    return {
        "password": True,
        "providers": [{"name": p.name, "label": p.label} for p in providers],
    }


async def cli_login_start(call: Call) -> dict[str, Any]:
    await limit(call, "tokens", "cli-login-start")
    services = services_of(call.request)
    port = call.json.get("port", 0)
    if port != 0 and not 1024 <= port <= 65535:
        raise ApiError(400, "bad_port", "port is 0 (show a code to paste) or from 1024 to 65535.")
    device = " ".join(without_bidi_controls(call.json.get("device", "")).split())[:64]
    asked = SignInRequest(
        challenge=call.json["challenge"],
        port=port,
        device=device or "a device with no name",
        address=client_ip(call.request),
        asked_at=services.clock(),
        user_code=new_user_code(),
    )
    request_id = await services.cli_codes.ask(asked, services.clock())
    return {
        "request": request_id,
        "user_code": asked.user_code,
        "approve_url": f"/cli-login?request={request_id}",
        "expires_in": REQUEST_TTL_SECONDS,
    }


async def cli_login_token(call: Call) -> dict[str, Any]:
    await limit(call, "tokens", "cli-login")
    services = services_of(call.request)
    token = await services.cli_codes.redeem(
        call.json["code"], call.json["verifier"], services.clock()
    )
    if token is None:
        raise ApiError(
            400,
            "code_rejected",
            "This code is unknown, used or expired. Run `syncoxide login` again.",
        )
    return {"token": token}


_USER = obj(("id", "name", "display_name"), id=INT, name=STR, display_name=STR)
_TOKEN = obj(
    ("id", "label", "prefix", "created_at"),
    id=INT,
    label=STR,
    prefix=STR,
    created_at=INT,
    last_used_at=NULL_INT,
    revoked_at=NULL_INT,
    expires_at=NULL_INT,
)

ACCOUNT_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/me",
        me,
        "Who the caller is (and, for a browser session, its CSRF token)",
        answer=obj(("user", "via"), user=_USER, via=STR, csrf_token=STR),
    ),
    Operation(
        "PUT",
        "/me/password",
        change_password,
        "Change the local password",
        body=obj(
            ("current_password", "new_password"),
            current_password={"type": "string", "maxLength": 1024},
            new_password={"type": "string", "minLength": 8, "maxLength": 1024},
        ),
        status=204,
    ),
    Operation(
        "POST",
        "/session",
        sign_in,
        "Sign in with a local password (sets the cookie)",
        signed_in=False,
        body=obj(
            ("name", "password"),
            name={"type": "string", "maxLength": 63},
            password={"type": "string", "maxLength": 1024},
        ),
        answer=obj(("user", "csrf_token"), user=_USER, csrf_token=STR),
    ),
    Operation("DELETE", "/session", sign_out, "Sign out of this browser session", status=204),
    Operation(
        "GET",
        "/tokens",
        list_tokens,
        "The caller's API tokens",
        answer=obj(("tokens",), tokens={"type": "array", "items": _TOKEN}),
    ),
    Operation(
        "POST",
        "/tokens",
        create_token,
        "Create an API token (shown once)",
        body=obj(
            (),
            label={"type": "string", "maxLength": 100},
            expires_in_days={"type": "integer", "minimum": 1, "maximum": 3650},
        ),
        answer=obj(("token", "record"), token=STR, record=_TOKEN),
        status=201,
    ),
    Operation("DELETE", "/tokens/{token_id:int}", revoke_token, "Revoke an API token", status=204),
    Operation(
        "POST",
        "/cli-login/start",
        cli_login_start,
        "Ask to sign in a command line: its device and challenge; a user code to compare",
        signed_in=False,
        body=obj(
            ("challenge",),
            challenge={"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"},
            port={"type": "integer", "minimum": 0, "maximum": 65535},
            device={"type": "string", "maxLength": 200},
        ),
        answer=obj(
            ("request", "user_code", "approve_url", "expires_in"),
            request=STR,
            user_code=STR,
            approve_url=STR,
            expires_in=INT,
        ),
    ),
    Operation(
        "POST",
        "/cli-login/token",
        cli_login_token,
        "Swap a `syncoxide login` code and its verifier for the token",
        signed_in=False,
        body=obj(
            ("code", "verifier"),
            code={"type": "string", "maxLength": 200},
            verifier={"type": "string", "maxLength": 200},
        ),
        answer=obj(("token",), token=STR),
    ),
    Operation(
        "GET",
        "/auth/providers",
        sign_in_providers,
        "Ways to sign in",
        signed_in=False,
        answer=obj(
            ("password", "providers"),
            password={"type": "boolean"},
            providers={"type": "array", "items": obj(("name", "label"), name=STR, label=STR)},
        ),
    ),
)
