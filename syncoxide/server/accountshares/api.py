"""API operations for account-to-account shares, under ``/account-shares``.

(``/shares`` are share links.) Each operation takes the caller's id, so a share of two other
accounts answers 404 exactly like one that does not exist; owner-only and recipient-only
steps answer 403 to the other party.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from syncoxide.server.accountshares.keys import own_json, own_key, store_key
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
    encrypted=BOOL,
)
_BASE64_KEY = {"type": "string", "minLength": 44, "maxLength": 44}
_PUBLIC_KEY = obj(("name", "public_key", "fingerprint"), name=STR, public_key=STR, fingerprint=STR)
_NULL_PUBLIC_KEY = {"anyOf": [_PUBLIC_KEY, {"type": "null"}]}
_OWN_KEY = obj(
    ("name", "public_key", "fingerprint", "vault", "created_at"),
    name=STR,
    public_key=STR,
    fingerprint=STR,
    vault=STR,
    created_at=INT,
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


async def account_share_keys(call: Call) -> dict[str, Any]:
    return await shares_of(call.request).keys_json(call.user, _id(call))


async def get_account_key(call: Call) -> dict[str, Any]:
    return own_json(call.user, own_key(shares_of(call.request).store, call.user))


async def put_account_key(call: Call) -> dict[str, Any]:
    service = shares_of(call.request)
    return own_json(call.user, store_key(service.store, call.user, call.json, service.clock()))


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
            encrypted=BOOL,
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
        "GET",
        _ONE + "/keys",
        account_share_keys,
        "Both parties' public keys and fingerprints (null: no key yet), to seal and to verify",
        answer=obj(("owner", "recipient"), owner=_NULL_PUBLIC_KEY, recipient=_NULL_PUBLIC_KEY),
    ),
    Operation(
        "GET",
        "/account-key",
        get_account_key,
        "Your key for encrypted shares: public half, fingerprint, and the passphrase vault",
        answer=_OWN_KEY,
    ),
    Operation(
        "PUT",
        "/account-key",
        put_account_key,
        "Store the key made on your device (the private half only inside its vault)",
        body=obj(
            ("public_key", "vault"),
            public_key=_BASE64_KEY,
            vault={"type": "string", "minLength": 4, "maxLength": 400},
            replace=BOOL,
        ),
        answer=_OWN_KEY,
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
