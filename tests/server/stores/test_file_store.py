"""Users' own files, their versions and their trash behave alike on SQLite and PostgreSQL:
the same order (bytewise by path), the same folder ranges, the same all-or-nothing writes."""

from __future__ import annotations

import pytest

from syncoxide.errors import AlreadyExistsError, DirectoryNotEmptyError, NotFoundError
from syncoxide.server.files.history import TRASH, VERSION, HistoryStore
from syncoxide.server.files.store import DIR, FILE, FileStore, StoredEntry
from syncoxide.server.storage.database import Database
from tests.server.stores.conftest import add_user

#: Names whose order differs between bytewise and language-aware collations, and characters
#: that mean something to LIKE.
TRICKY = ["a b", "a-b", "a.txt", "a0", "a_%", "B", "é.txt"]


def _file(path: str, size: int = 1) -> StoredEntry:
    return StoredEntry(path, FILE, size, 5, "1" * 40, "2" * 64, f"blob/{path}")


def _paths(entries: list[StoredEntry]) -> list[str]:
    return [entry.path for entry in entries]


def test_listing_is_bytewise_and_folders_are_ranges(database: Database) -> None:
    store = FileStore(database)
    alice, bob = add_user(database, "alice"), add_user(database, "bob")
    for name in TRICKY:
        store.put_file(alice, _file(name))
    store.put_file(alice, _file("a/inner/deep.txt", 3))
    store.put_file(bob, _file("a/bob.txt"))
    everything = store.listing(alice, "", after="", limit=100, recursive=True)
    assert _paths(everything) == sorted(_paths(everything), key=str.encode)
    top = store.listing(alice, "", after="", limit=100, recursive=False)
    assert _paths(top) == ["B", "a", "a b", "a-b", "a.txt", "a0", "a_%", "é.txt"]
    assert _paths(store.listing(alice, "a", after="", limit=100, recursive=True)) == [
        "a/inner",
        "a/inner/deep.txt",
    ]
    assert _paths(store.listing(alice, "a", after="", limit=100, recursive=False)) == ["a/inner"]
    page = store.listing(alice, "", after="a-b", limit=2, recursive=False)
    assert _paths(page) == ["a.txt", "a0"]
    assert store.has_children(alice, "a") and not store.has_children(alice, "a b")
    assert store.bytes_of_user(alice) == len(TRICKY) + 3
    assert store.bytes_of_user(bob) == 1


def test_replacing_moving_and_removing(database: Database) -> None:
    store = FileStore(database)
    alice = add_user(database, "alice")
    assert store.put_file(alice, _file("docs/a.txt", 1)) is None
    assert store.put_file(alice, _file("docs/a.txt", 9)) == "blob/docs/a.txt"
    replaced = store.get(alice, "docs/a.txt")
    assert replaced is not None and replaced.size == 9
    assert store.get(alice, "docs") == StoredEntry("docs", DIR)
    with pytest.raises(AlreadyExistsError):
        store.put_file(alice, _file("docs"))
    with pytest.raises(AlreadyExistsError):
        store.make_folders(alice, ["docs/a.txt"])
    store.put_file(alice, _file("docs0.txt"))  # beside the folder's range, never inside it
    store.move(alice, "docs", "archive/2026")
    assert _paths(store.listing(alice, "", after="", limit=9, recursive=True)) == [
        "archive", "archive/2026", "archive/2026/a.txt", "docs0.txt",
    ]  # fmt: skip
    with pytest.raises(AlreadyExistsError):
        store.move(alice, "archive", "archive/2026/inside")
    with pytest.raises(NotFoundError):
        store.move(alice, "gone", "elsewhere")
    store.set_mtime(alice, "docs0.txt", 77)
    moved = store.get(alice, "docs0.txt")
    assert moved is not None and moved.mtime_ns == 77
    with pytest.raises(DirectoryNotEmptyError):
        store.remove(alice, "archive", recursive=False)
    assert store.remove(alice, "archive", recursive=True) == ["blob/docs/a.txt"]
    assert store.remove(alice, "docs0.txt", recursive=False) == ["blob/docs0.txt"]
    assert store.listing(alice, "", after="", limit=9, recursive=True) == []


def test_a_failed_write_leaves_nothing_behind(database: Database) -> None:
    """The parents made for a file go with it when its row cannot be written."""
    store = FileStore(database)
    with pytest.raises(Exception):  # noqa: B017 - the driver's own foreign-key error
        store.put_file(987654, _file("new/folder/file.txt"))  # no such user
    assert store.get(987654, "new") is None


def test_versions_and_trash(database: Database) -> None:
    history = HistoryStore(database)
    alice, bob = add_user(database, "alice"), add_user(database, "bob")
    old = history.keep_version(alice, _file("a.txt", 4), now=100)
    newer = history.keep_version(alice, _file("a.txt", 5), now=200)
    assert [item.id for item in history.versions(alice, "a.txt")] == [newer, old]
    assert history.versions(bob, "a.txt") == []
    folder = StoredEntry("pics", DIR)
    batch = history.trash(alice, [folder, _file("pics/1.jpg", 10), _file("pics/0.jpg", 20)], 300)
    trashed = history.trashed(alice)
    assert [(item.id, item.state, item.entry) for item in trashed] == [(batch, TRASH, folder)]
    assert _paths([item.entry for item in history.batch(alice, batch)]) == [
        "pics", "pics/0.jpg", "pics/1.jpg",
    ]  # fmt: skip
    found = history.get(alice, old)
    assert found is not None and (found.state, found.kept_at, found.keep_forever) == (
        VERSION,
        100,
        False,
    )
    assert history.get(bob, old) is None, "another user's version was found"
    assert history.set_keep_forever(alice, old, True)
    kept = history.get(alice, old)
    assert kept is not None and kept.keep_forever
    assert not history.set_keep_forever(bob, old, True)
    assert history.bytes_of_user(alice) == 4 + 5 + 10 + 20
    assert history.users_with_history() == [alice]
    history.forget(alice, [old, newer])
    assert history.versions(alice, "a.txt") == []
    assert len(history.all_of(alice)) == 3
