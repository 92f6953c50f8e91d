"""``syncoxide mount`` follows changes made elsewhere through the provider's own reports, not
the listing's time to live (set to an hour here): a local folder's file events and our
server's storage change feed. A change shows in the mounted folder within about a second (the
kernel keeps a file's attributes for one); a file being written through the mount survives the
relisting a change elsewhere causes."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest

from tests.native.mount.mounting import cli, mounted, needs_fuse
from tests.native.providers.server_storage.live_syncoxide import LiveAccounts, live_accounts

pytestmark = [needs_fuse, pytest.mark.live]
TRUSTED_FOR_AN_HOUR = ("--dir-cache-time", "3600")
#: One second of the kernel's attribute cache, plus the feed's answer, a relisting and a loaded
#: two-core machine's scheduling; the hour-long time to live is far above it.
SHOWS_WITHIN = 5.0


def seconds_until(condition: Callable[[], bool], bound: float = SHOWS_WITHIN) -> float:
    """How long ``condition`` took to hold; fails the test past ``bound``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < bound, f"not seen within {bound} s"
        time.sleep(0.02)
    return time.monotonic() - started


def names(folder: Path) -> set[str]:
    return set(os.listdir(folder))


def test_a_local_folder_changed_beside_the_mount_shows_in_it(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "inner").mkdir(parents=True)
    (source / "kept.txt").write_bytes(b"kept")
    with mounted(tmp_path / "config", str(source), tmp_path / "mnt", *TRUSTED_FOR_AN_HOUR) as mnt:
        assert names(mnt) == {"inner", "kept.txt"}
        (source / "inner" / "new.txt").write_bytes(b"made beside the mount")
        seconds_until(lambda: names(mnt / "inner") == {"new.txt"})
        assert (mnt / "inner" / "new.txt").read_bytes() == b"made beside the mount"

        (source / "kept.txt").write_bytes(b"kept, and then changed")
        seconds_until(lambda: (mnt / "kept.txt").stat().st_size == 22)
        assert (mnt / "kept.txt").read_bytes() == b"kept, and then changed"

        with (mnt / "writing.bin").open("wb") as writing:  # not at the provider until closed
            writing.write(b"half")
            writing.flush()  # to the mount's spill file; close() uploads
            (source / "inner" / "new.txt").unlink()  # a change elsewhere: the mount relists
            seconds_until(lambda: names(mnt / "inner") == set())
            assert "writing.bin" in names(mnt) and (mnt / "writing.bin").stat().st_size == 4
            writing.write(b" and the rest")
        assert (source / "writing.bin").read_bytes() == b"half and the rest"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAccounts]:
    with live_accounts(tmp_path_factory.mktemp("mount-feed") / "data", "mona") as accounts:
        yield accounts


def upload(live: LiveAccounts, path: str, body: bytes) -> None:
    reply = httpx2.put(
        f"{live.url}/api/v1/storage/content",
        params={"path": path},
        content=body,
        headers={"Authorization": f"Bearer {live.tokens['mona']}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text


def test_an_upload_to_the_server_shows_in_the_mount_of_its_storage(
    tmp_path: Path, live: LiveAccounts
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    saved = {"default": live.url, "servers": {live.url: live.tokens["mona"]}}
    (config / "credentials.json").write_text(json.dumps(saved))
    assert cli(config, "remote", "add", "home", "server").returncode == 0
    upload(live, "docs/first.txt", b"first")
    with mounted(config, "home:docs", tmp_path / "mnt", *TRUSTED_FOR_AN_HOUR) as mnt:
        assert names(mnt) == {"first.txt"}
        upload(live, "docs/sub/second.txt", b"second, from another device")
        took = seconds_until(lambda: (mnt / "sub" / "second.txt").exists())
        assert (mnt / "sub" / "second.txt").read_bytes() == b"second, from another device"
        print(f"\nan upload to the server showed in the mount after {took:.2f} s")

        upload(live, "elsewhere/outside.txt", b"not under the mounted folder")
        upload(live, "docs/first.txt", b"first, replaced by a longer text")
        seconds_until(lambda: (mnt / "first.txt").stat().st_size == 32)
        assert (mnt / "first.txt").read_bytes() == b"first, replaced by a longer text"
        assert names(mnt) == {"first.txt", "sub"}
