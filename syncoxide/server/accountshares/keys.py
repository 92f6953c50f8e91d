"""Account keys for encrypted shares: what the server keeps, and who may see which key.

The server stores each account's X25519 public key and the passphrase vault around its private
half, made on the user's device (``syncoxide.crypto.account_key``). It checks their shape and
nothing else: it cannot open the vault. A user reads back their own vault (to unlock it on
another device); the other party of a share sees only the public key and its fingerprint,
through that share, so a third account learns nothing, not even whether a key exists.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from syncoxide.crypto.account_key import check_public_key, fingerprint
from syncoxide.crypto.vault import parse_vault
from syncoxide.errors import (
    AlreadyExistsError,
    FormatError,
    IntegrityError,
    NotFoundError,
    UsageError,
)
from syncoxide.server.accountshares.store import AccountKey, AccountShare, AccountShareStore
from syncoxide.server.storage.port import User


def _decoded(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise UsageError(f"The {what} is not base64.", hint="Nothing was stored.") from None


def checked_key(body: dict[str, Any], now: int) -> AccountKey:
    """The key in a PUT body, or a 400 saying what is wrong with it."""
    public = _decoded(body["public_key"], "public key")
    vault = _decoded(body["vault"], "vault")
    try:
        check_public_key(public)
        parse_vault(vault)
    except (FormatError, IntegrityError) as error:  # a bad shape is the caller's: 400
        raise UsageError(error.message, hint="Nothing was stored.") from None
    return AccountKey(public, vault, now)


def store_key(store: AccountShareStore, user: User, body: dict[str, Any], now: int) -> AccountKey:
    key = checked_key(body, now)
    if store.key_of(user.id) is not None and not body.get("replace"):
        raise AlreadyExistsError(
            "Your account already has a key.",
            hint="Nothing was changed. Replacing it (replace: true) leaves encrypted shares "
            "made for the old key unreadable to you until their owners share them again.",
        )
    store.set_key(user.id, key)
    return key


def own_key(store: AccountShareStore, user: User) -> AccountKey:
    key = store.key_of(user.id)
    if key is None:
        raise NotFoundError(
            "Your account has no key for encrypted shares yet.",
            hint="Make one on your device with `syncoxide keys create`.",
        )
    return key


def public_json(name: str, key: AccountKey | None) -> dict[str, Any] | None:
    if key is None:
        return None
    return {
        "name": name,
        "public_key": base64.b64encode(key.public_key).decode(),
        "fingerprint": fingerprint(key.public_key),
    }


def own_json(user: User, key: AccountKey) -> dict[str, Any]:
    return {
        **(public_json(user.name, key) or {}),
        "vault": base64.b64encode(key.vault).decode(),
        "created_at": key.created_at,
    }


def require_keys(store: AccountShareStore, owner: User, recipient: User) -> None:
    """An encrypted share needs both keys before anything is sealed."""
    if store.key_of(owner.id) is None:
        raise UsageError(
            "Your account has no key for encrypted shares yet.",
            hint="Make one with `syncoxide keys create`; nothing was shared.",
        )
    if store.key_of(recipient.id) is None:
        raise UsageError(
            f"{recipient.name} has no key for encrypted shares yet.",
            hint="Ask them to run `syncoxide keys create`, then share again; nothing was shared.",
        )


def share_keys_json(
    store: AccountShareStore, share: AccountShare, names: dict[int, str]
) -> dict[str, Any]:
    return {
        "owner": public_json(names[share.owner_id], store.key_of(share.owner_id)),
        "recipient": public_json(names[share.recipient_id], store.key_of(share.recipient_id)),
    }
