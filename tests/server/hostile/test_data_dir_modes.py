"""Finding 11: a data folder that already existed got its database, blobs and upload records
created ``0644`` (readable by every user of the machine), and nothing ever tightened them.

Now every file the server writes there is created ``0600``, and a start tightens (and reports)
whatever an older server or an operator's copy left open to others.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.storage.owner_only import WALKED_MARKER
from syncoxide.server.storage.sqlite import open_database
from tests.conftest import start_live_server
from tests.server.links.links_world import make_world, share_with
from tests.server.shared_parts import local_blobs_only

pytestmark = pytest.mark.live  # starts real servers


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most accounts have (022): files are 0644 unless created otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def loose(root: Path) -> list[str]:
    """Everything under ``root`` (and itself) that a group or other user could read or enter."""
    found = [root, *root.rglob("*")]
    return [
        f"{path.relative_to(root)} {stat.filemode(path.lstat().st_mode)}"
        for path in found
        if not path.is_symlink() and path.lstat().st_mode & 0o077
    ]


@local_blobs_only("it reads the modes of the blob files in the data folder")
def test_files_written_in_a_pre_existing_data_folder_are_owner_only(
    tmp_path: Path, usual_umask: None
) -> None:
    world = make_world(tmp_path)  # its data folder is made (0755) before the server starts
    share_with(world, {"payroll.pdf": b"%PDF-" + b"1" * 4000})
    stored = world.owner.put(
        "/api/v1/storage/content", params={"path": "notes.txt"}, content=b"private notes"
    )
    assert stored.status_code in (200, 201), stored.text
    unfinished = world.owner.post(
        "/api/v1/storage/uploads/", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"}
    )
    assert unfinished.status_code == 201, unfinished.text  # its record names its sender
    data = tmp_path / "data"
    assert list((data / "blobs").rglob("*")), "the test stored no blob"
    assert loose(data) == []


def make_loose_data_dir(data: Path) -> None:
    """A data folder as an older server left it: all 0644/0755, never walked."""
    prepare_data_dir(ServerConfig.embedded_defaults(data))
    database = open_database(data / "syncoxide.sqlite3")
    database.execute("DELETE FROM instance_settings WHERE key = ?", (WALKED_MARKER,))
    database.close()
    blob = data / "blobs" / "links" / "AbC" / "f1"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"a file someone shared")
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_start_tightens_what_an_older_server_left_open_and_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_loose_data_dir(data)
    assert len(loose(data)) >= 5
    server = start_live_server(data)
    _, output = server.stop()
    assert loose(data) == [], output
    assert "Tightened permissions in" in output, output
    assert re.search(r"\d+ items were readable by other users", output), output
    # The next start has nothing to say; a database copied back in loose is caught again.
    (data / "syncoxide.sqlite3").chmod(0o644)
    again = start_live_server(data)
    _, output = again.stop()
    assert loose(data) == [] and "syncoxide.sqlite3" in output, output
