"""A folder index kept as snapshot + journal on a storage port (the browser's folders): one
change appends one record, a torn last append loses that append only, compaction bounds the
journal, and a stop mid-compaction loses nothing (pure: runs in Pyodide too)."""

from __future__ import annotations

import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.devices.index_journal import (
    HEADER_SIZE,
    journal_header,
    load_index,
    put_record,
    snapshot_bytes,
)
from syncoxide.engine.device_sync.index_keeper import IndexKeeper, MemoryIndexStorage
from syncoxide.errors import JournalError, ProviderUnavailableError

T = TypeVar("T")
DIGEST = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def now(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits (the memory storage does no IO) without an event loop,
    which Pyodide under Node does not offer."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    raise AssertionError("the coroutine waited")


def entry(number: int, counter: int = 1) -> FileEntry:
    return FileEntry(f"folder/{number:05}.txt", 5, 1_700_000_000 + counter, {"ME": counter},
                     (DIGEST,), False, "ME")  # fmt: skip


def big_index(entries: int) -> FolderIndex:
    return FolderIndex({e.path: e for e in (entry(n) for n in range(entries))})


def kept(entries: int) -> tuple[MemoryIndexStorage, IndexKeeper, FolderIndex]:
    storage = MemoryIndexStorage()
    keeper = IndexKeeper(storage)
    index = big_index(entries)
    now(keeper.compact(index))
    storage.bytes_written = 0
    return storage, keeper, index


def change(keeper: IndexKeeper, index: FolderIndex, changed: FileEntry | str) -> None:
    if isinstance(changed, str):
        del index.entries[changed]
    else:
        index.entries[changed.path] = changed
    now(keeper.append([changed], index))


def reloaded(storage: MemoryIndexStorage) -> FolderIndex:
    return now(IndexKeeper(storage).load())


def test_one_changed_file_in_ten_thousand_writes_one_record_not_the_index() -> None:
    storage, keeper, index = kept(10_000)
    change(keeper, index, entry(42, counter=2))
    assert storage.bytes_written == len(put_record(entry(42, counter=2)))
    assert storage.snapshot is not None and storage.bytes_written * 1000 < len(storage.snapshot)
    change(keeper, index, "folder/00007.txt")
    assert reloaded(storage) == index


def test_a_torn_last_append_drops_that_change_only_at_every_cut() -> None:
    record = put_record(entry(2, counter=3))
    for cut in range(len(record)):
        storage, keeper, index = kept(3)
        change(keeper, index, entry(1, counter=2))
        before = FolderIndex(dict(index.entries))
        storage.tear_next_append = cut
        with pytest.raises(ProviderUnavailableError):
            change(keeper, index, entry(2, counter=3))
        again = IndexKeeper(storage)
        assert now(again.load()) == before, cut
        # The torn bytes were cut off, so what is appended next is read back whole.
        assert storage.journal is not None and len(storage.journal) == again.tally.journal_size
        now(again.append([entry(0, counter=4)], before))
        assert reloaded(storage).entries["folder/00000.txt"] == entry(0, counter=4)


def test_an_append_after_a_failed_one_follows_the_last_whole_record() -> None:
    storage, keeper, index = kept(3)
    storage.tear_next_append = 5
    with pytest.raises(ProviderUnavailableError):
        change(keeper, index, entry(1, counter=2))
    # The same keeper, still running, saves again what was not saved (as ProviderFolder does).
    index.entries[entry(2).path] = entry(2, counter=2)
    now(keeper.append([entry(1, counter=2), entry(2, counter=2)], index))
    assert reloaded(storage) == index


def test_compaction_keeps_the_journal_bounded_and_the_index_whole() -> None:
    storage, keeper, index = kept(1_000)
    first_snapshot = storage.snapshot
    for counter in range(2, 2_000):
        change(keeper, index, entry(counter % 1_000, counter))
        assert storage.journal is not None and storage.snapshot is not None
        assert len(storage.journal) <= max(64 * 1024, len(storage.snapshot) // 2) + 200
    assert storage.snapshot != first_snapshot and keeper.tally.generation > 1
    assert reloaded(storage) == index


def test_a_stop_between_compactions_two_writes_loses_nothing() -> None:
    storage, keeper, index = kept(10)
    change(keeper, index, entry(3, counter=2))
    # The next generation's snapshot was written; the tab closed before its journal started.
    storage.snapshot = snapshot_bytes(index, keeper.tally.generation + 1)
    again = IndexKeeper(storage)
    assert now(again.load()) == index  # the older journal is skipped: the snapshot holds it
    now(again.append([entry(4, counter=2)], index))
    assert storage.journal is not None
    assert storage.journal.startswith(journal_header(keeper.tally.generation + 1))
    assert reloaded(storage).entries["folder/00004.txt"] == entry(4, counter=2)


def test_a_journal_newer_than_its_snapshot_is_refused() -> None:
    storage, _, _ = kept(2)
    storage.journal = journal_header(9)
    with pytest.raises(JournalError, match="newer index"):
        reloaded(storage)


def test_an_index_saved_whole_by_an_older_version_loads_and_journals_on() -> None:
    storage = MemoryIndexStorage()
    storage.snapshot = json.dumps({"version": 1, "entries": [entry(1).to_json()]}).encode()
    keeper = IndexKeeper(storage)
    index = now(keeper.load())
    assert index.entries == {"folder/00001.txt": entry(1)}
    index.entries["folder/00001.txt"] = entry(1, counter=2)
    now(keeper.append([entry(1, counter=2)], index))
    assert storage.journal is not None and len(storage.journal) > HEADER_SIZE
    assert reloaded(storage) == index


def test_nothing_stored_loads_an_empty_index() -> None:
    loaded = load_index(None, None)
    assert loaded.index == FolderIndex() and loaded.journal is None
    assert loaded.tally.generation == 0
