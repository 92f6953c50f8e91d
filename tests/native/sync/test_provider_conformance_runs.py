import asyncio
import os
from pathlib import Path

import pytest

from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.providers.contract import Provider, chunks_of
from syncoxide.providers.memory import MemoryProvider
from syncoxide.testing.provider_conformance import (
    CHECKS,
    check_listed_files_are_whole,
    run_conformance,
)


def _local_factory(base: Path):
    counter = iter(range(10_000))

    async def make() -> Provider:
        root = base / f"root{next(counter)}"
        root.mkdir()
        return LocalProvider(root)

    return make


async def _memory() -> Provider:
    return MemoryProvider(page_size=2)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_memory_provider_conforms(check) -> None:
    asyncio.run(check(_memory))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_local_provider_conforms(check, tmp_path: Path) -> None:
    asyncio.run(check(_local_factory(tmp_path)))


def test_run_conformance_reports_a_broken_provider(tmp_path: Path) -> None:
    class ForgetsMtime(MemoryProvider):
        async def set_mtime(self, path: str, mtime_ns: int) -> None:
            return None

    async def make() -> Provider:
        return ForgetsMtime()

    failures = asyncio.run(run_conformance(make))
    assert any("check_mtime_and_hashes" in failure for failure in failures)


def test_a_provider_that_lists_files_half_written_cannot_claim_whole_listings() -> None:
    class WritesInPlace(MemoryProvider):
        """Stores each chunk as it comes, under the final name (as an SFTP upload does)."""

        async def write(self, path, chunks, **options):  # type: ignore[no-untyped-def]
            got = b""
            async for chunk in chunks:
                got += chunk
                await super().write(path, chunks_of(got), mtime_ns=options.get("mtime_ns"))
            return await self.stat(path)

    async def honest() -> Provider:
        return WritesInPlace()

    async def claims() -> Provider:
        store = WritesInPlace()
        store.pretend(lists_whole_files=True)
        return store

    async def whole_memory() -> Provider:
        store = MemoryProvider()
        store.pretend(lists_whole_files=True)
        return store

    asyncio.run(check_listed_files_are_whole(honest))  # no claim, nothing to check
    asyncio.run(check_listed_files_are_whole(whole_memory))
    with pytest.raises(AssertionError, match="before its write finished"):
        asyncio.run(check_listed_files_are_whole(claims))


def test_local_provider_reports_symlinks_without_following(tmp_path: Path) -> None:
    (tmp_path / "target.txt").write_text("t")
    os.symlink("target.txt", tmp_path / "link")
    os.symlink("/nonexistent", tmp_path / "dangling")

    async def listing():
        provider = LocalProvider(tmp_path)
        return {e.path: e async for page in provider.list_tree() for e in page}

    tree = asyncio.run(listing())
    assert tree["link"].kind.value == "symlink" and tree["link"].link_target == "target.txt"
    assert tree["dangling"].kind.value == "symlink"


def test_local_listing_matches_stat_in_nested_folders(tmp_path: Path) -> None:
    """A folder is listed through its descriptor: every entry, a symbolic link's target in a
    subfolder too, is what ``stat`` of its path says."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "file.txt").write_text("deep")
    (tmp_path / "a" / ".sxpart-half").write_text("partial")
    os.symlink("../top.txt", tmp_path / "a" / "b" / "up")
    (tmp_path / "top.txt").write_text("top")

    async def both() -> tuple[list, list]:
        provider = LocalProvider(tmp_path)
        listed = [e async for page in provider.list_tree() for e in page]
        return listed, [await provider.stat(e.path) for e in listed]

    listed, stated = asyncio.run(both())
    assert {e.path for e in listed} == {
        "a",
        "a/b",
        "a/b/file.txt",
        "a/.sxpart-half",
        "a/b/up",
        "top.txt",
    }
    for entry, again in zip(listed, stated, strict=True):
        assert vars(entry) == vars(again), entry.path
    by_path = {e.path: e for e in listed}
    assert by_path["a/b/up"].link_target == "../top.txt"
    assert by_path["a/.sxpart-half"].kind.value == "partial"
    assert by_path["a/b/file.txt"].file_id != ""
