"""Trash and versions of the server's own files: restored byte for byte, nothing lost on the
way, kept as long as retention says (with the clock set: day 29 kept, day 31 gone)."""

from __future__ import annotations

import asyncio

import pytest

from syncoxide.catalog.retention import DAY
from syncoxide.errors import NotFoundError, UsageError
from tests.server.catalog.catalog_world import ALICE, CatalogWorld


def test_an_overwrite_keeps_the_old_version_and_restoring_it_keeps_the_newer(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        await world.put("report.txt", b"first draft")
        world.clock.now += 60
        await world.put("report.txt", b"second draft")
        [old] = await world.recovery.versions(ALICE, "report.txt")
        await world.recovery.restore_version(ALICE, old.id)
        assert await world.content("report.txt") == b"first draft"
        [newer] = await world.recovery.versions(ALICE, "report.txt")
        await world.recovery.restore_version(ALICE, newer.id)
        assert await world.content("report.txt") == b"second draft"
        [recent] = await world.catalog.recent(ALICE, 1)
        assert (recent.entry.path, recent.action) == ("report.txt", "restored")
        await world.index_matches_listing()

    asyncio.run(run())


def test_a_deleted_folder_comes_back_whole_and_byte_for_byte(world: CatalogWorld) -> None:
    files = {"album/a.jpg": b"\x00jpeg" * 1000, "album/sub/b.txt": b"bee", "album/sub/c": b""}

    async def run() -> None:
        for path, data in files.items():
            await world.put(path, data)
        world.files.mkdir(ALICE, "album/empty")
        await world.files.delete(ALICE, "album", recursive=True)
        assert await world.catalog.search(ALICE, "bee", 10) == []
        [trashed] = await world.recovery.trashed(ALICE)  # the folder once, not each file
        assert (trashed.entry.path, trashed.entry.kind) == ("album", "dir")
        await world.recovery.restore_trashed(ALICE, trashed.id)
        for path, data in files.items():
            assert await world.content(path) == data
        assert world.files.entry(ALICE, "album/empty").kind == "dir"
        assert await world.recovery.trashed(ALICE) == []
        await world.index_matches_listing()

    asyncio.run(run())


def test_restoring_over_a_newer_file_keeps_the_newer_one_as_a_version(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        await world.put("notes.md", b"yesterday")
        await world.files.delete(ALICE, "notes.md", recursive=False)
        await world.put("notes.md", b"today")
        [trashed] = await world.recovery.trashed(ALICE)
        await world.recovery.restore_trashed(ALICE, trashed.id)
        assert await world.content("notes.md") == b"yesterday"
        [kept] = await world.recovery.versions(ALICE, "notes.md")
        await world.recovery.restore_version(ALICE, kept.id)
        assert await world.content("notes.md") == b"today"

    asyncio.run(run())


def test_a_restore_that_cannot_fit_changes_nothing(world: CatalogWorld) -> None:
    async def run() -> None:
        await world.put("x/file.txt", b"1")
        await world.files.delete(ALICE, "x", recursive=True)
        await world.put("x", b"a file named like the folder")
        [trashed] = await world.recovery.trashed(ALICE)
        with pytest.raises(UsageError):
            await world.recovery.restore_trashed(ALICE, trashed.id)
        assert await world.content("x") == b"a file named like the folder"
        assert len(await world.recovery.trashed(ALICE)) == 1
        restored = await world.recovery.restore_trashed(ALICE, trashed.id, "x-restored")
        assert restored.path == "x-restored"
        assert await world.content("x-restored/file.txt") == b"1"
        with pytest.raises(NotFoundError):
            await world.recovery.restore_trashed(ALICE, trashed.id)
        with pytest.raises(UsageError):
            await world.recovery.versions(ALICE, "../etc/passwd")
        with pytest.raises(UsageError):
            await world.recovery.restore_trashed(ALICE, trashed.id, "../out")

    asyncio.run(run())


def test_retention_keeps_day_29_drops_day_31_and_keeps_what_is_marked_forever(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        start = world.clock.now
        for name in ("old", "recent", "forever"):
            await world.put(f"{name}.txt", name.encode())
        world.clock.now = start + 2 * DAY
        for name in ("old", "recent", "forever"):
            await world.put(f"{name}.txt", b"new " + name.encode())  # each keeps a version
        await world.files.delete(ALICE, "old.txt", recursive=False)
        await world.files.delete(ALICE, "forever.txt", recursive=False)
        [forever_bin] = [
            t for t in await world.recovery.trashed(ALICE) if "forever" in t.entry.path
        ]
        world.recovery.keep_forever(ALICE, forever_bin.id, True)
        for version in await world.recovery.versions(ALICE, "forever.txt"):
            world.recovery.keep_forever(ALICE, version.id, True)

        world.clock.now = start + 2 * DAY + 29 * DAY
        assert len(await world.recovery.trashed(ALICE)) == 2
        assert len(await world.recovery.versions(ALICE, "recent.txt")) == 1  # 31 days old: gone
        world.clock.now = start + 2 * DAY + 31 * DAY
        assert [t.entry.path for t in await world.recovery.trashed(ALICE)] == ["forever.txt"]
        assert len(await world.recovery.versions(ALICE, "forever.txt")) == 1
        blobs = {i.entry.blob_key for i in world.recovery.history.all_of(ALICE)}
        assert len(blobs) == 2  # the freed blobs are gone from the blob store too
        assert await world.files.blobs.size(next(iter(blobs))) is not None

    asyncio.run(run())
