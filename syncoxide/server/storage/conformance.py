"""Checks every storage backend must pass; importable without pytest.

A backend test supplies fresh, empty stores and runs each check in ``METADATA_CHECKS`` and
``BLOB_CHECKS`` (see ``tests/server/files/test_storage_conformance.py``). A check raises
``AssertionError`` with a message saying which promise of the port was broken.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from syncoxide.errors import NotFoundError, UsageError
from syncoxide.providers.contract import chunks_of
from syncoxide.server.storage.port import (
    BlobStore,
    DuplicateError,
    MetadataStore,
    PendingLogin,
    Session,
)

NOW = 1_800_000_000


async def users_are_unique_by_name(store: MetadataStore) -> None:
    alice = await store.create_user("alice", "Alice", "hash", NOW)
    assert (await store.user_by_name("alice")) == alice
    assert (await store.user_by_id(alice.id)) == alice
    try:
        await store.create_user("alice", "Other", None, NOW)
    except DuplicateError:
        pass
    else:
        raise AssertionError("a second user named alice was accepted")
    assert await store.user_by_name("nobody") is None
    await store.set_password_hash(alice.id, "other-hash")
    changed = await store.user_by_id(alice.id)
    assert changed is not None
    assert changed.password_hash == "other-hash"  # noqa: S105 - a stand-in, not a secret


async def identities_map_to_one_user(store: MetadataStore) -> None:
    bob = await store.create_user("bob", "Bob", None, NOW)
    await store.link_identity("https://issuer", "sub-1", bob.id)
    assert (await store.user_by_identity("https://issuer", "sub-1")) == bob
    assert await store.user_by_identity("https://other", "sub-1") is None
    try:
        await store.link_identity("https://issuer", "sub-1", bob.id)
    except DuplicateError:
        return
    raise AssertionError("one identity was linked twice")


async def tokens_are_found_by_hash_and_revoked_per_user(store: MetadataStore) -> None:
    carol = await store.create_user("carol", "Carol", None, NOW)
    dave = await store.create_user("dave", "Dave", None, NOW)
    token = await store.add_token(
        carol.id, b"h" * 32, "laptop", prefix="sxo_abcd", now=NOW, expires_at=None
    )
    assert (await store.token_by_hash(b"h" * 32)) == token
    assert (await store.token_and_owner(b"h" * 32)) == (token, carol)
    assert await store.token_and_owner(b"x" * 32) is None
    assert await store.token_by_hash(b"x" * 32) is None
    assert [t.id for t in await store.tokens_of(carol.id)] == [token.id]
    assert await store.tokens_of(dave.id) == []
    assert not await store.revoke_token(dave.id, token.id, NOW), "revoked another user's token"
    assert await store.revoke_token(carol.id, token.id, NOW + 1)
    assert not await store.revoke_token(carol.id, token.id, NOW + 2), "revoked twice"
    revoked = await store.token_by_hash(b"h" * 32)
    assert revoked is not None and revoked.revoked_at == NOW + 1
    await store.touch_token(token.id, NOW + 5)
    touched = await store.token_by_hash(b"h" * 32)
    assert touched is not None and touched.last_used_at == NOW + 5


async def sessions_expire_and_end(store: MetadataStore) -> None:
    erin = await store.create_user("erin", "Erin", None, NOW)
    session = Session(erin.id, "csrf", NOW, NOW, NOW + 10)
    await store.add_session(b"s" * 32, session)
    assert (await store.session_by_hash(b"s" * 32)) == session
    await store.touch_session(b"s" * 32, NOW + 3)
    touched = await store.session_by_hash(b"s" * 32)
    assert touched is not None and touched.last_seen_at == NOW + 3
    assert await store.delete_expired_sessions(NOW + 5) == 0
    assert await store.delete_expired_sessions(NOW + 10) == 1
    assert await store.session_by_hash(b"s" * 32) is None
    await store.add_session(b"t" * 32, session)
    await store.delete_session(b"t" * 32)
    assert await store.session_by_hash(b"t" * 32) is None


async def pending_logins_are_taken_once(store: MetadataStore) -> None:
    login = PendingLogin("mock", "nonce", "verifier", "/", NOW)
    await store.put_pending_login("state-1", login)
    assert (await store.take_pending_login("state-1")) == login
    assert await store.take_pending_login("state-1") is None
    assert await store.take_pending_login("never") is None


async def events_are_ordered_per_user(store: MetadataStore) -> None:
    fay = await store.create_user("fay", "Fay", None, NOW)
    gus = await store.create_user("gus", "Gus", None, NOW)
    first = await store.append_event(fay.id, "a", {"n": 1}, NOW)
    await store.append_event(gus.id, "b", {"n": 2}, NOW)
    third = await store.append_event(fay.id, "c", {"n": [3, "x"]}, NOW)
    assert first.id < third.id
    assert [e.kind for e in await store.events_after(fay.id, 0, 10)] == ["a", "c"]
    assert [e.payload for e in await store.events_after(fay.id, first.id, 10)] == [{"n": [3, "x"]}]
    assert len(await store.events_after(fay.id, 0, 1)) == 1
    assert [e.kind for e in await store.events_after(gus.id, 0, 10)] == ["b"]


async def _read_all(blobs: BlobStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in blobs.read(key)])


async def blobs_round_trip_and_replace(blobs: BlobStore) -> None:
    assert await blobs.put("u1/a.bin", chunks_of(b"hello ", b"world")) == 11
    assert await _read_all(blobs, "u1/a.bin") == b"hello world"
    assert await blobs.size("u1/a.bin") == 11
    await blobs.put("u1/a.bin", chunks_of(b"new"))
    assert await _read_all(blobs, "u1/a.bin") == b"new"
    big = bytes(range(256)) * 1024
    await blobs.put("u1/big", chunks_of(big))
    assert await _read_all(blobs, "u1/big") == big
    ranged = b"".join([c async for c in blobs.read("u1/big", 1000, start=5, length=2500)])
    assert ranged == big[5:2505]
    assert await blobs.keys("u1/") == ["u1/a.bin", "u1/big"]


async def empty_blobs_read_as_nothing(blobs: BlobStore) -> None:
    """An empty file is a blob like any other: whole, from its end, and as a range of none."""
    assert await blobs.put("u1/empty", chunks_of()) == 0
    assert await blobs.size("u1/empty") == 0
    assert await _read_all(blobs, "u1/empty") == b""
    assert b"".join([c async for c in blobs.read("u1/empty", start=0, length=0)]) == b""
    await blobs.put("u1/three", chunks_of(b"abc"))
    assert b"".join([c async for c in blobs.read("u1/three", start=3)]) == b""


async def blobs_delete_and_missing(blobs: BlobStore) -> None:
    await blobs.put("k", chunks_of(b"x"))
    assert await blobs.delete("k")
    assert not await blobs.delete("k")
    assert await blobs.size("k") is None
    try:
        await _read_all(blobs, "k")
    except NotFoundError:
        pass
    else:
        raise AssertionError("reading a deleted blob did not raise NotFoundError")


async def failed_put_leaves_nothing(blobs: BlobStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"partial"
        raise OSError("connection cut")

    with contextlib.suppress(OSError):
        await blobs.put("cut", broken())
    assert await blobs.size("cut") is None
    assert await blobs.keys("") == [], "a failed upload left something behind"


async def blob_keys_cannot_escape(blobs: BlobStore) -> None:
    for key in ("../x", "/abs", "a//b", "", ".hidden", "a/../../b"):
        try:
            await blobs.put(key, chunks_of(b"x"))
        except UsageError:
            continue
        raise AssertionError(f"blob key {key!r} was accepted")


async def adopted_file_becomes_the_blob(blobs: BlobStore) -> None:
    with tempfile.TemporaryDirectory() as folder:
        finished = Path(folder) / "upload.bin"
        finished.write_bytes(b"finished upload")
        assert await blobs.adopt("up/one", finished) == 15
        assert not finished.exists(), "the adopted file was left in its old place"
    assert await _read_all(blobs, "up/one") == b"finished upload"


MetadataCheck = Callable[[MetadataStore], Awaitable[None]]
BlobCheck = Callable[[BlobStore], Awaitable[None]]

METADATA_CHECKS: tuple[MetadataCheck, ...] = (
    users_are_unique_by_name,
    identities_map_to_one_user,
    tokens_are_found_by_hash_and_revoked_per_user,
    sessions_expire_and_end,
    pending_logins_are_taken_once,
    events_are_ordered_per_user,
)
BLOB_CHECKS: tuple[BlobCheck, ...] = (
    empty_blobs_read_as_nothing,
    blobs_round_trip_and_replace,
    blobs_delete_and_missing,
    failed_put_leaves_nothing,
    adopted_file_becomes_the_blob,
    blob_keys_cannot_escape,
)
