"""What the polls of provider folders remember, on the real migrated database, with two
server processes' connections to it: each arrival is claimed once, a first look is no
arrival, a file that leaves and comes back arrives again, and results we wrote are ours
until someone changes them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from syncoxide.automation.handoff_retry import HandoffFailure
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.server.automation.seen import SeenStore
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.storage.database import SqliteDatabase
from syncoxide.server.storage.sqlite import open_database


def database(tmp_path: Path) -> Path:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=tmp_path)
    prepare_data_dir(config)
    return config.database_path


def two_processes(tmp_path: Path) -> tuple[SeenStore, SeenStore]:
    path = database(tmp_path)
    first = open_database(path)
    first.execute("INSERT INTO users (id, name, display_name, created_at)"
                  " VALUES (1, 'alice', 'Alice', 0)")  # fmt: skip
    first.execute("INSERT INTO connections (id, user_id, name, kind, options, secrets, state,"
                  " state_message, created_at) VALUES (5, 1, 'nas', 'webdav', '{}', '{}', 'ok',"
                  " '', 0)")  # fmt: skip
    first.execute("INSERT INTO automation_rules (id, user_id, name, source_kind, source, output,"
                  " target_folder, created_at, connection_id) VALUES (7, 1, 'r', 'connection',"
                  " 'Camera', 'webp', '', 0, 5)")  # fmt: skip
    return SeenStore(SqliteDatabase(first)), SeenStore(SqliteDatabase(open_database(path)))


def file(path: str, size: int = 10, mtime_ns: int = 1) -> Entry:
    return Entry(path, EntryKind.FILE, size, mtime_ns)


def test_each_arrival_is_claimed_once_over_two_processes(tmp_path: Path) -> None:
    one, two = two_processes(tmp_path)
    assert not one.looked_at(7, "5:Camera") and one.watching_since(7) is None
    one.first_look(7, "5:Camera", [file("old.jpg")])
    assert two.looked_at(7, "5:Camera") and not two.looked_at(7, "5:Elsewhere")
    assert two.watching_since(7) is not None
    assert not one.arrived(7, file("old.jpg")) and not two.arrived(7, file("old.jpg"))
    assert [one.arrived(7, file("new.jpg")), two.arrived(7, file("new.jpg"))] == [True, False]
    assert two.arrived(7, file("new.jpg", size=11)), "changed: it arrives again"
    assert not one.arrived(7, file("new.jpg", size=11))
    assert two.fingerprints(7) == {"old.jpg": "10:1", "new.jpg": "11:1"}
    one.forget_missing(7, {"new.jpg"})
    assert two.arrived(7, file("old.jpg")), "gone and put back: an arrival"


def test_a_result_we_wrote_is_ours_until_someone_changes_it(tmp_path: Path) -> None:
    one, two = two_processes(tmp_path)
    assert not one.is_our_output(5, "Camera/a.webp", file("a.webp"))
    one.writing_output(5, "Camera/a.webp")
    assert two.is_our_output(5, "Camera/a.webp", file("a.webp", 40, 9))  # first seen: fixed
    assert one.is_our_output(5, "Camera/a.webp", file("a.webp", 40, 9))
    assert not one.is_our_output(5, "Camera/a.webp", file("a.webp", 41, 12))


def test_deleting_a_connection_forgets_its_rules_and_outputs(tmp_path: Path) -> None:
    one, _ = two_processes(tmp_path)
    one.first_look(7, "5:Camera", [file("old.jpg")])
    one.writing_output(5, "Camera/a.webp")
    one.keep_waits(7, {"new.jpg": ("10:1", 1.0)}, handing=set())
    one.handoff_failed(7, "bad.jpg", HandoffFailure("10:1", 1, 5.0, "refused"))
    db: sqlite3.Connection = open_database(database(tmp_path))  # migrated already: as is
    db.execute("DELETE FROM connections WHERE id = 5")
    for table in ("automation_rules", "automation_seen", "automation_watches",
                  "automation_outputs", "automation_waits",
                  "automation_handoff_failures"):  # fmt: skip
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
