"""The state snapshot behind "a refused request changes nothing" (server_state.py) sees each kind
of change it promises to see, and only those: rows, data-directory files, the storage listing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.server.hostile.server_state import DATABASE_NAME, StateReader, differences


def make_data_dir(root: Path) -> Path:
    (root / "blobs").mkdir(parents=True)
    (root / "blobs" / "one").write_bytes(b"first")
    with sqlite3.connect(root / DATABASE_NAME) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE links (id TEXT PRIMARY KEY, title TEXT NOT NULL)")
        db.execute("CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, last_used_at INTEGER)")
        db.execute("CREATE VIRTUAL TABLE words USING fts5 (body)")
        db.execute("INSERT INTO links VALUES ('a', 'first title')")
        db.execute("INSERT INTO api_tokens VALUES (1, 100)")
    return root


def write(root: Path, sql: str) -> None:
    with sqlite3.connect(root / DATABASE_NAME) as db:
        db.execute(sql)


def test_nothing_changed_shows_no_difference(tmp_path: Path) -> None:
    reader = StateReader(make_data_dir(tmp_path), lambda: [{"path": "a.txt"}])
    assert differences(reader.take(), reader.take()) == []
    reader.close()


def test_a_changed_row_is_named_with_its_table_and_values(tmp_path: Path) -> None:
    reader = StateReader(make_data_dir(tmp_path), list)
    before = reader.take()
    write(tmp_path, "UPDATE links SET title = 'changed' WHERE id = 'a'")
    write(tmp_path, "INSERT INTO words (body) VALUES ('indexed')")
    found = differences(before, reader.take())
    assert "table links: row removed or changed from ('a', 'first title')" in found
    assert "table links: row added or changed to ('a', 'changed')" in found
    assert any(line.startswith("table words_") for line in found), found
    reader.close()


def test_a_token_use_recorded_at_sign_in_is_allowed(tmp_path: Path) -> None:
    reader = StateReader(make_data_dir(tmp_path), list)
    before = reader.take()
    write(tmp_path, "UPDATE api_tokens SET last_used_at = 200")
    assert differences(before, reader.take()) == []
    write(tmp_path, "INSERT INTO api_tokens VALUES (2, NULL)")
    assert differences(before, reader.take()) == ["table api_tokens: row added or changed to (2,)"]
    reader.close()


def test_files_created_rewritten_and_removed_are_named(tmp_path: Path) -> None:
    reader = StateReader(make_data_dir(tmp_path), list)
    before = reader.take()
    (tmp_path / "blobs" / "one").write_bytes(b"second version")
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "part").write_bytes(b"x")
    found = differences(before, reader.take())
    assert found == [
        "file blobs/one: rewritten (5 -> 14 bytes)",
        "file uploads/part: created (1 bytes)",
    ]
    (tmp_path / "uploads" / "part").unlink()
    assert differences(reader.take(), before)[0] == "file blobs/one: rewritten (14 -> 5 bytes)"
    reader.close()


def test_a_changed_storage_listing_is_named(tmp_path: Path) -> None:
    listings: list[list[dict[str, Any]]] = [[{"path": "a.txt"}], []]
    reader = StateReader(make_data_dir(tmp_path), listings.pop)
    before = reader.take()
    write(tmp_path, "INSERT INTO links VALUES ('b', 'second')")
    found = differences(before, reader.take())
    assert "storage listing: [] -> [{'path': 'a.txt'}]" in found
    reader.close()


def test_the_listing_is_asked_for_again_only_when_rows_or_files_moved(tmp_path: Path) -> None:
    asked: list[int] = []

    def listing() -> list[dict[str, Any]]:
        asked.append(1)
        return []

    reader = StateReader(make_data_dir(tmp_path), listing)
    reader.take()
    reader.take()
    assert len(asked) == 1
    write(tmp_path, "UPDATE api_tokens SET last_used_at = 300")  # an allowed change still counts
    reader.take()
    (tmp_path / "blobs" / "two").write_bytes(b"x")
    reader.take()
    assert len(asked) == 3
    reader.close()


def test_a_long_difference_is_cut_with_a_count(tmp_path: Path) -> None:
    reader = StateReader(make_data_dir(tmp_path), list)
    before = reader.take()
    for number in range(20):
        write(tmp_path, f"INSERT INTO links VALUES ('{number}', 'x')")
    found = differences(before, reader.take(), limit=5)
    assert len(found) == 6 and found[-1] == "... and 15 more"
    reader.close()
