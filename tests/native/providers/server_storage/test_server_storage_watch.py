"""``syncoxide sync home:inbox ./inbox --watch``: a file uploaded to the server arrives at once,
through the server's storage change feed (a long poll), not the --poll-interval timer."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.native.providers.server_storage.live_syncoxide import LiveAccounts, live_accounts
from tests.native.providers.test_remotes import cli
from tests.native.watch.watch_process import WatchProcess, wait_until

pytestmark = pytest.mark.live

#: The change commits, the held call answers, settle 0.2 s, one run: far under this.
ARRIVAL_BOUND = 5.0


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAccounts]:
    with live_accounts(tmp_path_factory.mktemp("watch-storage") / "data", "dora") as accounts:
        yield accounts


def upload(live: LiveAccounts, path: str, body: bytes) -> None:
    reply = httpx2.put(
        f"{live.url}/api/v1/storage/content",
        params={"path": path},
        content=body,
        headers={"Authorization": f"Bearer {live.tokens['dora']}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text


def test_an_upload_arrives_through_the_change_feed(tmp_path: Path, live: LiveAccounts) -> None:
    config = tmp_path / "config"
    config.mkdir()
    saved = {"default": live.url, "servers": {live.url: live.tokens["dora"]}}
    (config / "credentials.json").write_text(json.dumps(saved))
    assert cli(config, "remote", "add", "home", "server").returncode == 0
    upload(live, "inbox/first.txt", b"first")
    local = tmp_path / "inbox"
    watcher = WatchProcess(
        "home:inbox", local, tmp_path / "state", "--settle", "0.2", "--poll-interval", "3600",
        env={"SYNCOXIDE_CONFIG_DIR": str(config)},
    )  # fmt: skip
    try:
        assert watcher.next_run()["done"] == {"copy": 1}
        upload(live, "inbox/sub/second.txt", b"second")
        wait_until(lambda: (local / "sub" / "second.txt").exists(), ARRIVAL_BOUND)
        assert (local / "sub" / "second.txt").read_bytes() == b"second"
        assert watcher.next_run()["done"].get("copy") == 1  # that run's line
        runs = len(watcher.drain())
        upload(live, "elsewhere/not-ours.txt", b"outside the watched folder")
        with pytest.raises(AssertionError):
            wait_until(lambda: len(watcher.drain()) > runs, 2.0)
        code, err = watcher.stop(signal.SIGINT)
        assert code == 130, err
    finally:
        watcher.kill()
