"""What each API operation does; thin on purpose: the work happens in the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from syncoxide.errors import InvalidInputError
from syncoxide.server.accounts.auth import (
    clear_session_cookie,
    client_ip,
    services_of,
    set_session_cookie,
)
from syncoxide.server.accounts.service import SignedIn
from syncoxide.server.api.errors import ApiError, rate_limited
from syncoxide.server.events.service import event_json
from syncoxide.server.inputs import whole_number
from syncoxide.server.storage.port import ApiToken, User


@dataclass(frozen=True)
class Call:
    request: Request
    signed_in: SignedIn | None
    body: dict[str, Any] | None

    @property
    def user(self) -> User:
        assert self.signed_in is not None  # the wrapper checked the operation's needs
        return self.signed_in.user

    @property
    def json(self) -> dict[str, Any]:
        return self.body or {}


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


def limit(call: Call, kind: str, user_key: str) -> None:
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
        wait = services.limiter.hit(bucket, key, rule)
        if wait is not None:
            raise rate_limited(wait)


async def me(call: Call) -> dict[str, Any]:
    assert call.signed_in is not None
    answer = {"user": user_json(call.user), "via": call.signed_in.via}
    if call.signed_in.csrf_token:  # the app's own pages need it for their unsafe requests
        answer["csrf_token"] = call.signed_in.csrf_token
    return answer


async def change_password(call: Call) -> None:
    limit(call, "login", call.user.name)
    accounts = services_of(call.request).accounts
    await accounts.check_password(call.user.name, call.json["current_password"])
    await accounts.set_password(call.user, call.json["new_password"])


async def sign_in(call: Call) -> Response:
    name = call.json["name"]
    limit(call, "login", name)
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
    limit(call, "tokens", call.user.name)
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


def _int_query(call: Call, name: str, default: int, low: int, high: int) -> int:
    raw = call.request.query_params.get(name)
    if raw is None:
        return default
    try:
        return whole_number(raw, f"'{name}'", low=low, high=high)
    except InvalidInputError as error:
        raise ApiError(400, "bad_query", error.message) from None


async def list_events(call: Call) -> dict[str, Any]:
    after = _int_query(call, "after", 0, 0, 2**62)
    count = _int_query(call, "limit", 100, 1, 500)
    store = services_of(call.request).store
    events = await store.events_after(call.user.id, after, count)
    return {
        "events": [event_json(e) for e in events],
        "last_id": events[-1].id if events else after,
    }


async def sign_in_providers(call: Call) -> dict[str, Any]:
    providers = services_of(call.request).oidc.providers.values()
    return {
        "password": True,
        "providers": [{"name": p.name, "label": p.label} for p in providers],
    }


async def cli_login_token(call: Call) -> dict[str, Any]:
    limit(call, "tokens", "cli-login")
    services = services_of(call.request)
    token = services.cli_codes.redeem(call.json["code"], call.json["verifier"], services.clock())
    if token is None:
        raise ApiError(
            400,
            "code_rejected",
            "This code is unknown, used or expired. Run `syncoxide login` again.",
        )
    return {"token": token}
