"""A refresh of a connection writes exactly the difference between its index and a fresh
listing, on SQLite and on PostgreSQL: no change, removal or rename missed, nothing unchanged
written again (an unchanged entry keeps its id, which ``/f/<id>`` links name).

Keys are compared as the provider spells them: two names differing only in case, or only in
Unicode normalisation (NFC "café" and NFD "café"), are two entries, as they are two objects
on a case-sensitive store."""

from __future__ import annotations

import asyncio
import itertools
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry, Fingerprint
from syncoxide.catalog.refresh import RefreshReport, listed_entries, refresh_source
from syncoxide.providers.memory import MemoryProvider
from tests.server.catalog.catalog_world import ALICE, CatalogWorld

SOURCE = "nas"
NFC, NFD = unicodedata.normalize("NFC", "café.txt"), unicodedata.normalize("NFD", "café.txt")
_sources = itertools.count()


async def refreshed(world: CatalogWorld, provider: MemoryProvider, source: str = SOURCE) -> Report:
    report = await refresh_source(world.store, ALICE, source, provider, now=1)
    listed = await listed_entries(source, provider, "")
    indexed = await world.store.fingerprints(ALICE, source)
    assert indexed == {entry.path: entry.fingerprint for entry in listed}
    return Report(report, await ids(world, source))


class Report:
    def __init__(self, report: RefreshReport, ids: dict[str, int]) -> None:
        self.written = (report.upserts, report.removals)
        self.ids = ids


async def ids(world: CatalogWorld, source: str) -> dict[str, int]:
    indexed = await world.store.fingerprints(ALICE, source)
    found = {path: await world.store.entry(ALICE, source, path) for path in indexed}
    return {path: entry.id for path, entry in found.items() if entry is not None}


def test_a_file_rewritten_to_the_same_size_with_another_mtime_is_written(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        provider = MemoryProvider()
        provider.put("a/same.txt", b"12345", mtime_ns=10)
        provider.put("a/kept.txt", b"12345", mtime_ns=10)
        first = await refreshed(world, provider)
        provider.put("a/same.txt", b"54321", mtime_ns=11)
        again = await refreshed(world, provider)
        assert again.written == (1, 0)
        assert again.ids == first.ids  # rewritten in place, not removed and added
        assert (await refreshed(world, provider)).written == (0, 0)

    asyncio.run(run())


def test_a_key_removed_and_another_added_in_one_refresh_are_both_seen(
    world: CatalogWorld,
) -> None:
    """A rename as a listing shows it: the same size and mtime under a new key."""

    async def run() -> None:
        provider = MemoryProvider()
        provider.put("docs/old name.pdf", b"x" * 40, mtime_ns=7)
        provider.put("docs/other.pdf", b"y", mtime_ns=7)
        first = await refreshed(world, provider)
        await provider.move("docs/old name.pdf", "docs/new name.pdf")
        again = await refreshed(world, provider)
        assert again.written == (1, 1)
        assert again.ids["docs/other.pdf"] == first.ids["docs/other.pdf"]
        assert "docs/old name.pdf" not in again.ids

    asyncio.run(run())


def test_keys_differing_only_in_case_or_normalisation_are_entries_apart(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        provider = MemoryProvider()
        for name in ("Photo.jpg", "photo.jpg", "PHOTO.JPG", NFC, NFD):
            provider.put(f"pics/{name}", b"same", mtime_ns=5)
        first = await refreshed(world, provider)
        assert len(first.ids) == 6  # the folder and five files
        await provider.delete("pics/photo.jpg")
        provider.put("pics/Photo.jpg", b"same", mtime_ns=6)
        await provider.delete(f"pics/{NFD}")
        again = await refreshed(world, provider)
        assert again.written == (1, 2)
        kept = ("pics", "pics/PHOTO.JPG", f"pics/{NFC}", "pics/Photo.jpg")
        assert again.ids == {path: first.ids[path] for path in kept}

    asyncio.run(run())


def test_a_rename_changing_only_case_or_normalisation_is_a_removal_and_an_addition(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        provider = MemoryProvider()
        provider.put("report.pdf", b"same", mtime_ns=5)
        provider.put(NFC, b"same", mtime_ns=5)
        await refreshed(world, provider)
        await provider.move("report.pdf", "Report.pdf")
        await provider.move(NFC, NFD)
        again = await refreshed(world, provider)
        assert again.written == (2, 2)
        assert sorted(again.ids) == sorted([NFD, "Report.pdf"])

    asyncio.run(run())


def test_a_listing_without_digests_keeps_the_digest_the_index_learnt(world: CatalogWorld) -> None:
    """Until the file changes: then the listing's word (no digest) is what the index keeps."""

    async def run() -> None:
        provider = MemoryProvider()
        provider.put("song.mp3", b"abc", mtime_ns=3)
        learnt = CatalogEntry(SOURCE, "song.mp3", size=3, mtime_ns=3, content_hash="sha1:aa")
        await world.store.apply(ALICE, SOURCE, IndexChanges(upserts=(learnt,)))
        report = await refresh_source(world.store, ALICE, SOURCE, provider, now=1)
        assert (report.upserts, report.removals) == (0, 0)
        assert await fingerprint(world, "song.mp3") == ("file", 3, 3, "sha1:aa")
        provider.put("song.mp3", b"abd", mtime_ns=4)
        await refreshed(world, provider)
        assert await fingerprint(world, "song.mp3") == ("file", 3, 4, "")

    asyncio.run(run())


def test_a_file_replaced_by_a_folder_of_its_name_is_written(world: CatalogWorld) -> None:
    async def run() -> None:
        provider = MemoryProvider()
        provider.put("thing", b"", mtime_ns=0)
        first = await refreshed(world, provider)
        await provider.delete("thing")
        provider.put("thing/inside.txt", b"1", mtime_ns=0)
        again = await refreshed(world, provider)
        assert again.written == (2, 0)
        assert again.ids["thing"] == first.ids["thing"]
        assert await fingerprint(world, "thing") == ("dir", 0, 0, "")

    asyncio.run(run())


async def fingerprint(world: CatalogWorld, path: str) -> Fingerprint:
    return (await world.store.fingerprints(ALICE, SOURCE))[path]


NAMES = st.sampled_from(["a.txt", "A.txt", NFC, NFD, "b/c.txt", "b/C.txt", "b/d/e.txt", "f"])
EDITS = st.lists(
    st.tuples(st.sampled_from(["put", "delete", "touch"]), NAMES, st.integers(0, 2)),
    max_size=8,
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rounds=st.lists(EDITS, min_size=1, max_size=4))
def test_refreshes_after_random_edits_write_exactly_what_changed(
    world: CatalogWorld, rounds: list[list[tuple[str, str, int]]]
) -> None:
    """Each example indexes a source of its own in one world (a new database per example
    would be slow on PostgreSQL)."""
    source = f"mem{next(_sources)}"

    async def run() -> None:
        provider = MemoryProvider()
        before = await refreshed(world, provider, source)
        for edits in rounds:
            listed = await listing(provider)
            for op, name, value in edits:
                await edit(provider, op, name, value)
            now = await listing(provider)
            after = await refreshed(world, provider, source)
            changed = {p for p, fp in now.items() if listed.get(p) != fp}
            assert after.written == (len(changed), len(listed.keys() - now.keys()))
            untouched = now.keys() - changed
            assert {p: after.ids[p] for p in untouched} == {p: before.ids[p] for p in untouched}
            before = after

    asyncio.run(run())


async def listing(provider: MemoryProvider) -> dict[str, Fingerprint]:
    return {e.path: e.fingerprint for e in await listed_entries(source="", provider=provider,
                                                                 owner="")}  # fmt: skip


async def edit(provider: MemoryProvider, op: str, name: str, value: int) -> None:
    if op == "put" and name not in provider.directories():
        provider.put(name, b"x" * value, mtime_ns=value)
    elif op == "touch" and name in provider.snapshot():
        await provider.set_mtime(name, 100 + value)
    elif op == "delete" and name in provider.snapshot():
        await provider.delete(name)
