"""The prefix-parallel listing: every key once, on rclone serve s3 and moto, whatever the tree's
shape (root files, one deep folder that must be split, odd names, empty-folder markers, keys
that cannot be paths); pruned folders are never asked for; a failure ends the listing."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from syncoxide.errors import AuthenticationError
from syncoxide.native.providers.s3.lean_list import ListedObject, ListPage, PageAsk
from syncoxide.native.providers.s3.prefix_walk import walk_prefixes
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.providers.contract import EntryKind
from tests.native.providers.s3.test_provider_s3 import _settings, _stream
from tests.servers import S3Server

# One top folder ("deep") holding the rest forces the walk to split below it; "wide" has more
# sibling folders than workers; names carry what URL encoding must round-trip.
FILES = (
    "root file.txt",
    "a b+c%20d.txt",
    "deep/x&y<z>.txt",
    "deep/ünï/é ü.txt",
    *(f"deep/wide/f{n:02d}/one {n}.txt" for n in range(12)),
    "deep/wide/f03/sub/two.txt",
)
EMPTY_FOLDERS = ("deep/empty", "lonely")


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_s3")
    return server


def _folders_of(paths: tuple[str, ...]) -> set[str]:
    parts = [path.split("/") for path in paths]
    return {"/".join(p[:depth]) for p in parts for depth in range(1, len(p))}


async def _fill(provider: S3Provider) -> None:
    for number, name in enumerate(FILES):
        await provider.write(name, _stream(b"x" * (number + 1), 3), mtime_ns=10**18)
    for folder in EMPTY_FOLDERS:
        await provider.mkdir(folder)


@pytest.mark.parametrize("workers", [1, 2, 8])
def test_every_entry_is_listed_once_at_any_concurrency(s3_server: S3Server, workers: int) -> None:
    settings = _settings(s3_server, list_concurrency=workers)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            await _fill(provider)
            listed = [e for page in [p async for p in provider.list_tree()] for e in page]
        paths = [entry.path for entry in listed]
        assert len(paths) == len(set(paths)), "an entry was listed twice"
        files = {e.path: e.size for e in listed if e.kind is EntryKind.FILE}
        assert files == {name: number + 1 for number, name in enumerate(FILES)}
        folders = {e.path for e in listed if e.kind is EntryKind.DIR}
        assert folders == _folders_of(FILES) | set(EMPTY_FOLDERS)

    asyncio.run(run())


def test_a_pruned_folder_is_never_listed(rclone_s3: S3Server) -> None:
    settings = _settings(rclone_s3)
    asked: list[str] = []

    async def run() -> None:
        async with S3Provider(settings) as provider:
            await _fill(provider)
            real = provider._list_page

            async def spying(ask: PageAsk) -> ListPage:
                asked.append(ask.prefix)
                return await real(ask)

            provider._list_page = spying  # type: ignore[method-assign]
            pages = [p async for p in provider.list_tree(lambda path: path == "deep/wide")]
        listed = {e.path for page in pages for e in page}
        assert not any(path.startswith("deep/wide") for path in listed)
        assert {"deep", "deep/ünï", "deep/ünï/é ü.txt", "root file.txt"} <= listed
        assert not any("/wide/" in prefix for prefix in asked), asked

    asyncio.run(run())


def test_keys_other_tools_wrote_are_walked_like_the_flat_listing(moto_s3: S3Server) -> None:
    """Console-style ``folder/`` markers and a key with an empty segment, which no path can
    name: the walk finds the marker's folder and leaves the other out, as a flat listing did.
    On moto: rclone serve s3 stores ``console/`` as a file, which then blocks the folder."""
    settings = _settings(moto_s3)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            client = await provider._s3()
            base = settings.prefix + "/"
            for key in ("console/", "console/inner.txt", "odd//name.txt"):
                await client.put_object(Bucket=settings.bucket, Key=base + key, Body=b"k")
            listed = {e.path: e.kind for page in [p async for p in provider.list_tree()]
                      for e in page}  # fmt: skip
        assert listed["console"] is EntryKind.DIR
        assert listed["console/inner.txt"] is EntryKind.FILE
        assert not any("name.txt" in path for path in listed)

    asyncio.run(run())


def test_a_refused_listing_ends_the_walk_with_the_error(rclone_s3: S3Server) -> None:
    """On rclone serve s3: moto takes any secret."""
    settings = replace(_settings(rclone_s3), secret_access_key="not-the-secret-key-at-all")

    async def run() -> None:
        async with S3Provider(settings) as provider:
            with pytest.raises(AuthenticationError):
                [p async for p in provider.list_tree()]

    asyncio.run(run())


def test_a_lister_error_mid_walk_reaches_the_caller_and_stops_the_rest() -> None:
    """The walk alone, over a lister that fails on one prefix: the error is the caller's, no
    task is left running."""
    calls: list[str] = []

    async def lister(ask: PageAsk) -> ListPage:
        prefix = ask.prefix
        calls.append(prefix)
        if prefix == "":
            return ListPage([], "", [f"p{n}/" for n in range(20)])
        if prefix == "p7/":
            raise OSError("the line went down")
        await asyncio.sleep(0.01)
        return ListPage([ListedObject(f"{prefix}file", 1, "e", "2026-01-01T00:00:00.000Z")], "")

    async def run() -> None:
        walk = walk_prefixes(lister, "", concurrency=4, skip=lambda _: False)
        with pytest.raises(OSError, match="went down"):
            [page async for page in walk]
        await asyncio.sleep(0.05)
        assert len(asyncio.all_tasks()) == 1  # only this one

    asyncio.run(run())
