"""Shutdown closes every connection the server opened on its SQLite file: each store's writer
(``store_database``), the accounts' and the catalog's readers. Once the last one closes,
SQLite checkpoints the WAL into the file and removes it, and another process may take the
file alone (leaving WAL mode needs every other connection gone)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from starlette.testclient import TestClient

from syncoxide.server.services import Services
from tests.server.databases import sqlite_only
from tests.server.links.links_world import make_world

LEAVE_WAL = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=0)
print(connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0])
"""


@sqlite_only("it counts the SQLite connections the stores open")
def test_shutdown_closes_every_sqlite_connection(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    stored = world.owner.put("/api/v1/storage/content", params={"path": "a.txt"}, content=b"a")
    assert stored.status_code == 200, stored.text
    services: Services = world.app.state.services
    database = tmp_path / "data" / "syncoxide.sqlite3"
    assert services.sqlite_handles.open_count >= 5  # one per store
    assert Path(f"{database}-wal").exists()
    with TestClient(world.app):  # the lifespan: started, then shut down
        pass
    assert services.sqlite_handles.open_count == 0
    assert not Path(f"{database}-wal").exists()  # the last connection closed checkpointed it
    alone = subprocess.run(
        [sys.executable, "-c", LEAVE_WAL, str(database)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (alone.returncode, alone.stdout.strip()) == (0, "delete"), alone.stderr
    services.sqlite_handles.close()  # again: nothing more happens
