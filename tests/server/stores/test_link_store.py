"""Share and request links keep the same promises on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses

from syncoxide.server.links.store import Link, LinkFile, LinkStore
from syncoxide.server.storage.database import Database
from tests.server.stores.conftest import add_user


def _link(link_id: str, user_id: int, **changes: object) -> Link:
    link = Link(
        id=link_id, kind="share", user_id=user_id, title="Holiday", message="", created_at=10,
        expires_at=None, allow_late=False, max_downloads=None, downloads=0,
        last_download_at=None, password_hash=None, access_secret="", revoked_at=None,
        max_total_bytes=None, max_files=None, allowed_types="",
    )  # fmt: skip
    return dataclasses.replace(link, **changes)


def _file(link_id: str, path: str, size: int, late: bool = False) -> LinkFile:
    return LinkFile(0, link_id, path, size, 0xFFFFFFFF, "ab" * 32, f"blob-{path}", late, 20)


def test_links_round_trip_and_count_downloads(database: Database) -> None:
    store = LinkStore(database)
    alice, bob = add_user(database, "alice"), add_user(database, "bob")

    async def body() -> None:
        share = _link("s1", alice, max_downloads=2, allow_late=True, encrypted=True)
        await store.add(share)
        await store.add(_link("r1", alice, kind="request", created_at=11))
        await store.add(_link("s2", bob))
        assert await store.get("s1") == share
        assert await store.get("nope") is None
        assert [link.id for link in await store.of_user(alice, "share")] == ["s1"]
        assert [link.id for link in await store.of_user(alice, "request")] == ["r1"]
        assert await store.count_download("s1", 30)
        assert await store.count_download("s1", 31)
        assert not await store.count_download("s1", 32), "a third download past the limit"
        counted = await store.get("s1")
        assert counted is not None and (counted.downloads, counted.last_download_at) == (2, 31)
        await store.revoke("s2", 40)
        await store.revoke("s2", 41)  # the first revocation's time stays
        revoked = await store.get("s2")
        assert revoked is not None and revoked.revoked_at == 40

    asyncio.run(body())


def test_link_files_sum_per_link_and_per_user(database: Database) -> None:
    store = LinkStore(database)
    alice = add_user(database, "alice")

    async def body() -> None:
        await store.add(_link("s1", alice))
        await store.add(_link("r1", alice, kind="request"))
        first = await store.add_file(_file("s1", "b/photo.jpg", 5))
        second = await store.add_file(_file("s1", "a.txt", 7, late=True))
        await store.add_file(_file("r1", "c.bin", 100))
        assert first.id != second.id and first.id > 0
        assert [f.path for f in await store.files("s1")] == ["a.txt", "b/photo.jpg"]
        assert await store.file("s1", second.id) == second
        assert await store.file("r1", second.id) is None, "a file found through another link"
        assert store.has_path("s1", "a.txt") and not store.has_path("r1", "a.txt")
        assert await store.totals("s1") == (2, 12)
        assert await store.totals("empty") == (0, 0)
        assert await store.bytes_of_user(alice) == 112
        await store.remove_file("s1", first.id)
        assert await store.totals("s1") == (1, 7)

    asyncio.run(body())
