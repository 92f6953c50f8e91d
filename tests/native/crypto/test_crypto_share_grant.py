"""Share keys wrapped to account keys (SYNCOXK v1), account keys, and a share's keyring."""

import json
import os
from typing import Any

import pytest

from syncoxide.crypto import share_grant
from syncoxide.crypto.account_key import fingerprint, new_account_key, unlock_account_key
from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_folder import ShareKeys, generation_of, open_keys
from syncoxide.crypto.share_grant import Grant, make_grant, open_grant, parse_grant, parse_keyring
from syncoxide.errors import (
    ForeignFormatError,
    PermissionDeniedError,
    TamperedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
    WrongKeyError,
    WrongPasswordError,
)
from syncoxide.system import SystemRandom
from tests.core.crypto.vectors import VECTORS, load_cases
from tests.native.crypto import reference_share_grant
from tests.native.crypto.scripted import BACKEND, ScriptedRandom, run

RANDOM = SystemRandom()
CHEAP = Argon2Params(memory_kib=64, iterations=1)
RING = b"ring-id!"


def new_private() -> SecretBytes:
    return SecretBytes(os.urandom(32))


def public(private: SecretBytes) -> bytes:
    return run(BACKEND.x25519_public(private))


def grant_to(
    recipient: SecretBytes, sender: SecretBytes, key: SecretBytes, generation: int = 1
) -> Grant:
    return run(
        make_grant(
            BACKEND,
            RANDOM,
            ring_id=RING,
            generation=generation,
            share_key=key,
            sender_private=sender,
            recipient_public=public(recipient),
        )
    )


def test_vectors_on_disk_are_what_the_independent_reference_computes() -> None:
    on_disk = json.loads((VECTORS / reference_share_grant.FILENAME).read_text("utf-8"))
    assert on_disk == json.loads(json.dumps({"cases": reference_share_grant.cases()}))


@pytest.mark.parametrize("case", load_cases("share_grant_v1.json"), ids=lambda c: c["label"])
def test_grants_are_byte_exact_and_open(case: dict[str, Any]) -> None:
    sender = SecretBytes(bytes.fromhex(case["sender_private"]))
    made = run(
        make_grant(
            BACKEND,
            ScriptedRandom(bytes.fromhex(case["ephemeral_private"])),
            ring_id=bytes.fromhex(case["ring_id"]),
            generation=case["generation"],
            share_key=SecretBytes(bytes.fromhex(case["share_key"])),
            sender_private=sender,
            recipient_public=bytes.fromhex(case["recipient_public"]),
        )
    )
    assert made.encode().hex() == case["expected"]
    assert len(made.encode()) == share_grant.GRANT_SIZE
    parsed = parse_grant(bytes.fromhex(case["expected"]))
    opened = run(
        open_grant(
            BACKEND,
            parsed,
            recipient_private=SecretBytes(bytes.fromhex(case["recipient_private"])),
            sender_public=public(sender),
        )
    )
    assert opened.reveal().hex() == case["share_key"]


def test_only_the_recipient_opens_a_grant_and_only_from_the_named_sender() -> None:
    owner, bob, carol = new_private(), new_private(), new_private()
    key = SecretBytes(os.urandom(32))
    grant = grant_to(bob, owner, key)
    assert key.reveal() not in grant.encode()
    assert (
        run(open_grant(BACKEND, grant, recipient_private=bob, sender_public=public(owner))) == key
    )
    with pytest.raises(WrongKeyError, match="different account key"):
        run(open_grant(BACKEND, grant, recipient_private=carol, sender_public=public(owner)))
    with pytest.raises(WrongKeyError, match="not made by the share's owner"):
        run(open_grant(BACKEND, grant, recipient_private=bob, sender_public=public(carol)))


def test_a_grant_forged_under_the_owners_name_is_refused() -> None:
    """Someone without the owner's private key (the server) cannot wrap a key as the owner."""
    owner, bob, server = new_private(), new_private(), new_private()
    forged = grant_to(bob, server, SecretBytes(os.urandom(32)))
    relabelled = Grant(
        forged.ring_id,
        forged.generation,
        share_grant.party_id(public(owner)),  # claims to come from the owner
        forged.recipient_id,
        forged.ephemeral,
        forged.wrapped,
    )
    with pytest.raises(TamperedDataError, match="failed authentication"):
        run(open_grant(BACKEND, relabelled, recipient_private=bob, sender_public=public(owner)))


@pytest.mark.parametrize("position", [8, 16, 19, 30, 40, 70, 115])
def test_a_flipped_bit_anywhere_in_a_grant_is_caught(position: int) -> None:
    owner, bob = new_private(), new_private()
    damaged = bytearray(grant_to(bob, owner, SecretBytes(os.urandom(32))).encode())
    damaged[position] ^= 1
    with pytest.raises((TamperedDataError, WrongKeyError)):
        run(
            open_grant(
                BACKEND,
                parse_grant(bytes(damaged)),
                recipient_private=bob,
                sender_public=public(owner),
            )
        )


def test_malformed_keyrings_say_what_is_wrong() -> None:
    good = grant_to(new_private(), new_private(), SecretBytes(os.urandom(32))).encode()
    with pytest.raises(TruncatedDataError):
        parse_keyring(good[:-1])
    with pytest.raises(TruncatedDataError):
        parse_keyring(b"")
    with pytest.raises(ForeignFormatError):
        parse_keyring(b"x" * share_grant.GRANT_SIZE)
    with pytest.raises(UnsupportedVersionError):
        parse_keyring(good[:7] + b"\x09" + good[8:])
    other_ring = good[:8] + b"another!" + good[16:]
    with pytest.raises(TamperedDataError, match="different shares"):
        parse_keyring(good + other_ring)


def test_a_revoked_member_holds_no_key_for_the_new_generation() -> None:
    owner, bob, carol = new_private(), new_private(), new_private()
    first, second = SecretBytes(os.urandom(32)), SecretBytes(os.urandom(32))
    ring = [grant_to(m, owner, first, 1) for m in (owner, bob, carol)]
    ring += [grant_to(m, owner, second, 2) for m in (owner, bob)]  # carol was revoked
    grants = parse_keyring(share_grant.encode_keyring(ring))
    bobs = run(open_keys(BACKEND, grants, my_private=bob, owner_public=public(owner)))
    assert bobs.current() == (2, second)
    carols = run(open_keys(BACKEND, grants, my_private=carol, owner_public=public(owner)))
    assert carols.key(1) == first
    with pytest.raises(PermissionDeniedError, match="removed from this share"):
        carols.current()
    with pytest.raises(PermissionDeniedError, match="generation 2"):
        carols.key(2)
    stranger = new_private()
    with pytest.raises(PermissionDeniedError, match="no key for your account key"):
        run(open_keys(BACKEND, grants, my_private=stranger, owner_public=public(owner)))


def test_a_members_grant_under_their_own_name_is_passed_over() -> None:
    """A read-write member may write the keyring; a grant they sign does not count."""
    owner, bob, carol = new_private(), new_private(), new_private()
    real = SecretBytes(os.urandom(32))
    ring = [grant_to(carol, bob, SecretBytes(os.urandom(32)), 1), grant_to(carol, owner, real, 1)]
    keys = run(open_keys(BACKEND, ring, my_private=carol, owner_public=public(owner)))
    assert keys.key(1) == real


def test_paths_are_encrypted_per_generation_and_come_back() -> None:
    keys = ShareKeys({1: SecretBytes(os.urandom(32)), 2: SecretBytes(os.urandom(32))}, 2, RING)
    one = run(keys.stored_path(BACKEND, 1, "Plans/budget 2027.ods"))
    two = run(keys.stored_path(BACKEND, 2, "Plans/budget 2027.ods"))
    assert one.startswith("g1/") and two.startswith("g2/") and one[3:] != two[3:]
    assert "budget" not in one + two and "Plans" not in one + two
    assert run(keys.plain_path(BACKEND, two)) == "Plans/budget 2027.ods"
    assert [generation_of(p) for p in (one, "g12/x", ".syncoxide-keyring", "gx/a", "g3")] == [
        1,
        12,
        None,
        None,
        None,
    ]


def test_account_keys_unlock_with_the_passphrase_only() -> None:
    passphrase = SecretBytes(b"correct horse")
    public_key, vault, private = run(new_account_key(BACKEND, RANDOM, passphrase, CHEAP))
    assert private.reveal() not in vault and len(vault) == 100
    assert run(unlock_account_key(BACKEND, public_key, vault, passphrase)) == private
    with pytest.raises(WrongPasswordError, match="password is wrong"):
        run(unlock_account_key(BACKEND, public_key, vault, SecretBytes(b"wrong horse")))
    other_public = public(new_private())
    with pytest.raises(TamperedDataError, match="does not match"):
        run(unlock_account_key(BACKEND, other_public, vault, passphrase))


def test_fingerprints_are_short_stable_and_differ_per_key() -> None:
    key = bytes(range(32))
    assert fingerprint(key) == fingerprint(key)
    assert len(fingerprint(key).split()) == 8 and all(len(g) == 4 for g in fingerprint(key).split())
    assert fingerprint(key) != fingerprint(bytes(31) + b"\x01")
