"""The conformance suite of provider-side history (``KeepsVersions``), as plain async checks.

What every provider that keeps versions itself (S3 object versions, Drive and Dropbox
revisions) must do, whatever its API: list a file's versions newest first with the current
one marked; bring an old one back byte for byte, keeping the content it replaces as a version
(nothing is lost by trying one); refuse a version it does not keep for that file with
``NotFoundError`` and change nothing. Each check takes a factory returning a fresh, empty
provider that keeps versions (for S3: a bucket with versioning on).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from syncoxide.errors import NotFoundError
from syncoxide.providers.contract import KeepsVersions, Provider, chunks_of

HistoryFactory = Callable[[], Awaitable[Provider]]
HistoryCheck = Callable[[HistoryFactory], Awaitable[None]]
MTIME = 1_600_000_000_123_456_789
BODIES = (b"first", b"second!", b"third...")
#: Bigger than one upload request or read block of the test setups, so a restore that streams
#: (Drive's) moves it in several pieces.
BIG = bytes(range(256)) * (1200 * 1024 // 256)


async def _history(make: HistoryFactory) -> tuple[Provider, KeepsVersions]:
    provider = await make()
    assert isinstance(provider, KeepsVersions), f"{type(provider).__name__} keeps no versions"
    return provider, provider


async def _put(provider: Provider, path: str, content: bytes, mtime_ns: int = MTIME) -> None:
    half = len(content) // 2
    await provider.write(path, chunks_of(content[:half], content[half:]), mtime_ns=mtime_ns)


async def _read(provider: Provider, path: str) -> bytes:
    return b"".join([chunk async for chunk in provider.open_read(path)])


async def check_versions_are_listed_newest_first(make: HistoryFactory) -> None:
    provider, history = await _history(make)
    for body in BODIES:
        await _put(provider, "notes.txt", body)
    await _put(provider, "notes.txt.bak", b"a neighbour")  # same prefix, another file
    listed = await history.versions("notes.txt")
    assert [v.size for v in listed] == [8, 7, 5]
    assert [v.current for v in listed] == [True, False, False]
    assert len({v.version_id for v in listed}) == 3
    try:
        await history.versions("never-written.txt")
        raise AssertionError("a file never written has versions")
    except NotFoundError:
        pass


async def check_a_restore_keeps_the_head_it_replaces(make: HistoryFactory) -> None:
    provider, history = await _history(make)
    for body in BODIES:
        await _put(provider, "notes.txt", body)
    listed = await history.versions("notes.txt")
    entry = await history.restore_version("notes.txt", listed[-1].version_id)
    precision = max(provider.features.mtime_precision_ns, 1)
    assert entry.size == 5 and abs(entry.mtime_ns - MTIME) < precision
    assert await _read(provider, "notes.txt") == b"first"
    after = await history.versions("notes.txt")
    assert [v.size for v in after] == [5, 8, 7, 5]
    assert [v.current for v in after] == [True, False, False, False]
    assert listed[0].version_id in [v.version_id for v in after]
    await history.restore_version("notes.txt", listed[0].version_id)  # and back again
    assert await _read(provider, "notes.txt") == b"third..."


async def check_a_big_version_comes_back_byte_for_byte(make: HistoryFactory) -> None:
    provider, history = await _history(make)
    await _put(provider, "big.bin", BIG)
    await _put(provider, "big.bin", b"small now", MTIME + 10**9)
    old = (await history.versions("big.bin"))[-1]
    assert old.size == len(BIG)
    await history.restore_version("big.bin", old.version_id)
    assert await _read(provider, "big.bin") == BIG


async def check_an_unknown_version_changes_nothing(make: HistoryFactory) -> None:
    provider, history = await _history(make)
    await _put(provider, "kept.txt", b"old")
    await _put(provider, "b.txt", b"another file")
    await _put(provider, "kept.txt", b"newer")
    before = await history.versions("kept.txt")
    [of_b] = await history.versions("b.txt")
    for wrong in ("no-such-version", "0123456789abcdef", "", of_b.version_id):
        try:
            await history.restore_version("kept.txt", wrong)
            raise AssertionError(f"version {wrong!r} was restored onto another file")
        except NotFoundError as error:
            assert "Nothing was changed" in (error.hint or ""), error
    assert await _read(provider, "kept.txt") == b"newer"
    assert await history.versions("kept.txt") == before


HISTORY_CHECKS: tuple[HistoryCheck, ...] = (
    check_versions_are_listed_newest_first,
    check_a_restore_keeps_the_head_it_replaces,
    check_a_big_version_comes_back_byte_for_byte,
    check_an_unknown_version_changes_nothing,
)
