"""The provider conformance suite: what every Provider must do, as plain async checks.

Each check takes a factory returning a fresh, empty provider and raises AssertionError on a
violation. Run them all with ``await run_conformance(factory)``; tests call it through
``asyncio.run`` and later runs point it at S3, SFTP, WebDAV and the browser providers.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import cast

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    IntegrityError,
    NotFoundError,
)
from syncoxide.providers.contract import (
    Entry,
    EntryKind,
    PartPlan,
    Provider,
    StatsOnRead,
    WritesParts,
    chunks_of,
)
from syncoxide.testing.delta_conformance import check_delta_update

ProviderFactory = Callable[[], Awaitable[Provider]]
Check = Callable[[ProviderFactory], Awaitable[None]]
MTIME = 1_600_000_000_123_456_789


async def _put(provider: Provider, path: str, content: bytes, mtime_ns: int = MTIME) -> Entry:
    return await provider.write(path, chunks_of(content), mtime_ns=mtime_ns, hash_kind="sha1")


async def _read(provider: Provider, path: str, offset: int = 0, length: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in provider.open_read(path, offset, length)])


async def _tree(provider: Provider) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    async for page in provider.list_tree():
        found.update({entry.path: entry for entry in page})
    return found


def _close_mtime(provider: Provider, got: int, wanted: int) -> bool:
    return abs(got - wanted) < max(provider.features.mtime_precision_ns, 1)


async def check_write_then_read(make: ProviderFactory) -> None:
    provider = await make()
    content = bytes(range(256)) * 1000
    written = await provider.write(
        "a/b/file.bin", chunks_of(content[:1000], content[1000:]), mtime_ns=MTIME, hash_kind="sha1"
    )
    assert written.size == len(content) and written.kind is EntryKind.FILE
    assert written.hashes.get("sha1") == hashlib.sha1(content).hexdigest()  # noqa: S324
    assert await _read(provider, "a/b/file.bin") == content
    assert await _read(provider, "a/b/file.bin", 10, 20) == content[10:30]
    assert await _read(provider, "a/b/file.bin", len(content) - 5) == content[-5:]
    stat = await provider.stat("a/b/file.bin")
    assert stat.size == len(content) and _close_mtime(provider, stat.mtime_ns, MTIME)


async def check_listing(make: ProviderFactory) -> None:
    provider = await make()
    await _put(provider, "top.txt", b"1")
    await _put(provider, "d/e/deep.txt", b"22")
    await provider.mkdir("empty/inner")
    tree = await _tree(provider)
    assert tree["top.txt"].kind is EntryKind.FILE and tree["top.txt"].size == 1
    assert tree["d/e/deep.txt"].size == 2
    for folder in ("d", "d/e", "empty", "empty/inner"):
        assert tree[folder].kind is EntryKind.DIR, folder
    pruned = [e.path async for page in provider.list_tree(lambda p: p == "d") for e in page]
    assert "d/e/deep.txt" not in pruned and "top.txt" in pruned


async def check_overwrite_is_atomic_on_mismatch(make: ProviderFactory) -> None:
    provider = await make()
    await _put(provider, "keep.txt", b"original")
    try:
        await provider.write(
            "keep.txt",
            chunks_of(b"replacement"),
            hash_kind="sha1",
            expected_digest=lambda: "0" * 40,
        )
    except IntegrityError:
        pass
    else:
        raise AssertionError("a digest mismatch must raise IntegrityError")
    assert await _read(provider, "keep.txt") == b"original"
    tree = await _tree(provider)
    assert [p for p, e in tree.items() if e.kind is EntryKind.FILE] == ["keep.txt"]


async def check_failed_stream_commits_nothing(make: ProviderFactory) -> None:
    provider = await make()

    async def breaks() -> AsyncIterator[bytes]:
        yield b"half of it"
        raise IntegrityError("source went away")

    try:
        await provider.write("new.txt", breaks(), hash_kind="sha1")
    except IntegrityError:
        pass
    else:
        raise AssertionError("an error in the source stream must reach the caller")
    assert "new.txt" not in await _tree(provider)


async def check_stat_missing(make: ProviderFactory) -> None:
    provider = await make()
    for call in (provider.stat("nope"), provider.delete("nope"), provider.hash("nope", "md5")):
        try:
            await call
        except NotFoundError:
            continue
        raise AssertionError("a missing path must raise NotFoundError")


async def check_delete_and_rmdir(make: ProviderFactory) -> None:
    provider = await make()
    await _put(provider, "d/f.txt", b"x")
    try:
        await provider.delete("d")
    except DirectoryNotEmptyError:
        pass
    else:
        raise AssertionError("deleting a non-empty folder must raise DirectoryNotEmptyError")
    await provider.delete("d/f.txt")
    await provider.delete("d")
    assert await _tree(provider) == {}


async def check_move(make: ProviderFactory) -> None:
    provider = await make()
    await _put(provider, "a.txt", b"A")
    await _put(provider, "b.txt", b"B")
    try:
        await provider.move("a.txt", "b.txt")
    except AlreadyExistsError:
        pass
    else:
        raise AssertionError("move must not overwrite silently")
    await provider.move("a.txt", "deeper/c.txt")
    assert await _read(provider, "deeper/c.txt") == b"A"
    stat = await provider.stat("deeper/c.txt")
    assert _close_mtime(provider, stat.mtime_ns, MTIME), "move keeps the mtime"
    assert "a.txt" not in await _tree(provider)


async def check_mtime_and_hashes(make: ProviderFactory) -> None:
    provider = await make()
    await _put(provider, "h.txt", b"hash me")
    await provider.set_mtime("h.txt", MTIME + 10**9)
    assert _close_mtime(provider, (await provider.stat("h.txt")).mtime_ns, MTIME + 10**9)
    for kind in provider.features.hash_kinds:
        assert await provider.hash("h.txt", kind) == hashlib.new(kind, b"hash me").hexdigest()


async def check_mkdir_idempotent(make: ProviderFactory) -> None:
    provider = await make()
    await provider.mkdir("x/y")
    await provider.mkdir("x/y")
    await provider.mkdir("x")
    assert (await provider.stat("x/y")).kind is EntryKind.DIR


async def check_empty_file(make: ProviderFactory) -> None:
    provider = await make()
    written = await provider.write("zero", chunks_of(), mtime_ns=MTIME, hash_kind="md5")
    assert written.size == 0
    assert written.hashes.get("md5") == hashlib.md5(b"").hexdigest()  # noqa: S324
    assert await _read(provider, "zero") == b""


async def check_unicode_names(make: ProviderFactory) -> None:
    provider = await make()
    name = "caf\u00e9/\u65e5\u672c \u00fcber.txt"
    await _put(provider, name, b"u")
    assert await _read(provider, name) == b"u"
    assert name in await _tree(provider)


async def check_parts_arrive_whole_and_only_at_commit(make: ProviderFactory) -> None:
    """For a ``WritesParts`` provider: ranges written out of order read back with their
    digests, nothing shows under the final name before ``commit_parts``, the committed file
    is whole, and ``discard_parts`` drops a partial object. Others pass untouched."""
    provider = await make()
    if not callable(getattr(provider, "write_part", None)):
        return
    parts = cast(WritesParts, provider)
    part = 5 * 1024 * 1024  # the smallest part S3 allows
    content = b"".join(hashlib.sha256(bytes([i])).digest() * (part // 32) for i in range(2))
    content += b"tail" * 25
    plan = PartPlan(len(content), part, MTIME)
    kind = await parts.begin_parts("big/file.bin", "conformance", plan) or "sha1"
    for offset in (2 * part, 0, part):
        piece = content[offset : offset + part]
        await parts.write_part(
            "big/file.bin", "conformance", offset, chunks_of(piece), size=len(content)
        )
        read = await parts.part_digest(
            "big/file.bin", "conformance", offset=offset, length=len(piece), kind=kind
        )
        assert read == hashlib.new(kind, piece).hexdigest(), f"range {offset} read back {read}"
    files = {p for p, e in (await _tree(provider)).items() if e.kind is EntryKind.FILE}
    assert "big/file.bin" not in files, "a file appeared under its name before commit"
    whole = hashlib.sha1(content).hexdigest()  # noqa: S324
    entry = await parts.commit_parts(
        "big/file.bin",
        "conformance",
        size=len(content),
        mtime_ns=MTIME,
        whole_digest=whole,
        hash_kind="sha1",
    )
    assert entry.size == len(content) and await _read(provider, "big/file.bin") == content
    assert _close_mtime(provider, (await provider.stat("big/file.bin")).mtime_ns, MTIME)
    await parts.begin_parts("big/other.bin", "dropped", plan)
    await parts.write_part(
        "big/other.bin", "dropped", 0, chunks_of(content[:part]), size=len(content)
    )
    await parts.discard_parts("big/other.bin", "dropped")
    gone = await parts.part_digest("big/other.bin", "dropped", offset=0, length=part, kind=kind)
    assert gone is None, "a discarded partial still answers"
    leftovers = [p for p, e in (await _tree(provider)).items() if e.kind is EntryKind.PARTIAL]
    assert not leftovers, f"partials left behind: {leftovers}"


async def _held_stream(
    content: bytes, midway: asyncio.Event, release: asyncio.Event
) -> AsyncIterator[bytes]:
    """``content`` in two chunks, the second one only once ``release`` is set."""
    yield content[: len(content) // 2]
    midway.set()
    await release.wait()
    yield content[len(content) // 2 :]


async def check_listed_files_are_whole(make: ProviderFactory) -> None:
    """For a provider that claims ``Features.lists_whole_files``: while writes are held up
    halfway, a new file is not listed and a replaced one is listed as it was; once they
    finish, both are listed whole. Others pass untouched."""
    provider = await make()
    if not provider.features.lists_whole_files:
        return
    await _put(provider, "whole/old.bin", b"old")
    content = bytes(range(256)) * 64
    release = asyncio.Event()
    midway = {path: asyncio.Event() for path in ("whole/new.bin", "whole/old.bin")}
    writes = [
        asyncio.create_task(
            provider.write(path, _held_stream(content, event, release), mtime_ns=MTIME)
        )
        for path, event in midway.items()
    ]
    try:
        for event in midway.values():
            await asyncio.wait_for(event.wait(), 30)
        tree = await asyncio.wait_for(_tree(provider), 30)
        assert "whole/new.bin" not in tree, "a file was listed before its write finished"
        assert tree["whole/old.bin"].size == 3, "a replaced file was listed half written"
    finally:
        release.set()
        await asyncio.gather(*writes)
    tree = await _tree(provider)
    assert tree["whole/new.bin"].size == tree["whole/old.bin"].size == len(content)


async def check_stats_on_read(make: ProviderFactory) -> None:
    """``StatsOnRead``: the listing without lookups names what ``list_tree`` names, and a
    read's entry is the file's own (size, mtime) with the bytes of that version."""
    provider = await make()
    if not isinstance(provider, StatsOnRead):
        return
    content = bytes(range(256)) * 40
    await _put(provider, "statted/a.bin", content)
    await _put(provider, "statted/b/c.bin", b"")
    full = await _tree(provider)
    listed = {e.path: e async for page in provider.list_tree_listed() for e in page}
    assert {p: (e.kind, e.size) for p, e in listed.items()} == {
        p: (e.kind, e.size) for p, e in full.items()
    }, "list_tree_listed lists other entries than list_tree"
    async with provider.open_file("statted/a.bin") as opened:
        assert opened.entry.size == len(content), opened.entry
        assert _close_mtime(provider, opened.entry.mtime_ns, MTIME), opened.entry
        assert b"".join([chunk async for chunk in opened.chunks]) == content
    async with provider.open_file("statted/b/c.bin") as opened:
        assert opened.entry.size == 0 and [c async for c in opened.chunks if c] == []
    async with provider.open_file("statted/a.bin") as opened:
        assert await anext(opened.chunks)  # left after one chunk: let go on the way out
    try:
        async with provider.open_file("statted/missing.bin"):
            raise AssertionError("open_file of a missing file opened")
    except NotFoundError:
        pass


CHECKS: tuple[Check, ...] = (
    check_write_then_read,
    check_listing,
    check_overwrite_is_atomic_on_mismatch,
    check_failed_stream_commits_nothing,
    check_stat_missing,
    check_delete_and_rmdir,
    check_move,
    check_mtime_and_hashes,
    check_mkdir_idempotent,
    check_empty_file,
    check_unicode_names,
    check_parts_arrive_whole_and_only_at_commit,
    check_listed_files_are_whole,
    check_stats_on_read,
    check_delta_update,
)


async def run_conformance(make: ProviderFactory) -> list[str]:
    """Runs every check; returns the names of those that failed (with their messages)."""
    failures = []
    for check in CHECKS:
        try:
            await check(make)
        except AssertionError as error:
            failures.append(f"{check.__name__}: {error}")
    return failures
