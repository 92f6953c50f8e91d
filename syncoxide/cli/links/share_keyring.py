"""The keyring of an encrypted account share, as the owner's device keeps it.

Before every write the owner's CLI brings the keyring in line with the server's list of this
folder's active shares: a member invited since gets every generation the owner holds (they may
read what is there); a member who is gone (revoked, or left) while still holding the newest
generation makes a new one, wrapped to the members left. So the share key rotates whether the
revocation came from ``syncoxide shares revoke``, the app or the API: the next owner write
seals under a key the one gone never had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syncoxide.cli.account_keys import their_key
from syncoxide.cli.login import call_api
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes
from syncoxide.crypto.share_folder import ShareKeys, open_keys
from syncoxide.crypto.share_grant import RING_ID_SIZE, Grant, make_grant, party_id
from syncoxide.native.crypto import account_share
from syncoxide.native.crypto.account_share import BACKEND
from syncoxide.providers.contract import Provider
from syncoxide.system import SystemRandom

BASE = "/account-shares"
_ACTIVE = ("invited", "accepted")


@dataclass(frozen=True)
class Member:
    """Who this device acts as in one share, unlocked."""

    server: str
    token: str
    share: dict[str, Any]
    public: bytes
    private: SecretBytes
    owner_public: bytes


async def keys_as_owner(member: Member, provider: Provider) -> ShareKeys:
    """The share keys, the keyring first brought in line with the folder's active members."""
    grants = await account_share.read_keyring(provider) or []
    before = len(grants)
    members = active_members(member)
    if not grants or _someone_gone(grants, members):
        ring = grants[0].ring_id if grants else SystemRandom().token_bytes(RING_ID_SIZE)
        grants = await _new_generation(member, members, grants, ring)
    keys = await open_keys(BACKEND, grants, my_private=member.private, owner_public=member.public)
    for public in members:
        if not _holds(grants, public, keys.newest):  # invited since: every generation held
            for generation, key in sorted(keys.keys.items()):
                grants.append(await _grant(member, keys.ring_id, generation, key, public=public))
    if len(grants) != before:
        await account_share.write_keyring(provider, grants)
    return keys


def _holds(grants: list[Grant], public: bytes, generation: int) -> bool:
    wanted = party_id(public)
    return any(g.recipient_id == wanted and g.generation == generation for g in grants)


def _someone_gone(grants: list[Grant], members: list[bytes]) -> bool:
    """True when the newest share key is held by someone no longer a member."""
    newest = max(g.generation for g in grants)
    holders = {g.recipient_id for g in grants if g.generation == newest}
    return bool(holders - {party_id(public) for public in members})


def active_members(member: Member) -> list[bytes]:
    """The owner, and every account an active encrypted share of this same folder goes to."""
    listed = call_api(member.server, member.token, "GET", BASE)["shares"]
    publics = [member.public]
    for share in listed:
        same_place = share["role"] == "owner" and share["place"] == member.share["place"]
        if same_place and share.get("encrypted") and share["state"] in _ACTIVE:
            keys = call_api(member.server, member.token, "GET", f"{BASE}/{share['id']}/keys")
            publics.append(their_key(member.server, keys["recipient"], "recipient"))
    return list(dict.fromkeys(publics))


async def _grant(
    member: Member, ring_id: bytes, generation: int, key: SecretBytes, *, public: bytes
) -> Grant:
    return await make_grant(
        BACKEND,
        SystemRandom(),
        ring_id=ring_id,
        generation=generation,
        share_key=key,
        sender_private=member.private,
        recipient_public=public,
    )


async def _new_generation(
    member: Member, members: list[bytes], grants: list[Grant], ring_id: bytes
) -> list[Grant]:
    """``grants`` plus a fresh share key, one generation past theirs, for ``members`` only."""
    generation = max((g.generation for g in grants), default=0) + 1
    key = SecretBytes(SystemRandom().token_bytes(KEY_SIZE))
    return grants + [await _grant(member, ring_id, generation, key, public=m) for m in members]
