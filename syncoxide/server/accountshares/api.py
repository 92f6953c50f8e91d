"""API operations for account-to-account shares, under ``/account-shares``.

(``/shares`` are share links.) Each operation takes the caller's id, so a share of two other
accounts answers 404 exactly like one that does not exist; owner-only and recipient-only
steps answer 403 to the other party.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from syncoxide.server.accountshares.service import AccountShareService
from syncoxide.server.accountshares.store import READ_ONLY, READ_WRITE
from syncoxide.server.api.spec import BOOL, INT, NULL_INT, STR, Call, Operation, obj
from syncoxide.server.services import services_of

_PLACE = {"type": "string", "minLength": 1, "maxLength": 1100}
_SHARE = obj(
    ("id", "role", "owner", "recipient", "name", "access", "state", "created_at"),
    id=INT,
    role={"type": "string", "enum": ["owner", "recipient"]},
    owner=STR,
    recipient=STR,
    name=STR,
    place={"type": ["string", "null"]},
    access={"type": "string", "enum": [READ_ONLY, READ_WRITE]},
    state=STR,
    expires_at=NULL_INT,
    created_at=INT,
    answered_at=NULL_INT,
    sync_status=STR,
    sync_message=STR,
    last_sync_at=NULL_INT,
)


def shares_of(connection: HTTPConnection) -> AccountShareService:
    service: AccountShareService = connection.app.state.account_shares
    return service


def _id(call: Call) -> int:
    value: int = call.request.path_params["account_share_id"]
    return value


def _base_url(call: Call) -> str:
    return services_of(call.request).mailer.public_url(str(call.request.base_url))


async def list_account_shares(call: Call) -> dict[str, Any]:
    return {"shares": await shares_of(call.request).list_json(call.user)}


async def create_account_share(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    share = await service.invite(call.user, call.json, _base_url(call))
    return await service.as_json(call.user, share)


async def get_account_share(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    return await service.as_json(call.user, await service.visible(call.user, _id(call)))


async def accept_account_share(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    share = await service.accept(call.user, _id(call), call.json.get("place"))
    return await service.as_json(call.user, share)


async def decline_account_share(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    return await service.as_json(call.user, await service.decline(call.user, _id(call)))


async def revoke_account_share(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    return await service.as_json(call.user, await service.revoke(call.user, _id(call)))


async def leave_account_share(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    return await service.as_json(call.user, await service.leave(call.user, _id(call)))


async def sync_account_share(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    return await service.as_json(call.user, await service.sync_now(call.user, _id(call)))


_ONE = "/account-shares/{account_share_id:int}"

ACCOUNT_SHARE_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/account-shares",
        list_account_shares,
        "Shares with other accounts: yours (role owner) and Shared with me (role recipient)",
        answer=obj(("shares",), shares={"type": "array", "items": _SHARE}),
    ),
    Operation(
        "POST",
        "/account-shares",
        create_account_share,
        "Invite another account (by name or address) to a folder of yours (PROVIDER:path)",
        body=obj(
            ("to", "place"),
            to={"type": "string", "minLength": 1, "maxLength": 254},
            place=_PLACE,
            read_only=BOOL,
            expires_in={"type": "integer", "minimum": 60, "maximum": 10 * 365 * 86400},
        ),
        answer=_SHARE,
        status=201,
    ),
    Operation(
        "GET", _ONE, get_account_share, "One share you own or were invited to", answer=_SHARE
    ),
    Operation(
        "POST",
        _ONE + "/accept",
        accept_account_share,
        "Accept an invitation into a folder of yours (default home:Shared/NAME)",
        body=obj((), place=_PLACE),
        answer=_SHARE,
    ),
    Operation(
        "POST", _ONE + "/decline", decline_account_share, "Decline an invitation", answer=_SHARE
    ),
    Operation(
        "POST",
        _ONE + "/revoke",
        revoke_account_share,
        "Stop sharing (owner); the recipient's copy stays theirs",
        answer=_SHARE,
    ),
    Operation(
        "POST",
        _ONE + "/leave",
        leave_account_share,
        "Leave a share you accepted; your copy stays",
        answer=_SHARE,
    ),
    Operation(
        "POST",
        _ONE + "/sync",
        sync_account_share,
        "Bring the two places in step now",
        answer=_SHARE,
        status=202,
    ),
)
