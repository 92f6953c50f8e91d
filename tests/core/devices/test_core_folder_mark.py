"""A synced folder's mark: an index only trusts the folder it was started for. A folder
deleted and made again at the same place (or another folder put there) lists like the indexed
one with files deleted; without the mark those deletions would reach every other device
(pure: runs in Pyodide too)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.engine.device_sync.folder_port import MARK_FILE, mark_to_write
from syncoxide.engine.device_sync.index_keeper import MemoryIndexStorage
from syncoxide.engine.device_sync.provider_folder import ProviderFolder
from syncoxide.engine.device_sync.pull import BlockRequests, Puller, SyncedFolder
from syncoxide.errors import FolderReplacedError, SafetyLimitError
from syncoxide.providers.memory import MemoryProvider

T = TypeVar("T")


def now(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits (memory storage, memory provider) without a loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    raise AssertionError("the coroutine waited")


def ended_by(coroutine: Coroutine[Any, Any, object]) -> Exception | None:
    """The error a coroutine ends with (a puller runs until it fails: with no event loop, a
    wait for more entries fails too)."""
    try:
        now(coroutine)
    except Exception as error:
        return error
    return None


def folder(
    provider: MemoryProvider, storage: MemoryIndexStorage, mark: str | None
) -> ProviderFolder:
    made = ProviderFolder("shared", provider, storage, "ME", fresh_name=lambda: "x", mark=mark)
    now(made.load())
    return made


def live(made: ProviderFolder) -> set[str]:
    return {path for path, entry in made.index.entries.items() if not entry.deleted}


def test_a_fresh_index_marks_its_folder_and_the_mark_is_never_synced() -> None:
    provider, storage = MemoryProvider(), MemoryIndexStorage()
    provider.put("a.txt", b"a")
    made = folder(provider, storage, "first-pick")
    assert provider.read(MARK_FILE) == b"first-pick"
    assert {entry.path for entry in now(made.scan())} == {"a.txt"}
    assert MARK_FILE not in made.index.entries


def test_a_folder_made_again_in_place_is_refused_and_nothing_counts_as_deleted() -> None:
    provider, storage = MemoryProvider(), MemoryIndexStorage()
    for name in ("a.txt", "b.txt", "c.txt"):
        provider.put(name, name.encode())
    made = folder(provider, storage, "first-pick")
    now(made.scan())
    for name in ("a.txt", "b.txt", "c.txt", MARK_FILE):  # the folder deleted...
        now(provider.delete(name))
    provider.put("only-here.txt", b"new")  # ...and made again with one file
    with pytest.raises(FolderReplacedError, match="not the one synced before") as caught:
        now(made.scan())
    assert "Nothing was deleted on your other devices" in (caught.value.hint or "")
    assert isinstance(caught.value, SafetyLimitError)
    assert live(made) == {"a.txt", "b.txt", "c.txt"}
    # A reload on the same index refuses it as well, before anything is read.
    with pytest.raises(FolderReplacedError, match="is missing"):
        folder(provider, storage, "first-pick")


def test_another_mark_is_refused_but_a_folder_shared_anew_starts_fresh() -> None:
    provider, storage = MemoryProvider(), MemoryIndexStorage()
    provider.put("a.txt", b"a")
    now(folder(provider, storage, "first-pick").scan())
    provider.put(MARK_FILE, b"someone-else")
    with pytest.raises(FolderReplacedError, match="another folder's"):
        folder(provider, storage, "first-pick")
    # Picked anew: a new id and a fresh index take the folder as it is, nothing deleted.
    fresh = folder(provider, MemoryIndexStorage(), "second-pick")
    assert provider.read(MARK_FILE) == b"second-pick"
    changed = now(fresh.scan())
    assert [(entry.path, entry.deleted) for entry in changed] == [("a.txt", False)]


def test_a_peers_batch_for_a_folder_made_again_is_refused_before_anything_is_written() -> None:
    provider, storage = MemoryProvider(), MemoryIndexStorage()
    for name in ("a.txt", "b.txt"):
        provider.put(name, name.encode())
    made = folder(provider, storage, "first-pick")
    now(made.scan())
    known = made.index.entries["a.txt"]
    now(provider.delete(MARK_FILE))  # made again: a.txt put back as it was, b.txt missing
    now(provider.delete("b.txt"))
    # The peer deleted a.txt and changed b.txt: each entry, decided against this folder, would
    # move a.txt to the trash and write b.txt into a folder that is not the one synced.
    gone = FileEntry("a.txt", 0, 2, {"ME": known.version["ME"], "PEER": 1}, (), True, "PEER")
    edited = FileEntry("b.txt", 0, 2, {"ME": 1, "PEER": 1}, (), False, "PEER")
    said: list[object] = []

    async def changed(name: str, entries: list[FileEntry]) -> None:
        said.append(entries)

    async def send_want(name: str, blocks: list[list[object]]) -> None:
        said.append(blocks)

    puller = Puller({"shared": SyncedFolder(made, ("PEER",))}, BlockRequests(send_want),
                    changed, said.append)  # fmt: skip
    puller.queue("shared", [gone, edited])
    ended = ended_by(puller.run())
    assert list(provider.snapshot()) == ["a.txt"]  # nothing moved, nothing written
    assert said == []
    assert live(made) == {"a.txt", "b.txt"}  # and nothing counted as deleted
    assert isinstance(ended, FolderReplacedError), ended
    assert "is missing" in ended.message


def test_without_a_mark_nothing_is_written_or_checked() -> None:
    provider, storage = MemoryProvider(), MemoryIndexStorage()
    provider.put("a.txt", b"a")
    made = folder(provider, storage, None)
    now(made.scan())
    assert list(provider.snapshot()) == ["a.txt"]


def test_the_decision_alone() -> None:
    empty = FolderIndex()
    known = FolderIndex({"a.txt": FileEntry("a.txt", 1, 1, {"ME": 1}, (), False, "ME")})
    assert mark_to_write("shared", empty, None, "m") is True
    assert mark_to_write("shared", empty, "old", "m") is True
    assert mark_to_write("shared", known, "m", "m") is False
    with pytest.raises(FolderReplacedError):
        mark_to_write("shared", known, None, "m")
